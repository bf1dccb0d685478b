import type { Hyperparameters } from '../base/hyperparameters.js';
import type { DataShape } from '../base/rules.js';
import type { AutotuneTrace } from './autotune.js';

/** What a model records of how its hyperparameters were chosen and what it learned from beside its labels (saved in its manifest). */
export interface TrainingRecord {
  /** The data's shape the default rules saw (base/rules.ts), and the values they gave the fields the caller did not set. */
  defaults: DataShape & { byRule: Partial<Hyperparameters> };
  /** The autotune search, if one ran. */
  autotune?: AutotuneTrace;
  /** The pretrained term vectors the input weights started from, if any: how they were made, their size, and how long pretraining took here. */
  pretrained?: { method: string; dim: number; docs: number; terms: number; seconds?: number };
}
