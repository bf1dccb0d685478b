import type { Hyperparameters } from './hyperparameters.js';
import type { OptionKeys } from './options.js';

/**
 * Autotune's public settings (model/autotune.ts runs the search): where it looks, the options a
 * caller gives it, and its default time budget. Plain data, so that the public declarations
 * stay free of the training machinery's types.
 */

/** Autotune's settings as train takes them: all optional. */
export interface AutotuneOptions {
  /** Seconds the search may take (default AUTOTUNE_BUDGET); the final model's training comes on top. */
  budgetSeconds?: number;
  /** At most this many trials: with it, the search is the same on any machine unless the budget stops it first. */
  trials?: number;
  /** Seed of the search (default: the hyperparameters' seed). */
  seed?: number;
  /** Inner cross-validation folds (default 3; 5 under 1,000 reports). */
  folds?: number;
}

/** AutotuneOptions's keys (options.ts). */
export const AUTOTUNE_OPTIONS: OptionKeys<AutotuneOptions> = { budgetSeconds: true, trials: true, seed: true, folds: true };

/** The default time budget of autotune, in seconds. */
export const AUTOTUNE_BUDGET = 180;

/** A field the search may change: its candidate values (numbers drawn log-uniformly between two bounds where `logRange`). */
export type Space = {
  [K in keyof Hyperparameters]?: { values?: readonly Hyperparameters[K][]; logRange?: [number, number]; round?: number };
};

/**
 * Where the search looks. The fields and values are those that moved accuracy most, one way
 * or the other, across the tasks and sizes of scripts/tune-tasks.mjs: the number of passes
 * (relative to the rule's, see rules.ts), the rates of both layers, regularisation (dropout,
 * label smoothing), the class weights, the NB weighting of terms and the features kept
 * (minimum document frequency, word bigrams, how much of each report's beginning gives
 * character n-grams), and the input weight decay. Width and seed stay as given (pretrained
 * vectors fix the width).
 */
export const SEARCH_SPACE: Space = {
  epochs: { values: [] }, // filled from the starting value: x0.5, x1.5, x2
  learningRate: { logRange: [0.0007, 0.008], round: 4 },
  inputLearningRate: { logRange: [5, 40], round: 1 },
  dropout: { values: [0.2, 0.35, 0.5, 0.65] },
  labelSmoothing: { values: [0, 0.05, 0.1, 0.2] },
  classWeightPower: { values: [0, 0.25, 0.5, 0.75, 1] },
  nbWeight: { values: [0, 0.25, 0.5, 1] },
  minDf: { values: [1, 2, 3] },
  wordNgrams: { values: [1, 2] },
  charChars: { values: [0, 500, 1000, 2000, 3000] },
  titleWeight: { values: [0.25, 0.4, 0.7, 1] },
  // Input weight decay moved accuracy both ways across tasks (rules.ts): with two categories
  // 4 gained up to +0.9 points, with 17 it lost 0.3-0.5 and 8 lost up to 1.8, with four it was
  // split (-0.3 at 300 reports, +0.7 at 1,000). The rule decides only between 2 and more
  // categories; the search may find it on the tasks between. Not `members`: every trial is
  // scored with one network a fold, so the search could not tell member counts apart.
  inputDecay: { values: [0, 2, 4, 8] },
};
