import { createHash } from 'node:crypto';
import { ModelError } from '../base/errors.js';
import { RETIRED, validateHyperparameters, type Hyperparameters } from '../base/hyperparameters.js';
import type { KernelChoice } from '../nn/choices.js';
import type { QuantizedWeights, SharedWeights } from '../nn/kernels.js';
import { Network } from '../nn/network.js';
import type { Calibration } from '../model/calibration.js';
import { Classifier } from '../model/classifier.js';
import type { TrainingSummary } from '../model/record.js';
import type { MultiLabelRecord } from '../model/multilabel.js';
import { featureConfig } from '../text/features.js';
import type { TermTables } from '../text/termindex.js';
import { Vectorizer } from '../text/vectorizer.js';
import { lazyIndex, type IndexSource } from '../model/similar.js';
import { fromFloat16, fromUint8, toFloat16, toUint8 } from './codecs.js';
import { decodeTermTables, encodeTermTables } from './lookup.js';
import { decodeIndex, encodeIndex } from './similar-index.js';
import {
  FINGERPRINTS,
  FORMAT,
  LOOKUP,
  FORMAT_VERSION,
  MANIFEST,
  MODEL,
  READABLE_VERSIONS,
  SIMILAR,
  VOCABULARY,
  WEIGHTS,
  type ModelArtifacts,
} from './format.js';

export interface Manifest {
  format: typeof FORMAT;
  formatVersion: number;
  createdBy: string;
  labels: string[];
  calibration: Calibration;
  hyperparameters: Hyperparameters;
  training: TrainingSummary;
  files: Record<string, string>;
  /** A multi-label model's per-label calibration, thresholds and labels needing more data (absent from single-label models). */
  multiLabel?: MultiLabelRecord;
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
  quantization?: { dtype: 'float16' } | { dtype: 'uint8'; scale: number; min: number };
}

/**
 * The SHA-256 (hex) of a file's bytes. The model reader (store.ts) hashes each file as its chunks
 * arrive, while the next chunk is read, and records the digest of the bytes it returns here
 * (knownDigest), so that the check at load does not read them again: a load's reading and hashing
 * then overlap, the reading in libuv's threads.
 */
const sha256 = (data: Uint8Array) => digests.get(data) ?? createHash('sha256').update(data).digest('hex');
const digests = new WeakMap<Uint8Array, string>();

/** Records that `bytes` (which the caller made and will not change) hash to `digest`. */
export function knownDigest(bytes: Uint8Array, digest: string): void {
  digests.set(bytes, digest);
}
const utf8 = (s: string) => new TextEncoder().encode(s);

/** The files of a model, in memory: what a save writes and a load reads. */
export function toArtifacts(clf: Classifier, createdBy: string): ModelArtifacts {
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
  const weights = new Uint8Array(Buffer.concat(parts));
  const model = JSON.stringify({
    format: 'bugcat-sparse-mlp',
    generatedBy: createdBy,
    modelTopology: {
      input: 'tfidf-sparse',
      vocabSize,
      hidden,
      activation: 'relu',
      classes,
      output: clf.multiLabel ? 'sigmoid' : 'softmax',
      members,
    },
    weightsManifest: [{ paths: [WEIGHTS], weights: specs }],
  });
  const vocabulary = utf8(JSON.stringify({ terms: clf.vectorizer.terms }));
  const files: Record<string, Uint8Array> = { [MODEL]: utf8(model), [WEIGHTS]: weights, [VOCABULARY]: vocabulary };
  files[LOOKUP] = encodeTermTables(clf.vectorizer.termTables(), sha256(vocabulary));
  if (clf.fingerprints) files[FINGERPRINTS] = encodeFingerprints(clf.fingerprints);
  if (clf.index) files[SIMILAR] = clf.index.bytes ?? encodeIndex(clf.index.index());
  const manifest: Manifest = {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    createdBy,
    labels: [...clf.labels],
    calibration: clf.calibration,
    hyperparameters: clf.hp,
    training: clf.training,
    files: Object.fromEntries(Object.entries(files).map(([name, data]) => [name, sha256(data)])),
    ...(clf.multiLabel ? { multiLabel: clf.multiLabel } : {}),
  };
  return { [MANIFEST]: utf8(JSON.stringify(manifest, null, 2) + '\n'), ...files };
}

/** The manifest of a model's artifacts, its format and version checked. `source` names the model in messages (its folder, say). */
export function readManifest(artifacts: ModelArtifacts, source: string): Manifest {
  const bytes = artifacts[MANIFEST];
  if (!bytes)
    throw new ModelError(`${source} is not a bugcat model (no ${MANIFEST})`, {
      code: 'NOT_A_MODEL',
      advice: 'give a model that bugcat saved',
    });
  const manifest = parseJson<Manifest>(bytes, source, MANIFEST);
  if (manifest === null || typeof manifest !== 'object' || manifest.format !== FORMAT || typeof manifest.formatVersion !== 'number') {
    throw new ModelError(`${source}/${MANIFEST} is not a bugcat model manifest`, {
      code: 'NOT_A_MODEL',
      advice: 'give a model that bugcat saved',
    });
  }
  if (!READABLE_VERSIONS.includes(manifest.formatVersion)) {
    const newer = manifest.formatVersion > FORMAT_VERSION;
    throw new ModelError(
      `model ${source} has format version ${manifest.formatVersion}; this bugcat reads version${READABLE_VERSIONS.length > 1 ? 's' : ''} ${READABLE_VERSIONS.join(', ')}: ` +
        (newer ? 'upgrade bugcat to use it' : 'retrain it with this bugcat'),
      { code: 'MODEL_VERSION' },
    );
  }
  return manifest;
}

/** The file names a manifest lists, beside the manifest itself. */
export const listedFiles = (manifest: Manifest): string[] => Object.keys(manifest.files ?? {});

/**
 * A classifier from its artifacts, checking format version and every file's checksum before
 * anything else, and the hyperparameters against their ranges. `source` names the model in
 * messages (its folder, or "artifacts"). With `shared` (one per network, from the same model
 * loaded in another thread), the networks read their input weights there instead of decoding them.
 */
export function fromArtifacts(
  artifacts: ModelArtifacts,
  source: string,
  kernels: KernelChoice = 'wasm',
  shared?: readonly SharedWeights[],
): Classifier {
  const manifest = readManifest(artifacts, source);
  const damaged = (what: string) =>
    new ModelError(`model ${source} is damaged: ${what}`, { code: 'MODEL_DAMAGED', advice: 'retrain it or restore it from a copy' });
  const data: Record<string, Uint8Array> = {};
  for (const [name, digest] of Object.entries(manifest.files ?? {})) {
    const bytes = artifacts[name];
    if (!bytes)
      throw new ModelError(`model ${source} is incomplete: ${name} is missing`, {
        code: 'MODEL_INCOMPLETE',
        advice: 'retrain it or restore it from a copy',
      });
    if (sha256(bytes) !== digest) throw damaged(`${name} does not match its checksum (truncated or altered)`);
    data[name] = bytes;
  }
  for (const name of [MODEL, WEIGHTS, VOCABULARY]) if (!data[name]) throw damaged(`its manifest lists no ${name}`);

  const model = parseJson<{
    modelTopology: { vocabSize: number; hidden: number; classes: number; members?: number };
    weightsManifest: { weights: WeightSpec[] }[];
  }>(data[MODEL], source, MODEL);
  // The terms are parsed when first needed if the model stores its lookup tables (made from this
  // very vocabulary): predicting with single words never needs them; else now, to build the tables.
  const readTerms = () => parseJson<{ terms: string[] }>(data[VOCABULARY], source, VOCABULARY).terms;
  let tables: TermTables | undefined;
  if (data[LOOKUP]) {
    let lookup: ReturnType<typeof decodeTermTables>;
    try {
      lookup = decodeTermTables(data[LOOKUP]);
    } catch (err) {
      throw damaged(`${LOOKUP} is not a lookup file (${(err as Error).message})`);
    }
    if (lookup && lookup.vocabulary === manifest.files[VOCABULARY]) tables = lookup.tables;
  }
  const terms = tables ? readTerms : readTerms();
  // Models written before a hyperparameter existed were trained as its neutral value; those
  // written with one bugcat has since retired list it, and it is dropped.
  let hp: Hyperparameters;
  try {
    const saved: Record<string, unknown> = { ...manifest.hyperparameters };
    for (const key of RETIRED) delete saved[key];
    hp = validateHyperparameters({ ...LEGACY, ...saved });
  } catch (err) {
    throw new ModelError(`model ${source} has invalid hyperparameters (${(err as Error).message})`, {
      code: 'MODEL_INCONSISTENT',
      advice: 'retrain it',
    });
  }
  const buf = data[WEIGHTS];
  let named: Map<string, Float32Array | QuantizedWeights>;
  const input = (name: string) => name.startsWith('embedding');
  try {
    named = decodeWeights(buf, model.weightsManifest[0].weights, shared ? input : () => false, kernels === 'wasm' ? input : () => false);
  } catch (err) {
    throw damaged((err as Error).message);
  }
  const weight = (name: string): Float32Array | QuantizedWeights => {
    const t = named.get(name);
    if (!t) throw damaged(`weight "${name}" is missing from ${MODEL}`);
    return t;
  };
  const values = (name: string): Float32Array => {
    const t = weight(name);
    if (!(t instanceof Float32Array)) throw damaged(`weight "${name}" is 8-bit quantized, which bugcat writes only for input weights`);
    return t;
  };
  try {
    const { vocabSize, hidden, classes, members = 1 } = model.modelTopology;
    const networks = Array.from({ length: members }, (_, m) => {
      const name = (n: string) => memberWeight(n, m);
      if (shared && shared.length !== members) throw new Error(`${shared.length} shared input layers for ${members} networks`);
      return new Network(
        { vocabSize, hidden, classes },
        {
          embedding: shared ? new Float32Array(0) : weight(name('embedding')),
          bias1: values(name('bias1')),
          dense: values(name('dense')),
          bias2: values(name('bias2')),
        },
        kernels,
        shared?.[m],
      );
    });
    const vectorizer = new Vectorizer(terms, values('idf'), featureConfig(hp), tables);
    if (manifest.labels.length !== classes) throw new Error(`${manifest.labels.length} labels for ${classes} outputs`);
    const fp = data[FINGERPRINTS] ? decodeFingerprints(data[FINGERPRINTS]) : undefined;
    const index = data[SIMILAR] ? indexOf(data[SIMILAR], source, vocabSize) : undefined;
    const multi = manifest.multiLabel;
    if (multi && (!Array.isArray(multi.calibration) || multi.calibration.length !== classes || typeof multi.points !== 'object'))
      throw new Error(`its multi-label record does not fit its ${classes} labels`);
    return new Classifier(hp, manifest.labels, manifest.calibration, vectorizer, networks, manifest.training, fp, index, multi);
  } catch (err) {
    if (err instanceof ModelError) throw err;
    throw new ModelError(`model ${source} is inconsistent (${(err as Error).message})`, {
      code: 'MODEL_INCONSISTENT',
      advice: 'retrain it',
    });
  }
}

/**
 * The float32 values of each weight of a weights file, by name: TensorFlow.js's weights format
 * (the weights one after the other, in the order of their specs; float32, or float16 or 8-bit
 * affine quantized), read as its decodeWeights reads it, value for value. Weights `skip` names
 * are left out; 8-bit ones `lazy` names are given as they are stored (a view of `buf`), for the
 * input layer to decode a row at a time as it is used (kernels.ts's QuantizedWeights).
 */
function decodeWeights(
  buf: Uint8Array,
  specs: readonly WeightSpec[],
  skip: (name: string) => boolean,
  lazy: (name: string) => boolean,
): Map<string, Float32Array | QuantizedWeights> {
  const out = new Map<string, Float32Array | QuantizedWeights>();
  let at = 0;
  for (const spec of specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const q = spec.quantization;
    const width = q?.dtype === 'uint8' ? 1 : q?.dtype === 'float16' ? 2 : 4;
    if (spec.dtype !== 'float32' || (q && q.dtype !== 'uint8' && q.dtype !== 'float16'))
      throw new Error(`weight "${spec.name}" is of a type bugcat does not write (${q?.dtype ?? spec.dtype})`);
    if (at + size * width > buf.length) throw new Error(`${WEIGHTS} is shorter than ${MODEL} says`);
    // A copy of the weight's bytes (a Buffer's slice would be a view): aligned for its typed
    // array, and not keeping the whole file alive.
    if (skip(spec.name)) {
      at += size * width;
      continue;
    }
    if (q?.dtype === 'uint8' && lazy(spec.name)) {
      out.set(spec.name, { bytes: buf.subarray(at, at + size), scale: q.scale, min: q.min });
      at += size;
      continue;
    }
    const bytes = new Uint8Array(size * width);
    bytes.set(buf.subarray(at, at + size * width));
    at += size * width;
    if (q?.dtype === 'uint8') out.set(spec.name, fromUint8(bytes, q.scale, q.min));
    else if (q?.dtype === 'float16') out.set(spec.name, fromFloat16(new Uint16Array(bytes.buffer, 0, size)));
    else out.set(spec.name, new Float32Array(bytes.buffer, 0, size));
  }
  return out;
}

/** The name of ensemble member m's weight `n`: member 0's keep a single network's names, member m's are suffixed ".m". */
const memberWeight = (n: string, m: number) => (m === 0 ? n : `${n}.${m}`);

/** Values of hyperparameters added after format version 1, for the models that predate them. */
const LEGACY: Partial<Hyperparameters> = { members: 1, select: 'frequency' };

function parseJson<T>(data: Uint8Array, source: string, name: string): T {
  try {
    return JSON.parse(new TextDecoder().decode(data)) as T;
  } catch {
    throw new ModelError(`model ${source} is damaged: ${name} is not valid JSON`, {
      code: 'MODEL_DAMAGED',
      advice: 'retrain it or restore it from a copy',
    });
  }
}

/**
 * A saved model's similarity index, decoded on first use (its checksum is checked with the
 * other files' at load): a model loads as fast with an index as without, until it is searched.
 */
function indexOf(bytes: Uint8Array, source: string, vocabSize: number): IndexSource {
  return lazyIndex(() => {
    try {
      const index = decodeIndex(bytes);
      if (index.vocabSize !== vocabSize) throw new Error(`it indexes a vocabulary of ${index.vocabSize} terms, the model has ${vocabSize}`);
      return index;
    } catch (err) {
      throw new ModelError(`model ${source} is inconsistent: its ${SIMILAR} does not fit (${(err as Error).message})`, {
        code: 'MODEL_INCONSISTENT',
        advice: 'retrain it with keepIndex (train --keep-index)',
      });
    }
  }, bytes);
}

/** Fingerprints as bytes: 8 a fingerprint, little-endian. */
function encodeFingerprints(fp: BigUint64Array): Uint8Array {
  const bytes = new Uint8Array(fp.length * 8);
  const view = new DataView(bytes.buffer);
  fp.forEach((f, i) => view.setBigUint64(i * 8, f, true));
  return bytes;
}

function decodeFingerprints(bytes: Uint8Array): BigUint64Array {
  if (bytes.length % 8 !== 0) throw new Error(`${FINGERPRINTS} holds ${bytes.length} bytes, not a multiple of 8`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return BigUint64Array.from({ length: bytes.length / 8 }, (_, i) => view.getBigUint64(i * 8, true));
}
