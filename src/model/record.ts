import type { Hyperparameters } from '../base/hyperparameters.js';
import type { DataShape } from '../base/rules.js';
import type { TargetsSummary } from '../base/targets.js';

/** What a model remembers of the data it was trained on and of how it was trained (saved in its manifest as `training`). */
export interface TrainingSummary {
  /** Reports it was trained on. */
  n: number;
  /** Training reports per label. */
  labelCounts: Record<string, number>;
  /** Reports whose out-of-fold predictions fitted the confidence calibration (0: not calibrated). */
  calibrationReports: number;
  /**
   * The vocabulary's coverage of the training reports (Prediction.coverage): its 5th percentile
   * and median. A report covered less than `p05` is unlike 95 % of the training reports.
   * Absent from models saved before bugcat recorded it.
   */
  coverage?: { p05: number; median: number };
  /**
   * How the training targets were made: one annotator's labels (`single`), or several
   * annotators' combined by Dawid-Skene EM (`dawid-skene`, with each annotator's estimated
   * accuracy, overall and by category, and each pair's agreement). Absent from older models.
   */
  targets?: TargetsSummary;
  /** The data's shape (n reports, k categories) the default rules saw, and the values they gave (rules.ts). Absent from older models. */
  defaults?: TrainingRecord['defaults'];
  /** The autotune search, if one chose the hyperparameters: every trial's values, inner-CV accuracy and time, and the winner. */
  autotune?: TrainingRecord['autotune'];
  /** The pretrained term vectors the input weights started from, if any. */
  pretrained?: TrainingRecord['pretrained'];
  /** Self-training, if it ran: how many labelled reports, how many without labels were offered and learnt with the model's guesses each round. */
  selfTraining?: TrainingRecord['selfTraining'];
}

/** What a model records of how its hyperparameters were chosen and what it learned from beside its labels (saved in its manifest). */
export interface TrainingRecord {
  /** The data's shape the default rules saw (base/rules.ts), and the values they gave the fields the caller did not set. */
  defaults: DataShape & { byRule: Partial<Hyperparameters> };
  /** The autotune search, if one ran. */
  autotune?: AutotuneTrace;
  /** The pretrained term vectors the input weights started from, if any: how they were made, their size, and how long pretraining took here. */
  pretrained?: { method: string; dim: number; docs: number; terms: number; seconds?: number };
  /** Self-training (self-training.ts), if it ran. */
  selfTraining?: SelfTrainingRecord;
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

/** How self-training takes the model's own guesses on reports without labels. */
export interface SelfTrainingSettings {
  /** The share (0 to 1) of the reports the model puts in each category that it finally learns as such, the surest first. */
  share: number;
  /** Rounds of guessing and training again; round r takes r/rounds of the share. */
  rounds: number;
}

/** What a model records of its self-training (saved in its manifest as `training.selfTraining`). */
export interface SelfTrainingRecord extends SelfTrainingSettings {
  /** Reports with a person's label. */
  labelled: number;
  /** Reports without labels offered, and those of them left out as copies of labelled ones. */
  pool: number;
  copies: number;
  /** Reports without labels learnt with the model's guess, each round. */
  added: number[];
}
