import { isAscii } from 'node:buffer';
import type { Readable } from 'node:stream';
import { DataError } from '../../base/errors.js';
import { lookUpColumns, type ColumnIndex, type Columns } from '../columns.js';
import { CsvParser, CsvSyntaxError, parseCsv } from './csv-parser.js';
import type { ReportRecord } from './record.js';

/**
 * A CSV with a header row: one report a row, the text from the text column, the id from the id
 * column or the row number (1 = first report). Read whole (csvTable) or streamed (streamCsv), with
 * the same parser (csv-parser.ts), column lookup, records and errors.
 */

/** A row's report: `n` is its number after the header (1 = first report), its id without an id column. */
export const csvRecord = (row: readonly string[], n: number, at: ColumnIndex): ReportRecord => ({
  id: at.id >= 0 ? row[at.id] : String(n),
  text: row[at.text],
});

/** A CSV with nothing in it; `header` shows the columns expected first. */
const empty = (source: string, header: string) => new DataError(`${source} is empty: expected a CSV with a header row (${header},...)`);
const noReports = (source: string) => new DataError(`${source} has a header but no reports`);
const invalid = (source: string, err: unknown) =>
  new DataError(`${source} is not valid CSV: ${csvProblem(err)}; fix the file or export it again`);

/** A CSV's content read whole: its columns (see lookUpColumns), its rows after the header, and their reports. */
export function csvTable(
  content: string,
  source: string,
  columns: Columns,
  requireLabel: boolean,
): { at: ColumnIndex; rows: string[][]; records: ReportRecord[] } {
  if (content.trim() === '') throw empty(source, `${columns.text},${columns.label ?? 'label'}`);
  let all: string[][];
  try {
    all = parseCsv(content);
  } catch (err) {
    throw invalid(source, err);
  }
  const [header, ...rows] = all;
  const at = lookUpColumns(header, columns, source, requireLabel);
  if (rows.length === 0) throw noReports(source);
  return { at, rows, records: rows.map((row, n) => csvRecord(row, n + 1, at)) };
}

/** Bytes decoded at a time: small strings, which V8 makes without fresh memory (see csv-parser.ts's PIECE). */
const DECODE = 1 << 14;
/** Bytes decoded at a time of a piece that holds non-ASCII bytes. */
const WIDE_DECODE = 1 << 11;

/** A CSV's reports, streamed (its header names the text and id columns, as csvTable's). */
export async function* streamCsv(
  bytes: Iterable<Buffer> | AsyncIterable<Buffer> | Readable,
  source: string,
  columns: Columns,
): AsyncGenerator<ReportRecord> {
  for await (const batch of csvBatches(bytes, source, columns)) yield* batch;
}

/** streamCsv's reports in the arrays they are parsed in (those a chunk of bytes completes; none empty). */
export async function* csvBatches(
  bytes: Iterable<Buffer> | AsyncIterable<Buffer> | Readable,
  source: string,
  columns: Columns,
): AsyncGenerator<ReportRecord[]> {
  const parser = new CsvParser();
  const decoder = new TextDecoder('utf-8');
  const rows: string[][] = [];
  let at: ColumnIndex | undefined;
  let n = 0;
  const records = (): ReportRecord[] => {
    const out: ReportRecord[] = [];
    for (const row of rows) {
      if (at === undefined) at = lookUpColumns(row, { text: columns.text, id: columns.id }, source, false);
      else out.push(csvRecord(row, ++n, at));
    }
    rows.length = 0;
    return out;
  };
  // A syntax error ends the stream after the records before it, as they would have come.
  let failure: CsvSyntaxError | undefined;
  const feed = (work: () => void) => {
    try {
      work();
    } catch (err) {
      if (!(err instanceof CsvSyntaxError)) throw err;
      failure = err;
    }
  };
  // Whether the byte before was ASCII: then the decoder holds no part of a character (it has
  // decoded any sequence that byte ended, or replaced it with U+FFFD), and ASCII bytes decode to
  // ASCII text, which the parser need not look at (see CsvParser.push).
  let clean = true;
  for await (const chunk of readable(bytes as Iterable<Buffer> | AsyncIterable<Buffer>, source)) {
    feed(() => {
      for (let i = 0; i < chunk.length; i += DECODE) {
        const piece = chunk.subarray(i, i + DECODE);
        // A piece that is not all ASCII goes in smaller ones: only those with a wide character
        // make the parser's text wide (see CsvParser.push), and the records in them.
        const step = isAscii(piece) ? DECODE : WIDE_DECODE;
        for (let k = 0; k < piece.length; k += step) {
          const part = step === DECODE ? piece : piece.subarray(k, k + step);
          parser.push(decoder.decode(part, { stream: true }), rows, clean && (step === DECODE || isAscii(part)));
          clean = part[part.length - 1] < 0x80;
        }
      }
    });
    const batch = records();
    if (batch.length) yield batch;
    if (failure) throw invalid(source, failure);
  }
  feed(() => {
    parser.push(decoder.decode(), rows);
    parser.end(rows);
  });
  const last = records();
  if (last.length) yield last;
  if (failure) throw invalid(source, failure);
  if (at === undefined) throw empty(source, columns.text);
  if (n === 0) throw noReports(source);
}

/** The chunks of a byte stream; one that fails to be read (an I/O error mid-file) fails as a DataError naming the file. */
async function* readable(bytes: Iterable<Buffer> | AsyncIterable<Buffer>, source: string): AsyncGenerator<Buffer> {
  const it = Symbol.asyncIterator in bytes ? bytes[Symbol.asyncIterator]() : bytes[Symbol.iterator]();
  try {
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await it.next();
      } catch (err) {
        if (err instanceof DataError) throw err;
        throw new DataError(`${source}: cannot read it (${(err as Error).message})`, { code: 'UNREADABLE', path: source });
      }
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await it.return?.();
  }
}

/** What the parser found wrong, said with the line a person should look at. */
export function csvProblem(err: unknown): string {
  if (!(err instanceof CsvSyntaxError)) return (err as Error).message;
  switch (err.kind) {
    case 'QUOTE_NOT_CLOSED':
      return `a quoted field in the record that starts on line ${err.line} is never closed`;
    case 'INCONSISTENT_FIELDS':
      return `line ${err.line} has ${err.fields?.got ?? 'a different number of'} fields, unlike the header (an unquoted comma?)`;
    case 'INVALID_CLOSING_QUOTE':
      return `line ${err.line} has a stray quote inside a quoted field (write quotes inside fields as "")`;
    case 'INVALID_OPENING_QUOTE':
      return `line ${err.line} has a quote inside a field that does not start with one (quote the whole field, and write quotes inside it as "")`;
  }
}
