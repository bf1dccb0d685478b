import type * as TF from '@tensorflow/tfjs-core';

/**
 * A faster path for two of TensorFlow.js's CPU kernels (tfjs-backend-cpu), Sub and Multiply,
 * where one operand is a column ([rows, 1] against [rows, cols]): the shape logSoftmax gives them
 * (its forward pass subtracts each row's max and log-sum, its gradient multiplies by each row's
 * sum). The backend computes every element of such a broadcast through an index-to-location
 * conversion that allocates arrays (its `_loop_1`): 0.3 to 0.4 s a thread in a profile of
 * training on folds 1-4. Here each element is the same operation on the same two float32 values
 * (a - b, a * b, in JavaScript numbers, stored in a Float32Array as the backend stores them): the
 * same results to the bit. Any other case goes to the backend's own kernel.
 */

type Kernel = ReturnType<typeof TF.getKernel> & object;
type KernelArgs = Parameters<Kernel['kernelFunc']>[0];
type CpuBackend = {
  data: { get(id: object): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): TF.TensorInfo;
};

const OPS: Record<string, (a: number, b: number) => number> = {
  Sub: (a, b) => a - b,
  Multiply: (a, b) => a * b,
};

let installed = false;

/** Puts the column fast path in front of the CPU backend's Sub and Multiply (once a process or thread). */
export function installColumnKernels(tf: typeof TF): void {
  if (installed) return;
  installed = true;
  for (const [name, op] of Object.entries(OPS)) {
    const own = tf.getKernel(name, 'cpu');
    if (!own) continue;
    tf.unregisterKernel(name, 'cpu');
    tf.registerKernel({ ...own, kernelFunc: (args: KernelArgs) => columnCase(args, op) ?? own.kernelFunc(args) });
  }
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
