/**
 * Training's second thread. The confidence calibration needs models of its own, each trained on
 * part of the data; they do not depend on the final model, so on a machine with two cores or
 * more a worker thread trains them while the main thread trains the final model. The result is
 * the same as training them one after the other (every random choice derives from the seed).
 * Where no worker can start (one core, or the TypeScript sources run directly, as in tests),
 * they are trained in this thread.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { Hyperparameters } from './args.js';
import { fitCalibrationModel, type CalibrationFit } from './classifier.js';
import { loadTfForTraining } from './tf.js';
import type { Counted } from './vectorizer.js';

interface Job {
  counted: Counted;
  y: Int32Array;
  names: readonly string[];
  hp: Hyperparameters;
  second?: Int32Array;
}

const WORKER = fileURLToPath(import.meta.url);

/** Fits the calibration in a worker thread if one can run, in this thread otherwise. */
export async function calibrateInParallel(counted: Counted, y: Int32Array, names: readonly string[], hp: Hyperparameters, second?: Int32Array): Promise<CalibrationFit> {
  const job: Job = { counted, y, names, hp, second };
  if (availableParallelism() < 2 || !WORKER.endsWith('.js') || !existsSync(WORKER) || process.env.BUGCAT_THREADS === '1') {
    return fitCalibrationModel(await loadTfForTraining(), counted, y, names, hp, second);
  }
  return new Promise<CalibrationFit>((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: job, stdout: true, stderr: true });
    worker.once('message', (fit: CalibrationFit) => resolve(fit));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the calibration worker stopped (exit code ${code}) before it finished`)));
  });
}

if (!isMainThread && parentPort) {
  const { counted, y, names, hp, second } = workerData as Job;
  const fit = fitCalibrationModel(await loadTfForTraining(), counted, y, names, hp, second);
  parentPort.postMessage(fit);
}
