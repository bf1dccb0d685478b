/**
 * The entry point of the calibration worker thread (see parallel.ts): fits the cross-fitted
 * calibration models on the job it is given and posts the result back. Loaded only as a worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { calibrateJob, runtimeOf, type CalibrationJob } from './parallel.js';

const job = workerData as CalibrationJob;
const fit = await calibrateJob(await runtimeOf(job), job);
parentPort!.postMessage(fit);
