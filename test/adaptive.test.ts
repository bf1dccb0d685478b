/**
 * Defaults that follow the data (base/rules.ts), autotune (model/autotune.ts) and learning
 * from unlabelled reports (pretrain, --unlabelled, --pretrained), through the public API and
 * the built command line, on the 30 hand-written fixture reports.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULTS,
  load,
  loadVectors,
  pretrain,
  readReports,
  REFERENCE,
  resolveHyperparameters,
  ruleValues,
  RULED,
  saveVectors,
  train,
} from '../src/index.js';
import { Vectorizer } from '../src/text/vectorizer.js';
import { bugcat, REPORTS, tmp } from './helpers.js';

const reports = readReports(REPORTS, { labelColumn: 'label' });
const FAST = { hidden: 16, batchSize: 4 };
const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'bugcat.json'), 'utf8'));
const hash = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('defaults that follow the data', () => {
  it('give DEFAULTS at the reference size, and more passes over fewer reports', () => {
    const at = ruleValues(REFERENCE);
    for (const field of RULED) expect(at[field]).toBe(DEFAULTS[field]);
    expect(ruleValues({ n: 300, k: 17 }).epochs).toBeGreaterThan(DEFAULTS.epochs);
    expect(ruleValues({ n: 300, k: 17 }).epochs).toBeGreaterThanOrEqual(ruleValues({ n: 1000, k: 17 }).epochs!);
  });

  it('average four networks below 2,000 reports in more than two categories, two otherwise', () => {
    expect([300, 1000, 1999, 2000, 4251].map((n) => ruleValues({ n, k: 17 }).members)).toEqual([4, 4, 4, 2, 2]);
    expect([300, 1000, 1650].map((n) => ruleValues({ n, k: 2 }).members)).toEqual([2, 2, 2]);
    expect(ruleValues({ n: 300, k: 3 }).members).toBe(4);
  });

  it('weigh the title line at 0.4 of the report and of its character n-grams (measured across tasks and sizes)', () => {
    // Each field is L2-normalised, then the title field is scaled by titleWeight: its norm.
    const v = Vectorizer.fit(reports.texts, { ...DEFAULTS, minDf: 1, nbWeight: 0 });
    const x = v.transform(reports.texts[0]);
    const sq: Record<string, number> = { word: 0, title: 0, char: 0 };
    x.indices.forEach(
      (id, k) => (sq[v.terms[id].startsWith('t:') ? 'title' : v.terms[id].startsWith('c:') ? 'char' : 'word'] += x.values[k] ** 2),
    );
    expect(Math.sqrt(sq.title)).toBeCloseTo(0.4, 5);
    expect(Math.sqrt(sq.word)).toBeCloseTo(1, 5);
    expect(Math.sqrt(sq.char)).toBeCloseTo(1, 5);
  });

  it('resolve every ruled field the caller did not set, and leave the set ones alone', () => {
    const small = resolveHyperparameters({}, { n: 300, k: 2 });
    expect(small.hp).toEqual({ ...DEFAULTS, ...ruleValues({ n: 300, k: 2 }) });
    expect(small.byRule).toEqual(ruleValues({ n: 300, k: 2 }));
    const given = resolveHyperparameters({ epochs: 3 }, { n: 300, k: 2 });
    expect(given.hp.epochs).toBe(3);
    expect(given.byRule.epochs).toBeUndefined();
  });

  it('are what train uses and records, in the model and in its saved manifest', async () => {
    const rules = ruleValues({ n: 30, k: 3 });
    const model = await train(reports, { hyperparameters: FAST, threads: 1 });
    expect(model.hyperparameters).toEqual({ ...DEFAULTS, ...FAST, ...rules });
    expect(model.summary.defaults).toEqual({ n: 30, k: 3, byRule: rules });
    const dir = join(tmp(), 'm');
    await model.save(dir);
    expect(manifestOf(dir).training.defaults).toEqual({ n: 30, k: 3, byRule: rules });
    expect((await load(dir)).summary.defaults).toEqual({ n: 30, k: 3, byRule: rules });
  });

  it('never override an explicit value, from the library or the command line', async () => {
    const model = await train(reports, { hyperparameters: { ...FAST, epochs: 2 }, threads: 1 });
    expect(model.hyperparameters.epochs).toBe(2);
    const { epochs: _ruled, ...others } = ruleValues({ n: 30, k: 3 });
    expect(model.summary.defaults!.byRule).toEqual(others);
    const [ruled, given] = [join(tmp(), 'a'), join(tmp(), 'b')];
    expect((await bugcat(['train', '--data', REPORTS, '--out', ruled, '--hidden', '8', '--batch-size', '4', '--quiet'])).status).toBe(0);
    expect(
      (await bugcat(['train', '--data', REPORTS, '--out', given, '--hidden', '8', '--batch-size', '4', '--epochs', '2', '--quiet'])).status,
    ).toBe(0);
    expect(manifestOf(ruled).hyperparameters.epochs).toBe(ruleValues({ n: 30, k: 3 }).epochs);
    expect(manifestOf(ruled).training.defaults.byRule).toEqual(ruleValues({ n: 30, k: 3 }));
    expect(manifestOf(given).hyperparameters.epochs).toBe(2);
  });
});

describe('autotune', () => {
  const settings = { trials: 3, budgetSeconds: 10_000, seed: 4 };
  it('is seeded: the same data, seed and trials give the same trials, winner and model; the trace is saved', async () => {
    const options = { hyperparameters: { ...FAST, epochs: 3 }, threads: 1, autotune: settings };
    const [a, b] = [await train(reports, options), await train(reports, options)];
    const trace = a.summary.autotune!;
    expect(trace.trials).toHaveLength(3);
    expect(trace.stoppedBy).toBe('trials');
    expect(trace.trials[0].values).toEqual({});
    // Explicit values are never searched.
    for (const t of trace.trials) for (const k of ['hidden', 'batchSize', 'epochs', 'seed']) expect(t.values).not.toHaveProperty(k);
    const strip = (t: typeof trace) => ({ ...t, seconds: 0, trials: t.trials.map((x) => ({ ...x, seconds: 0 })) });
    expect(strip(b.summary.autotune!)).toEqual(strip(trace));
    expect(b.hyperparameters).toEqual(a.hyperparameters);
    expect(a.hyperparameters).toMatchObject(trace.chosen);
    const probe = ['guest hangs at boot', 'no network in the guest', 'the window flickers'];
    expect(b.predict(probe, { top: 3 })).toEqual(a.predict(probe, { top: 3 }));
    const dir = join(tmp(), 'm');
    await a.save(dir);
    expect(strip(manifestOf(dir).training.autotune)).toEqual(strip(trace));
  });

  it('prints its trace and winner on the command line, and the same search gives the same weights', async () => {
    const [x, y] = [join(tmp(), 'x'), join(tmp(), 'y')];
    const args = (out: string) => [
      'train',
      '--data',
      REPORTS,
      '--out',
      out,
      '--hidden',
      '8',
      '--batch-size',
      '4',
      '--epochs',
      '2',
      '--autotune',
      '--autotune-trials',
      '2',
      '--seed',
      '3',
    ];
    const r = await bugcat(args(x));
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/autotune trial 1: accuracy [\d.]+ ± [\d.]+ \(the starting configuration\)/);
    expect(r.stderr).toMatch(/autotune: 2 trials in \d+ s \(stopped by the number of trials\); best trial \d/);
    expect(manifestOf(x).training.autotune.trials).toHaveLength(2);
    expect((await bugcat([...args(y), '--quiet'])).status).toBe(0);
    expect(hash(join(y, 'weights.bin'))).toBe(hash(join(x, 'weights.bin')));
  });
});

describe('learning from unlabelled reports', () => {
  it('pretrain writes vectors that train --pretrained starts from; vectors of another dimension are refused', async () => {
    const dir = tmp();
    const unlabelled = join(dir, 'unlabelled.csv');
    writeFileSync(unlabelled, 'id,text\n' + reports.texts.map((t, i) => `u${i},"${t.replace(/"/g, '""')} (seen again)"`).join('\n') + '\n');
    const vectors = join(dir, 'vectors.bin');
    const p = await bugcat(['pretrain', '--data', unlabelled, '--out', vectors, '--hidden', '12']);
    expect(p.status).toBe(0);
    expect(p.stdout).toBe('');
    expect(p.stderr).toMatch(/pretrained 12-dimensional vectors of \d+ words on 30 reports/);
    const v = loadVectors(vectors);
    expect(v.dim).toBe(12);
    expect(v.docs).toBe(30);
    expect(v.vectors.length).toBe(v.terms.length * 12);

    const out = join(dir, 'm');
    const t = await bugcat([
      'train',
      '--data',
      REPORTS,
      '--out',
      out,
      '--pretrained',
      vectors,
      '--batch-size',
      '4',
      '--epochs',
      '3',
      '--quiet',
    ]);
    expect(t.status).toBe(0);
    const m = manifestOf(out);
    expect(m.hyperparameters.hidden).toBe(12);
    expect(m.training.pretrained).toMatchObject({ method: 'lsa', dim: 12, docs: 30, terms: v.terms.length });

    const wrong = await bugcat(['train', '--data', REPORTS, '--out', join(dir, 'w'), '--pretrained', vectors, '--hidden', '16', '--quiet']);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(
      /^bugcat: error: the pretrained vectors have 12 dimensions but --hidden is 16: the hidden layer's width must be the vectors' dimension; leave out --hidden/,
    );
    expect(existsSync(join(dir, 'w'))).toBe(false);
  });

  it('the pretrained rows start the input layer: the same vectors give the same model, other vectors another', async () => {
    const v = await pretrain(reports.texts, { hyperparameters: { hidden: 16 } });
    const file = join(tmp(), 'v.bin');
    saveVectors(v, file);
    expect(loadVectors(file)).toEqual(v);
    const options = { hyperparameters: { batchSize: 4, epochs: 1, learningRate: 1e-6, inputLearningRate: 1e-6 }, threads: 1 };
    const plain = await train(reports, options);
    const a = await train(reports, { ...options, pretrained: v });
    const b = await train(reports, { ...options, pretrained: loadVectors(file) });
    const shuffled = { ...v, vectors: v.vectors.map((x, i) => v.vectors[(i + 16) % v.vectors.length]) };
    const c = await train(reports, { ...options, pretrained: shuffled });
    const probe = ['guest hangs at boot with -kernel', 'virtio-net drops packets'];
    const p = (m: typeof a) => m.predict(probe, { top: 3 }).map((x) => x.top);
    expect(p(a)).toEqual(p(b));
    expect(p(a)).not.toEqual(p(plain));
    expect(p(a)).not.toEqual(p(c));
  });

  it('--unlabelled fits the vocabulary on all the text and records the pretraining', async () => {
    const dir = tmp();
    const unlabelled = join(dir, 'more.csv');
    writeFileSync(
      unlabelled,
      'id,text\nx1,"qemu hangs at boot after the bios screen zzyzx"\nx2,"the vnc display is garbled zzyzx"\nx3,"zzyzx network packets dropped"\n',
    );
    const out = join(dir, 'm');
    const r = await bugcat([
      'train',
      '--data',
      REPORTS,
      '--out',
      out,
      '--unlabelled',
      unlabelled,
      '--hidden',
      '8',
      '--batch-size',
      '4',
      '--epochs',
      '2',
    ]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/unlabelled: 3 reports/);
    const m = manifestOf(out);
    expect(m.training.pretrained).toMatchObject({ method: 'lsa', dim: 8, docs: 3 });
    // A term of the unlabelled reports alone (in 3 of them) is in the vocabulary.
    expect(JSON.parse(readFileSync(join(out, 'vocabulary.json'), 'utf8')).terms).toContain('zzyzx');
  });
});
