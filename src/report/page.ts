/**
 * The report's page: one self-contained HTML file holding the drawn charts (inline SVG), the
 * tables and the model card, with its style inline and no script. Its content security policy
 * forbids every request, so the page opens offline and cannot reach the network.
 */
import { DEFAULTS, DESCRIPTIONS, VERSION, type Hyperparameters } from '../index.js';
import type { Chart } from './render.js';
import type { ReportData, TargetThreshold } from './data.js';
import { fixed2, fixed3, percent } from './charts/format.js';
import { FONT } from './charts/theme.js';
import { escapeHtml as h, table } from './html.js';
import { auditCards, estimatesTable, suspectsTable } from './audit.js';

/** The policy in the page's head: no fetch, image, font, script or frame of any origin; inline styles only. */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

export const STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font-family: ${FONT}; color: #1a1a1a; background: #f6f7f9; margin: 0; line-height: 1.45; font-size: 15px; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 48px; }
header { margin-bottom: 8px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 0 0 10px; }
.meta { color: #555; margin: 0; }
nav { margin: 14px 0 4px; font-size: 14px; }
nav a { color: #1f4e8c; margin-right: 14px; }
section { background: white; border: 1px solid #dde1e6; border-radius: 6px; padding: 18px 22px; margin: 16px 0; }
.figures { display: flex; flex-wrap: wrap; gap: 28px; align-items: flex-start; }
figure { margin: 0; max-width: 100%; }
figure svg { display: block; max-width: 100%; height: auto; }
figure svg text { font-family: ${FONT}; }
figcaption { color: #444; font-size: 13px; max-width: 62ch; margin-top: 6px; }
svg .mark-text.role-mark, svg .role-mark text { pointer-events: none; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0 0; padding: 0; list-style: none; }
.cards li { background: white; border: 1px solid #dde1e6; border-radius: 6px; padding: 10px 16px; min-width: 128px; }
.cards .value { display: block; font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.cards .name { color: #555; font-size: 13px; }
table { border-collapse: collapse; font-size: 13.5px; margin: 8px 0 4px; }
caption { text-align: left; font-weight: 600; padding: 0 0 6px; }
th, td { padding: 4px 9px; border-bottom: 1px solid #e3e6ea; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #c9ced6; background: #f0f2f5; }
tbody tr:nth-child(even) { background: #fafbfc; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.errors td.text { max-width: 60ch; color: #333; }
.errors td.id { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; white-space: nowrap; }
.terms { color: #1f4e8c; }
.suspects td.suggested { color: #1f4e8c; font-weight: 600; }
.suspects td.text { max-width: 34ch; }
.estimates tr:last-child td { border-top: 2px solid #c9ced6; }
.figures + table { margin-top: 18px; }
.side { display: flex; flex-wrap: wrap; gap: 36px; align-items: flex-start; }
.side > table:first-child { max-width: 36em; }
.changed { font-weight: 700; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.92em; background: #eef1f4; padding: 0 3px; border-radius: 3px; }
.note { color: #555; font-size: 13px; max-width: 90ch; }
.warnings { background: #fff6e0; border: 1px solid #e0b84c; border-radius: 6px; padding: 10px 16px 10px 34px; margin: 14px 0 0; max-width: 110ch; }
.warnings li { margin: 2px 0; }
footer { color: #666; font-size: 13px; margin-top: 20px; }
`;

/** The charts a report draws, by name, in the page's order. */
export const CHART_NAMES = ['confusion', 'scores', 'reliability', 'coverage', 'labels'] as const;
/** The charts a report draws only when asked: the cascade's curve (evaluate --defer-curve), after the coverage chart. */
export const OPTIONAL_CHART_NAMES = ['deferral'] as const;
export type ChartName = (typeof CHART_NAMES)[number] | (typeof OPTIONAL_CHART_NAMES)[number];

/** The whole page. */
export function page(d: ReportData, charts: Record<ChartName, Chart>): string {
  const { input } = d;
  const e = input.evaluation;
  const heading = input.audit
    ? `Audit: ${input.subject}`
    : input.kind === 'cv'
      ? `Cross-validation: ${input.subject}`
      : `Evaluation: ${input.subject}`;
  const a = input.audit;
  const sections = [
    a ? section('suspects', 'Labels that look wrong', suspectsTable(a, input.reports.texts)) : '',
    a ? section('estimates', 'Wrong labels estimated by category', estimatesTable(a, input.reports.texts.length)) : '',
    section(
      'confusion',
      'Where the confusions are',
      figure(
        charts.confusion,
        'Rows are the right categories, columns the answers. A dark cell off the diagonal is a confusion the model makes often; hover a cell for its numbers.',
      ),
    ),
    section(
      'scores',
      'Scores by category',
      `<div class="figures">${figure(charts.scores, 'Precision: of the reports given this category, the share that carry it. Recall: of the reports that carry it, the share found.')}${categoryTable(d)}</div>`,
    ),
    section(
      'confidence',
      'Can its confidence be trusted?',
      `<div class="figures">${figure(charts.reliability, 'A calibrated model is right 80 % of the time when it says 0.8: its bars reach the diagonal. Bars below it mean overconfidence, above it underconfidence.')}${figure(charts.coverage, 'Sending the least sure reports to a person buys accuracy on the others. The thresholds are fitted on these very reports: on new ones expect a little less.')}</div>` +
        targetTable(d),
    ),
    charts.deferral
      ? section(
          'deferral',
          'Deferring the least sure reports',
          figure(
            charts.deferral,
            `The least sure share of the reports answered by ${h(input.deferCurve!.by)}, the others by the model: pick predict --defer-share for the accuracy you need. Fitted on these very reports: on new ones expect a little less.`,
          ) + deferralTable(d),
        )
      : '',
    section(
      'labels',
      'Labels',
      figure(
        charts.labels,
        'A category predicted much more (or less) often than it occurs is one the model pulls reports into (or away from).',
      ),
    ),
    section('errors', 'The most confident errors', errorsTable(d)),
    input.folds ? section('folds', 'Folds', foldsTable(d)) : '',
    section('card', 'Model card', modelCard(d)),
  ];
  const nav = [
    ...(a
      ? [
          ['suspects', 'suspects'],
          ['estimates', 'estimates by category'],
        ]
      : []),
    ['confusion', 'confusions'],
    ['scores', 'categories'],
    ['confidence', 'confidence'],
    ...(charts.deferral ? [['deferral', 'deferring']] : []),
    ['labels', 'labels'],
    ['errors', 'errors'],
    ...(input.folds ? [['folds', 'folds']] : []),
    ['card', 'model card'],
  ];
  return `${pageHead(`${h(heading)} (bugcat)`)}
<body>
<main>
<header>
<h1>${h(heading)}</h1>
<p class="meta">${e.n} reports, ${d.labels.length} categories. Made ${h(dateOf(d.date))} by bugcat ${h(VERSION)}.</p>
${warningList(d)}${summaryCards(d)}
<nav aria-label="sections">${nav.map(([id, name]) => `<a href="#${id}">${name}</a>`).join('')}</nav>
</header>
${sections.filter(Boolean).join('\n')}
<footer>A self-contained page: no script, no request; every chart is an SVG drawn by Vega-Lite.</footer>
</main>
</body>
</html>
`;
}

/**
 * The start of every page bugcat writes, up to its body: the content security policy that lets
 * nothing load, the generator, `titleHtml` (already escaped) and the page's style.
 */
export function pageHead(titleHtml: string, style: string = STYLE): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="bugcat ${h(VERSION)}">
<title>${titleHtml}</title>
<style>${style}</style>
</head>`;
}

export function section(id: string, title: string, body: string): string {
  return `<section id="${id}" aria-labelledby="${id}-title">\n<h2 id="${id}-title">${h(title)}</h2>\n${body}\n</section>`;
}

export function figure(chart: Chart, caption: string): string {
  return `<figure class="chart" id="chart-${chart.name}" data-chart="${chart.name}">\n${chart.svg}\n<figcaption>${h(caption)}</figcaption>\n</figure>`;
}

const dateOf = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** The warnings that go with the figures, above them, where a reader cannot miss them. */
function warningList(d: ReportData): string {
  const w = d.input.warnings ?? [];
  if (!w.length) return '';
  return `<ul class="warnings" id="warnings" role="note" aria-label="warnings">${w.map((m) => `<li><strong>Warning:</strong> ${h(m)}</li>`).join('')}</ul>\n`;
}

function summaryCards(d: ReportData): string {
  const e = d.input.evaluation;
  const f = d.input.folds;
  const spread = (key: string) => (f ? ` <span class="name">± ${fixed3(f.std[key])}</span>` : '');
  const cards: [string, string][] = [
    ...(d.input.audit ? auditCards(d.input.audit, e.n) : []),
    ['accuracy', fixed3(e.accuracy) + spread('accuracy')],
    ['macro-F1', fixed3(e.macro_f1) + spread('macro_f1')],
    ['weighted-F1', fixed3(e.weighted_f1) + spread('weighted_f1')],
    // ECE pooled over every report is not a mean of the folds' (it can be below all of them): their range, not ± std.
    [
      'calibration error (ECE)',
      fixed3(e.ece) + (f ? ` <span class="name">folds ${fixed3(f.range.ece.min)}–${fixed3(f.range.ece.max)}</span>` : ''),
    ],
    [
      `accuracy on the surest ${e.coverage.map((c) => Math.round(c.coverage * 100)).join(' / ')} %`,
      e.coverage.map((c) => fixed3(c.accuracy)).join(' / '),
    ],
  ];
  const note = f
    ? `<p class="note">Pooled over the out-of-fold predictions of all ${f.folds.length} folds; ± is the standard deviation over the folds. ` +
      `The calibration error is binned over all ${e.n} reports at once, so it can be lower than every fold's own (their range is shown): a fold's fewer reports per bin add noise that only raises it.</p>`
    : '';
  return `<ul class="cards">${cards.map(([name, value]) => `<li><span class="value">${value}</span><span class="name">${h(name)}</span></li>`).join('')}</ul>${note}`;
}

function categoryTable(d: ReportData): string {
  return table(
    'Per category (reports: support; answered: how often the model gave it)',
    [
      { head: 'category', cell: (r) => h(r.label) },
      { head: 'precision', numeric: true, cell: (r) => fixed3(r.precision) },
      { head: 'recall', numeric: true, cell: (r) => fixed3(r.recall) },
      { head: 'F1', numeric: true, cell: (r) => fixed3(r.f1) },
      { head: 'reports', numeric: true, cell: (r) => String(r.support) },
      { head: 'answered', numeric: true, cell: (r) => String(r.predicted) },
    ],
    d.categories,
  );
}

function targetTable(d: ReportData): string {
  const e = d.input.evaluation;
  if (!d.targets.length)
    return `<p class="note">Already ${fixed3(e.accuracy)} accurate on every report: no threshold needed for the usual targets.</p>`;
  const reached = d.targets.filter((t): t is Required<TargetThreshold> => t.threshold !== undefined);
  const missed = d.targets.filter((t) => t.threshold === undefined).map((t) => percent(t.target));
  const note = missed.length ? `<p class="note">No threshold keeps ${d.minKept} or more reports at ${missed.join(', ')} accuracy.</p>` : '';
  if (!reached.length) return note;
  return (
    table(
      `The --min-confidence to pick for a target accuracy (keeping at least ${d.minKept} reports; all ${e.n} are ${fixed3(e.accuracy)} accurate)`,
      [
        { head: 'target accuracy', numeric: true, cell: (t) => percent(t.target) },
        { head: '--min-confidence', numeric: true, cell: (t) => `<code>${fixed2(t.threshold)}</code>` },
        { head: 'reports kept', numeric: true, cell: (t) => `${t.n} (${percent(t.coverage)})` },
        { head: 'sent to a person', numeric: true, cell: (t) => `${e.n - t.n} (${percent(1 - t.coverage)})` },
        { head: 'accuracy kept', numeric: true, cell: (t) => fixed3(t.accuracy) },
      ],
      reached,
    ) + note
  );
}

function deferralTable(d: ReportData): string {
  const c = d.input.deferCurve!;
  return table(
    `Each --defer-share: the reports deferred to ${h(c.by)}, the accuracy of all the answers and of the model's own`,
    [
      { head: '--defer-share', numeric: true, cell: (p) => `<code>${p.share}</code>` },
      { head: 'deferred', numeric: true, cell: (p) => String(p.deferred) },
      { head: 'accuracy of all', numeric: true, cell: (p) => fixed3(p.accuracy) },
      { head: "the model's own", numeric: true, cell: (p) => (Number.isNaN(p.keptAccuracy) ? '-' : fixed3(p.keptAccuracy)) },
    ],
    c.points,
  );
}

function errorsTable(d: ReportData): string {
  if (!d.errors.length) return '<p class="note">No errors.</p>';
  const withTerms = d.errors.some((x) => x.terms?.length);
  const withRunnerUp = d.errors.some((x) => x.runnerUp);
  return table(
    `The ${d.errors.length} wrong answers given with the highest confidence: often a mislabelled report, or two categories that overlap`,
    [
      { head: 'report', className: 'id', cell: (x) => h(x.id) },
      { head: 'right label', cell: (x) => h(x.truth) },
      { head: 'answer', cell: (x) => h(x.predicted) },
      { head: 'confidence', numeric: true, cell: (x) => fixed3(x.confidence) },
      ...(withRunnerUp
        ? [
            {
              head: 'second guess',
              cell: (x: (typeof d.errors)[number]) => (x.runnerUp ? `${h(x.runnerUp.label)} (${fixed3(x.runnerUp.probability)})` : ''),
            },
          ]
        : []),
      ...(withTerms
        ? [
            {
              head: 'terms behind the answer',
              cell: (x: (typeof d.errors)[number]) => `<span class="terms">${h((x.terms ?? []).join(', '))}</span>`,
            },
          ]
        : []),
      { head: 'beginning of the report', className: 'text', cell: (x) => h(x.excerpt) },
    ],
    d.errors,
    'errors',
  );
}

function foldsTable(d: ReportData): string {
  const f = d.input.folds!;
  const row = (name: string, get: (k: string) => string) => ({ name, get });
  const keys = ['accuracy', 'macro_f1', 'weighted_f1', 'ece'];
  const rows = [
    ...f.folds.map((r) => row(`fold ${r.fold} (${r.n} reports)`, (k) => fixed3((r as unknown as Record<string, number>)[k]))),
    row('mean ± std', (k) => `${fixed3(f.mean[k])} ± ${fixed3(f.std[k])}`),
    row(`pooled (all ${d.input.evaluation.n} out-of-fold predictions)`, (k) =>
      fixed3((d.input.evaluation as unknown as Record<string, number>)[k]),
    ),
  ];
  return table(
    'Each fold scored by a model trained on the others',
    [
      { head: 'fold', cell: (r) => h(r.name) },
      ...keys.map((k) => ({
        head: k.replace('_f1', '-F1').replace('ece', 'ECE'),
        numeric: true,
        cell: (r: (typeof rows)[number]) => r.get(k),
      })),
    ],
    rows,
  );
}

function modelCard(d: ReportData): string {
  const c = d.input.card;
  const facts: [string, string][] = [
    [d.input.kind === 'cv' ? 'trained by' : 'model', h(c.source)],
    ['made by', h(c.createdBy)],
    ['model format version', String(c.formatVersion)],
    [
      'training reports',
      d.input.kind === 'cv'
        ? `${c.trainingReports} in all, each fold's model trained on the others`
        : c.selfTraining
          ? `${c.trainingReports}: ${c.selfTraining.labelled} labelled, and ${c.selfTraining.learnt} of ${c.selfTraining.pool} without labels learnt with the model's own guess (self-training)`
          : String(c.trainingReports),
    ],
    ...(c.calibrationReports !== undefined
      ? [
          [
            'calibrated on',
            c.calibrationReports
              ? `out-of-fold predictions for ${c.calibrationReports} ${c.selfTraining ? 'labelled ' : ''}reports`
              : 'not calibrated',
          ] as [string, string],
        ]
      : []),
    ...(c.groups ? [['kept in one fold', h(c.groups)] as [string, string]] : []),
    [`labels (${c.labels.length})`, h(c.labels.join(', '))],
    ...(c.saved ? [['saved', h(dateOf(c.saved))] as [string, string]] : []),
    ['report made', h(dateOf(d.date))],
  ];
  const hp = Object.entries(c.hyperparameters) as [keyof Hyperparameters, unknown][];
  const inFolds = foldValues(d);
  const foldsColumn = inFolds && hp.some(([k, v]) => inFolds(k, v) !== '');
  return `<div class="side">${table(
    'The model',
    [
      { head: 'what', cell: (r) => h(r[0]) },
      { head: 'value', cell: (r) => r[1] },
    ],
    facts,
  )}${table(
    `Hyperparameters (bold: not the default${foldsColumn ? "; the folds' models: where they took another value, by rule or search" : ''})`,
    [
      { head: 'name', cell: (r) => `<code>${h(r[0])}</code>` },
      {
        head: 'value',
        numeric: true,
        cell: (r) => (r[1] === DEFAULTS[r[0]] ? h(String(r[1])) : `<span class="changed">${h(String(r[1]))}</span>`),
      },
      { head: 'default', numeric: true, cell: (r) => (r[1] === DEFAULTS[r[0]] ? '' : h(String(DEFAULTS[r[0]]))) },
      ...(foldsColumn ? [{ head: "the folds' models", cell: (r: (typeof hp)[number]) => h(inFolds(r[0], r[1])) }] : []),
      { head: 'meaning', cell: (r) => h(DESCRIPTIONS[r[0]] ?? '') },
    ],
    hp,
  )}</div>`;
}

/**
 * Cross-validation: a hyperparameter's values in the folds' models, in words, where any differs
 * from the card's value (the rules' value for the fold's size, or autotune's choice); '' where
 * every fold used the card's. Undefined for a page without folds' hyperparameters.
 */
function foldValues(d: ReportData): ((key: keyof Hyperparameters, value: unknown) => string) | undefined {
  const folds = d.input.folds?.folds.filter((f) => f.hyperparameters) ?? [];
  if (!folds.length) return undefined;
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  return (key, value) => {
    const values = folds.map((f) => f.hyperparameters![key]);
    if (values.every((v) => same(v, value))) return '';
    if (values.every((v) => same(v, values[0]))) return `${String(values[0])} in every fold`;
    return folds.map((f, i) => `fold ${f.fold}: ${String(values[i])}`).join(', ');
  };
}
