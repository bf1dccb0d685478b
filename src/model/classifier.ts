import type { Hyperparameters } from '../base/hyperparameters.js';
import { meanLogits, type Network } from '../nn/network.js';
import type { Vectorizer } from '../text/vectorizer.js';
import { calibrated, priorShift, type Calibration } from './calibration.js';
import { seenIn } from './fingerprint.js';
import { decide, type Prediction } from './prediction.js';
import type { TargetsSummary } from '../base/targets.js';
import type { TrainingRecord } from './record.js';

/** What a model remembers of the data it was trained on. */
export interface TrainingSummary {
  /** Reports trained on. */
  n: number;
  labelCounts: Record<string, number>;
  /** Reports whose out-of-fold predictions fitted the calibration (0 if calibration was skipped). */
  calibrationReports: number;
  /**
   * The vocabulary's coverage of the training reports (Prediction.coverage): its 5th percentile
   * and median. A report covered less than `p05` is unlike 95 % of the training reports.
   * Absent from models saved before bugcat recorded it.
   */
  coverage?: { p05: number; median: number };
  /** How the training targets were made: one annotator's labels, or several combined (targets.ts). Absent from models saved before bugcat recorded it. */
  targets?: TargetsSummary;
  /** How the hyperparameters were chosen (the default rules' inputs and values, autotune's trace) and the pretrained vectors used: recorded by the public API's train. Absent from older models. */
  defaults?: TrainingRecord['defaults'];
  autotune?: TrainingRecord['autotune'];
  pretrained?: TrainingRecord['pretrained'];
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
    /** The training reports' fingerprints (fingerprint.ts), sorted; absent from models saved before bugcat kept them. */
    readonly fingerprints?: BigUint64Array,
  ) {}

  /** Calibrated, prior-corrected probabilities, n x labels. */
  probabilities(texts: readonly string[]): Float32Array {
    return this.calibrate(meanLogits(this.networks, this.vectorizer.transformWithCoverage(texts).rows));
  }

  /** Each text's label, confidence, top-k labels and vocabulary coverage. */
  predict(texts: readonly string[], top = 1): Prediction[] {
    const { rows, coverage } = this.vectorizer.transformWithCoverage(texts);
    return decide(this.calibrate(meanLogits(this.networks, rows)), this.labels, top, coverage);
  }

  /** Which of the texts the model was trained on (by fingerprint; all false for a model saved without fingerprints). */
  trainedOn(texts: readonly string[]): boolean[] {
    return this.fingerprints ? seenIn(this.fingerprints, texts) : texts.map(() => false);
  }

  private calibrate(logits: Float32Array): Float32Array {
    return calibrated(
      logits,
      this.labels.length,
      this.calibration,
      priorShift(this.labels, this.training.labelCounts, this.hp.priorCorrection),
    );
  }
}
