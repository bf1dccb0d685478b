/**
 * A prediction thread's entry point (WorkerPool starts it): holds a ModelSet and answers the
 * pool's messages, one at a time, each with `{ id, ok, result }` or `{ id, ok: false, error }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { RuntimeOptions } from '../index.js';
import { ModelSet } from './models.js';
import { type Reply, type Request, serializeError } from './messages.js';

const models = new ModelSet((workerData as { runtime?: RuntimeOptions } | undefined)?.runtime ?? {});

async function answer(msg: Request): Promise<Reply> {
  switch (msg.type) {
    case 'loadDir':
      return { id: msg.id, ok: true, result: await models.loadDir(msg.version, msg.dir) };
    case 'predict':
      return { id: msg.id, ok: true, result: models.predict(msg.version, msg.texts, msg.options) };
    case 'explain':
      return { id: msg.id, ok: true, result: models.explain(msg.version, msg.text, msg.options) };
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
