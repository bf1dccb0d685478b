/**
 * Input weight decay (hyperparameters.ts: inputDecay; nn/trainer.ts): L2 regularisation of the
 * input layer, kept as one scale of the whole matrix while training. Checked on a synthetic
 * two-class task through trainNetwork, and through train on the fixture reports.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, load, readReports, ruleValues, train } from '../src/index.js';
import { Rng } from '../src/base/rng.js';
import { Targets } from '../src/base/targets.js';
import { runtime } from '../src/nn/backend.js';
import { ScaledDecay } from '../src/nn/decay.js';
import { sparseLayer } from '../src/nn/kernels.js';
import { listSource, type SparseVector } from '../src/nn/sparse.js';
import { trainNetwork, type TrainConfig } from '../src/nn/trainer.js';
import { REPORTS, ROOT } from './helpers.js';

/** 200 reports over terms 0..39: class 0 uses terms 0..19, class 1 terms 20..39. Term 40 is never used. */
function task() {
  const rng = new Rng(5);
  const x: SparseVector[] = [];
  const y = new Int32Array(200);
  for (let i = 0; i < 200; i++) {
    y[i] = i % 2;
    const terms = [...new Set(Array.from({ length: 6 }, () => y[i] * 20 + Math.floor(rng.next() * 20)))].sort((a, b) => a - b);
    x.push({ indices: Int32Array.from(terms), values: Float32Array.from(terms, () => 1 / Math.sqrt(terms.length)) });
  }
  const targets = new Targets({ kind: 'single-label', labels: ['a', 'b'], y, summary: { method: 'single', annotators: ['label'] } });
  return { x: listSource(x), vectors: x, y, targets, sampleWeight: new Float32Array(200).fill(1) };
}
const SHAPE = { vocabSize: 41, hidden: 8, classes: 2 };
const CFG: TrainConfig = {
  seed: 3,
  hidden: 8,
  dropout: 0,
  epochs: 4,
  batchSize: 20,
  learningRate: 0.01,
  inputLearningRate: 2,
  inputDecay: 0,
  labelSmoothing: 0,
};
const rms = (a: Float32Array, from: number, to: number) => Math.sqrt(a.subarray(from, to).reduce((s, v) => s + v * v, 0) / (to - from));

describe('input weight decay', () => {
  it.each(['wasm', 'js'] as const)(
    'kept as one scale (%s kernels), gives the sums and weights of decaying every weight at every step',
    (kernels) => {
      const rng = new Rng(9);
      const [vocab, hidden] = [50, 8];
      const init = Float32Array.from({ length: vocab * hidden }, () => rng.next() - 0.5);
      const [explicit, scaled] = [sparseLayer(init, hidden, kernels), sparseLayer(init, hidden, kernels)];
      const perRate = 0.09;
      const decay = new ScaledDecay(scaled, perRate);
      const worst = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
      for (let step = 0; step < 120; step++) {
        // Rates from 2 down: factors from 0.82 up, so the scale falls under 1e-3 and is multiplied out on the way.
        const rate = 2 * (1 - step / 120);
        const rows: SparseVector[] = Array.from({ length: 4 }, () => {
          const terms = [...new Set(Array.from({ length: 5 }, () => Math.floor(rng.next() * vocab)))].sort((a, b) => a - b);
          return { indices: Int32Array.from(terms), values: Float32Array.from(terms, () => rng.next()) };
        });
        const want = explicit.bag(rows);
        const got = decay.pre(scaled.bag(rows));
        expect(worst(got, want)).toBeLessThan(1e-4 * Math.max(1, ...want.map(Math.abs)));
        const dHidden = Float32Array.from(want, () => rng.next() - 0.5);
        explicit.sgd(rows, dHidden, rate);
        const f = 1 - rate * perRate;
        for (let i = 0; i < explicit.weights.length; i++) explicit.weights[i] *= f;
        decay.sgd(rows, dHidden, rate);
      }
      decay.settle();
      const size = Math.max(...explicit.weights.map(Math.abs));
      expect(size).toBeGreaterThan(0.01);
      expect(worst(scaled.weights, explicit.weights)).toBeLessThan(1e-4 * size);
    },
  );

  it("stays finite when a step's decay takes the weights to 0", () => {
    const layer = sparseLayer(new Float32Array(4 * 2).fill(1), 2, 'js');
    const decay = new ScaledDecay(layer, 1);
    const rows = [{ indices: Int32Array.of(1), values: Float32Array.of(1) }];
    decay.sgd(rows, Float32Array.of(0, 0), 1);
    expect(Array.from(decay.pre(layer.bag(rows)))).toEqual([0, 0]);
    decay.sgd(rows, Float32Array.of(1, -1), 0.5);
    decay.settle();
    // The step moves row 1 by -0.5 x (1, -1), then its decay halves it.
    expect(Array.from(layer.weights)).toEqual([0, 0, -0.25, 0.25, 0, 0, 0, 0]);
  });

  it("shrinks a row no report uses by exactly the product of the steps' factors, and the used rows too, while the network still learns", async () => {
    const rt = await runtime({ backend: 'cpu' }, true);
    const data = task();
    const [plain, decayed] = [await trainNetwork(rt, data, SHAPE, CFG), await trainNetwork(rt, data, SHAPE, { ...CFG, inputDecay: 3 })];
    // Row 40 is never in a batch: it keeps its (seeded, identical) initial values without decay,
    // and with it is multiplied by every step's 1 - rate x inputDecay / (sum of rates).
    const steps = CFG.epochs * 10;
    let factor = 1;
    for (let t = 0; t < steps; t++)
      factor *= 1 - (CFG.inputLearningRate * (1 - t / steps) * 3) / ((CFG.inputLearningRate * (steps + 1)) / 2);
    expect(factor).toBeLessThan(0.06);
    const unused = (net: typeof plain) => Array.from(net.weights.embedding.subarray(40 * 8, 41 * 8));
    unused(decayed).forEach((v, h) => expect(v).toBeCloseTo(unused(plain)[h] * factor, 6));
    expect(rms(decayed.weights.embedding, 0, 40 * 8)).toBeLessThan(0.5 * rms(plain.weights.embedding, 0, 40 * 8));
    // Both still separate the two classes: the decayed network's SGD steps reach the true weights.
    for (const net of [plain, decayed]) {
      const logits = net.logits(data.vectors);
      const right = data.y.reduce((s, c, i) => s + (Number(logits[i * 2 + 1] > logits[i * 2]) === c ? 1 : 0), 0);
      expect(right).toBe(200);
    }
  });

  it('is 4 by rule for two categories and off for more; an explicit value wins', async () => {
    expect(ruleValues({ n: 300, k: 2 }).inputDecay).toBe(4);
    expect(ruleValues({ n: 300, k: 3 }).inputDecay).toBe(0);
    expect(ruleValues({ n: 4251, k: 17 }).inputDecay).toBe(DEFAULTS.inputDecay);
    expect(DEFAULTS.inputDecay).toBe(0);
    const all = readReports(REPORTS, { labelColumn: 'label' });
    const two = [...new Set(all.labels)].slice(0, 2);
    const keep = all.labels.flatMap((l, i) => (two.includes(l) ? [i] : []));
    const reports = { ids: keep.map((i) => all.ids[i]), texts: keep.map((i) => all.texts[i]), labels: keep.map((i) => all.labels[i]) };
    const fast = { hidden: 8, batchSize: 4, calibrationFolds: 0 };
    const [ruled, off] = [
      await train(reports, { hyperparameters: fast, threads: 1 }),
      await train(reports, { hyperparameters: { ...fast, inputDecay: 0 }, threads: 1 }),
    ];
    expect(ruled.hyperparameters.inputDecay).toBe(4);
    expect(ruled.summary.defaults!.byRule.inputDecay).toBe(4);
    expect(off.hyperparameters.inputDecay).toBe(0);
    expect(off.summary.defaults!.byRule.inputDecay).toBeUndefined();
  });

  it('reads as off in a model saved before the field existed', async () => {
    const dir = join(ROOT, 'models', 'qemu');
    expect(JSON.parse(readFileSync(join(dir, 'bugcat.json'), 'utf8')).hyperparameters).not.toHaveProperty('inputDecay');
    expect((await load(dir)).hyperparameters.inputDecay).toBe(0);
  });
});
