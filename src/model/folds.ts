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
 * Seeded folds of training targets: single-label targets are stratified by label; reports of
 * one group (`targets.groups`: copies of one another) share a fold (stratifiedGroupFolds).
 */
export function targetFolds(targets: Targets, k: number, rng: Rng): Int32Array {
  switch (targets.kind) {
    case 'single-label':
      return targets.groups
        ? stratifiedGroupFolds(targets.y, targets.labels.length, targets.groups, k, rng)
        : stratifiedFolds(targets.y, targets.labels.length, k, rng);
  }
}

/** The reports in fold `f` (`held`) and the others (`train`), each in input order. */
export function foldRows(fold: Int32Array, f: number): { train: number[]; held: number[] } {
  const train: number[] = [];
  const held: number[] = [];
  fold.forEach((g, i) => (g === f ? held : train).push(i));
  return { train, held };
}
