import { DataError } from '../base/errors.js';
import type { Hyperparameters } from '../base/hyperparameters.js';
import type { Log } from '../base/log.js';
import type { LazyRuntime } from '../nn/backend.js';
import { countTerms, type Counted } from '../text/counter.js';
import type { Vectorizer } from '../text/vectorizer.js';
import { duplicateGroups, groupsOf } from '../text/duplicates.js';
import type { TermVectors } from '../text/vectors.js';
import { Targets } from '../base/targets.js';
import { UNCALIBRATED } from './calibration.js';
import { Classifier } from './classifier.js';
import { fingerprints } from './fingerprint.js';
import { calibrationOf, calibrationPlan, MIN_CALIBRATION_REPORTS } from './crossfit.js';
import { runTasks, shareTasks, TrainingWorker, workerAvailable, type NetworkTask } from './parallel.js';
import { receivedSet, trainingSet } from './parts.js';
import { Network } from '../nn/network.js';
import { trainingTargets, type Annotator } from './targets.js';
import { lazyIndex, SimilarIndex } from './similar.js';
import { labelSetTargets, operatingPoints, type LabelSetRules, type MultiLabelRecord } from './multilabel.js';

/** How to train, beyond the hyperparameters: where progress goes, how many threads, and when to stop. */
export interface FitOptions {
  log: Log;
  /** Threads to train on: with 2 or more, the calibration models train beside the final one. */
  threads: number;
  signal?: AbortSignal;
  /** Term vectors learned from unlabelled text (pretrain.ts): the vocabulary's document frequencies and the input weights' starting point. */
  pretrained?: TermVectors;
  /** The name of the annotator who gave `labels` (default `label`): the model records it. */
  labelName?: string;
  /**
   * Other annotators' labels of the same reports: combined with `labels` by Dawid-Skene EM into
   * soft targets (targets.ts). Their labels outside the label set (or empty) count as none, and
   * case does not matter.
   */
  others?: readonly Annotator[];
  /** Each report's id, for messages. */
  ids?: readonly string[];
  /**
   * Each report's group (a name or number): reports of one group share a fold of the cross-fitted
   * calibration. Default: copies of one another (a shared title or body, text/duplicates.ts).
   */
  groups?: readonly (string | number)[];
  /**
   * Keep the training reports' ids, labels and TF-IDF vectors (each cut to its `terms` largest
   * weights, 0 for all) in the model, to find the ones most similar to a new report (similar.ts).
   */
  index?: { terms: number };
  /**
   * Multi-label: each report's labels (a tracker's label list), which the model learns in place of
   * `labels` (then ignored), by `rules`; each label's threshold is its best out-of-fold F1, or
   * with `minPrecision` the lowest threshold reaching it, never under `minPrecision` itself.
   */
  labelSets?: { lists: readonly (readonly string[])[]; rules: LabelSetRules; minPrecision?: number };
  /**
   * How many of the reports, from the first, carry a person's labels (default: all). The rest carry
   * the model's own guesses (self-training.ts): the networks learn from every report, but the
   * fingerprints and the index hold only the first ones.
   */
  labelled?: number;
}

/**
 * Fits a classifier to labelled reports: the label set is the labels' distinct values, sorted;
 * every report is tokenized once; the final model and the cross-fitted calibration models
 * (crossfit.ts) fit their vocabularies and networks from the same counts. With other
 * annotators' labels (`o.others`), the targets are soft (targets.ts), and a report may lack a
 * label ('') in `labels` if another annotator labelled it.
 */
export async function trainClassifier(
  rt: LazyRuntime,
  texts: readonly string[],
  labels: readonly string[],
  hp: Hyperparameters,
  o: FitOptions,
): Promise<Classifier> {
  const { log } = o;
  // A second thread, if there may be networks for it: it loads while this one counts (parallel.ts).
  const worker =
    workerAvailable(o.threads) && hp.members + hp.calibrationFolds > 1
      ? new TrainingWorker({ backend: rt.backend, kernels: rt.kernels }, log, o.signal)
      : undefined;
  try {
    return await fitClassifier(rt, texts, labels, hp, o, worker);
  } finally {
    // Unused (no task for it), or the run failed: nothing waits for it any more.
    worker?.stop();
  }
}

async function fitClassifier(
  rt: LazyRuntime,
  texts: readonly string[],
  labels: readonly string[],
  hp: Hyperparameters,
  o: FitOptions,
  worker: TrainingWorker | undefined,
): Promise<Classifier> {
  const { log } = o;
  const sets = o.labelSets && labelSetTargets(o.labelSets.lists, o.labelSets.rules, log);
  const made =
    sets?.targets ??
    trainingTargets([{ name: o.labelName ?? 'label', labels }, ...(o.others ?? [])], log, (i) => o.ids?.[i] ?? String(i + 1));
  const data = made.data();
  if (data.kind === 'single-label' && data.labels.length < 2) {
    throw new DataError(
      `the training data holds ${data.labels.length === 0 ? 'no category' : `one category only (${data.labels[0]})`}: a classifier needs reports of at least two categories`,
      { code: 'ONE_CATEGORY' },
    );
  }
  // Copies of one report on both sides of a calibration fold would make it score what it was
  // trained on. The worker, which has nothing else to do yet, finds them while this thread counts.
  const grouped = o.groups ? groupsOf(o.groups) : worker ? worker.group(texts) : duplicateGroups(texts);

  // Every report is tokenized once; the calibration models and the final model fit their
  // vocabularies from the same counts.
  const started = performance.now();
  const counted = { ...countTerms(texts, hp), pretrained: o.pretrained };
  const seconds = (performance.now() - started) / 1000;
  const grouping = await grouped;
  const targets = new Targets({ ...data, groups: grouping.group });
  if (hp.calibrationFolds > 0 && grouping.shared && texts.length >= MIN_CALIBRATION_REPORTS)
    log(
      `${grouping.shared} group${grouping.shared === 1 ? '' : 's'} of ${grouping.reports} reports ${o.groups ? 'given' : 'that share a title or text'}: each kept in one calibration fold`,
    );
  const counts = targets.labelCounts();
  const single = targets.kind === 'single-label' ? targets.labels.filter((l) => counts[l] === 1) : [];
  if (single.length)
    log(
      `warning: ${single.length} categor${single.length === 1 ? 'y has' : 'ies have'} one report only (${single.join(', ')}): expect poor recall there`,
    );
  log(`tokenized ${texts.length} reports: ${counted.terms.length} distinct terms (${seconds.toFixed(1)} s)`);
  // The final model's members and the calibration's fold models (each trained on part of the
  // data, scoring the rest) are independent networks: with two threads or more, a worker trains
  // some of them beside this thread (parallel.ts).
  const all = Array.from(texts, (_, i) => i);
  const plan = hp.calibrationFolds > 0 ? calibrationPlan(targets, hp) : undefined;
  const folds = plan && !('skipped' in plan) ? plan : undefined;
  const tasks: NetworkTask[] = [
    ...Array.from({ length: hp.members }, (_, m): NetworkTask => ({ kind: 'member', m })),
    ...Array.from({ length: folds ? hp.calibrationFolds : 0 }, (_, f): NetworkTask => ({ kind: 'fold', f })),
  ];
  const heldOut = (f: number) => (folds ? folds.fold.reduce((k, g) => k + (g === f ? 1 : 0), 0) : 0);
  const cost = (t: NetworkTask) => (t.kind === 'member' ? hp.epochs * texts.length : folds!.epochs * (texts.length - heldOut(t.f)));
  const [mine, theirs] = worker ? shareTasks(tasks, cost) : [tasks, []];
  const job = { counted, targets, hp };
  const elsewhere = theirs.length ? worker!.run({ ...job, targets: targets.data(), tasks: theirs }) : undefined;
  // Should the final model fail or be cancelled, the worker's own failure is not the news.
  elsewhere?.catch(() => {});
  // TensorFlow.js is loaded only now, once the worker has its job (lazyRuntime).
  const runtime = await rt.load();
  // The final model's vocabulary and vectors: made by the worker if it trains a member (it makes
  // them first, and posts them), while this thread trains its fold models first; else made here.
  const shared = theirs.some((t) => t.kind === 'member');
  const full = { counted, rows: all, targets, hp, log };
  const set = shared ? worker!.fullSet().then((posted) => receivedSet(posted, full)) : trainingSet(full);
  // Awaited below, or not at all if this thread's own tasks fail first: their failure is the news.
  if (set instanceof Promise) set.catch(() => {});
  const order = shared ? [...mine.filter((t) => t.kind === 'fold'), ...mine.filter((t) => t.kind === 'member')] : mine;
  const here = await runTasks(runtime, { ...job, tasks: order }, { set, plan, log, signal: o.signal });
  const { vectorizer } = await set;
  // Reports with a person's label: the first `people` (the rest, the model's guesses, are only learnt from).
  const people = o.labelled ?? texts.length;
  // What needs none of the worker's networks is done while it may still be training.
  const index = o.index && keepIndex(counted, vectorizer, targets, o.ids, o.index.terms, log, people);
  const coverage = vectorizer.coverageCounted(counted, all).sort();
  const trained = fingerprints(people < texts.length ? texts.slice(0, people) : texts);
  const there = elsewhere ? await elsewhere : { members: [], folds: [] };
  const shape = { vocabSize: vectorizer.size, hidden: hp.hidden, classes: targets.labels.length };
  const networks = [...here.members, ...there.members.map(({ m, net }) => ({ m, net: new Network(shape, net, rt.kernels, net.shared) }))]
    .sort((a, b) => a.m - b.m)
    .map(({ net }) => net);
  const foldLogits = [...here.folds, ...there.folds].sort((a, b) => a.f - b.f).map(({ logits }) => logits);
  const fitted = plan && ('skipped' in plan ? plan.skipped : calibrationOf(targets, hp, plan, foldLogits));
  if (fitted) fitted.messages.forEach((m) => log(m));
  const at = (q: number) => Math.round(coverage[Math.min(coverage.length - 1, Math.floor(q * coverage.length))] * 1e4) / 1e4;
  let multiLabel: MultiLabelRecord | undefined;
  if (sets && o.labelSets) {
    const { rules, minPrecision } = o.labelSets;
    const k = targets.labels.length;
    const oof = fitted?.labels;
    const points = oof
      ? operatingPoints(oof.probabilities, targets.sets!, targets.labels, minPrecision)
      : targets.labels.map((l) => ({ threshold: 0.5, precision: 0, recall: 0, f1: 0, support: counts[l] }));
    const unreachable = oof ? targets.labels.filter((_, c) => points[c].threshold === null) : [];
    if (unreachable.length)
      log(
        `${unreachable.length} label${unreachable.length === 1 ? '' : 's'} ${minPrecision !== undefined ? `cannot reach precision ${minPrecision}` : "do no better than chance (odds of being right under twice the label's base odds at every threshold)"} out of fold and will not be suggested: ${unreachable.join(', ')}`,
      );
    if (!oof) log('no out-of-fold predictions: every label is suggested from probability 0.5');
    multiLabel = {
      exclude: [...rules.exclude],
      minLabelCount: rules.minLabelCount,
      rule: minPrecision !== undefined ? 'min-precision' : 'max-f1',
      ...(minPrecision !== undefined ? { minPrecision } : {}),
      calibration: oof?.calibration ?? Array.from({ length: k }, () => ({ slope: 1, intercept: 0 })),
      points: Object.fromEntries(targets.labels.map((l, c) => [l, points[c]])),
      needsMoreData: sets.needsMoreData,
      unreachable,
      outOfFoldReports: oof ? texts.length : 0,
      withoutLabels: sets.withoutLabels,
    };
  }
  return new Classifier(
    hp,
    targets.labels,
    fitted?.calibration ?? UNCALIBRATED,
    vectorizer,
    networks,
    {
      n: texts.length,
      labelCounts: counts,
      calibrationReports: fitted?.reports ?? 0,
      coverage: { p05: at(0.05), median: at(0.5) },
      targets: targets.summary,
    },
    trained,
    index,
    multiLabel,
  );
}

/** A training report's labels: its label set (multi-label), or its one label. */
function labelsOf(targets: Targets, r: number): string[] {
  const { sets, labels } = targets;
  if (!sets) return [labels[targets.y[r]]];
  const k = labels.length;
  return labels.filter((_, c) => sets[r * k + c] === 1);
}

/** The index of the training reports (by their ids, or their numbers from 1), each labelled with its target's label(s). */
function keepIndex(
  counted: Counted,
  vectorizer: Vectorizer,
  targets: Targets,
  ids: readonly string[] | undefined,
  terms: number,
  log: Log,
  n: number,
) {
  const started = performance.now();
  const index = SimilarIndex.build(
    n,
    (r) => vectorizer.transformCounted(counted, [r])[0],
    Array.from({ length: n }, (_, r) => ids?.[r] ?? String(r + 1)),
    Array.from({ length: n }, (_, r) => labelsOf(targets, r)),
    terms,
    vectorizer.size,
  );
  log(
    `kept an index of the ${n} training reports to find similar ones: ${index.values.length} weights (${terms > 0 ? `at most ${terms}` : 'all'} a report, ${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
  return lazyIndex(() => index);
}
