import type { Hyperparameters } from '../base/hyperparameters.js';
import { meanLogits, type Network } from '../nn/network.js';
import type { Vectorizer } from '../text/vectorizer.js';
import { calibrated, priorShift, type Calibration } from './calibration.js';
import { seenIn } from './fingerprint.js';
import { decide, type Prediction } from './prediction.js';
import type { TrainingSummary } from './record.js';
import type { IndexSource, SimilarReport } from './similar.js';

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
    /** The training reports' similarity index (similar.ts), in models trained to keep one. */
    readonly index?: IndexSource,
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

  /** The training reports most similar to `text` (see SimilarIndex.query); the caller checks that there is an index. */
  similar(text: string, top: number, minSimilarity: number, exclude?: ReadonlySet<string>): SimilarReport[] {
    return this.index!.index().query(this.vectorizer.transform(text), top, minSimilarity, exclude);
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
