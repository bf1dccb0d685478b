import { loadVectors, readAllReports, type AutotuneOptions, type Reports, type TermVectors } from '../index.js';
import { stderrLog } from './options.js';

/** The learning flags as commander hands them over (see learningOptions in flags.ts). */
export interface LearningFlags {
  autotune?: boolean;
  autotuneBudget?: number;
  autotuneTrials?: number;
  seed?: number;
  unlabelled?: string[];
  pretrained?: string;
}

/** train's and crossValidate's options from --autotune, --autotune-budget, --autotune-trials, --unlabelled and --pretrained. */
export function learningOf(
  o: LearningFlags,
  log?: (m: string) => void,
): { autotune?: AutotuneOptions; unlabelled?: Reports; pretrained?: TermVectors } {
  const out: { autotune?: AutotuneOptions; unlabelled?: Reports; pretrained?: TermVectors } = {};
  if (o.autotune) out.autotune = { budgetSeconds: o.autotuneBudget, trials: o.autotuneTrials };
  if (o.unlabelled?.length) out.unlabelled = readUnlabelled(o.unlabelled, 'unlabelled', log);
  if (o.pretrained) out.pretrained = loadVectors(o.pretrained);
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
