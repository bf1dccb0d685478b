import { DataError } from '../base/errors.js';
import { labelMatcher } from '../base/globs.js';
import type { Log } from '../base/log.js';
import { Targets } from '../base/targets.js';
import { newtonStep } from './calibration.js';

/**
 * A tracker's own labels, several per report (Targets of kind `multi-label`): which labels are
 * learned, how each label's sigmoid output becomes a calibrated probability, how scoped labels
 * (`scope::value`) are kept exclusive, and each label's operating point (the probability from
 * which it is suggested), chosen on out-of-fold predictions.
 */

/** How the label set is made from the reports' label lists. */
export interface LabelSetRules {
  /** Glob patterns of labels to leave out (`workflow::*`): a report keeps its other labels; one left with none is a negative for every label. */
  exclude: readonly string[];
  /** Labels on fewer training reports are not learned: listed as needing more data, never suggested. */
  minLabelCount: number;
}

/** One label's operating point and its out-of-fold figures there. */
export interface LabelPoint {
  /** The probability from which the label is suggested; null: never (no threshold reaches the precision asked for, or without one does better than chance, or no report carries it). */
  threshold: number | null;
  /** Out-of-fold precision, recall and F1 at the threshold (0 where it is null). */
  precision: number;
  recall: number;
  f1: number;
  /** Training reports that carry the label. */
  support: number;
}

/** A label's calibration: its sigmoid output's logit z becomes sigmoid(slope z + intercept) (Platt scaling, fitted out of fold). */
export interface LabelCalibration {
  slope: number;
  intercept: number;
}

/** What a multi-label model keeps besides its networks (saved as plain data in its manifest, `multiLabel`). */
export interface MultiLabelRecord {
  /** The label patterns left out. */
  exclude: string[];
  minLabelCount: number;
  /** How the thresholds were chosen: each label's best out-of-fold F1, or the lowest threshold reaching `minPrecision`. */
  rule: 'max-f1' | 'min-precision';
  minPrecision?: number;
  /** Each label's calibration, in the model's label order. */
  calibration: LabelCalibration[];
  /** Each label's operating point, by label. */
  points: Record<string, LabelPoint>;
  /** Labels on fewer than minLabelCount training reports, with their counts: not learned, never suggested. */
  needsMoreData: Record<string, number>;
  /** Labels that no threshold suits out of fold (none reaches minPrecision; without it, none does better than chance): never suggested. */
  unreachable: string[];
  /** Reports whose out-of-fold predictions fitted the calibration and the thresholds (0: none; thresholds then 0.5). */
  outOfFoldReports: number;
  /** Training reports left with none of the labels (negatives for every label). */
  withoutLabels: number;
}

/** The scope of a scoped label (`kind` of `kind::Bug`; the part before the last `::`), or undefined. */
export const scopeOf = (label: string): string | undefined => {
  const at = label.lastIndexOf('::');
  return at > 0 ? label.slice(0, at) : undefined;
};

/** The groups of label indices that share a scope (two labels or more). */
export function scopes(labels: readonly string[]): number[][] {
  const by = new Map<string, number[]>();
  labels.forEach((l, c) => {
    const s = scopeOf(l);
    if (s !== undefined) by.set(s, [...(by.get(s) ?? []), c]);
  });
  return [...by.values()].filter((g) => g.length > 1);
}

/**
 * Multi-label targets of reports' label lists: labels matching `rules.exclude` are dropped, and
 * so are labels on fewer than `rules.minLabelCount` reports (returned in needsMoreData). A report
 * left with no label stays, a negative for every label.
 */
export function labelSetTargets(
  lists: readonly (readonly string[])[],
  rules: LabelSetRules,
  log: Log,
): { targets: Targets; needsMoreData: Record<string, number>; withoutLabels: number } {
  const excluded = labelMatcher(rules.exclude);
  const kept = lists.map((l) => [...new Set(l.map((x) => x.trim()).filter((x) => x !== '' && !excluded(x)))]);
  const counts = new Map<string, number>();
  for (const l of kept) for (const x of l) counts.set(x, (counts.get(x) ?? 0) + 1);
  const labels = [...counts.keys()].filter((l) => counts.get(l)! >= rules.minLabelCount).sort();
  const needsMoreData = Object.fromEntries(
    [...counts].filter(([, n]) => n < rules.minLabelCount).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)),
  );
  if (labels.length === 0)
    throw new DataError(
      `no label is on ${rules.minLabelCount} training reports or more${counts.size ? ` (the most common: ${[...counts].sort((a, b) => b[1] - a[1])[0].join(' on ')})` : ''}`,
      { code: 'NO_LABELS', advice: 'lower --min-label-count, or give more labelled reports' },
    );
  const k = labels.length;
  const index = new Map(labels.map((l, c) => [l, c]));
  const sets = new Uint8Array(lists.length * k);
  const y = new Int32Array(lists.length).fill(k);
  let withoutLabels = 0;
  kept.forEach((l, i) => {
    let rarest = -1;
    for (const x of l) {
      const c = index.get(x);
      if (c === undefined) continue;
      sets[i * k + c] = 1;
      if (rarest < 0 || counts.get(x)! < counts.get(labels[rarest])!) rarest = c;
    }
    if (rarest >= 0) y[i] = rarest;
    else withoutLabels++;
  });
  const rare = Object.keys(needsMoreData).length;
  log(
    `${k} label${k === 1 ? '' : 's'} on ${rules.minLabelCount} reports or more are learned` +
      (rare ? `; ${rare} rarer need more data (${Object.keys(needsMoreData).slice(0, 5).join(', ')}${rare > 5 ? ', ...' : ''})` : '') +
      (withoutLabels ? `; ${withoutLabels} report${withoutLabels === 1 ? ' has' : 's have'} none of them (a negative for each)` : ''),
  );
  return {
    targets: new Targets({ kind: 'multi-label', labels, y, sets, summary: { method: 'label-sets', annotators: ['labels'] } }),
    needsMoreData,
    withoutLabels,
  };
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Per-label Platt scaling of out-of-fold logits (n x k) against the reports' label sets. */
export function fitLabelCalibration(logits: Float32Array, sets: Uint8Array, k: number): LabelCalibration[] {
  const n = logits.length / k;
  return Array.from({ length: k }, (_, c) => {
    const x = Array.from({ length: n }, (_, i) => logits[i * k + c]);
    const hit = Array.from({ length: n }, (_, i) => sets[i * k + c]);
    return fitLabelPlatt(x, hit);
  });
}

/**
 * Logistic regression of `hit` on `x` (slope, intercept) with a Gaussian prior towards the
 * identity map (slope 1, intercept 0), by Newton's method with backtracking: each step is halved
 * until the penalised log-loss falls, so that it converges where plain Newton steps overshoot (a
 * rare label whose out-of-fold logits separate its reports, or barely vary, sent them to +-1000).
 */
export function fitLabelPlatt(x: readonly number[], hit: readonly number[], prior = 1): LabelCalibration {
  const loss = (a: number, b: number) => {
    let total = 0.5 * prior * ((a - 1) ** 2 + b ** 2);
    for (let i = 0; i < x.length; i++) {
      const z = a * x[i] + b;
      // -[h ln s(z) + (1 - h) ln(1 - s(z))] = softplus(z) - h z, computed stably.
      total += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - hit[i] * z;
    }
    return total;
  };
  let a = 1;
  let b = 0;
  let current = loss(a, b);
  for (let iter = 0; iter < 100; iter++) {
    const { da, db } = newtonStep(x, hit, a, b, prior);
    let step = 1;
    let next = loss(a - da, b - db);
    while (!(next < current) && step > 1e-6) {
      step /= 2;
      next = loss(a - step * da, b - step * db);
    }
    if (!(next < current)) break;
    a -= step * da;
    b -= step * db;
    const gain = current - next;
    current = next;
    if (gain < 1e-10) break;
  }
  return { slope: a, intercept: b };
}

/**
 * Each label's probability (n x k) from the networks' logits: its calibration, then within each
 * scope (labels `scope::value` sharing a scope, of which a report carries one at most) the
 * probabilities are divided by their sum where it exceeds 1, so that they read as shares of one
 * choice: comparable with each other, and with "none of them" as 1 minus their sum.
 */
export function labelProbabilities(
  logits: Float32Array,
  labels: readonly string[],
  calibration: readonly LabelCalibration[],
): Float32Array {
  const k = labels.length;
  const p = new Float32Array(logits.length);
  for (let j = 0; j < logits.length; j++) {
    const { slope, intercept } = calibration[j % k];
    p[j] = sigmoid(slope * logits[j] + intercept);
  }
  const groups = scopes(labels);
  for (let base = 0; base < p.length; base += k) {
    for (const g of groups) {
      let sum = 0;
      for (const c of g) sum += p[base + c];
      if (sum > 1) for (const c of g) p[base + c] /= sum;
    }
  }
  return p;
}

/**
 * The labels suggested for one report (its probabilities `p`, k of them from `at`): those at or
 * above their threshold, at most one a scope (the most probable), most probable first. With
 * `top`, the `top` most probable labels whatever the thresholds (still one a scope).
 */
export function suggest(
  p: Float32Array,
  at: number,
  labels: readonly string[],
  thresholds: readonly (number | null)[],
  top?: number,
): number[] {
  const order = Array.from(labels, (_, c) => c).sort((a, b) => p[at + b] - p[at + a] || a - b);
  const taken = new Set<string>();
  const out: number[] = [];
  for (const c of order) {
    if (top !== undefined ? out.length >= top : thresholds[c] === null || p[at + c] < thresholds[c]!) continue;
    const s = scopeOf(labels[c]);
    if (s !== undefined) {
      if (taken.has(s)) continue;
      taken.add(s);
    }
    out.push(c);
  }
  return out;
}

/** Precision, recall and F1 of a label whose reports are suggested from each distinct probability down, at each cut. */
interface Cut {
  /** The lowest probability suggested at this cut. */
  score: number;
  /** The next lower probability (0 below the last). */
  below: number;
  tp: number;
  fp: number;
}

/** Every cut of label c's probabilities (n x k), highest first. */
function cuts(p: Float32Array, sets: Uint8Array, k: number, c: number): { cuts: Cut[]; support: number } {
  const n = p.length / k;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p[b * k + c] - p[a * k + c]);
  const out: Cut[] = [];
  let tp = 0;
  let fp = 0;
  let support = 0;
  for (let i = 0; i < n; i++) support += sets[i * k + c];
  for (let r = 0; r < n; r++) {
    const i = order[r];
    if (sets[i * k + c]) tp++;
    else fp++;
    const score = p[i * k + c];
    const next = r + 1 < n ? p[order[r + 1] * k + c] : 0;
    if (r + 1 === n || next < score) out.push({ score, below: next, tp, fp });
  }
  return { cuts: out, support };
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** The least out-of-fold precision a best-F1 threshold may have (besides doing better than chance). */
export const MIN_PRECISION_BEST_F1 = 0.1;

/**
 * Each label's operating point from out-of-fold probabilities (n x k) and the reports' label
 * sets: without `minPrecision`, the threshold of its best F1 (ties: the higher threshold) among
 * those that do better than chance, or none (never suggested): better than chance means odds of
 * being right at least twice the label's base odds, and a precision of MIN_PRECISION_BEST_F1 at
 * least, so that a label the model cannot tell apart is not suggested to nearly every report for
 * the F1 that labelling everything gives. With
 * it, the lowest threshold whose precision reaches it and that is itself at least
 * `minPrecision`, or none (never suggested). The floor is there because a precision over all
 * the reports above a threshold lets the surest carry the least sure: a label suggested at a
 * calibrated probability of 0.3 is wrong 7 times in 10 whatever the average above it, and on
 * later issues, labelled less often than the training period's, the average does not hold
 * (README, "An operating point that holds on later issues"). A threshold lies halfway between
 * the lowest probability it suggests and the next lower one (or at the floor, where that is
 * higher), so that it makes the same out-of-fold decisions with room on both sides.
 */
export function operatingPoints(p: Float32Array, sets: Uint8Array, labels: readonly string[], minPrecision?: number): LabelPoint[] {
  const k = labels.length;
  const n = p.length / k;
  return labels.map((_, c) => {
    const { cuts: list, support } = cuts(p, sets, k, c);
    const none: LabelPoint = { threshold: null, precision: 0, recall: 0, f1: 0, support };
    if (support === 0) return none;
    // Odds p / (1 - p) at least twice the base odds s / (1 - s), s the label's share of the reports,
    // and right once in ten at least: for the rarest labels twice the odds is still almost never.
    const chance = Math.max(MIN_PRECISION_BEST_F1, (2 * support) / (n + support));
    let best: { cut: Cut; f1: number } | undefined;
    for (const cut of list) {
      const precision = cut.tp / (cut.tp + cut.fp);
      const recall = cut.tp / support;
      const f1 = cut.tp ? (2 * precision * recall) / (precision + recall) : 0;
      if (minPrecision !== undefined) {
        if (cut.score < minPrecision) break;
        if (precision >= minPrecision && cut.tp > 0) best = { cut, f1 };
      } else if (precision >= chance && (!best || f1 > best.f1)) best = { cut, f1 };
    }
    if (!best || best.cut.tp === 0) return none;
    const { cut } = best;
    const precision = cut.tp / (cut.tp + cut.fp);
    const recall = cut.tp / support;
    return {
      threshold: round4(Math.max((cut.score + cut.below) / 2, minPrecision ?? 0)),
      precision: round4(precision),
      recall: round4(recall),
      f1: round4(best.f1),
      support,
    };
  });
}

/** One point of a label's sweep: at this threshold, its precision (null where nothing is suggested), recall, and the share of reports suggested it. */
export interface SweepPoint {
  threshold: number;
  precision: number | null;
  recall: number;
  share: number;
}

/** The thresholds a sweep is taken at: 0.05 to 0.95 by 0.05. */
export const SWEEP_THRESHOLDS: readonly number[] = Array.from({ length: 19 }, (_, i) => round4(0.05 * (i + 1)));

/** Label c's sweep over SWEEP_THRESHOLDS, from probabilities (n x k) and label sets. */
export function labelSweep(p: Float32Array, sets: Uint8Array, k: number, c: number): SweepPoint[] {
  const n = p.length / k;
  let support = 0;
  for (let i = 0; i < n; i++) support += sets[i * k + c];
  return SWEEP_THRESHOLDS.map((t) => {
    let tp = 0;
    let fp = 0;
    for (let i = 0; i < n; i++) {
      if (p[i * k + c] >= t) {
        if (sets[i * k + c]) tp++;
        else fp++;
      }
    }
    return {
      threshold: t,
      precision: tp + fp ? round4(tp / (tp + fp)) : null,
      recall: support ? round4(tp / support) : 0,
      share: n ? round4((tp + fp) / n) : 0,
    };
  });
}
