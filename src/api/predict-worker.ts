/**
 * The entry point of a prediction worker thread (see stream.ts): loads the model from the
 * artifacts of its first message and answers batches of texts with their predictions, in the order asked.
 * Loaded only as a worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ModelArtifacts } from '../io/format.js';
import type { RuntimeOptions } from '../nn/choices.js';
import type { SharedWeights } from '../nn/kernels.js';
import { fromArtifactsSharing, type PredictOptions } from './model.js';

const { runtime } = workerData as { runtime: RuntimeOptions };
// The model's artifacts come as the first message (not kept once loaded), then batches.
const first = await new Promise<{ artifacts: ModelArtifacts; shared?: SharedWeights[] }>((resolve) => parentPort!.once('message', resolve));
// With the main thread's input weights in shared memory, they are read there, not copied.
const model = await fromArtifactsSharing(first.artifacts, runtime, first.shared);
parentPort!.on('message', ({ seq, texts, options }: { seq: number; texts: string[]; options: PredictOptions }) => {
  parentPort!.postMessage({ seq, predictions: model.predict(texts, options) });
});
parentPort!.postMessage({ ready: true });
