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

/** Seeded folds of training targets: single-label targets are stratified by label (stratifiedFolds). */
export function targetFolds(targets: Targets, k: number, rng: Rng): Int32Array {
  switch (targets.kind) {
    case 'single-label':
      return stratifiedFolds(targets.y, targets.labels.length, k, rng);
  }
}

/** The reports in fold `f` (`held`) and the others (`train`), each in input order. */
export function foldRows(fold: Int32Array, f: number): { train: number[]; held: number[] } {
  const train: number[] = [];
  const held: number[] = [];
  fold.forEach((g, i) => (g === f ? held : train).push(i));
  return { train, held };
}
