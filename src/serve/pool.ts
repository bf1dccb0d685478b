import { Worker } from 'node:worker_threads';
import { ModelError, type Explanation, type ExplainOptions, type Prediction, type PredictOptions, type RuntimeOptions } from '../index.js';
import type { Engine } from './engine.js';
import { deserializeError, type Reply, type Request } from './messages.js';
import type { ModelInfo } from './models.js';

/** A prediction thread stopped while it held requests (they are answered 503; the thread is restarted). */
export class ThreadLostError extends Error {
  constructor(readonly reason?: string) {
    super(`a prediction thread stopped while answering${reason ? ` (${reason})` : ''}; retry the request`);
    this.name = 'ThreadLostError';
  }
}

type Pending = { resolve: (value: unknown) => void; reject: (err: Error) => void };

/** One worker thread (worker.ts) and its requests in flight. */
class Thread {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  /** Resolves once the thread holds its generation's model. */
  ready: Promise<void> = Promise.resolve();
  /** Set when the pool ends the thread on purpose (no restart then). */
  ending = false;
  /** What ended the thread, if an error did. */
  error?: string;

  constructor(runtime: RuntimeOptions, onExit: (t: Thread, code: number) => void) {
    // A small young generation: a thread loading a model otherwise grows it to tens of MB, and
    // keeps them (bench:serve: the peak resident memory during a reload fell from about 350 to
    // 240 MB), at no cost measurable in predictions per second. A bounded old generation (far
    // above need) makes V8 grow it by steps of 1.3 to 2 times its live data, not up to 4.
    this.worker = new Worker(new URL('./worker.js', import.meta.url), {
      workerData: { runtime },
      resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 1024 },
    });
    this.worker.on('message', (reply: Reply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.result);
      else p.reject(deserializeError(reply.error));
    });
    // An error in the thread ends it; 'exit' follows and does the cleaning up.
    this.worker.on('error', (err) => {
      this.error = `${err?.name ?? 'Error'}: ${err?.message ?? String(err)}`;
    });
    this.worker.on('exit', (code) => onExit(this, code));
  }

  end(): Promise<number> {
    this.ending = true;
    return this.worker.terminate();
  }
}

/** The threads that serve one model version, and its checksum (a thread that restarts must load the same model). */
interface Generation {
  threads: Thread[];
  checksum?: string;
}

/**
 * Predictions in worker threads: each model version has its own generation of threads, and a
 * request goes to the thread of its version with the fewest in flight, so that batches and
 * concurrent requests use every core while the main thread answers HTTP. A reload starts a new
 * generation beside the serving one, each thread reading and checking the model folder itself,
 * so loading never holds up a prediction; the generation is refused unless every thread read
 * the same model. The old generation ends when its version is discarded, and its memory goes
 * with it. A thread that dies is restarted with its generation's model (or dropped if the
 * folder now holds another), and the requests it held fail with ThreadLostError.
 */
export class WorkerPool implements Engine {
  readonly #generations = new Map<number, Generation>();
  /** Every thread started and not yet ended, loading ones included (close ends them all). */
  readonly #live = new Set<Thread>();
  #closed = false;
  #nextId = 1;

  constructor(
    readonly threads: number,
    private readonly runtime: RuntimeOptions = {},
    private readonly onThreadLost: (reason: string) => void = () => {},
    /** Hears what the service's operator should know (a thread that kept a lowered priority). */
    private readonly onNotice: (message: string) => void = () => {},
  ) {}

  async load(version: number, dir: string): Promise<ModelInfo> {
    const generation: Generation = { threads: [] };
    for (let i = 0; i < this.threads; i++) generation.threads.push(this.#spawn(version, dir, generation));
    // A reload loads at a lower priority, beside the threads serving.
    const background = this.#generations.size > 0;
    try {
      const infos = (await Promise.all(
        generation.threads.map((t) => this.#call(t, { type: 'loadDir', id: 0, version, dir, background })),
      )) as (ModelInfo & { priority?: string })[];
      const notice = infos.find((i) => i.priority)?.priority;
      if (notice) this.onNotice(notice);
      for (const i of infos) delete i.priority;
      if (infos.some((i) => i.checksum !== infos[0].checksum)) {
        throw new ModelError(`model ${dir} changed while it was being read`, {
          code: 'MODEL_CHANGED',
          advice: 'load it again once it is written',
        });
      }
      generation.checksum = infos[0].checksum;
      this.#generations.set(version, generation);
      return infos[0];
    } catch (err) {
      await Promise.all(generation.threads.map((t) => t.end()));
      throw err;
    }
  }

  async predict(version: number, texts: readonly string[], options: PredictOptions): Promise<Prediction[]> {
    return (await this.#dispatch(version, { type: 'predict', id: 0, version, texts, options })) as Prediction[];
  }

  async explain(version: number, text: string, options: ExplainOptions): Promise<Explanation> {
    return (await this.#dispatch(version, { type: 'explain', id: 0, version, text, options })) as Explanation;
  }

  discard(version: number): void {
    const generation = this.#generations.get(version);
    this.#generations.delete(version);
    for (const t of generation?.threads ?? []) void t.end();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#generations.clear();
    await Promise.all([...this.#live].map((t) => t.end()));
  }

  /** The thread of `version` with the fewest requests in flight (the first of them on a tie). */
  async #dispatch(version: number, msg: Request): Promise<unknown> {
    const threads = this.#generations.get(version)?.threads;
    if (!threads) throw new Error(`model version ${version} has no threads`);
    let best = threads[0];
    for (const t of threads) if (t.pending.size < best.pending.size) best = t;
    await best.ready.catch((err: Error) => {
      throw new ThreadLostError(`its replacement could not load the model: ${err.message}`);
    });
    return this.#call(best, msg);
  }

  #call(t: Thread, msg: Request): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      t.pending.set(id, { resolve, reject });
      t.worker.postMessage({ ...msg, id });
    });
  }

  #spawn(version: number, dir: string, generation: Generation): Thread {
    if (this.#closed) throw new Error('the prediction threads are closed');
    const t = new Thread(this.runtime, (t, code) => {
      this.#live.delete(t);
      this.#exited(t, code, version, dir, generation);
    });
    this.#live.add(t);
    return t;
  }

  /**
   * A thread ended: its requests fail and, if it was not ended on purpose, a new thread takes its
   * place with its generation's model; if the folder now holds another model, the generation goes
   * on with one thread fewer.
   */
  #exited(t: Thread, code: number, version: number, dir: string, generation: Generation): void {
    const lost = this.#closed ? new Error('the service is stopping') : new ThreadLostError(t.error ?? `exit code ${code}`);
    for (const p of t.pending.values()) p.reject(lost);
    t.pending.clear();
    if (t.ending || this.#closed || !generation.checksum || this.#generations.get(version) !== generation) return;
    this.onThreadLost(t.error ?? `exit code ${code}`);
    const fresh = this.#spawn(version, dir, generation);
    generation.threads[generation.threads.indexOf(t)] = fresh;
    fresh.ready = this.#call(fresh, { type: 'loadDir', id: 0, version, dir }).then((info) => {
      if ((info as ModelInfo).checksum !== generation.checksum) throw new Error('the model folder changed');
    });
    fresh.ready.catch(() => {
      const i = generation.threads.indexOf(fresh);
      if (i >= 0 && generation.threads.length > 1) {
        generation.threads.splice(i, 1);
        void fresh.end();
      }
    });
  }
}
