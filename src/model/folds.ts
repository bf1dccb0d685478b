import type { Rng } from '../base/rng.js';
import type { Targets } from '../base/targets.js';

/** The indices of each class's reports, in input order: groups[c] lists the i with y[i] = c. */
function groupByClass(y: Int32Array, classes: number): number[][] {
  const groups: number[][] = Array.from({ length: classes }, () => []);
  y.forEach((c, i) => groups[c].push(i));
  return groups;
}

/**
 * A seeded stratified k-fold assignment: each class's reports, shuffled, are dealt round-robin
 * over folds 0..k-1. The cross-fitted calibration deals its folds with it, and so does
 * cross-validation (eval/), from a different seed.
 */
export function stratifiedFolds(y: Int32Array, classes: number, k: number, rng: Rng): Int32Array {
  const fold = new Int32Array(y.length);
  let next = 0;
  for (const members of groupByClass(y, classes)) for (const i of rng.shuffle(members)) fold[i] = next++ % k;
  return fold;
}

/**
 * A seeded stratified group k-fold assignment (as scikit-learn's StratifiedGroupKFold): reports
 * of one group (`group[i]`, any integers) always share a fold, and each class is spread over the
 * folds as evenly as the groups allow. The groups of two reports or more are placed first, in a
 * seeded order, largest first, each in the fold where it leaves the classes' shares per fold
 * most even (the mean over its classes of the standard deviation, across folds, of the share of
 * the class's reports each fold holds; ties: the fold with fewer reports, then the first). Then
 * each class's other reports, shuffled, go one by one to the fold holding fewest of the class
 * (ties: fewer reports, then the next fold round-robin). Without shared groups this is
 * stratifiedFolds exactly, draw for draw: grouping changes nothing where no reports share one.
 */
export function stratifiedGroupFolds(y: Int32Array, classes: number, group: Int32Array, k: number, rng: Rng): Int32Array {
  const n = y.length;
  const fold = new Int32Array(n).fill(-1);
  const count = new Float64Array(k * classes);
  const total = new Float64Array(k);
  const classTotal = new Float64Array(classes);
  for (const c of y) classTotal[c]++;
  const members = new Map<number, number[]>();
  y.forEach((_, i) => {
    const m = members.get(group[i]);
    if (m) m.push(i);
    else members.set(group[i], [i]);
  });
  const shared = [...members.values()].filter((m) => m.length > 1);
  if (shared.length) {
    const order = rng.shuffle(shared).sort((a, b) => b.length - a.length);
    const spread = (c: number) => {
      let mean = 0;
      for (let f = 0; f < k; f++) mean += count[f * classes + c] / classTotal[c];
      mean /= k;
      let v = 0;
      for (let f = 0; f < k; f++) v += (count[f * classes + c] / classTotal[c] - mean) ** 2;
      return Math.sqrt(v / k);
    };
    for (const m of order) {
      const its = [...new Set(m.map((i) => y[i]))];
      let best = -1;
      let bestCost = Infinity;
      for (let f = 0; f < k; f++) {
        for (const i of m) count[f * classes + y[i]]++;
        const cost = its.reduce((s, c) => s + spread(c), 0) / its.length;
        for (const i of m) count[f * classes + y[i]]--;
        if (cost < bestCost || (cost === bestCost && total[f] < total[best])) [best, bestCost] = [f, cost];
      }
      for (const i of m) {
        fold[i] = best;
        count[best * classes + y[i]]++;
      }
      total[best] += m.length;
    }
  }
  const alone = groupByClass(y, classes).map((rows) => rows.filter((i) => fold[i] < 0));
  let next = 0;
  alone.forEach((rows, c) => {
    for (const i of rng.shuffle(rows)) {
      let best = next % k;
      for (let d = 1; d < k; d++) {
        const f = (next + d) % k;
        const [a, b] = [count[f * classes + c], count[best * classes + c]];
        if (a < b || (a === b && total[f] < total[best])) best = f;
      }
      fold[i] = best;
      count[best * classes + c]++;
      total[best]++;
      next = best + 1;
    }
  });
  return fold;
}

/**
 * Seeded folds of training targets: single-label targets are stratified by label, multi-label
 * ones by each report's rarest label (reports without a label as one more class: `y`, see
 * Targets), which spreads every label's few reports over the folds first; reports of one group
 * (`targets.groups`: copies of one another) share a fold (stratifiedGroupFolds).
 */
export function targetFolds(targets: Targets, k: number, rng: Rng): Int32Array {
  let classes: number;
  switch (targets.kind) {
    case 'single-label':
      classes = targets.labels.length;
      break;
    case 'multi-label':
      classes = targets.labels.length + 1;
      break;
  }
  return targets.groups ? stratifiedGroupFolds(targets.y, classes, targets.groups, k, rng) : stratifiedFolds(targets.y, classes, k, rng);
}

/**
 * Forward-chaining folds over time (a report's `time`, any sortable string such as ISO dates):
 * the reports, oldest first, are cut into k + 1 consecutive parts of near-equal size; fold f
 * (0-based) trains on parts 0..f and is tested on part f + 1, so every fold is judged on reports
 * newer than all it learned from, as a bot is judged on next month's issues. Reports with the
 * same time stay in one part. Returns each fold's training and test rows, in input order.
 */
export function timeFolds(time: readonly string[], k: number): { train: number[]; held: number[] }[] {
  const order = Array.from(time, (_, i) => i).sort((a, b) => (time[a] < time[b] ? -1 : time[a] > time[b] ? 1 : a - b));
  const part = new Int32Array(time.length);
  let p = 0;
  order.forEach((i, r) => {
    // The part of rank r: floor(r (k + 1) / n); a report of the same time as the one before stays in its part.
    const natural = Math.min(k, Math.floor((r * (k + 1)) / order.length));
    p = r > 0 && time[i] === time[order[r - 1]] ? p : Math.max(p, natural);
    part[i] = p;
  });
  return Array.from({ length: k }, (_, f) => {
    const train: number[] = [];
    const held: number[] = [];
    part.forEach((q, i) => {
      if (q <= f) train.push(i);
      else if (q === f + 1) held.push(i);
    });
    return { train, held };
  });
}

/** The reports in fold `f` (`held`) and the others (`train`), each in input order. */
export function foldRows(fold: Int32Array, f: number): { train: number[]; held: number[] } {
  const train: number[] = [];
  const held: number[] = [];
  fold.forEach((g, i) => (g === f ? held : train).push(i));
  return { train, held };
}
