import { Worker } from 'node:worker_threads';
import { ModelError } from '../base/errors.js';
import type { RuntimeOptions } from '../nn/choices.js';
import { deserializeError, type Loaded, type Reply, type Request } from './messages.js';
import type { Explanation, ExplainOptions, Model, PredictOptions, SimilarOptions, SimilarReport } from './model.js';
import { ModelSet, type MarkedPrediction, type ModelInfo, type SharedModel } from './models.js';

/** A prediction thread stopped while it held requests (they fail with this; the pool starts another in its place). */
export class ThreadLostError extends Error {
  constructor(readonly reason?: string) {
    super(`a prediction thread stopped while answering${reason ? ` (${reason})` : ''}; retry the request`);
    this.name = 'ThreadLostError';
  }
}

export interface PoolOptions {
  /** How the threads predict (backend, kernels). */
  runtime?: RuntimeOptions;
  /**
   * Start a new thread in place of one that stops, with its generation's model (a service);
   * its requests fail with ThreadLostError. Without, they fail with what stopped it.
   */
  restart?: boolean;
  /** Hears why a thread stopped, when another takes its place. */
  onThreadLost?: (reason: string) => void;
  /** Hears what an operator should know (a thread that kept a lowered priority after loading). */
  onNotice?: (message: string) => void;
  /**
   * Each thread's young generation, in MB (default 4, a service's: see LIMITS). Threads that
   * predict large batches back to back (predictStream's) do better with more.
   */
  youngGenerationMb?: number;
}

/**
 * The heap limits of a prediction thread, in MB. A small young generation by default: a thread
 * loading a model otherwise grows it to tens of MB, and keeps them (bench:serve: the peak resident
 * memory during a reload fell from about 350 to 240 MB), at no cost measurable in predictions per
 * second. A bounded old generation (far above need) makes V8 grow it by steps of 1.3 to 2 times
 * its live data, not up to 4.
 */
const LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 1024 };

/** How a thread is started: its runtime choices and its young generation (MB). */
interface ThreadSettings {
  runtime: RuntimeOptions;
  youngGenerationMb: number;
}

/** The settings as one key: a prestarted thread serves a pool that asks for the same ones. */
const settingsKey = ({ runtime, youngGenerationMb }: ThreadSettings): string =>
  `${runtime.backend ?? 'auto'}|${runtime.kernels ?? 'wasm'}|${youngGenerationMb}`;

/** A pool's thread settings, from its options. */
const settingsOf = (o: PoolOptions): ThreadSettings => ({
  runtime: o.runtime ?? {},
  youngGenerationMb: o.youngGenerationMb ?? LIMITS.maxYoungGenerationSizeMb,
});
const WORKER = new URL('./predict-worker.js', import.meta.url);

type Pending = { resolve: (value: unknown) => void; reject: (err: Error) => void };

/** One worker thread (predict-worker.ts) and its requests. */
class Thread {
  readonly worker: Worker;
  /** Requests posted and not yet answered. */
  readonly pending = new Map<number, Pending>();
  /** Requests given to this thread and not yet answered, those waiting for it to be ready included. */
  inFlight = 0;
  /** Resolves once the thread holds its generation's model. */
  ready: Promise<void> = Promise.resolve();
  /** Set when the pool ends the thread on purpose (no restart then). */
  ending = false;
  /** What ended the thread, if an error did. */
  error?: Error;

  /** What is told when the thread ends: its pool's handler once a pool has it (adopt). */
  private onExit?: (t: Thread, code: number) => void;

  constructor(readonly settings: ThreadSettings) {
    this.worker = new Worker(WORKER, {
      workerData: { runtime: settings.runtime },
      resourceLimits: { ...LIMITS, maxYoungGenerationSizeMb: settings.youngGenerationMb },
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
      this.error = err;
    });
    this.worker.on('exit', (code) => {
      if (this.onExit) this.onExit(this, code);
      else if (spares.includes(this)) spares.splice(spares.indexOf(this), 1); // a spare that ended before any pool took it
    });
  }

  /** The thread, now its pool's: `onExit` hears when it ends, and it keeps the process alive. */
  adopt(onExit: (t: Thread, code: number) => void): this {
    this.onExit = onExit;
    this.worker.ref();
    return this;
  }

  /** What ended the thread, in words. */
  reason(code: number): string {
    return this.error ? `${this.error?.name ?? 'Error'}: ${this.error?.message ?? String(this.error)}` : `exit code ${code}`;
  }

  end(): Promise<number> {
    this.ending = true;
    return this.worker.terminate();
  }
}

/**
 * Threads started before any pool needed them (PredictionPool.prestart), not yet taken by one.
 * They load their modules meanwhile, and do not keep the process alive until a pool takes them.
 */
const spares: Thread[] = [];

/** The threads that hold one model version, and how a thread that takes another's place loads it (with a restarting pool). */
interface Generation {
  threads: Thread[];
  loaded: boolean;
  reload?: (t: Thread) => Promise<void>;
}

/**
 * Predictions in worker threads, for `predictStream` and for a service: each model version
 * has its own generation of threads, each holding the model, and a request goes to the thread
 * of its version with the fewest in flight, so that batches and concurrent requests use every
 * core while the calling thread reads, writes or answers HTTP. The threads hold the model's input
 * weights (most of its memory) once, in shared memory, whatever their number. With no threads,
 * the calling thread predicts.
 *
 * A model comes from a folder (`load`: each thread reads and checks the folder itself, the
 * first decoding the weights and the others sharing them, so that the generation is refused
 * unless every thread read the same model), or from a Model of the calling thread (`share`).
 * A new version loads beside the serving one and never holds up a prediction; the old one ends
 * when it is discarded, and its memory goes with it. With `restart`, a thread that dies is
 * replaced with its generation's model (or dropped if the folder now holds another).
 */
export class PredictionPool {
  readonly #generations = new Map<number, Generation>();
  /** Every thread started and not yet ended, loading ones included (close ends them all). */
  readonly #live = new Set<Thread>();
  /** The models, when the calling thread predicts (no threads). */
  readonly #local: ModelSet;
  /** How this pool's threads are started (a prestarted thread with the same settings is taken instead). */
  readonly #settings: ThreadSettings;
  #closed = false;
  #nextId = 1;

  /**
   * Starts `threads` prediction threads before a pool needs them, for a caller about to load a
   * model and then predict much: the threads load their modules while it loads the model (on the
   * x18 corpus, the worker of `predict --jobs 2` started about 0.9 s after the process did).
   * The next pools with the same runtime choices and young generation (`options`) take them
   * (predictStream's among them, which then gives them batches at once: see prestartStream);
   * until then they do not keep the process alive.
   */
  static prestart(threads: number, options: Pick<PoolOptions, 'runtime' | 'youngGenerationMb'> = {}): void {
    for (let i = 0; i < threads; i++) {
      const t = new Thread(settingsOf(options));
      t.worker.unref();
      spares.push(t);
    }
  }

  /** Threads prestarted with these settings (any, without) and not yet taken by a pool. */
  static spares(options?: Pick<PoolOptions, 'runtime' | 'youngGenerationMb'>): number {
    if (!options) return spares.length;
    const key = settingsKey(settingsOf(options));
    return spares.filter((s) => settingsKey(s.settings) === key).length;
  }

  constructor(
    /** Threads that predict (0: the calling thread). */
    readonly threads: number,
    private readonly options: PoolOptions = {},
  ) {
    this.#settings = settingsOf(options);
    this.#local = new ModelSet(this.#settings.runtime);
  }

  /**
   * Loads the model in folder `dir` as `version` in every thread, checked (checksums and format,
   * then a trial prediction and a warm-up); rejects, keeping nothing of it, if any thread refuses
   * it or the threads read different models. A load beside a serving version runs at a lower priority.
   */
  async load(version: number, dir: string): Promise<ModelInfo> {
    if (this.threads === 0) return this.#local.loadDir(version, dir);
    const background = this.#generations.size > 0;
    const generation: Generation = { threads: [], loaded: false };
    for (let i = 0; i < this.threads; i++) generation.threads.push(this.#spawn(version, generation));
    this.#generations.set(version, generation);
    const loadDir = (t: Thread, shared?: SharedModel) => this.#call(t, { type: 'loadDir', id: 0, version, dir, background, shared });
    try {
      const [first, ...others] = generation.threads;
      const head = (await loadDir(first)) as Loaded;
      const shared = head.shared && { checksum: head.checksum, weights: head.shared };
      const infos = [head, ...((await Promise.all(others.map((t) => loadDir(t, shared)))) as Loaded[])];
      const notice = infos.find((i) => i.priority)?.priority;
      if (notice) this.options.onNotice?.(notice);
      if (infos.some((i) => i.checksum !== head.checksum)) {
        throw new ModelError(`model ${dir} changed while it was being read`, {
          code: 'MODEL_CHANGED',
          advice: 'load it again once it is written',
        });
      }
      generation.loaded = true;
      if (this.options.restart) {
        generation.reload = async (t) => {
          const info = (await this.#call(t, { type: 'loadDir', id: 0, version, dir, shared })) as Loaded;
          if (info.checksum !== head.checksum) throw new Error('the model folder changed');
        };
      }
      delete head.shared;
      delete head.priority;
      return head;
    } catch (err) {
      this.#drop(version, generation);
      throw err;
    }
  }

  /**
   * Gives `model` (of the calling thread) to every thread as `version`: its input weights stay
   * where they are, in shared memory, and the threads read them there. Predictions of `version`
   * may be asked at once; they wait for their thread to hold the model.
   */
  share(version: number, model: Model): Promise<void> {
    if (this.threads === 0) {
      this.#local.set(version, model);
      return Promise.resolve();
    }
    const generation: Generation = { threads: [], loaded: false };
    for (let i = 0; i < this.threads; i++) generation.threads.push(this.#spawn(version, generation));
    this.#generations.set(version, generation);
    const artifacts = model.sourceArtifacts();
    const shared = model.sharedInputs();
    const loadArtifacts = (t: Thread) => this.#call(t, { type: 'loadArtifacts', id: 0, version, artifacts, shared }).then(() => {});
    for (const t of generation.threads) t.ready = loadArtifacts(t);
    if (this.options.restart) generation.reload = loadArtifacts;
    const ready = Promise.all(generation.threads.map((t) => t.ready)).then(() => {
      generation.loaded = true;
    });
    ready.catch(() => {}); // a thread that cannot load fails the predictions given to it
    return ready;
  }

  /** The fewest predictions in flight in a thread of `version` (what a caller with work of its own may look at before it gives more). */
  inFlight(version: number): number {
    const threads = this.#generations.get(version)?.threads ?? [];
    return Math.min(...threads.map((t) => t.inFlight));
  }

  /** Predictions of `version` for `texts`; with `markTraining`, those the model was trained on marked `inTraining: true` (see ModelSet.predict). */
  async predict(version: number, texts: readonly string[], options: PredictOptions, markTraining = false): Promise<MarkedPrediction[]> {
    if (this.threads === 0) return this.#local.predict(version, texts, options, markTraining);
    return (await this.#dispatch(version, { type: 'predict', id: 0, version, texts, options, markTraining })) as MarkedPrediction[];
  }

  async explain(version: number, text: string, options: ExplainOptions): Promise<Explanation> {
    if (this.threads === 0) return this.#local.explain(version, text, options);
    return (await this.#dispatch(version, { type: 'explain', id: 0, version, text, options })) as Explanation;
  }

  /** The training reports most similar to `text`, by `version` (a model that keeps an index: see Model.similar). */
  async similar(version: number, text: string, options: SimilarOptions): Promise<SimilarReport[]> {
    if (this.threads === 0) return this.#local.similar(version, text, options);
    return (await this.#dispatch(version, { type: 'similar', id: 0, version, text, options })) as SimilarReport[];
  }

  /** Forgets `version` everywhere (its requests have all been answered): its threads end. */
  discard(version: number): void {
    this.#local.discard(version);
    const generation = this.#generations.get(version);
    if (generation) this.#drop(version, generation);
  }

  /** Ends every thread; requests in flight fail. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#generations.clear();
    await Promise.all([...this.#live].map((t) => t.end()));
  }

  #drop(version: number, generation: Generation): void {
    if (this.#generations.get(version) === generation) this.#generations.delete(version);
    for (const t of generation.threads) void t.end();
  }

  /**
   * The thread of `version` with the fewest requests in flight (the first of them on a tie), once
   * it holds the model. The message is not kept once posted (a batch's texts are garbage here then).
   */
  #dispatch(version: number, msg: Request): Promise<unknown> {
    const threads = this.#generations.get(version)?.threads;
    if (!threads?.length) return Promise.reject(new Error(`model version ${version} has no threads`));
    let best = threads[0];
    for (const t of threads) if (t.inFlight < best.inFlight) best = t;
    best.inFlight++;
    const answer = best.ready.then(
      () => this.#call(best, msg),
      (err: Error) => {
        throw this.options.restart ? new ThreadLostError(`its replacement could not load the model: ${err.message}`) : err;
      },
    );
    return answer.finally(() => best.inFlight--);
  }

  #call(t: Thread, msg: Request): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      t.pending.set(id, { resolve, reject });
      t.worker.postMessage({ ...msg, id });
    });
  }

  #spawn(version: number, generation: Generation): Thread {
    if (this.#closed) throw new Error('the prediction threads are closed');
    const key = settingsKey(this.#settings);
    const at = spares.findIndex((s) => settingsKey(s.settings) === key);
    const t = (at >= 0 ? spares.splice(at, 1)[0] : new Thread(this.#settings)).adopt((t, code) => {
      this.#live.delete(t);
      this.#exited(t, code, version, generation);
    });
    this.#live.add(t);
    return t;
  }

  /**
   * A thread ended: its requests fail and, with `restart` and if it was not ended on purpose, a
   * new thread takes its place with its generation's model; if that cannot load it (the folder
   * now holds another model), the generation goes on with one thread fewer.
   */
  #exited(t: Thread, code: number, version: number, generation: Generation): void {
    const restart = this.options.restart;
    const lost = this.#closed
      ? new Error('the service is stopping')
      : restart
        ? new ThreadLostError(t.reason(code))
        : (t.error ?? new ThreadLostError(t.reason(code)));
    for (const p of t.pending.values()) p.reject(lost);
    t.pending.clear();
    if (t.ending || this.#closed || this.#generations.get(version) !== generation) return;
    if (!restart || !generation.loaded || !generation.reload) {
      // Nothing takes its place: what is given to it from now on fails as its requests did.
      t.ready = Promise.reject(lost);
      t.ready.catch(() => {});
      return;
    }
    this.options.onThreadLost?.(t.reason(code));
    const fresh = this.#spawn(version, generation);
    generation.threads[generation.threads.indexOf(t)] = fresh;
    fresh.ready = generation.reload(fresh);
    fresh.ready.catch(() => {
      const i = generation.threads.indexOf(fresh);
      if (i >= 0 && generation.threads.length > 1) {
        generation.threads.splice(i, 1);
        void fresh.end();
      }
    });
  }
}
