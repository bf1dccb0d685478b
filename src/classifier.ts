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
  /** Reports held out to fit the temperature (0 if calibration was skipped). */
  calibrationReports: number;
}

export interface Prediction {
  label: string;
  confidence: number;
  top: { label: string; probability: number }[];
}

/** Fewest held-out reports for which a fitted temperature means anything. */
const MIN_CALIBRATION_REPORTS = 30;

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

    // Every report is tokenized once; the calibration model and the final one fit their
    // vocabularies from the same counts.
    const started = performance.now();
    const counted = countTerms(texts, hp);
    log(`tokenized ${texts.length} reports: ${counted.terms.length} distinct terms (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    // The calibration model (trained on part of the data, scored on the rest) and the final
    // model are independent: on a machine with two cores or more they train side by side.
    const calibrating = hp.calibrationSplit > 0 ? calibrateInParallel(counted, y, names, hp, second) : undefined;
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
 * Holds out a stratified share (hp.calibrationSplit) of the reports, trains a model on the
 * rest with the same hyperparameters, and fits the calibration to its held-out predictions.
 */
export function fitCalibrationModel(tf: Tf, counted: Counted, y: Int32Array, names: readonly string[], hp: Hyperparameters, second?: Int32Array): CalibrationFit {
  const { train, held } = stratifiedSplit(y, names.length, hp.calibrationSplit, new Rng(hp.seed + 1));
  if (held.length < MIN_CALIBRATION_REPORTS) {
    return { reports: 0, messages: [`calibration skipped: ${held.length} held-out reports are too few (need ${MIN_CALIBRATION_REPORTS}); confidences are not calibrated`] };
  }
  const part = fitParts(tf, counted, train, y, names.length, hp, () => {}, second);
  const logits = meanLogits(tf, part.networks, part.vectorizer.transformCounted(counted, held));
  const partCounts = countsOf(names, Int32Array.from(train, (i) => y[i]));
  const calibration = fitCalibration(logits, Int32Array.from(held, (i) => y[i]), names.length, priorShift(names, partCounts, hp.priorCorrection));
  const { temperature, slope, intercept } = calibration;
  return {
    calibration,
    reports: held.length,
    messages: [
      `calibration: a model trained on ${train.length} reports, scored on ${held.length} held out, gives temperature ${temperature.toFixed(3)}, top-label slope ${slope.toFixed(3)}, intercept ${intercept.toFixed(3)}`,
    ],
  };
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
export function groupByClass(y: Int32Array, classes: number): number[][] {
  const groups: number[][] = Array.from({ length: classes }, () => []);
  y.forEach((c, i) => groups[c].push(i));
  return groups;
}

/** Per class, a seeded share `fraction` of its reports is held out (never a class's only report). */
export function stratifiedSplit(y: Int32Array, classes: number, fraction: number, rng: Rng): { train: number[]; held: number[] } {
  const train: number[] = [];
  const held: number[] = [];
  for (const members of groupByClass(y, classes)) {
    rng.shuffle(members);
    const k = members.length > 1 ? Math.round(members.length * fraction) : 0;
    held.push(...members.slice(0, k));
    train.push(...members.slice(k));
  }
  return { train: train.sort((a, b) => a - b), held: held.sort((a, b) => a - b) };
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
