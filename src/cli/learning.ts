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
  if (o.unlabelled?.length) {
    out.unlabelled = readAllReports(o.unlabelled, { onWarning: log ?? (() => {}) });
    const failed = out.unlabelled.errors?.filter(Boolean).length ?? 0;
    if (failed) stderrLog(`warning: ${failed} unlabelled report(s) could not be read and are left out`);
    if (failed)
      out.unlabelled = {
        ids: out.unlabelled.ids.filter((_, i) => !out.unlabelled!.errors![i]),
        texts: out.unlabelled.texts.filter((_, i) => !out.unlabelled!.errors![i]),
      };
    log?.(`unlabelled: ${out.unlabelled.texts.length} reports from ${o.unlabelled.join(', ')}`);
  }
  if (o.pretrained) out.pretrained = loadVectors(o.pretrained);
  return out;
}
