import { writeFileSync } from 'node:fs';
import { DEFAULTS, type Hyperparameters } from '../args.js';
import { DataError } from '../errors.js';
import type { Columns } from '../dataset.js';
import { stderrLog, silentLog, type Log } from '../log.js';

/** Options shared by the subcommands, as commander hands them over. */
export interface ColumnOptions {
  textColumn: string;
  labelColumn?: string;
  idColumn: string;
  excludeLabel?: string[];
  secondLabelColumn?: string;
}

export const columnsOf = (o: ColumnOptions): Columns => ({ text: o.textColumn, label: o.labelColumn, id: o.idColumn, secondLabel: o.secondLabelColumn });

/** The hyperparameters named on the command line, over the defaults. */
export function hyperparametersOf(o: Record<string, unknown>): Hyperparameters {
  const hp = { ...DEFAULTS } as Record<string, unknown>;
  for (const key of Object.keys(DEFAULTS)) if (o[key] !== undefined) hp[key] = o[key];
  return hp as unknown as Hyperparameters;
}

export const logOf = (o: { quiet?: boolean }): Log => (o.quiet ? silentLog : stderrLog);

/** Writes a result file the user asked for (--json, --predictions), or says why it cannot. */
export function writeResult(path: string, data: string): void {
  try {
    writeFileSync(path, data);
  } catch (err) {
    throw new DataError(`cannot write ${path}: ${(err as Error).message}`);
  }
}
