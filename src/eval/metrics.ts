/**
 * Scores of predictions against gold labels (fastText's "meter"): accuracy, per-class
 * precision/recall/F1, macro and weighted F1 (as scikit-learn computes them, over the
 * union of gold and predicted labels, 0 where undefined), the confusion matrix, the
 * expected calibration error and accuracy when only the most confident reports are kept.
 */
/** One category's precision, recall and F1, and how many reports carry it (support). */
export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** Accuracy on the `coverage` share of reports the model is most confident about (`n` reports). */
export interface CoveragePoint {
  coverage: number;
  n: number;
  accuracy: number;
}

/** The scores of predictions against labels: summary figures, per category, confusion matrix (rows: true label), calibration. */
export interface Evaluation {
  n: number;
  accuracy: number;
  macro_f1: number;
  weighted_f1: number;
  per_class: Record<string, ClassScores>;
  confusion: { labels: string[]; matrix: number[][] };
  ece: number;
  coverage: CoveragePoint[];
}

export const COVERAGES = [0.5, 0.7, 0.9] as const;

export function score(gold: readonly string[], pred: readonly string[], confidence: readonly number[]): Evaluation {
  if (gold.length !== pred.length || gold.length !== confidence.length) {
    throw new Error(`score: ${gold.length} gold labels, ${pred.length} predictions, ${confidence.length} confidences`);
  }
  const labels = [...new Set([...gold, ...pred])].sort();
  const index = new Map(labels.map((l, i) => [l, i]));
  const matrix = labels.map(() => new Array<number>(labels.length).fill(0));
  gold.forEach((g, i) => matrix[index.get(g)!][index.get(pred[i])!]++);
  const n = gold.length;
  const correct = gold.map((g, i) => g === pred[i]);
  const perClass: Record<string, ClassScores> = {};
  let macro = 0;
  let weighted = 0;
  labels.forEach((label, c) => {
    const tp = matrix[c][c];
    const support = matrix[c].reduce((a, b) => a + b, 0);
    const predicted = matrix.reduce((a, row) => a + row[c], 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    perClass[label] = { precision, recall, f1, support };
    macro += f1;
    weighted += f1 * support;
  });
  return {
    n,
    accuracy: n ? correct.filter(Boolean).length / n : 0,
    macro_f1: labels.length ? macro / labels.length : 0,
    weighted_f1: n ? weighted / n : 0,
    per_class: perClass,
    confusion: { labels, matrix },
    ece: calibrationError(correct, confidence),
    coverage: COVERAGES.map((c) => accuracyAtCoverage(correct, confidence, c)),
  };
}

/** One bar of a reliability diagram: the reports whose confidence falls in [lower, upper) (the last bin includes 1). */
export interface ReliabilityBin {
  lower: number;
  upper: number;
  /** Reports in the bin. */
  n: number;
  /** Share of them predicted right (0 for an empty bin). */
  accuracy: number;
  /** Their mean confidence (0 for an empty bin). */
  confidence: number;
}

/** The reliability diagram's equal-width confidence bins, empty ones included: a calibrated model's accuracy matches its confidence in each. */
export function reliabilityBins(correct: readonly boolean[], confidence: readonly number[], bins = 10): ReliabilityBin[] {
  const count = new Array<number>(bins).fill(0);
  const hits = new Array<number>(bins).fill(0);
  const conf = new Array<number>(bins).fill(0);
  confidence.forEach((p, i) => {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));
    count[b]++;
    conf[b] += p;
    if (correct[i]) hits[b]++;
  });
  return count.map((k, b) => ({
    lower: b / bins,
    upper: (b + 1) / bins,
    n: k,
    accuracy: k ? hits[b] / k : 0,
    confidence: k ? conf[b] / k : 0,
  }));
}

/** Expected calibration error: sum over equal-width confidence bins of (share of reports) x |accuracy - mean confidence|. */
export function calibrationError(correct: readonly boolean[], confidence: readonly number[], bins = 10): number {
  const n = confidence.length;
  return n
    ? reliabilityBins(correct, confidence, bins).reduce((e, b) => (b.n ? e + (b.n / n) * Math.abs(b.accuracy - b.confidence) : e), 0)
    : 0;
}

/** Accuracy on the most confident `coverage` share of reports (the rest set aside for a person). */
export function accuracyAtCoverage(correct: readonly boolean[], confidence: readonly number[], coverage: number): CoveragePoint {
  const order = confidence.map((_, i) => i).sort((a, b) => confidence[b] - confidence[a] || a - b);
  const kept = order.slice(0, Math.ceil(coverage * order.length));
  return { coverage, n: kept.length, accuracy: kept.length ? kept.filter((i) => correct[i]).length / kept.length : 0 };
}

/** Accuracy on the reports whose confidence is at least `threshold` (`n` of them, the `coverage` share); the others would go to a person. */
export interface ThresholdPoint {
  threshold: number;
  coverage: number;
  n: number;
  accuracy: number;
}

/**
 * Accuracy against coverage, one point per distinct confidence, highest first: keeping the
 * reports at or above each threshold, how many are kept and how many of those are right.
 * The last point keeps every report.
 */
export function thresholdCurve(correct: readonly boolean[], confidence: readonly number[]): ThresholdPoint[] {
  const order = confidence.map((_, i) => i).sort((a, b) => confidence[b] - confidence[a] || a - b);
  const total = order.length;
  const points: ThresholdPoint[] = [];
  let hits = 0;
  order.forEach((i, k) => {
    if (correct[i]) hits++;
    const next = order[k + 1];
    if (next === undefined || confidence[next] !== confidence[i]) {
      points.push({ threshold: confidence[i], coverage: (k + 1) / total, n: k + 1, accuracy: hits / (k + 1) });
    }
  });
  return points;
}
