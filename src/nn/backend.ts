/**
 * TensorFlow.js, loaded on first use only (start-up of commands that do not need it stays fast),
 * and the other run-time choices of the network: which tfjs backend, which kernels.
 *
 * Backend `auto` uses @tensorflow/tfjs-node where it installed (an optional dependency whose
 * install downloads libtensorflow, which fails on machines without internet), otherwise tfjs's
 * pure-JS CPU backend. The model format is the same on both.
 *
 * The packages are CommonJS bundles: `require` loads them without the ES-module loader's
 * export scan of their megabytes of source (about 0.1 s at every start).
 */
import { createRequire } from 'node:module';
import type * as TF from '@tensorflow/tfjs-core';
import { BugcatError, UsageError } from '../base/errors.js';
import { installFastKernels } from './cpu-kernels.js';
import { BACKENDS, KERNEL_CHOICES, type Backend, type KernelChoice, type RuntimeOptions } from './choices.js';

export type Tf = typeof TF;

/** What a network runs on: TensorFlow.js with its backend, and the sparse kernels (kernels.ts). */
export interface Runtime {
  tf: Tf;
  kernels: KernelChoice;
}

const require = createRequire(import.meta.url);
let tf: Tf | undefined;
let gradients = false;
let current: string | undefined;

/**
 * tfjs-core with a backend. With `training`, the full @tensorflow/tfjs package too, which also
 * registers the gradient functions that autodiff needs (tfjs-core alone ships them only as ES
 * modules Node cannot load).
 */
export async function loadTf(backend: Backend = 'auto', training = false): Promise<Tf> {
  if (training && !gradients) {
    require('@tensorflow/tfjs');
    gradients = true;
  }
  if (!tf) {
    tf = require('@tensorflow/tfjs-core') as Tf;
    // Production mode: skips debug checks and silences tfjs's console notices ("Hi, looks like...").
    tf.env().set('PROD', true);
  }
  let name = 'cpu';
  if (backend !== 'cpu') {
    try {
      require('@tensorflow/tfjs-node');
      name = 'tensorflow';
    } catch {
      // Not installed here: the CPU backend below does the same job.
      if (backend === 'tensorflow') {
        throw new BugcatError('the tensorflow backend needs @tensorflow/tfjs-node, which is not installed here', {
          code: 'BACKEND',
          advice: 'use the cpu backend, or auto',
        });
      }
    }
  }
  if (name === 'cpu') {
    require('@tensorflow/tfjs-backend-cpu');
    installFastKernels(tf);
  }
  if (current !== name) {
    if (!(await tf.setBackend(name))) await tf.setBackend('cpu');
    await tf.ready();
    current = name;
  }
  return tf;
}

/** The run-time choices `o` makes, checked, with their defaults; nothing is loaded. */
export function checkRuntime(o: RuntimeOptions = {}): { backend: Backend; kernels: KernelChoice } {
  const backend = o.backend ?? 'auto';
  const kernels = o.kernels ?? 'wasm';
  if (!BACKENDS.includes(backend))
    throw new UsageError(`backend ${JSON.stringify(backend)} is not one of ${BACKENDS.join(', ')}`, { code: 'RUNTIME' });
  if (!KERNEL_CHOICES.includes(kernels))
    throw new UsageError(`kernels ${JSON.stringify(kernels)} is not one of ${KERNEL_CHOICES.join(', ')}`, { code: 'RUNTIME' });
  return { backend, kernels };
}

/** Loads TensorFlow.js as `o` asks (for training too if `training`), checking the choices. */
export async function runtime(o: RuntimeOptions = {}, training = false): Promise<Runtime> {
  const { backend, kernels } = checkRuntime(o);
  return { tf: await loadTf(backend, training), kernels };
}

/** Run-time choices, checked, and TensorFlow.js loaded by the first `load()` (then kept). */
export interface LazyRuntime {
  backend: Backend;
  kernels: KernelChoice;
  load(): Promise<Runtime>;
}

/**
 * The runtime `o` asks for, checked now and loaded when first needed: training loads it once its
 * reports are counted and its worker thread has its job, so that the worker starts that much
 * sooner (loading TensorFlow.js takes a quarter of a second of this thread).
 */
export function lazyRuntime(o: RuntimeOptions = {}, training = false): LazyRuntime {
  const choices = checkRuntime(o);
  let loading: Promise<Runtime> | undefined;
  return { ...choices, load: () => (loading ??= runtime(choices, training)) };
}
