/**
 * Training's second thread. The confidence calibration needs models of its own, each trained on
 * part of the data; they do not depend on the final model, so with two threads or more a worker
 * thread (calibration-worker.ts) trains them while the caller's thread trains the final model.
 * The result is the same as training them one after the other (every random choice derives
 * from the seed). With one thread, or where no worker can start (the TypeScript sources run
 * directly, as in tests), they are trained in this thread.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CancelledError } from '../base/errors.js';
import type { Hyperparameters } from '../base/hyperparameters.js';
import { Targets, type TargetsData } from '../base/targets.js';
import { loadTf, type Runtime } from '../nn/backend.js';
import type { Backend, KernelChoice } from '../nn/choices.js';
import type { Counted } from '../text/counter.js';
import { fitCalibrationModel, type CalibrationFit } from './crossfit.js';

/** What the worker is given, as plain data: the counted reports, their targets, the hyperparameters and the run-time choices. */
export interface CalibrationJob {
  counted: Counted;
  targets: TargetsData;
  hp: Hyperparameters;
  backend: Backend;
  kernels: KernelChoice;
}

const WORKER = fileURLToPath(new URL('./calibration-worker.js', import.meta.url));

/** Fits the calibration in a worker thread if `threads` >= 2 and one can run, in this thread otherwise. */
export async function calibrateInParallel(
  rt: Runtime,
  job: CalibrationJob,
  threads: number,
  signal?: AbortSignal,
): Promise<CalibrationFit> {
  if (threads < 2 || !existsSync(WORKER)) {
    return calibrateJob(rt, job, signal);
  }
  return new Promise<CalibrationFit>((resolve, reject) => {
    const data: CalibrationJob = { ...job, targets: Targets.from(job.targets).data() };
    const worker = new Worker(WORKER, { workerData: data, stdout: true, stderr: true });
    const abort = () => {
      void worker.terminate();
      reject(new CancelledError());
    };
    signal?.addEventListener('abort', abort, { once: true });
    worker.once('message', (fit: CalibrationFit) => resolve(fit));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      signal?.removeEventListener('abort', abort);
      reject(new Error(`the calibration worker stopped (exit code ${code}) before it finished`));
    });
  });
}

/** Fits the calibration of a job, in this thread (the worker's or the caller's): its targets made Targets again from their data. */
export const calibrateJob = (rt: Runtime, job: CalibrationJob, signal?: AbortSignal): Promise<CalibrationFit> =>
  fitCalibrationModel(rt, { counted: job.counted, targets: Targets.from(job.targets), hp: job.hp, signal });

/** Loads TensorFlow.js for training with the job's backend (in the worker). */
export const runtimeOf = async (job: Pick<CalibrationJob, 'backend' | 'kernels'>): Promise<Runtime> => ({
  tf: await loadTf(job.backend, true),
  kernels: job.kernels,
});
