/**
 * Explanations: each term's contribution to a logit is exact for the report's ReLU pattern, so
 * the contributions and the bias add up to the networks' own logits (checked against the
 * TensorFlow.js forward pass); and on the shipped model the terms are those a person expects.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../src/base/rng.js';
import { meanLogits, Network } from '../src/nn/network.js';
import type { SparseVector } from '../src/nn/sparse.js';
import { attributeLogits } from '../src/model/explain.js';
import { load, readReports, TIE_LOGIT, train, UsageError, type Explanation, type Model } from '../src/index.js';
import { bugcat, REPORTS, ROOT } from './helpers.js';

const VNC = join(ROOT, 'data', 'examples', '04-vnc-password.txt');
const BOOT = join(ROOT, 'data', 'examples', '02-hang-at-boot.txt');

/** A network with every weight random, biases included (an initialised one has zero biases, which would hide a wrong bias term). */
function randomNetwork(rng: Rng, vocabSize: number, hidden: number, classes: number): Network {
  const u = (n: number, s: number) => Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * s);
  return new Network(
    { vocabSize, hidden, classes },
    { embedding: u(vocabSize * hidden, 0.5), bias1: u(hidden, 0.3), dense: u(hidden * classes, 0.5), bias2: u(classes, 0.3) },
    'js',
  );
}

function randomReport(rng: Rng, vocab: number, nnz: number): SparseVector {
  const ids = [...new Set(Array.from({ length: nnz }, () => rng.int(vocab)))];
  return { indices: Int32Array.from(ids), values: Float32Array.from(ids, () => rng.next()) };
}

/** bias + every term's contribution, against the explanation's own difference. */
const totalOf = (e: Explanation) => e.bias + [...e.toward, ...e.against].reduce((s, c) => s + c.contribution, 0) + e.rest.contribution;

describe('logit attribution', () => {
  it("adds up, class by class, to the ensemble's logits from its own forward pass", () => {
    const rng = new Rng(3);
    const members = [randomNetwork(rng, 200, 12, 5), randomNetwork(rng, 200, 12, 5)];
    let inactive = 0;
    for (let r = 0; r < 20; r++) {
      const x = randomReport(rng, 200, 30);
      const att = attributeLogits(members, x);
      const logits = meanLogits(members, [x]);
      for (let c = 0; c < 5; c++) {
        let sum = att.bias[c];
        for (let t = 0; t < x.indices.length; t++) sum += att.contributions[t * 5 + c];
        expect(sum).toBeCloseTo(logits[c], 4);
        expect(att.logits[c]).toBeCloseTo(logits[c], 4);
      }
      // The test means something only if some hidden units are off (where a plain linear reading would be wrong).
      for (const net of members) {
        const h = Float64Array.from(net.weights.bias1);
        x.indices.forEach((j, t) => h.forEach((_, k) => (h[k] += x.values[t] * net.weights.embedding[j * 12 + k])));
        inactive += h.filter((v) => v <= 0).length;
      }
    }
    expect(inactive).toBeGreaterThan(0);
  });
});

describe('Model.explain', () => {
  let model: Model;
  beforeAll(async () => {
    model = await train(readReports(REPORTS, { labelColumn: 'label' }), {
      hyperparameters: { epochs: 10, hidden: 16, batchSize: 4, members: 2 },
    });
  });

  it('explains the predicted label against the runner-up, the difference adding up exactly', () => {
    for (const text of ['guest hangs at boot with -kernel', 'virtio-net drops packets', 'display flickers on the sdl window']) {
      const [p] = model.predict([text], { top: 2 });
      const e = model.explain(text, { top: 3 });
      expect([e.label, e.versus]).toEqual(p.top.map((t) => t.label));
      expect(e.probability).toBeCloseTo(p.top[0].probability, 6);
      expect(e.difference).toBeCloseTo(e.logit - e.versusLogit, 9);
      expect(totalOf(e)).toBeCloseTo(e.difference, 6);
      expect(e.toward.length + e.against.length + e.rest.terms).toBe(e.terms);
      expect(e.toward.length).toBeLessThanOrEqual(3);
      for (const c of e.toward) expect(c.contribution).toBeCloseTo(c.toLabel - c.toVersus, 9);
    }
  });

  it('calls a decision a tie exactly when its margin (difference - priorShift) is under TIE_LOGIT', () => {
    expect(TIE_LOGIT).toBe(0.05);
    for (const text of ['guest hangs at boot with -kernel', 'virtio-net drops packets', 'display flickers', '', 'qemu']) {
      const e = model.explain(text, { top: 3 });
      expect(e.tie).toBe(Math.abs(e.difference - e.priorShift) < TIE_LOGIT);
    }
  });

  it('explains a report without a known term by the bias alone', () => {
    const e = model.explain('', { top: 3 });
    expect(e.terms).toBe(0);
    expect(e.toward).toEqual([]);
    expect(e.difference).toBeCloseTo(e.bias, 9);
  });

  it('explains another label on request, and refuses labels the model lacks', () => {
    const e = model.explain('virtio-net drops packets', { label: 'boot' });
    expect(e.label).toBe('boot');
    expect(e.versus).toBe(model.predict(['virtio-net drops packets'])[0].label);
    expect(e.difference).toBeLessThan(0);
    expect(totalOf(e)).toBeCloseTo(e.difference, 6);
    expect(() => model.explain('x', { label: 'nope' })).toThrow(UsageError);
    expect(() => model.explain('x', { label: 'boot', versus: 'boot' })).toThrow(/two different labels/);
  });
});

describe('bugcat explain on the shipped model', () => {
  it('names the VNC password report by vnc and password, in text and JSON', async () => {
    const text = await bugcat(['explain', VNC, '--top', '8']);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^.*04-vnc-password\.txt: vnc 0\.\d{3} rather than \S+ 0\.\d{3}$/m);
    expect(text.stdout).toMatch(/^ +\+\d\.\d{3} +"vnc" +title word$/m);
    const json = await bugcat(['explain', VNC, BOOT, '--format', 'json', '--top', '8']);
    expect(json.status).toBe(0);
    const [vnc, boot] = JSON.parse(json.stdout) as (Explanation & { id: string })[];
    expect(vnc.label).toBe('vnc');
    const toward = vnc.toward.map((c) => c.term);
    expect(toward).toContain('vnc');
    expect(toward).toContain('password');
    expect(vnc.toward.find((c) => c.term === 'vnc' && c.field === 'title')).toBeDefined();
    expect(totalOf(vnc)).toBeCloseTo(vnc.difference, 6);
    expect(boot.label).toBe('boot');
    expect(boot.toward.slice(0, 3).map((c) => c.term)).toContain('boot');
  });

  it('says a tie as a tie, in text and JSON, and a clear decision as a decision', async () => {
    // On the shipped model "slow gdb" is performance against debug by a logit margin of about 0.025.
    const text = await bugcat(['explain', '--top', '3'], { input: 'slow gdb\n' });
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^performance 0\.\d{3} tied with debug 0\.\d{3}$/m);
    expect(text.stdout).toMatch(
      /^ {2}a tie: the margin \+0\.0[0-4]\d is under 0\.05 in logit units \(odds within 5 % of even\): the model cannot tell performance from debug/m,
    );
    const json = await bugcat(['explain', '--top', '3', '--format', 'json'], { input: 'slow gdb\n' });
    const [tie] = JSON.parse(json.stdout) as (Explanation & { tieThreshold: number })[];
    expect(tie).toMatchObject({ label: 'performance', versus: 'debug', tie: true, tieThreshold: 0.05 });
    expect(Math.abs(tie.difference - tie.priorShift)).toBeLessThan(0.05);

    const clear = await bugcat(['explain', VNC, '--top', '3']);
    expect(clear.stdout).toMatch(/ rather than /);
    expect(clear.stdout).not.toMatch(/tied with|a tie:/);
    const [vnc] = JSON.parse((await bugcat(['explain', VNC, '--format', 'json'])).stdout) as Explanation[];
    expect(vnc.tie).toBe(false);
  });

  it('matches the library on the same model', async () => {
    const model = await load(join(ROOT, 'models', 'qemu'));
    const r = await bugcat(['explain', VNC, '--format', 'json', '--top', '5']);
    const [cli] = JSON.parse(r.stdout) as Explanation[];
    const lib = model.explain(readFileSync(VNC, 'utf8'), { top: 5 });
    expect(cli.difference).toBeCloseTo(lib.difference, 9);
    expect(cli.toward.map((c) => c.term)).toEqual(lib.toward.map((c) => c.term));
  });

  it('refuses an unknown label as a usage error', async () => {
    const r = await bugcat(['explain', VNC, '--label', 'nope']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^bugcat: error: label "nope" is not one of the model's labels/);
  });
});
