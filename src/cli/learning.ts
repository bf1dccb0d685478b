import {
  loadVectors,
  readAllReports,
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
