import { kernelModule } from './kernels.js';

/**
 * The dense head of a network (network.ts's denseHead: ReLU(pre + bias1) W2 + bias2) in a
 * WebAssembly kernel (kernels.wat's `head`): the same logits, to the bit (a test holds them to
 * denseHead), with two classes' sums a SIMD instruction. In plain loops the head took 0.45 s of
 * the CPU time of predicting the QEMU corpus x18 (103,122 reports, two members). One kernel a
 * thread, with its own memory; the weights are copied in at every call (a few kilobytes), as
 * training changes them in place.
 */
export interface HeadKernel {
  /** The logits of n = pre.length / hidden rows (n x classes); null for a head too large for the kernel's memory. */
  logits(pre: Float32Array, w: HeadWeights, hidden: number, classes: number): Float32Array | null;
}

/** The head's weights: bias1 (hidden), dense (hidden x classes, row-major), bias2 (classes). */
export interface HeadWeights {
  bias1: Float32Array;
  dense: Float32Array;
  bias2: Float32Array;
}

interface Kernel {
  head(
    pre: number,
    n: number,
    hidden: number,
    classes: number,
    b1: number,
    w: number,
    b2: number,
    out: number,
    a: number,
    sums: number,
    res: number,
  ): void;
}

const PAGE = 65536;
/** Rows a kernel call takes at most: longer inputs are cut. */
const ROWS = 2048;
/** The kernel's memory, at most (a head too wide for it runs in plain loops). */
const MAX_PAGES = 4096;

let made: HeadKernel | null | undefined;

/** This thread's head kernel; null where WebAssembly SIMD is missing. */
export function headKernel(): HeadKernel | null {
  if (made === undefined) {
    const module = kernelModule();
    made = module ? new WasmHead(module) : null;
  }
  return made;
}

class WasmHead implements HeadKernel {
  private readonly memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
  private readonly k: Kernel;

  constructor(module: WebAssembly.Module) {
    this.k = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports as unknown as Kernel;
  }

  logits(pre: Float32Array, w: HeadWeights, hidden: number, classes: number): Float32Array | null {
    const n = pre.length / hidden;
    const rows = Math.min(ROWS, Math.max(1, n));
    // b1 | w | b2 | a | res | sums (f64, 16-byte aligned) | pre | out
    const b1 = 0;
    const dense = b1 + 4 * hidden;
    const b2 = dense + 4 * hidden * classes;
    const a = b2 + 4 * classes;
    const res = a + 4 * hidden;
    const sums = (res + 4 * classes + 15) & ~15;
    const input = sums + 8 * (classes + 1);
    const output = input + 4 * rows * hidden;
    const bytes = output + 4 * rows * classes;
    const have = this.memory.buffer.byteLength;
    if (bytes > MAX_PAGES * PAGE) return null;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / PAGE));
    const f32 = new Float32Array(this.memory.buffer);
    f32.set(w.bias1, b1 / 4);
    f32.set(w.dense, dense / 4);
    f32.set(w.bias2, b2 / 4);
    const out = new Float32Array(n * classes);
    for (let start = 0; start < n; start += rows) {
      const m = Math.min(rows, n - start);
      f32.set(pre.subarray(start * hidden, (start + m) * hidden), input / 4);
      this.k.head(input, m, hidden, classes, b1, dense, b2, output, a, sums, res);
      out.set(f32.subarray(output / 4, output / 4 + m * classes), start * classes);
    }
    return out;
  }
}
