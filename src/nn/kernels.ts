import { KERNELS_WASM } from './kernels-wasm.js';
import type { KernelChoice } from './choices.js';
import { toRows, type SparseRows, type SparseVector } from './sparse.js';

/**
 * The input weights of a network (vocabulary x hidden, float32, row-major) and the two loops
 * that touch them, both costing nnz x hidden: `bag` (the forward pass, an "embedding bag") and
 * `sgd` (the sparse SGD update). They run as WebAssembly SIMD kernels (kernels.wat beside this file, compiled into kernels-wasm.ts; four
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
  /**
   * The weights where they are, for another thread to predict with (sparseLayer's `shared`):
   * WebAssembly layers keep them in shared memory; undefined for the plain loops. Once shared,
   * the weights must not be trained further.
   */
  share(): SharedWeights | undefined;
}

/**
 * Input weights stored 8 bits a value (the weights file's affine quantization): value i is
 * bytes[i] * scale + min as float32 (dequantize). A layer over them decodes a row when a report
 * first uses it, so that a process predicting a few reports decodes, and touches the memory of,
 * only their rows: the same float32 values, whenever they are decoded.
 */
export interface QuantizedWeights {
  bytes: Uint8Array;
  scale: number;
  min: number;
}

/**
 * Input weights made where the layer keeps them: `count` values, written by `fill` into the
 * layer's own memory (zeros before). A new network's random initial weights are so drawn in
 * place, rather than into an array of their own that the layer would copy (12.8 MB a network
 * at the defaults, in fresh memory twice: 40 to 80 ms on the machine this was measured on).
 */
export interface FreshWeights {
  count: number;
  fill(values: Float32Array): void;
}

/** The input weights a layer is made over: float32 values, 8-bit ones decoded as used, or fresh ones made in place. */
export type InputWeights = Float32Array | QuantizedWeights | FreshWeights;

/** Values start .. end of 8-bit quantized weights into `out` from `to` (default: the same places): q * scale + min, as float32 (TensorFlow.js's dequantization). */
export function dequantize(q: QuantizedWeights, out: Float32Array, start: number, end: number, to = start): void {
  const { bytes, scale, min } = q;
  for (let i = start; i < end; i++) out[to + i - start] = bytes[i] * scale + min;
}

/** The number of values of input weights. */
export const weightCount = (w: InputWeights): number => (w instanceof Float32Array ? w.length : 'bytes' in w ? w.bytes.length : w.count);

/** A layer's weights in shared WebAssembly memory: the memory, and the weights' length (from byte 0) and row width. */
export interface SharedWeights {
  memory: WebAssembly.Memory;
  length: number;
  hidden: number;
}

/**
 * A layer over a copy of `weights` (vocabulary x hidden); or, given `shared`, over another
 * layer's weights where they are (`weights` is then not read): threads predicting with the same
 * network hold its weights once.
 */
export function sparseLayer(weights: InputWeights, hidden: number, kernels: KernelChoice = 'wasm', shared?: SharedWeights): SparseLayer {
  const own = (): InputWeights => (shared ? new Float32Array(shared.memory.buffer, 0, shared.length) : weights);
  if (hidden % 4 === 0 && kernels === 'wasm') {
    const module = kernelModule();
    if (module) {
      // Over the shared weights if there is room for one more thread's scratch region, else over a copy.
      for (const source of shared ? [shared, own] : [own]) {
        try {
          return new WasmLayer(module, typeof source === 'function' ? source() : source, hidden);
        } catch (err) {
          if (!(err instanceof RangeError)) throw err; // too large for 32-bit WebAssembly memory, or no room left to share
        }
      }
    }
  }
  const w = own();
  const values = new Float32Array(weightCount(w));
  if (w instanceof Float32Array) values.set(w);
  else if ('bytes' in w) dequantize(w, values, 0, values.length);
  else w.fill(values);
  return new JsLayer(values, hidden);
}

let compiled: WebAssembly.Module | null | undefined;
/** The kernels' module (kernels.wat), compiled once a thread; null where WebAssembly SIMD is missing. */
export function kernelModule(): WebAssembly.Module | null {
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
  bag(emb: number, hidden: number, idx: number, val: number, off: number, n: number, out: number): void;
  bag64(emb: number, idx: number, val: number, off: number, n: number, out: number): void;
  sgd(emb: number, hidden: number, idx: number, val: number, off: number, n: number, grad: number, rate: number): void;
  sgd64(emb: number, idx: number, val: number, off: number, n: number, grad: number, rate: number): void;
}

/** How many threads' scratch regions a layer's memory has room for besides its own (see WasmLayer). */
const SHARERS = 16;

/**
 * Memory layout: the weights from byte 0, then this layer's scratch region,
 * idx (capacity i32) | val (capacity f32) | off (MAX_ROWS + 1 i32) | io (MAX_ROWS x hidden f32).
 * The capacity is at least the vocabulary size, so any one row fits. The memory is shared: a
 * layer made over another's weights (another thread's) grows it by a scratch region of its own
 * and reads the weights where they are. Shared memory never detaches, so views stay valid.
 */
class WasmLayer implements SparseLayer {
  /**
   * The weights in the kernels' memory. Of 8-bit weights not all decoded yet, the rows decoded so
   * far, one after the other from the start in the order reports first used them (see pending).
   */
  private readonly values: Float32Array;
  /**
   * Of 8-bit weights not all decoded yet: them, each row's slot in `values` (-1: not decoded), and
   * the slots used. Packed rows touch a few pages of memory, not one per row: a process predicting
   * a report uses about 800 rows of each member's 50,000, and a fresh page cost about 12
   * microseconds on this machine (dequantize was 20 ms of a one-report run's profile).
   */
  private pending?: { q: QuantizedWeights; slot: Int32Array; used: number };
  private readonly memory: WebAssembly.Memory;
  private readonly k: Kernels;
  private readonly capacity: number;
  private readonly at: { idx: number; val: number; off: number; io: number };
  private readonly idx: Int32Array;
  private readonly val: Float32Array;
  private readonly off: Int32Array;
  private readonly io: Float32Array;

  constructor(
    module: WebAssembly.Module,
    source: InputWeights | SharedWeights,
    private readonly hidden: number,
  ) {
    const owned = !('memory' in source);
    const length = owned ? weightCount(source) : source.length;
    const vocab = length / hidden;
    this.capacity = Math.max(1 << 18, vocab);
    const scratchPages = Math.ceil((4 * (2 * this.capacity + MAX_ROWS + 4 + MAX_ROWS * hidden)) / PAGE);
    let base: number;
    if (owned) {
      const initial = Math.ceil((4 * length) / PAGE) + scratchPages;
      this.memory = new WebAssembly.Memory({ initial, maximum: initial + SHARERS * scratchPages, shared: true });
      base = 4 * length;
    } else {
      if (source.hidden !== hidden) throw new Error(`shared weights are ${source.hidden} wide, expected ${hidden}`);
      this.memory = source.memory;
      base = this.memory.grow(scratchPages) * PAGE; // RangeError once SHARERS threads share it
    }
    this.k = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports as unknown as Kernels;
    const idx = base;
    const val = idx + 4 * this.capacity;
    const off = val + 4 * this.capacity;
    const io = off + 4 * (MAX_ROWS + 4);
    const buffer = this.memory.buffer;
    this.at = { idx, val, off, io };
    this.values = new Float32Array(buffer, 0, length);
    if (source instanceof Float32Array) this.values.set(source);
    else if ('bytes' in source) this.pending = { q: source, slot: new Int32Array(vocab).fill(-1), used: 0 };
    else if ('fill' in source) source.fill(this.values);
    this.idx = new Int32Array(buffer, idx, this.capacity);
    this.val = new Float32Array(buffer, val, this.capacity);
    this.off = new Int32Array(buffer, off, MAX_ROWS + 1);
    this.io = new Float32Array(buffer, io, MAX_ROWS * hidden);
  }

  /** All the weights (8-bit ones are decoded first, those not yet). */
  get weights(): Float32Array {
    this.decodeAll();
    return this.values;
  }

  share(): SharedWeights {
    this.decodeAll(); // the other threads read the weights, never decode them
    return { memory: this.memory, length: this.values.length, hidden: this.hidden };
  }

  /**
   * Copies the terms indices[start .. end] into the kernels' idx from `at`, as the rows the
   * kernels read: the terms themselves once every row is decoded; before, their slots, each row
   * not decoded yet decoded into the next slot. A batch with as many entries as a quarter of the
   * rows (a file's, not a few reports') decodes them all at once: it would soon have touched most
   * of them, and then looks no row up again. The kernels sum the same values in the same order.
   */
  private place(indices: Int32Array, start: number, end: number, at: number): void {
    const p = this.pending;
    if (p && 4 * (end - start) >= p.slot.length) this.decodeAll();
    if (!this.pending) {
      this.idx.set(indices.subarray(start, end), at);
      return;
    }
    const { slot, q } = this.pending;
    const h = this.hidden;
    const idx = this.idx;
    for (let k = start; k < end; k++) {
      const row = indices[k];
      let s = slot[row];
      if (s < 0) {
        s = slot[row] = this.pending.used++;
        dequantize(q, this.values, row * h, (row + 1) * h, s * h);
      }
      idx[at + k - start] = s;
    }
  }

  /** Decodes every row where it belongs (the slots' rows among them, over the slots). */
  private decodeAll(): void {
    const p = this.pending;
    if (!p) return;
    dequantize(p.q, this.values, 0, this.values.length);
    this.pending = undefined;
  }

  bag(rows: readonly SparseVector[]): Float32Array {
    const out = new Float32Array(rows.length * this.hidden);
    this.batches(rows, (start, n) => {
      this.forward(n);
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
      this.place(indices, base, offsets[end], 0);
      this.val.set(values.subarray(base, offsets[end]));
      for (let r = 0; r <= n; r++) this.off[r] = offsets[start + r] - base;
      this.forward(n);
      out.set(this.io.subarray(0, n * this.hidden), start * this.hidden);
      start = end;
    }
    return out;
  }

  /** The kernel's bag of the n rows in idx, val and off, into io (bag64 at the default width: the same sums, faster). */
  private forward(n: number): void {
    if (this.hidden === 64) this.k.bag64(0, this.at.idx, this.at.val, this.at.off, n, this.at.io);
    else this.k.bag(0, this.hidden, this.at.idx, this.at.val, this.at.off, n, this.at.io);
  }

  sgd(rows: readonly SparseVector[], dHidden: Float32Array, rate: number): void {
    this.decodeAll();
    this.batches(rows, (start, n) => {
      this.io.set(dHidden.subarray(start * this.hidden, (start + n) * this.hidden));
      // sgd64 at the default width: the same updates, faster.
      if (this.hidden === 64) this.k.sgd64(0, this.at.idx, this.at.val, this.at.off, n, this.at.io, rate);
      else this.k.sgd(0, this.hidden, this.at.idx, this.at.val, this.at.off, n, this.at.io, rate);
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
        this.place(indices, 0, indices.length, entries);
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

  share(): undefined {
    return undefined;
  }

  bag(rows: readonly SparseVector[]): Float32Array {
    return this.bagRows(toRows(rows));
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
