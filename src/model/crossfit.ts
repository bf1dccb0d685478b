import type { Hyperparameters } from '../base/hyperparameters.js';
import { Rng } from '../base/rng.js';
import type { Targets } from '../base/targets.js';
import type { Runtime } from '../nn/backend.js';
import type { Counted } from '../text/counter.js';
import { fitCalibration, priorShift, type Calibration } from './calibration.js';
import { foldRows, targetFolds } from './folds.js';
import { fitLabelCalibration, labelProbabilities, type LabelCalibration } from './multilabel.js';
import { countedLogits, fitParts } from './parts.js';

/**
 * Fewest reports to calibrate on. Below it, networks trained on a few dozen reports score the
 * rest nearly perfectly or not at all, and the fitted temperature runs to its bounds (on the
 * 30-report test fixtures: 0.05, every confidence 1.0000).
 */
export const MIN_CALIBRATION_REPORTS = 100;

/**
 * Fewest reports to calibrate a multi-label model on. Its out-of-fold predictions also choose each
 * label's threshold, without which no label could be suggested at a chosen precision; and each
 * label's Platt map is pulled towards the identity on few reports (fitPlatt's prior).
 */
export const MIN_LABEL_SET_REPORTS = 20;

/** What fitting the confidence calibration gave: the calibration (if any), on how many held-out reports, and what to log. */
export interface CalibrationFit {
  calibration?: Calibration;
  reports: number;
  messages: string[];
  /** Multi-label: each label's calibration, and the out-of-fold probabilities it gives (reports x labels), for the thresholds. */
  labels?: { calibration: LabelCalibration[]; probabilities: Float32Array };
}

/** What the calibration is fitted on: the counted reports, their targets, the hyperparameters; and when to stop. */
export interface CalibrationData {
  counted: Counted;
  targets: Targets;
  hp: Hyperparameters;
  signal?: AbortSignal;
}

/**
 * Calibration by k-fold cross-fitting (hp.calibrationFolds = k): the reports are dealt into k
 * stratified parts; for each part, a single network is trained on the others (with the same
 * hyperparameters) and scores the part it did not see. The calibration is fitted to these
 * out-of-fold logits, so every training report counts, not a held-out share.
 *
 * Why: with one held-out share of 15 %, the fitted calibration moved with the choice of that
 * share: by seed alone, the mean confidence on the same CV folds ranged from 0.54 to 0.60 at
 * an accuracy of 0.55-0.56 (scripts/tune.mjs, 4-fold CV on folds 1-4 of the QEMU corpus, seeds
 * 1-5). Cross-fitting holds it within a point of the accuracy, and the calibration error fell
 * from 0.045 to 0.035 (mean of the 5 seeds), with 2 folds as with 3; 2 cost less.
 * With soft targets (several annotators' labels combined), the calibration is fitted to them too:
 * a confidence is then the estimated probability that the label is the true category.
 * Each calibration model sees (k-1)/k of the reports, and so ends less sure of itself than the
 * final model, which sees them all; it trains for calibrationEpochs(hp) to make up for that.
 * A plan is how the reports are dealt into the folds and the epochs of their networks, or why
 * there is no calibration.
 */
export type CalibrationPlan = { fold: Int32Array; epochs: number } | { skipped: CalibrationFit };

/**
 * The calibration's plan (see CalibrationPlan): how the reports are dealt into its folds (seeded:
 * the same in every thread) and the epochs of its networks, or the fit saying that the reports
 * are too few. Its fold networks are fitCalibrationFold's (trained in either of training's
 * threads, model/parallel.ts), and the calibration is calibrationOf their logits.
 */
export function calibrationPlan(targets: Targets, hp: Hyperparameters): CalibrationPlan {
  const n = targets.size;
  const least = targets.kind === 'multi-label' ? MIN_LABEL_SET_REPORTS : MIN_CALIBRATION_REPORTS;
  if (n < least) {
    return {
      skipped: {
        reports: 0,
        messages: [`calibration skipped: ${n} reports are too few to calibrate on (need ${least}); confidences are not calibrated`],
      },
    };
  }
  return { fold: targetFolds(targets, hp.calibrationFolds, new Rng(hp.seed + 1)), epochs: calibrationEpochs(hp) };
}

/** Calibration fold f: a network trained on the other folds, and its logits of fold f's reports (in their order). */
export async function fitCalibrationFold(
  rt: Runtime,
  { counted, targets, hp, signal }: CalibrationData,
  plan: { fold: Int32Array; epochs: number },
  f: number,
): Promise<Float32Array> {
  const { train, held } = foldRows(plan.fold, f);
  const part = await fitParts(rt, { counted, rows: train, targets, hp: { ...hp, members: 1, epochs: plan.epochs }, signal });
  return countedLogits(part, counted, held);
}

/** The calibration fitted to every fold's out-of-fold logits (foldLogits[f], fitCalibrationFold's). */
export function calibrationOf(
  targets: Targets,
  hp: Hyperparameters,
  plan: { fold: Int32Array },
  foldLogits: readonly Float32Array[],
): CalibrationFit {
  const classes = targets.labels.length;
  const n = targets.size;
  const logits = new Float32Array(n * classes);
  foldLogits.forEach((scored, f) =>
    foldRows(plan.fold, f).held.forEach((i, k) => logits.set(scored.subarray(k * classes, (k + 1) * classes), i * classes)),
  );
  if (targets.kind === 'multi-label') {
    const calibration = fitLabelCalibration(logits, targets.sets!, classes);
    return {
      calibration: fitCalibration(logits, targets, new Float32Array(classes)),
      reports: n,
      labels: { calibration, probabilities: labelProbabilities(logits, targets.labels, calibration) },
      messages: [
        `calibration: ${hp.calibrationFolds} networks, each trained on ${hp.calibrationFolds - 1}/${hp.calibrationFolds} of the reports and scored on the rest, calibrate each of the ${classes} labels and choose its threshold`,
      ],
    };
  }
  const calibration = fitCalibration(logits, targets, priorShift(targets.labels, targets.labelCounts(), hp.priorCorrection));
  const { temperature, slope, intercept } = calibration;
  return {
    calibration,
    reports: n,
    messages: [
      `calibration: ${hp.calibrationFolds} networks, each trained on ${hp.calibrationFolds - 1}/${hp.calibrationFolds} of the reports and scored on the rest, give temperature ${temperature.toFixed(3)}, top-label slope ${slope.toFixed(3)}, intercept ${intercept.toFixed(3)}`,
    ],
  };
}

/**
 * Epochs of a calibration model: epochs x (k / (k-1))^0.4, rounded (8 for the defaults).
 * Measured in the same CV with k = 3, mean confidence minus accuracy: the final model's epochs
 * left the calibrated model 2.4 points overconfident; epochs x k/(k-1) (as many updates as the
 * final model) 2.4 points underconfident; this rule, 0.1 to 0.9 points over on 5 seeds (and
 * 0.6 to 1.1 with k = 2).
 */
export function calibrationEpochs(hp: Pick<Hyperparameters, 'epochs' | 'calibrationFolds'>): number {
  const k = hp.calibrationFolds;
  return Math.max(1, Math.round(hp.epochs * (k / (k - 1)) ** 0.4));
}
