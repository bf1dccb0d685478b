import { availableParallelism } from 'node:os';
import { DataError, UsageError } from '../base/errors.js';
import { validateHyperparameters } from '../base/hyperparameters.js';
import { assignFolds, crossValidateWith, type CrossValidation } from '../eval/crossvalidate.js';
import { score, type Evaluation } from '../eval/metrics.js';
import type { Reports } from '../io/reports.js';
import { train, type Model, type TrainOptions } from './model.js';

/** The model's predictions on labelled reports, scored: accuracy, F1s, confusion, calibration error, accuracy at coverage. */
export function evaluate(model: Model, reports: Reports): Evaluation {
  const gold = labelsOf(reports);
  const preds = model.predict(reports.texts);
  return score(gold, preds.map((p) => p.label), preds.map((p) => p.confidence));
}

export interface CrossValidateOptions extends TrainOptions {
  /** Folds (default 5): seeded and stratified by label, unless the reports carry their own (`folds`, from readReports's foldColumn). */
  folds?: number;
  /** How many ranked labels each out-of-fold prediction lists in `top` (default 1; the number of labels gives every label's probability). */
  top?: number;
}

/**
 * k-fold cross-validation with train's and evaluate's own code: for each fold, a model trained
 * on the others (with the same options) scores it. Figures per fold, their mean and standard
 * deviation, the scores of all the out-of-fold predictions pooled, and every report's
 * out-of-fold prediction with its fold and the `top` best labels.
 */
export async function crossValidate(reports: Reports, options: CrossValidateOptions = {}): Promise<CrossValidation> {
  const hp = validateHyperparameters(options.hyperparameters ?? {});
  const labels = labelsOf(reports);
  const k = options.folds ?? 5;
  const folds = assignFolds(labels, k, hp.seed, reports.folds);
  const log = options.onProgress;
  const threads = options.threads ?? availableParallelism();
  const top = options.top ?? 1;
  if (!Number.isInteger(top) || top < 1) throw new UsageError(`top is ${top}: expected an integer from 1 up`);
  return crossValidateWith(
    { ids: reports.ids, texts: reports.texts, labels },
    folds,
    (rows) =>
      train(
        { ids: rows.map((i) => reports.ids[i]), texts: rows.map((i) => reports.texts[i]), labels: rows.map((i) => labels[i]), secondLabels: reports.secondLabels && rows.map((i) => reports.secondLabels![i]) },
        { ...options, threads, onProgress: undefined },
      ),
    {
      onStart: (name, tr, te) => log?.(`fold ${name}: training on ${tr}, testing on ${te}`),
      onFold: (r) => log?.(`fold ${r.fold}: accuracy ${r.accuracy.toFixed(3)}  macro-F1 ${r.macro_f1.toFixed(3)}`),
    },
    top,
  );
}

function labelsOf(reports: Reports): string[] {
  if (!reports.labels) throw new DataError('the reports carry no labels: scoring needs a label for every report', { code: 'NO_LABELS' });
  return reports.labels;
}
