/**
 * What evaluate and cv print for a multi-label model: the summary figures, the per-label table
 * (precision, recall, F1, support, threshold), and the labels that need more data or cannot
 * reach the precision asked for, set apart.
 */
import type { LabelSetEvaluation } from '../index.js';

const f3 = (x: number) => x.toFixed(3);

/** A multi-label evaluation as a person reads it. */
export function formatLabelSets(e: LabelSetEvaluation): string {
  const labels = Object.keys(e.per_label);
  const width = Math.max(12, ...labels.map((l) => l.length));
  const lines = [
    `reports      ${e.n} (${e.labelled} carry one of the model's ${labels.length} labels)`,
    `micro-F1     ${f3(e.micro.f1)}  (precision ${f3(e.micro.precision)}, recall ${f3(e.micro.recall)})`,
    `macro-F1     ${f3(e.macro_f1)}`,
    `P@1          ${f3(e.p_at_1)}  (the most probable label is one of the report's)`,
    `answered     ${f3(e.answered)}  (share of reports given at least one label)`,
    '',
    `${'label'.padEnd(width)}  precision  recall     f1  support  suggested  threshold`,
  ];
  for (const l of labels) {
    const s = e.per_label[l];
    lines.push(
      `${l.padEnd(width)}  ${f3(s.precision).padStart(9)}  ${f3(s.recall).padStart(6)}  ${f3(s.f1).padStart(5)}  ${String(s.support).padStart(7)}  ${String(s.suggested).padStart(9)}  ${(s.threshold === null ? 'never' : s.threshold.toFixed(4)).padStart(9)}`,
    );
  }
  const rare = Object.entries(e.needs_more_data);
  if (rare.length) lines.push('', `needs more data (not learned, never suggested): ${rare.map(([l, n]) => `${l} (${n})`).join(', ')}`);
  if (e.unreachable.length)
    lines.push(
      '',
      `never suggested, since no threshold suited them out of fold (none reached the precision asked for, or without one, none did better than chance): ${e.unreachable.join(', ')}`,
    );
  return lines.join('\n') + '\n';
}
