import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/base/rng.js';
import { sparseLayer } from '../src/nn/kernels.js';
import type { SparseVector } from '../src/nn/sparse.js';
// @ts-expect-error: a plain ES module script without types
import { compileKernels } from '../scripts/build-kernels.mjs';

function rows(rng: Rng, n: number, vocab: number, nnz: number): SparseVector[] {
  return Array.from({ length: n }, () => {
    const ids = [...new Set(Array.from({ length: nnz }, () => rng.int(vocab)))];
    return { indices: Int32Array.from(ids), values: Float32Array.from(ids, () => rng.next() * 2 - 1) };
  });
}

function layers(vocab: number, hidden: number, rng: Rng) {
  const weights = Float32Array.from({ length: vocab * hidden }, () => rng.next() - 0.5);
  return { weights, wasm: sparseLayer(weights, hidden, 'wasm'), js: sparseLayer(weights, hidden, 'js') };
}

const close = (a: Float32Array, b: Float32Array) => {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  expect(worst).toBeLessThan(1e-4);
};

describe('the sparse layer kernels', () => {
  it('src/nn/kernels-wasm.ts is the compiled src/nn/kernels.wat (run node scripts/build-kernels.mjs after editing it)', async () => {
    expect(await compileKernels()).toBe(readFileSync(new URL('../src/nn/kernels-wasm.ts', import.meta.url), 'utf8'));
  });

  it('runs in WebAssembly and keeps its own copy of the weights', () => {
    const { weights, wasm, js } = layers(50, 8, new Rng(1));
    expect(wasm.constructor.name).toBe('WasmLayer');
    expect(js.constructor.name).toBe('JsLayer');
    expect(wasm.weights).not.toBe(weights);
    expect(Array.from(wasm.weights)).toEqual(Array.from(weights));
  });

  it.each([4, 8, 64])('bag and sgd give the plain loops\' sums (hidden %i), for batches longer than one kernel call', (hidden) => {
    const rng = new Rng(hidden);
    const vocab = 300;
    const { wasm, js } = layers(vocab, hidden, rng);
    // 2,500 rows: more than one call's 2,048.
    const batch = rows(rng, 2500, vocab, 40);
    close(wasm.bag(batch), js.bag(batch));
    const grad = Float32Array.from({ length: batch.length * hidden }, () => rng.next() - 0.5);
    wasm.sgd(batch, grad, 0.01);
    js.sgd(batch, grad, 0.01);
    close(wasm.weights, js.weights);
    // And the forward pass sees the updated weights.
    close(wasm.bag(batch.slice(0, 10)), js.bag(batch.slice(0, 10)));
    expect(wasm.bag([{ indices: new Int32Array(0), values: new Float32Array(0) }])).toEqual(new Float32Array(hidden));
  });

  it('falls back to the plain loops when hidden is not a multiple of 4', () => {
    expect(sparseLayer(new Float32Array(30), 3).constructor.name).toBe('JsLayer');
  });
});
