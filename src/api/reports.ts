import { UsageError } from '../base/errors.js';
import { silentLog } from '../base/log.js';
import { checkOptions, type OptionKeys } from '../base/options.js';
import { decodeBytes, readTextFile } from '../io/decode.js';
import type { Columns } from '../io/columns.js';
import { dropExcluded, NON_ANSWERS, parseBytes, readInputs, readLabelled, type Reports } from '../io/reports.js';
import { isStudyLayout } from '../io/records/study.js';
import type { InputFormat } from '../io/sniff.js';
import type { Annotator } from '../model/targets.js';

/** @deprecated The same type as Annotator (one annotator's labels of the reports), under its former name. */
export type Annotation = Annotator;
import type { IdFrom } from '../io/ids.js';

export interface ReadOptions {
  /** The CSV column holding the report text (default `text`). */
  textColumn?: string;
  /**
   * The CSV column holding the label. With it, reports are read labelled: a CSV's label column,
   * or a study folder's category folders. Several columns (a list) are several annotators'
   * labels of the same reports (`Reports.annotators`): the first one's labels are `labels`,
   * define the label set and decide which reports are left out; train combines them all.
   */
  labelColumn?: string | readonly string[];
  /** The CSV column holding the report id (default `id`; row numbers, 1 = first report, without one). */
  idColumn?: string;
  /** A CSV column giving each report's cross-validation fold (required when named). */
  foldColumn?: string;
  /** A CSV column giving each report's group (required when named): cross-validation and audit keep a group in one fold. */
  groupColumn?: string;
  /** A CSV column holding a second annotator's label of each report (required when named): one more label column, after labelColumn's. */
  secondLabelColumn?: string;
  /** Labelled reports whose label is one of these, or empty, are left out (default NON_ANSWERS: `manual-review`, `none`, `all`, `unknown`, `review`). */
  excludeLabels?: readonly string[];
  /**
   * Multi-label: read the label column as each report's labels joined by this separator (`;`),
   * into `issueLabels` (no report is left out: one with no label is a negative for every label).
   * GitLab and GitHub exports (.json, .jsonl) carry their label lists without it.
   */
  labelSeparator?: string;
  /** A column giving each report's time (a CSV column, or an issue's field in a JSON export such as `created_at`): cross-validation's folds then go forward in time (Reports.times). */
  timeColumn?: string;
  /**
   * Unlabelled reads: how a text file (one report) is named: `name`, its base name, as the study
   * names its reports (default), or `path`, its path relative to the folder given (or as given).
   * Ids several files would share are made distinct with their parent folder's name (`box64-100`),
   * said in `warnings` and each renamed report's `idWarnings`, and to onWarning.
   */
  idFrom?: IdFrom;
  /** Unlabelled reads: the format of every file (default: by file name; see readInputs). */
  format?: InputFormat;
  /** Hears what was left out or cleaned, and why. */
  onWarning?: (message: string) => void;
}

/** ReadOptions's keys (base/options.ts). */
const READ_OPTIONS: OptionKeys<ReadOptions> = {
  textColumn: true,
  labelColumn: true,
  idColumn: true,
  foldColumn: true,
  groupColumn: true,
  secondLabelColumn: true,
  excludeLabels: true,
  labelSeparator: true,
  timeColumn: true,
  idFrom: true,
  format: true,
  onWarning: true,
};
/** The options of unlabelled reads: ReadOptions but the labels'. */
export type UnlabelledReadOptions = Omit<ReadOptions, 'labelColumn' | 'excludeLabels' | 'labelSeparator'>;
const { labelColumn: _label, excludeLabels: _exclude, labelSeparator: _separator, ...unlabelled } = READ_OPTIONS;
/** UnlabelledReadOptions's keys. */
export const UNLABELLED_READ_OPTIONS: OptionKeys<UnlabelledReadOptions> = unlabelled;

/** The columns a read names (text, labels, id, fold), with their defaults; the streams read the same. */
export function readColumns(o: ReadOptions): Columns {
  const [label, ...otherLabels] = labelColumns(o);
  return {
    text: o.textColumn ?? 'text',
    label,
    otherLabels,
    id: o.idColumn ?? 'id',
    fold: o.foldColumn,
    group: o.groupColumn,
    secondLabel: o.secondLabelColumn,
    ...(o.labelSeparator !== undefined ? { labelSeparator: o.labelSeparator } : {}),
    ...(o.timeColumn !== undefined ? { time: o.timeColumn } : {}),
  };
}

/** The label columns asked for, checked: at least one when a list is given, each a non-empty name, none twice. */
function labelColumns(o: ReadOptions): string[] {
  if (o.labelColumn === undefined) return [];
  const names =
    typeof o.labelColumn === 'string'
      ? [o.labelColumn]
      : Array.isArray(o.labelColumn)
        ? [...(o.labelColumn as readonly string[])]
        : undefined;
  if (!names) throw new UsageError(`labelColumn is ${JSON.stringify(o.labelColumn)}: expected a column name or a list of them`);
  if (names.length === 0) throw new UsageError('labelColumn lists no column: name at least one');
  const all = o.secondLabelColumn !== undefined ? [...names, o.secondLabelColumn] : names;
  const bad = all.find((n) => typeof n !== 'string' || n.trim() === '');
  if (bad !== undefined) throw new UsageError(`a label column is named ${JSON.stringify(bad)}: expected a column name`);
  const twice = all.find((n, i) => all.indexOf(n) !== i);
  if (twice !== undefined) throw new UsageError(`label column "${twice}" is named twice: each annotator's column once`);
  return names;
}

/**
 * Reports from a path. With `labelColumn` (one column or several annotators'): labelled reports from a CSV file with a header row,
 * from a study folder (one folder per category, one plain-text file per report named by its
 * id; given the study's run folder, its `output/` is read; the classifier's leading
 * `label: score` lines are left out of the text), or from TOML issues (a .toml file or a folder
 * of them, as the study's issues_toml scrape: labelled by the one topical label of their
 * tracker labels, their whole list in `issueLabels`), leaving out reports without a usable label.
 * Without: a study folder is read labelled all the same (its folders are its labels; read it
 * with readAllReports for unlabelled reports named by their file names); any other file or folder
 * as `readInputs` reads it (TOML issues unlabelled, with their `issueLabels`).
 */
export function readReports(path: string, options: ReadOptions = {}): Reports {
  checkOptions('readReports', options, READ_OPTIONS);
  const log = options.onWarning ?? silentLog;
  if (options.labelColumn === undefined && (options.format !== undefined || !isStudyLayout(path)))
    return readInputs([path], readColumns(options), log, options.format, idFrom(options));
  const read = readLabelled(path, readColumns(options), log);
  // Label lists (an issues export, or a CSV read with labelSeparator) keep every report: a report
  // with none of the labels is a negative for each (excludeLabels are then train's label patterns).
  if (!read.labels) return read;
  return dropExcluded(read, options.excludeLabels ?? NON_ANSWERS, log);
}

/**
 * Unlabelled reports from several paths, in order: folders (every file under them), CSV files,
 * JSON and JSON Lines exports of GitHub issues (`title`, `body`, `number`) or GitLab issues
 * (`title`, `description`, `iid`), and text files (one report each, named by its base name, or
 * its path with `idFrom: 'path'`; see ReadOptions.idFrom). A file that cannot be read fails alone (Reports.errors).
 */
export function readAllReports(paths: readonly string[], options: UnlabelledReadOptions = {}): Reports {
  checkOptions('readAllReports', options, UNLABELLED_READ_OPTIONS);
  return readInputs(paths, readColumns(options), options.onWarning ?? silentLog, options.format, idFrom(options));
}

/** The idFrom option, checked. */
export function idFrom(o: { idFrom?: IdFrom }): IdFrom {
  const v = o.idFrom ?? 'name';
  if (v !== 'name' && v !== 'path') throw new UsageError(`idFrom is ${JSON.stringify(v)}: expected "name" or "path"`);
  return v;
}

/** Unlabelled reports from bytes (a stream read whole, stdin say): CSV, JSON or JSON Lines, by `format` or by their first character. */
export function parseReports(bytes: Uint8Array, source: string, options: UnlabelledReadOptions = {}): Reports {
  checkOptions('parseReports', options, UNLABELLED_READ_OPTIONS);
  return parseBytes(bytes, source, readColumns(options), options.onWarning ?? silentLog, options.format);
}

/** One report from a text file (UTF-8; a byte-order mark dropped; refused if it looks like binary data). */
export const readReportFile = (path: string): string => readTextFile(path).text;

/** One report from bytes (stdin, say): UTF-8, refused if it looks like binary data. `source` names it in messages. */
export const decodeReport = (bytes: Uint8Array, source: string): string => decodeBytes(bytes, source).text;
