import type { Targets } from '../base/targets.js';

/**
 * Confidence calibration, fitted on held-out reports, in two steps:
 * 1. temperature scaling (Guo et al., 2017) with an optional prior correction:
 *    p = softmax(logits / T - shift), where shift = beta * ln(prior) lifts rare categories;
 *    T minimises the held-out negative log-likelihood;
 * 2. top-label Platt scaling: the winning label's probability q becomes
 *    sigmoid(slope * logit(q) + intercept), the other labels sharing the rest in proportion.
 *    Temperature alone leaves these networks underconfident at low confidence and
 *    overconfident at high confidence (measured in CV: ECE 0.07 at the NLL-optimal T).
 */
export interface Calibration {
  temperature: number;
  slope: number;
  intercept: number;
}

export const UNCALIBRATED: Readonly<Calibration> = Object.freeze({ temperature: 1, slope: 1, intercept: 0 });

const logit = (q: number) => {
  const c = Math.min(1 - 1e-6, Math.max(1e-6, q));
  return Math.log(c / (1 - c));
};
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Calibrated probabilities, n x classes: temperature and prior shift, then the top-label map. */
export function calibrated(logits: Float32Array, classes: number, cal: Calibration, shift: Float32Array): Float32Array {
  const p = probabilities(logits, classes, cal.temperature, shift);
  if (cal.slope === 1 && cal.intercept === 0) return p;
  for (let base = 0; base < p.length; base += classes) {
    let top = base;
    for (let c = base + 1; c < base + classes; c++) if (p[c] > p[top]) top = c;
    const q = p[top];
    let second = 0;
    for (let c = base; c < base + classes; c++) if (c !== top && p[c] > second) second = p[c];
    // The winner stays the winner: never below the runner-up once the rest is rescaled.
    const floor = second / (1 - q + second);
    const mapped = Math.max(sigmoid(cal.slope * logit(q) + cal.intercept), floor);
    const scale = q < 1 ? (1 - mapped) / (1 - q) : 0;
    for (let c = base; c < base + classes; c++) p[c] = c === top ? mapped : p[c] * scale;
  }
  return p;
}

/**
 * Fits temperature, then the top-label map, on held-out logits of reports and their targets: the
 * temperature minimises the negative log-likelihood of their labels, or with soft targets
 * (several annotators' labels combined) the cross-entropy against them, and the top label's
 * "hit" is then its probability of being right.
 */
export function fitCalibration(logits: Float32Array, targets: Targets, shift: Float32Array): Calibration {
  switch (targets.kind) {
    case 'single-label': {
      const { y, soft } = targets;
      const classes = targets.labels.length;
      const temperature = fitTemperature(logits, y, classes, shift, soft);
      const p = probabilities(logits, classes, temperature, shift);
      const x: number[] = [];
      const hit: number[] = [];
      for (let i = 0; i < y.length; i++) {
        let top = 0;
        for (let c = 1; c < classes; c++) if (p[i * classes + c] > p[i * classes + top]) top = c;
        x.push(logit(p[i * classes + top]));
        hit.push(soft ? soft[i * classes + top] : top === y[i] ? 1 : 0);
      }
      return { temperature, ...fitPlatt(x, hit) };
    }
    case 'multi-label':
      // Each label is calibrated on its own (multilabel.ts, fitLabelCalibration); the softmax's
      // temperature and top-label map do not apply, and stay the identity.
      return { ...UNCALIBRATED };
  }
}

/**
 * One Newton step of the penalised logistic regression of `hit` on `x` at slope `a`, intercept
 * `b` (the Gaussian prior `prior` pulling towards slope 1, intercept 0): the step to subtract.
 */
export function newtonStep(x: readonly number[], hit: readonly number[], a: number, b: number, prior: number): { da: number; db: number } {
  let ga = prior * (a - 1);
  let gb = prior * b;
  let haa = prior;
  let hab = 0;
  let hbb = prior;
  for (let i = 0; i < x.length; i++) {
    const q = sigmoid(a * x[i] + b);
    const r = q - hit[i];
    const w = q * (1 - q);
    ga += r * x[i];
    gb += r;
    haa += w * x[i] * x[i];
    hab += w * x[i];
    hbb += w;
  }
  const det = haa * hbb - hab * hab;
  const da = (hbb * ga - hab * gb) / det;
  const db = (haa * gb - hab * ga) / det;
  return { da, db };
}

/**
 * Logistic regression of `hit` on `x` (slope, intercept) by Newton's method, with a weak
 * Gaussian prior pulling towards the identity map (slope 1, intercept 0) for small samples.
 */
export function fitPlatt(x: readonly number[], hit: readonly number[], prior = 1): { slope: number; intercept: number } {
  let a = 1;
  let b = 0;
  for (let iter = 0; iter < 100; iter++) {
    const { da, db } = newtonStep(x, hit, a, b, prior);
    a -= da;
    b -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-10) break;
  }
  return { slope: a, intercept: b };
}

/** Row-wise softmax(logits / temperature - shift), n x classes. */
export function probabilities(logits: Float32Array, classes: number, temperature: number, shift: Float32Array): Float32Array {
  const out = new Float32Array(logits.length);
  const inv = 1 / temperature;
  for (let base = 0; base < logits.length; base += classes) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) {
      const z = logits[base + c] * inv - shift[c];
      out[base + c] = z;
      if (z > max) max = z;
    }
    let sum = 0;
    for (let c = 0; c < classes; c++) {
      const e = Math.exp(out[base + c] - max);
      out[base + c] = e;
      sum += e;
    }
    for (let c = 0; c < classes; c++) out[base + c] /= sum;
  }
  return out;
}

/** Mean negative log-likelihood of the true classes; with `soft`, the mean cross-entropy against each report's class probabilities. */
export function meanNll(probs: Float32Array, y: Int32Array, classes: number, soft?: Float32Array): number {
  let total = 0;
  if (soft) {
    for (let j = 0; j < soft.length; j++) if (soft[j] > 0) total -= soft[j] * Math.log(Math.max(probs[j], 1e-12));
  } else for (let i = 0; i < y.length; i++) total -= Math.log(Math.max(probs[i * classes + y[i]], 1e-12));
  return total / Math.max(1, y.length);
}

/** The temperature in [0.05, 20] that minimises held-out NLL (against `soft` where given; golden-section search on ln T). */
export function fitTemperature(logits: Float32Array, y: Int32Array, classes: number, shift: Float32Array, soft?: Float32Array): number {
  const loss = (lnT: number) => meanNll(probabilities(logits, classes, Math.exp(lnT), shift), y, classes, soft);
  const ratio = (Math.sqrt(5) - 1) / 2;
  let lo = Math.log(0.05);
  let hi = Math.log(20);
  let a = hi - ratio * (hi - lo);
  let b = lo + ratio * (hi - lo);
  let fa = loss(a);
  let fb = loss(b);
  for (let i = 0; i < 60; i++) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - ratio * (hi - lo);
      fa = loss(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + ratio * (hi - lo);
      fb = loss(b);
    }
  }
  return Math.exp((lo + hi) / 2);
}

/** shift_c = beta * ln(prior_c): subtracting it divides probabilities by prior^beta (the prior correction). */
export function priorShift(labels: readonly string[], counts: Record<string, number>, beta: number): Float32Array {
  const total = labels.reduce((s, l) => s + (counts[l] ?? 0), 0);
  return Float32Array.from(labels, (l) => (beta === 0 ? 0 : beta * Math.log(Math.max(counts[l] ?? 0, 0.5) / total)));
}
