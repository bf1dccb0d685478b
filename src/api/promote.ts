/**
 * Promoting a retrained model and rolling it back (`serve --models DIR` serves DIR/active): the
 * candidate is scored beside the active model on the same labelled reports and refused if it
 * is worse, unless forced; the folder's links change atomically (io/models-dir.ts).
 */
import { existsSync } from 'node:fs';
import { ModelError, UsageError } from '../base/errors.js';
import { checkOptions, type OptionKeys } from '../base/options.js';
import { activate, modelsState, swapBack, withModelsLock, type ModelsState } from '../io/models-dir.js';
import type { Reports } from '../io/reports.js';
import type { RuntimeOptions } from '../nn/choices.js';
import type { ResultWarning } from '../eval/warnings.js';
import { checkEvaluation, evaluate } from './evaluate.js';
import { load, type Model } from './model.js';

/** The figure a promotion compares. */
export const PROMOTE_METRICS = ['accuracy', 'macro_f1'] as const;
export type PromoteMetric = (typeof PROMOTE_METRICS)[number];

export interface PromoteOptions extends RuntimeOptions {
  /** Labelled reports to score both models on (readReports's, with labels): the test set. */
  reports: Reports;
  /** Which figure decides (default accuracy). */
  metric?: PromoteMetric;
  /** How much lower the candidate's figure may be and still count as no worse (default 0). */
  tolerance?: number;
  /** Promote even a worse candidate. */
  force?: boolean;
}

/** PromoteOptions's keys (base/options.ts). */
const PROMOTE_OPTIONS: OptionKeys<PromoteOptions> = {
  backend: true,
  kernels: true,
  reports: true,
  metric: true,
  tolerance: true,
  force: true,
};

/** One model's scores on the test reports. */
export interface PromoteScores {
  accuracy: number;
  macro_f1: number;
  /** How many of the test reports it was trained on (null: it keeps no fingerprints); its scores overstate if any. */
  trained_on: number | null;
}

/** The candidate beside the active model on the same reports. */
export interface PromoteComparison {
  /** The reports scored. */
  n: number;
  metric: PromoteMetric;
  tolerance: number;
  candidate: PromoteScores;
  /** null when nothing is active yet (the candidate is then promoted without comparison). */
  active: PromoteScores | null;
  /** Reports only the candidate labels right, and only the active model (paired on the same reports). */
  candidateOnlyRight: number;
  activeOnlyRight: number;
  /** True if the candidate's figure is at least the active model's less the tolerance. */
  noWorse: boolean;
  /** The evaluations' warnings (test reports either model was trained on, labels either never saw), each once. */
  warnings: ResultWarning[];
}

export interface PromoteResult {
  promoted: boolean;
  comparison: PromoteComparison;
  /** The folder's state after (before, when not promoted). */
  state: ModelsState;
  /** The model folder moved to archive/ (the one that had been previous), if any. */
  archived?: string;
}

function scores(model: Model, reports: Reports): { s: PromoteScores; right: boolean[]; warnings: ResultWarning[] } {
  if (model.kind === 'multi-label')
    throw new UsageError("a multi-label model: promote compares single-label models' accuracy; compare label-set models with evaluate");
  const e = evaluate(model, reports);
  const { labels } = checkEvaluation(model, reports);
  const right = model.predict(reports.texts).map((p, i) => 'label' in p && p.label === labels[i]);
  return { s: { accuracy: e.accuracy, macro_f1: e.macro_f1, trained_on: e.trained_on }, right, warnings: e.warnings };
}

/**
 * Scores the candidate model (folder `candidate`) and the active one of models folder `dir` on
 * `reports`, and makes the candidate active (the active one previous) if it is no worse by
 * `metric`, or if `force`; otherwise changes nothing and says so (`promoted: false`). With
 * nothing active yet, the candidate becomes active. The candidate's files are copied, checked,
 * into the folder (its own folder is left as it is); nothing is ever deleted.
 */
export async function promote(candidate: string, dir: string, options: PromoteOptions): Promise<PromoteResult> {
  checkOptions('promote', options, PROMOTE_OPTIONS);
  const { reports, metric = 'accuracy', tolerance = 0, force = false } = options;
  if (!PROMOTE_METRICS.includes(metric)) throw new UsageError(`metric is ${metric}: expected ${PROMOTE_METRICS.join(' or ')}`);
  if (!(tolerance >= 0 && tolerance <= 1)) throw new UsageError(`tolerance is ${tolerance}: expected a number from 0 to 1`);
  if (!reports || !Array.isArray(reports.texts) || !Array.isArray(reports.labels))
    throw new UsageError('promote needs labelled reports to compare the models on (readReports with labels)');
  const runtime = { backend: options.backend, kernels: options.kernels };
  const next = await load(candidate, runtime);
  return withModelsLock(dir, async () => {
    const state = modelsState(dir);
    const c = scores(next, reports);
    const a = state.active ? scores(await load(state.active, runtime), reports) : undefined;
    const seen = new Set<string>();
    const warnings = [...c.warnings, ...(a?.warnings ?? [])].filter((w) => !seen.has(w.message) && seen.add(w.message));
    const comparison: PromoteComparison = {
      n: reports.texts.length,
      metric,
      tolerance,
      candidate: c.s,
      active: a?.s ?? null,
      candidateOnlyRight: a ? c.right.filter((r, i) => r && !a.right[i]).length : 0,
      activeOnlyRight: a ? a.right.filter((r, i) => r && !c.right[i]).length : 0,
      noWorse: !a || c.s[metric] >= a.s[metric] - tolerance,
      warnings,
    };
    if (!comparison.noWorse && !force) return { promoted: false, comparison, state };
    const { archived, ...after } = await activate(dir, candidate);
    return { promoted: true, comparison, state: after, ...(archived ? { archived } : {}) };
  });
}

/** Makes the previous model of models folder `dir` active again, and the active one previous. */
export async function rollback(dir: string): Promise<ModelsState> {
  if (!existsSync(dir))
    throw new ModelError(`models folder ${dir} does not exist`, {
      code: 'MODELS_DIR',
      advice: 'give the folder bugcat promote wrote (serve --models DIR)',
      path: dir,
    });
  return withModelsLock(dir, () => swapBack(dir));
}

/** What models folder `dir` holds: the folders `active` and `previous` point at. */
export function modelsFolder(dir: string): ModelsState {
  return modelsState(dir);
}

export type { ModelsState };
