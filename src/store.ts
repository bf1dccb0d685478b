import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Hyperparameters } from './args.js';
import type { Calibration } from './calibration.js';
import { Classifier, type TrainingSummary } from './classifier.js';
import { BugcatError, ModelError } from './errors.js';
import { Network } from './network.js';
import type { Tf } from './tf.js';
import { featureConfig, Vectorizer } from './vectorizer.js';

/**
 * The model directory. Everything predict needs, and nothing else:
 *   bugcat.json      manifest: format version, labels, hyperparameters, calibration,
 *                    training-data summary, SHA-256 of every other file
 *   model.json       the network in TensorFlow.js's layout: topology + weightsManifest
 *   weights.bin      the weights (tfjs binary format; the embedding may be float16- or uint8-quantized)
 *   vocabulary.json  the terms, in feature-id order
 */
export const FORMAT = 'bugcat-model';
/** Version 2 added ensembles (modelTopology.members); a version 1 model is one network. */
export const FORMAT_VERSION = 2;
export const READABLE_VERSIONS: readonly number[] = [1, 2];
export const MANIFEST = 'bugcat.json';
const MODEL = 'model.json';
const WEIGHTS = 'weights.bin';
const VOCABULARY = 'vocabulary.json';
export const MODEL_FILES: readonly string[] = [MANIFEST, MODEL, WEIGHTS, VOCABULARY];

export interface Manifest {
  format: typeof FORMAT;
  formatVersion: number;
  createdBy: string;
  labels: string[];
  calibration: Calibration;
  hyperparameters: Hyperparameters;
  training: TrainingSummary;
  files: Record<string, string>;
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
  quantization?: { dtype: 'float16' } | { dtype: 'uint8'; scale: number; min: number };
}

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');

/** The files of a model, in memory: what save writes and load reads. */
export function serialize(clf: Classifier, createdBy: string): Record<string, Uint8Array | string> {
  const { vocabSize, hidden, classes } = clf.networks[0].shape;
  const members = clf.networks.length;
  type Stored = [name: string, shape: number[], values: Float32Array, dtype: Hyperparameters['weightDtype']];
  const tensors: Stored[] = clf.networks.flatMap((net, m): Stored[] => {
    const w = net.weights;
    const name = (n: string) => memberWeight(n, m);
    return [
      [name('embedding'), [vocabSize, hidden], w.embedding, clf.hp.weightDtype],
      [name('bias1'), [hidden], w.bias1, 'float32'],
      [name('dense'), [hidden, classes], w.dense, 'float32'],
      [name('bias2'), [classes], w.bias2, 'float32'],
    ];
  });
  tensors.push(['idf', [vocabSize], clf.vectorizer.idf, 'float32']);
  const specs: WeightSpec[] = [];
  const parts: Uint8Array[] = [];
  for (const [name, shape, values, dtype] of tensors) {
    if (dtype === 'float16') {
      specs.push({ name, shape, dtype: 'float32', quantization: { dtype: 'float16' } });
      parts.push(new Uint8Array(toFloat16(values).buffer));
    } else if (dtype === 'uint8') {
      const { bytes, scale, min } = toUint8(values);
      specs.push({ name, shape, dtype: 'float32', quantization: { dtype: 'uint8', scale, min } });
      parts.push(bytes);
    } else {
      specs.push({ name, shape, dtype: 'float32' });
      parts.push(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    }
  }
  const weights = Buffer.concat(parts);
  const model = JSON.stringify({
    format: 'bugcat-sparse-mlp',
    generatedBy: createdBy,
    modelTopology: { input: 'tfidf-sparse', vocabSize, hidden, activation: 'relu', classes, output: 'softmax', members },
    weightsManifest: [{ paths: [WEIGHTS], weights: specs }],
  });
  const vocabulary = JSON.stringify({ terms: clf.vectorizer.terms });
  const files: Record<string, Uint8Array | string> = { [MODEL]: model, [WEIGHTS]: weights, [VOCABULARY]: vocabulary };
  const manifest: Manifest = {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    createdBy,
    labels: [...clf.labels],
    calibration: clf.calibration,
    hyperparameters: clf.hp,
    training: clf.training,
    files: Object.fromEntries(Object.entries(files).map(([name, data]) => [name, sha256(data)])),
  };
  return { [MANIFEST]: JSON.stringify(manifest, null, 2) + '\n', ...files };
}

/** True if `dir` holds a bugcat manifest (a model written by bugcat, whole or damaged). */
export function isModelDir(dir: string): boolean {
  return existsSync(join(dir, MANIFEST));
}

/**
 * Refuses an --out that is a file, or a folder holding files that are not a bugcat model
 * (unless `force`). Train calls it before training too, so a user does not wait for nothing.
 */
export function checkOutDir(outDir: string, force: boolean): void {
  const out = resolve(outDir);
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw new BugcatError(`--out ${outDir} is a file, not a folder: choose another path`);
  const foreign = readdirSync(out).filter((f) => !MODEL_FILES.includes(f));
  if (!isModelDir(out) && foreign.length > 0 && !force) {
    throw new BugcatError(
      `--out ${outDir} already holds files that are not a bugcat model (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', ...' : ''}): ` +
        'choose another folder, or add --force to write the model files beside them (other files are left alone)',
    );
  }
}

/**
 * Writes the model to a temporary sibling of `out`, then moves it into place: a failed or
 * interrupted save never leaves a half-written model at `out`. Only bugcat's own file names
 * are ever replaced in `out`; a folder that holds other files and no bugcat model is refused
 * unless `force`. `shouldStop` is checked after the (asynchronous) writes, before anything
 * at `out` changes, so that a signal that arrives while saving leaves `out` untouched.
 */
export async function saveModel(clf: Classifier, outDir: string, opts: { force: boolean; createdBy: string; shouldStop?: () => boolean }): Promise<boolean> {
  const out = resolve(outDir);
  checkOutDir(outDir, opts.force);
  if (!existsSync(out)) mkdirSync(dirname(out), { recursive: true });
  const files = serialize(clf, opts.createdBy);
  const tmp = mkdtempSync(join(dirname(out), `.${basename(out)}.partial-`));
  try {
    chmodSync(tmp, 0o777 & ~process.umask()); // mkdtemp's 0700 would outlive the rename
    for (const [name, data] of Object.entries(files)) await writeFile(join(tmp, name), data);
    if (opts.shouldStop?.()) return false;
    // Commit: from here on no await, so no signal handler runs until the model is in place.
    if (!existsSync(out)) {
      renameSync(tmp, out);
      return true;
    }
    // Retire the old manifest first: at every instant `out` is the old model, no model, or the new one.
    if (existsSync(join(out, MANIFEST))) unlinkSync(join(out, MANIFEST));
    for (const name of Object.keys(files)) if (name !== MANIFEST) renameSync(join(tmp, name), join(out, name));
    renameSync(join(tmp, MANIFEST), join(out, MANIFEST));
    rmdirSync(tmp);
    return true;
  } finally {
    if (existsSync(tmp)) rmSync(tmp, { recursive: true, force: true });
  }
}

/** Reads a model directory, checking format version and checksums before anything else. */
export function loadModel(tf: Tf, dir: string): Classifier {
  if (!existsSync(dir)) throw new ModelError(`model ${dir} does not exist: train one with "bugcat train --data FILE --out ${dir}", or point --model at a model folder`);
  if (!statSync(dir).isDirectory()) throw new ModelError(`model ${dir} is a file: --model takes the folder that "bugcat train --out" wrote`);
  const read = (name: string): Buffer => {
    try {
      return readFileSync(join(dir, name));
    } catch {
      throw new ModelError(
        name === MANIFEST
          ? `${dir} is not a bugcat model (no ${MANIFEST}): point --model at a folder written by "bugcat train"`
          : `model ${dir} is incomplete: ${name} is missing; retrain it or restore the folder from a copy`,
      );
    }
  };
  const manifest = parseJson<Manifest>(read(MANIFEST), dir, MANIFEST);
  if (manifest.format !== FORMAT || typeof manifest.formatVersion !== 'number') {
    throw new ModelError(`${dir}/${MANIFEST} is not a bugcat model manifest: point --model at a folder written by "bugcat train"`);
  }
  if (!READABLE_VERSIONS.includes(manifest.formatVersion)) {
    const newer = manifest.formatVersion > FORMAT_VERSION;
    throw new ModelError(
      `model ${dir} has format version ${manifest.formatVersion}; this bugcat reads version${READABLE_VERSIONS.length > 1 ? 's' : ''} ${READABLE_VERSIONS.join(', ')}: ` +
        (newer ? 'upgrade bugcat to use it' : 'retrain it with this bugcat'),
    );
  }
  const data: Record<string, Buffer> = {};
  for (const [name, digest] of Object.entries(manifest.files ?? {})) {
    data[name] = read(name);
    if (sha256(data[name]) !== digest) {
      throw new ModelError(`model ${dir} is damaged: ${name} does not match its checksum (truncated or altered); retrain it or restore the folder from a copy`);
    }
  }
  for (const name of [MODEL, WEIGHTS, VOCABULARY]) if (!data[name]) throw new ModelError(`model ${dir} is damaged: its manifest lists no ${name}; retrain it`);

  const model = parseJson<{ modelTopology: { vocabSize: number; hidden: number; classes: number; members?: number }; weightsManifest: { weights: WeightSpec[] }[] }>(data[MODEL], dir, MODEL);
  const { terms } = parseJson<{ terms: string[] }>(data[VOCABULARY], dir, VOCABULARY);
  const buf = data[WEIGHTS];
  const named = tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer, model.weightsManifest[0].weights);
  const values = (name: string): Float32Array => {
    const t = named[name];
    if (!t) throw new ModelError(`model ${dir} is damaged: weight "${name}" is missing from ${MODEL}; retrain it`);
    return t.dataSync() as Float32Array;
  };
  try {
    const { vocabSize, hidden, classes, members = 1 } = model.modelTopology;
    const networks = Array.from({ length: members }, (_, m) => {
      const name = (n: string) => memberWeight(n, m);
      return new Network({ vocabSize, hidden, classes }, { embedding: values(name('embedding')), bias1: values(name('bias1')), dense: values(name('dense')), bias2: values(name('bias2')) });
    });
    // Models written before a hyperparameter existed were trained as its neutral value.
    const hp = { ...LEGACY, ...manifest.hyperparameters };
    const vectorizer = new Vectorizer(terms, values('idf'), featureConfig(hp));
    if (manifest.labels.length !== classes) throw new Error(`${manifest.labels.length} labels for ${classes} outputs`);
    return new Classifier(hp, manifest.labels, manifest.calibration, vectorizer, networks, manifest.training);
  } catch (err) {
    if (err instanceof ModelError) throw err;
    throw new ModelError(`model ${dir} is inconsistent (${(err as Error).message}); retrain it`);
  } finally {
    tf.dispose(Object.values(named));
  }
}

/** The name of ensemble member m's weight `n`: member 0's keep a single network's names, member m's are suffixed ".m". */
const memberWeight = (n: string, m: number) => (m === 0 ? n : `${n}.${m}`);

/** Values of hyperparameters added after format version 1, for the models that predate them. */
const LEGACY: Partial<Hyperparameters> = { members: 1, select: 'frequency' };

function parseJson<T>(data: Buffer, dir: string, name: string): T {
  try {
    return JSON.parse(data.toString('utf8')) as T;
  } catch {
    throw new ModelError(`model ${dir} is damaged: ${name} is not valid JSON; retrain it or restore the folder from a copy`);
  }
}

/**
 * Affine 8-bit quantization, as TensorFlow.js's weight quantization reads it: each value
 * becomes round((v - min) / scale), and is read back as q * scale + min.
 */
export function toUint8(values: Float32Array): { bytes: Uint8Array; scale: number; min: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(max > min)) return { bytes: new Uint8Array(values.length), scale: 1, min: Number.isFinite(min) ? min : 0 };
  const scale = (max - min) / 255;
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) bytes[i] = Math.round((values[i] - min) / scale);
  return { bytes, scale, min };
}

/** IEEE 754 half-precision bits of each value, rounded to nearest even (what tfjs's float16 dequantization reads). */
export function toFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  for (let i = 0; i < values.length; i++) {
    f[0] = values[i];
    const x = u[0];
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    let mant = x & 0x7fffff;
    if (exp === 0xff) {
      out[i] = sign | 0x7c00 | (mant ? 0x200 : 0);
      continue;
    }
    let e = exp - 127 + 15;
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00;
      continue;
    }
    if (e <= 0) {
      if (e < -10) {
        out[i] = sign;
        continue;
      }
      mant |= 0x800000;
      const shift = 14 - e;
      let half = mant >>> shift;
      const rest = mant & ((1 << shift) - 1);
      const mid = 1 << (shift - 1);
      if (rest > mid || (rest === mid && half & 1)) half++;
      out[i] = sign | half;
      continue;
    }
    let half = (e << 10) | (mant >>> 13);
    const rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
    out[i] = sign | half;
  }
  return out;
}
