import type { Explanation, ExplainOptions, ModelInfo, MarkedPrediction, PredictOptions, SimilarOptions, SimilarReport } from '../index.js';

/**
 * Where predictions run, as ModelHolder needs it: the library's PredictionPool (worker threads,
 * or the main thread with none). Models are held by version number; ModelHolder decides which
 * version serves.
 */
export interface Engine {
  /** Threads that predict (0: the main thread). */
  readonly threads: number;
  /** Loads the model in folder `dir` as `version` everywhere it must be, checked; rejects, keeping nothing of it, if it is refused anywhere. */
  load(version: number, dir: string): Promise<ModelInfo>;
  /** Predictions; with `markTraining`, those of texts the model was trained on marked `inTraining: true`. */
  predict(version: number, texts: readonly string[], options: PredictOptions, markTraining?: boolean): Promise<MarkedPrediction[]>;
  explain(version: number, text: string, options: ExplainOptions): Promise<Explanation>;
  similar(version: number, text: string, options: SimilarOptions): Promise<SimilarReport[]>;
  /** Forgets `version` everywhere. */
  discard(version: number): void;
  /** Stops the threads (after the last request has been answered). */
  close(): Promise<void>;
}
