import type { Counted } from './counter.js';

/**
 * Feature selection and weighting by class (scikit-learn's feature_selection, apart from
 * extraction): how many reports of each class hold each term, the NB log-count ratios that
 * scale the idf weights, and the chi-squared scores that can choose which terms are kept.
 */
/** How many training reports of each class hold each of a list of terms, and how many reports each class has. */
export interface ClassCounts {
  classes: number;
  /** terms x classes, row-major: reports of class c holding term k. */
  byTerm: Float64Array;
  /** Reports of each class. */
  perClass: Float64Array;
  /** Reports counted. */
  n: number;
}

/** Counts, over reports `rows` (classes `labels`, one per row), the reports of each class holding each of `terms` (corpus ids). */
export function classCounts(counted: Counted, rows: readonly number[], labels: Int32Array, terms: readonly number[]): ClassCounts {
  const classes = labels.reduce((m, c) => Math.max(m, c + 1), 0);
  const slot = new Int32Array(counted.terms.length).fill(-1);
  terms.forEach((id, k) => (slot[id] = k));
  const byTerm = new Float64Array(terms.length * classes);
  const perClass = new Float64Array(classes);
  rows.forEach((r, d) => {
    const c = labels[d];
    perClass[c]++;
    const ids = counted.docs[r].ids;
    for (let k = 0; k < ids.length; k++) {
      const j = slot[ids[k]];
      if (j >= 0) byTerm[j * classes + c]++;
    }
  });
  return { classes, byTerm, perClass, n: rows.length };
}

/**
 * Class-discriminativeness of each counted term, multi-class NB-SVM style (Wang & Manning
 * 2012): max over classes of |ln(p(term | class) / p(term | other classes))|, with document
 * frequencies smoothed by alpha = 1. Fitted on training reports only.
 */
export function nbRatios({ classes, byTerm, perClass, n }: ClassCounts): Float32Array {
  const out = new Float32Array(byTerm.length / classes);
  for (let j = 0; j < out.length; j++) {
    let total = 0;
    for (let c = 0; c < classes; c++) total += byTerm[j * classes + c];
    let best = 0;
    for (let c = 0; c < classes; c++) {
      if (perClass[c] === 0) continue;
      const inC = (1 + byTerm[j * classes + c]) / (1 + perClass[c]);
      const outC = (1 + total - byTerm[j * classes + c]) / (1 + n - perClass[c]);
      best = Math.max(best, Math.abs(Math.log(inC / outC)));
    }
    out[j] = best;
  }
  return out;
}

/**
 * Chi-squared statistic of each counted term's presence against the classes, as scikit-learn's
 * chi2 feature selection computes it from document counts: the sum over classes of
 * (observed - expected)^2 / expected, where a term in df of n reports is expected in
 * df * n_c / n reports of class c.
 */
export function chi2({ classes, byTerm, perClass, n }: ClassCounts): Float64Array {
  const out = new Float64Array(byTerm.length / classes);
  for (let k = 0; k < out.length; k++) {
    let df = 0;
    for (let c = 0; c < classes; c++) df += byTerm[k * classes + c];
    let x = 0;
    for (let c = 0; c < classes; c++) {
      const expected = (df * perClass[c]) / n;
      if (expected > 0) x += (byTerm[k * classes + c] - expected) ** 2 / expected;
    }
    out[k] = x;
  }
  return out;
}
