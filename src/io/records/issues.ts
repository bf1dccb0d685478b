import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { DataError } from '../../base/errors.js';
import type { Log } from '../../base/log.js';
import { issueLabels } from './labels.js';
import type { ReportRecord } from './record.js';

/**
 * Issue exports of trackers, as JSON (an array, or an object whose `items` is one, as GitHub's
 * search API answers) or JSON Lines (one issue a line): GitHub's issues (`title`, `body`, id
 * from `number`), GitLab's (`title`, `description`, id from `iid`), or plain records (`text`,
 * `id`). A report is its title line, then its body. One record that cannot be used fails alone.
 */
/** One issue object as a report: GitHub's, GitLab's or a plain {id, text}. `fallbackId` when it has no id. */
export function issueOf(value: unknown, fallbackId: string, timeField?: string): ReportRecord {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return { id: fallbackId, text: '', error: 'not an issue object' };
  const o = value as Record<string, unknown>;
  const id = [o.iid, o.number, o.id].find((v) => typeof v === 'string' || typeof v === 'number');
  const name = id === undefined ? fallbackId : String(id);
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  // GitLab's labels (strings) and GitHub's (objects with a name), kept for multi-label training.
  const listed = issueLabels(o.labels);
  const t = timeField !== undefined ? o[timeField] : undefined;
  const labels = {
    ...(listed ? { labels: listed } : {}),
    ...(timeField !== undefined ? { time: typeof t === 'string' || typeof t === 'number' ? String(t) : '' } : {}),
  };
  if (typeof o.text === 'string') return { id: name, text: o.text, ...labels };
  const title = str(o.title);
  const body = str(o.body) || str(o.description);
  if (title === '' && body === '') return { id: name, text: '', error: 'no title, body, description or text field' };
  return { id: name, text: body ? `${title}\n${body}` : title, ...labels };
}

/** The issues of a JSON export (array, `items` array, or one issue). */
export function parseIssuesJson(content: string, source: string, timeField?: string): ReportRecord[] {
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
  return list.map((v, i) => issueOf(v, String(i + 1), timeField));
}

/** The issues of a JSON Lines export: one per non-empty line; a line that is not JSON fails alone. */
export function parseIssuesJsonl(content: string, timeField?: string): ReportRecord[] {
  const out: ReportRecord[] = [];
  content.split('\n').forEach((line, i) => {
    const r = issueOfLine(line, i + 1, timeField);
    if (r) out.push(r);
  });
  return out;
}

/** Line `n` (1 = first) of a JSON Lines export as a report; nothing for a blank line. A line that is not JSON fails alone. */
export function issueOfLine(line: string, n: number, timeField?: string): ReportRecord | undefined {
  if (line.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { id: `line ${n}`, text: '', error: `line ${n} is not valid JSON` };
  }
  return issueOf(value, `line ${n}`, timeField);
}

/** A JSON Lines export, streamed line by line (see parseIssuesJsonl); one warning at the end counts the records that could not be used. */
export async function* streamIssuesJsonl(bytes: AsyncIterable<Buffer> | Readable, source: string, log: Log): AsyncGenerator<ReportRecord> {
  const lines = createInterface({ input: bytes instanceof Readable ? bytes : Readable.from(bytes), crlfDelay: Infinity });
  let n = 0;
  let bad = 0;
  for await (const line of lines) {
    n++;
    const r = issueOfLine(line, n);
    if (r === undefined) continue;
    if (r.error) bad++;
    yield r;
  }
  if (bad) log(unusableWarning(source, bad));
}

/** The warning for `count` records of `source` that could not be used, naming the first three of `failed` when given. */
export function unusableWarning(source: string, count: number, failed: readonly ReportRecord[] = []): string {
  const which = failed.length
    ? ` (${failed
        .slice(0, 3)
        .map((r) => `${r.id}: ${r.error}`)
        .join('; ')}${count > 3 ? '; ...' : ''})`
    : '';
  return `warning: ${count} record${count === 1 ? '' : 's'} of ${source} could not be used${which}`;
}
