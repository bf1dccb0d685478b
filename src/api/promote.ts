/**
 * Promoting a retrained model and rolling it back (`serve --models DIR` serves DIR/active): the
 * candidate is scored beside the active model on the same labelled reports and refused if it
 * is worse, unless forced; the folder's links change atomically (io/models-dir.ts).
 */
import { existsSync } from 'node:fs';
import { ModelError, UsageError } from '../base/errors.js';
import { checkOptions, type OptionKeys } from '../base/options.js';
import { activate, modelsState, swapBack, withModelsLock, type ModelsState } from '../io/models-dir.js';
import { confirmedIssues, IssueHistories, type ConfirmedIssue } from '../io/issue-history.js';
import { readLedger } from '../io/ledger.js';
import type { Reports } from '../io/reports.js';
import type { RuntimeOptions } from '../nn/choices.js';
import { trainingOverlap, type ResultWarning } from '../eval/warnings.js';
import { checkEvaluation, evaluate } from './evaluate.js';
import { evaluateLabelSets } from './labelsets.js';
import { load, type Model } from './model.js';

/** The figure a promotion compares. */
export const PROMOTE_METRICS = ['accuracy', 'micro_f1', 'macro_f1'] as const;
export type PromoteMetric = (typeof PROMOTE_METRICS)[number];

/** How many of the ledger's most recent human-labelled issues promote compares on by default. */
export const PROMOTE_RECENT = 500;

export interface PromoteOptions extends RuntimeOptions {
  /** Labelled reports to score both models on (readReports's, with labels, or label lists for multi-label models): the test set. */
  reports?: Reports;
  /**
   * The bot's ledger (serve --ledger), in place of `reports`: the models are scored on its most
   * recent issues whose labels people set or confirmed (confirmedIssues, the issues train --ledger
   * learns from), with their texts as the ledger holds them.
   */
  ledger?: string;
  /** With `ledger`: how many of those issues, the most recent (default PROMOTE_RECENT). */
  recent?: number;
  /** Which figure decides (default accuracy for single-label models, micro_f1 for multi-label ones). */
  metric?: PromoteMetric;
  /** How much lower the candidate's figure may be and still count as no worse (default 0). */
  tolerance?: number;
  /** Promote even a worse candidate (or one of another kind than the active model, uncompared). */
  force?: boolean;
}

/** PromoteOptions's keys (base/options.ts). */
const PROMOTE_OPTIONS: OptionKeys<PromoteOptions> = {
  backend: true,
  kernels: true,
  reports: true,
  ledger: true,
  recent: true,
  metric: true,
  tolerance: true,
  force: true,
};

/**
 * One model's scores on the test reports. A single-label model's micro-F1 is its accuracy (one
 * label a report, one answer). A multi-label model's are over its own labels (a report's other
 * labels are neither hits nor misses, as evaluate scores it): micro-F1 over every (report, label)
 * pair, macro-F1 the mean of its labels', and accuracy the share of reports whose label set (its
 * labels among them) it gets exactly right.
 */
export interface PromoteScores {
  kind: 'single-label' | 'multi-label';
  accuracy: number;
  micro_f1: number;
  macro_f1: number;
  /** How many of the test reports it was trained on (null: it keeps no fingerprints); its scores overstate if any. */
  trained_on: number | null;
}

/** The candidate beside the active model on the same reports. */
export interface PromoteComparison {
  /** The reports scored. */
  n: number;
  /** Where they came from: a test set, or the ledger's recent human-labelled issues. */
  source: 'reports' | 'ledger';
  /** With a ledger: the first and last time the ledger heard of the issues scored. */
  from?: string;
  to?: string;
  metric: PromoteMetric;
  tolerance: number;
  candidate: PromoteScores;
  /** null when nothing is active yet (the candidate is then promoted without comparison), or the two cannot be compared (see uncompared). */
  active: PromoteScores | null;
  /** Why the active model was not compared: it is of another kind than the candidate (promoted only with force). */
  uncompared?: string;
  /** Reports only the candidate gets right, and only the active model (paired on the same reports; a multi-label model's right: its whole label set). */
  candidateOnlyRight: number;
  activeOnlyRight: number;
  /** True if the candidate's figure is at least the active model's less the tolerance. */
  noWorse: boolean;
  /** The evaluations' warnings (test reports either model was trained on, labels either never saw, a ledger's torn last line), each once. */
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
  if (model.kind === 'multi-label') {
    const e = evaluateLabelSets(model, reports);
    const own = new Set(model.labels);
    const key = (labels: readonly string[]) => [...new Set(labels.filter((l) => own.has(l)))].sort().join('\n');
    const right = model.predictLabelSets(reports.texts).map((p, i) => key(p.labels) === key(reports.issueLabels![i]));
    const { warning } = trainingOverlap(model.hasFingerprints ? model.trainedOn(reports.texts) : undefined);
    const accuracy = right.length ? right.filter(Boolean).length / right.length : 0;
    return {
      s: { kind: 'multi-label', accuracy, micro_f1: e.micro.f1, macro_f1: e.macro_f1, trained_on: e.trained_on },
      right,
      warnings: warning ? [warning] : [],
    };
  }
  if (!reports.labels) throw new UsageError('a single-label model is scored against one label a report: give labelled reports');
  const e = evaluate(model, reports);
  const { labels } = checkEvaluation(model, reports);
  const right = model.predict(reports.texts).map((p, i) => 'label' in p && p.label === labels[i]);
  return {
    s: { kind: 'single-label', accuracy: e.accuracy, micro_f1: e.accuracy, macro_f1: e.macro_f1, trained_on: e.trained_on },
    right,
    warnings: e.warnings,
  };
}

/** The test reports out of a ledger: its most recent human-labelled issues, as the candidate's kind reads them. */
function ledgerReports(
  path: string,
  recent: number,
  model: Model,
): { reports: Reports; from?: string; to?: string; warnings: ResultWarning[] } {
  const { records, torn } = readLedger(path, { mustExist: true });
  const warnings: ResultWarning[] = torn ? [{ kind: 'ledger_torn', count: 1, message: torn }] : [];
  const confirmed = confirmedIssues(new IssueHistories(records));
  if (confirmed.length === 0)
    throw new UsageError(
      `the ledger ${path} holds no issue whose labels people set or confirmed (${records.length} records): nothing to compare the models on`,
      { advice: 'give a labelled test set (--data) instead, or wait until people have labelled issues the bot saw' },
    );
  // A single-label model takes the issues carrying exactly one of its labels (as train --ledger does).
  const own = new Set(model.labels);
  const usable: (ConfirmedIssue & { label?: string })[] =
    model.kind === 'multi-label'
      ? confirmed
      : confirmed.flatMap((c) => {
          const ours = c.labels.filter((l) => own.has(l));
          return ours.length === 1 ? [{ ...c, label: ours[0] }] : [];
        });
  if (usable.length === 0)
    throw new UsageError(
      `none of the ${confirmed.length} issues of the ledger ${path} whose labels people set or confirmed carries exactly one of the candidate's labels: nothing to compare the single-label models on`,
      { advice: 'give a labelled test set (--data) instead' },
    );
  if (usable.length < confirmed.length)
    warnings.push({
      kind: 'ledger_left_out',
      count: confirmed.length - usable.length,
      message: `${confirmed.length - usable.length} of the ledger's ${confirmed.length} human-labelled issues carry none or several of the candidate's labels: left out (a single-label model takes one)`,
    });
  // The most recent, by the last time the ledger heard of each (ties: the later first heard of).
  const chosen = usable
    .map((c, i) => ({ c, i }))
    .sort((a, b) => (a.c.last < b.c.last ? 1 : a.c.last > b.c.last ? -1 : b.i - a.i))
    .slice(0, recent)
    .sort((a, b) => a.i - b.i)
    .map(({ c }) => c);
  const times = chosen.map((c) => c.last).sort();
  const reports: Reports = {
    ids: chosen.map((c) => c.id),
    texts: chosen.map((c) => c.text),
    issueLabels: chosen.map((c) => c.labels),
    ...(model.kind === 'multi-label' ? {} : { labels: chosen.map((c) => c.label!) }),
  };
  return { reports, from: times[0], to: times.at(-1), warnings };
}

/**
 * Scores the candidate model (folder `candidate`) and the active one of models folder `dir` on
 * labelled reports (`reports`, or the ledger's most recent human-labelled issues: `ledger`,
 * `recent`), and makes the candidate active (the active one previous) if it is no worse by
 * `metric`, or if `force`; otherwise changes nothing and says so (`promoted: false`). With
 * nothing active yet, the candidate becomes active. Single-label and multi-label models are
 * both compared, each by its own figures; two of different kinds are not (a usage error, unless
 * `force`). The candidate's files are copied, checked, into the folder (its own folder is left as
 * it is); nothing is ever deleted.
 */
export async function promote(candidate: string, dir: string, options: PromoteOptions): Promise<PromoteResult> {
  checkOptions('promote', options, PROMOTE_OPTIONS);
  const { tolerance = 0, force = false, ledger, recent = PROMOTE_RECENT } = options;
  if (options.metric !== undefined && !PROMOTE_METRICS.includes(options.metric))
    throw new UsageError(`metric is ${options.metric}: expected ${PROMOTE_METRICS.join(', ')}`);
  if (!(tolerance >= 0 && tolerance <= 1)) throw new UsageError(`tolerance is ${tolerance}: expected a number from 0 to 1`);
  if (ledger !== undefined && options.reports !== undefined)
    throw new UsageError('promote compares on a test set or on a ledger, not both: give reports or ledger');
  if (options.recent !== undefined && ledger === undefined) throw new UsageError("recent counts the ledger's issues: give it with ledger");
  if (!(Number.isInteger(recent) && recent >= 1)) throw new UsageError(`recent is ${recent}: expected a whole number from 1 up`);
  if (ledger === undefined && (!options.reports || !Array.isArray(options.reports.texts)))
    throw new UsageError('promote needs labelled reports to compare the models on (readReports with labels), or a ledger');
  const runtime = { backend: options.backend, kernels: options.kernels };
  const next = await load(candidate, runtime);
  const metric = options.metric ?? (next.kind === 'multi-label' ? 'micro_f1' : 'accuracy');
  const test = ledger !== undefined ? ledgerReports(ledger, recent, next) : { reports: options.reports!, warnings: [] };
  const { reports } = test;
  if (next.kind === 'multi-label' ? !reports.issueLabels : !Array.isArray(reports.labels))
    throw new UsageError(
      next.kind === 'multi-label'
        ? 'the candidate is a multi-label model: give reports that carry their label lists (a GitLab or GitHub export, or a CSV read with labelSeparator)'
        : 'promote needs labelled reports to compare the models on (readReports with labels)',
    );
  return withModelsLock(dir, async () => {
    const state = modelsState(dir);
    const c = scores(next, reports);
    const current = state.active ? await load(state.active, runtime) : undefined;
    const uncompared =
      current && current.kind !== next.kind
        ? `the candidate is a ${next.kind} model and the active one a ${current.kind} model: their figures are not comparable`
        : undefined;
    if (uncompared && !force)
      throw new UsageError(`${uncompared}, so the candidate was not promoted`, {
        advice: 'promote it without comparison with --force (the active model stays as previous), or promote a model of the same kind',
      });
    const a = current && !uncompared ? scores(current, reports) : undefined;
    const seen = new Set<string>();
    const warnings = [...test.warnings, ...c.warnings, ...(a?.warnings ?? [])].filter((w) => !seen.has(w.message) && seen.add(w.message));
    const comparison: PromoteComparison = {
      n: reports.texts.length,
      source: ledger !== undefined ? 'ledger' : 'reports',
      ...('from' in test && test.from !== undefined ? { from: test.from, to: test.to } : {}),
      metric,
      tolerance,
      candidate: c.s,
      active: a?.s ?? null,
      ...(uncompared ? { uncompared } : {}),
      candidateOnlyRight: a ? c.right.filter((r, i) => r && !a.right[i]).length : 0,
      activeOnlyRight: a ? a.right.filter((r, i) => r && !c.right[i]).length : 0,
      noWorse: !uncompared && (!a || c.s[metric] >= a.s[metric] - tolerance),
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
