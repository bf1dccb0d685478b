import { CancelledError } from '../base/errors.js';
import { validateHyperparameters, type Hyperparameters } from '../base/hyperparameters.js';
import type { Log } from '../base/log.js';
import { Rng } from '../base/rng.js';
import type { Targets } from '../base/targets.js';
import type { Runtime } from '../nn/backend.js';
import { countTerms, type Counted } from '../text/counter.js';
import { featureConfig } from '../text/features.js';
import type { TermVectors } from '../text/vectors.js';
import { priorShift } from './calibration.js';
import { foldRows, targetFolds } from './folds.js';
import { countedLogits, fitParts } from './parts.js';
import type { AutotuneTrace, AutotuneTrial } from './record.js';
import { SEARCH_SPACE, type Space } from '../base/search.js';

/**
 * Hyperparameters chosen by inner cross-validation on the training data itself, within a
 * budget (as fastText's autotune): a seeded search over SEARCH_SPACE, each configuration scored
 * by its accuracy over `folds` stratified folds of the training reports (one network each, no
 * calibration: calibration never changes the predicted label), the best one kept.
 *
 * The search: trial 1 is the configuration train would use without autotune (the caller's
 * values, the rules' and DEFAULTS); every later trial changes 1 to 3 fields, drawn from the
 * seeded stream, of the best configuration so far. Fields the caller set are never changed.
 * Every draw derives from `seed`, and training is deterministic, so the same data, seed and
 * number of trials give the same trials, scores and model. A time budget stops the search
 * after the trial that would overrun it: a faster or slower machine may stop after more or
 * fewer trials, and the trace says how many ran; giving that number as `trials` repeats the
 * search exactly.
 */
export interface AutotuneSettings {
  /** Seconds the search may take (the final model's training comes on top). */
  budgetSeconds: number;
  /** At most this many trials (default: as many as the budget allows). */
  trials?: number;
  /** Seed of the search (its folds and draws). */
  seed: number;
  /** Inner folds (default: 3, or 5 under 1,000 reports, where 3 folds would score on a third of few reports). */
  folds?: number;
}

/** The data the search trains on: texts, their targets (in the same order), and pretrained vectors where train has them. */
export interface TuneData {
  texts: readonly string[];
  targets: Targets;
  pretrained?: TermVectors;
}

/** The search: where it starts (the configuration train would use), the fields it must not change, its settings; where progress goes and when to stop. */
export interface TuneSearch {
  start: Hyperparameters;
  fixed: ReadonlySet<string>;
  settings: AutotuneSettings;
  log: Log;
  signal?: AbortSignal;
}

/** Searches hyperparameters from `start`, never changing the fields in `fixed`. Returns the winning hyperparameters and the trace. */
export async function autotune(
  rt: Runtime,
  data: TuneData,
  { start, fixed, settings: s, log, signal }: TuneSearch,
): Promise<{ hp: Hyperparameters; trace: AutotuneTrace }> {
  const started = performance.now();
  const { targets } = data;
  const { y, labels } = targets;
  const classes = labels.length;
  const k = s.folds ?? (targets.size < 1000 ? 5 : 3);
  const fold = targetFolds(targets, k, new Rng(s.seed + 101));
  const rng = new Rng(s.seed + 202);
  // Tokenizing depends on a few fields only: one count per distinct feature setting.
  const counts = new Map<string, Counted>();
  const countedFor = (hp: Hyperparameters) => {
    const key = JSON.stringify(featureConfig(hp));
    let c = counts.get(key);
    if (!c) counts.set(key, (c = { ...countTerms(data.texts, hp), pretrained: data.pretrained }));
    return c;
  };
  const score = async (hp: Hyperparameters): Promise<{ accuracy: number; std: number }> => {
    const counted = countedFor(hp);
    const accs: number[] = [];
    for (let f = 0; f < k; f++) {
      const { train, held } = foldRows(fold, f);
      const part = await fitParts(rt, { counted, rows: train, targets, hp: { ...hp, members: 1, calibrationFolds: 0 }, signal });
      const logits = countedLogits(part, counted, held);
      const shift = priorShift(labels, targets.subset(train).labelCounts(), hp.priorCorrection);
      // The single-label accuracy: the prior-corrected top logit against each report's label.
      let right = 0;
      held.forEach((i, r) => {
        let top = 0;
        for (let c = 1; c < classes; c++) if (logits[r * classes + c] - shift[c] > logits[r * classes + top] - shift[top]) top = c;
        if (top === y[i]) right++;
      });
      accs.push(right / Math.max(1, held.length));
      if (signal?.aborted) throw new CancelledError();
    }
    const mean = accs.reduce((a, b) => a + b, 0) / accs.length;
    return { accuracy: mean, std: Math.sqrt(accs.reduce((a, b) => a + (b - mean) ** 2, 0) / accs.length) };
  };

  const space = spaceFor(start, fixed);
  const fields = Object.keys(space) as (keyof Hyperparameters)[];
  const trials: AutotuneTrial[] = [];
  let best = 0;
  let bestValues: Partial<Hyperparameters> = {};
  let stoppedBy: AutotuneTrace['stoppedBy'] = 'trials';
  const seen = new Set<string>();
  const max = s.trials ?? Infinity;
  while (trials.length < max) {
    const elapsed = (performance.now() - started) / 1000;
    const perTrial = trials.length ? elapsed / trials.length : 0;
    if (trials.length > 0 && elapsed + perTrial > s.budgetSeconds) {
      stoppedBy = 'budget';
      break;
    }
    // The next configuration: the starting one first, then 1-3 fields of the best so far redrawn.
    let values: Partial<Hyperparameters> = {};
    if (trials.length > 0) {
      if (fields.length === 0) break;
      for (let attempt = 0; attempt < 20; attempt++) {
        values = { ...bestValues };
        const changes = 1 + rng.int(3);
        for (let c = 0; c < changes; c++) {
          const field = fields[rng.int(fields.length)];
          (values as Record<string, unknown>)[field] = draw(space[field]!, rng);
        }
        for (const [key, v] of Object.entries(values))
          if (v === (start as unknown as Record<string, unknown>)[key]) delete (values as Record<string, unknown>)[key];
        if (!seen.has(JSON.stringify(sorted(values)))) break;
      }
    }
    seen.add(JSON.stringify(sorted(values)));
    const t0 = performance.now();
    const hp = validateHyperparameters(values, start);
    const r = await score(hp);
    trials.push({ values, accuracy: r.accuracy, std: r.std, seconds: (performance.now() - t0) / 1000 });
    if (r.accuracy > trials[best].accuracy) {
      best = trials.length - 1;
      bestValues = values;
    }
    log(
      `autotune trial ${trials.length}: accuracy ${r.accuracy.toFixed(4)} ± ${r.std.toFixed(4)} ${describe(values)} (${trials[trials.length - 1].seconds.toFixed(1)} s)${best === trials.length - 1 ? '  best so far' : ''}`,
    );
  }
  const trace: AutotuneTrace = {
    seed: s.seed,
    budgetSeconds: s.budgetSeconds,
    ...(s.trials !== undefined ? { maxTrials: s.trials } : {}),
    folds: k,
    metric: 'accuracy',
    trials,
    best,
    chosen: bestValues,
    stoppedBy,
    seconds: (performance.now() - started) / 1000,
  };
  log(
    `autotune: ${trials.length} trials in ${trace.seconds.toFixed(0)} s (stopped by ${stoppedBy === 'budget' ? 'the time budget; to repeat this search exactly, give the same seed and this many trials' : 'the number of trials'}); best trial ${best + 1}, accuracy ${trials[best].accuracy.toFixed(4)} against ${trials[0].accuracy.toFixed(4)} for the starting configuration: ${describe(bestValues)}`,
  );
  return { hp: validateHyperparameters(bestValues, start), trace };
}

/** The search space around a starting configuration: fixed fields left out; epochs as multiples of the starting value. */
function spaceFor(start: Hyperparameters, fixed: ReadonlySet<string>): Space {
  const space: Space = {};
  for (const [key, range] of Object.entries(SEARCH_SPACE) as [keyof Hyperparameters, NonNullable<Space[keyof Hyperparameters]>][]) {
    if (fixed.has(key)) continue;
    (space as Record<string, unknown>)[key] =
      key === 'epochs'
        ? { values: [...new Set([0.5, 1.5, 2].map((m) => Math.max(1, Math.min(1000, Math.round(start.epochs * m)))))] }
        : range;
  }
  return space;
}

function draw(r: NonNullable<Space[keyof Hyperparameters]>, rng: Rng): unknown {
  if (r.values) return r.values[rng.int(r.values.length)];
  const [lo, hi] = r.logRange!;
  const x = Math.exp(Math.log(lo) + rng.next() * (Math.log(hi) - Math.log(lo)));
  return Number(x.toPrecision(r.round ?? 3));
}

const sorted = (v: object) => Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)));

/** "epochs 24, dropout 0.35" or "(the starting configuration)". */
export function describe(values: Partial<Hyperparameters>): string {
  const parts = Object.entries(values).map(([k, v]) => `${k} ${v}`);
  return parts.length ? parts.join(', ') : '(the starting configuration)';
}
