import { DataError } from '../base/errors.js';

/** The CSV columns to read, by name. */
export interface Columns {
  text: string;
  label?: string;
  /** Columns holding other annotators' labels of the same reports (required when named; labelled CSVs only). */
  otherLabels?: readonly string[];
  id: string;
  /** A column giving each report's cross-validation fold (required when named). */
  fold?: string;
  /** A column giving each report's group, kept in one fold (required when named). */
  group?: string;
  /** A column holding a second annotator's labels (required when named): one more of otherLabels, named by its own role in errors. */
  secondLabel?: string;
  /** A column (a CSV's, or an issue's field in a JSON export: `created_at`) giving each report's time, for folds in time order (required when named). */
  time?: string;
  /** Multi-label: the label column holds each report's labels joined by this (`;`), read into Reports.issueLabels. */
  labelSeparator?: string;
}

/** What a column is for, as a ColumnError names it: the text, a label (any annotator's), the id, the fold, or the second annotator's label. */
export type ColumnRole = 'text' | 'label' | 'id' | 'fold' | 'group' | 'secondLabel' | 'time';

/** A CSV lacks a column that was asked for; `role` says which (text, label, id, fold, secondLabel). */
export class ColumnError extends DataError {
  constructor(
    message: string,
    readonly role: ColumnRole,
  ) {
    super(message, { code: 'NO_COLUMN' });
  }
}

/** Where the columns asked for sit in a CSV's header row (-1: absent, or not asked for). */
export interface ColumnIndex {
  text: number;
  label: number;
  id: number;
  fold: number;
  group: number;
  /** The time column (-1 when not asked for). */
  time?: number;
  /** Other annotators' label columns, when labels are read: the second annotator's last. */
  others: { name: string; index: number }[];
}

/**
 * The columns of a CSV's header row (`source` names the CSV in messages): the text column, and
 * the fold, group and other annotators' label columns when named, are required; the label column too
 * when `requireLabel`; the id column never is. A missing one is a ColumnError naming the columns found.
 */
export function lookUpColumns(header: readonly string[], columns: Columns, source: string, requireLabel: boolean): ColumnIndex {
  const found = header.map((h) => h.trim());
  const column = (name: string, required: boolean, role: ColumnRole) => {
    const i = found.indexOf(name);
    if (i < 0 && required) {
      throw new ColumnError(`${source} has no "${name}" column (columns found: ${found.join(', ')})`, role);
    }
    return i;
  };
  const text = column(columns.text, true, 'text');
  const label = columns.label !== undefined ? column(columns.label, requireLabel, 'label') : -1;
  const id = column(columns.id, false, 'id');
  const fold = columns.fold !== undefined ? column(columns.fold, true, 'fold') : -1;
  const group = columns.group !== undefined ? column(columns.group, true, 'group') : -1;
  const others =
    label >= 0
      ? [
          ...(columns.otherLabels ?? []).map((name) => ({ name, role: 'label' as const })),
          ...(columns.secondLabel !== undefined ? [{ name: columns.secondLabel, role: 'secondLabel' as const }] : []),
        ]
      : [];
  const time = columns.time !== undefined ? column(columns.time, true, 'time') : -1;
  return {
    text,
    label,
    id,
    fold,
    group,
    ...(time >= 0 ? { time } : {}),
    others: others.map((o) => ({ name: o.name, index: column(o.name, true, o.role) })),
  };
}
