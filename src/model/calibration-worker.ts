/**
 * The entry point of the calibration worker thread (see parallel.ts): fits the cross-fitted
 * calibration models on the job it is given and posts the result back. Loaded only as a worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { fitCalibrationModel } from './crossfit.js';
import { runtimeOf, type CalibrationJob } from './parallel.js';

const job = workerData as CalibrationJob;
const fit = await fitCalibrationModel(await runtimeOf(job), job.counted, job.y, job.names, job.hp, job.soft);
parentPort!.postMessage(fit);
