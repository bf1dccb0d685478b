/**
 * The feedback page (bugcat feedback --html): how often people kept the bot's labels, per label
 * and over time, in the report's page style with two Vega-Lite charts drawn as inline SVG.
 */
import type { TopLevelSpec } from 'vega-lite';
import { VERSION, type Feedback } from '../index.js';
import { CONFIG } from './charts/theme.js';
import { percent } from './charts/format.js';
import { escapeHtml as h, table } from './html.js';
import { figure, pageHead, section } from './page.js';
import { render, type Chart } from './render.js';

/** The measures, as the page names them, in order, with their colours (also told apart by position and the table). */
const MEASURES = [
  ['applied', 'applied', '#3465a4'],
  ['kept', 'kept', '#4e9a06'],
  ['removedByPerson', 'removed by a person', '#cc0000'],
  ['missed', 'added by a person (missed)', '#c4a000'],
] as const;

/** The labels the bot applied (or would have), which the chart shows: the others are only in the table. */
const appliedLabels = (f: Feedback) => f.labels.filter((r) => r.applied > 0);

function labelsSpec(f: Feedback, applied: string): TopLevelSpec {
  const values = appliedLabels(f).flatMap((r) =>
    MEASURES.map(([key, name]) => ({ label: r.label, measure: key === 'applied' ? applied : name, issues: r[key] })),
  );
  const names = MEASURES.map(([key, name]) => (key === 'applied' ? applied : name));
  return {
    config: CONFIG,
    description: 'Per label: issues the bot applied it to, where people kept it, removed it, or added it where the bot had not.',
    title: { text: 'Per label', subtitle: 'Issues, by what happened to the label' },
    data: { values },
    width: 420,
    height: { step: 9 },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'label', type: 'nominal', title: null },
      yOffset: { field: 'measure', sort: names },
      x: { field: 'issues', type: 'quantitative', title: 'issues' },
      color: {
        field: 'measure',
        type: 'nominal',
        sort: names,
        scale: { domain: names, range: MEASURES.map(([, , c]) => c) },
        title: null,
        legend: { orient: 'top' },
      },
      tooltip: [{ field: 'label' }, { field: 'measure' }, { field: 'issues' }],
    },
  };
}

function periodsSpec(f: Feedback, applied: string): TopLevelSpec {
  const values = f.periods.flatMap((p) => [
    { period: p.period, measure: 'suggested', issues: p.suggested },
    { period: p.period, measure: applied, issues: p.applied },
    { period: p.period, measure: 'removed by a person', issues: p.removedByPerson },
    { period: p.period, measure: 'added by a person (missed)', issues: p.missed },
  ]);
  return {
    config: CONFIG,
    description: `Labels suggested, applied, removed by a person and missed, by ${f.period}.`,
    title: { text: 'Over time', subtitle: `Labels by ${f.period} of the event` },
    data: { values },
    width: 520,
    height: 240,
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'period', type: 'ordinal', title: f.period },
      y: { field: 'issues', type: 'quantitative', title: 'labels' },
      color: { field: 'measure', type: 'nominal', title: null, legend: { orient: 'top' } },
      tooltip: [{ field: 'period' }, { field: 'measure' }, { field: 'issues' }],
    },
  };
}

/** The feedback page's HTML (self-contained, no script, opens offline) and its charts. */
export async function feedbackPage(f: Feedback, ledger: string): Promise<{ html: string; charts: Chart[] }> {
  const applied = f.dry ? 'would apply' : 'applied';
  const charts = [
    await render('labels', 'Per label', labelsSpec(f, applied)),
    await render('periods', 'Over time', periodsSpec(f, applied)),
  ];
  const pc = (x: number | undefined) => (x === undefined ? '' : percent(x));
  const cards = [
    [String(f.issues), 'issues'],
    [String(f.total.suggested), 'labels suggested'],
    [String(f.total.applied), `labels ${applied}`],
    [pc(f.total.keptShare), 'kept by people'],
    [String(f.total.removedByPerson), 'removed by a person'],
    [String(f.total.missed), 'missed (added by a person)'],
  ]
    .map(([v, n]) => `<li><span class="value">${h(v)}</span><span class="name">${h(n)}</span></li>`)
    .join('');
  // The labels it applied first (most first), then the ones it missed (most missed first).
  const ordered = [...f.labels].sort((a, b) => b.applied - a.applied || b.missed - a.missed || (a.label < b.label ? -1 : 1));
  const rows = [...ordered, { label: 'all labels', ...f.total }];
  const labelTable = table(
    'Per label (issues)',
    [
      { head: 'label', cell: (r: (typeof rows)[number]) => h(r.label) },
      { head: 'suggested', numeric: true, cell: (r) => String(r.suggested) },
      { head: applied, numeric: true, cell: (r) => String(r.applied) },
      { head: 'kept', numeric: true, cell: (r) => String(r.kept) },
      { head: 'removed by a person', numeric: true, cell: (r) => String(r.removedByPerson) },
      { head: 'missed', numeric: true, cell: (r) => String(r.missed) },
      { head: 'kept share', numeric: true, cell: (r) => pc(r.keptShare) },
    ],
    rows,
  );
  const note = f.dry
    ? '<p class="note">A dry run (serve without --apply): "would apply" counts what the bot would have added; kept and removed count what people did on those issues.</p>'
    : '';
  const html = `${pageHead("Feedback on the bot's labels (bugcat)")}
<body>
<main>
<header>
<h1>Feedback on the bot's labels</h1>
<p class="meta">Ledger ${h(ledger)}: ${f.issues} issues${f.first ? `, ${h(f.first.slice(0, 10))} to ${h((f.last ?? f.first).slice(0, 10))}` : ''}. Made by bugcat ${h(VERSION)}.</p>
${note}<ul class="cards">${cards}</ul>
</header>
${section('labels', 'Per label', `<div class="figures">${figure(charts[0], `The ${appliedLabels(f).length} labels bugcat ${applied === 'applied' ? 'applied' : 'would have applied'} (the table lists every label). Kept: applied and still there. Removed: a person took it off (bugcat never adds it to that issue again). Missed: a person added it where bugcat had not.`)}${figure(charts[1], `Each event counted in the ${f.period} it happened.`)}</div>`)}
${section('table', 'Every label', labelTable)}
</main>
</body>
</html>
`;
  return { html, charts };
}
