import { BugcatError, DataError, ModelError, UsageError } from '../base/errors.js';
import type { ErrorCode } from '../base/codes.js';
import type { ModelArtifacts } from '../io/format.js';
import type { SharedWeights } from '../nn/kernels.js';
import type { ExplainOptions, PredictOptions, SimilarOptions } from './model.js';
import type { ModelInfo, SharedModel } from './models.js';

/** What PredictionPool asks a prediction thread (predict-worker.ts); each gets a Reply with its id. */
export type Request =
  | { type: 'loadDir'; id: number; version: number; dir: string; background?: boolean; shared?: SharedModel }
  | { type: 'loadArtifacts'; id: number; version: number; artifacts: ModelArtifacts; shared?: SharedWeights[] }
  | { type: 'predict'; id: number; version: number; texts: readonly string[]; options: PredictOptions; markTraining?: boolean }
  | { type: 'explain'; id: number; version: number; text: string; options: ExplainOptions }
  | { type: 'similar'; id: number; version: number; text: string; options: SimilarOptions };

/** An error as it crosses between threads. */
export interface SerializedError {
  name: string;
  message: string;
  code?: ErrorCode;
  problem?: string;
  advice?: string;
}

/** What a thread answers to loadDir: the model's info, its input weights for the other threads, and a notice for the operator if any. */
export type Loaded = ModelInfo & { shared?: SharedWeights[]; priority?: string };

/** A prediction thread's answer. */
export type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: SerializedError };

/** An error as plain data, for postMessage. */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof BugcatError) return { name: err.name, message: err.message, code: err.code, problem: err.problem, advice: err.advice };
  const e = err as Error;
  return { name: e?.name ?? 'Error', message: e?.message ?? String(err) };
}

/** The error back in this thread, as the class it was thrown as where bugcat threw it. */
export function deserializeError(e: SerializedError): Error {
  const details = { code: e.code, advice: e.advice };
  // The code came from an error of the same class, so it is one that class takes.
  const failure = details as ConstructorParameters<typeof DataError>[1];
  switch (e.name) {
    case 'ModelError':
      return new ModelError(e.problem ?? e.message, failure);
    case 'DataError':
      return new DataError(e.problem ?? e.message, failure);
    case 'UsageError':
    case 'HyperparameterError':
      return new UsageError(e.problem ?? e.message, details as ConstructorParameters<typeof UsageError>[1]);
    case 'BugcatError':
      return new BugcatError(e.problem ?? e.message, details);
    default:
      return Object.assign(new Error(e.message), { name: e.name });
  }
}
