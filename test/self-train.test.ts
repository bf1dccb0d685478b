/**
 * Self-training: train's selfTrain option and `bugcat train --self-train`. The reports are made
 * here from three categories' words (seeded), enough of them (120 labelled) for the calibration
 * to run, so that the test can see it fitted on the labelled reports alone.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { surest } from '../src/model/self-training.js';
import { readReports, SELF_TRAIN_ROUNDS, SELF_TRAIN_SHARE, train, UsageError, type Prediction } from '../src/index.js';
import { bugcat, FAST, REPORTS, tmp } from './helpers.js';

const FAST_HP = { epochs: 10, hidden: 16, batchSize: 8 };

const WORDS: Record<string, string[]> = {
  network: ['packet', 'tap', 'virtio-net', 'udp', 'slirp', 'bridge', 'dhcp', 'mtu'],
  boot: ['bios', 'grub', 'firmware', 'initrd', 'kernel', 'uefi', 'bootloader', 'ovmf'],
  graphic: ['display', 'vnc', 'sdl', 'cursor', 'screen', 'virtio-gpu', 'resolution', 'framebuffer'],
};
const SHARED = ['guest', 'host', 'qemu', 'hangs', 'after', 'update', 'with', 'the', 'fails', 'when'];

/** `n` reports (id prefix `p`), category by turn, each of 4 of its category's words and 4 shared ones, seeded. */
function made(n: number, p: string, seed: number) {
  let s = seed;
  const r = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = (list: string[]) => list[Math.floor(r() * list.length)];
  const labels = Object.keys(WORDS);
  return Array.from({ length: n }, (_, i) => {
    const label = labels[i % labels.length];
    const words = [...Array.from({ length: 4 }, () => pick(WORDS[label])), ...Array.from({ length: 4 }, () => pick(SHARED))];
    return { id: `${p}${i + 1}`, text: `${words.join(' ')} (${p}${i + 1})`, label };
  });
}

const LABELLED = made(120, 'l', 7);
const writeCsv = (file: string, rows: object[]) => writeFileSync(file, stringify(rows, { header: true }));
const POOL = made(90, 'u', 11);

const guess = (label: string, confidence: number): Prediction => ({
  label,
  confidence,
  top: [{ label, probability: confidence }],
  coverage: 1,
});

describe('surest', () => {
  it("takes the most confident share of each guessed category's reports, rounded up, in row order", () => {
    const g = [guess('a', 0.9), guess('a', 0.6), guess('b', 0.55), guess('a', 0.8), guess('a', 0.7), guess('b', 0.95), guess('c', 0.4)];
    // a: 4 reports -> 2 (0.9, 0.8); b: 2 -> 1 (0.95); c: 1 -> 1.
    expect(surest(g, 0.5)).toEqual([0, 3, 5, 6]);
    expect(surest(g, 1)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    // Ties go to the earlier report.
    expect(surest([guess('a', 0.5), guess('a', 0.5)], 0.5)).toEqual([0]);
  });
});

describe('train with selfTrain', () => {
  it('learns the surest guesses, records them, and keeps calibration, fingerprints and index to the labelled reports', async () => {
    const copy = LABELLED[0].text;
    const heard: string[] = [];
    const model = await train(LABELLED, {
      hyperparameters: FAST_HP,
      threads: 1,
      keepIndex: true,
      onProgress: (m) => heard.push(m),
      selfTrain: { reports: [...POOL.map((r) => r.text), copy], share: 0.4, rounds: 2 },
    });
    const st = model.summary.selfTraining!;
    expect(st).toMatchObject({ labelled: 120, pool: 91, copies: 1, share: 0.4, rounds: 2 });
    // Round 1 takes 0.2 of each category's guesses, round 2 0.4 (rounded up per category).
    expect(st.added).toHaveLength(2);
    expect(st.added[0]).toBeGreaterThanOrEqual(18);
    expect(st.added[0]).toBeLessThan(st.added[1]);
    expect(st.added[1]).toBeLessThanOrEqual(36 + 3);
    // The networks learnt from the guesses too; the calibration, from the labelled reports' out-of-fold predictions only.
    expect(model.summary.n).toBe(120 + st.added[1]);
    expect(model.summary.calibrationReports).toBe(120);
    // Cross-fitted: the whole procedure run on each fold's complement, not fold networks of the final guesses.
    expect(
      heard.filter((m) => /^calibration: 2 runs of the self-training, each on 1\/2 of the labelled reports and the pool/.test(m)),
    ).toHaveLength(1);
    expect(heard.filter((m) => /^self-training, round \d of 2/.test(m))).toHaveLength(2);
    const sure = model.predict(made(30, 'h', 31).map((r) => r.text)) as Prediction[];
    expect(sure.every((p) => p.confidence > 0 && p.confidence <= 1)).toBe(true);
    expect(model.trainedOn(POOL.map((r) => r.text)).every((x) => !x)).toBe(true);
    expect(model.trainedOn(LABELLED.map((r) => r.text)).every(Boolean)).toBe(true);
    const ids = model.similar(POOL[0].text, { top: 200 }).map((s) => s.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((id) => id.startsWith('l'))).toBe(true);
    // It still tells the categories apart on reports it never saw.
    const fresh = made(30, 'f', 23);
    const right = model.predict(fresh.map((r) => r.text)).filter((p, i) => (p as Prediction).label === fresh[i].label).length;
    expect(right).toBeGreaterThanOrEqual(24);
  });

  it('has its defaults, and is the same model again with the same seed', async () => {
    const opts = { hyperparameters: FAST_HP, threads: 1, selfTrain: { reports: POOL.map((r) => r.text) } };
    const a = await train(LABELLED, opts);
    expect(a.summary.selfTraining).toMatchObject({ share: SELF_TRAIN_SHARE, rounds: SELF_TRAIN_ROUNDS });
    expect(a.summary.selfTraining!.added).toHaveLength(SELF_TRAIN_ROUNDS);
    const b = await train(LABELLED, opts);
    const texts = made(12, 'g', 5).map((r) => r.text);
    expect(b.predict(texts)).toEqual(a.predict(texts));
  });

  it('refuses bad settings with the reason', async () => {
    const reports = POOL.map((r) => r.text);
    const bad: [object, RegExp][] = [
      [{ reports, share: 0 }, /selfTrain.share is 0: expected a number above 0, up to 1/],
      [{ reports, share: 1.5 }, /selfTrain.share is 1.5/],
      [{ reports, rounds: 0 }, /selfTrain.rounds is 0: expected an integer from 1 up/],
      [{ reports, rounds: 1.5 }, /selfTrain.rounds is 1.5/],
      [{ reports: [1, 2] }, /selfTrain.reports takes texts/],
      [{ reports, sahre: 0.3 }, /sahre/],
    ];
    for (const [selfTrain, message] of bad) {
      const err = await train(LABELLED, { hyperparameters: FAST_HP, threads: 1, selfTrain: selfTrain as never }).catch((e) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect(err.message).toMatch(message);
    }
    const multi = await train(
      LABELLED.map((r) => ({ text: r.text, labels: [r.label] })),
      { hyperparameters: FAST_HP, threads: 1, selfTrain: { reports } },
    ).catch((e) => e);
    expect(multi).toBeInstanceOf(UsageError);
    expect(multi.message).toMatch(/selfTrain is for single-label models/);
  });
});

describe('bugcat train --self-train', () => {
  it('reads the pool from any input, says what it learnt, and saves it in the model', async () => {
    const dir = tmp();
    const pool = join(dir, 'pool.csv');
    // The pool as next would have it: ids and texts, no labels; one row of the training data among them.
    const first = readReports(REPORTS, { labelColumn: 'label' }).texts[0];
    writeFileSync(pool, stringify([{ id: 'dup', text: first }, ...POOL.map(({ id, text }) => ({ id, text }))], { header: true }));
    const out = join(dir, 'model');
    const r = await bugcat([
      'train',
      '--data',
      REPORTS,
      '--out',
      out,
      '--self-train',
      pool,
      '--self-train-share',
      '0.5',
      '--self-train-rounds',
      '1',
      ...FAST.filter((f) => f !== '--quiet'),
    ]);
    expect(r.stderr).toMatch(/self-training: 91 reports from/);
    expect(r.stderr).toMatch(/self-training, round 1 of 1: \d+ of \d+ reports without labels learnt with the model's guess/);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    const manifest = JSON.parse(readFileSync(join(out, 'bugcat.json'), 'utf8'));
    expect(manifest.training.selfTraining).toMatchObject({ labelled: 30, pool: 91, copies: 1, share: 0.5, rounds: 1 });
    expect(manifest.training.selfTraining.added[0]).toBeGreaterThan(0);
    // The HTML report's model card says how many reports had labels and how many were guesses.
    const html = join(dir, 'eval.html');
    const ev = await bugcat(['evaluate', '--model', out, '--data', REPORTS, '--html', html]);
    expect(ev.status).toBe(0);
    const learnt = manifest.training.selfTraining.added[0];
    const page = readFileSync(html, 'utf8');
    expect(page).toContain(
      `${30 + learnt}: 30 labelled, and ${learnt} of 91 without labels learnt with the model's own guess (self-training)`,
    );
  });

  it("gives the same model on one thread as on two, where a worker runs half the calibration's procedures", async () => {
    const dir = tmp();
    const data = join(dir, 'labelled.csv');
    const pool = join(dir, 'pool.csv');
    // 120 labelled reports: enough for the calibration (100), whose folds each run the whole procedure.
    writeCsv(data, LABELLED);
    writeCsv(
      pool,
      POOL.map(({ id, text }) => ({ id, text })),
    );
    const models = [];
    for (const jobs of ['1', '2']) {
      const out = join(dir, `jobs${jobs}`);
      const r = await bugcat(['train', '--data', data, '--out', out, '--self-train', pool, '--jobs', jobs, ...FAST]);
      expect(r.status, r.stderr).toBe(0);
      const manifest = JSON.parse(readFileSync(join(out, 'bugcat.json'), 'utf8'));
      expect(manifest.training.calibrationReports).toBe(120);
      models.push({ manifest, weights: readFileSync(join(out, 'weights.bin')) });
    }
    expect(models[1].manifest.calibration).toEqual(models[0].manifest.calibration);
    expect(models[1].manifest.files).toEqual(models[0].manifest.files);
    expect(Buffer.compare(models[1].weights, models[0].weights)).toBe(0);
  });

  it('refuses its settings without a pool, and a bad share, as usage errors', async () => {
    const dir = tmp();
    const alone = await bugcat(['train', '--data', REPORTS, '--out', join(dir, 'm'), '--self-train-share', '0.3', ...FAST]);
    expect(alone.status).toBe(2);
    expect(alone.stderr).toMatch(/--self-train-share and --self-train-rounds go with --self-train/);
    expect(alone.stderr).not.toMatch(/\n\s+at /);
    const withShare = (share: string) =>
      bugcat(['train', '--data', REPORTS, '--out', join(dir, 'm'), '--self-train', REPORTS, '--self-train-share', share, ...FAST]);
    const two = await withShare('2');
    expect(two.status).toBe(2);
    expect(two.stderr).toMatch(/--self-train-share.*'2' is invalid\. expected a number above 0, up to 1/);
    const zero = await withShare('0');
    expect(zero.status).toBe(2);
    expect(zero.stderr).toMatch(/--self-train-share.*'0' is invalid\. expected a number above 0, up to 1/);
    expect(existsSync(join(dir, 'm'))).toBe(false);
  });
});

describe('bugcat cv --self-train', () => {
  it("self-trains each fold's model on the pool, and says so in the text, the JSON and the page", async () => {
    const dir = tmp();
    const pool = join(dir, 'pool.csv');
    writeCsv(
      pool,
      POOL.map(({ id, text }) => ({ id, text })),
    );
    // cv in 3 folds, its JSON and out-of-fold predictions named `name`.
    const outputs = (name: string) => ['--json', join(dir, `${name}.json`), '--predictions', join(dir, `${name}.csv`)];
    const cv = (name: string, extra: string[]) => bugcat(['cv', '--data', REPORTS, '--folds', '3', ...outputs(name), ...extra, ...FAST]);
    const plain = await cv('plain', []);
    expect(plain.status).toBe(0);
    const self = await cv('self', ['--self-train', pool, '--html', join(dir, 'self.html')]);
    expect(self.status).toBe(0);
    expect(self.stdout).toContain("each fold's model trained with --self-train (90 reports without labels, share 0.3, 1 round)");
    expect(plain.stdout).not.toContain('--self-train');
    const json = JSON.parse(readFileSync(join(dir, 'self.json'), 'utf8'));
    expect(json.self_training).toEqual({ pool: 90, share: SELF_TRAIN_SHARE, rounds: SELF_TRAIN_ROUNDS });
    expect(JSON.parse(readFileSync(join(dir, 'plain.json'), 'utf8')).self_training).toBeUndefined();
    // The folds' models learnt the guesses: the out-of-fold predictions are not the plain ones.
    expect(readFileSync(join(dir, 'self.csv'), 'utf8')).not.toBe(readFileSync(join(dir, 'plain.csv'), 'utf8'));
    expect(readFileSync(join(dir, 'self.html'), 'utf8')).toContain(
      'bugcat train --self-train (90 reports without labels, share 0.3, 1 round)',
    );
  });

  it('refuses --self-train with a multi-label cross-validation, and its settings without a pool, before training', async () => {
    const dir = tmp();
    const lists = join(dir, 'lists.csv');
    writeCsv(
      lists,
      LABELLED.slice(0, 30).map((r, i) => ({ id: r.id, text: r.text, label: i % 2 ? `${r.label};extra` : r.label })),
    );
    const multi = await bugcat(['cv', '--data', lists, '--multi-label', '--self-train', REPORTS, ...FAST]);
    expect(multi.status).toBe(2);
    expect(multi.stderr).toMatch(/--self-train is for single-label models/);
    expect(multi.stderr).not.toMatch(/selfTrain|\n\s+at /);
    const alone = await bugcat(['cv', '--data', REPORTS, '--self-train-rounds', '2', ...FAST]);
    expect(alone.status).toBe(2);
    expect(alone.stderr).toMatch(/--self-train-share and --self-train-rounds go with --self-train/);
    expect(alone.stdout).toBe('');
  });
});
