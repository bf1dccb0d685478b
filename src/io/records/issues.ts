import { DataError } from '../../base/errors.js';

/**
 * Issue exports of trackers, as JSON (an array, or an object whose `items` is one, as GitHub's
 * search API answers) or JSON Lines (one issue a line): GitHub's issues (`title`, `body`, id
 * from `number`), GitLab's (`title`, `description`, id from `iid`), or plain records (`text`,
 * `id`). A report is its title line, then its body. One record that cannot be used fails alone.
 */
export interface IssueRecord {
  id: string;
  text: string;
  /** Why this record could not be used (its text is then empty). */
  error?: string;
}

/** One issue object as a report: GitHub's, GitLab's or a plain {id, text}. `fallbackId` when it has no id. */
export function issueOf(value: unknown, fallbackId: string): IssueRecord {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return { id: fallbackId, text: '', error: 'not an issue object' };
  const o = value as Record<string, unknown>;
  const id = [o.iid, o.number, o.id].find((v) => typeof v === 'string' || typeof v === 'number');
  const name = id === undefined ? fallbackId : String(id);
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  if (typeof o.text === 'string') return { id: name, text: o.text };
  const title = str(o.title);
  const body = str(o.body) || str(o.description);
  if (title === '' && body === '') return { id: name, text: '', error: 'no title, body, description or text field' };
  return { id: name, text: body ? `${title}\n${body}` : title };
}

/** The issues of a JSON export (array, `items` array, or one issue). */
export function parseIssuesJson(content: string, source: string): IssueRecord[] {
  let data: unknown;
  try {
    data = JSON.parse(content);
  } catch (err) {
    throw new DataError(`${source} is not valid JSON (${(err as Error).message}); export it again, or give JSON Lines with a .jsonl name`, {
      code: 'BAD_JSON',
      path: source,
    });
  }
  const list = Array.isArray(data)
    ? data
    : data && typeof data === 'object' && Array.isArray((data as { items?: unknown }).items)
      ? (data as { items: unknown[] }).items
      : [data];
  return list.map((v, i) => issueOf(v, String(i + 1)));
}

/** The issues of a JSON Lines export: one per non-empty line; a line that is not JSON fails alone. */
export function parseIssuesJsonl(content: string): IssueRecord[] {
  const out: IssueRecord[] = [];
  content.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      out.push({ id: `line ${i + 1}`, text: '', error: `line ${i + 1} is not valid JSON` });
      return;
    }
    out.push(issueOf(value, `line ${i + 1}`));
  });
  return out;
}
