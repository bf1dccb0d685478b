import type { Hyperparameters } from '../base/hyperparameters.js';
import type { DataShape } from '../base/rules.js';

/** What a model records of how its hyperparameters were chosen and what it learned from beside its labels (saved in its manifest). */
export interface TrainingRecord {
  /** The data's shape the default rules saw (base/rules.ts), and the values they gave the fields the caller did not set. */
  defaults: DataShape & { byRule: Partial<Hyperparameters> };
  /** The autotune search, if one ran. */
  autotune?: AutotuneTrace;
  /** The pretrained term vectors the input weights started from, if any: how they were made, their size, and how long pretraining took here. */
  pretrained?: { method: string; dim: number; docs: number; terms: number; seconds?: number };
}

/** One configuration tried: the fields it changed from the starting configuration, its inner-CV accuracy, and how long it took. */
export interface AutotuneTrial {
  values: Partial<Hyperparameters>;
  /** Mean accuracy over the inner folds. */
  accuracy: number;
  /** Its standard deviation over the folds. */
  std: number;
  seconds: number;
}

/** What the search did: its settings, every trial in order, the winner and why it stopped. */
export interface AutotuneTrace {
  seed: number;
  budgetSeconds: number;
  maxTrials?: number;
  folds: number;
  metric: 'accuracy';
  trials: AutotuneTrial[];
  /** Index (0-based) of the winning trial in `trials`. */
  best: number;
  /** The winning trial's values (the fields it set), what the model was trained with over the starting configuration. */
  chosen: Partial<Hyperparameters>;
  stoppedBy: 'trials' | 'budget';
  seconds: number;
}
