import { describe, expect, it } from 'vitest';
import { Rng } from '../src/base/rng.js';
import { calibrated, fitPlatt, fitTemperature, meanNll, probabilities, UNCALIBRATED } from '../src/model/calibration.js';
import { calibrationEpochs } from '../src/model/crossfit.js';
import { stratifiedFolds } from '../src/model/folds.js';

describe('probabilities', () => {
  it('is a softmax of logits / T minus the prior shift', () => {
    const p = probabilities(Float32Array.from([2, 0]), 2, 1, new Float32Array(2));
    expect(p[0]).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
    expect(p[0] + p[1]).toBeCloseTo(1, 6);
    const flat = probabilities(Float32Array.from([2, 0]), 2, 1e6, new Float32Array(2));
    expect(flat[0]).toBeCloseTo(0.5, 4);
    const shifted = probabilities(Float32Array.from([0, 0]), 2, 1, Float32Array.from([Math.log(0.75), Math.log(0.25)]));
    expect(shifted[1]).toBeCloseTo(0.75, 6);
  });
});

describe('fitTemperature', () => {
  it('recovers the temperature that generated the labels', () => {
    // Labels drawn from softmax(z / 2): the fitted temperature should be near 2.
    const rng = new Rng(3);
    const n = 4000;
    const k = 3;
    const logits = new Float32Array(n * k);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < k; c++) logits[i * k + c] = (rng.next() - 0.5) * 8;
      const p = probabilities(logits.subarray(i * k, i * k + k), k, 2, new Float32Array(k));
      const u = rng.next();
      y[i] = u < p[0] ? 0 : u < p[0] + p[1] ? 1 : 2;
    }
    const t = fitTemperature(logits, y, k, new Float32Array(k));
    expect(t).toBeGreaterThan(1.7);
    expect(t).toBeLessThan(2.3);
    const fitted = meanNll(probabilities(logits, k, t, new Float32Array(k)), y, k);
    expect(fitted).toBeLessThan(meanNll(probabilities(logits, k, 1, new Float32Array(k)), y, k));
  });
});

describe('top-label Platt scaling', () => {
  it('fits the slope and intercept that generated the hits', () => {
    // hit ~ Bernoulli(sigmoid(0.5 * x - 0.3)): the fit should come back near (0.5, -0.3).
    const rng = new Rng(11);
    const x: number[] = [];
    const hit: number[] = [];
    for (let i = 0; i < 20000; i++) {
      const xi = (rng.next() - 0.5) * 8;
      x.push(xi);
      hit.push(rng.next() < 1 / (1 + Math.exp(-(0.5 * xi - 0.3))) ? 1 : 0);
    }
    const { slope, intercept } = fitPlatt(x, hit);
    expect(slope).toBeCloseTo(0.5, 1);
    expect(intercept).toBeCloseTo(-0.3, 1);
  });

  it('maps the winning probability, rescales the rest, and keeps the winner first', () => {
    const logits = Float32Array.from([2, 1, 0, 0, 0.1, 0]);
    const cal = { temperature: 1, slope: 0.5, intercept: 0 };
    const p = calibrated(logits, 3, cal, new Float32Array(3));
    const raw = probabilities(logits, 3, 1, new Float32Array(3));
    const q = raw[0];
    const mapped = 1 / (1 + Math.exp(-0.5 * Math.log(q / (1 - q))));
    expect(p[0]).toBeCloseTo(mapped, 6);
    expect(p[1] / p[2]).toBeCloseTo(raw[1] / raw[2], 5);
    expect(p[0] + p[1] + p[2]).toBeCloseTo(1, 6);
    for (let base = 0; base < 6; base += 3) {
      const row = Array.from(p.subarray(base, base + 3));
      const rawRow = Array.from(raw.subarray(base, base + 3));
      expect(row.indexOf(Math.max(...row))).toBe(rawRow.indexOf(Math.max(...rawRow)));
    }
    expect(calibrated(logits, 3, UNCALIBRATED, new Float32Array(3))).toEqual(raw);
  });
});

describe('calibration folds', () => {
  it('deals every class evenly over the folds, the same way for the same seed', () => {
    const y = Int32Array.from({ length: 100 }, (_, i) => (i < 70 ? 0 : i < 97 ? 1 : 2));
    const fold = stratifiedFolds(y, 3, 3, new Rng(4));
    for (const [c, n] of [
      [0, 70],
      [1, 27],
      [2, 3],
    ]) {
      const per = [0, 1, 2].map((f) => y.filter((yc, i) => yc === c && fold[i] === f).length);
      expect(per.reduce((a, b) => a + b)).toBe(n);
      expect(Math.max(...per) - Math.min(...per)).toBeLessThanOrEqual(1);
    }
    expect(stratifiedFolds(y, 3, 3, new Rng(4))).toEqual(fold);
    expect(stratifiedFolds(y, 3, 3, new Rng(5))).not.toEqual(fold);
  });

  it('trains calibration models for more epochs the less of the data they see', () => {
    expect(calibrationEpochs({ epochs: 6, calibrationFolds: 3 })).toBe(7);
    expect(calibrationEpochs({ epochs: 6, calibrationFolds: 2 })).toBe(8);
    expect(calibrationEpochs({ epochs: 6, calibrationFolds: 10 })).toBe(6);
    expect(calibrationEpochs({ epochs: 1, calibrationFolds: 3 })).toBe(1);
  });
});
