/**
 * The entry point of a prediction worker thread (see stream.ts): loads the model from the
 * artifacts of its first message and answers batches of texts with their predictions, in the order asked.
 * Loaded only as a worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ModelArtifacts } from '../io/format.js';
import type { RuntimeOptions } from '../nn/choices.js';
import { fromArtifacts, type PredictOptions } from './model.js';

const { runtime } = workerData as { runtime: RuntimeOptions };
// The model's artifacts come as the first message (not kept once loaded), then batches.
const first = await new Promise<{ artifacts: ModelArtifacts }>((resolve) => parentPort!.once('message', resolve));
const model = await fromArtifacts(first.artifacts, runtime);
parentPort!.on('message', ({ seq, texts, options }: { seq: number; texts: string[]; options: PredictOptions }) => {
  parentPort!.postMessage({ seq, predictions: model.predict(texts, options) });
});
parentPort!.postMessage({ ready: true });
