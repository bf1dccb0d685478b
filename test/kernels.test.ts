import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/base/rng.js';
import { runtime } from '../src/nn/backend.js';
import { sparseLayer, type QuantizedWeights } from '../src/nn/kernels.js';
import { fromUint8 } from '../src/io/codecs.js';
import { headKernel } from '../src/nn/head.js';
import { denseHead, head } from '../src/nn/network.js';
import { toRows, type SparseVector } from '../src/nn/sparse.js';
// @ts-expect-error: a plain ES module script without types
import { compileKernels } from '../scripts/build-kernels.mjs';

function rows(rng: Rng, n: number, vocab: number, nnz: number): SparseVector[] {
  return Array.from({ length: n }, () => {
    const ids = [...new Set(Array.from({ length: nnz }, () => rng.int(vocab)))];
    return { indices: Int32Array.from(ids), values: Float32Array.from(ids, () => rng.next() * 2 - 1) };
  });
}

/**
 * Weights of a 64-wide layer (w64), and of a 128-wide one whose first 64 columns are them (w128):
 * a 128-wide layer runs the general kernels, and each column's sums and updates are its own, so
 * the 64-wide kernels (bag64, sgd64) must give what the first columns get.
 */
function insideWide(vocab: number, rng: Rng) {
  const w64 = Float32Array.from({ length: vocab * 64 }, () => rng.next() - 0.5);
  const w128 = new Float32Array(vocab * 128);
  for (let r = 0; r < vocab; r++) {
    w128.set(w64.subarray(r * 64, (r + 1) * 64), r * 128);
    for (let h = 64; h < 128; h++) w128[r * 128 + h] = rng.next() - 0.5;
  }
  return { w64, w128 };
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

/** Seeded random pre-activations of n rows (around zero) and dense-head weights. */
function randomHead(seed: number, n: number, hidden: number, classes: number) {
  const rng = new Rng(seed);
  const values = (k: number, scale: number) => Float32Array.from({ length: k }, () => (rng.next() * 2 - 1) * scale);
  const pre = values(n * hidden, 3);
  const w = { embedding: new Float32Array(0), bias1: values(hidden, 0.5), dense: values(hidden * classes, 1), bias2: values(classes, 0.5) };
  return { pre, w };
}

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

  it.each([4, 8, 64])("bag and sgd give the plain loops' sums (hidden %i), for batches longer than one kernel call", (hidden) => {
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

  it.each(['wasm', 'js'] as const)('bagRows (%s) gives exactly what bag gives, rows in one block, over several kernel calls', (kind) => {
    const rng = new Rng(7);
    const { wasm, js } = layers(300, 8, rng);
    const layer = kind === 'wasm' ? wasm : js;
    const batch = [...rows(rng, 2100, 300, 30), { indices: new Int32Array(0), values: new Float32Array(0) }, ...rows(rng, 5, 300, 30)];
    expect(layer.bagRows(toRows(batch))).toEqual(layer.bag(batch));
  });

  it("at the default width (64) the forward pass holds its sums in registers, and gives the general kernel's sums to the bit", () => {
    const rng = new Rng(64);
    const vocab = 500;
    const { w64, w128 } = insideWide(vocab, rng);
    const batch = toRows(rows(rng, 2100, vocab, 60));
    const narrow = sparseLayer(w64, 64, 'wasm').bagRows(batch);
    const wide = sparseLayer(w128, 128, 'wasm').bagRows(batch);
    const firstHalf = new Float32Array(narrow.length);
    for (let b = 0; b < narrow.length / 64; b++) firstHalf.set(wide.subarray(b * 128, b * 128 + 64), b * 64);
    expect(Array.from(narrow)).toEqual(Array.from(firstHalf));
  });

  it("at the default width (64) the update holds each row's gradients in registers, and makes the general kernel's updates to the bit", () => {
    const rng = new Rng(65);
    const vocab = 500;
    // The first 64 columns' updates use only their own gradients.
    const { w64, w128 } = insideWide(vocab, rng);
    const batch = rows(rng, 2100, vocab, 60);
    const grad64 = Float32Array.from({ length: batch.length * 64 }, () => rng.next() - 0.5);
    const grad128 = new Float32Array(batch.length * 128);
    for (let b = 0; b < batch.length; b++) grad128.set(grad64.subarray(b * 64, (b + 1) * 64), b * 128);
    const narrow = sparseLayer(w64, 64, 'wasm');
    const wide = sparseLayer(w128, 128, 'wasm');
    narrow.sgd(batch, grad64, 0.37);
    wide.sgd(batch, grad128, 0.37);
    const firstColumns = new Float32Array(vocab * 64);
    for (let r = 0; r < vocab; r++) firstColumns.set(wide.weights.subarray(r * 128, r * 128 + 64), r * 64);
    expect(Array.from(narrow.weights)).toEqual(Array.from(firstColumns));
    expect(Array.from(narrow.weights)).not.toEqual(Array.from(w64));
  });

  it.each([
    [64, 17],
    [8, 2],
    [100, 5],
  ])("the dense head in plain loops is TensorFlow.js's CPU head to the bit (hidden %i, classes %i)", async (hidden, classes) => {
    const { tf } = await runtime({ backend: 'cpu' });
    const n = 300;
    const { pre, w } = randomHead(hidden + classes, n, hidden, classes);
    const t = tf.tidy(() =>
      head(tf, tf.tensor2d(pre, [n, hidden]), tf.tensor1d(w.bias1), tf.tensor2d(w.dense, [hidden, classes]), tf.tensor1d(w.bias2)),
    );
    const want = t.dataSync() as Float32Array;
    t.dispose();
    expect(Array.from(denseHead(pre, w, { vocabSize: 0, hidden, classes }))).toEqual(Array.from(want));
  });

  it.each([
    [64, 17, 3000],
    [8, 2, 10],
    [100, 5, 300],
    [4, 1, 7],
  ])("the dense head kernel gives the plain loops' logits to the bit (hidden %i, classes %i, %i rows)", (hidden, classes, n) => {
    const kernel = headKernel();
    expect(kernel).not.toBeNull();
    // Pre-activations around zero (about half the units zeroed by ReLU, some exactly 0 or -0 after the bias), 3,000 rows past one call's 2,048.
    const { pre, w } = randomHead(hidden * classes + n, n, hidden, classes);
    for (let i = 0; i < n; i += 7) pre[i * hidden] = -w.bias1[0];
    const want = denseHead(pre, w, { vocabSize: 0, hidden, classes });
    const got = kernel!.logits(pre, w, hidden, classes);
    expect(got).not.toBeNull();
    expect(Array.from(got!)).toEqual(Array.from(want));
  });

  it.each([
    ['sub', 'column second'],
    ['sub', 'column first'],
    ['mul', 'column second'],
    ['mul', 'column first'],
  ] as const)("TensorFlow.js's CPU %s with a [rows, 1] operand (%s) gives the backend's own results to the bit", async (op, order) => {
    const { tf } = await runtime({ backend: 'cpu' }, true);
    const rng = new Rng(op.length + order.length);
    const rows = 64;
    const cols = 17;
    const wide = Float32Array.from({ length: rows * cols }, () => (rng.next() * 2 - 1) * 30);
    const column = Float32Array.from({ length: rows }, () => (rng.next() * 2 - 1) * 30);
    const f = op === 'sub' ? tf.sub : tf.mul;
    const [got, want] = tf.tidy(() => {
      const a = tf.tensor2d(wide, [rows, cols]);
      const c = tf.tensor2d(column, [rows, 1]);
      // The reference: the column repeated to the full shape, which the backend's kernel takes its own way.
      const full = tf.tile(c, [1, cols]);
      return order === 'column second' ? [f(a, c), f(a, full)] : [f(c, a), f(full, a)];
    });
    expect(got.shape).toEqual([rows, cols]);
    expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
    tf.dispose([got, want]);
  });

  it.each([false, true])(
    "TensorFlow.js's CPU sum of a matrix's rows (keepDims %s) gives the backend's own results to the bit",
    async (keepDims) => {
      const { tf } = await runtime({ backend: 'cpu' }, true);
      const rng = new Rng(keepDims ? 2 : 3);
      const rows = 64;
      const cols = 17;
      const values = Float32Array.from({ length: rows * cols }, () => (rng.next() * 2 - 1) * 30);
      const [got, want] = tf.tidy(() => {
        const x = tf.tensor2d(values, [rows, cols]);
        // The reference: the transpose's rows (axis 1), which the backend sums its own way.
        return [tf.sum(x, 0, keepDims), tf.sum(tf.transpose(x), 1, keepDims)];
      });
      expect(got.shape).toEqual(keepDims ? [1, cols] : [cols]);
      expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
      tf.dispose([got, want]);
    },
  );

  it("a layer over another's shared weights reads them where they are, and sums the same; past its room, a copy", () => {
    const rng = new Rng(11);
    const { wasm } = layers(300, 8, rng);
    const shared = wasm.share()!;
    expect(shared.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    const other = sparseLayer(new Float32Array(0), 8, 'wasm', shared);
    const batch = rows(rng, 50, 300, 20);
    expect(other.bag(batch)).toEqual(wasm.bag(batch));
    // The same memory, not a copy: a change made through one is seen through the other.
    wasm.weights[5] += 1;
    expect(other.weights[5]).toBe(wasm.weights[5]);
    // Room for 16 threads' scratch regions besides the owner's: the others get a copy, which sums the same.
    const more = Array.from({ length: 16 }, () => sparseLayer(new Float32Array(0), 8, 'wasm', shared));
    more.slice(0, 15).forEach((l) => expect(l.share()!.memory).toBe(shared.memory));
    expect(more[15].share()!.memory).not.toBe(shared.memory);
    expect(more[15].bag(batch)).toEqual(wasm.bag(batch));
    expect(sparseLayer(new Float32Array(0), 8, 'js', shared).bag(batch)).toEqual(
      sparseLayer(Float32Array.from(wasm.weights), 8, 'js').bag(batch),
    );
  });

  it('over 8-bit weights, decodes the rows reports use as they use them: the sums of the decoded weights, to the bit', () => {
    const rng = new Rng(12);
    const vocab = 4000;
    const hidden = 8;
    const q: QuantizedWeights = { bytes: Uint8Array.from({ length: vocab * hidden }, () => rng.int(256)), scale: 0.0071, min: -0.9 };
    const decoded = fromUint8(q.bytes, q.scale, q.min);
    const lazy = sparseLayer(q, hidden, 'wasm');
    expect(lazy.constructor.name).toBe('WasmLayer');
    const batch = rows(rng, 20, vocab, 15);
    const want = sparseLayer(decoded, hidden, 'wasm');
    expect(lazy.bagRows(toRows(batch))).toEqual(want.bagRows(toRows(batch)));
    // Only the rows used so far are decoded, packed one after the other in the order of first use; the rest wait.
    const order = [...new Set(batch.flatMap((r) => Array.from(r.indices)))];
    const { slot, used } = lazy['pending'] as { slot: Int32Array; used: number };
    expect(used).toBe(order.length);
    for (let row = 0; row < vocab; row++) expect(slot[row]).toBe(order.indexOf(row));
    const values = lazy['values'] as Float32Array;
    order.forEach((row, s) =>
      expect(Array.from(values.subarray(s * hidden, (s + 1) * hidden))).toEqual(
        Array.from(decoded.subarray(row * hidden, (row + 1) * hidden)),
      ),
    );
    expect(lazy.bag(batch.slice(0, 3))).toEqual(want.bag(batch.slice(0, 3)));
    // Later reports' rows, old and new, one at a time and in blocks.
    const later = rows(rng, 12, vocab, 15);
    expect(lazy.bag(later)).toEqual(want.bag(later));
    expect(lazy.bagRows(toRows([...later, ...batch]))).toEqual(want.bagRows(toRows([...later, ...batch])));
    expect(lazy['pending']).toBeDefined();
    // A batch with entries for a quarter of the rows decodes them all at once.
    const big = toRows(rows(rng, 60, vocab, 20));
    const again = sparseLayer(q, hidden, 'wasm');
    expect(again.bagRows(big)).toEqual(want.bagRows(big));
    expect(again['pending']).toBeUndefined();
    // Asked for, the weights are all decoded, and equal fromUint8's; so are a shared layer's, and the plain loops'.
    expect(Array.from(lazy.weights)).toEqual(Array.from(decoded));
    const other = sparseLayer(q, hidden, 'wasm');
    const shared = sparseLayer(new Float32Array(0), hidden, 'wasm', other.share());
    const more = rows(rng, 10, vocab, 30);
    expect(other['pending']).toBeUndefined();
    expect(shared.bag(more)).toEqual(want.bag(more));
    expect(Array.from(sparseLayer(q, hidden, 'js').weights)).toEqual(Array.from(decoded));
  });

  it('falls back to the plain loops when hidden is not a multiple of 4', () => {
    expect(sparseLayer(new Float32Array(30), 3).constructor.name).toBe('JsLayer');
  });
});

describe('Rng.fillUniform', () => {
  it('draws what the loop of next() draws, and leaves the stream where that loop leaves it', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const filled = a.fillUniform(new Float32Array(1000), 0.125);
    const looped = Float32Array.from({ length: 1000 }, () => (b.next() * 2 - 1) * 0.125);
    expect(filled).toEqual(looped);
    expect(a.next()).toBe(b.next());
    expect(Math.min(...filled)).toBeGreaterThanOrEqual(-0.125);
    expect(Math.max(...filled)).toBeLessThan(0.125);
  });
});
