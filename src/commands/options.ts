import { DEFAULTS, type Hyperparameters } from '../args.js';
import type { Columns } from '../dataset.js';
import { stderrLog, silentLog, type Log } from '../log.js';

/** Options shared by the subcommands, as commander hands them over. */
export interface ColumnOptions {
  textColumn: string;
  labelColumn?: string;
  idColumn: string;
  excludeLabel?: string[];
}

export const columnsOf = (o: ColumnOptions): Columns => ({ text: o.textColumn, label: o.labelColumn, id: o.idColumn });

/** The hyperparameters named on the command line, over the defaults. */
export function hyperparametersOf(o: Record<string, unknown>): Hyperparameters {
  const hp = { ...DEFAULTS } as Record<string, unknown>;
  for (const key of Object.keys(DEFAULTS)) if (o[key] !== undefined) hp[key] = o[key];
  return hp as unknown as Hyperparameters;
}

export const logOf = (o: { quiet?: boolean }): Log => (o.quiet ? silentLog : stderrLog);
