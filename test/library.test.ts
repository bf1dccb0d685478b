/**
 * The public API (src/index.ts) as a program that imports bugcat uses it: train, predict,
 * save, load, artifacts in memory, hyperparameter validation, cancellation, and errors that
 * speak of the library's objects rather than of command-line flags.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BugcatError,
  CancelledError,
  crossValidate,
  DataError,
  DEFAULTS,
  evaluate,
  fromArtifacts,
  HyperparameterError,
  load,
  ModelError,
  readReports,
  ruleValues,
  train,
  validateHyperparameters,
  type Model,
} from '../src/index.js';
import { REPORTS, tmp } from './helpers.js';

const FAST = { epochs: 10, hidden: 16, batchSize: 4 };
const probe = ['guest hangs at boot with -kernel', 'virtio-net drops packets', 'display flickers on the sdl window', ''];
const reports = readReports(REPORTS, { labelColumn: 'label' });

/** The 30 fixture reports repeated with numbered copies: 120 reports, enough to calibrate on. */
function repeated(times: number) {
  return Array.from({ length: times }, (_, k) =>
    reports.texts.map((text, i) => ({ id: `${reports.ids[i]}-${k}`, text: `${text}\ncopy ${k}`, label: reports.labels![i] })),
  ).flat();
}

let model: Model;
beforeAll(async () => {
  model = await train(reports, { hyperparameters: FAST });
});

describe('train and predict', () => {
  it('learns the labels the data holds and answers one prediction per text, in order', () => {
    expect(model.labels).toEqual(['boot', 'graphic', 'network']);
    expect(model.summary).toMatchObject({ n: 30, labelCounts: { boot: 10, graphic: 10, network: 10 }, formatVersion: 2 });
    expect(model.summary.coverage!.p05).toBeGreaterThan(0);
    expect(model.summary.coverage!.median).toBeGreaterThanOrEqual(model.summary.coverage!.p05);
    expect(model.summary.createdBy).toMatch(/^bugcat \d+\.\d+\.\d+/);
    // The defaults, the rules' values for 30 reports in 3 categories, and what was given.
    expect(model.hyperparameters).toEqual({ ...DEFAULTS, ...ruleValues({ n: 30, k: 3 }), ...FAST });
    const preds = model.predict(probe, { top: 2 });
    expect(preds.map((p) => p.label).slice(0, 3)).toEqual(['boot', 'network', 'graphic']);
    for (const p of preds.slice(0, 3)) {
      expect(p.top).toHaveLength(2);
      expect(p.top[0]).toEqual({ label: p.label, probability: p.confidence });
    }
    // The empty report: no confident answer.
    expect(preds[3]).toEqual({ label: 'manual-review', confidence: 0, top: [], coverage: 0 });
  });

  it('takes reports as objects too, with the same result as parallel lists', async () => {
    const objects = reports.texts.map((text, i) => ({ id: reports.ids[i], text, label: reports.labels![i] }));
    const again = await train(objects, { hyperparameters: FAST, threads: 1 });
    expect(again.predict(probe)).toEqual(model.predict(probe));
  });

  it('answers the review label below minConfidence', () => {
    const preds = model.predict(probe, { minConfidence: 1, reviewLabel: 'triage' });
    expect(preds.every((p) => p.label === 'triage')).toBe(true);
  });

  it('reports progress through the callback only', async () => {
    const lines: string[] = [];
    await train(reports, { hyperparameters: { ...FAST, epochs: 2 }, onProgress: (m) => lines.push(m) });
    expect(lines.some((l) => /^tokenized 30 reports/.test(l))).toBe(true);
    expect(lines.some((l) => /epoch 2\/2/.test(l))).toBe(true);
  });

  it('gives the same answers with the JavaScript kernels as with WebAssembly', async () => {
    const js = await fromArtifacts(model.toArtifacts(), { kernels: 'js' });
    const wasm = await fromArtifacts(model.toArtifacts(), { kernels: 'wasm' });
    const a = js.predict(probe);
    const b = wasm.predict(probe);
    expect(a.map((p) => p.label)).toEqual(b.map((p) => p.label));
    a.forEach((p, i) => expect(Math.abs(p.confidence - b[i].confidence)).toBeLessThan(1e-4));
  });
});

describe('save, load and artifacts', () => {
  it('a saved model loads with the same predictions and summary', async () => {
    const dir = join(tmp(), 'model');
    await model.save(dir);
    const back = await load(dir);
    expect(back.labels).toEqual(model.labels);
    expect(back.summary).toEqual(model.summary);
    expect(back.predict(probe).map((p) => p.label)).toEqual(model.predict(probe).map((p) => p.label));
  });

  it('artifacts are the saved files, byte for byte, and load from memory', async () => {
    const dir = join(tmp(), 'model');
    await model.save(dir);
    const artifacts = model.toArtifacts();
    expect(Object.keys(artifacts).sort()).toEqual([
      'bugcat.json',
      'fingerprints.bin',
      'lookup.bin',
      'model.json',
      'vocabulary.json',
      'weights.bin',
    ]);
    for (const [name, bytes] of Object.entries(artifacts)) expect(Buffer.compare(readFileSync(join(dir, name)), bytes)).toBe(0);
    const fromDisk = await load(dir);
    const fromMemory = await fromArtifacts(
      Object.fromEntries(Object.keys(artifacts).map((n) => [n, new Uint8Array(readFileSync(join(dir, n)))])),
    );
    expect(fromMemory.predict(probe)).toEqual(fromDisk.predict(probe));
  });

  it('artifacts get the same checks as a folder: checksum, missing file, format version', async () => {
    const artifacts = model.toArtifacts();
    const flipped = Uint8Array.from(artifacts['weights.bin']);
    flipped[5] ^= 0xff;
    await expect(fromArtifacts({ ...artifacts, 'weights.bin': flipped })).rejects.toThrow(/weights\.bin does not match its checksum/);
    const { 'vocabulary.json': _, ...missing } = artifacts;
    await expect(fromArtifacts(missing)).rejects.toThrow(/incomplete: vocabulary\.json is missing/);
    const manifest = JSON.parse(new TextDecoder().decode(artifacts['bugcat.json']));
    const newer = new TextEncoder().encode(JSON.stringify({ ...manifest, formatVersion: 9 }));
    await expect(fromArtifacts({ ...artifacts, 'bugcat.json': newer })).rejects.toThrow(ModelError);
    await expect(fromArtifacts({ ...artifacts, 'bugcat.json': newer })).rejects.toThrow(/format version 9.*upgrade bugcat/);
  });

  it('a model whose saved hyperparameters are out of range is refused, naming the field', async () => {
    const artifacts = model.toArtifacts();
    const manifest = JSON.parse(new TextDecoder().decode(artifacts['bugcat.json']));
    // The manifest's own checksum is not recorded: editing it is what a damaged or hand-made model looks like.
    const bad = new TextEncoder().encode(JSON.stringify({ ...manifest, hyperparameters: { ...manifest.hyperparameters, hidden: -3 } }));
    await expect(fromArtifacts({ ...artifacts, 'bugcat.json': bad })).rejects.toThrow(
      /invalid hyperparameters .*hidden is -3: expected an integer from 1 to 4096/,
    );
  });

  it('refuses to save over a folder of other files unless forced, and says so without flags', async () => {
    const dir = tmp();
    const { writeFileSync, readdirSync } = await import('node:fs');
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const err = await model.save(dir).catch((e) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect(err.code).toBe('SAVE_TO_FOREIGN_FOLDER');
    expect(err.message).toMatch(
      /already holds files that are not a bugcat model \(notes\.txt\); choose another folder, or save with force/,
    );
    expect(err.message).not.toMatch(/--/);
    await model.save(dir, { force: true });
    expect(readdirSync(dir).sort()).toEqual([
      'bugcat.json',
      'fingerprints.bin',
      'lookup.bin',
      'model.json',
      'notes.txt',
      'vocabulary.json',
      'weights.bin',
    ]);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
  });
});

describe('hyperparameters are validated in the library', () => {
  it('one calibration fold is refused at once, naming the field (it used to spin forever)', async () => {
    const err = await train(repeated(4), { hyperparameters: { calibrationFolds: 1 } }).catch((e) => e);
    expect(err).toBeInstanceOf(HyperparameterError);
    expect(err.field).toBe('calibrationFolds');
    expect(err.message).toBe('hyperparameter calibrationFolds is 1: expected 0 (no calibration) or 2 to 20 folds');
  });

  it.each([
    [{ hidden: 0 }, 'hidden', /hidden is 0: expected an integer from 1 to 4096/],
    [{ epochs: 2.5 }, 'epochs', /epochs is 2\.5: expected an integer from 1 to 1000/],
    [{ dropout: '0.5' }, 'dropout', /dropout is "0\.5": expected a number from 0 to 0\.95/],
    [{ stem: 'yes' }, 'stem', /stem is "yes": expected true or false/],
    [{ select: 'best' }, 'select', /select is "best": expected one of frequency, chi2/],
    [{ maxDf: Number.NaN }, 'maxDf', /maxDf is null: expected a number from 0 to 1/],
    [{ hiden: 64 }, 'hiden', /unknown hyperparameter "hiden"; the known ones are seed, maxChars/],
  ])('%j is refused', (overrides, field, message) => {
    let err: unknown;
    try {
      validateHyperparameters(overrides as Record<string, unknown>);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HyperparameterError);
    expect((err as HyperparameterError).field).toBe(field);
    expect((err as Error).message).toMatch(message);
    expect((err as BugcatError).exitCode).toBe(2);
  });

  it('the defaults pass, and overrides are merged over them', () => {
    expect(validateHyperparameters()).toEqual(DEFAULTS);
    expect(validateHyperparameters({ hidden: 32 }).hidden).toBe(32);
  });
});

describe('bad calls get clear errors', () => {
  it('reports without labels, or with an empty one, cannot train', async () => {
    await expect(
      train([
        { text: 'a', label: 'x' },
        { text: 'b', label: '' },
      ]),
    ).rejects.toThrow(/report 2 has no label/);
    await expect(train(readReports(REPORTS))).rejects.toThrow(DataError);
    await expect(train('reports.csv' as never)).rejects.toThrow(/train takes reports as readReports gives them/);
  });

  it('one category is not enough', async () => {
    await expect(
      train([
        { text: 'a', label: 'x' },
        { text: 'b', label: 'x' },
      ]),
    ).rejects.toThrow(/one category only \(x\)/);
  });

  it('a missing model folder is named, with advice in library terms', async () => {
    const err = await load('/no/such/model').catch((e) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect(err.code).toBe('MODEL_NOT_FOUND');
    expect(err.message).toMatch(/^model \/no\/such\/model does not exist; /);
    expect(err.message).not.toMatch(/--|bugcat train/);
  });

  it('a CSV without the asked column names the column, not a flag', () => {
    let err: unknown;
    try {
      readReports(REPORTS, { textColumn: 'body' });
    } catch (e) {
      err = e;
    }
    expect((err as Error).message).toMatch(/has no "body" column \(columns found: id, source, text, label\)$/);
  });
});

describe('cancellation', () => {
  it('an AbortSignal stops training with a CancelledError', async () => {
    const abort = new AbortController();
    const started = train(repeated(4), {
      hyperparameters: { ...FAST, epochs: 50 },
      signal: abort.signal,
      onProgress: (m) => {
        if (/epoch 2\//.test(m)) abort.abort();
      },
    });
    await expect(started).rejects.toThrow(CancelledError);
  });
});

describe('evaluate and crossValidate', () => {
  it('evaluate scores a model on labelled reports', () => {
    const e = evaluate(model, reports);
    expect(e.n).toBe(30);
    expect(e.accuracy).toBeGreaterThan(0.8);
    expect(e.confusion.labels).toEqual(['boot', 'graphic', 'network']);
  });

  it('crossValidate gives every report an out-of-fold prediction and per-fold figures', async () => {
    const cv = await crossValidate(reports, { folds: 3, hyperparameters: FAST });
    expect(cv.folds.map((f) => f.fold)).toEqual(['1', '2', '3']);
    expect(cv.folds.reduce((n, f) => n + f.n, 0)).toBe(30);
    expect(cv.predictions.map((p) => p.id)).toEqual(reports.ids);
    expect(cv.mean.accuracy).toBeGreaterThan(0.5);
  });
});
