import { readdirSync } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';
import { parse } from 'csv-parse/sync';
import { DataError, UsageError } from '../base/errors.js';
import type { Log } from '../base/log.js';
import { decodeBytes, readTextFile } from './decode.js';
import { controlCharacters as countControls } from '../text/normalize.js';
import { parseIssuesJson, parseIssuesJsonl, type IssueRecord } from './records/issues.js';
import { BOOKKEEPING, isFolder, readStudyLayout, stripScoreHeader } from './records/study.js';

/** Reports as read from a file or folder, in input order: parallel lists of ids, texts and, when read with labels, labels. */
export interface Reports {
  /** The id column's values, or row numbers (1 = first report) without one. */
  ids: string[];
  texts: string[];
  /** Present when the input carries labels. */
  labels?: string[];
  /** Each report's cross-validation fold, when a fold column was asked for. */
  folds?: string[];
  /**
   * Every annotator's labels, when several label columns were read: the first annotator's are
   * `labels` (the label set, and the labels scored against), the others' are combined with them
   * in training.
   */
  annotators?: Annotation[];
  /** A second annotator's label of each report: the older form of `annotators`, still accepted by train (as an annotator named `second`). */
  secondLabels?: string[];
  /**
   * Why a report could not be read, where one could not (its text is then empty): present when
   * any failed. One bad report never sinks the rest.
   */
  errors?: (string | undefined)[];
}

/** The labels that mean "no answer" in the study's layouts and exports, left out of training and scoring unless asked otherwise. */
export const NON_ANSWERS: readonly string[] = ['manual-review', 'none', 'all', 'unknown', 'review'];

/** The formats an input can be read as: detected by file name, or given. */
export type InputFormat = 'text' | 'csv' | 'json' | 'jsonl';
/** The input formats a caller may ask for. */
export const INPUT_FORMATS: readonly InputFormat[] = ['text', 'csv', 'json', 'jsonl'];

/** One annotator's labels of the reports, in order (empty where they gave none), under the name of their column. */
export interface Annotation {
  name: string;
  labels: string[];
}

export interface Columns {
  text: string;
  label?: string;
  /** Columns holding other annotators' labels of the same reports (required when named; labelled CSVs only). */
  otherLabels?: readonly string[];
  id: string;
  /** A column giving each report's cross-validation fold (required when named). */
  fold?: string;
  /** A column holding a second annotator's labels (required when named): one more of otherLabels, named by its own role in errors. */
  secondLabel?: string;
}

/** What a column is for, as a ColumnError names it: the text, a label (any annotator's), the id, the fold, or the second annotator's label. */
export type ColumnRole = 'text' | 'label' | 'id' | 'fold' | 'secondLabel';

/** A CSV lacks a column that was asked for; `role` says which (text, label, id, fold, secondLabel). */
export class ColumnError extends DataError {
  constructor(
    message: string,
    readonly role: ColumnRole,
  ) {
    super(message, { code: 'NO_COLUMN' });
  }
}

/** Labelled reports from a CSV file or a study folder (one folder per category; see study.ts). `log` hears what was skipped. */
export function readLabelled(path: string, columns: Columns, log: Log = () => {}): Reports {
  if (isFolder(path)) {
    if (columns.fold !== undefined) throw new DataError(`${path} is a study folder: a fold column needs a CSV file`);
    if (columns.secondLabel !== undefined || columns.otherLabels?.length)
      throw new DataError(`${path} is a study folder: several annotators' label columns need a CSV file`);
    const study = readStudyLayout(path, log);
    const reports = { ids: study.map((r) => r.id), texts: study.map((r) => r.text), labels: study.map((r) => r.label) };
    warnControls(reports.ids, reports.texts, log);
    return reports;
  }
  const reports = readCsv(path, columns, true);
  warnControls(reports.ids, reports.texts, log);
  return reports;
}

/**
 * A CSV with a header row. `text` is required; `label` too when `requireLabel`;
 * without an `id` column, ids are row numbers (1 = first report).
 */
export function readCsv(path: string, columns: Columns, requireLabel: boolean): Reports {
  return parseCsv(readTextFile(path, 'CSV file').text, path, columns, requireLabel);
}

/** A CSV's content (see readCsv); `path` names it in messages. */
export function parseCsv(content: string, path: string, columns: Columns, requireLabel: boolean): Reports {
  if (content.trim() === '')
    throw new DataError(`${path} is empty: expected a CSV with a header row (${columns.text},${columns.label ?? 'label'},...)`);
  let rows: string[][];
  try {
    rows = parse(content, { bom: true, skip_empty_lines: true, relax_column_count: false }) as string[][];
  } catch (err) {
    throw new DataError(`${path} is not valid CSV: ${csvProblem(err, content)}; fix the file or export it again`);
  }
  const [header, ...records] = rows;
  const found = header.map((h) => h.trim());
  const column = (name: string, required: boolean, role: ColumnRole) => {
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
  // Other annotators' columns, when labels are read: each required, the second annotator's last.
  const others =
    li >= 0
      ? [
          ...(columns.otherLabels ?? []).map((name) => ({ name, role: 'label' as const })),
          ...(columns.secondLabel !== undefined ? [{ name: columns.secondLabel, role: 'secondLabel' as const }] : []),
        ]
      : [];
  const oi = others.map((o) => column(o.name, true, o.role));
  if (records.length === 0) throw new DataError(`${path} has a header but no reports`);
  const ids = records.map((r, n) => (ii >= 0 ? r[ii] : String(n + 1)));
  const texts = records.map((r) => r[ti]);
  const labels = li >= 0 ? records.map((r) => r[li].trim()) : undefined;
  return {
    ids,
    texts,
    labels,
    folds: fi >= 0 ? records.map((r) => r[fi].trim()) : undefined,
    annotators:
      labels && others.length
        ? [{ name: columns.label!, labels }, ...others.map((o, k) => ({ name: o.name, labels: records.map((r) => r[oi[k]].trim()) }))]
        : undefined,
  };
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

/**
 * Reports to predict, from paths as a user gives them: folders (every file under them, at any
 * depth, hidden ones aside; ids are the paths relative to the folder), CSV files, JSON and JSON
 * Lines exports of GitHub or GitLab issues, and plain text files (one report each, the path its
 * id). The format comes from the file name (.csv, .json, .jsonl or .ndjson; anything else is
 * text) unless `format` is given. A path that does not exist is an error; a file that cannot be
 * read is kept as a failed report (see Reports.errors), so the others are still predicted.
 */
export function readInputs(paths: readonly string[], columns: Columns, log: Log = () => {}, format?: InputFormat): Reports {
  const out: Required<Pick<Reports, 'ids' | 'texts' | 'errors'>> = { ids: [], texts: [], errors: [] };
  const add = (r: Reports) => {
    r.ids.forEach((id, i) => {
      out.ids.push(id);
      out.texts.push(r.texts[i]);
      out.errors.push(r.errors?.[i]);
    });
  };
  for (const path of paths) {
    if (isFolder(path)) {
      for (const file of reportFilesIn(path, log)) add(readFileInput(file, relative(path, file), columns, log, format, true));
    } else add(readFileInput(path, path, columns, log, format));
  }
  warnControls(out.ids, out.texts, log);
  const failed = out.errors.filter((e) => e !== undefined).length;
  return failed ? out : { ids: out.ids, texts: out.texts };
}

/**
 * The report files under a folder, at any depth, sorted: hidden files and folders and the
 * study's bookkeeping (categories.csv, analysis.csv) left out, each said to `log`.
 */
export function reportFilesIn(path: string, log: Log): string[] {
  const files = walk(path);
  if (files.hidden)
    log(`skipped ${files.hidden} hidden file${files.hidden === 1 ? '' : 's'} or folder${files.hidden === 1 ? '' : 's'} under ${path}`);
  const [bookkeeping, reports] = partition(files.list, (f) => BOOKKEEPING.test(basename(f)));
  if (bookkeeping.length) log(`skipped ${bookkeeping.map((f) => relative(path, f)).join(', ')}: the study's counts, not reports`);
  if (reports.length === 0) log(`warning: ${path} holds no files`);
  return reports;
}

/**
 * The reports of one file (see readInputs): `id` names a single-report file. A file that cannot
 * be read fails alone; so does, within a folder (`inFolder`), a data file that cannot be parsed.
 */
function readFileInput(path: string, id: string, columns: Columns, log: Log, format?: InputFormat, inFolder = false): Reports {
  const kind = format ?? formatOf(path);
  const failed = (err: DataError): Reports => {
    log(`warning: ${id}: ${err.message}; skipped`);
    return { ids: [id], texts: [''], errors: [err.message] };
  };
  let text: string;
  try {
    text = readTextFile(path).text;
  } catch (err) {
    if (!(err instanceof DataError) || err.code === 'NOT_FOUND' || err.code === 'IS_FOLDER') throw err;
    return failed(err);
  }
  try {
    return parseInput(text, kind, path, id, columns, log);
  } catch (err) {
    if (inFolder && err instanceof DataError) return failed(err);
    throw err;
  }
}

function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of items) (test(item) ? yes : no).push(item);
  return [yes, no];
}

/** Reports in `content` read as `format` (`source` names it in messages; `id` is a single text report's). */
export function parseInput(
  content: string,
  format: InputFormat,
  source: string,
  id: string,
  columns: Columns,
  log: Log = () => {},
): Reports {
  switch (format) {
    case 'csv':
      return parseCsv(content, source, columns, false);
    case 'json':
    case 'jsonl': {
      const records = format === 'json' ? parseIssuesJson(content, source) : parseIssuesJsonl(content);
      return fromRecords(records, source, log);
    }
    default: {
      return { ids: [id], texts: [stripScoreHeader(content).text] };
    }
  }
}

function fromRecords(records: readonly IssueRecord[], source: string, log: Log): Reports {
  const failed = records.filter((r) => r.error);
  if (failed.length)
    log(
      `warning: ${failed.length} record${failed.length === 1 ? '' : 's'} of ${source} could not be used (${failed
        .slice(0, 3)
        .map((r) => `${r.id}: ${r.error}`)
        .join('; ')}${failed.length > 3 ? '; ...' : ''})`,
    );
  const ids = records.map((r) => r.id);
  const texts = records.map((r) => r.text);
  return { ids, texts, errors: failed.length ? records.map((r) => r.error) : undefined };
}

/** The format a file name says: .csv, .json, .jsonl / .ndjson, or text. */
export function formatOf(path: string): InputFormat {
  const ext = extname(path).toLowerCase();
  return ext === '.csv' ? 'csv' : ext === '.json' ? 'json' : ext === '.jsonl' || ext === '.ndjson' ? 'jsonl' : 'text';
}

/** Bytes (stdin, say) as reports: `format` if given, else JSON Lines if they start with `{`, JSON with `[`, CSV otherwise. */
export function parseBytes(bytes: Uint8Array, source: string, columns: Columns, log: Log = () => {}, format?: InputFormat): Reports {
  const { text } = decodeBytes(bytes, source);
  const start = text.trimStart()[0];
  const kind = format ?? (start === '{' ? 'jsonl' : start === '[' ? 'json' : 'csv');
  if (kind === 'text') throw new UsageError('a stream of reports is read as CSV, JSON or JSON Lines, not as one text');
  const reports = parseInput(text, kind, source, source, columns, log);
  warnControls(reports.ids, reports.texts, log);
  return reports;
}

/** Every file under a folder, sorted, at any depth; hidden files and folders (a leading dot) left out and counted. */
export function walk(dir: string): { list: string[]; hidden: number } {
  const list: string[] = [];
  let hidden = 0;
  const visit = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (name.startsWith('.')) {
        hidden++;
        continue;
      }
      const path = join(d, name);
      if (isFolder(path)) visit(path);
      else list.push(path);
    }
  };
  visit(dir);
  return { list, hidden };
}

/** One warning naming the reports that held control characters (removed before features). */
function warnControls(ids: readonly string[], texts: readonly string[], log: Log): void {
  const hits: string[] = [];
  texts.forEach((t, i) => {
    const n = countControls(t);
    if (n) hits.push(`${ids[i]} (${n})`);
  });
  if (hits.length) {
    log(
      `warning: removed control characters (NUL bytes, escape codes) from ${hits.length} report${hits.length === 1 ? '' : 's'}: ${hits.slice(0, 8).join(', ')}${hits.length > 8 ? `, ... ${hits.length - 8} more` : ''}`,
    );
  }
}

/**
 * Leaves out reports whose label is empty or listed in `exclude` (the study's
 * "manual-review"), and says on stderr how many, by label. With several annotators, the first
 * one's label decides (it is the label scored against); the others' labels are kept as they are.
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
    log(
      `left out ${total} report${total === 1 ? '' : 's'} without a usable label: ${[...dropped].map(([l, n]) => `${l} ${n}`).join(', ')}`,
    );
  }
  if (keep.length === 0) throw new DataError('no report has a usable label: every label is empty or excluded', { code: 'NO_USABLE_LABEL' });
  return {
    ids: keep.map((i) => reports.ids[i]),
    texts: keep.map((i) => reports.texts[i]),
    labels: keep.map((i) => labels[i]),
    folds: reports.folds && keep.map((i) => reports.folds![i]),
    annotators: reports.annotators?.map((a, j) => ({
      name: a.name,
      labels: j === 0 ? keep.map((i) => labels[i]) : keep.map((i) => a.labels[i]),
    })),
    secondLabels: reports.secondLabels && keep.map((i) => reports.secondLabels![i]),
  };
}
