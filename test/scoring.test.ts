/** The public API's scoring of predictions already made: figures, reliability bins, accuracy against coverage. */
import { describe, expect, it } from 'vitest';
import { confidenceThresholds, reliability, scorePredictions, UsageError } from '../src/index.js';
import fc from 'fast-check';
import { calibrationError, score } from '../src/eval/metrics.js';
import { decide } from '../src/model/prediction.js';

// Worked by hand (as in metrics.test.ts): right, right, wrong, right, wrong, right.
const gold = ['a', 'a', 'a', 'b', 'b', 'c'];
const pred = ['a', 'a', 'b', 'b', 'c', 'c'];
const conf = [0.95, 0.85, 0.75, 0.65, 0.55, 0.15];
const preds = pred.map((label, i) => ({ label, confidence: conf[i] }));

describe('scorePredictions', () => {
  it('gives what score gives for the same labels and confidences', () => {
    expect(scorePredictions(gold, preds)).toEqual(score(gold, pred, conf));
  });

  it('refuses labels and predictions of different lengths', () => {
    expect(() => scorePredictions(gold.slice(1), preds)).toThrow(UsageError);
    expect(() => reliability(gold, preds.slice(1))).toThrow(/5 labels for 6 predictions|6 labels for 5 predictions/);
    expect(() => confidenceThresholds([], preds)).toThrow(UsageError);
  });
});

describe('reliability', () => {
  it('puts each report in its tenth of confidence, with the bin’s accuracy and mean confidence', () => {
    const bins = reliability(gold, preds);
    expect(bins).toHaveLength(10);
    expect(bins.map((b) => b.n)).toEqual([0, 1, 0, 0, 0, 1, 1, 1, 1, 1]);
    expect(bins[7]).toEqual({ lower: 0.7, upper: 0.8, n: 1, accuracy: 0, confidence: 0.75 });
    expect(bins[9]).toEqual({ lower: 0.9, upper: 1, n: 1, accuracy: 1, confidence: 0.95 });
    expect(bins[0]).toEqual({ lower: 0, upper: 0.1, n: 0, accuracy: 0, confidence: 0 });
    expect(
      reliability(
        ['a', 'a'],
        [
          { label: 'a', confidence: 1 },
          { label: 'b', confidence: 0.5 },
        ],
        2,
      ).map((b) => b.n),
    ).toEqual([0, 2]);
  });

  it('gives the calibration error its bins: the size-weighted mean gap between accuracy and confidence', () => {
    const bins = reliability(gold, preds);
    const fromBins = bins.reduce((e, b) => e + (b.n / gold.length) * Math.abs(b.accuracy - b.confidence), 0);
    expect(fromBins).toBeCloseTo(0.45, 10);
    expect(
      calibrationError(
        gold.map((g, i) => g === pred[i]),
        conf,
      ),
    ).toBe(scorePredictions(gold, preds).ece);
  });

  it('takes a number of bins from 1 up', () => {
    expect(reliability(gold, preds, 1)).toEqual([
      { lower: 0, upper: 1, n: 6, accuracy: 4 / 6, confidence: conf.reduce((a, b) => a + b) / 6 },
    ]);
    expect(() => reliability(gold, preds, 0)).toThrow(UsageError);
  });
});

describe('confidenceThresholds', () => {
  it('gives accuracy on the reports at or above each confidence, highest first, ending with all of them', () => {
    expect(confidenceThresholds(gold, preds)).toEqual([
      { threshold: 0.95, coverage: 1 / 6, n: 1, accuracy: 1 },
      { threshold: 0.85, coverage: 2 / 6, n: 2, accuracy: 1 },
      { threshold: 0.75, coverage: 3 / 6, n: 3, accuracy: 2 / 3 },
      { threshold: 0.65, coverage: 4 / 6, n: 4, accuracy: 3 / 4 },
      { threshold: 0.55, coverage: 5 / 6, n: 5, accuracy: 3 / 5 },
      { threshold: 0.15, coverage: 1, n: 6, accuracy: 4 / 6 },
    ]);
  });

  it('keeps reports of equal confidence together: a threshold keeps all of them or none', () => {
    const tied = confidenceThresholds(
      ['a', 'a', 'a'],
      [
        { label: 'a', confidence: 0.9 },
        { label: 'b', confidence: 0.7 },
        { label: 'a', confidence: 0.7 },
      ],
    );
    expect(tied).toEqual([
      { threshold: 0.9, coverage: 1 / 3, n: 1, accuracy: 1 },
      { threshold: 0.7, coverage: 1, n: 3, accuracy: 2 / 3 },
    ]);
    expect(confidenceThresholds([], [])).toEqual([]);
  });
});

describe('decide (a prediction from a row of probabilities)', () => {
  it('ranks as a sort of the whole row would: most probable first, ties to the lower index, NaN rows too', () => {
    const labels = ['a', 'b', 'c', 'd', 'e', 'f'];
    const sorted = (row: number[], top: number) =>
      row
        .map((_, c) => c)
        .sort((a, b) => row[b] - row[a] || a - b)
        .slice(0, Math.max(1, top))
        .map((c) => labels[c]);
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.constantFrom(0, -0, 0.1, 0.25, 0.5, 1, NaN), { minLength: 6, maxLength: 6 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 0, max: 8 }),
        (rows, top) => {
          const got = decide(Float32Array.from(rows.flat()), labels, top);
          expect(got.map((p) => p.top.map((t) => t.label))).toEqual(rows.map((r) => sorted(r, top)));
          expect(got.map((p) => p.label)).toEqual(rows.map((r) => sorted(r, top)[0]));
        },
      ),
      { seed: 20261205, numRuns: 3000 },
    );
  });
});
