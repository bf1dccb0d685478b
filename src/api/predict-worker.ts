/**
 * A prediction thread's entry point (PredictionPool starts it): holds a ModelSet and answers the
 * pool's messages, one at a time, each with `{ id, ok, result }` or `{ id, ok: false, error }`.
 * Loaded only as a worker.
 */
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { RuntimeOptions } from '../nn/choices.js';
import { type Loaded, type Reply, type Request, serializeError } from './messages.js';
import { fromArtifactsSharing } from './model.js';
import { ModelSet } from './models.js';

const { runtime } = workerData as { runtime: RuntimeOptions };
const models = new ModelSet(runtime);

/**
 * Runs `work` with this thread's scheduling priority lowered (Linux gives each thread its own
 * nice value), so that loading a new model beside the serving threads takes the cores they leave
 * idle: under load, the p99 latency near a reload fell from 130-320 ms to 40-90 ms in bench runs
 * on 2 cores. The priority is raised back after; where the process may not raise it (without
 * CAP_SYS_NICE or RLIMIT_NICE), the thread keeps the lower one and says so.
 */
async function inBackground<T extends object>(work: () => Promise<T>): Promise<T & { priority?: string }> {
  let before: number | undefined;
  try {
    before = os.getPriority(0);
    os.setPriority(0, Math.min(19, before + 10));
  } catch {
    before = undefined; // no per-thread priority here: load at the priority it has
  }
  let result: T;
  try {
    result = await work();
  } catch (err) {
    // A refused model too: the thread goes on serving the old one, at its own priority.
    if (before !== undefined) restore(before);
    throw err;
  }
  if (before === undefined || restore(before)) return result;
  return {
    ...result,
    priority: `this prediction thread could not get its priority back after loading and runs at nice ${os.getPriority(0)}`,
  };
}

/** Sets this thread's nice value back to `before`; false where the process may not raise it. */
function restore(before: number): boolean {
  try {
    os.setPriority(0, before);
    return true;
  } catch {
    return false;
  }
}

/** Loads the model in folder `dir` (checked) and tells of it, with its input weights for the other threads to share. */
async function loadDir(msg: Extract<Request, { type: 'loadDir' }>): Promise<Loaded> {
  const info = await models.loadDir(msg.version, msg.dir, msg.shared);
  return { ...info, shared: models.shared(msg.version) };
}

async function answer(msg: Request): Promise<Reply> {
  switch (msg.type) {
    case 'loadDir':
      return { id: msg.id, ok: true, result: msg.background ? await inBackground(() => loadDir(msg)) : await loadDir(msg) };
    case 'loadArtifacts':
      // With the input weights of the model in the caller's shared memory, they are read there, not copied.
      models.set(msg.version, await fromArtifactsSharing(msg.artifacts, runtime, msg.shared));
      return { id: msg.id, ok: true, result: undefined };
    case 'predict':
      return { id: msg.id, ok: true, result: models.predict(msg.version, msg.texts, msg.options, msg.markTraining) };
    case 'explain':
      return { id: msg.id, ok: true, result: models.explain(msg.version, msg.text, msg.options) };
    case 'similar':
      return { id: msg.id, ok: true, result: models.similar(msg.version, msg.text, msg.options) };
  }
}

const fail = (id: number, err: unknown) => parentPort!.postMessage({ id, ok: false, error: serializeError(err) } satisfies Reply);

parentPort!.on('message', (msg: Request) => {
  answer(msg).then(
    (reply) => {
      try {
        parentPort!.postMessage(reply);
      } catch (err) {
        fail(msg.id, err); // an answer that cannot cross threads
      }
    },
    (err: unknown) => fail(msg.id, err),
  );
});
