import {
  AUTOTUNE_BUDGET,
  loadVectors,
  readAllReports,
  SELF_TRAIN_ROUNDS,
  SELF_TRAIN_SHARE,
  UsageError,
  type AutotuneOptions,
  type Reports,
  type SelfTrainOptions,
  type TermVectors,
} from '../index.js';
import { stderrLog } from './options.js';

/** The learning flags as commander hands them over (see learningOptions in flags.ts). */
export interface LearningFlags {
  autotune?: boolean;
  autotuneBudget?: number;
  autotuneTrials?: number;
  seed?: number;
  unlabelled?: string[];
  pretrained?: string;
  selfTrain?: string[];
  selfTrainShare?: number;
  selfTrainRounds?: number;
}

/** What learningOf gives: train's and crossValidate's options. */
export interface Learning {
  autotune?: AutotuneOptions;
  unlabelled?: Reports;
  pretrained?: TermVectors;
  selfTrain?: SelfTrainOptions;
}

/**
 * train's and crossValidate's options from --autotune, --autotune-budget, --autotune-trials,
 * --unlabelled, --pretrained, --self-train, --self-train-share and --self-train-rounds. A
 * multi-label training (`multiLabel`) is refused --self-train before its pool is read.
 */
export function learningOf(o: LearningFlags, log?: (m: string) => void, { multiLabel = false } = {}): Learning {
  const out: Learning = {};
  if (!o.selfTrain && (o.selfTrainShare !== undefined || o.selfTrainRounds !== undefined))
    throw new UsageError('--self-train-share and --self-train-rounds go with --self-train <paths...>: give the reports without labels');
  if (o.selfTrain && multiLabel)
    throw new UsageError('--self-train is for single-label models: a multi-label model learns label lists, which guesses would not give');
  if (o.autotune) out.autotune = { budgetSeconds: o.autotuneBudget, trials: o.autotuneTrials };
  if (o.unlabelled?.length) out.unlabelled = readUnlabelled(o.unlabelled, 'unlabelled', log);
  if (o.pretrained) out.pretrained = loadVectors(o.pretrained);
  if (o.selfTrain)
    out.selfTrain = {
      reports: readUnlabelled(o.selfTrain, 'self-training', log),
      share: o.selfTrainShare,
      rounds: o.selfTrainRounds,
    };
  return out;
}

/** Reports without labels from paths (any input bugcat reads), those that cannot be read left out with a warning; `what` names them in messages. */
export function readUnlabelled(paths: string[], what: string, log?: (m: string) => void): Reports {
  const read = readAllReports(paths, { onWarning: log ?? (() => {}) });
  const failed = read.errors?.filter(Boolean).length ?? 0;
  if (failed) stderrLog(`warning: ${failed} ${what} report(s) could not be read and are left out`);
  const out = failed ? { ids: read.ids.filter((_, i) => !read.errors![i]), texts: read.texts.filter((_, i) => !read.errors![i]) } : read;
  log?.(`${what}: ${out.texts.length} reports from ${paths.join(', ')}`);
  return out;
}

/**
 * What the learning flags made every fold's model do, for cv's outputs: `json`, fields for
 * --json (none without those flags); `flags`, the same as train's flags with their values in
 * words, for the text and the page.
 */
export function learningRecord(l: Learning): { json: Record<string, unknown>; flags: string[] } {
  const json: Record<string, unknown> = {};
  const flags: string[] = [];
  if (l.autotune) {
    const budget = l.autotune.budgetSeconds ?? AUTOTUNE_BUDGET;
    json.autotune = { budget_seconds: budget, trials: l.autotune.trials ?? null };
    flags.push(`--autotune (within ${budget} s${l.autotune.trials ? ` or ${l.autotune.trials} trials` : ''})`);
  }
  if (l.unlabelled) {
    json.unlabelled = { reports: l.unlabelled.texts.length };
    flags.push(`--unlabelled (${l.unlabelled.texts.length} reports without labels)`);
  }
  if (l.pretrained) {
    const { method, dim, terms, docs } = l.pretrained;
    json.pretrained = { method, dim, terms: terms.length, docs };
    flags.push(`--pretrained (${dim}-dimensional vectors of ${terms.length} terms)`);
  }
  if (l.selfTrain) {
    const pool = (l.selfTrain.reports as Reports).texts.length;
    const share = l.selfTrain.share ?? SELF_TRAIN_SHARE;
    const rounds = l.selfTrain.rounds ?? SELF_TRAIN_ROUNDS;
    json.self_training = { pool, share, rounds };
    flags.push(`--self-train (${pool} reports without labels, share ${share}, ${rounds} round${rounds === 1 ? '' : 's'})`);
  }
  return { json, flags };
}
