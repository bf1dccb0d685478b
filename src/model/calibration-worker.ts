/**
 * The entry point of training's worker thread (see parallel.ts): trains the networks it is given
 * (final members, calibration fold models), posts their progress lines as they come, then the
 * members' weights (copied out of the kernels' memory, and moved, not copied, to the caller)
 * and the fold models' logits. Loaded only as a worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Targets } from '../base/targets.js';
import type { NetworkWeights } from '../nn/network.js';
import { runTasks, runtimeOf, type TrainingJob, type WorkerMessage } from './parallel.js';

const job = workerData as TrainingJob;
const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(message, transfer);
const results = await runTasks(
  await runtimeOf(job),
  { ...job, targets: Targets.from(job.targets) },
  { log: (line) => post({ log: line }) },
);
const members = results.members.map(({ m, net }) => {
  const w = net.weights;
  const weights: NetworkWeights = {
    embedding: w.embedding.slice(),
    bias1: w.bias1.slice(),
    dense: w.dense.slice(),
    bias2: w.bias2.slice(),
  };
  return { m, net: weights };
});
post(
  { done: { members, folds: results.folds } },
  members.flatMap(({ net }) => [net.embedding, net.bias1, net.dense, net.bias2].map((a) => a.buffer as ArrayBuffer)),
);
