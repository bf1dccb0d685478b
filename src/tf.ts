/**
 * TensorFlow.js, loaded on first use only (start-up of commands that do not need it stays fast).
 * Uses @tensorflow/tfjs-node where it installed (an optional dependency whose install downloads
 * libtensorflow, which fails on machines without internet), otherwise tfjs's pure-JS CPU backend.
 * The model format is the same on both. BUGCAT_BACKEND=cpu forces the CPU backend.
 */
import type * as TF from '@tensorflow/tfjs-core';

export type Tf = typeof TF;
let loading: Promise<Tf> | undefined;

/**
 * For training: the full @tensorflow/tfjs package, which also registers the gradient
 * functions that autodiff needs (tfjs-core alone ships them only as ES modules Node cannot load).
 */
export async function loadTfForTraining(): Promise<Tf> {
  await import('@tensorflow/tfjs');
  return loadTf();
}

export function loadTf(): Promise<Tf> {
  loading ??= (async () => {
    const tf = await import('@tensorflow/tfjs-core');
    // Production mode: skips debug checks and silences tfjs's console notices ("Hi, looks like...").
    tf.env().set('PROD', true);
    let backend = 'cpu';
    if (process.env.BUGCAT_BACKEND !== 'cpu') {
      try {
        const nodeBackend = '@tensorflow/tfjs-node';
        await import(nodeBackend);
        backend = 'tensorflow';
      } catch {
        // Not installed here: the CPU backend below does the same job.
      }
    }
    if (backend === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
    if (!(await tf.setBackend(backend))) await tf.setBackend('cpu');
    await tf.ready();
    return tf;
  })();
  return loading;
}
