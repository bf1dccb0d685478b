/**
 * The report of a multi-label evaluation or cross-validation: the summary figures, each label's
 * precision-recall curve over its threshold sweep (one Vega-Lite chart per label, its operating
 * point marked), the per-label table, and the labels that need more data or cannot reach the
 * precision asked for, set apart; then the model card with each label's threshold.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { LabelSetEvaluation, MultiLabelRecord } from '../index.js';
import { fixed3 } from './charts/format.js';
import { CONFIG, INK, LIGHT } from './charts/theme.js';
import type { ModelCard } from './data.js';
import { escapeHtml as h, table } from './html.js';
import { pageHead } from './page.js';
import { render, type Chart } from './render.js';

/** What a command hands the multi-label report. */
export interface LabelSetReportInput {
  /** The page's subject, as "models/gitlab on later.json". */
  subject: string;
  /** The scores (pooled over the folds for cross-validation). */
  evaluation: LabelSetEvaluation;
  card: ModelCard;
  /** The model's thresholds and their out-of-fold figures (the last fold's model for cross-validation). */
  multiLabel?: Readonly<MultiLabelRecord>;
  /** Cross-validation: each fold's summary. */
  folds?: readonly {
    fold: string;
    train: number;
    test: number;
    from?: string;
    to?: string;
    micro_f1: number;
    macro_f1: number;
    p_at_1: number;
  }[];
  date?: Date;
}

/** A label's precision-recall chart: its sweep's points (recall, precision), the threshold of each in its tooltip, the label's threshold marked. */
export function prSpec(e: LabelSetEvaluation, label: string): TopLevelSpec {
  const s = e.per_label[label];
  const points = e.sweep[label]
    .filter((p) => p.precision !== null)
    .map((p) => ({
      ...p,
      tip: `threshold ${p.threshold.toFixed(2)}: precision ${fixed3(p.precision!)}, recall ${fixed3(p.recall)}, ${(p.share * 100).toFixed(1)} % of reports labelled`,
    }));
  const here = [
    {
      recall: s.recall,
      precision: s.precision,
      tip: `at its threshold ${s.threshold === null ? '(never suggested)' : s.threshold.toFixed(3)}: precision ${fixed3(s.precision)}, recall ${fixed3(s.recall)}`,
    },
  ];
  const axis = { type: 'quantitative' as const, scale: { domain: [0, 1] } };
  return {
    config: CONFIG,
    description: `Precision against recall of label ${label} at thresholds 0.05 to 0.95, with its operating point.`,
    title: { text: label, subtitle: `support ${s.support}, F1 ${fixed3(s.f1)}` },
    width: 200,
    height: 160,
    layer: [
      {
        data: { values: points },
        mark: { type: 'line', color: INK, point: { color: INK, size: 18 } },
        encoding: {
          x: { field: 'recall', ...axis, title: 'recall' },
          y: { field: 'precision', ...axis, title: 'precision' },
          order: { field: 'threshold', type: 'quantitative' },
          description: { field: 'tip', type: 'nominal' },
        },
      },
      {
        data: { values: here },
        mark: { type: 'point', shape: 'diamond', size: 90, filled: true, color: LIGHT, stroke: INK },
        encoding: {
          x: { field: 'recall', ...axis },
          y: { field: 'precision', ...axis },
          description: { field: 'tip', type: 'nominal' },
        },
      },
    ],
  };
}

/** The label-set page's style. */
const LABEL_SET_STYLE = `
body { font-family: system-ui, sans-serif; color: #1a1a1a; background: #f6f7f9; margin: 0; font-size: 15px; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 48px; }
section { background: white; border: 1px solid #dde1e6; border-radius: 6px; padding: 18px 22px; margin: 16px 0; }
.figures { display: flex; flex-wrap: wrap; gap: 18px; }
figure { margin: 0; } figure svg { display: block; max-width: 100%; height: auto; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; padding: 0; list-style: none; }
.cards li { background: white; border: 1px solid #dde1e6; border-radius: 6px; padding: 10px 16px; min-width: 120px; }
.cards .value { display: block; font-size: 22px; font-weight: 600; }
table { border-collapse: collapse; font-size: 13.5px; margin: 8px 0; }
caption { text-align: left; font-weight: 600; padding: 0 0 6px; }
th, td { padding: 4px 9px; border-bottom: 1px solid #e3e6ea; text-align: left; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.note { color: #555; font-size: 13px; }
`;

/** The page and its charts (one a label, named pr-<n>). */
export async function buildLabelSetReport(input: LabelSetReportInput): Promise<{ html: string; charts: Chart[] }> {
  const e = input.evaluation;
  const labels = Object.keys(e.per_label);
  const charts: Chart[] = [];
  for (const [i, l] of labels.entries()) charts.push(await render(`pr-${i + 1}`, `Precision and recall: ${l}`, prSpec(e, l)));
  const cards = [
    ['micro-F1', fixed3(e.micro.f1)],
    ['macro-F1', fixed3(e.macro_f1)],
    ['P@1', fixed3(e.p_at_1)],
    ['precision', fixed3(e.micro.precision)],
    ['recall', fixed3(e.micro.recall)],
    ['reports', String(e.n)],
  ];
  const rows = labels.map((l) => ({ label: l, ...e.per_label[l] }));
  const perLabel = table(
    input.folds
      ? "Each label, pooled over the folds (each fold's model at its own thresholds; the threshold shown is the last fold's)"
      : 'Each label at its threshold',
    [
      { head: 'label', cell: (r) => h(r.label) },
      { head: 'precision', numeric: true, cell: (r) => fixed3(r.precision) },
      { head: 'recall', numeric: true, cell: (r) => fixed3(r.recall) },
      { head: 'F1', numeric: true, cell: (r) => fixed3(r.f1) },
      { head: 'support', numeric: true, cell: (r) => String(r.support) },
      { head: 'suggested', numeric: true, cell: (r) => String(r.suggested) },
      { head: 'threshold', numeric: true, cell: (r) => (r.threshold === null ? 'never' : r.threshold.toFixed(3)) },
    ],
    rows,
  );
  const rare = Object.entries(e.needs_more_data);
  const apart =
    (rare.length
      ? table(
          'Labels that need more data (on too few training reports: not learned, never suggested)',
          [
            { head: 'label', cell: (r: [string, number]) => h(r[0]) },
            { head: 'training reports', numeric: true, cell: (r: [string, number]) => String(r[1]) },
          ],
          rare,
        )
      : '<p class="note">Every label on the training reports was learned.</p>') +
    (e.unreachable.length
      ? `<p class="note">Never suggested, since no threshold suited them out of fold (none reached the precision asked for, or without one, none did better than chance): ${e.unreachable.map(h).join(', ')}</p>`
      : '');
  const folds = input.folds
    ? table(
        'Folds',
        [
          { head: 'fold', cell: (r: NonNullable<LabelSetReportInput['folds']>[number]) => h(r.fold) },
          { head: 'train', numeric: true, cell: (r) => String(r.train) },
          { head: 'test', numeric: true, cell: (r) => String(r.test) },
          { head: 'tested from', cell: (r) => h(r.from ?? '') },
          { head: 'to', cell: (r) => h(r.to ?? '') },
          { head: 'micro-F1', numeric: true, cell: (r) => fixed3(r.micro_f1) },
          { head: 'macro-F1', numeric: true, cell: (r) => fixed3(r.macro_f1) },
          { head: 'P@1', numeric: true, cell: (r) => fixed3(r.p_at_1) },
        ],
        input.folds,
      )
    : '';
  const m = input.multiLabel;
  const c = input.card;
  const card = table(
    'The model',
    [
      { head: 'what', cell: (r: [string, string]) => h(r[0]) },
      { head: 'value', cell: (r: [string, string]) => r[1] },
    ],
    [
      ['model', h(c.source)],
      ['made by', h(c.createdBy)],
      ['training reports', String(c.trainingReports)],
      ['labels learned', `${c.labels.length}`],
      ...(m
        ? ([
            ['left out', h(m.exclude.join(', ') || 'none')],
            ['fewest training reports a label needs', String(m.minLabelCount)],
            [
              'thresholds',
              m.rule === 'min-precision'
                ? `the lowest reaching out-of-fold precision ${m.minPrecision}, never under probability ${m.minPrecision}`
                : "each label's best out-of-fold F1",
            ],
          ] as [string, string][])
        : []),
    ],
  );
  const thresholds = m
    ? table(
        'Thresholds, with out-of-fold precision, recall and support there',
        [
          { head: 'label', cell: (r: string) => h(r) },
          { head: 'threshold', numeric: true, cell: (r) => (m.points[r].threshold === null ? 'never' : m.points[r].threshold!.toFixed(3)) },
          { head: 'precision', numeric: true, cell: (r) => fixed3(m.points[r].precision) },
          { head: 'recall', numeric: true, cell: (r) => fixed3(m.points[r].recall) },
          { head: 'support', numeric: true, cell: (r) => String(m.points[r].support) },
        ],
        Object.keys(m.points),
      )
    : '';
  const figure = (ch: Chart) => `<figure>${ch.svg.replace(/^<\?xml[^>]*>\s*/, '')}</figure>`;
  const date = (input.date ?? new Date()).toISOString().slice(0, 16).replace('T', ' ');
  const html = `${pageHead(`${h(input.folds ? 'Cross-validation' : 'Evaluation')}: ${h(input.subject)}`, LABEL_SET_STYLE)}
<body><main>
<header><h1>${h(input.folds ? 'Cross-validation' : 'Evaluation')}: ${h(input.subject)}</h1><p class="note">multi-label; made ${h(date)} UTC</p>
<ul class="cards">${cards.map(([n, v]) => `<li><span class="value">${v}</span><span class="name">${h(n)}</span></li>`).join('')}</ul></header>
${folds ? `<section id="folds"><h2>Folds</h2>${folds}</section>` : ''}
<section id="labels"><h2>Precision and recall of each label</h2><p class="note">Each point is a threshold from 0.05 to 0.95 (hover it); the diamond is the label's own threshold.</p><div class="figures">${charts.map(figure).join('')}</div>${perLabel}</section>
<section id="apart"><h2>Labels set apart</h2>${apart}</section>
<section id="card"><h2>Model card</h2>${card}${thresholds}</section>
</main></body></html>
`;
  return { html, charts };
}
