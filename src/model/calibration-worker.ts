/**
 * The entry point of training's worker thread (see parallel.ts): started with the run-time
 * choices, it loads TensorFlow.js at once, finds which reports are copies of one another if
 * asked (TrainingWorker.group, while the caller counts them), then trains the networks its job gives it
 * (final members, calibration fold models), posts their progress lines as they come, then the
 * members' weights (their input weights where they are, in the kernels' shared memory; the rest
 * copied out and moved, not copied, to the caller)
 * and the fold models' logits. For self-training, it runs calibration folds of the whole
 * procedure instead (self-training.ts) and posts their logits. Loaded only as a worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Targets } from '../base/targets.js';
import { duplicateGroups } from '../text/duplicates.js';
import {
  receivedJob,
  runTasks,
  runtimeOf,
  type PostedWeights,
  type SelfTrainFoldJob,
  type TrainingJob,
  type WorkerMessage,
  type WorkerRequest,
  type WorkerSetup,
} from './parallel.js';

const setup = workerData as WorkerSetup;
// TensorFlow.js loads now, while the caller is still counting the reports; the job comes after.
const runtime = runtimeOf(setup);
const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(message, transfer);
// Self-training's calibration folds, one after another in the order asked.
let folds = Promise.resolve();
parentPort!.on('message', (request: WorkerRequest) => {
  if ('group' in request) {
    const grouped = duplicateGroups(request.group);
    post({ grouped }, [grouped.group.buffer as ArrayBuffer]);
  } else if ('selfTrainFold' in request) {
    const { selfTrainFold: job, id } = request;
    folds = folds.then(() => selfTrainFold(job, id));
  } else void train(receivedJob(request));
});

/** A calibration fold of self-training (self-training.ts), its result posted. Its module loads only when one is asked for. */
async function selfTrainFold(job: SelfTrainFoldJob, id: number): Promise<void> {
  const { selfTrainFold: run } = await import('./self-training.js');
  const result = await run({ ...setup, load: () => runtime }, job);
  post({ fold: { id, ...result } }, [result.logits.buffer as ArrayBuffer]);
}

async function train(job: Omit<TrainingJob, keyof WorkerSetup>): Promise<void> {
  const results = await runTasks(
    await runtime,
    { ...job, targets: Targets.from(job.targets) },
    // The final model's set goes to the caller as soon as it is made: it trains its fold models first, then its members on this set.
    { log: (line) => post({ log: line }), onSet: (set) => post({ set }) },
  );
  const members = results.members.map(({ m, net }) => {
    const w = net.weights;
    // The input weights stay where they are (12.8 MB a member at the defaults): the caller reads them there.
    const shared = net.input.share();
    const weights: PostedWeights = {
      embedding: shared ? new Float32Array(0) : w.embedding.slice(),
      bias1: w.bias1.slice(),
      dense: w.dense.slice(),
      bias2: w.bias2.slice(),
      ...(shared ? { shared } : {}),
    };
    return { m, net: weights };
  });
  post(
    { done: { members, folds: results.folds } },
    members.flatMap(({ net }) => [net.embedding, net.bias1, net.dense, net.bias2].map((a) => a.buffer as ArrayBuffer)),
  );
}
