import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { DataError } from '../base/errors.js';
import type { Log } from '../base/log.js';
import type { Columns } from './columns.js';
import { ControlCounter, seeingControls } from './controls.js';
import { decodeBytes } from './decode.js';
import { parseFailed, readOrFail } from './failing.js';
import { csvBatches, streamCsv } from './records/csv.js';
import type { IdFrom } from './ids.js';
import { inputFiles, walk, type InputFile } from './records/folder.js';
import { parseIssuesJson, streamIssuesJsonl } from './records/issues.js';
import type { ReportRecord } from './records/record.js';
import { textRecord } from './records/text.js';
import { tomlRecord } from './records/toml.js';
import { formatOf, sniffFormat, type InputFormat } from './sniff.js';

/**
 * Reports read as a stream, one record at a time, in input order, with memory that does not
 * grow with the input: CSV a piece at a time (records/csv-parser.ts), JSON Lines line by line, folders
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
 * The records of paths (folders, CSV, JSON, JSON Lines or text files; see readInputs), streamed;
 * the files are listed and their ids made distinct (see inputFiles) before the first is read.
 * `progress` is updated as bytes are read.
 */
export async function* streamInputs(...args: Parameters<typeof streamInputBatches>): AsyncGenerator<ReportRecord> {
  for await (const batch of streamInputBatches(...args)) yield* batch;
}

/**
 * streamInputs's records in the arrays they are read in (a CSV's, those a chunk of its bytes
 * completes; other files' one at a time; none empty): a consumer that takes records in bulk
 * (prediction's batches) pays for one step of each async generator an array, not a report.
 */
export async function* streamInputBatches(
  paths: readonly string[],
  columns: Columns,
  log: Log,
  format?: InputFormat,
  progress?: StreamProgress,
  idFrom: IdFrom = 'name',
): AsyncGenerator<ReportRecord[]> {
  const controls = new ControlCounter();
  if (progress) progress.bytesTotal = paths.reduce((n, p) => n + sizeOf(p), 0);
  for (const file of inputFiles(paths, log, format, idFrom).files) {
    const note = file.idWarning !== undefined && file.single ? { idWarning: file.idWarning } : undefined;
    for await (const batch of streamFile(file, columns, log, format, progress)) {
      yield batch.map((r) => controls.see(note ? { ...r, ...note } : r));
    }
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
  const it = input[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const head = Buffer.from(first.value as Buffer);
  const kind = sniffFormat(head.toString('utf8'), format);
  const rest = async function* () {
    yield head;
    for (let n = await it.next(); !n.done; n = await it.next()) yield n.value as Buffer;
  };
  yield* seeingControls(streamKind(rest(), kind, source, source, columns, log), log);
}

async function* streamFile(
  { path, id, inFolder }: InputFile,
  columns: Columns,
  log: Log,
  format: InputFormat | undefined,
  progress?: StreamProgress,
): AsyncGenerator<ReportRecord[]> {
  const kind = format ?? formatOf(path);
  if (kind === 'text' || kind === 'toml' || kind === 'json') {
    // One report (a text or a TOML issue), or a page-sized export: read whole.
    let read: ReturnType<typeof readOrFail>;
    try {
      read = readOrFail(path, id, log);
    } finally {
      if (progress) progress.bytesRead += sizeOf(path);
    }
    if ('failed' in read) {
      yield [read.failed];
      return;
    }
    if (kind === 'text') {
      yield [textRecord(read.text, id)];
      return;
    }
    try {
      if (kind === 'toml') yield [tomlRecord(read.text, path, id)];
      else for (const r of parseIssuesJson(read.text, path)) yield [r];
    } catch (err) {
      yield [parseFailed(err, id, inFolder, log)];
    }
    return;
  }
  let stream: Readable | undefined;
  try {
    if (!statSync(path).isFile()) throw new DataError(`${path} is not a file`, { code: 'IS_FOLDER', path });
    // CSV reads each chunk whole before it asks for the next: one buffer serves them all.
    if (kind !== 'csv') stream = createReadStream(path);
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(`${path}: no such file; check the path`, { code: 'NOT_FOUND', path });
  }
  if (progress) stream?.on('data', (chunk) => (progress.bytesRead += chunk.length));
  try {
    if (stream) for await (const r of streamKind(stream, kind, path, id, columns, log)) yield [r];
    else yield* csvBatches(fileChunks(path, progress), path, columns);
  } catch (err) {
    yield [parseFailed(err, id, inFolder, log)];
  } finally {
    stream?.destroy();
  }
}

/** Bytes fileChunks reads at a time. */
const CHUNK = 1 << 16;

/**
 * A file's bytes, a chunk at a time, read into one buffer: each chunk is valid until the next is
 * asked for. A read stream allocates every chunk afresh, and fresh memory is dear where each new
 * page costs about 10 microseconds (the machine the x18 corpus was measured on): streaming its
 * 187 MB took 355 ms so, 48 ms into one buffer. Reads are synchronous, 64 KB at a time.
 */
async function* fileChunks(path: string, progress?: StreamProgress): AsyncGenerator<Buffer> {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      // A turn of the event loop between chunks, as a read stream gives: the answers of
      // prediction threads are messages, handled only then.
      await new Promise(setImmediate);
      const n = readSync(fd, buffer, 0, CHUNK, null);
      if (n === 0) return;
      if (progress) progress.bytesRead += n;
      yield buffer.subarray(0, n);
    }
  } finally {
    closeSync(fd);
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
  else if (kind === 'jsonl') yield* streamIssuesJsonl(bytes, source, log);
  else {
    const chunks: Buffer[] = [];
    for await (const c of bytes) chunks.push(c as Buffer);
    const { text } = decodeBytes(Buffer.concat(chunks), source);
    if (kind === 'json') yield* parseIssuesJson(text, source);
    else if (kind === 'toml') yield tomlRecord(text, source, id);
    else yield textRecord(text, id);
  }
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
