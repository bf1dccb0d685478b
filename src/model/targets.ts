import { DataError } from '../base/errors.js';
import type { Log } from '../base/log.js';
import { Targets } from '../base/targets.js';
import { dawidSkene } from './dawid-skene.js';

/** One annotator's labels of the reports, in order ('' where they gave none), under their name (a CSV's label column, say). */
export interface Annotator {
  name: string;
  labels: readonly string[];
}

/** Dawid-Skene's cap on EM iterations, and its tolerance. */
const MAX_ITERATIONS = 200;
const TOLERANCE = 1e-6;

/**
 * The training targets of reports labelled by `annotators` (at least one; the first is the
 * primary). The label set is the first annotator's non-empty labels; the others' labels are
 * matched to it without regard to case, and labels outside it (or empty) count as no label.
 * One annotator: its labels, as they are. Several: Dawid-Skene EM learns each annotator's
 * confusion matrix and the category shares, and each report's posterior over the categories is
 * its soft target. A report the first annotator left unlabelled ('') is trained on the others'
 * labels; one no annotator labelled with a category of the set is refused. Each report's label
 * (`y`) is the first annotator's, or with several annotators the most probable category (ties go
 * to the first annotator's label). The targets are single-label: one label per report.
 */
export function trainingTargets(annotators: readonly Annotator[], log: Log, idOf: (i: number) => string = (i) => String(i + 1)): Targets {
  const [first] = annotators;
  const labels = [...new Set(first.labels.filter((l) => l.trim() !== ''))].sort();
  const n = first.labels.length;
  if (annotators.length === 1 || labels.length < 2) {
    const index = new Map(labels.map((name, i) => [name, i]));
    return new Targets({
      kind: 'single-label',
      labels,
      y: Int32Array.from(first.labels, (l) => index.get(l)!),
      summary: { method: 'single', annotators: [first.name] },
    });
  }
  const K = labels.length;
  const exact = new Map(labels.map((name, i) => [name, i]));
  const folded = new Map(labels.map((name, i) => [name.toLowerCase(), i]));
  const votes = annotators.map((a, j) =>
    Int32Array.from(a.labels, (l) => (j === 0 ? (exact.get(l) ?? -1) : (folded.get(l.trim().toLowerCase()) ?? -1))),
  );
  const none = Array.from({ length: n }, (_, i) => i).filter((i) => votes.every((v) => v[i] < 0));
  if (none.length) {
    throw new DataError(
      `${none.length} report${none.length === 1 ? ' has' : 's have'} no label of the label set from any annotator (${none.slice(0, 5).map(idOf).join(', ')}${none.length > 5 ? ', ...' : ''})`,
      { code: 'NO_LABELS', advice: 'label them, or leave them out' },
    );
  }
  const labelled = votes.map((v) => v.reduce((s, c) => s + (c >= 0 ? 1 : 0), 0));
  annotators.forEach((a, j) => {
    if (j > 0) log(`annotator ${a.name}: ${labelled[j]} of ${n} labels are categories of ${first.name}'s; the rest are ignored`);
  });
  const unlabelledFirst = n - labelled[0];
  if (unlabelledFirst)
    log(
      `${unlabelledFirst} report${unlabelledFirst === 1 ? '' : 's'} without a label from ${first.name} are trained on the other annotators' labels`,
    );

  const fit = dawidSkene(votes, K, { maxIterations: MAX_ITERATIONS, tolerance: TOLERANCE });
  const y = new Int32Array(n);
  let changed = 0;
  for (let i = 0; i < n; i++) {
    let best = votes[0][i] >= 0 ? votes[0][i] : 0;
    for (let k = 0; k < K; k++) if (fit.posterior[i * K + k] > fit.posterior[i * K + best]) best = k;
    y[i] = best;
    if (votes[0][i] >= 0 && best !== votes[0][i]) changed++;
  }
  const round = (x: number) => Math.round(x * 1e4) / 1e4;
  const accuracy: Record<string, number> = {};
  const accuracyByCategory: Record<string, Record<string, number>> = {};
  annotators.forEach((a, j) => {
    const pi = fit.confusion[j];
    accuracy[a.name] = round(labels.reduce((s, _, k) => s + fit.prior[k] * pi[k * K + k], 0));
    accuracyByCategory[a.name] = Object.fromEntries(labels.map((name, k) => [name, round(pi[k * K + k])]));
  });
  const agreement: Record<string, number> = {};
  for (let a = 0; a < annotators.length; a++) {
    for (let b = a + 1; b < annotators.length; b++) {
      let both = 0;
      let same = 0;
      for (let i = 0; i < n; i++) {
        if (votes[a][i] >= 0 && votes[b][i] >= 0) {
          both++;
          if (votes[a][i] === votes[b][i]) same++;
        }
      }
      agreement[`${annotators[a].name} / ${annotators[b].name}`] = round(both ? same / both : 0);
      log(
        `agreement ${annotators[a].name} / ${annotators[b].name}: ${(both ? same / both : 0).toFixed(3)} on the ${both} reports both labelled`,
      );
    }
  }
  annotators.forEach((a) => {
    const byCategory = Object.entries(accuracyByCategory[a.name]).sort((x, z) => x[1] - z[1]);
    const [low, high] = [byCategory[0], byCategory[byCategory.length - 1]];
    log(
      `annotator ${a.name}: estimated accuracy ${accuracy[a.name].toFixed(3)} (by category from ${low[1].toFixed(2)} ${low[0]} to ${high[1].toFixed(2)} ${high[0]})`,
    );
  });
  log(
    `Dawid-Skene: ${fit.iterations} EM iteration${fit.iterations === 1 ? '' : 's'}${fit.converged ? '' : ` (stopped at the cap, not converged)`}; ` +
      `the most probable category differs from ${first.name}'s label on ${changed} of ${labelled[0]} reports`,
  );
  return new Targets({
    kind: 'single-label',
    labels,
    y,
    soft: Float32Array.from(fit.posterior),
    summary: {
      method: 'dawid-skene',
      annotators: annotators.map((a) => a.name),
      accuracy,
      accuracyByCategory,
      agreement,
      labelled: Object.fromEntries(annotators.map((a, j) => [a.name, labelled[j]])),
      iterations: fit.iterations,
      converged: fit.converged,
      changed,
    },
  });
}
