import type { Evaluation, GroupCount, RecordLabelSet, RecordPrediction } from '../index.js';
import { csvRows } from './csv.js';

export const FORMATS = ['text', 'json', 'jsonl', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

/**
 * What the cascade (predict --defer-share, --defer-below, --llm) adds to a prediction: whether it
 * was deferred, who answered (`model`; `llm`; `none` when the LLM call failed and the review
 * label stands), the model's own label where another answered, the LLM's raw answer or why the call failed.
 */
export interface CascadeMark {
  deferred: boolean;
  answeredBy: 'model' | 'llm' | 'none';
  modelLabel?: string;
  llmAnswer?: string;
  llmError?: string;
}

export type IdentifiedPrediction = RecordPrediction & { cascade?: CascadeMark };

/** The cascade's columns and fields: off, deferral only, or deferral and the LLM's answers. */
export type CascadeOutput = 'off' | 'defer' | 'llm';

/** The cascade's CSV columns, after every other. */
const cascadeColumns = (c: CascadeOutput) =>
  c === 'off' ? [] : ['deferred', 'answered_by', ...(c === 'llm' ? ['model_label', 'llm_answer', 'llm_error'] : [])];

function cascadeCells(p: IdentifiedPrediction, c: CascadeOutput): string[] {
  if (c === 'off') return [];
  const m = p.cascade;
  const cells = [m?.deferred ? 'true' : m ? 'false' : '', m?.answeredBy ?? ''];
  return c === 'llm' ? [...cells, m?.modelLabel ?? '', m?.llmAnswer ?? '', m?.llmError ?? ''] : cells;
}

/** The cascade's JSON fields: deferred and answered_by always (with the cascade on), the rest where they apply. */
function cascadeRecord(p: IdentifiedPrediction, c: CascadeOutput): Record<string, unknown> {
  const m = p.cascade;
  if (c === 'off' || !m) return {};
  return {
    deferred: m.deferred,
    answered_by: m.answeredBy,
    ...(m.modelLabel !== undefined ? { model_label: m.modelLabel } : {}),
    ...(m.llmAnswer !== undefined ? { llm_answer: m.llmAnswer } : {}),
    ...(m.llmError !== undefined ? { llm_error: m.llmError } : {}),
  };
}

/** The cascade in a text line: `<TAB>answered_by<TAB>llm` (or model, none), and `<TAB>deferred` for a deferred report the model still answers. */
function cascadeText(p: IdentifiedPrediction, c: CascadeOutput): string {
  const m = p.cascade;
  if (c === 'off' || !m) return '';
  return `\tanswered_by\t${m.answeredBy}${m.deferred && m.answeredBy === 'model' ? '\tdeferred' : ''}`;
}

const round = (x: number) => Math.round(x * 10000) / 10000;

/**
 * Predictions in the chosen output format, written batch by batch as they come (the output
 * starts before the input ends): always one record per input report, in order. A report that
 * could not be read keeps its row, saying why: `error` in JSON and in the CSV's `error` column,
 * `- -` and the reason in text. A report the model was trained on is marked `"in_training": true`
 * in JSON (the field is absent otherwise), and in CSV's `in_training` column when asked for. A
 * report whose text held control characters (removed before it was read; the warning on stderr
 * names them) has their count in JSON's `control_characters`.
 * Each record shows its `top` ranked labels at most. With `best` (answers below
 * --min-confidence get the review label), every record also gives the model's best label and
 * its probability: `best` and `best_confidence` columns in CSV and fields in JSON,
 * `best<TAB>label<TAB>p` after the id in text; so the review pile keeps its suggestions. A
 * report whose id was made distinct keeps why in JSON's `id_warning`.
 */
export class PredictionWriter {
  private count = 0;

  constructor(
    private readonly format: Format,
    private readonly top: number,
    private readonly showIds: boolean,
    /** Add the CSV's `in_training` column (true where the model was trained on the report); JSON marks those reports always. */
    private readonly markTraining = false,
    /** Show the best label and its probability apart (with --min-confidence, whose answers may be the review label). */
    private readonly best = false,
    /** The cascade's columns and fields (predict --defer-share, --defer-below, --llm). */
    private readonly cascade: CascadeOutput = 'off',
  ) {}

  /** What comes before the first record. */
  start(): string {
    if (this.format !== 'csv') return '';
    const extra = Array.from({ length: Math.max(0, this.top - 1) }, (_, k) => [`label_${k + 2}`, `confidence_${k + 2}`]).flat();
    const best = this.best ? ['best', 'best_confidence'] : [];
    return csvRows([
      [
        'id',
        'label',
        'confidence',
        'coverage',
        ...best,
        ...extra,
        'error',
        ...(this.markTraining ? ['in_training'] : []),
        ...cascadeColumns(this.cascade),
      ],
    ]);
  }

  /** The records of one batch. */
  write(preds: readonly IdentifiedPrediction[]): string {
    const { format, top, showIds, markTraining, best, cascade } = this;
    const mark = (p: IdentifiedPrediction) => [...(markTraining ? [p.inTraining ? 'true' : ''] : []), ...cascadeCells(p, cascade)];
    let out: string;
    switch (format) {
      case 'text':
        out = preds.map((p) => textLine(p, top, showIds, best).replace(/\n$/, `${cascadeText(p, cascade)}\n`)).join('');
        break;
      case 'jsonl':
        out = preds.map((p) => JSON.stringify({ ...record(p, top, best), ...cascadeRecord(p, cascade) }) + '\n').join('');
        break;
      case 'json':
        // As JSON.stringify(all, null, 2) would print the whole array.
        out = preds
          .map(
            (p, i) =>
              `${this.count + i === 0 ? '[\n' : ',\n'}${indent(JSON.stringify({ ...record(p, top, best), ...cascadeRecord(p, cascade) }, null, 2))}`,
          )
          .join('');
        break;
      case 'csv':
        out = csvRows(
          preds.map((p) =>
            p.error !== undefined
              ? [p.id, '', '', '', ...Array.from({ length: (best ? 2 : 0) + 2 * Math.max(0, top - 1) }, () => ''), p.error, ...mark(p)]
              : [
                  p.id,
                  p.label,
                  p.confidence.toFixed(4),
                  p.coverage.toFixed(4),
                  ...(best ? (p.top[0] ? [p.top[0].label, p.top[0].probability.toFixed(4)] : ['', '']) : []),
                  ...Array.from({ length: Math.max(0, top - 1) }, (_, k) => p.top[k + 1]).flatMap((t) =>
                    t ? [t.label, t.probability.toFixed(4)] : ['', ''],
                  ),
                  '',
                  ...mark(p),
                ],
          ),
        );
        break;
    }
    this.count += preds.length;
    return out;
  }

  /** What comes after the last record. */
  end(): string {
    if (this.format !== 'json') return '';
    return this.count === 0 ? '[]\n' : '\n]\n';
  }
}

/**
 * A multi-label model's predictions in the chosen output format, batch by batch (as
 * PredictionWriter): `{"id", "labels": [suggested], "scores": {label: probability, every label}}`
 * in JSON and JSON Lines; in CSV `id,labels` (joined by `;`) then one column per label with its
 * probability, then `error`; in text the id, then each suggested label and its probability
 * (`-` where none is). A report that could not be read keeps its row with its error; a report the
 * model was trained on is marked as PredictionWriter marks it.
 */
export class LabelSetWriter {
  private count = 0;

  constructor(
    private readonly format: Format,
    private readonly labels: readonly string[],
    private readonly showIds: boolean,
    private readonly markTraining = false,
  ) {}

  start(): string {
    if (this.format !== 'csv') return '';
    return csvRows([['id', 'labels', ...this.labels, 'error', ...(this.markTraining ? ['in_training'] : [])]]);
  }

  write(preds: readonly RecordLabelSet[]): string {
    const { format, labels, showIds, markTraining } = this;
    let out: string;
    switch (format) {
      case 'text':
        out = preds
          .map((p) => {
            const id = showIds || p.error !== undefined ? `${p.id}\t` : '';
            if (p.error !== undefined) return `${id}-\terror: ${p.error.replace(/\s+/g, ' ')}\n`;
            const shown = p.labels.map((l) => `${l}\t${(p.scores[l] ?? 0).toFixed(4)}`).join('\t');
            return `${id}${shown || '-'}\n`;
          })
          .join('');
        break;
      case 'jsonl':
        out = preds.map((p) => JSON.stringify(labelSetRecord(p)) + '\n').join('');
        break;
      case 'json':
        out = preds.map((p, i) => `${this.count + i === 0 ? '[\n' : ',\n'}${indent(JSON.stringify(labelSetRecord(p), null, 2))}`).join('');
        break;
      case 'csv':
        out = csvRows(
          preds.map((p) => [
            p.id,
            p.error !== undefined ? '' : p.labels.join(';'),
            ...labels.map((l) => (p.error !== undefined ? '' : (p.scores[l] ?? 0).toFixed(4))),
            p.error ?? '',
            ...(markTraining ? [p.inTraining ? 'true' : ''] : []),
          ]),
        );
        break;
    }
    this.count += preds.length;
    return out;
  }

  end(): string {
    if (this.format !== 'json') return '';
    return this.count === 0 ? '[]\n' : '\n]\n';
  }
}

/** A multi-label prediction as JSON: id, suggested labels, every label's probability (rounded to 4 places). */
const labelSetRecord = (p: RecordLabelSet) => {
  const note = p.idWarning !== undefined ? { id_warning: p.idWarning } : {};
  if (p.error !== undefined) return { id: p.id, ...note, error: p.error };
  return {
    id: p.id,
    ...note,
    labels: p.labels,
    scores: Object.fromEntries(Object.entries(p.scores).map(([l, s]) => [l, round(s)])),
    ...(p.inTraining ? { in_training: true } : {}),
    ...(p.controlCharacters ? { control_characters: p.controlCharacters } : {}),
  };
};

/** All predictions at once, in the chosen format (see PredictionWriter). */
export function formatPredictions(
  preds: readonly IdentifiedPrediction[],
  format: Format,
  top: number,
  showIds: boolean,
  best = false,
): string {
  const w = new PredictionWriter(format, top, showIds, false, best);
  return w.start() + w.write(preds) + w.end();
}

const record = (p: IdentifiedPrediction, top: number, best: boolean) => {
  const note = p.idWarning !== undefined ? { id_warning: p.idWarning } : {};
  if (p.error !== undefined) return { id: p.id, ...note, error: p.error };
  return {
    id: p.id,
    ...note,
    label: p.label,
    confidence: round(p.confidence),
    coverage: round(p.coverage),
    ...(best ? { best: p.top[0]?.label ?? null, best_confidence: p.top[0] ? round(p.top[0].probability) : null } : {}),
    top: p.top.slice(0, top).map((t) => ({ label: t.label, probability: round(t.probability) })),
    ...(p.inTraining ? { in_training: true } : {}),
    ...(p.controlCharacters ? { control_characters: p.controlCharacters } : {}),
  };
};

const indent = (s: string) => s.replace(/^/gm, '  ');

function textLine(p: IdentifiedPrediction, top: number, showIds: boolean, best: boolean): string {
  const id = showIds || p.error !== undefined ? `\t${p.id}` : '';
  if (p.error !== undefined) return `-\t-${id}\terror: ${p.error.replace(/\s+/g, ' ')}\n`;
  const first = best ? `\tbest\t${p.top[0] ? `${p.top[0].label}\t${p.top[0].probability.toFixed(4)}` : '-\t-'}` : '';
  const more = p.top
    .slice(1, top)
    .map((t) => `\t${t.label}\t${t.probability.toFixed(4)}`)
    .join('');
  return `${p.label}\t${p.confidence.toFixed(4)}${id}${first}${more}\n`;
}

const pct = (x: number) => x.toFixed(3);

/** The evaluation as a person reads it: summary, per-class table, confusion matrix, confidence. */
export function formatEvaluation(e: Evaluation): string {
  const labels = e.confusion.labels;
  const width = Math.max(12, ...labels.map((l) => l.length));
  const lines: string[] = [];
  lines.push(`reports      ${e.n}`);
  lines.push(`accuracy     ${pct(e.accuracy)}`);
  lines.push(`macro-F1     ${pct(e.macro_f1)}`);
  lines.push(`weighted-F1  ${pct(e.weighted_f1)}`);
  lines.push(`calibration error (ECE, 10 bins)  ${pct(e.ece)}`);
  lines.push(
    `accuracy when only the most confident are kept: ${e.coverage.map((c) => `${Math.round(c.coverage * 100)}% -> ${pct(c.accuracy)}`).join(', ')}`,
  );
  lines.push('');
  lines.push(`${'category'.padEnd(width)}  precision  recall     f1  support`);
  for (const l of labels) {
    const s = e.per_class[l];
    lines.push(
      `${l.padEnd(width)}  ${pct(s.precision).padStart(9)}  ${pct(s.recall).padStart(6)}  ${pct(s.f1).padStart(5)}  ${String(s.support).padStart(7)}`,
    );
  }
  lines.push('');
  lines.push('confusion matrix (rows: true category, columns: predicted, in the order of the rows)');
  const cell = Math.max(4, ...e.confusion.matrix.flat().map((v) => String(v).length + 1));
  const head = width + 4;
  lines.push(`${''.padEnd(head)}${labels.map((_, i) => String(i + 1).padStart(cell)).join('')}`);
  e.confusion.matrix.forEach((row, i) => {
    lines.push(`${`${String(i + 1).padStart(2)} ${labels[i]}`.padEnd(head)}${row.map((v) => String(v).padStart(cell)).join('')}`);
  });
  return lines.join('\n') + '\n';
}

/** The groups cross-validation kept in one fold, in words, for its page. */
export const groupsInWords = (g: GroupCount): string =>
  `${g.shared} group${g.shared === 1 ? '' : 's'} of ${g.reports} reports ${g.source === 'given' ? 'given by --group-column' : 'that share a title or text'}, each in one fold`;
