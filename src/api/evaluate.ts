import { availableParallelism } from 'node:os';
import { DataError, UsageError } from '../base/errors.js';
import { validateHyperparameters } from '../base/hyperparameters.js';
import { checkOptions, pickOptions, type OptionKeys } from '../base/options.js';
import { assignFolds, crossValidateWith, type CrossValidation, type GroupCount, type Predictor } from '../eval/crossvalidate.js';
import { singleLabelOnly } from '../model/prediction.js';
import { reliabilityBins, score, thresholdCurve, type Evaluation, type ReliabilityBin, type ThresholdPoint } from '../eval/metrics.js';
import type { Reports } from '../io/reports.js';
import { duplicateGroups, groupsOf } from '../text/duplicates.js';
import { train, TRAIN_OPTIONS, type Model, type TrainOptions } from './model.js';
import { caseOnlyLabels, matchLabelCase, trainingOverlap, unseenLabels, type ResultWarning } from '../eval/warnings.js';

/** A label and its confidence: what scoring needs of a prediction (a Prediction, or an out-of-fold prediction of crossValidate). */
export interface ScoredPrediction {
  label: string;
  confidence: number;
}

/** An evaluation of a model, with what a reader of its figures must know: how many of the reports it was trained on, and the warnings. */
export interface ModelEvaluation extends Evaluation {
  /** How many of the reports the model was trained on, by fingerprint (null for a model that keeps none): their scores overstate. */
  trained_on: number | null;
  /** Labels the model never saw, labels matched to the model's ignoring case, training overlap: empty when there is nothing to say. */
  warnings: ResultWarning[];
}

/** What evaluating a model on labelled reports must take into account before scoring: the labels to score against, the training overlap, the warnings. */
export interface EvaluationChecks {
  /** The reports' labels, each matched to the model's where it differs only in case (`kvm` read as the model's `KVM`). */
  labels: string[];
  trained_on: number | null;
  warnings: ResultWarning[];
}

/**
 * The checks of an evaluation (see EvaluationChecks): what evaluate does before it scores, for a
 * caller that predicts and scores by itself (scorePredictions) and must say the same.
 */
export function checkEvaluation(model: Model, reports: Reports): EvaluationChecks {
  const matched = matchLabelCase(labelsOf(reports), model.labels);
  const unseen = unseenLabels(matched.labels, model.labels);
  const overlap = trainingOverlap(model.hasFingerprints ? model.trainedOn(reports.texts) : undefined);
  return {
    labels: matched.labels,
    trained_on: overlap.trained_on,
    warnings: [matched.warning, unseen, overlap.warning].filter((w): w is ResultWarning => w !== undefined),
  };
}

/**
 * The model's predictions on labelled reports, scored: accuracy, F1s, confusion, calibration
 * error, accuracy at coverage; with how many of the reports it was trained on, and the warnings
 * (see checkEvaluation). A label that differs from one of the model's only in case is read as
 * the model's, and said.
 */
export function evaluate(model: Model, reports: Reports): ModelEvaluation {
  const checks = checkEvaluation(model, reports);
  return {
    ...scorePredictions(checks.labels, singleLabelOnly(model.predict(reports.texts))),
    trained_on: checks.trained_on,
    warnings: checks.warnings,
  };
}

/**
 * Predictions already made, scored against the right labels (one per prediction, in order):
 * what evaluate gives, for a caller that keeps the predictions too (to draw them, or to list
 * the errors) and so predicts only once.
 */
export function scorePredictions(labels: readonly string[], predictions: readonly ScoredPrediction[]): Evaluation {
  checkLengths(labels, predictions);
  return score(
    labels,
    predictions.map((p) => p.label),
    predictions.map((p) => p.confidence),
  );
}

/**
 * The reliability diagram of predictions against the right labels: `bins` equal-width
 * confidence bins (10 by default, as the calibration error uses), each with its reports'
 * accuracy and mean confidence.
 */
export function reliability(labels: readonly string[], predictions: readonly ScoredPrediction[], bins = 10): ReliabilityBin[] {
  checkLengths(labels, predictions);
  if (!Number.isInteger(bins) || bins < 1) throw new UsageError(`bins is ${bins}: expected an integer from 1 up`);
  return reliabilityBins(
    correctOf(labels, predictions),
    predictions.map((p) => p.confidence),
    bins,
  );
}

/**
 * Accuracy against coverage: for each confidence threshold (every distinct confidence, highest
 * first), the share of reports at or above it and their accuracy. Predicting with
 * `minConfidence` set to a point's threshold keeps that point's reports and answers the review
 * label for the others.
 */
export function confidenceThresholds(labels: readonly string[], predictions: readonly ScoredPrediction[]): ThresholdPoint[] {
  checkLengths(labels, predictions);
  return thresholdCurve(
    correctOf(labels, predictions),
    predictions.map((p) => p.confidence),
  );
}

function checkLengths(labels: readonly string[], predictions: readonly ScoredPrediction[]): void {
  if (labels.length !== predictions.length)
    throw new UsageError(`${labels.length} labels for ${predictions.length} predictions: expected one label per prediction`);
}

const correctOf = (labels: readonly string[], predictions: readonly ScoredPrediction[]) => predictions.map((p, i) => p.label === labels[i]);

export interface CrossValidateOptions extends TrainOptions {
  /** Folds (default 5): seeded and stratified by label, unless the reports carry their own (`folds`, from readReports's foldColumn). */
  folds?: number;
  /** How many ranked labels each out-of-fold prediction lists in `top` (default 1; the number of labels gives every label's probability). */
  top?: number;
}

/** CrossValidateOptions's keys (base/options.ts). */
export const CROSS_VALIDATE_OPTIONS: OptionKeys<CrossValidateOptions> = { ...TRAIN_OPTIONS, folds: true, top: true };

/** A cross-validation, with what a reader of its figures must know (labels of the data that differ only in case): `warnings`, empty when there is nothing to say. */
export interface CrossValidationResult extends CrossValidation {
  warnings: ResultWarning[];
}

/**
 * k-fold cross-validation with train's and evaluate's own code: for each fold, a model trained
 * on the others (with the same options) scores it. Figures per fold, their mean and standard
 * deviation, the scores of all the out-of-fold predictions pooled, and every report's
 * out-of-fold prediction with its fold and the `top` best labels. Reports that are copies of one
 * another (or of one of `groups`, else of the reports' own `groups` from readReports's
 * groupColumn) stay in one fold; `groups` in the result says how many groups there were.
 */
export async function crossValidate(reports: Reports, options: CrossValidateOptions = {}): Promise<CrossValidationResult> {
  checkOptions('crossValidate', options, CROSS_VALIDATE_OPTIONS);
  const hp = validateHyperparameters(options.hyperparameters ?? {});
  const labels = labelsOf(reports);
  const k = options.folds ?? 5;
  const log = options.onProgress;
  const given = options.groups ?? reports.groups;
  if (given && given.length !== labels.length)
    throw new UsageError(`${given.length} groups for ${labels.length} reports: expected one group per report`);
  // Copies of one report in two folds would score a model on what it was trained on: each group stays in one fold.
  const grouping = given ? groupsOf(given) : duplicateGroups(reports.texts);
  const groups: GroupCount = { shared: grouping.shared, reports: grouping.reports, source: given ? 'given' : 'duplicates' };
  log?.(
    groups.shared
      ? `${groups.shared} group${groups.shared === 1 ? '' : 's'} of ${groups.reports} reports ${given ? 'given' : 'that share a title or text'}: ${reports.folds ? 'the calibration keeps' : 'the folds keep'} each in one fold`
      : `no reports ${given ? 'share a group' : 'share a title or text'}: no groups to keep in one fold`,
  );
  const folds = assignFolds(labels, k, hp.seed, reports.folds, grouping.group);
  const threads = options.threads ?? availableParallelism();
  const top = options.top ?? 1;
  if (!Number.isInteger(top) || top < 1) throw new UsageError(`top is ${top}: expected an integer from 1 up`);
  const warnings = [caseOnlyLabels(labels)].filter((w): w is ResultWarning => w !== undefined);
  for (const w of warnings) log?.(`warning: ${w.message}`);
  const result = await crossValidateWith(
    { ids: reports.ids, texts: reports.texts, labels },
    folds,
    async (rows) =>
      singleLabelPredictor(
        await train(
          {
            ids: rows.map((i) => reports.ids[i]),
            texts: rows.map((i) => reports.texts[i]),
            labels: rows.map((i) => labels[i]),
            annotators: reports.annotators?.map((a) => ({ name: a.name, labels: rows.map((i) => a.labels[i]) })),
            secondLabels: reports.secondLabels && rows.map((i) => reports.secondLabels![i]),
          },
          {
            ...pickOptions<TrainOptions>(options, TRAIN_OPTIONS),
            threads,
            onProgress: undefined,
            groups: rows.map((i) => grouping.group[i]),
          },
        ),
      ),
    {
      onStart: (name, tr, te) => log?.(`fold ${name}: training on ${tr}, testing on ${te}`),
      onFold: (r) => log?.(`fold ${r.fold}: accuracy ${r.accuracy.toFixed(3)}  macro-F1 ${r.macro_f1.toFixed(3)}`),
    },
    top,
  );
  return { ...result, warnings, groups };
}

/** A single-label model as crossValidateWith predicts with it. */
const singleLabelPredictor = (model: Model): Predictor => ({
  hyperparameters: model.hyperparameters,
  predict: (texts, o) => singleLabelOnly(model.predict(texts, o)),
});

function labelsOf(reports: Reports): string[] {
  if (!reports.labels) throw new DataError('the reports carry no labels: scoring needs a label for every report', { code: 'NO_LABELS' });
  return reports.labels;
}
