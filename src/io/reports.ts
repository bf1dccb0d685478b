import { basename } from 'node:path';
import { DataError, UsageError } from '../base/errors.js';
import type { Log } from '../base/log.js';
import type { Annotator } from '../model/targets.js';
import type { Columns } from './columns.js';
import { warnControls } from './controls.js';
import { decodeBytes, readTextFile } from './decode.js';
import { parseFailed, readOrFail } from './failing.js';
import { csvTable } from './records/csv.js';
import { inputFiles, walk } from './records/folder.js';
import { singleLabel } from './records/labels.js';
import type { IdFrom } from './ids.js';
import { parseIssuesJson, parseIssuesJsonl, unusableWarning } from './records/issues.js';
import type { ReportRecord } from './records/record.js';
import { BOOKKEEPING, isFolder, readStudyLayout } from './records/study.js';
import { textRecord } from './records/text.js';
import { tomlRecord } from './records/toml.js';
import { formatOf, sniffFormat, type InputFormat } from './sniff.js';

/**
 * Reports read whole, from files and folders or from bytes: every input format's records come
 * from its parser in records/, as the streaming reader's (stream.ts) do.
 */

/** Reports as read from a file or folder, in input order: parallel lists of ids, texts and, when read with labels, labels. */
export interface Reports {
  /** The id column's values, or row numbers (1 = first report) without one. */
  ids: string[];
  texts: string[];
  /** Present when the input carries labels. */
  labels?: string[];
  /** Each report's cross-validation fold, when a fold column was asked for. */
  folds?: string[];
  /** Each report's group, when a group column was asked for: cross-validation keeps a group's reports in one fold. */
  groups?: string[];
  /** Each report's time, when a time column was asked for (a CSV's column, or an issue's field such as `created_at`): folds in time order. */
  times?: string[];
  /**
   * Every annotator's labels, when several label columns were read: the first annotator's are
   * `labels` (the label set, and the labels scored against), the others' are combined with them
   * in training.
   */
  annotators?: Annotator[];
  /** A second annotator's label of each report: the older form of `annotators`, still accepted by train (as an annotator named `second`). */
  secondLabels?: string[];
  /**
   * The tracker's labels of each report, a list each ([] where it has none), when the input
   * carries them (the study's TOML issues): kept whole for multi-label use, while `labels`, in a
   * labelled read, holds the one label bugcat takes from them (records/labels.ts).
   */
  issueLabels?: string[][];
  /**
   * Why a report could not be read, where one could not (its text is then empty): present when
   * any failed. One bad report never sinks the rest.
   */
  errors?: (string | undefined)[];
  /** Why a report's id is not its file's name (it was shared with another's), where one is not: present when any was renamed. */
  idWarnings?: (string | undefined)[];
  /** Warnings about the reports as a whole (ids shared and made distinct), as they were said to the log. */
  warnings?: string[];
}

/** The labels that mean "no answer" in the study's layouts and exports, left out of training and scoring unless asked otherwise. */
export const NON_ANSWERS: readonly string[] = ['manual-review', 'none', 'all', 'unknown', 'review'];

/**
 * Labelled reports from a CSV file, a study folder (one folder per category; see
 * records/study.ts), or TOML issues (a .toml file, or a folder of them: each labelled with the
 * one label its tracker labels give, see records/labels.ts, their whole list kept in
 * issueLabels). `log` hears what was skipped.
 */
export function readLabelled(path: string, columns: Columns, log: Log = () => {}): Reports {
  if (isIssuesExport(path)) {
    // An issues export carries label lists (issueLabels): what a multi-label model learns.
    if (columns.fold !== undefined || columns.group !== undefined || columns.secondLabel !== undefined || columns.otherLabels?.length)
      throw new DataError(`${path} is an issues export: a fold, group or second label column needs a CSV file`);
    const r = readInputs([path], columns, log);
    if (r.errors) {
      const bad = r.errors.filter((e) => e !== undefined).length;
      log(`left out ${bad} issue${bad === 1 ? '' : 's'} of ${path} that could not be read`);
      const keep = r.ids.flatMap((_, i) => (r.errors![i] === undefined ? [i] : []));
      return {
        ids: keep.map((i) => r.ids[i]),
        texts: keep.map((i) => r.texts[i]),
        issueLabels: keep.map((i) => r.issueLabels?.[i] ?? []),
        ...(r.times ? { times: keep.map((i) => r.times![i]) } : {}),
      };
    }
    return { ids: r.ids, texts: r.texts, issueLabels: r.issueLabels ?? r.ids.map(() => []), ...(r.times ? { times: r.times } : {}) };
  }
  if (isTomlInput(path)) {
    if (columns.fold !== undefined || columns.secondLabel !== undefined || columns.otherLabels?.length)
      throw new DataError(`${path} holds TOML issues: a fold column or several annotators' label columns need a CSV file`);
    const r = readInputs([path], columns, log);
    const lists = r.issueLabels ?? r.ids.map(() => []);
    return { ids: r.ids, texts: r.texts, labels: lists.map(singleLabel), issueLabels: lists };
  }
  if (isFolder(path)) {
    if (columns.fold !== undefined) throw new DataError(`${path} is a study folder: a fold column needs a CSV file`);
    if (columns.group !== undefined) throw new DataError(`${path} is a study folder: a group column needs a CSV file`);
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

/** A CSV cell of labels joined by `sep`, as a list: each trimmed, empty ones and repeats left out. */
export const splitLabels = (cell: string, sep: string): string[] => [
  ...new Set((sep === '' ? [cell] : cell.split(sep)).map((l) => l.trim()).filter((l) => l !== '')),
];

/** A JSON or JSON Lines export of issues (GitLab's or GitHub's), by its name. */
export const isIssuesExport = (path: string): boolean => !isFolder(path) && (formatOf(path) === 'json' || formatOf(path) === 'jsonl');

/** A .toml file, or a folder whose report files are all .toml (the study's issues_toml scrape). */
export function isTomlInput(path: string): boolean {
  const toml = (f: string) => formatOf(f) === 'toml';
  if (!isFolder(path)) return toml(path);
  const files = walk(path).list.filter((f) => !BOOKKEEPING.test(basename(f)));
  return files.length > 0 && files.every(toml);
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
  const { at, rows, records } = csvTable(content, path, columns, requireLabel);
  const sep = columns.labelSeparator;
  if (sep !== undefined && at.label >= 0) {
    if (at.others.length) throw new DataError(`${path}: a label column read as label lists is one column, not several annotators'`);
    // A report whose cell is empty carries no label: a negative for every label, not a dropped row.
    return {
      ids: records.map((r) => r.id),
      texts: records.map((r) => r.text),
      issueLabels: rows.map((r) => splitLabels(r[at.label], sep)),
      folds: at.fold >= 0 ? rows.map((r) => r[at.fold].trim()) : undefined,
      groups: at.group >= 0 ? rows.map((r) => r[at.group].trim()) : undefined,
      ...(at.time !== undefined ? { times: rows.map((r) => r[at.time!].trim()) } : {}),
    };
  }
  const labels = at.label >= 0 ? rows.map((r) => r[at.label].trim()) : undefined;
  return {
    ids: records.map((r) => r.id),
    texts: records.map((r) => r.text),
    labels,
    folds: at.fold >= 0 ? rows.map((r) => r[at.fold].trim()) : undefined,
    groups: at.group >= 0 ? rows.map((r) => r[at.group].trim()) : undefined,
    ...(at.time !== undefined ? { times: rows.map((r) => r[at.time!].trim()) } : {}),
    annotators:
      labels && at.others.length
        ? [{ name: columns.label!, labels }, ...at.others.map((o) => ({ name: o.name, labels: rows.map((r) => r[o.index].trim()) }))]
        : undefined,
  };
}

/**
 * Reports to predict, from paths as a user gives them: folders (every file under them, at any
 * depth, hidden ones aside), CSV files, JSON and JSON Lines exports of GitHub or GitLab issues,
 * and plain text files (one report each, named by its base name, or with `idFrom` `path` by its
 * path; ids files would share are made distinct: see inputFiles). The format comes from the file
 * name (.csv, .json, .jsonl or .ndjson; anything else is text) unless `format` is given. A path
 * that does not exist is an error; a file that cannot be read is kept as a failed report (see
 * Reports.errors), so the others are still predicted.
 */
export function readInputs(
  paths: readonly string[],
  columns: Columns,
  log: Log = () => {},
  format?: InputFormat,
  idFrom: IdFrom = 'name',
): Reports {
  const out: Required<Pick<Reports, 'ids' | 'texts' | 'errors' | 'issueLabels' | 'idWarnings'>> = {
    ids: [],
    texts: [],
    errors: [],
    issueLabels: [],
    idWarnings: [],
  };
  let labelled = false;
  let timed = false;
  const times: string[] = [];
  const { files, warning } = inputFiles(paths, log, format, idFrom);
  for (const file of files) {
    const r = readFileInput(file.path, file.id, columns, log, format, file.inFolder);
    if (r.issueLabels) labelled = true;
    if (r.times) timed = true;
    r.ids.forEach((id, i) => {
      times.push(r.times?.[i] ?? '');
      out.ids.push(id);
      out.texts.push(r.texts[i]);
      out.errors.push(r.errors?.[i]);
      out.issueLabels.push(r.issueLabels?.[i] ?? []);
      out.idWarnings.push(file.idWarning);
    });
  }
  warnControls(out.ids, out.texts, log);
  const failed = out.errors.filter((e) => e !== undefined).length;
  return {
    ids: out.ids,
    texts: out.texts,
    ...(labelled ? { issueLabels: out.issueLabels } : {}),
    ...(timed ? { times } : {}),
    ...(failed ? { errors: out.errors } : {}),
    ...(warning !== undefined ? { idWarnings: out.idWarnings, warnings: [warning] } : {}),
  };
}

/**
 * The reports of one file (see readInputs): `id` names a single-report file. A file that cannot
 * be read fails alone; so does, within a folder (`inFolder`), a data file that cannot be parsed.
 */
function readFileInput(path: string, id: string, columns: Columns, log: Log, format: InputFormat | undefined, inFolder: boolean): Reports {
  const read = readOrFail(path, id, log);
  if ('failed' in read) return reportsOf([read.failed]);
  try {
    return parseInput(read.text, format ?? formatOf(path), path, id, columns, log);
  } catch (err) {
    return reportsOf([parseFailed(err, id, inFolder, log)]);
  }
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
      const records = format === 'json' ? parseIssuesJson(content, source, columns.time) : parseIssuesJsonl(content, columns.time);
      const failed = records.filter((r) => r.error);
      if (failed.length) log(unusableWarning(source, failed.length, failed));
      return reportsOf(records);
    }
    case 'toml':
      return reportsOf([tomlRecord(content, source, id)]);
    default:
      return reportsOf([textRecord(content, id)]);
  }
}

/** Records as parallel lists; `errors` only when one failed, `issueLabels` only when one carries labels. */
function reportsOf(records: readonly ReportRecord[]): Reports {
  const failed = records.some((r) => r.error);
  const labelled = records.some((r) => r.labels);
  const timed = records.some((r) => r.time !== undefined);
  return {
    ...(timed ? { times: records.map((r) => r.time ?? '') } : {}),
    ids: records.map((r) => r.id),
    texts: records.map((r) => r.text),
    errors: failed ? records.map((r) => r.error) : undefined,
    ...(labelled ? { issueLabels: records.map((r) => r.labels ?? []) } : {}),
  };
}

/** Bytes (stdin, say) as reports: `format` if given, else JSON Lines if they start with `{`, JSON with `[`, CSV otherwise. */
export function parseBytes(bytes: Uint8Array, source: string, columns: Columns, log: Log = () => {}, format?: InputFormat): Reports {
  const { text } = decodeBytes(bytes, source);
  const kind = sniffFormat(text, format);
  if (kind === 'text') throw new UsageError('a stream of reports is read as CSV, JSON or JSON Lines, not as one text');
  const reports = parseInput(text, kind, source, source, columns, log);
  warnControls(reports.ids, reports.texts, log);
  return reports;
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
    groups: reports.groups && keep.map((i) => reports.groups![i]),
    ...(reports.times ? { times: keep.map((i) => reports.times![i]) } : {}),
    annotators: reports.annotators?.map((a, j) => ({
      name: a.name,
      labels: j === 0 ? keep.map((i) => labels[i]) : keep.map((i) => a.labels[i]),
    })),
    secondLabels: reports.secondLabels && keep.map((i) => reports.secondLabels![i]),
    issueLabels: reports.issueLabels && keep.map((i) => reports.issueLabels![i]),
  };
}
