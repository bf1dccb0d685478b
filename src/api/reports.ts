import { silentLog } from '../base/log.js';
import { decodeText, dropExcluded, readCsv, readLabelled, readText, type Reports } from '../io/reports.js';

export interface ReadOptions {
  /** The CSV column holding the report text (default `text`). */
  textColumn?: string;
  /** The CSV column holding the label. Without it a CSV is read unlabelled; a study folder always has labels (its folder names). */
  labelColumn?: string;
  /** The CSV column holding the report id (default `id`; row numbers, 1 = first report, without one). */
  idColumn?: string;
  /** A CSV column giving each report's cross-validation fold (required when named). */
  foldColumn?: string;
  /** A CSV column holding a second annotator's label of each report (required when named). */
  secondLabelColumn?: string;
  /** Labelled reports whose label is one of these, or empty, are left out (default `['manual-review']`). */
  excludeLabels?: readonly string[];
  /** Hears what was left out and why. */
  onWarning?: (message: string) => void;
}

/**
 * Reports from a CSV file with a header row, or from a study folder (one folder per category,
 * one plain-text file per report, named by its id; given the study's model folder, its
 * `output/` is read). Labelled reads leave out reports without a usable label.
 */
export function readReports(path: string, options: ReadOptions = {}): Reports {
  const columns = {
    text: options.textColumn ?? 'text',
    label: options.labelColumn,
    id: options.idColumn ?? 'id',
    fold: options.foldColumn,
    secondLabel: options.secondLabelColumn,
  };
  const reports = columns.label !== undefined ? readLabelled(path, columns) : readCsv(path, columns, false);
  if (!reports.labels) return reports;
  return dropExcluded(reports, options.excludeLabels ?? ['manual-review'], options.onWarning ?? silentLog);
}

/** One report from a text file (UTF-8; a byte-order mark dropped). */
export const readReportFile = (path: string): string => readText(path);

/** One report from bytes (stdin, say): UTF-8, refused if it holds NUL bytes. `source` names it in messages. */
export const decodeReport = (bytes: Uint8Array, source: string): string => decodeText(bytes, source);
