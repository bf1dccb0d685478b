import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import type * as CsvParse from 'csv-parse';
import type * as CsvParseSync from 'csv-parse/sync';
import { DataError } from '../../base/errors.js';
import { lookUpColumns, type ColumnIndex, type Columns } from '../columns.js';
import type { ReportRecord } from './record.js';

/**
 * A CSV with a header row: one report a row, the text from the text column, the id from the id
 * column or the row number (1 = first report). Read whole (csvTable) or streamed (streamCsv), with
 * the same parser options, column lookup, records and errors.
 */

/** csv-parse, required when a CSV is first read: a process that reads none (a report on stdin) does not load it. */
const requireCjs = createRequire(import.meta.url);
let csv: { parse: typeof CsvParseSync.parse; parseStream: typeof CsvParse.parse } | undefined;
const csvParse = () =>
  (csv ??= {
    parse: (requireCjs('csv-parse/sync') as typeof CsvParseSync).parse,
    parseStream: (requireCjs('csv-parse') as typeof CsvParse).parse,
  });

/** csv-parse's options, the same whole and streamed (a fresh object each time: the parser keeps what it is given). */
const options = () => ({ bom: true, skip_empty_lines: true, relax_column_count: false });

/** A row's report: `n` is its number after the header (1 = first report), its id without an id column. */
export const csvRecord = (row: readonly string[], n: number, at: ColumnIndex): ReportRecord => ({
  id: at.id >= 0 ? row[at.id] : String(n),
  text: row[at.text],
});

/** A CSV with nothing in it; `header` shows the columns expected first. */
const empty = (source: string, header: string) => new DataError(`${source} is empty: expected a CSV with a header row (${header},...)`);
const noReports = (source: string) => new DataError(`${source} has a header but no reports`);
const invalid = (source: string, err: unknown, content: string) =>
  new DataError(`${source} is not valid CSV: ${csvProblem(err, content)}; fix the file or export it again`);

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
    all = csvParse().parse(content, options()) as string[][];
  } catch (err) {
    throw invalid(source, err, content);
  }
  const [header, ...rows] = all;
  const at = lookUpColumns(header, columns, source, requireLabel);
  if (rows.length === 0) throw noReports(source);
  return { at, rows, records: rows.map((row, n) => csvRecord(row, n + 1, at)) };
}

/** A CSV's reports, streamed (its header names the text and id columns, as csvTable's). */
export async function* streamCsv(bytes: AsyncIterable<Buffer> | Readable, source: string, columns: Columns): AsyncGenerator<ReportRecord> {
  const parser = csvParse().parseStream(options());
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
  let at: ColumnIndex | undefined;
  let n = 0;
  try {
    for await (const row of parser as AsyncIterable<string[]>) {
      if (at === undefined) {
        at = lookUpColumns(row, { text: columns.text, id: columns.id }, source, false);
        continue;
      }
      n++;
      yield csvRecord(row, n, at);
    }
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw invalid(source, err, '');
  } finally {
    // A reader that stops early (break, return, an error) leaves the parser undrained: destroy it,
    // so that the feed above ends too, instead of waiting forever.
    if (!parser.writableEnded || !parser.readableEnded) parser.destroy();
    await feed.catch(() => {});
  }
  if (at === undefined) throw empty(source, columns.text);
  if (n === 0) throw noReports(source);
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

/** What csv-parse found wrong, said with the line a person should look at. */
export function csvProblem(err: unknown, content: string): string {
  const e = err as Error & { code?: string; lines?: number; bytes_records?: number; record?: string[] };
  switch (e.code) {
    case 'CSV_QUOTE_NOT_CLOSED': {
      const start = Buffer.from(content).subarray(0, e.bytes_records ?? 0);
      const line = 1 + start.reduce((n, b) => n + (b === 0x0a ? 1 : 0), 0);
      return `a quoted field in the record that starts on line ${line} is never closed`;
    }
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return `line ${e.lines} has ${e.record?.length ?? 'a different number of'} fields, unlike the header (an unquoted comma?)`;
    case 'CSV_INVALID_CLOSING_QUOTE':
      return `line ${e.lines} has a stray quote inside a quoted field (write quotes inside fields as "")`;
    default:
      return `${e.message}${e.lines !== undefined ? ` (line ${e.lines})` : ''}`;
  }
}
