/**
 * What an audit adds to the page: the reports whose given label looks wrong, ranked, with the
 * label each annotator gave and the label the out-of-fold probabilities suggest, and the
 * per-category estimates of how many labels are wrong (the calibrated confident joint). These
 * are what a reviewer of the labels opens the page for, so they come before the charts.
 */
import type { Audit, AuditEntry } from '../index.js';
import { fixed3, percent } from './charts/format.js';
import { escapeHtml as h, table, type Column } from './html.js';

/** The audit as the page shows it. */
export interface AuditInput {
  result: Audit;
  /** The entries the command lists (the issues, or --top / --all), most likely wrong first. */
  listed: readonly AuditEntry[];
  /** The given label's annotator (the first), where the reports name their annotators. */
  givenBy?: string;
  /** The other annotators' names, in the order of each entry's `otherLabels`. */
  annotators: readonly string[];
}

/** The most suspects the page lists: more make a page no one scrolls; the CSV holds them all. */
export const SUSPECTS_SHOWN = 500;
const EXCERPT = 160;

const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(3)}`;

function excerptOf(text: string): string {
  const flat = text.replace(/[\s\p{C}]+/gu, ' ').trim();
  return flat.length > EXCERPT ? `${flat.slice(0, EXCERPT - 1)}…` : flat;
}

/** The summary cards of an audit: how many labels look wrong, and how many the joint estimates are. */
export function auditCards(a: AuditInput, n: number): [string, string][] {
  const total = a.result.categories.reduce((s, c) => s + c.estimatedWrong, 0);
  return [
    ['labels that look wrong', `${a.result.issues} <span class="name">(${percent(n ? a.result.issues / n : 0)})</span>`],
    ['estimated wrong labels', `${total.toFixed(1)} <span class="name">(${percent(n ? total / n : 0)})</span>`],
  ];
}

/** The ranked suspects: given label(s), suggested label, their probabilities, the beginning of the report. */
export function suspectsTable(a: AuditInput, texts: readonly string[]): string {
  const { result, listed } = a;
  const n = texts.length;
  const shown = listed.slice(0, SUSPECTS_SHOWN);
  const about =
    `${result.issues} of ${n} labels look wrong: another label reaches its typical confidence and outranks the given one ` +
    `(confident learning on ${result.folds}-fold out-of-fold probabilities); ranked by ${result.ranking}`;
  if (!shown.length) return `<p class="note">${h(about)}. None is listed.</p>`;
  const withOthers = shown.some((e) => e.otherLabels?.length);
  const others = withOthers ? Math.max(...shown.map((e) => e.otherLabels?.length ?? 0)) : 0;
  const withClean = shown.some((e) => !e.issue);
  const columns: Column<AuditEntry>[] = [
    { head: 'rank', numeric: true, cell: (e) => String(e.rank) },
    { head: 'report', className: 'id', cell: (e) => h(e.id) },
    { head: a.givenBy ? `given label (${a.givenBy})` : 'given label', className: 'given', cell: (e) => h(e.label) },
    { head: 'p(given)', numeric: true, cell: (e) => fixed3(e.probability) },
    { head: 'typical p', numeric: true, cell: (e) => fixed3(e.threshold) },
    ...Array.from({ length: others }, (_, k): Column<AuditEntry> => ({
      head: `label by ${a.annotators[k] ?? `annotator ${k + 2}`}`,
      className: 'annotator',
      cell: (e) => {
        const l = e.otherLabels?.[k] ?? '';
        return l === e.suggested && l !== e.label ? `<strong>${h(l)}</strong>` : h(l);
      },
    })),
    { head: 'suggested label', className: 'suggested', cell: (e) => h(e.suggested) },
    { head: 'p(suggested)', numeric: true, cell: (e) => fixed3(e.suggestedProbability) },
    { head: 'margin', numeric: true, cell: (e) => signed(e.margin) },
    ...(withClean ? [{ head: 'looks wrong', cell: (e: AuditEntry) => (e.issue ? 'yes' : 'no') }] : []),
    { head: 'beginning of the report', className: 'text', cell: (e) => h(excerptOf(texts[e.index] ?? '')) },
  ];
  const more =
    listed.length > shown.length ? ` The first ${shown.length} of the ${listed.length} listed are shown; --format csv lists them all.` : '';
  const notes =
    `<p class="note">${h(about)}.${more} p(given): the given label's out-of-fold probability; typical p: that label's mean probability over its reports; ` +
    `margin: p(given) minus the best other label's.${withOthers ? ' A bold annotator label agrees with the suggestion.' : ''}</p>`;
  return (
    notes +
    table(
      `The ${shown.length} report${shown.length === 1 ? '' : 's'} listed, most likely mislabelled first`,
      columns,
      shown,
      'errors suspects',
    )
  );
}

/** Per category: its reports, its typical confidence, the reports flagged, the estimated wrong labels. */
export function estimatesTable(a: AuditInput, n: number): string {
  const cats = a.result.categories;
  const total = cats.reduce((s, c) => s + c.estimatedWrong, 0);
  type Row = { label: string; reports: number; threshold?: number; issues: number; estimatedWrong: number };
  const rows: Row[] = [...cats, { label: 'all', reports: n, issues: a.result.issues, estimatedWrong: total }];
  return (
    table(
      'Estimated wrong labels by category (the calibrated confident joint)',
      [
        { head: 'category', cell: (r) => (r.threshold === undefined ? `<strong>${h(r.label)}</strong>` : h(r.label)) },
        { head: 'reports', numeric: true, cell: (r) => String(r.reports) },
        { head: 'typical p', numeric: true, cell: (r) => (r.threshold === undefined ? '' : fixed3(r.threshold)) },
        { head: 'flagged', numeric: true, cell: (r) => String(r.issues) },
        { head: 'estimated wrong', numeric: true, cell: (r) => r.estimatedWrong.toFixed(1) },
        { head: 'share', numeric: true, cell: (r) => `${(100 * (r.reports ? r.estimatedWrong / r.reports : 0)).toFixed(1)} %` },
      ],
      rows,
      'estimates',
    ) +
    '<p class="note">Typical p: the mean out-of-fold probability of the category over its reports (the bar a report must reach to belong to it). ' +
    'Flagged: its reports listed as likely wrong. Estimated wrong: how many of its reports the calibrated confident joint puts in another category.</p>'
  );
}
