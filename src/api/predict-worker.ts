/**
 * The entry point of a prediction worker thread (see stream.ts): loads the model from the
 * artifacts it is given and answers batches of texts with their predictions, in the order asked.
 * Loaded only as a worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ModelArtifacts } from '../io/format.js';
import type { RuntimeOptions } from '../nn/choices.js';
import { fromArtifacts, type PredictOptions } from './model.js';

const { artifacts, runtime } = workerData as { artifacts: ModelArtifacts; runtime: RuntimeOptions };
const model = await fromArtifacts(artifacts, runtime);
parentPort!.on('message', ({ seq, texts, options }: { seq: number; texts: string[]; options: PredictOptions }) => {
  parentPort!.postMessage({ seq, predictions: model.predict(texts, options) });
});
parentPort!.postMessage({ ready: true });
