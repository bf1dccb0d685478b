import { KERNELS_WASM } from './kernels-wasm.js';
import type { KernelChoice } from './choices.js';
import type { SparseRows, SparseVector } from './sparse.js';

/**
 * The input weights of a network (vocabulary x hidden, float32, row-major) and the two loops
 * that touch them, both costing nnz x hidden: `bag` (the forward pass, an "embedding bag") and
 * `sgd` (the sparse SGD update). They run as WebAssembly SIMD kernels (src/kernels.wat, four
 * float32 lanes per instruction, about 5x the plain loops), with the weights living in the
 * kernels' memory; where WebAssembly SIMD is missing or hidden is not a multiple of 4, the
 * plain JavaScript loops below do the same sums (equal to within float32 rounding).
 */
export interface SparseLayer {
  /** The weights; in place, so the layer sees what is written to them. */
  readonly weights: Float32Array;
  /** Hidden pre-activations (n x hidden, bias not added) of sparse rows. */
  bag(rows: readonly SparseVector[]): Float32Array;
  /** The same for rows in one block (the same sums, in the same order). */
  bagRows(rows: SparseRows): Float32Array;
  /** Each weight row of each row's terms moves by -rate * value * dHidden[row]. */
  sgd(rows: readonly SparseVector[], dHidden: Float32Array, rate: number): void;
}

/** A layer over a copy of `weights` (vocabulary x hidden). */
export function sparseLayer(weights: Float32Array, hidden: number, kernels: KernelChoice = 'wasm'): SparseLayer {
  if (hidden % 4 === 0 && kernels === 'wasm') {
    const module = kernelModule();
    if (module) {
      try {
        return new WasmLayer(module, weights, hidden);
      } catch (err) {
        if (!(err instanceof RangeError)) throw err; // too large for 32-bit WebAssembly memory
      }
    }
  }
  return new JsLayer(Float32Array.from(weights), hidden);
}

let compiled: WebAssembly.Module | null | undefined;
function kernelModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(Buffer.from(KERNELS_WASM, 'base64'));
    } catch {
      compiled = null; // no WebAssembly SIMD here
    }
  }
  return compiled;
}

const PAGE = 65536;
/** Rows one kernel call takes at most: longer batches are cut. */
const MAX_ROWS = 2048;

interface Kernels {
  memory: WebAssembly.Memory;
  bag(emb: number, hidden: number, idx: number, val: number, off: number, n: number, out: number): void;
  sgd(emb: number, hidden: number, idx: number, val: number, off: number, n: number, grad: number, rate: number): void;
}

/**
 * Memory layout, fixed at creation (the memory never grows, so views stay valid):
 * weights | idx (capacity i32) | val (capacity f32) | off (MAX_ROWS + 1 i32) | io (MAX_ROWS x hidden f32).
 * The capacity is at least the vocabulary size, so any one row fits.
 */
class WasmLayer implements SparseLayer {
  readonly weights: Float32Array;
  private readonly k: Kernels;
  private readonly capacity: number;
  private readonly at: { idx: number; val: number; off: number; io: number };
  private readonly idx: Int32Array;
  private readonly val: Float32Array;
  private readonly off: Int32Array;
  private readonly io: Float32Array;

  constructor(
    module: WebAssembly.Module,
    weights: Float32Array,
    private readonly hidden: number,
  ) {
    this.k = new WebAssembly.Instance(module, {}).exports as unknown as Kernels;
    const vocab = weights.length / hidden;
    this.capacity = Math.max(1 << 18, vocab);
    const idx = weights.byteLength;
    const val = idx + 4 * this.capacity;
    const off = val + 4 * this.capacity;
    const io = off + 4 * (MAX_ROWS + 4);
    const end = io + 4 * MAX_ROWS * hidden;
    const { memory } = this.k;
    memory.grow(Math.ceil(end / PAGE) - memory.buffer.byteLength / PAGE);
    const buffer = memory.buffer;
    this.at = { idx, val, off, io };
    this.weights = new Float32Array(buffer, 0, weights.length);
    this.weights.set(weights);
    this.idx = new Int32Array(buffer, idx, this.capacity);
    this.val = new Float32Array(buffer, val, this.capacity);
    this.off = new Int32Array(buffer, off, MAX_ROWS + 1);
    this.io = new Float32Array(buffer, io, MAX_ROWS * hidden);
  }

  bag(rows: readonly SparseVector[]): Float32Array {
    const out = new Float32Array(rows.length * this.hidden);
    this.batches(rows, (start, n) => {
      this.k.bag(0, this.hidden, this.at.idx, this.at.val, this.at.off, n, this.at.io);
      out.set(this.io.subarray(0, n * this.hidden), start * this.hidden);
    });
    return out;
  }

  bagRows({ indices, values, offsets }: SparseRows): Float32Array {
    const rows = offsets.length - 1;
    const out = new Float32Array(rows * this.hidden);
    let start = 0;
    while (start < rows) {
      // As many rows as fit (at least one: the capacity holds any one row).
      let end = start + 1;
      while (end < rows && end - start < MAX_ROWS && offsets[end + 1] - offsets[start] <= this.capacity) end++;
      const n = end - start;
      const base = offsets[start];
      this.idx.set(indices.subarray(base, offsets[end]));
      this.val.set(values.subarray(base, offsets[end]));
      for (let r = 0; r <= n; r++) this.off[r] = offsets[start + r] - base;
      this.k.bag(0, this.hidden, this.at.idx, this.at.val, this.at.off, n, this.at.io);
      out.set(this.io.subarray(0, n * this.hidden), start * this.hidden);
      start = end;
    }
    return out;
  }

  sgd(rows: readonly SparseVector[], dHidden: Float32Array, rate: number): void {
    this.batches(rows, (start, n) => {
      this.io.set(dHidden.subarray(start * this.hidden, (start + n) * this.hidden));
      this.k.sgd(0, this.hidden, this.at.idx, this.at.val, this.at.off, n, this.at.io, rate);
    });
  }

  /** Copies rows into the kernels' memory, as many at a time as fit, and calls `run` on each lot. */
  private batches(rows: readonly SparseVector[], run: (start: number, n: number) => void): void {
    let start = 0;
    while (start < rows.length) {
      let n = 0;
      let entries = 0;
      while (start + n < rows.length && n < MAX_ROWS && entries + rows[start + n].indices.length <= this.capacity) {
        const { indices, values } = rows[start + n];
        this.off[n] = entries;
        this.idx.set(indices, entries);
        this.val.set(values, entries);
        entries += indices.length;
        n++;
      }
      this.off[n] = entries;
      run(start, n);
      start += n;
    }
  }
}

class JsLayer implements SparseLayer {
  constructor(
    readonly weights: Float32Array,
    private readonly hidden: number,
  ) {}

  bag(rows: readonly SparseVector[]): Float32Array {
    const { weights, hidden } = this;
    const out = new Float32Array(rows.length * hidden);
    const acc = new Float32Array(hidden);
    for (let b = 0; b < rows.length; b++) {
      const { indices, values } = rows[b];
      acc.fill(0);
      for (let k = 0; k < indices.length; k++) {
        const row = indices[k] * hidden;
        const v = values[k];
        for (let h = 0; h < hidden; h++) acc[h] += v * weights[row + h];
      }
      out.set(acc, b * hidden);
    }
    return out;
  }

  bagRows({ indices, values, offsets }: SparseRows): Float32Array {
    const { weights, hidden } = this;
    const n = offsets.length - 1;
    const out = new Float32Array(n * hidden);
    const acc = new Float32Array(hidden);
    for (let b = 0; b < n; b++) {
      acc.fill(0);
      for (let k = offsets[b]; k < offsets[b + 1]; k++) {
        const row = indices[k] * hidden;
        const v = values[k];
        for (let h = 0; h < hidden; h++) acc[h] += v * weights[row + h];
      }
      out.set(acc, b * hidden);
    }
    return out;
  }

  sgd(rows: readonly SparseVector[], dHidden: Float32Array, rate: number): void {
    const { weights, hidden } = this;
    for (let b = 0; b < rows.length; b++) {
      const { indices, values } = rows[b];
      const base = b * hidden;
      for (let k = 0; k < indices.length; k++) {
        const off = indices[k] * hidden;
        const step = rate * values[k];
        for (let h = 0; h < hidden; h++) weights[off + h] -= step * dHidden[base + h];
      }
    }
  }
}
