/**
 * Active learning: selectForLabelling and `bugcat next`. The pool is hand-written: reports of the
 * fixture's three categories (network, boot, graphic) and near-copies of one another, so that a
 * proposal that ignored redundancy would list the copies together.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { doubtOf, readReports, selectForLabelling, train, type Model } from '../src/index.js';
import { bugcat, FAST, REPORTS, tmp } from './helpers.js';

const FAST_HP = { epochs: 10, hidden: 16, batchSize: 4 };

const labelled = readReports(REPORTS, { labelColumn: 'label' });

/** Three near-copies of one report, and eight unlike ones. */
const POOL = [
  {
    id: 'copy-a',
    text: 'usb tablet stops moving the mouse pointer\nThe usb tablet device stops sending pointer events after the guest suspends.',
  },
  {
    id: 'copy-b',
    text: 'usb tablet stops moving the mouse pointer\nThe usb tablet device stops sending pointer events after the guest suspends!',
  },
  {
    id: 'copy-c',
    text: 'usb tablet stops moving the mouse pointer\nThe usb tablet device stops sending the pointer events after the guest suspends.',
  },
  { id: 'p1', text: 'slirp drops udp replies\nUDP answers from the host never reach the guest over the user network.' },
  { id: 'p2', text: 'seabios hangs when booting from a scsi disk\nThe firmware prints nothing and the guest never boots.' },
  { id: 'p3', text: 'virtio-gpu shows a black screen\nThe guest display stays black with virtio-gpu after the resolution changes.' },
  { id: 'p4', text: 'tap network interface loses its address\nThe guest network stops after the tap device is reconfigured.' },
  { id: 'p5', text: 'grub cannot find the boot partition\nThe guest boots into grub rescue after the disk image grew.' },
  { id: 'p6', text: 'sdl window leaves trails of the cursor\nThe display redraws only part of the screen when the cursor moves.' },
  { id: 'p7', text: 'kernel panic at boot with a big initrd\nThe kernel cannot unpack the initramfs at boot.' },
  { id: 'p8', text: 'vnc clients see a frozen screen\nThe display over vnc stops updating while the guest keeps running.' },
];
const copies = (ids: readonly string[]) => ids.filter((id) => id.startsWith('copy-')).length;

let model: Model;
beforeAll(async () => {
  model = await train(labelled, { hyperparameters: FAST_HP, threads: 1 });
});

describe('selectForLabelling', () => {
  it('with no model and no labels proposes a diverse seed set: one of the near-copies at most', async () => {
    const s = await selectForLabelling(POOL, { n: 5 });
    expect(s.strategy).toBe('seed');
    expect(s.suggestions).toHaveLength(5);
    expect(copies(s.suggestions.map((x) => x.id))).toBeLessThanOrEqual(1);
    expect(s.suggestions.map((x) => x.rank)).toEqual([1, 2, 3, 4, 5]);
    for (const x of s.suggestions) expect([x.guess, x.probability, x.uncertainty]).toEqual([null, null, null]);
    // Without the redundancy penalty, the copies (the densest reports: each has two twins) come together.
    const plain = await selectForLabelling(POOL, { n: 3, diversity: 0 });
    expect(copies(plain.suggestions.map((x) => x.id))).toBe(3);
  });

  it("ranks by the model's doubt, and each proposal's score never exceeds the one before", async () => {
    const s = await selectForLabelling(POOL, { n: POOL.length, model, diversity: 0, density: 0, explore: 0 });
    expect(s.strategy).toBe('uncertainty');
    const doubts = s.suggestions.map((x) => x.uncertainty!);
    expect(doubts).toEqual([...doubts].sort((a, b) => b - a));
    const fresh = model.predict(
      s.suggestions.map((x) => x.text),
      { top: model.labels.length },
    );
    s.suggestions.forEach((x, i) => {
      expect(x.guess).toBe(fresh[i].label);
      expect(x.probability).toBeCloseTo(fresh[i].confidence, 6);
      expect(x.uncertainty).toBeCloseTo(doubtOf(fresh[i].top, 'margin'), 6);
    });
    const weighed = await selectForLabelling(POOL, { n: 6, model, explore: 0 });
    expect(weighed.suggestions.map((x) => x.picked)).toEqual(Array(6).fill('doubt'));
    const scores = weighed.suggestions.map((x) => x.score!);
    for (let i = 1; i < scores.length; i++) expect(scores[i]).toBeLessThanOrEqual(scores[i - 1]);
    expect(copies(weighed.suggestions.map((x) => x.id))).toBeLessThanOrEqual(1);
  });

  it('draws a share of the proposals at random (explore), every other rank by default, and ranks the rest by doubt', async () => {
    const ranked = await selectForLabelling(POOL, { n: POOL.length, model, explore: 0 });
    const s = await selectForLabelling(POOL, { n: 6, model });
    expect(s.suggestions.map((x) => x.picked)).toEqual(['doubt', 'random', 'doubt', 'random', 'doubt', 'random']);
    const byDoubt = s.suggestions.filter((x) => x.picked === 'doubt');
    // The first is the one ranking alone puts first; the ranked ones keep their order of score.
    expect(byDoubt[0].id).toBe(ranked.suggestions[0].id);
    for (let i = 1; i < byDoubt.length; i++) expect(byDoubt[i].score!).toBeLessThanOrEqual(byDoubt[i - 1].score!);
    for (const x of s.suggestions.filter((y) => y.picked === 'random')) {
      expect(x.score).toBeNull();
      // A drawn report still has the model's guess and doubt, for whoever labels it.
      expect(x.guess).toEqual(expect.any(String));
      expect(x.uncertainty).toEqual(expect.any(Number));
    }
    // Neither a draw nor a ranked pick is a near-copy of one proposed before it.
    expect(copies(s.suggestions.map((x) => x.id))).toBeLessThanOrEqual(1);
    expect(new Set(s.suggestions.map((x) => x.id)).size).toBe(6);
    // Seeded: the same seed draws the same reports; explore 1 draws them all.
    expect((await selectForLabelling(POOL, { n: 6, model })).suggestions).toEqual(s.suggestions);
    const all = await selectForLabelling(POOL, { n: POOL.length, model, explore: 1 });
    expect(all.suggestions.every((x) => x.picked === 'random')).toBe(true);
    expect(all.suggestions.map((x) => x.id).sort()).toEqual(POOL.map((x) => x.id).sort());
    // With no model there is nothing to explore away from: a seed set, ranked.
    expect((await selectForLabelling(POOL, { n: 4 })).suggestions.map((x) => x.picked)).toEqual(Array(4).fill('seed'));
  });

  it('never proposes a labelled report (by id or by text), nor a second copy of one text, nor an empty one', async () => {
    const pool = [
      ...POOL,
      { id: labelled.ids[0], text: 'a new text under an id that is labelled already' },
      { id: 'same-text', text: labelled.texts[1] },
      { id: 'twice-1', text: 'qxl guest crashes on resize' },
      { id: 'twice-2', text: 'qxl guest crashes on resize' },
      { id: 'blank', text: '   ' },
    ];
    const s = await selectForLabelling(pool, { n: 100, labelled, model });
    const ids = s.suggestions.map((x) => x.id);
    expect(ids).not.toContain(labelled.ids[0]);
    expect(ids).not.toContain('same-text');
    expect(ids).not.toContain('blank');
    expect(ids.filter((id) => id.startsWith('twice-'))).toEqual(['twice-1']);
    expect(s.excluded).toEqual({ labelled: 2, duplicates: 1, empty: 1 });
    expect(s.suggestions).toHaveLength(POOL.length + 1);
    // The model's own training reports count as labelled even when the labelled set is not given.
    const alone = await selectForLabelling([{ id: 'x', text: labelled.texts[2] }, ...POOL], { n: 100, model });
    expect(alone.suggestions.map((x) => x.id)).not.toContain('x');
    expect(alone.excluded.labelled).toBe(1);
  });

  it('keeps proposals unlike the labelled reports', async () => {
    // A report that repeats a labelled one but for a word is a near-copy: with only diversity weighed, it comes last.
    const near = { id: 'near', text: `${labelled.texts[3]} again` };
    const s = await selectForLabelling([near, ...POOL.slice(3)], { n: 9, labelled, density: 0, explore: 0 });
    expect(s.suggestions.at(-1)!.id).toBe('near');
    expect(s.suggestions.at(-1)!.similarity).toBeGreaterThan(0.8);
  });

  it('refuses bad options with the reason', async () => {
    await expect(selectForLabelling(POOL, { n: 0 })).rejects.toThrow(/n is 0/);
    await expect(selectForLabelling(POOL, { uncertainty: 'luck' as never })).rejects.toThrow(/margin or entropy/);
    await expect(selectForLabelling(POOL, { count: 3 } as never)).rejects.toThrow(/unknown option 'count'/);
    await expect(selectForLabelling(POOL, { explore: 1.5 })).rejects.toThrow(/explore is 1.5: expected a share from 0 to 1/);
  });
});

describe('bugcat next', () => {
  let dir: string;
  let modelDir: string;
  let pool: string;
  beforeAll(async () => {
    dir = tmp('bugcat-next-');
    modelDir = join(dir, 'model');
    pool = join(dir, 'pool.csv');
    writeFileSync(pool, stringify([['id', 'text'], ...POOL.map((r) => [r.id, r.text])]));
    const t = await bugcat(['train', '--data', REPORTS, '--out', modelDir, ...FAST]);
    expect(t.status, t.stderr).toBe(0);
  });

  it('writes a CSV to fill in: id, text, a blank label, the guess and its probability, in rank order', async () => {
    const r = await bugcat(['next', '--data', pool, '--model', modelDir, '--top', '4']);
    expect(r.status, r.stderr).toBe(0);
    const rows = parse(r.stdout, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]).slice(0, 5)).toEqual(['id', 'text', 'label', 'guess', 'probability']);
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      expect(row.label).toBe('');
      expect(model.labels.length).toBeGreaterThan(0);
      expect(Number(row.probability)).toBeGreaterThan(0);
      expect(POOL.find((p) => p.id === row.id)!.text).toBe(row.text);
    }
    expect(rows.map((x) => x.rank)).toEqual(['1', '2', '3', '4']);
    expect(rows.map((x) => x.picked)).toEqual(['doubt', 'random', 'doubt', 'random']);
    expect(rows.filter((x) => x.picked === 'random').map((x) => x.score)).toEqual(['', '']);
    expect(r.stderr).toMatch(
      /proposed 4 of 11 reports \(ranked by the model's doubt, weighed against redundancy; 2 drawn at random \(--explore 0.5\)\)/,
    );
    const ranked = await bugcat(['next', '--data', pool, '--model', modelDir, '--top', '4', '--explore', '0']);
    expect(ranked.status, ranked.stderr).toBe(0);
    expect((parse(ranked.stdout, { columns: true }) as Record<string, string>[]).map((x) => x.picked)).toEqual(Array(4).fill('doubt'));
    expect(ranked.stderr).not.toMatch(/drawn at random/);
    const bad = await bugcat(['next', '--data', pool, '--model', modelDir, '--explore', '2']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--explore/);
  });

  it('JSON Lines carry the same proposals; a labelled set trains the model and is never proposed', async () => {
    const csv = await bugcat(['next', '--data', pool, '--model', modelDir, '--top', '3']);
    const jl = await bugcat(['next', '--data', pool, '--model', modelDir, '--top', '3', '--format', 'jsonl']);
    expect(jl.status, jl.stderr).toBe(0);
    const records = jl.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records.map((x) => x.id)).toEqual((parse(csv.stdout, { columns: true }) as { id: string }[]).map((x) => x.id));
    for (const x of records) expect(x).toMatchObject({ label: null, guess: expect.any(String), probability: expect.any(Number) });
    expect(records.map((x) => x.picked)).toEqual((parse(csv.stdout, { columns: true }) as { picked: string }[]).map((x) => x.picked));
    const both = join(dir, 'both.csv');
    writeFileSync(both, stringify([['id', 'text'], ...POOL.map((r) => [r.id, r.text]), [labelled.ids[0], labelled.texts[0]]]));
    const withLabels = await bugcat(['next', '--data', both, '--labelled', REPORTS, '--top', '20', '--format', 'jsonl']);
    expect(withLabels.status, withLabels.stderr).toBe(0);
    expect(withLabels.stderr).toMatch(/training a model on the \d+ labelled reports/);
    const ids = withLabels.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).id);
    expect(ids).not.toContain(labelled.ids[0]);
    expect(ids).toHaveLength(POOL.length); // every report of the pool but the labelled one (n is 20)
  });

  it("--out-dir writes the proposals in the study's manual-review folder, which training leaves out", async () => {
    const out = join(dir, 'to-label');
    const r = await bugcat(['next', '--data', pool, '--model', modelDir, '--top', '2', '--out-dir', out, '--format', 'text']);
    expect(r.status, r.stderr).toBe(0);
    const ids = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('\t')[1]);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('\t')[4]),
    ).toEqual(['doubt', 'random']);
    for (const id of ids) {
      const file = join(out, 'manual-review', id);
      expect(existsSync(file)).toBe(true);
      const body = readFileSync(file, 'utf8');
      expect(body.endsWith(POOL.find((p) => p.id === id)!.text)).toBe(true);
      expect(body).toMatch(/^[a-z-]+: \d\.\d{3}\n/);
    }
    const again = await bugcat(['next', '--data', pool, '--top', '2', '--out-dir', REPORTS.replace(/reports\.csv$/, '')]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/not empty and was not written by bugcat/);
  });
});
