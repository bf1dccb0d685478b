/**
 * What the report shows, worked out from what a command hands over (labelled reports, their
 * predictions, the scores, the model's card): the confusion cells, the per-category rows, the
 * reliability bins, accuracy against coverage with the thresholds a user would pick, the label
 * distributions and the most confident errors. Charts and page only lay these out.
 */
import {
  confidenceThresholds,
  reliability,
  type Evaluation,
  type FoldResult,
  type Hyperparameters,
  type ReliabilityBin,
  type ThresholdPoint,
  type DeferralPoint,
} from '../index.js';
import type { AuditInput } from './audit.js';

/** One report's prediction as the report needs it: label and confidence, and the ranked labels where the command kept them. */
export interface ReportPrediction {
  label: string;
  confidence: number;
  top?: readonly { label: string; probability: number }[];
}

/** What the model (or, for cross-validation, the training runs) is: the model card's lines. */
export interface ModelCard {
  /** Where the model comes from: its folder, or "5-fold cross-validation". */
  source: string;
  /** The bugcat that made it, as "bugcat 0.1.0". */
  createdBy: string;
  formatVersion: number;
  /** Reports it was trained on. */
  trainingReports: number;
  /** Reports the calibration was fitted on (absent where unknown). */
  calibrationReports?: number;
  /** A self-trained model: its labelled reports, and the reports without labels offered and learnt with its guesses (of `trainingReports`). */
  selfTraining?: { labelled: number; pool: number; learnt: number };
  labels: readonly string[];
  hyperparameters: Readonly<Hyperparameters>;
  /** When the model was saved, where known. */
  saved?: Date;
  /** Cross-validation: the reports its folds kept together, in words ("318 groups of 639 reports that share a title or text"). */
  groups?: string;
}

/** Everything a command hands the report. */
export interface ReportInput {
  /** What was run: one model scored on labelled reports, or a cross-validation. */
  kind: 'evaluate' | 'cv';
  /** The page's subject, as "models/qemu on test.csv". */
  subject: string;
  /** The labelled reports scored, as readReports gives them. */
  reports: { ids: readonly string[]; texts: readonly string[]; labels: readonly string[] };
  /** One prediction per report, in order (out-of-fold ones for cross-validation). */
  predictions: readonly ReportPrediction[];
  /** The scores of those predictions (scorePredictions). */
  evaluation: Evaluation;
  /** Training reports per label (the model's summary), when they differ from the scored reports. */
  trainingCounts?: Readonly<Record<string, number>>;
  card: ModelCard;
  /** An audit's ranked suspects and per-category estimates (the page of `audit --html`). */
  audit?: AuditInput;
  /** Cross-validation's per-fold figures, with their mean, standard deviation and range. */
  folds?: {
    folds: readonly FoldResult[];
    mean: Record<string, number>;
    std: Record<string, number>;
    /** Each figure's lowest and highest over the folds. */
    range: Record<string, { min: number; max: number }>;
  };
  /**
   * The terms that most pushed each text towards its predicted label: the hook for the model's
   * explanations. Without it, the errors are listed without terms.
   */
  explain?: (texts: string[]) => string[][];
  /** When the report was made (default: now). */
  date?: Date;
  /** The cascade's curve (evaluate --defer-curve): who answers the deferred reports, and the accuracy at each share. */
  deferCurve?: { by: string; points: readonly DeferralPoint[] };
  /** What a reader of the figures must know (labels the model never saw, training overlap, labels differing only in case): shown above everything else. */
  warnings?: readonly string[];
}

/** One cell of the confusion matrix. */
export interface ConfusionCell {
  truth: string;
  predicted: string;
  count: number;
  /** count / the true label's reports (0 for a label no report carries). */
  share: number;
  /** The true label's reports. */
  support: number;
}

/** One category's scores. */
export interface CategoryRow {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
  /** How often the model answered it. */
  predicted: number;
}

/** The confidence threshold (`--min-confidence`) that reaches a target accuracy on these reports, if any does. */
export interface TargetThreshold {
  target: number;
  /** The lowest threshold, in hundredths, whose kept reports are at least `target` accurate; undefined if none is. */
  threshold?: number;
  coverage?: number;
  n?: number;
  accuracy?: number;
}

/** One bar of the label distributions: a label's reports in one source (training data, scored data, predictions). */
export interface DistributionRow {
  source: string;
  label: string;
  count: number;
  share: number;
}

/** A wrong prediction made with high confidence. */
export interface ConfidentError {
  id: string;
  truth: string;
  predicted: string;
  confidence: number;
  /** The label ranked second, and its probability, where known. */
  runnerUp?: { label: string; probability: number };
  /** The beginning of the report. */
  excerpt: string;
  /** The terms that most pushed it towards the predicted label, once explanations exist. */
  terms?: string[];
}

/** Everything the page and its charts show. */
export interface ReportData {
  input: ReportInput;
  date: Date;
  labels: string[];
  confusion: ConfusionCell[];
  categories: CategoryRow[];
  reliability: ReliabilityBin[];
  /** Accuracy against coverage, thinned for drawing (every point where the accuracy or coverage moves visibly). */
  curve: ThresholdPoint[];
  targets: TargetThreshold[];
  /** Fewest reports a threshold must keep to be proposed: fewer make its accuracy a matter of luck. */
  minKept: number;
  distribution: DistributionRow[];
  /** The sources of `distribution`, in order. */
  sources: string[];
  errors: ConfidentError[];
}

/** Target accuracies for which the report proposes a threshold (those above the overall accuracy). */
export const TARGETS = [0.6, 0.7, 0.8, 0.9, 0.95];
/** How many confident errors are listed. */
export const ERRORS_SHOWN = 12;
const EXCERPT = 240;

/** Works out what the report shows. */
export function reportData(input: ReportInput): ReportData {
  const { evaluation: e, predictions, reports } = input;
  const labels = e.confusion.labels;
  const gold = reports.labels;
  const supportOf = (i: number) => e.confusion.matrix[i].reduce((a, b) => a + b, 0);
  const confusion = labels.flatMap((truth, i) =>
    labels.map((predicted, j) => {
      const support = supportOf(i);
      const count = e.confusion.matrix[i][j];
      return { truth, predicted, count, share: support ? count / support : 0, support };
    }),
  );
  const categories = labels.map((label, j) => ({
    label,
    ...e.per_class[label],
    predicted: e.confusion.matrix.reduce((a, row) => a + row[j], 0),
  }));

  const points = confidenceThresholds(gold, predictions);
  const minKept = Math.min(predictions.length, Math.max(10, Math.ceil(0.02 * predictions.length)));
  const targets = TARGETS.filter((t) => t > e.accuracy).map((target) => thresholdFor(points, target, minKept));

  const sources: string[] = [];
  const distribution: DistributionRow[] = [];
  const addSource = (source: string, counts: Readonly<Record<string, number>>) => {
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    sources.push(source);
    for (const label of labels)
      distribution.push({ source, label, count: counts[label] ?? 0, share: total ? (counts[label] ?? 0) / total : 0 });
  };
  if (input.trainingCounts) addSource('training data', input.trainingCounts);
  addSource(input.kind === 'cv' ? 'labelled reports' : 'scored reports', countsOf(gold));
  addSource(input.kind === 'cv' ? 'out-of-fold predictions' : 'predictions', countsOf(predictions.map((p) => p.label)));

  const wrong = predictions.map((p, i) => i).filter((i) => predictions[i].label !== gold[i]);
  wrong.sort((a, b) => predictions[b].confidence - predictions[a].confidence || a - b);
  const shown = wrong.slice(0, ERRORS_SHOWN);
  const terms = input.explain?.(shown.map((i) => reports.texts[i]));
  const errors = shown.map((i, k) => {
    const p = predictions[i];
    const second = p.top?.[1];
    return {
      id: reports.ids[i],
      truth: gold[i],
      predicted: p.label,
      confidence: p.confidence,
      runnerUp: second && { label: second.label, probability: second.probability },
      excerpt: excerptOf(reports.texts[i]),
      terms: terms?.[k],
    };
  });

  return {
    input,
    date: input.date ?? new Date(),
    labels,
    confusion,
    categories,
    reliability: reliability(gold, predictions),
    curve: thin(points.filter((p) => p.n >= minKept)),
    targets,
    minKept,
    distribution,
    sources,
    errors,
  };
}

/**
 * The lowest threshold in hundredths (what a user types) whose kept reports, at least
 * `minKept` of them, are `target` accurate: the most reports kept for that accuracy.
 * `points` are highest threshold first, as confidenceThresholds gives them.
 */
export function thresholdFor(points: readonly ThresholdPoint[], target: number, minKept: number): TargetThreshold {
  let k = points.length - 1;
  for (let h = 0; h <= 100; h++) {
    const t = h / 100;
    // The reports kept at t are those of the last point whose threshold is at least t.
    while (k >= 0 && points[k].threshold < t) k--;
    if (k < 0) break;
    const p = points[k];
    if (p.n >= minKept && p.accuracy >= target) return { target, threshold: t, coverage: p.coverage, n: p.n, accuracy: p.accuracy };
  }
  return { target };
}

/** Drops points that a chart could not tell from their neighbours (coverage and accuracy within 0.2 % of the last kept one); keeps both ends. */
function thin(points: ThresholdPoint[]): ThresholdPoint[] {
  const out: ThresholdPoint[] = [];
  points.forEach((p, i) => {
    const last = out[out.length - 1];
    if (!last || i === points.length - 1 || Math.abs(p.coverage - last.coverage) >= 0.002 || Math.abs(p.accuracy - last.accuracy) >= 0.002)
      out.push(p);
  });
  return out;
}

function countsOf(labels: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const l of labels) counts[l] = (counts[l] ?? 0) + 1;
  return counts;
}

function excerptOf(text: string): string {
  const flat = text.replace(/[\s\p{C}]+/gu, ' ').trim();
  return flat.length > EXCERPT ? `${flat.slice(0, EXCERPT - 1)}…` : flat;
}
