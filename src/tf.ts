/**
 * TensorFlow.js, loaded on first use only (start-up of commands that do not need it stays fast).
 * Uses @tensorflow/tfjs-node where it installed (an optional dependency whose install downloads
 * libtensorflow, which fails on machines without internet), otherwise tfjs's pure-JS CPU backend.
 * The model format is the same on both. BUGCAT_BACKEND=cpu forces the CPU backend.
 *
 * The packages are CommonJS bundles: `require` loads them without the ES-module loader's
 * export scan of their megabytes of source (about 0.1 s at every start).
 */
import { createRequire } from 'node:module';
import type * as TF from '@tensorflow/tfjs-core';

export type Tf = typeof TF;
const require = createRequire(import.meta.url);
let loaded: Tf | undefined;

/** For predicting: tfjs-core and a backend. */
export async function loadTf(): Promise<Tf> {
  if (loaded) return loaded;
  const tf = require('@tensorflow/tfjs-core') as Tf;
  // Production mode: skips debug checks and silences tfjs's console notices ("Hi, looks like...").
  tf.env().set('PROD', true);
  let backend = 'cpu';
  if (process.env.BUGCAT_BACKEND !== 'cpu') {
    try {
      require('@tensorflow/tfjs-node');
      backend = 'tensorflow';
    } catch {
      // Not installed here: the CPU backend below does the same job.
    }
  }
  if (backend === 'cpu') require('@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend(backend))) await tf.setBackend('cpu');
  await tf.ready();
  loaded = tf;
  return tf;
}

/**
 * For training: the full @tensorflow/tfjs package, which also registers the gradient
 * functions that autodiff needs (tfjs-core alone ships them only as ES modules Node cannot load).
 */
export async function loadTfForTraining(): Promise<Tf> {
  require('@tensorflow/tfjs');
  return loadTf();
}
