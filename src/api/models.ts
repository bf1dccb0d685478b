import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelError } from '../base/errors.js';
import type { Hyperparameters } from '../base/hyperparameters.js';
import { MANIFEST } from '../io/format.js';
import { readArtifacts } from '../io/store.js';
import { isLabelSet, type AnyPrediction } from '../model/prediction.js';
import type { RuntimeOptions } from '../nn/choices.js';
import type { SharedWeights } from '../nn/kernels.js';
import {
  fromArtifactsSharing,
  type Explanation,
  type ExplainOptions,
  type Model,
  type ModelSummary,
  type PredictOptions,
  type SimilarOptions,
  type SimilarReport,
} from './model.js';

/** What a pool tells of a model it loaded from a folder (a service shows it): plain data, the same in every thread. */
export interface ModelInfo {
  /** SHA-256 of the model's manifest, which holds the SHA-256 of every other file: the model's identity. */
  checksum: string;
  labels: readonly string[];
  hyperparameters: Readonly<Hyperparameters>;
  summary: Readonly<ModelSummary>;
  /** True if it keeps an index of its training reports, so that it finds similar ones (Model.hasIndex). */
  hasIndex: boolean;
}

/** A prediction, marked where the model was trained on the report (its answer is what it was taught). */
export type MarkedPrediction = AnyPrediction & { inTraining?: true };

/** SHA-256 of the manifest (which lists the SHA-256 of the model's other files) in model folder `dir`, hex (undefined if it cannot be read). */
function manifestChecksum(dir: string): string | undefined {
  try {
    return createHash('sha256')
      .update(readFileSync(join(dir, MANIFEST)))
      .digest('hex');
  } catch {
    return undefined;
  }
}

function infoOf(model: Model, checksum: string): ModelInfo {
  return {
    checksum,
    labels: [...model.labels],
    hyperparameters: { ...model.hyperparameters },
    summary: { ...model.summary, labelCounts: { ...model.summary.labelCounts } },
    hasIndex: model.hasIndex,
  };
}

/** A smoke test a new model must pass before it serves: one prediction, of the right shape. */
function tryOut(model: Model, source: string): void {
  const [p] = model.predict(['bugcat serve checks a new model with this report'], model.kind === 'multi-label' ? {} : { top: 1 });
  const fits = (q: AnyPrediction | undefined) =>
    q !== undefined &&
    (isLabelSet(q)
      ? q.labels.every((l) => model.labels.includes(l)) && Object.values(q.scores).every((s) => s >= 0 && s <= 1)
      : model.labels.includes(q.label) && q.confidence >= 0 && q.confidence <= 1);
  if (!fits(p)) {
    throw new ModelError(`model ${source} loads but does not predict (answered ${JSON.stringify(p)})`, {
      code: 'MODEL_INCONSISTENT',
      advice: 'retrain it',
    });
  }
}

/** Words of the kind bug reports hold, for the warm-up's made-up reports. */
const WARM_UP_WORDS = (
  'QEMU guest hangs at boot with -kernel and -initrd; virtio-net drops packets under load, the VNC display ' +
  'freezes, KVM reports an internal error, the TCG translator crashes on an ARM instruction, the disk image ' +
  'is corrupted after a snapshot, GDB loses breakpoints, the USB device is not detected. Steps: run ' +
  'qemu-system-x86_64 -m 2048 -smp 4 -drive file=disk.qcow2 -netdev tap,id=n0 -device e1000,netdev=n0'
).split(' ');

/**
 * Runs a new model on made-up reports of many lengths before it serves, so that its thread's
 * code is compiled and its lookup tables built: otherwise the first requests it answers take up
 * to 100 times longer (about 100 ms for the first). Stops after `count` reports or `ms`.
 */
function warmUp(model: Model, count = 300, ms = 1000): void {
  // A model that keeps an index decodes it now, not on the first POST /v1/similar.
  if (model.hasIndex) model.similar(WARM_UP_WORDS.join(' '), { top: 1 });
  const start = performance.now();
  for (let i = 0; i < count && performance.now() - start < ms; i++) {
    const n = 5 + ((i * 37) % 400);
    const words = Array.from({ length: n }, (_, k) => WARM_UP_WORDS[(i + k * 7) % WARM_UP_WORDS.length]);
    model.predict([words.join(i % 3 === 0 ? '\n' : ' ')], { top: 3 });
  }
}

/** A model another thread loaded from the same folder: its manifest's checksum, and its networks' input weights in shared memory. */
export interface SharedModel {
  checksum: string;
  weights: SharedWeights[];
}

/**
 * The models one thread holds, by version number: for a service, the one serving and, during a
 * reload, the next one (and the previous one, until the requests it took have been answered).
 * PredictionPool keeps one in each of its threads, or in the calling thread when it has none.
 */
export class ModelSet {
  readonly #models = new Map<number, Model>();

  constructor(private readonly runtime: RuntimeOptions = {}) {}

  /**
   * Loads the model in folder `dir` as `version`, checked (checksums and format by the library,
   * then a trial prediction). Its checksum is its manifest's, read before and after the load: a
   * folder that changed meanwhile (a retrained model landing) is refused, to be read again later.
   * Given `shared`, the same model (same manifest) loaded by another thread, its input weights
   * are read where they are rather than decoded again.
   */
  async loadDir(version: number, dir: string, shared?: SharedModel): Promise<ModelInfo> {
    const before = manifestChecksum(dir);
    const weights = shared && shared.checksum === before ? shared.weights : undefined;
    const model = await fromArtifactsSharing(await readArtifacts(dir), this.runtime, weights, dir);
    const after = manifestChecksum(dir);
    if (before === undefined || before !== after) {
      throw new ModelError(`model ${dir} changed while it was being read`, {
        code: 'MODEL_CHANGED',
        advice: 'load it again once it is written',
      });
    }
    tryOut(model, dir);
    warmUp(model);
    this.#models.set(version, model);
    return infoOf(model, before);
  }

  /** Holds `model` as `version`. */
  set(version: number, model: Model): void {
    this.#models.set(version, model);
  }

  /** The input weights of `version` where they are, for other threads to share (undefined where they are not in shared memory). */
  shared(version: number): SharedWeights[] | undefined {
    return this.#get(version).sharedInputs();
  }

  /**
   * Predictions of `version` for `texts`, with the fields of the library's Prediction as they are;
   * with `markTraining`, those of the texts the model was trained on (by its fingerprints) also
   * `inTraining: true`.
   */
  predict(version: number, texts: readonly string[], options: PredictOptions, markTraining = false): MarkedPrediction[] {
    const model = this.#get(version);
    const predictions: MarkedPrediction[] = model.predict(texts, options);
    if (!markTraining || !model.hasFingerprints) return predictions;
    const seen = model.trainedOn(texts);
    return predictions.map((p, i) => (seen[i] ? { ...p, inTraining: true } : p));
  }

  /** The explanation of `text` by `version`. */
  explain(version: number, text: string, options: ExplainOptions): Explanation {
    return this.#get(version).explain(text, options);
  }

  /** The training reports most similar to `text`, by `version` (which must keep an index). */
  similar(version: number, text: string, options: SimilarOptions): SimilarReport[] {
    return this.#get(version).similar(text, options);
  }

  /** Forgets `version` (its requests have all been answered). */
  discard(version: number): void {
    this.#models.delete(version);
  }

  #get(version: number): Model {
    const model = this.#models.get(version);
    if (!model) throw new Error(`model version ${version} is not loaded here`);
    return model;
  }
}
