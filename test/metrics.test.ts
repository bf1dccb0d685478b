import { describe, expect, it } from 'vitest';
import { accuracyAtCoverage, calibrationError, score } from '../src/eval/metrics.js';

// Worked by hand: confusion rows a: [2 1 0], b: [0 1 1], c: [0 0 1].
const gold = ['a', 'a', 'a', 'b', 'b', 'c'];
const pred = ['a', 'a', 'b', 'b', 'c', 'c'];
const conf = [0.95, 0.85, 0.75, 0.65, 0.55, 0.15];

describe('score', () => {
  const e = score(gold, pred, conf);
  it('computes accuracy, per-class precision/recall/F1 and support', () => {
    expect(e.n).toBe(6);
    expect(e.accuracy).toBeCloseTo(4 / 6, 10);
    expect(e.per_class.a).toEqual({ precision: 1, recall: 2 / 3, f1: 0.8, support: 3 });
    expect(e.per_class.b.precision).toBeCloseTo(0.5, 10);
    expect(e.per_class.b.recall).toBeCloseTo(0.5, 10);
    expect(e.per_class.c.f1).toBeCloseTo(2 / 3, 10);
  });
  it('computes macro and weighted F1 like scikit-learn', () => {
    expect(e.macro_f1).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3, 10); // 0.6556
    expect(e.weighted_f1).toBeCloseTo((0.8 * 3 + 0.5 * 2 + 2 / 3) / 6, 10); // 0.6778
  });
  it('builds the confusion matrix over the union of labels', () => {
    expect(e.confusion).toEqual({
      labels: ['a', 'b', 'c'],
      matrix: [
        [2, 1, 0],
        [0, 1, 1],
        [0, 0, 1],
      ],
    });
    const extra = score(['a'], ['z'], [0.5]);
    expect(extra.confusion.labels).toEqual(['a', 'z']);
    expect(extra.per_class.z).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
  });
});

describe('calibration error and coverage', () => {
  const correct = gold.map((g, i) => g === pred[i]);
  it('averages |accuracy - confidence| over 10 bins, weighted by bin size', () => {
    // Each report sits alone in its bin: (0.05 + 0.15 + 0.75 + 0.35 + 0.55 + 0.85) / 6
    expect(calibrationError(correct, conf)).toBeCloseTo(0.45, 10);
    expect(calibrationError([true, false], [0.5, 0.5])).toBeCloseTo(0, 10);
    expect(calibrationError([true], [1])).toBeCloseTo(0, 10);
  });
  it('keeps the most confident share of reports', () => {
    expect(accuracyAtCoverage(correct, conf, 0.5)).toEqual({ coverage: 0.5, n: 3, accuracy: 2 / 3 });
    expect(accuracyAtCoverage(correct, conf, 1).accuracy).toBeCloseTo(4 / 6, 10);
    expect(score(gold, pred, conf).coverage.map((c) => c.n)).toEqual([3, 5, 6]);
  });
});
