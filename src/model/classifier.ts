import type { Hyperparameters } from '../base/hyperparameters.js';
import type { Runtime } from '../nn/backend.js';
import { meanLogits, type Network } from '../nn/network.js';
import type { Vectorizer } from '../text/vectorizer.js';
import { calibrated, priorShift, type Calibration } from './calibration.js';
import { decide, type Prediction } from './prediction.js';

/** What a model remembers of the data it was trained on. */
export interface TrainingSummary {
  /** Reports trained on. */
  n: number;
  labelCounts: Record<string, number>;
  /** Reports whose out-of-fold predictions fitted the calibration (0 if calibration was skipped). */
  calibrationReports: number;
}

/**
 * The classifier: vectorizer + network + calibration + label set, the one object that
 * training, prediction, evaluation and cross-validation share (as fastText's FastText class,
 * or bugbug's model class). Fitted by train.ts; stored by io/.
 */
export class Classifier {
  constructor(
    readonly hp: Hyperparameters,
    readonly labels: readonly string[],
    readonly calibration: Calibration,
    readonly vectorizer: Vectorizer,
    /** One network, or the members of an ensemble (hp.members). */
    readonly networks: readonly Network[],
    readonly training: TrainingSummary,
  ) {}

  /** Calibrated, prior-corrected probabilities, n x labels. */
  probabilities(rt: Runtime, texts: readonly string[]): Float32Array {
    const logits = meanLogits(rt, this.networks, this.vectorizer.transformAll(texts));
    return calibrated(logits, this.labels.length, this.calibration, priorShift(this.labels, this.training.labelCounts, this.hp.priorCorrection));
  }

  predict(rt: Runtime, texts: readonly string[], top = 1): Prediction[] {
    return decide(this.probabilities(rt, texts), this.labels, top);
  }
}

/** How many of the class ids `y` fall in each class, by name. */
export function labelCounts(names: readonly string[], y: Int32Array): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  for (const c of y) counts[names[c]]++;
  return counts;
}
