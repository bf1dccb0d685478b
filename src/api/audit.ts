import { DataError, UsageError } from '../base/errors.js';
import { checkOptions, pickOptions, type OptionKeys } from '../base/options.js';
import { confidentLearning, RANKINGS, type Ranking } from '../eval/confident.js';
import type { GroupCount, RankedLabel } from '../eval/crossvalidate.js';
import type { Reports } from '../io/reports.js';
import { crossValidate, CROSS_VALIDATE_OPTIONS, type CrossValidateOptions } from './evaluate.js';

export interface AuditOptions extends CrossValidateOptions {
  /**
   * How reports are ranked (default `self-confidence`: the given label's probability, lowest
   * first; or `normalized-margin`: it minus the best other label's). With 5 % of the QEMU
   * corpus's labels flipped at random, self-confidence put 50 to 55 % of the flips in its top
   * 5 %, the margin 26 to 28 % (scripts/audit-planted.mjs, seeds 1 and 2).
   */
  ranking?: Ranking;
}

/** AuditOptions's keys (base/options.ts). */
const AUDIT_OPTIONS: OptionKeys<AuditOptions> = { ...CROSS_VALIDATE_OPTIONS, ranking: true };

/** One report's audit: its given label against its out-of-fold probabilities. */
export interface AuditEntry {
  /** 1 for the report most likely mislabelled. */
  rank: number;
  id: string;
  /** Its position in the reports given (0 = first). */
  index: number;
  /** The given label (the first annotator's). */
  label: string;
  /** The other annotators' labels of the report, in their order, when the reports carry them (annotators after the first, or secondLabels). */
  otherLabels?: string[];
  /** The given label's out-of-fold probability. */
  probability: number;
  /** The given label's typical confidence: its mean probability over the reports given it. */
  threshold: number;
  /** The label the report confidently belongs to if the given one is likely wrong; otherwise the most probable other label. */
  suggested: string;
  suggestedProbability: number;
  /** probability minus the best other label's probability (negative: the model prefers another label). */
  margin: number;
  /** The ranking's score (lower: more likely wrong). */
  score: number;
  /** True when confident learning finds the given label likely wrong: another label reaches its typical confidence and outranks every label that does. */
  issue: boolean;
  /** The fold the report was held out in. */
  fold: string;
  /** Every label's out-of-fold probability, best first. */
  probabilities: RankedLabel[];
}

/** One category's audit: its reports, its typical confidence, and how many of its labels look wrong. */
export interface CategoryAudit {
  label: string;
  /** Reports given this label. */
  reports: number;
  /** The mean out-of-fold probability of the label over its reports. */
  threshold: number;
  /** Its reports flagged as issues. */
  issues: number;
  /** How many of its reports are estimated to belong to another category (from the calibrated confident joint). */
  estimatedWrong: number;
}

/** The audit of a labelled set: every report ranked, most likely mislabelled first, and the per-category estimates. */
export interface Audit {
  /** All reports, most likely mislabelled first: the issues (ranked by score), then the others. */
  entries: AuditEntry[];
  /** How many reports are issues (the first `issues` entries). */
  issues: number;
  categories: CategoryAudit[];
  /** The number of folds. */
  folds: number;
  /** The groups of reports the folds kept together (copies of one another, or the caller's groups). */
  groups: GroupCount;
  ranking: Ranking;
}

/**
 * Finds labels that are likely wrong (confident learning, Northcutt et al. 2021) from
 * cross-fitted out-of-fold probabilities: the reports are dealt into folds (seeded and
 * stratified, or the reports' own `folds`), a model trained on the other folds (with train's
 * options) gives each report every label's probability, so no report is scored by a model that
 * saw it. A report is an issue when another label reaches its typical confidence and outranks
 * every label that does; issues come first, ranked by the given label's probability (or its
 * margin over the best other label). Per category, the confident joint estimates how many
 * labels are wrong.
 */
export async function audit(reports: Reports, options: AuditOptions = {}): Promise<Audit> {
  checkOptions('audit', options, AUDIT_OPTIONS);
  const ranking = options.ranking ?? 'self-confidence';
  if (!RANKINGS.includes(ranking)) throw new UsageError(`ranking is ${JSON.stringify(ranking)}: expected one of ${RANKINGS.join(', ')}`);
  if (!reports?.labels) throw new DataError('the reports carry no labels: an audit needs a label for every report', { code: 'NO_LABELS' });
  const labels = [...new Set(reports.labels)].sort();
  const classes = labels.length;
  const cv = await crossValidate(reports, { ...pickOptions<CrossValidateOptions>(options, CROSS_VALIDATE_OPTIONS), top: classes });
  const index = new Map(labels.map((l, c) => [l, c]));
  const y = Int32Array.from(reports.labels, (l) => index.get(l)!);
  // A fold's model lacks a label its training folds lacked: that label's probability is 0 there.
  const probs = new Float64Array(y.length * classes);
  cv.predictions.forEach((p, i) => p.top.forEach((t) => index.has(t.label) && (probs[i * classes + index.get(t.label)!] = t.probability)));
  const cl = confidentLearning(probs, y, classes, ranking);
  const entries = Array.from(cl.order, (i, r): AuditEntry => {
    const given = y[i];
    const other =
      reports.annotators && reports.annotators.length > 1
        ? reports.annotators.slice(1).map((a) => a.labels[i])
        : reports.secondLabels && [reports.secondLabels[i]];
    return {
      rank: r + 1,
      id: reports.ids[i],
      index: i,
      label: labels[given],
      ...(other ? { otherLabels: other } : {}),
      probability: probs[i * classes + given],
      threshold: cl.thresholds[given],
      suggested: labels[cl.suggested[i]],
      suggestedProbability: probs[i * classes + cl.suggested[i]],
      margin: cl.margin[i],
      score: cl.score[i],
      issue: cl.issue[i] === 1,
      fold: cv.predictions[i].fold,
      probabilities: labels
        .map((label, c) => ({ label, probability: probs[i * classes + c] }))
        .sort((a, b) => b.probability - a.probability),
    };
  });
  const issuesOf = new Array<number>(classes).fill(0);
  cl.issue.forEach((f, i) => (issuesOf[y[i]] += f));
  return {
    entries,
    issues: issuesOf.reduce((a, b) => a + b, 0),
    categories: labels.map((label, c) => ({
      label,
      reports: y.filter((g) => g === c).length,
      threshold: cl.thresholds[c],
      issues: issuesOf[c],
      estimatedWrong: cl.estimatedWrong[c],
    })),
    folds: cv.folds.length,
    groups: cv.groups!,
    ranking,
  };
}
