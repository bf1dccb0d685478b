import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { DataError } from '../base/errors.js';
import type { Log } from '../base/log.js';

/** Reports as read from a file or folder, in input order: parallel lists of ids, texts and, when read with labels, labels. */
export interface Reports {
  /** The id column's values, or row numbers (1 = first report) without one. */
  ids: string[];
  texts: string[];
  /** Present when the input carries labels. */
  labels?: string[];
  /** Each report's cross-validation fold, when a fold column was asked for. */
  folds?: string[];
  /** A second annotator's label of each report, when a second label column was asked for. */
  secondLabels?: string[];
}

export interface Columns {
  text: string;
  label?: string;
  id: string;
  /** A column giving each report's cross-validation fold (required when named). */
  fold?: string;
  /** A column holding a second annotator's labels (required when named). */
  secondLabel?: string;
}

/** A CSV lacks a column that was asked for; `role` says which (text, label, id, fold, secondLabel). */
export class ColumnError extends DataError {
  constructor(
    message: string,
    readonly role: keyof Columns,
  ) {
    super(message, { code: 'NO_COLUMN' });
  }
}

/** Reads a file as UTF-8; invalid byte sequences become U+FFFD, and a leading BOM is dropped. */
export function readText(path: string, what = 'file'): string {
  let bytes: Buffer;
  try {
    if (statSync(path).isDirectory()) throw new DataError(`${path} is a folder, not a ${what}`);
    bytes = readFileSync(path);
  } catch (err) {
    if (err instanceof DataError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataError(`${path}: no such file; check the path`);
    if (code === 'EACCES') throw new DataError(`${path}: permission denied`);
    throw new DataError(`${path}: cannot read it (${(err as Error).message})`);
  }
  return decodeText(bytes, path);
}

export function decodeText(bytes: Uint8Array, source: string): string {
  if (bytes.includes(0)) throw new DataError(`${source} holds NUL bytes: it looks like binary data, not text`);
  return new TextDecoder('utf-8').decode(bytes);
}

/** Labelled reports from a CSV file or a study folder (one folder per category). */
export function readLabelled(path: string, columns: Columns): Reports {
  if (existsSync(path) && statSync(path).isDirectory()) {
    if (columns.fold !== undefined) throw new DataError(`${path} is a study folder: a fold column needs a CSV file`);
    if (columns.secondLabel !== undefined) throw new DataError(`${path} is a study folder: a second label column needs a CSV file`);
    return readStudyFolder(path);
  }
  return readCsv(path, columns, true);
}

/**
 * A CSV with a header row. `text` is required; `label` too when `requireLabel`;
 * without an `id` column, ids are row numbers (1 = first report).
 */
export function readCsv(path: string, columns: Columns, requireLabel: boolean): Reports {
  const content = readText(path, 'CSV file');
  if (content.trim() === '') throw new DataError(`${path} is empty: expected a CSV with a header row (${columns.text},${columns.label ?? 'label'},...)`);
  let rows: string[][];
  try {
    rows = parse(content, { bom: true, skip_empty_lines: true, relax_column_count: false }) as string[][];
  } catch (err) {
    throw new DataError(`${path} is not valid CSV: ${csvProblem(err, content)}; fix the file or export it again`);
  }
  const [header, ...records] = rows;
  const found = header.map((h) => h.trim());
  const column = (name: string, required: boolean, role: keyof Columns) => {
    const i = found.indexOf(name);
    if (i < 0 && required) {
      throw new ColumnError(`${path} has no "${name}" column (columns found: ${found.join(', ')})`, role);
    }
    return i;
  };
  const ti = column(columns.text, true, 'text');
  const li = columns.label !== undefined ? column(columns.label, requireLabel, 'label') : -1;
  const ii = column(columns.id, false, 'id');
  const fi = columns.fold !== undefined ? column(columns.fold, true, 'fold') : -1;
  const si = columns.secondLabel !== undefined ? column(columns.secondLabel, true, 'secondLabel') : -1;
  if (records.length === 0) throw new DataError(`${path} has a header but no reports`);
  return {
    ids: records.map((r, n) => (ii >= 0 ? r[ii] : String(n + 1))),
    texts: records.map((r) => r[ti]),
    labels: li >= 0 ? records.map((r) => r[li].trim()) : undefined,
    folds: fi >= 0 ? records.map((r) => r[fi].trim()) : undefined,
    secondLabels: si >= 0 ? records.map((r) => r[si].trim()) : undefined,
  };
}

/** What csv-parse found wrong, said with the line a person should look at. */
function csvProblem(err: unknown, content: string): string {
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

/**
 * The layout bug studies publish: <dir>/<category>/<id>, one plain-text report per file.
 * Given the study's model folder (holding output/ and reasoning/), output/ is read.
 */
export function readStudyFolder(dir: string): Reports {
  const root = existsSync(join(dir, 'output')) && statSync(join(dir, 'output')).isDirectory() ? join(dir, 'output') : dir;
  const out: Reports = { ids: [], texts: [], labels: [] };
  for (const category of readdirSync(root).sort()) {
    const folder = join(root, category);
    if (category.startsWith('.') || !statSync(folder).isDirectory()) continue;
    for (const id of readdirSync(folder).sort()) {
      const file = join(folder, id);
      if (id.startsWith('.') || !statSync(file).isFile()) continue;
      out.ids.push(id);
      out.texts.push(readText(file));
      out.labels!.push(category);
    }
  }
  if (out.ids.length === 0) {
    throw new DataError(`${dir} holds no reports: expected one folder per category with one text file per report (<category>/<id>)`);
  }
  return out;
}

/**
 * Leaves out reports whose label is empty or listed in `exclude` (the study's
 * "manual-review"), and says on stderr how many, by label.
 */
export function dropExcluded(reports: Reports, exclude: readonly string[], log: Log): Reports {
  const labels = reports.labels!;
  const dropped = new Map<string, number>();
  const keep: number[] = [];
  labels.forEach((l, i) => {
    if (l === '' || exclude.includes(l)) dropped.set(l || '(empty)', (dropped.get(l || '(empty)') ?? 0) + 1);
    else keep.push(i);
  });
  if (dropped.size) {
    const total = [...dropped.values()].reduce((a, b) => a + b, 0);
    log(`left out ${total} report${total === 1 ? '' : 's'} without a usable label: ${[...dropped].map(([l, n]) => `${l} ${n}`).join(', ')}`);
  }
  if (keep.length === 0) throw new DataError('no report has a usable label: every label is empty or excluded', { code: 'NO_USABLE_LABEL' });
  return {
    ids: keep.map((i) => reports.ids[i]),
    texts: keep.map((i) => reports.texts[i]),
    labels: keep.map((i) => labels[i]),
    folds: reports.folds && keep.map((i) => reports.folds![i]),
    secondLabels: reports.secondLabels && keep.map((i) => reports.secondLabels![i]),
  };
}
