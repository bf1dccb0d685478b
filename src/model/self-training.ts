import type { Hyperparameters } from '../base/hyperparameters.js';
import { silentLog } from '../base/log.js';
import { Targets } from '../base/targets.js';
import type { LazyRuntime } from '../nn/backend.js';
import { meanLogits } from '../nn/network.js';
import { duplicateGroups, groupsOf } from '../text/duplicates.js';
import { fitCalibration, priorShift, UNCALIBRATED } from './calibration.js';
import { Classifier } from './classifier.js';
import { calibrationPlan, type CalibrationFit } from './crossfit.js';
import { fingerprints, seenIn } from './fingerprint.js';
import { foldRows } from './folds.js';
import { TrainingWorker, workerAvailable, type SelfTrainFoldJob, type SelfTrainFoldResult } from './parallel.js';
import type { Prediction } from './prediction.js';
import type { SelfTrainingRecord, SelfTrainingSettings } from './record.js';
import { trainingTargets } from './targets.js';
import { trainClassifier, type FitOptions } from './train.js';

/**
 * Self-training (scikit-learn's SelfTrainingClassifier; Yarowsky's bootstrapping): train on the
 * labelled reports, guess the reports without labels, take the surest guesses as labels, train
 * again on both; `rounds` times. The guesses taken are the most confident `share` of the reports
 * the model puts in each category (class-balanced, as Zou et al.'s CBST: a threshold on the
 * confidence would take mostly the largest categories, and the confidences of 2 and of 17
 * categories are on other scales). Pool reports that are copies of labelled ones (same normal
 * form) are left out; the fingerprints and the index hold only the labelled reports.
 *
 * The calibration cross-fits the whole procedure (hp.calibrationFolds folds of the labelled
 * reports): for each fold, the procedure is run on the other folds' labelled reports and the
 * pool, and the network it ends with scores the fold. Fitted instead on fold networks trained
 * with the final guesses (made by a model that saw every labelled report), or on fold networks
 * without guesses, the confidences on fold 0 of the 17 categories were off by 0.14 on average
 * (calibration error), against 0.04 without self-training. With two threads, a worker runs every
 * other fold's procedure (the same model as one thread gives).
 *
 * Why self-train: reports chosen by `next` are the model's hardest, so 500 of them trained it less
 * well than 500 random ones on the mode taxonomy; the surest guesses on the rest of the pool
 * restore the easy reports the chosen set lacks (README, "A new taxonomy with 200 labels").
 */
export async function selfTrainClassifier(
  rt: LazyRuntime,
  texts: readonly string[],
  labels: readonly string[],
  pool: readonly string[],
  hp: Hyperparameters,
  o: FitOptions & { poolIds?: readonly string[] },
  s: SelfTrainingSettings,
): Promise<{ classifier: Classifier; record: SelfTrainingRecord }> {
  const known = seenIn(fingerprints(texts), pool);
  const rest = pool.filter((_, i) => !known[i]);
  const restIds = o.poolIds?.filter((_, i) => !known[i]);
  const record: SelfTrainingRecord = { ...s, labelled: texts.length, pool: pool.length, copies: pool.length - rest.length, added: [] };
  // Every model of the procedure is trained uncalibrated; the calibration is fitted at the end.
  const plain = { ...hp, calibrationFolds: 0 };
  const final = await bootstrap(rt, texts, labels, rest, plain, { ...o, poolIds: restIds }, s, record.added);
  const calibration = await crossFitted(rt, texts, labels, rest, hp, o, s, final);
  return {
    classifier: new Classifier(
      hp,
      final.labels,
      calibration?.calibration ?? UNCALIBRATED,
      final.vectorizer,
      final.networks,
      { ...final.training, calibrationReports: calibration?.reports ?? 0 },
      final.fingerprints,
      final.index,
    ),
    record,
  };
}

/** The procedure: train, guess the pool, take the surest, train again, `rounds` times; the last classifier (`added` hears how many each round took). */
async function bootstrap(
  rt: LazyRuntime,
  texts: readonly string[],
  labels: readonly string[],
  rest: readonly string[],
  hp: Hyperparameters,
  o: FitOptions & { poolIds?: readonly string[] },
  s: SelfTrainingSettings,
  added?: number[],
): Promise<Classifier> {
  // Only the last model of the procedure is kept: the others need no similarity index.
  const rounds = rest.length ? s.rounds : 0;
  const keptAt = (round: number) => (round === rounds ? o.index : undefined);
  let classifier = await trainClassifier(rt, texts, labels, hp, { ...o, index: keptAt(0) });
  for (let round = 1; round <= rounds; round++) {
    const guesses = classifier.predict(rest);
    const taken = surest(guesses, (s.share * round) / s.rounds);
    if (added) {
      added.push(taken.length);
      o.log(
        `self-training, round ${round} of ${s.rounds}: ${taken.length} of ${rest.length} reports without labels learnt with the model's guess`,
      );
    }
    classifier = await trainClassifier(
      rt,
      [...texts, ...taken.map((i) => rest[i])],
      [...labels, ...taken.map((i) => guesses[i].label)],
      hp,
      {
        ...o,
        index: keptAt(round),
        labelled: texts.length,
        ids: o.ids && [...o.ids, ...taken.map((i) => o.poolIds?.[i] ?? `unlabelled ${i + 1}`)],
        // A guessed report is a group of its own unless it copies another (default groups).
        groups: o.groups && [...o.groups, ...taken.map((i) => `\u0000unlabelled ${i}`)],
        others: o.others?.map((a) => ({ ...a, labels: [...a.labels, ...taken.map(() => '')] })),
      },
    );
  }
  return classifier;
}

/**
 * The calibration of the self-trained `final`, cross-fitted (see selfTrainClassifier): none with
 * calibrationFolds 0, and none (with the reason, logged) for too few labelled reports.
 */
async function crossFitted(
  rt: LazyRuntime,
  texts: readonly string[],
  labels: readonly string[],
  rest: readonly string[],
  hp: Hyperparameters,
  o: FitOptions,
  s: SelfTrainingSettings,
  final: Classifier,
): Promise<CalibrationFit | undefined> {
  if (hp.calibrationFolds === 0) return undefined;
  const made = trainingTargets([{ name: o.labelName ?? 'label', labels }, ...(o.others ?? [])], silentLog).data();
  const targets = new Targets({ ...made, groups: (o.groups ? groupsOf(o.groups) : duplicateGroups(texts)).group });
  const plan = calibrationPlan(targets, hp);
  if ('skipped' in plan) {
    plan.skipped.messages.forEach((m) => o.log(m));
    return plan.skipped;
  }
  const k = final.labels.length;
  const logits = new Float32Array(texts.length * k);
  const foldHp = { ...hp, members: 1, calibrationFolds: 0, epochs: plan.epochs };
  const jobs = Array.from({ length: hp.calibrationFolds }, (_, f) => {
    const { train, held } = foldRows(plan.fold, f);
    const pick = <T>(list: readonly T[] | undefined) => list && train.map((i) => list[i]);
    const job: SelfTrainFoldJob = {
      texts: pick(texts)!,
      labels: pick(labels)!,
      rest,
      held: held.map((i) => texts[i]),
      hp: foldHp,
      settings: s,
      labelName: o.labelName,
      others: o.others?.map((a) => ({ ...a, labels: pick(a.labels)! })),
      ids: pick(o.ids),
      groups: pick(o.groups),
      pretrained: o.pretrained,
    };
    return { held, job };
  });
  // With two threads, a worker runs every other fold's procedure (the first, the third, ...) while
  // this thread runs the rest: the same logits as one thread running them all.
  const worker =
    workerAvailable(o.threads) && jobs.length > 1
      ? new TrainingWorker({ backend: rt.backend, kernels: rt.kernels }, silentLog, o.signal)
      : undefined;
  try {
    const there = jobs.map((j, f) => (worker && f % 2 === 0 ? worker.selfTrainFold(j.job) : undefined));
    there.forEach((p) => p?.catch(() => {}));
    // This thread's own folds first, while the worker runs its; then the worker's results.
    const scores: SelfTrainFoldResult[] = [];
    for (const [f, { job }] of jobs.entries()) if (!there[f]) scores[f] = await selfTrainFold(rt, job, o.signal);
    for (const [f, { held }] of jobs.entries()) {
      const scored = scores[f] ?? (await there[f]!);
      // Its logits in the final model's label order (a category its training lacked: far below the rest).
      const column = final.labels.map((l) => scored.labels.indexOf(l));
      const n = scored.labels.length;
      held.forEach((i, r) => {
        const row = scored.logits.subarray(r * n, (r + 1) * n);
        const floor = Math.min(...row) - 20;
        column.forEach((c, j) => (logits[i * k + j] = c >= 0 ? row[c] : floor));
      });
    }
  } finally {
    worker?.stop();
  }
  const calibration = fitCalibration(logits, targets, priorShift(final.labels, final.training.labelCounts, hp.priorCorrection));
  const message = `calibration: ${hp.calibrationFolds} runs of the self-training, each on ${hp.calibrationFolds - 1}/${hp.calibrationFolds} of the labelled reports and the pool, scored on the rest, give temperature ${calibration.temperature.toFixed(3)}, top-label slope ${calibration.slope.toFixed(3)}, intercept ${calibration.intercept.toFixed(3)}`;
  o.log(message);
  return { calibration, reports: texts.length, messages: [message] };
}

/**
 * One calibration fold of the self-training (crossFitted): the procedure on the other folds'
 * labelled reports and the pool, and the logits of the fold's own reports by the network it ends
 * with. Plain data in and out: the training worker runs it too (parallel.ts).
 */
export async function selfTrainFold(rt: LazyRuntime, job: SelfTrainFoldJob, signal?: AbortSignal): Promise<SelfTrainFoldResult> {
  const net = await bootstrap(
    rt,
    job.texts,
    job.labels,
    job.rest,
    job.hp,
    {
      log: silentLog,
      threads: 1,
      signal,
      labelName: job.labelName,
      others: job.others,
      ids: job.ids,
      groups: job.groups,
      pretrained: job.pretrained,
    },
    job.settings,
  );
  return { labels: [...net.labels], logits: meanLogits(net.networks, net.vectorizer.transformWithCoverage(job.held).rows) };
}

/** The rows to take: in each guessed category, the most confident `share` of its reports (rounded up), in row order. */
export function surest(guesses: readonly Prediction[], share: number): number[] {
  const byLabel = new Map<string, number[]>();
  guesses.forEach((g, i) => {
    const rows = byLabel.get(g.label);
    if (rows) rows.push(i);
    else byLabel.set(g.label, [i]);
  });
  const taken: number[] = [];
  for (const rows of byLabel.values()) {
    rows.sort((a, b) => guesses[b].confidence - guesses[a].confidence || a - b);
    taken.push(...rows.slice(0, Math.ceil(rows.length * share)));
  }
  return taken.sort((a, b) => a - b);
}
