import type { Hyperparameters } from './args.js';
import { calibrated, fitCalibration, UNCALIBRATED, type Calibration } from './calibration.js';
import { calibrateInParallel } from './parallel.js';
import { DataError } from './errors.js';
import type { Log } from './log.js';
import { meanLogits, type Network } from './network.js';
import { Rng } from './rng.js';
import type { Tf } from './tf.js';
import { trainNetwork } from './trainer.js';
import { countTerms, Vectorizer, type Counted } from './vectorizer.js';

/** What a model remembers of the data it was trained on. */
export interface TrainingSummary {
  /** Reports trained on. */
  n: number;
  labelCounts: Record<string, number>;
  /** Reports whose out-of-fold predictions fitted the calibration (0 if calibration was skipped). */
  calibrationReports: number;
}

export interface Prediction {
  label: string;
  confidence: number;
  top: { label: string; probability: number }[];
}

/**
 * Fewest reports to calibrate on. Below it, networks trained on a few dozen reports score the
 * rest nearly perfectly or not at all, and the fitted temperature runs to its bounds (on the
 * 30-report test fixtures: 0.05, every confidence 1.0000).
 */
const MIN_CALIBRATION_REPORTS = 100;

/**
 * The classifier: vectorizer + network + calibration + label set, the one object that
 * train, predict, evaluate and cv share (as fastText's FastText class, or bugbug's model class).
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
  probabilities(tf: Tf, texts: readonly string[]): Float32Array {
    const logits = meanLogits(tf, this.networks, this.vectorizer.transformAll(texts));
    return calibrated(logits, this.labels.length, this.calibration, priorShift(this.labels, this.training.labelCounts, this.hp.priorCorrection));
  }

  predict(tf: Tf, texts: readonly string[], top = 1): Prediction[] {
    return decide(this.probabilities(tf, texts), this.labels, top);
  }

  /**
   * `secondLabels`, when given, are a second annotator's labels of the same reports (see
   * hp.secondLabelWeight); those outside the label set (or empty) are ignored, and case does not matter.
   */
  static async train(tf: Tf, texts: readonly string[], labels: readonly string[], hp: Hyperparameters, log: Log, secondLabels?: readonly string[]): Promise<Classifier> {
    const names = [...new Set(labels)].sort();
    if (names.length < 2) {
      throw new DataError(
        `the training data holds ${names.length === 0 ? 'no category' : `one category only (${names[0]})`}: a classifier needs reports of at least two categories`,
      );
    }
    const index = new Map(names.map((n, i) => [n, i]));
    const y = Int32Array.from(labels, (l) => index.get(l)!);
    const labelCounts = countsOf(names, y);
    const second = secondLabels && secondOf(secondLabels, names, log);
    const single = names.filter((n) => labelCounts[n] === 1);
    if (single.length) log(`warning: ${single.length} categor${single.length === 1 ? 'y has' : 'ies have'} one report only (${single.join(', ')}): expect poor recall there`);

    // Every report is tokenized once; the calibration models and the final one fit their
    // vocabularies from the same counts.
    const started = performance.now();
    const counted = countTerms(texts, hp);
    log(`tokenized ${texts.length} reports: ${counted.terms.length} distinct terms (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    // The calibration models (each trained on part of the data, scoring the rest) and the final
    // model are independent: on a machine with two cores or more they train side by side.
    const calibrating = hp.calibrationFolds > 0 ? calibrateInParallel(counted, y, names, hp, second) : undefined;
    const { vectorizer, networks } = fitParts(tf, counted, Array.from(texts, (_, i) => i), y, names.length, hp, log, second);
    const fitted = await calibrating;
    if (fitted) fitted.messages.forEach((m) => log(m));
    return new Classifier(hp, names, fitted?.calibration ?? UNCALIBRATED, vectorizer, networks, {
      n: texts.length,
      labelCounts,
      calibrationReports: fitted?.reports ?? 0,
    });
  }
}

/** What fitting the confidence calibration gave: the calibration (if any), on how many held-out reports, and what to log. */
export interface CalibrationFit {
  calibration?: Calibration;
  reports: number;
  messages: string[];
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
 * Each calibration model sees (k-1)/k of the reports, and so ends less sure of itself than the
 * final model, which sees them all; it trains for calibrationEpochs(hp) to make up for that.
 */
export function fitCalibrationModel(tf: Tf, counted: Counted, y: Int32Array, names: readonly string[], hp: Hyperparameters, second?: Int32Array): CalibrationFit {
  const classes = names.length;
  if (y.length < MIN_CALIBRATION_REPORTS) {
    return { reports: 0, messages: [`calibration skipped: ${y.length} reports are too few to calibrate on (need ${MIN_CALIBRATION_REPORTS}); confidences are not calibrated`] };
  }
  const fold = stratifiedFolds(y, classes, hp.calibrationFolds, new Rng(hp.seed + 1));
  const logits = new Float32Array(y.length * classes);
  const epochs = calibrationEpochs(hp);
  for (let f = 0; f < hp.calibrationFolds; f++) {
    const train: number[] = [];
    const held: number[] = [];
    fold.forEach((g, i) => (g === f ? held : train).push(i));
    const part = fitParts(tf, counted, train, y, classes, { ...hp, members: 1, epochs }, () => {}, second);
    const scored = part.networks[0].logits(tf, part.vectorizer.transformCounted(counted, held));
    held.forEach((i, k) => logits.set(scored.subarray(k * classes, (k + 1) * classes), i * classes));
  }
  const calibration = fitCalibration(logits, y, classes, priorShift(names, countsOf(names, y), hp.priorCorrection));
  const { temperature, slope, intercept } = calibration;
  return {
    calibration,
    reports: y.length,
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

/**
 * Vocabulary and network fitted on reports `rows` of the counted reports (classes `yAll`, and the
 * second annotator's `secondAll` if any, one per report).
 */
function fitParts(tf: Tf, counted: Counted, rows: readonly number[], yAll: Int32Array, classes: number, hp: Hyperparameters, log: Log, secondAll?: Int32Array) {
  const started = performance.now();
  const y = Int32Array.from(rows, (i) => yAll[i]);
  const second = secondAll && Int32Array.from(rows, (i) => secondAll[i]);
  const vectorizer = Vectorizer.fitCounted(counted, rows, hp, y);
  const x = vectorizer.transformCounted(counted, rows);
  const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
  const nnz = x.reduce((s, v) => s + v.indices.length, 0);
  log(`features: ${vectorizer.size} terms from ${rows.length} reports, ${(nnz / Math.max(1, rows.length)).toFixed(0)} per report (${seconds()} s)`);
  const counts = new Float64Array(classes);
  for (const c of y) counts[c]++;
  const weightOf = Float64Array.from(counts, (n) => (n > 0 ? (y.length / (classes * n)) ** hp.classWeightPower : 0));
  const sampleWeight = Float32Array.from(y, (c) => weightOf[c]);
  const networks = Array.from({ length: hp.members }, (_, m) =>
    trainNetwork(tf, x, y, sampleWeight, { vocabSize: vectorizer.size, hidden: hp.hidden, classes }, { ...hp, seed: memberSeed(hp.seed, m) }, (r) =>
      log(`${hp.members > 1 ? `network ${m + 1}/${hp.members}  ` : ''}epoch ${r.epoch}/${r.epochs}  loss ${r.loss.toFixed(4)}  ${seconds()} s`),
      second,
    ),
  );
  return { vectorizer, networks };
}

/** The seed of ensemble member m: the model's own seed for the first, so one member is the plain network. */
const memberSeed = (seed: number, m: number) => (m === 0 ? seed : (seed + 7919 * m) % 2 ** 31);

/** Class ids of a second annotator's labels (-1 where empty or outside the label set; case does not matter), saying how many count. */
function secondOf(secondLabels: readonly string[], names: readonly string[], log: Log): Int32Array {
  const index = new Map(names.map((n, i) => [n.toLowerCase(), i]));
  const second = Int32Array.from(secondLabels, (l) => index.get(l.trim().toLowerCase()) ?? -1);
  const known = second.reduce((n, c) => n + (c >= 0 ? 1 : 0), 0);
  log(`second annotator: ${known} of ${second.length} labels are categories of the first; the rest are ignored`);
  return second;
}

function countsOf(names: readonly string[], y: Int32Array): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  for (const c of y) counts[names[c]]++;
  return counts;
}

/** shift_c = beta * ln(prior_c): subtracting it divides probabilities by prior^beta. */
export function priorShift(labels: readonly string[], counts: Record<string, number>, beta: number): Float32Array {
  const total = labels.reduce((s, l) => s + (counts[l] ?? 0), 0);
  return Float32Array.from(labels, (l) => (beta === 0 ? 0 : beta * Math.log(Math.max(counts[l] ?? 0, 0.5) / total)));
}

/** The indices of each class's reports, in input order: groups[c] lists the i with y[i] = c. */
function groupByClass(y: Int32Array, classes: number): number[][] {
  const groups: number[][] = Array.from({ length: classes }, () => []);
  y.forEach((c, i) => groups[c].push(i));
  return groups;
}

/** A seeded stratified k-fold assignment: each class's reports, shuffled, are dealt round-robin over folds 0..k-1. */
export function stratifiedFolds(y: Int32Array, classes: number, k: number, rng: Rng): Int32Array {
  const fold = new Int32Array(y.length);
  let next = 0;
  for (const members of groupByClass(y, classes)) for (const i of rng.shuffle(members)) fold[i] = next++ % k;
  return fold;
}

/** Label, confidence and the top-k labels of each row of probabilities. */
export function decide(probs: Float32Array, labels: readonly string[], top: number): Prediction[] {
  const k = labels.length;
  const out: Prediction[] = [];
  for (let base = 0; base < probs.length; base += k) {
    const order = Array.from(labels, (_, c) => c).sort((a, b) => probs[base + b] - probs[base + a] || a - b);
    const ranked = order.slice(0, Math.max(1, top)).map((c) => ({ label: labels[c], probability: probs[base + c] }));
    out.push({ label: ranked[0].label, confidence: ranked[0].probability, top: ranked });
  }
  return out;
}
