import type { Explanation, ExplainOptions, Prediction, PredictOptions } from '../index.js';
import { ModelSet, type ModelInfo } from './models.js';

/**
 * Where predictions run: in the service's main thread (LocalEngine) or in worker threads
 * (WorkerPool). Models are held by version number; ModelHolder decides which version serves.
 */
export interface Engine {
  /** Threads that predict (0: the main thread). */
  readonly threads: number;
  /** Loads the model in folder `dir` as `version` everywhere it must be, checked; rejects, keeping nothing of it, if it is refused anywhere. */
  load(version: number, dir: string): Promise<ModelInfo>;
  predict(version: number, texts: readonly string[], options: PredictOptions): Promise<Prediction[]>;
  explain(version: number, text: string, options: ExplainOptions): Promise<Explanation>;
  /** Forgets `version` everywhere. */
  discard(version: number): void;
  /** Stops the threads (after the last request has been answered). */
  close(): Promise<void>;
}

/** Predictions in the main thread: for one core, or when a caller wants no threads (`--workers 0`). */
export class LocalEngine implements Engine {
  readonly threads = 0;
  readonly #models: ModelSet;

  constructor(models = new ModelSet()) {
    this.#models = models;
  }

  async load(version: number, dir: string): Promise<ModelInfo> {
    return this.#models.loadDir(version, dir);
  }

  async predict(version: number, texts: readonly string[], options: PredictOptions): Promise<Prediction[]> {
    return this.#models.predict(version, texts, options);
  }

  async explain(version: number, text: string, options: ExplainOptions): Promise<Explanation> {
    return this.#models.explain(version, text, options);
  }

  discard(version: number): void {
    this.#models.discard(version);
  }

  async close(): Promise<void> {}
}
