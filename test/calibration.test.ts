import { describe, expect, it } from 'vitest';
import { fitTemperature, meanNll, probabilities } from '../src/calibration.js';
import { Rng } from '../src/rng.js';

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
