/**
 * Confidence calibration by temperature scaling (Guo et al., 2017), with an optional
 * prior correction: p = softmax(logits / T - shift), where shift = beta * ln(prior)
 * lifts rare categories. T is fitted on held-out reports by minimising their negative
 * log-likelihood, so the confidences of the final output are the ones calibrated.
 */

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

/** Mean negative log-likelihood of the true classes. */
export function meanNll(probs: Float32Array, y: Int32Array, classes: number): number {
  let total = 0;
  for (let i = 0; i < y.length; i++) total -= Math.log(Math.max(probs[i * classes + y[i]], 1e-12));
  return total / Math.max(1, y.length);
}

/** The temperature in [0.05, 20] that minimises held-out NLL (golden-section search on ln T). */
export function fitTemperature(logits: Float32Array, y: Int32Array, classes: number, shift: Float32Array): number {
  const loss = (lnT: number) => meanNll(probabilities(logits, classes, Math.exp(lnT), shift), y, classes);
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
