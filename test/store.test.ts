import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../src/base/errors.js';
import { DEFAULTS, type Hyperparameters } from '../src/base/hyperparameters.js';
import { silentLog } from '../src/base/log.js';
import { fromArtifacts, toArtifacts } from '../src/io/artifacts.js';
import { toFloat16 } from '../src/io/codecs.js';
import { decodeTermTables, encodeTermTables } from '../src/io/lookup.js';
import { CHARS, FIELD_PREFIXES } from '../src/text/counter.js';
import { TermIndex } from '../src/text/termindex.js';
import { dropExcluded, readCsv } from '../src/io/reports.js';
import { readArtifacts, saveArtifacts } from '../src/io/store.js';
import { Classifier } from '../src/model/classifier.js';
import { trainClassifier } from '../src/model/train.js';
import { lazyRuntime, type Runtime } from '../src/nn/backend.js';
import { meanLogits } from '../src/nn/network.js';
import { REPORTS, tmp } from './helpers.js';

const training = lazyRuntime({}, true);
let tf: Runtime;
let clf: Classifier;
const reports = dropExcluded(readCsv(REPORTS, { text: 'text', label: 'label', id: 'id' }, true), ['manual-review'], silentLog);
const fit = (hp: Hyperparameters) => trainClassifier(training, reports.texts, reports.labels!, hp, { log: silentLog, threads: 1 });
const saveModel = (c: Classifier, dir: string, o: { createdBy: string; signal?: AbortSignal }) =>
  saveArtifacts(toArtifacts(c, o.createdBy), dir, { signal: o.signal });
const loadModel = async (dir: string) => fromArtifacts(await readArtifacts(dir), dir);
const aborted = () => {
  const a = new AbortController();
  a.abort();
  return a.signal;
};
const probe = ['guest hangs at boot', 'network packets dropped on tap', 'display flickers', 'no known word at all'];

beforeAll(async () => {
  tf = await training.load();
  clf = await fit({ ...DEFAULTS, epochs: 10, hidden: 8, batchSize: 4, weightDtype: 'float32', members: 1 });
});

describe('model store', () => {
  it('round-trips a float32 model exactly', async () => {
    const dir = join(tmp(), 'model');
    await saveModel(clf, dir, { createdBy: 'test' });
    const back = await loadModel(dir);
    expect(back.labels).toEqual(clf.labels);
    expect(back.hp).toEqual(clf.hp);
    expect(back.calibration).toEqual(clf.calibration);
    expect(back.training).toEqual(clf.training);
    expect(back.vectorizer.terms).toEqual(clf.vectorizer.terms);
    expect(Array.from(back.probabilities(probe))).toEqual(Array.from(clf.probabilities(probe)));
  });

  it('round-trips a float16 model to within half precision', async () => {
    const half = new Classifier(
      { ...clf.hp, weightDtype: 'float16' },
      clf.labels,
      clf.calibration,
      clf.vectorizer,
      clf.networks,
      clf.training,
    );
    const dir = join(tmp(), 'model');
    await saveModel(half, dir, { createdBy: 'test' });
    const a = clf.probabilities(probe);
    const b = (await loadModel(dir)).probabilities(probe);
    a.forEach((p, i) => expect(Math.abs(p - b[i])).toBeLessThan(2e-3));
  });

  it('round-trips a uint8 model to within half a quantization step', async () => {
    const byte = new Classifier(
      { ...clf.hp, weightDtype: 'uint8' },
      clf.labels,
      clf.calibration,
      clf.vectorizer,
      clf.networks,
      clf.training,
    );
    const dir = join(tmp(), 'model');
    await saveModel(byte, dir, { createdBy: 'test' });
    const spec = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).weightsManifest[0].weights.find(
      (w: { name: string }) => w.name === 'embedding',
    );
    expect(spec.quantization.dtype).toBe('uint8');
    const back = await loadModel(dir);
    const original = clf.networks[0].weights.embedding;
    back.networks[0].weights.embedding.forEach((v, i) =>
      expect(Math.abs(v - original[i])).toBeLessThanOrEqual(spec.quantization.scale / 2 + 1e-6),
    );
    expect(back.predict(probe).map((p) => p.label)).toEqual(clf.predict(probe).map((p) => p.label));
  });

  it.each(['float32', 'float16', 'uint8'] as const)(
    "reads %s weights value for value as TensorFlow.js's decodeWeights does (prediction no longer loads it)",
    async (dtype) => {
      const model = new Classifier(
        { ...clf.hp, weightDtype: dtype },
        clf.labels,
        clf.calibration,
        clf.vectorizer,
        clf.networks,
        clf.training,
      );
      const artifacts = toArtifacts(model, 'test');
      const specs = JSON.parse(new TextDecoder().decode(artifacts['model.json'])).weightsManifest[0].weights;
      const bytes = artifacts['weights.bin'];
      const named = tf.tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, specs);
      const back = fromArtifacts(artifacts, 'artifacts');
      const w = back.networks[0].weights;
      expect(Array.from(w.embedding)).toEqual(Array.from(named.embedding.dataSync()));
      expect(Array.from(w.dense)).toEqual(Array.from(named.dense.dataSync()));
      expect(Array.from(back.vectorizer.idf)).toEqual(Array.from(named.idf.dataSync()));
      tf.tf.dispose(Object.values(named));
    },
  );

  it('records what predict needs in bugcat.json', async () => {
    const dir = join(tmp(), 'model');
    await saveModel(clf, dir, { createdBy: 'test' });
    const manifest = JSON.parse(readFileSync(join(dir, 'bugcat.json'), 'utf8'));
    expect(manifest.format).toBe('bugcat-model');
    expect(manifest.formatVersion).toBe(2);
    expect(manifest.labels).toEqual(['boot', 'graphic', 'network']);
    expect(manifest.training.n).toBe(30);
    expect(manifest.training.labelCounts).toEqual({ boot: 10, graphic: 10, network: 10 });
    expect(Object.keys(manifest.files).sort()).toEqual(['fingerprints.bin', 'lookup.bin', 'model.json', 'vocabulary.json', 'weights.bin']);
    const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(model.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toEqual(['embedding', 'bias1', 'dense', 'bias2', 'idf']);
  });

  it('round-trips an ensemble: every member saved and loaded, their logits averaged', async () => {
    const hp = { ...DEFAULTS, epochs: 10, hidden: 8, batchSize: 4, weightDtype: 'float32' as const, members: 2 };
    const pair = await fit(hp);
    expect(pair.networks).toHaveLength(2);
    // The first member is the single network of the same seed; the second differs.
    expect(Array.from(pair.networks[0].weights.dense)).toEqual(Array.from(clf.networks[0].weights.dense));
    expect(Array.from(pair.networks[1].weights.dense)).not.toEqual(Array.from(clf.networks[0].weights.dense));
    const rows = pair.vectorizer.transformAll(probe);
    const [a, b] = pair.networks.map((n) => n.logits(rows));
    expect(Array.from(meanLogits(pair.networks, rows))).toEqual(Array.from(a, (v, i) => Math.fround((v + b[i]) / 2)));
    const dir = join(tmp(), 'model');
    await saveModel(pair, dir, { createdBy: 'test' });
    const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(model.modelTopology.members).toBe(2);
    expect(model.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toEqual([
      'embedding',
      'bias1',
      'dense',
      'bias2',
      'embedding.1',
      'bias1.1',
      'dense.1',
      'bias2.1',
      'idf',
    ]);
    const back = await loadModel(dir);
    expect(back.networks).toHaveLength(2);
    expect(Array.from(back.probabilities(probe))).toEqual(Array.from(pair.probabilities(probe)));
  });

  it("stores the vocabulary's lookup tables: loaded, a model reads them and parses its terms only when they are asked for", async () => {
    const dir = join(tmp(), 'model');
    await saveModel(clf, dir, { createdBy: 'test' });
    const artifacts = await readArtifacts(dir);
    const { tables, vocabulary } = decodeTermTables(artifacts['lookup.bin'])!;
    expect(vocabulary).toBe(createHash('sha256').update(artifacts['vocabulary.json']).digest('hex'));
    // The stored tables are the ones built from the terms, array for array.
    const built = TermIndex.fixed(clf.vectorizer.terms, CHARS, FIELD_PREFIXES).tables(FIELD_PREFIXES);
    expect(tables.terms).toBe(clf.vectorizer.terms.length);
    expect(tables.otherChars).toEqual(built.otherChars);
    for (const [a, b] of [
      [tables.chars.keys, built.chars.keys],
      [tables.chars.values, built.chars.values],
      [tables.words.slots, built.words.slots],
      [tables.words.pool, built.words.pool],
      ...tables.wordTerms.map((t, f) => [t, built.wordTerms[f]]),
    ])
      expect(Array.from(a)).toEqual(Array.from(b));
    const back = await loadModel(dir);
    expect(back.vectorizer['termList']).toBeUndefined();
    expect(Array.from(back.probabilities(probe))).toEqual(Array.from(clf.probabilities(probe)));
    expect(back.vectorizer['termList']).toBeUndefined(); // predicting read no term
    expect(back.vectorizer.terms).toEqual(clf.vectorizer.terms);
    // Saved again, the same files.
    const again = toArtifacts(back, 'test');
    for (const name of Object.keys(artifacts)) expect(Buffer.compare(again[name], artifacts[name]), name).toBe(0);
  });

  it('a model without lookup tables (saved before them), or with tables of another vocabulary, predicts the same from its terms', async () => {
    const dir = join(tmp(), 'model');
    await saveModel(clf, dir, { createdBy: 'test' });
    const manifest = JSON.parse(readFileSync(join(dir, 'bugcat.json'), 'utf8'));
    const { 'lookup.bin': _, ...files } = manifest.files;
    writeFileSync(join(dir, 'bugcat.json'), JSON.stringify({ ...manifest, files }));
    const older = await loadModel(dir);
    expect(older.vectorizer['tables']).toBeUndefined();
    expect(Array.from(older.probabilities(probe))).toEqual(Array.from(clf.probabilities(probe)));
    // Tables that say they were made from another vocabulary are not used.
    const artifacts = await readArtifacts(dir);
    const { tables } = decodeTermTables(toArtifacts(clf, 'test')['lookup.bin'])!;
    const other = encodeTermTables(tables, '0'.repeat(64));
    const withOther = { ...artifacts, 'lookup.bin': other };
    const sha = createHash('sha256').update(other).digest('hex');
    withOther['bugcat.json'] = new TextEncoder().encode(JSON.stringify({ ...manifest, files: { ...files, 'lookup.bin': sha } }));
    const mismatched = fromArtifacts(withOther, 'm');
    expect(mismatched.vectorizer['tables']).toBeUndefined();
    expect(Array.from(mismatched.probabilities(probe))).toEqual(Array.from(clf.probabilities(probe)));
    // Bytes that are no lookup file, with a checksum that matches: the model is damaged.
    const junk = new TextEncoder().encode('not a lookup file');
    withOther['lookup.bin'] = junk;
    withOther['bugcat.json'] = new TextEncoder().encode(
      JSON.stringify({ ...manifest, files: { ...files, 'lookup.bin': createHash('sha256').update(junk).digest('hex') } }),
    );
    expect(() => fromArtifacts(withOther, 'm')).toThrow(/model m is damaged: lookup\.bin is not a lookup file/);
  });

  it('reads a format version 1 model (one network, written before members and select existed)', async () => {
    const dir = join(tmp(), 'model');
    await saveModel(clf, dir, { createdBy: 'test' });
    const manifest = JSON.parse(readFileSync(join(dir, 'bugcat.json'), 'utf8'));
    const { members, select, ...older } = manifest.hyperparameters;
    expect([members, select]).toEqual([1, 'frequency']);
    const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    delete model.modelTopology.members;
    const modelJson = JSON.stringify(model);
    writeFileSync(join(dir, 'model.json'), modelJson);
    const files = { ...manifest.files, 'model.json': createHash('sha256').update(modelJson).digest('hex') };
    writeFileSync(join(dir, 'bugcat.json'), JSON.stringify({ ...manifest, formatVersion: 1, hyperparameters: older, files }));
    const back = await loadModel(dir);
    expect(back.hp.members).toBe(1);
    expect(back.hp.select).toBe('frequency');
    expect(Array.from(back.probabilities(probe))).toEqual(Array.from(clf.probabilities(probe)));
  });

  it('refuses a weights file whose checksum does not match', async () => {
    const dir = join(tmp(), 'model');
    await saveModel(clf, dir, { createdBy: 'test' });
    const w = readFileSync(join(dir, 'weights.bin'));
    w[10] ^= 0xff;
    writeFileSync(join(dir, 'weights.bin'), w);
    await expect(loadModel(dir)).rejects.toThrow(/weights\.bin does not match its checksum/);
  });
});

describe('saving is all or nothing', () => {
  it('abandons a save stopped after its writes: the previous model stays, no partial folder is left', async () => {
    const parent = tmp();
    const dir = join(parent, 'model');
    await saveModel(clf, dir, { createdBy: 'first' });
    const before = readFileSync(join(dir, 'bugcat.json'), 'utf8');
    await expect(saveModel(clf, dir, { createdBy: 'second', signal: aborted() })).rejects.toThrow(CancelledError);
    expect(readFileSync(join(dir, 'bugcat.json'), 'utf8')).toBe(before);
    expect(readdirSync(parent)).toEqual(['model']);
  });

  it('a stopped save into a new folder creates nothing', async () => {
    const parent = tmp();
    await expect(saveModel(clf, join(parent, 'model'), { createdBy: 'x', signal: aborted() })).rejects.toThrow(CancelledError);
    expect(readdirSync(parent)).toEqual([]);
  });
});

describe('toFloat16', () => {
  it('gives IEEE half-precision bits, rounded to nearest', () => {
    const bits = Array.from(toFloat16(Float32Array.from([1, -2, 0.5, 65504, 1e-8, 2 ** -14, Infinity, 0, 1 + 2 ** -11, 2 ** -24])));
    expect(bits).toEqual([0x3c00, 0xc000, 0x3800, 0x7bff, 0, 0x0400, 0x7c00, 0, 0x3c00, 0x0001]);
  });
});
