import { availableParallelism } from 'node:os';
import { DataError, UsageError } from '../base/errors.js';
import { validateHyperparameters, type Hyperparameters } from '../base/hyperparameters.js';
import { silentLog } from '../base/log.js';
import { Rng } from '../base/rng.js';
import { splitPatterns } from '../base/globs.js';
import { scoreLabelSets, type LabelSetEvaluation } from '../eval/multilabel.js';
import type { Reports } from '../io/reports.js';
import { foldRows, targetFolds, timeFolds } from '../model/folds.js';
import { labelSetTargets } from '../model/multilabel.js';
import { train, MIN_LABEL_COUNT, type Model, type TrainOptions } from './model.js';

/**
 * Evaluation and cross-validation of multi-label models (Model.kind `multi-label`): the scores of
 * eval/multilabel.ts, on a later export by hand (evaluateLabelSets) or fold by fold
 * (crossValidateLabelSets), with folds in time order when the reports carry their times.
 */

/** A multi-label model scored on labelled reports, with how many of them it was trained on. */
export interface LabelSetModelEvaluation extends LabelSetEvaluation {
  /** Reports the model was trained on (by its fingerprints); null for a model that keeps none. */
  trained_on: number | null;
}

/** The reports' label lists, checked. */
function listsOf(reports: Reports): string[][] {
  if (!reports.issueLabels)
    throw new DataError("the reports carry no label lists: a multi-label model is scored against each report's labels", {
      code: 'NO_LABELS',
      advice: 'give a GitLab or GitHub export, or a CSV read with labelSeparator',
    });
  return reports.issueLabels;
}

/**
 * A multi-label model's suggestions on reports that carry their label lists, scored (micro- and
 * macro-F1, P@1, each label's precision, recall, F1, support and threshold, and its sweep). Only
 * the model's labels count; a report's other labels (left out, or too rare to learn) are neither
 * hits nor misses. Scoring a later export this way judges the model on the future, as a bot is.
 */
export function evaluateLabelSets(model: Model, reports: Reports): LabelSetModelEvaluation {
  if (model.kind !== 'multi-label') throw new UsageError('evaluateLabelSets scores multi-label models: use evaluate');
  const lists = listsOf(reports);
  const preds = model.predictLabelSets(reports.texts);
  const m = model.multiLabel!;
  const trained = model.hasFingerprints ? model.trainedOn(reports.texts).filter(Boolean).length : null;
  return {
    ...scoreLabelSets(lists, preds, model.labels, { points: m.points, needsMoreData: m.needsMoreData, unreachable: m.unreachable }),
    trained_on: trained,
  };
}

/** One fold of a multi-label cross-validation: its scores, and what it trained and tested on. */
export interface LabelSetFold extends LabelSetEvaluation {
  fold: string;
  train: number;
  test: number;
  /** Time folds: the earliest and latest time of the tested reports. */
  from?: string;
  to?: string;
  /** The hyperparameters the fold's model was trained with (the rules' for its size over the options given). */
  hyperparameters: Hyperparameters;
}

/** The summary figures of a multi-label cross-validation. */
export const LABEL_SET_KEYS = ['micro_f1', 'macro_f1', 'p_at_1', 'precision', 'recall'] as const;
export type LabelSetKey = (typeof LABEL_SET_KEYS)[number];

/** A multi-label cross-validation: each fold's scores, their mean and standard deviation, and every tested report's out-of-fold suggestion. */
export interface LabelSetCrossValidation {
  kind: 'multi-label';
  /** `time`: forward-chaining folds (train on the past, test on the future); `stratified`: k folds, each tested by a model trained on the others. */
  order: 'time' | 'stratified';
  folds: LabelSetFold[];
  mean: Record<LabelSetKey, number>;
  std: Record<LabelSetKey, number>;
  /** Each tested report's out-of-fold suggestion, in input order (time folds never test the oldest part). */
  predictions: { id: string; fold: string; labels: string[]; scores: Record<string, number> }[];
  /**
   * Every tested report's out-of-fold suggestion scored together, over every label some fold's
   * model learned (a fold's model that did not learn a label gave it probability 0); thresholds
   * are the last fold's model's (trained on the most reports).
   */
  pooled: LabelSetEvaluation;
}

export interface LabelSetCrossValidateOptions extends TrainOptions {
  /** Folds (default 5). */
  folds?: number;
}

/**
 * Multi-label k-fold cross-validation with train's own code. With the reports' times
 * (Reports.times, from readReports's timeColumn), forward-chaining folds: the reports, oldest
 * first, are cut into k + 1 parts, and fold f trains on parts 1..f and is tested on part f + 1
 * (model/folds.ts, timeFolds). Without, k folds stratified by each report's rarest label, each
 * tested by a model trained on the others.
 */
export async function crossValidateLabelSets(
  reports: Reports,
  options: LabelSetCrossValidateOptions = {},
): Promise<LabelSetCrossValidation> {
  const { folds: k = 5, ...trainOptions } = options;
  if (!Number.isInteger(k) || k < 2) throw new UsageError(`folds is ${k}: expected an integer from 2 up`);
  const hp = validateHyperparameters(options.hyperparameters ?? {});
  const lists = listsOf(reports);
  const log = options.onProgress ?? silentLog;
  const threads = options.threads ?? availableParallelism();
  let plan: { name: string; train: number[]; held: number[] }[];
  const times = reports.times;
  if (times) {
    const missing = times.filter((t) => t === '').length;
    if (missing)
      throw new DataError(
        `${missing} report${missing === 1 ? ' has' : 's have'} no time: give every report one, or leave out the time column`,
      );
    plan = timeFolds(times, k).map((f, i) => ({ name: String(i + 1), ...f }));
  } else {
    const rules = { exclude: splitPatterns(options.excludeLabels ?? []), minLabelCount: options.minLabelCount ?? MIN_LABEL_COUNT };
    const fold = targetFolds(labelSetTargets(lists, rules, silentLog).targets, k, new Rng(hp.seed + 7));
    plan = Array.from({ length: k }, (_, f) => ({ name: String(f + 1), ...foldRows(fold, f) }));
  }
  const folds: LabelSetFold[] = [];
  let last: Model | undefined;
  const learned = new Set<string>();
  const predictions: LabelSetCrossValidation['predictions'] = [];
  const byRow = new Map<number, LabelSetCrossValidation['predictions'][number]>();
  for (const { name, train: tr, held } of plan) {
    if (tr.length === 0 || held.length === 0)
      throw new DataError(`fold ${name} has no reports to ${tr.length ? 'test' : 'train'} on: choose fewer folds`);
    const span = times ? { from: held.map((i) => times[i]).sort()[0], to: held.map((i) => times[i]).sort()[held.length - 1] } : {};
    log(`fold ${name}: training on ${tr.length}, testing on ${held.length}${times ? ` (${span.from} to ${span.to})` : ''}`);
    const model: Model = await train(
      { ids: tr.map((i) => reports.ids[i]), texts: tr.map((i) => reports.texts[i]), issueLabels: tr.map((i) => lists[i]) },
      { ...trainOptions, multiLabel: true, threads, onProgress: undefined },
    );
    const preds = model.predictLabelSets(held.map((i) => reports.texts[i]));
    last = model;
    model.labels.forEach((l) => learned.add(l));
    const m = model.multiLabel!;
    const scored = scoreLabelSets(
      held.map((i) => lists[i]),
      preds,
      model.labels,
      { points: m.points, needsMoreData: m.needsMoreData, unreachable: m.unreachable },
    );
    const r: LabelSetFold = { fold: name, train: tr.length, test: held.length, ...span, ...scored, hyperparameters: model.hyperparameters };
    folds.push(r);
    held.forEach((i, j) => byRow.set(i, { id: reports.ids[i], fold: name, labels: preds[j].labels, scores: preds[j].scores }));
    log(`fold ${name}: micro-F1 ${r.micro.f1.toFixed(3)}  macro-F1 ${r.macro_f1.toFixed(3)}  P@1 ${r.p_at_1.toFixed(3)}`);
  }
  [...byRow.keys()].sort((a, b) => a - b).forEach((i) => predictions.push(byRow.get(i)!));
  const value = (f: LabelSetFold, key: LabelSetKey): number =>
    key === 'micro_f1' ? f.micro.f1 : key === 'precision' ? f.micro.precision : key === 'recall' ? f.micro.recall : f[key];
  const stat = (key: LabelSetKey) => {
    const xs = folds.map((f) => value(f, key));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    return { mean, std: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) };
  };
  const tested = [...byRow.keys()].sort((a, b) => a - b);
  const m = last!.multiLabel!;
  const pooled = scoreLabelSets(
    tested.map((i) => lists[i]),
    predictions.map((p) => ({ ...p, coverage: 0 })),
    [...learned].sort(),
    { points: m.points, needsMoreData: m.needsMoreData, unreachable: m.unreachable },
  );
  return {
    kind: 'multi-label',
    order: times ? 'time' : 'stratified',
    pooled,
    folds,
    mean: Object.fromEntries(LABEL_SET_KEYS.map((key) => [key, Math.round(stat(key).mean * 1e4) / 1e4])) as Record<LabelSetKey, number>,
    std: Object.fromEntries(LABEL_SET_KEYS.map((key) => [key, Math.round(stat(key).std * 1e4) / 1e4])) as Record<LabelSetKey, number>,
    predictions,
  };
}
