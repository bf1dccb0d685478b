import type { Hyperparameters } from '../base/hyperparameters.js';
import { meanLogits, type Network } from '../nn/network.js';
import type { Vectorizer } from '../text/vectorizer.js';
import { calibrated, priorShift, type Calibration } from './calibration.js';
import { seenIn } from './fingerprint.js';
import { labelProbabilities, suggest, type MultiLabelRecord } from './multilabel.js';
import { decide, type LabelSetPrediction, type Prediction } from './prediction.js';
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
    /** A multi-label model's calibration per label, thresholds and the labels it does not learn (multilabel.ts); absent from single-label models. */
    readonly multiLabel?: MultiLabelRecord,
  ) {}

  /** Calibrated probabilities, n x labels: prior-corrected (single-label), or per label (multi-label). */
  probabilities(texts: readonly string[]): Float32Array {
    return this.calibrate(meanLogits(this.networks, this.vectorizer.transformWithCoverage(texts).rows));
  }

  /** Multi-label: each text's suggested labels and every label's probability (with `top`: the `top` best, whatever the thresholds). */
  predictLabelSets(texts: readonly string[], top?: number): LabelSetPrediction[] {
    const { rows, coverage } = this.vectorizer.transformWithCoverage(texts);
    const p = this.calibrate(meanLogits(this.networks, rows));
    const k = this.labels.length;
    const thresholds = this.labels.map((l) => this.multiLabel!.points[l]?.threshold ?? null);
    return texts.map((_, i) => {
      const at = i * k;
      const order = Array.from(this.labels, (_, c) => c).sort((a, b) => p[at + b] - p[at + a] || a - b);
      return {
        labels: suggest(p, at, this.labels, thresholds, top).map((c) => this.labels[c]),
        scores: Object.fromEntries(order.map((c) => [this.labels[c], p[at + c]])),
        coverage: coverage[i],
      };
    });
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
    if (this.multiLabel) return labelProbabilities(logits, this.labels, this.multiLabel.calibration);
    return calibrated(
      logits,
      this.labels.length,
      this.calibration,
      priorShift(this.labels, this.training.labelCounts, this.hp.priorCorrection),
    );
  }
}
