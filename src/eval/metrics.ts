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

/** Expected calibration error: sum over equal-width confidence bins of (share of reports) x |accuracy - mean confidence|. */
export function calibrationError(correct: readonly boolean[], confidence: readonly number[], bins = 10): number {
  const count = new Array<number>(bins).fill(0);
  const hits = new Array<number>(bins).fill(0);
  const conf = new Array<number>(bins).fill(0);
  confidence.forEach((p, i) => {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));
    count[b]++;
    conf[b] += p;
    if (correct[i]) hits[b]++;
  });
  const n = confidence.length;
  return n ? count.reduce((e, k, b) => (k ? e + (k / n) * Math.abs(hits[b] / k - conf[b] / k) : e), 0) : 0;
}

/** Accuracy on the most confident `coverage` share of reports (the rest set aside for a person). */
export function accuracyAtCoverage(correct: readonly boolean[], confidence: readonly number[], coverage: number): CoveragePoint {
  const order = confidence.map((_, i) => i).sort((a, b) => confidence[b] - confidence[a] || a - b);
  const kept = order.slice(0, Math.ceil(coverage * order.length));
  return { coverage, n: kept.length, accuracy: kept.length ? kept.filter((i) => correct[i]).length / kept.length : 0 };
}
