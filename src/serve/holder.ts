import type { Explanation, ExplainOptions, ModelInfo, MarkedPrediction, PredictOptions, SimilarOptions, SimilarReport } from '../index.js';
import type { Engine } from './engine.js';

/** The model serving now, as the service shows it. */
export interface ServingModel extends ModelInfo {
  /** Counts the models this service has loaded: 1 at start, one more at each reload. */
  version: number;
  /** The folder it was read from. */
  dir: string;
  /** When it started serving (ISO 8601). */
  loadedAt: string;
}

/** What a reload did: the model now serving, or why the new one was refused (the old one still serving). */
export type ReloadResult = { ok: true; model: ServingModel; previous: ServingModel } | { ok: false; error: Error; model: ServingModel };

/**
 * The model that serves, swapped atomically on reload. Each request takes the version serving
 * when it starts and is answered by that version to the end; a reload loads the new model in
 * every thread first and refuses it whole if any thread does, switches new requests to it in
 * one assignment, and lets the old one go once its last request is answered. Reloads run one
 * at a time, in order.
 */
export class ModelHolder {
  #current!: ServingModel;
  #nextVersion = 1;
  readonly #inFlight = new Map<number, number>();
  readonly #retired = new Set<number>();
  #reloading: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly engine: Engine,
    readonly dir: string,
  ) {}

  /** Loads the first model; throws (a ModelError for a missing or damaged one) if it cannot serve. */
  static async open(engine: Engine, dir: string): Promise<ModelHolder> {
    const holder = new ModelHolder(engine, dir);
    holder.#current = await holder.#load();
    return holder;
  }

  /** The model serving now. */
  get current(): ServingModel {
    return this.#current;
  }

  /** Loads the model in the folder again (a retrained one) and serves it, or refuses it and keeps the one serving. */
  reload(): Promise<ReloadResult> {
    const next = this.#reloading.then(async (): Promise<ReloadResult> => {
      const previous = this.#current;
      try {
        const model = await this.#load();
        this.#current = model;
        this.#retire(previous.version);
        return { ok: true, model, previous };
      } catch (error) {
        return { ok: false, error: error as Error, model: previous };
      }
    });
    this.#reloading = next;
    return next;
  }

  /** Predictions by the model serving when the call starts, with that model; those of reports it was trained on marked `inTraining: true`. */
  async predict(texts: readonly string[], options: PredictOptions): Promise<{ predictions: MarkedPrediction[]; model: ServingModel }> {
    return this.#with((model) => this.engine.predict(model.version, texts, options, true).then((predictions) => ({ predictions, model })));
  }

  /** An explanation by the model serving when the call starts. */
  async explain(text: string, options: ExplainOptions): Promise<{ explanation: Explanation; model: ServingModel }> {
    return this.#with((model) => this.engine.explain(model.version, text, options).then((explanation) => ({ explanation, model })));
  }

  /** The training reports most similar to `text`, by the model serving when the call starts. */
  async similar(text: string, options: SimilarOptions): Promise<{ similar: SimilarReport[]; model: ServingModel }> {
    return this.#with((model) => this.engine.similar(model.version, text, options).then((similar) => ({ similar, model })));
  }

  async #load(): Promise<ServingModel> {
    const version = this.#nextVersion++;
    const info = await this.engine.load(version, this.dir);
    return { ...info, version, dir: this.dir, loadedAt: new Date().toISOString() };
  }

  async #with<T>(work: (model: ServingModel) => Promise<T>): Promise<T> {
    const model = this.#current;
    const v = model.version;
    this.#inFlight.set(v, (this.#inFlight.get(v) ?? 0) + 1);
    try {
      return await work(model);
    } finally {
      const left = this.#inFlight.get(v)! - 1;
      if (left > 0) this.#inFlight.set(v, left);
      else {
        this.#inFlight.delete(v);
        if (this.#retired.delete(v)) this.engine.discard(v);
      }
    }
  }

  /** The old version goes now if nothing uses it, or when its last request is answered. */
  #retire(version: number): void {
    if (this.#inFlight.has(version)) this.#retired.add(version);
    else this.engine.discard(version);
  }
}
