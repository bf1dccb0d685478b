import { writeFileSync } from 'node:fs';
import {
  DataError,
  DEFAULTS,
  NON_ANSWERS,
  type Backend,
  type Hyperparameters,
  type KernelChoice,
  type ReadOptions,
  type Reports,
  type RuntimeOptions,
  type TrainOptions,
  UsageError,
} from '../index.js';

/** Options shared by the subcommands, as commander hands them over. */
export interface ColumnOptions {
  textColumn: string;
  /** One label column, or several annotators' separated by commas (train, cv, audit). */
  labelColumn?: string;
  idColumn: string;
  /** The labels to leave out; false after --no-exclude-label. */
  excludeLabel?: string[] | false;
  secondLabelColumn?: string;
  /** train, cv, audit: the column of each report's group (kept in one fold). */
  groupColumn?: string;
}

/** The multi-label flags (flags.ts, multiLabelOptions). */
export interface MultiLabelFlags {
  multiLabel?: boolean;
  labelSeparator?: string;
  minLabelCount?: number;
  minPrecision?: number;
}

/** With --multi-label, a CSV's label column is read as label lists joined by --label-separator. */
export const labelSeparatorOf = (o: MultiLabelFlags): Pick<ReadOptions, 'labelSeparator'> =>
  o.multiLabel ? { labelSeparator: o.labelSeparator ?? ';' } : {};

/**
 * train's multi-label options when the training is multi-label (--multi-label, or reports that
 * carry label lists and no single label: an issues export), undefined otherwise; the flags that
 * only multi-label training reads are refused without it.
 */
export function multiLabelOf(o: MultiLabelFlags & ColumnOptions, reports: Reports): Partial<TrainOptions> | undefined {
  const multi = o.multiLabel || (reports.issueLabels !== undefined && reports.labels === undefined);
  if (!multi) {
    if (o.minPrecision !== undefined)
      throw new UsageError('--min-precision is for multi-label training: add --multi-label, or train on a GitLab or GitHub export');
    return undefined;
  }
  if (!reports.issueLabels)
    throw new UsageError(
      `${reports.texts.length ? 'these reports carry' : 'the data carries'} no label lists: --multi-label reads a CSV's label column (joined by --label-separator), or a GitLab or GitHub export`,
    );
  return {
    multiLabel: true,
    // The default list of single-label non-answers is no pattern of a tracker's labels: only the patterns given are.
    excludeLabels: (o.excludeLabel || []).filter((p, i) => !(i < NON_ANSWERS.length && p === NON_ANSWERS[i])),
    minLabelCount: o.minLabelCount,
    ...(o.minPrecision !== undefined ? { minPrecision: o.minPrecision } : {}),
  };
}

/** Progress and notices go to stderr; stdout carries results only. */
export const stderrLog = (message: string): void => {
  process.stderr.write(`bugcat: ${message}\n`);
};

/** The --label-column value as the library takes it: one column, or a list of several annotators' columns (a,b,c). */
export const labelColumnsOf = (value: string | undefined): string | string[] | undefined =>
  value?.includes(',') ? value.split(',').map((s) => s.trim()) : value;

/** readReports's options from the command line's column flags. */
export const readOptionsOf = (o: ColumnOptions, extra: Partial<ReadOptions> = {}): ReadOptions => ({
  textColumn: o.textColumn,
  labelColumn: labelColumnsOf(o.labelColumn),
  idColumn: o.idColumn,
  secondLabelColumn: o.secondLabelColumn,
  groupColumn: o.groupColumn,
  excludeLabels: o.excludeLabel || [],
  onWarning: stderrLog,
  ...extra,
});

/** The hyperparameters named on the command line (the library fills in the defaults and checks them). */
export function hyperparametersOf(o: Record<string, unknown>): Partial<Hyperparameters> {
  const hp: Record<string, unknown> = {};
  for (const key of Object.keys(DEFAULTS)) if (o[key] !== undefined) hp[key] = o[key];
  return hp as Partial<Hyperparameters>;
}

/**
 * The run-time choices, from environment variables (documented overrides of the command line
 * only; the library takes them as options): BUGCAT_BACKEND=cpu|tensorflow|auto,
 * BUGCAT_KERNELS=js|wasm, BUGCAT_THREADS=N (which --jobs overrides).
 */
export function runtimeOf(o: { jobs?: number } = {}, env: NodeJS.ProcessEnv = process.env): RuntimeOptions & { threads?: number } {
  const threads = o.jobs ?? (env.BUGCAT_THREADS ? Number(env.BUGCAT_THREADS) : undefined);
  return {
    ...backendOf(env),
    threads: threads !== undefined && Number.isInteger(threads) && threads >= 1 ? threads : undefined,
  };
}

/** The run-time choices without the threads (BUGCAT_BACKEND, BUGCAT_KERNELS): what load and predictStream take. */
export const backendOf = (env: NodeJS.ProcessEnv = process.env): RuntimeOptions => ({
  backend: (env.BUGCAT_BACKEND || undefined) as Backend | undefined,
  kernels: (env.BUGCAT_KERNELS || undefined) as KernelChoice | undefined,
});

export const logOf = (o: { quiet?: boolean }): ((message: string) => void) | undefined => (o.quiet ? undefined : stderrLog);

/** Writes a result file the user asked for (--json, --predictions), or says why it cannot. */
export function writeResult(path: string, data: string): void {
  try {
    writeFileSync(path, data);
  } catch (err) {
    throw new DataError(`cannot write ${path}: ${(err as Error).message}`);
  }
}
