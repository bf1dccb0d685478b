import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { DataError } from '../base/errors.js';
import type { Log } from '../base/log.js';
import { ColumnError, type Columns } from './columns.js';
import { ControlCounter } from './controls.js';
import { decodeBytes } from './decode.js';
import { csvProblem } from './reports.js';
import { parseFailed, readOrFail } from './failing.js';
import { inputFiles, walk, type InputFile } from './records/folder.js';
import { issueOf, parseIssuesJson } from './records/issues.js';
import type { ReportRecord } from './records/record.js';
import { stripScoreHeader } from './records/study.js';
import { formatOf, sniffFormat, type InputFormat } from './sniff.js';

/**
 * Reports read as a stream, one record at a time, in input order, with memory that does not
 * grow with the input: CSV through csv-parse's stream API, JSON Lines line by line, folders
 * file by file. (A JSON array is parsed whole: tracker exports in that form are page-sized.)
 * What readInputs does for a list, for inputs of any size, with the same record parsers (records/).
 */

export type { ReportRecord };

/** Where a stream of records is: bytes read of the bytes to read (when known), for progress. */
export interface StreamProgress {
  bytesRead: number;
  bytesTotal?: number;
}

/**
 * The records of paths (folders, CSV, JSON, JSON Lines or text files; see readInputs), streamed.
 * `progress` is updated as bytes are read.
 */
export async function* streamInputs(
  paths: readonly string[],
  columns: Columns,
  log: Log,
  format?: InputFormat,
  progress?: StreamProgress,
): AsyncGenerator<ReportRecord> {
  const controls = new ControlCounter();
  if (progress) progress.bytesTotal = paths.reduce((n, p) => n + sizeOf(p), 0);
  for (const file of inputFiles(paths, log)) {
    for await (const r of streamFile(file, columns, log, format, progress)) yield controls.see(r);
  }
  controls.report(log);
}

/** The records of a byte stream (stdin): CSV, or JSON Lines if its first character is `{` (or as `format` says). */
export async function* streamBytes(
  input: AsyncIterable<Uint8Array>,
  source: string,
  columns: Columns,
  log: Log,
  format?: InputFormat,
): AsyncGenerator<ReportRecord> {
  const controls = new ControlCounter();
  const it = input[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const head = Buffer.from(first.value as Buffer);
  const kind = sniffFormat(head.toString('utf8'), format);
  const rest = async function* () {
    yield head;
    for (let n = await it.next(); !n.done; n = await it.next()) yield n.value as Buffer;
  };
  for await (const r of streamKind(rest(), kind, source, source, columns, log)) yield controls.see(r);
  controls.report(log);
}

async function* streamFile(
  { path, id, inFolder }: InputFile,
  columns: Columns,
  log: Log,
  format: InputFormat | undefined,
  progress?: StreamProgress,
): AsyncGenerator<ReportRecord> {
  const kind = format ?? formatOf(path);
  if (kind === 'text' || kind === 'json') {
    // One report, or a page-sized export: read whole.
    let read: ReturnType<typeof readOrFail>;
    try {
      read = readOrFail(path, id, log);
    } finally {
      if (progress) progress.bytesRead += sizeOf(path);
    }
    if ('failed' in read) {
      yield read.failed;
      return;
    }
    if (kind === 'text') {
      yield { id, text: stripScoreHeader(read.text).text };
      return;
    }
    try {
      for (const r of parseIssuesJson(read.text, path)) yield r;
    } catch (err) {
      yield parseFailed(err, id, inFolder, log);
    }
    return;
  }
  let stream: Readable;
  try {
    if (!statSync(path).isFile()) throw new DataError(`${path} is not a file`, { code: 'IS_FOLDER', path });
    stream = createReadStream(path);
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(`${path}: no such file; check the path`, { code: 'NOT_FOUND', path });
  }
  if (progress) stream.on('data', (chunk) => (progress.bytesRead += chunk.length));
  try {
    yield* streamKind(stream, kind, path, id, columns, log);
  } catch (err) {
    yield parseFailed(err, id, inFolder, log);
  } finally {
    stream.destroy();
  }
}

/** Records of a byte stream read as CSV or JSON Lines (or JSON or text, gathered whole). */
async function* streamKind(
  bytes: AsyncIterable<Buffer> | Readable,
  kind: InputFormat,
  source: string,
  id: string,
  columns: Columns,
  log: Log,
): AsyncGenerator<ReportRecord> {
  if (kind === 'csv') yield* streamCsv(bytes, source, columns);
  else if (kind === 'jsonl') yield* streamJsonl(bytes, source, log);
  else {
    const chunks: Buffer[] = [];
    for await (const c of bytes) chunks.push(c as Buffer);
    const { text } = decodeBytes(Buffer.concat(chunks), source);
    if (kind === 'json') yield* parseIssuesJson(text, source);
    else yield { id, text: stripScoreHeader(text).text };
  }
}

/** A CSV's reports, streamed (its header names the text and id columns, as readCsv's). */
async function* streamCsv(bytes: AsyncIterable<Buffer> | Readable, source: string, columns: Columns): AsyncGenerator<ReportRecord> {
  const parser = parse({ bom: true, skip_empty_lines: true, relax_column_count: false });
  const feed = (async () => {
    try {
      for await (const chunk of bytes) {
        // Stop feeding once the reader is gone (it broke out early): the parser then never drains.
        if (parser.destroyed) return;
        if (!parser.write(chunk)) await drainedOrClosed(parser);
      }
      if (!parser.destroyed) parser.end();
    } catch (err) {
      parser.destroy(err as Error);
    }
  })();
  let ti = -1;
  let ii = -1;
  let n = 0;
  try {
    for await (const row of parser as AsyncIterable<string[]>) {
      if (ti < 0) {
        const found = row.map((h) => h.trim());
        ti = found.indexOf(columns.text);
        if (ti < 0) throw new ColumnError(`${source} has no "${columns.text}" column (columns found: ${found.join(', ')})`, 'text');
        ii = found.indexOf(columns.id);
        continue;
      }
      n++;
      yield { id: ii >= 0 ? row[ii] : String(n), text: row[ti] };
    }
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(`${source} is not valid CSV: ${csvProblem(err, '')}; fix the file or export it again`);
  } finally {
    // A reader that stops early (break, return, an error) leaves the parser undrained: destroy it,
    // so that the feed above ends too, instead of waiting forever.
    if (!parser.writableEnded || !parser.readableEnded) parser.destroy();
    await feed.catch(() => {});
  }
  if (ti < 0) throw new DataError(`${source} is empty: expected a CSV with a header row (${columns.text},...)`);
  if (n === 0) throw new DataError(`${source} has a header but no reports`);
}

/** Resolves when a writable stream drains or closes (whichever first), leaving no listener behind. */
function drainedOrClosed(stream: NodeJS.EventEmitter): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done).off('close', done);
      resolve();
    };
    stream.once('drain', done).once('close', done);
  });
}

/** A JSON Lines export, line by line; a line that is not JSON fails alone. */
async function* streamJsonl(bytes: AsyncIterable<Buffer> | Readable, source: string, log: Log): AsyncGenerator<ReportRecord> {
  const lines = createInterface({ input: asReadable(bytes), crlfDelay: Infinity });
  let n = 0;
  let bad = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      bad++;
      yield { id: `line ${n}`, text: '', error: `line ${n} is not valid JSON` };
      continue;
    }
    const r = issueOf(value, `line ${n}`);
    if (r.error) bad++;
    yield r;
  }
  if (bad) log(`warning: ${bad} record${bad === 1 ? '' : 's'} of ${source} could not be used`);
}

/** A stream readline can read, from a stream or an async iterable of chunks. */
function asReadable(bytes: AsyncIterable<Buffer> | Readable): Readable {
  return bytes instanceof Readable ? bytes : Readable.from(bytes);
}

function sizeOf(path: string): number {
  try {
    const s = statSync(path);
    if (!s.isDirectory()) return s.size;
    return walk(path).list.reduce((n, f) => n + sizeOf(f), 0);
  } catch {
    return 0;
  }
}
