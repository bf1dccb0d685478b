import { UsageError } from '../base/errors.js';
import { validateHyperparameters, type Hyperparameters } from '../base/hyperparameters.js';
import type { Log } from '../base/log.js';
import { resolveHyperparameters } from '../base/rules.js';
import { Targets } from '../base/targets.js';
import type { LazyRuntime } from '../nn/backend.js';
import { autotune, describe } from '../model/autotune.js';
import { AUTOTUNE_BUDGET, type AutotuneOptions } from '../base/search.js';
import type { TrainingRecord } from '../model/record.js';
import { pretrainTexts } from '../model/pretrain.js';
import { featureConfig } from '../text/features.js';
import { duplicateGroups, groupsOf } from '../text/duplicates.js';
import { sameTerms, type TermVectors } from '../text/vectors.js';
import type { Reports } from '../io/reports.js';
import { unlabelledTexts } from '../io/unlabelled.js';

/** The training choices beyond the hyperparameters that prepare reads. */
export interface PrepareOptions {
  hyperparameters?: Partial<Hyperparameters>;
  autotune?: boolean | AutotuneOptions;
  unlabelled?: readonly string[] | Reports;
  pretrained?: TermVectors;
  signal?: AbortSignal;
  groups?: readonly (string | number)[];
}

/**
 * The hyperparameters a training run uses, and the pretrained vectors it starts from: the
 * caller's values; for pretrained vectors, their width as the hidden layer's (unless the caller
 * set another: refused); the rules' values for the rest (rules.ts); then, with unlabelled
 * reports, vectors pretrained on them and the labelled texts; then, with autotune, the search's
 * winner (model/autotune.ts), which never changes the caller's values.
 */
export async function prepare(
  rt: LazyRuntime,
  texts: readonly string[],
  labels: readonly string[],
  o: PrepareOptions,
  log: Log,
): Promise<{ hp: Hyperparameters; pretrained?: TermVectors; record: TrainingRecord }> {
  const explicit: Record<string, unknown> = Object.fromEntries(Object.entries(o.hyperparameters ?? {}).filter(([, v]) => v !== undefined));
  validateHyperparameters(explicit);
  if (o.pretrained && o.unlabelled)
    throw new UsageError('give pretrained vectors or unlabelled reports, not both: the vectors are what the unlabelled reports would give');
  let pretrained = o.pretrained;
  if (pretrained) {
    checkVectors(pretrained);
    if (explicit.hidden !== undefined && explicit.hidden !== pretrained.dim) {
      throw new UsageError(
        `the pretrained vectors have ${pretrained.dim} dimensions but hidden is ${explicit.hidden}: the hidden layer's width must be the vectors' dimension`,
        {
          code: 'VECTORS_DIMENSION',
          advice: `leave hidden unset (it then follows the vectors) or set it to ${pretrained.dim}, or pretrain vectors of ${explicit.hidden} dimensions`,
        },
      );
    }
    explicit.hidden = pretrained.dim;
  }
  const shape = { n: texts.length, k: new Set(labels.filter((l) => l !== '')).size };
  const resolved = resolveHyperparameters(explicit, shape);
  let hp = resolved.hp;
  if (Object.keys(resolved.byRule).length) log(`defaults for ${shape.n} reports in ${shape.k} categories: ${describe(resolved.byRule)}`);
  const record: TrainingRecord = { defaults: { ...shape, byRule: resolved.byRule } };
  if (o.unlabelled) {
    const extra = unlabelledTexts(o.unlabelled, 'unlabelled');
    const started = performance.now();
    pretrained = pretrainTexts(
      [...texts, ...extra],
      hp,
      { dim: hp.hidden, maxTerms: pretrainTerms(hp), seed: hp.seed },
      log,
      extra.map((_, i) => texts.length + i),
    );
    record.pretrained = {
      method: pretrained.method,
      dim: pretrained.dim,
      docs: pretrained.docs,
      terms: pretrained.terms.length,
      seconds: (performance.now() - started) / 1000,
    };
  } else if (pretrained) {
    record.pretrained = { method: pretrained.method, dim: pretrained.dim, docs: pretrained.docs, terms: pretrained.terms.length };
  }
  if (o.autotune) {
    const a: AutotuneOptions = o.autotune === true ? {} : o.autotune;
    // The search fits one-hot targets of the labelled reports' labels (other annotators' are not used).
    const labelSet = [...new Set(labels.filter((l) => l !== ''))].sort();
    const index = new Map(labelSet.map((l, i) => [l, i]));
    const rows = labels.flatMap((l, i) => (index.has(l) ? [i] : []));
    const targets = new Targets({
      kind: 'single-label',
      labels: labelSet,
      y: Int32Array.from(rows, (i) => index.get(labels[i])!),
      summary: { method: 'single', annotators: ['label'] },
      // Copies of one report (or the caller's groups) share an inner fold.
      groups: (o.groups ? groupsOf(rows.map((i) => o.groups![i])) : duplicateGroups(rows.map((i) => texts[i]))).group,
    });
    const budgetSeconds = a.budgetSeconds ?? AUTOTUNE_BUDGET;
    if (!(budgetSeconds > 0)) throw new UsageError(`the autotune budget is ${budgetSeconds} seconds: expected a number above 0`);
    if (a.trials !== undefined && !(Number.isInteger(a.trials) && a.trials >= 1))
      throw new UsageError(`autotune trials is ${a.trials}: expected an integer from 1 up`);
    const fixed = new Set([...Object.keys(explicit), 'seed']);
    const { hp: tuned, trace } = await autotune(
      await rt.load(),
      { texts: rows.map((i) => texts[i]), targets, pretrained },
      { start: hp, fixed, settings: { budgetSeconds, trials: a.trials, seed: a.seed ?? hp.seed, folds: a.folds }, log, signal: o.signal },
    );
    hp = tuned;
    record.autotune = trace;
  }
  if (pretrained && !sameTerms(pretrained.config, featureConfig(hp))) {
    log(
      'warning: the pretrained vectors were made with other feature settings (n-grams, character n-grams, stop words or stemming): only the terms both form start from them',
    );
  }
  return { hp, pretrained, record };
}

/** How many terms vectors are pretrained for: the vocabulary's size and a half, so that the terms the labelled reports add are covered too. */
export const pretrainTerms = (hp: Pick<Hyperparameters, 'maxFeatures'>) => Math.min(1_000_000, Math.ceil(hp.maxFeatures * 1.5));

/** Refuses what is not term vectors. */
function checkVectors(v: TermVectors): void {
  const ok =
    v &&
    typeof v === 'object' &&
    Number.isInteger(v.dim) &&
    v.dim >= 1 &&
    Array.isArray(v.terms) &&
    v.vectors instanceof Float32Array &&
    v.vectors.length === v.terms.length * v.dim;
  if (!ok) throw new UsageError('pretrained is not term vectors as pretrain or loadVectors give them');
}
