import { HttpError } from './errors.js';
import type { Limits } from './options.js';

/** One report as a request gives it: its text, or its title and body. */
export interface ReportFields {
  /** Echoed back as given: a string, or an integer such as an issue number. */
  id?: string | number;
  text?: string;
  title?: string;
  body?: string | null;
}

/** POST /v1/predict's body, once its schema has passed. */
export interface PredictBody extends ReportFields {
  reports?: ReportFields[];
  top?: number;
  min_confidence?: number;
  review_label?: string;
}

/** A report ready for the model: its text, and the id the caller gave it. */
export interface Report {
  id?: string | number;
  text: string;
}

/** The text of a title and a body: the title line, then the body (the model reads the first line as the title). */
export const joinTitle = (title: string | undefined, body: string | null | undefined): string =>
  title === undefined ? (body ?? '') : body ? `${title}\n${body}` : title;

/** One report's text, checked: exactly one of text or title/body, not empty, not longer than the limit. `at` prefixes field names (`reports[2].`). */
export function reportOf(r: ReportFields, limits: Limits, at = ''): Report {
  const hasText = r.text !== undefined;
  const hasTitle = r.title !== undefined || r.body !== undefined;
  if (hasText && hasTitle)
    throw new HttpError(400, `give ${at}text, or ${at}title and ${at}body, not both`, `${at}${r.title !== undefined ? 'title' : 'body'}`);
  if (!hasText && !hasTitle)
    throw new HttpError(400, `missing field "${at}text": give the report as text, or as title and body`, `${at}text`);
  const text = hasText ? r.text! : joinTitle(r.title, r.body);
  const field = hasText ? `${at}text` : r.title !== undefined ? `${at}title` : `${at}body`;
  if (text.trim() === '') throw new HttpError(400, `${field} is empty`, field);
  if (text.length > limits.reportChars) {
    throw new HttpError(413, `${at || 'the '}report is ${text.length} characters long: the limit is ${limits.reportChars}`, field);
  }
  return { id: r.id, text };
}

/** The reports of a predict body: one (`single`), or a batch of at most `limits.batch`. */
export function reportsOf(b: PredictBody, limits: Limits): { reports: Report[]; single: boolean } {
  if (b.reports === undefined) {
    if (b.text === undefined && b.title === undefined && b.body === undefined) {
      throw new HttpError(400, 'missing field "text": give the report as text, as title and body, or a batch as reports', 'text');
    }
    return { reports: [reportOf(b, limits)], single: true };
  }
  const extra = (['text', 'title', 'body', 'id'] as const).find((k) => b[k] !== undefined);
  if (extra)
    throw new HttpError(
      400,
      `give one report (text, or title and body) or a batch (reports), not both: "${extra}" beside "reports"`,
      extra,
    );
  if (b.reports.length === 0) throw new HttpError(400, 'reports is empty: give at least one report', 'reports');
  if (b.reports.length > limits.batch)
    throw new HttpError(413, `a batch holds at most ${limits.batch} reports: this one has ${b.reports.length}`, 'reports');
  return { reports: b.reports.map((r, i) => reportOf(r, limits, `reports[${i}].`)), single: false };
}
