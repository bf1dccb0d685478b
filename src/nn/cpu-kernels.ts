import type * as TF from '@tensorflow/tfjs-core';

/**
 * Faster paths for three of TensorFlow.js's CPU kernels (tfjs-backend-cpu) in the shapes a
 * training batch gives them, where the backend's generic code converts every element's index to
 * a location and back, allocating arrays each time:
 *   - Sub and Multiply with one operand a column ([rows, 1] against [rows, cols]), as logSoftmax
 *     gives them (its forward pass subtracts each row's max and log-sum, its gradient multiplies
 *     by each row's sum): 0.3 to 0.4 s a thread in a profile of training on folds 1-4 (`_loop_1`);
 *   - Sum of a matrix's rows (axis 0), as the gradients of the biases are reduced: the backend
 *     transposes the matrix first, element by element (`transposeImpl`, 424 MB allocated on the
 *     main thread of the same run).
 * Each element is the same operation on the same float32 values, in the same order (a - b and
 * a * b in JavaScript numbers; a sum from 0 down the rows), stored in a Float32Array as the
 * backend stores it: the same results to the bit. Any other case goes to the backend's own kernel.
 */

type Kernel = ReturnType<typeof TF.getKernel> & object;
type KernelArgs = Parameters<Kernel['kernelFunc']>[0];
type CpuBackend = {
  data: { get(id: object): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): TF.TensorInfo;
};

/** A fast path of a kernel: its result, or undefined where the backend's own kernel must answer. */
type FastPath = (args: KernelArgs, tf: typeof TF) => TF.TensorInfo | undefined;

const FAST: Record<string, FastPath> = {
  Sub: (args) => columnCase(args, (a, b) => a - b),
  Multiply: (args) => columnCase(args, (a, b) => a * b),
  Sum: sumRows,
};

let installed = false;

/** Puts the fast paths in front of the CPU backend's kernels (once a process or thread). */
export function installFastKernels(tf: typeof TF): void {
  if (installed) return;
  installed = true;
  for (const [name, fast] of Object.entries(FAST)) {
    const own = tf.getKernel(name, 'cpu');
    if (!own) continue;
    tf.unregisterKernel(name, 'cpu');
    tf.registerKernel({ ...own, kernelFunc: (args: KernelArgs) => fast(args, tf) ?? own.kernelFunc(args) });
  }
}

/** The sum of a [rows, cols] float32 tensor's rows (axis 0), as the backend sums: from 0, row after row; undefined for any other case. */
function sumRows({ inputs, backend, attrs }: KernelArgs, tf: typeof TF): TF.TensorInfo | undefined {
  const { x } = inputs as { x?: TF.TensorInfo };
  if (!x || x.dtype !== 'float32' || x.shape.length !== 2) return undefined;
  const { axis, keepDims } = (attrs ?? {}) as { axis?: number | number[]; keepDims?: boolean };
  if (axis === undefined || axis === null) return undefined; // every axis: the backend's own kernel
  const axes = tf.util.parseAxisParam(axis, x.shape);
  if (axes.length !== 1 || axes[0] !== 0) return undefined;
  const [rows, cols] = x.shape;
  const cpu = backend as unknown as CpuBackend;
  const xv = cpu.data.get(x.dataId).values;
  const out = new Float32Array(cols);
  for (let j = 0; j < cols; j++) {
    let sum = 0;
    for (let i = 0; i < rows; i++) sum += xv[i * cols + j];
    out[j] = sum;
  }
  return cpu.makeTensorInfo(keepDims ? [1, cols] : [cols], 'float32', out);
}

/** The result of `op` on a [rows, cols] float32 tensor and a [rows, 1] one (either order), or undefined for any other case. */
function columnCase({ inputs, backend }: KernelArgs, op: (a: number, b: number) => number): TF.TensorInfo | undefined {
  const { a, b } = inputs as { a?: TF.TensorInfo; b?: TF.TensorInfo };
  if (!a || !b || a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length !== 2 || b.shape.length !== 2) return undefined;
  const [rows, cols] = a.shape;
  const columnFirst = b.shape[1] > 1 && cols === 1 && b.shape[0] === rows;
  const columnSecond = cols > 1 && b.shape[1] === 1 && b.shape[0] === rows;
  if (!columnFirst && !columnSecond) return undefined;
  const cpu = backend as unknown as CpuBackend;
  const av = cpu.data.get(a.dataId).values;
  const bv = cpu.data.get(b.dataId).values;
  const width = columnFirst ? b.shape[1] : cols;
  const out = new Float32Array(rows * width);
  for (let i = 0; i < rows; i++) {
    const base = i * width;
    if (columnSecond) for (let j = 0; j < width; j++) out[base + j] = op(av[base + j], bv[i]);
    else for (let j = 0; j < width; j++) out[base + j] = op(av[i], bv[base + j]);
  }
  return cpu.makeTensorInfo([rows, width], 'float32', out);
}
