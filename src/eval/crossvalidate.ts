import { DataError } from '../base/errors.js';
import type { Hyperparameters } from '../base/hyperparameters.js';
import { Rng } from '../base/rng.js';
import { stratifiedGroupFolds } from '../model/folds.js';
import { score, type Evaluation } from './metrics.js';

/**
 * Cross-validation as scikit-learn's cross_validate does it, apart from what is being
 * validated: each fold is held out in turn, a model is fitted on the others (by the caller's
 * `fit`), and its predictions on the held-out fold are scored with metrics.ts.
 */

/** A label and its probability. */
export interface RankedLabel {
  label: string;
  probability: number;
}

/** What a fitted model must do to be cross-validated: predict a label and a confidence per text, and the `top` best labels ranked. */
export interface Predictor {
  /** The hyperparameters it was trained with (the rules' or a search's, per fold), where it has them: its fold's result carries them. */
  readonly hyperparameters?: Hyperparameters;
  predict(
    texts: readonly string[],
    options?: { top?: number },
  ): readonly { label: string; confidence: number; top?: readonly RankedLabel[] }[];
}

/** One report's out-of-fold prediction: its label and confidence, the fold that held it out, and the best labels ranked. */
export interface OutOfFoldPrediction {
  id: string;
  label: string;
  confidence: number;
  /** The fold the report was held out in (scored by a model trained on the other folds). */
  fold: string;
  /** The `top` best labels with their probabilities, best first (the first is `label`). */
  top: RankedLabel[];
}

/** The labelled reports cross-validation needs, as parallel lists. */
export interface LabelledSet {
  ids: readonly string[];
  texts: readonly string[];
  labels: readonly string[];
}

/** One fold's scores. */
export interface FoldResult extends Evaluation {
  fold: string;
  /** The hyperparameters the fold's model was trained with (Predictor.hyperparameters), where known. */
  hyperparameters?: Hyperparameters;
}

export const SUMMARY_KEYS = ['accuracy', 'macro_f1', 'weighted_f1', 'ece'] as const;
export type SummaryKey = (typeof SUMMARY_KEYS)[number];

export interface CrossValidation {
  folds: FoldResult[];
  /** Mean over the folds of each summary figure. */
  mean: Record<SummaryKey, number>;
  /** Their standard deviation (population, over the folds). */
  std: Record<SummaryKey, number>;
  /** Their lowest and highest over the folds. */
  range: Record<SummaryKey, { min: number; max: number }>;
  /** Every report's out-of-fold prediction, in input order. */
  predictions: OutOfFoldPrediction[];
  /**
   * The scores of all the out-of-fold predictions together (pooled over the folds): per-class
   * table and confusion matrix over every report. Its `ece` is not the folds' mean: binned over
   * every report, it can fall below every fold's (a fold's few reports per bin add noise that
   * only raises |accuracy - confidence|, and folds over- and underconfident in a bin cancel).
   */
  pooled: Evaluation;
  /** The groups kept in one fold, where the folds were dealt with groups (crossValidate). */
  groups?: GroupCount;
}

/** How many groups of two reports or more the folds kept together, and how they were found. */
export interface GroupCount {
  /** Groups of two reports or more. */
  shared: number;
  /** Reports in those groups. */
  reports: number;
  /** `duplicates`: reports that share a normalised title or body (text/duplicates.ts); `given`: the caller's groups. */
  source: 'duplicates' | 'given';
}

/**
 * Each report's fold: given (one name per report, at least two distinct), or a seeded
 * stratified assignment into `k` folds named 1..k that keeps each of `groups` (each report's
 * group number) in one fold (stratifiedGroupFolds; without groups, every report is its own).
 */
export function assignFolds(
  labels: readonly string[],
  k: number,
  seed: number,
  given?: readonly string[],
  groups?: Int32Array,
): { fold: string[]; names: string[] } {
  if (given) {
    if (given.some((f) => f === '')) throw new DataError('some reports have no fold: give every report a fold', { code: 'NO_FOLD' });
    const names = [...new Set(given)].sort();
    if (names.length < 2)
      throw new DataError(`the reports hold ${names.length} fold: cross-validation needs at least two`, { code: 'ONE_FOLD' });
    return { fold: [...given], names };
  }
  const classes = [...new Set(labels)].sort();
  const y = Int32Array.from(labels, (l) => classes.indexOf(l));
  // Each group is placed whole, then each class's other reports, shuffled, are dealt round-robin over the folds.
  const dealt = stratifiedGroupFolds(y, classes.length, groups ?? Int32Array.from(y, (_, i) => i), k, new Rng(seed + 7));
  const sizes = new Array<number>(k).fill(0);
  dealt.forEach((f) => sizes[f]++);
  if (sizes.some((s) => s === 0))
    throw new DataError(`the reports fall in fewer than ${k} folds (${labels.length} reports): choose fewer folds`);
  const fold = Array.from(dealt, (f) => String(f + 1));
  return { fold, names: Array.from({ length: k }, (_, i) => String(i + 1)) };
}

/**
 * Fits on all folds but one (`fit` gets the training rows' indices), scores the held-out one,
 * for each fold in turn; `hooks` hear of each fold as it starts and as it is scored. Each
 * out-of-fold prediction lists the `top` best labels (default 1).
 */
export async function crossValidateWith(
  reports: LabelledSet,
  folds: { fold: readonly string[]; names: readonly string[] },
  fit: (rows: number[]) => Promise<Predictor>,
  hooks: { onStart?: (fold: string, train: number, test: number) => void; onFold?: (r: FoldResult) => void } = {},
  top = 1,
): Promise<CrossValidation> {
  const results: FoldResult[] = [];
  const predictions = new Array<OutOfFoldPrediction>(reports.ids.length);
  for (const name of folds.names) {
    const tr = folds.fold.flatMap((f, i) => (f === name ? [] : [i]));
    const te = folds.fold.flatMap((f, i) => (f === name ? [i] : []));
    hooks.onStart?.(name, tr.length, te.length);
    const model = await fit(tr);
    const preds = model.predict(
      te.map((i) => reports.texts[i]),
      { top },
    );
    preds.forEach((p, k) => {
      const ranked = (p.top ?? [{ label: p.label, probability: p.confidence }])
        .slice(0, top)
        .map((t) => ({ label: t.label, probability: t.probability }));
      predictions[te[k]] = { id: reports.ids[te[k]], label: p.label, confidence: p.confidence, fold: name, top: ranked };
    });
    const r: FoldResult = {
      fold: name,
      ...(model.hyperparameters ? { hyperparameters: model.hyperparameters } : {}),
      ...score(
        te.map((i) => reports.labels[i]),
        preds.map((p) => p.label),
        preds.map((p) => p.confidence),
      ),
    };
    results.push(r);
    hooks.onFold?.(r);
  }
  const stat = (k: SummaryKey) => {
    const xs = results.map((r) => r[k]);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    return { mean, std: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) };
  };
  return {
    folds: results,
    mean: Object.fromEntries(SUMMARY_KEYS.map((k) => [k, stat(k).mean])) as Record<SummaryKey, number>,
    std: Object.fromEntries(SUMMARY_KEYS.map((k) => [k, stat(k).std])) as Record<SummaryKey, number>,
    range: Object.fromEntries(
      SUMMARY_KEYS.map((k) => [k, { min: Math.min(...results.map((r) => r[k])), max: Math.max(...results.map((r) => r[k])) }]),
    ) as Record<SummaryKey, { min: number; max: number }>,
    predictions,
    pooled: score(
      reports.labels,
      predictions.map((p) => p.label),
      predictions.map((p) => p.confidence),
    ),
  };
}
