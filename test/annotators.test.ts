/**
 * Several annotators: Dawid-Skene EM on synthetic votes (it learns who is reliable, and in
 * which category, and recovers the truth better than a vote), the training targets it makes,
 * and the command line's --label-column a,b on train, cv and evaluate.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../src/base/rng.js';
import { dawidSkene } from '../src/model/dawid-skene.js';
import { trainingTargets } from '../src/model/targets.js';
import { ColumnError, readReports, train, UsageError } from '../src/index.js';
import { bugcat, FAST, REPORTS, tmp } from './helpers.js';

const hash = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** n reports of `classes` equally likely true classes, and each annotator's votes: right with probability `right[c]` in true class c, else `wrong(c, rng)`. */
function synthetic(
  n: number,
  classes: number,
  annotators: { right: (c: number) => number; wrong: (c: number, rng: Rng) => number }[],
  seed = 7,
) {
  const rng = new Rng(seed);
  const truth = Int32Array.from({ length: n }, () => rng.int(classes));
  const votes = annotators.map((a) => Int32Array.from(truth, (c) => (rng.next() < a.right(c) ? c : a.wrong(c, rng))));
  return { truth, votes };
}

/** The share of reports whose most probable class (posterior, n x classes) is the truth. */
function accuracyOf(posterior: Float64Array, truth: Int32Array, classes: number): number {
  let right = 0;
  truth.forEach((t, i) => {
    let best = 0;
    for (let k = 1; k < classes; k++) if (posterior[i * classes + k] > posterior[i * classes + best]) best = k;
    if (best === t) right++;
  });
  return right / truth.length;
}

/** A plain majority vote, ties to the annotator listed first. */
function voteAccuracy(votes: Int32Array[], truth: Int32Array, classes: number): number {
  let right = 0;
  truth.forEach((t, i) => {
    const count = new Array<number>(classes).fill(0);
    votes.forEach((v) => v[i] >= 0 && count[v[i]]++);
    let best = votes[0][i];
    for (let k = 0; k < classes; k++) if (count[k] > count[best]) best = k;
    if (best === t) right++;
  });
  return right / truth.length;
}

describe('Dawid-Skene', () => {
  const K = 4;
  const randomOther = (c: number, rng: Rng) => (c + 1 + rng.int(K - 1)) % K;

  it('learns that one annotator is reliable and another noisy, and follows the reliable one where they disagree', () => {
    // Three annotators: noisy, reliable, middling. The noisy one is listed first, so a vote's
    // ties go its way. (Two annotators who err at random cannot be told apart: the pairs of
    // labels they give are distributed alike whichever is the reliable one.)
    const { truth, votes } = synthetic(2000, K, [
      { right: () => 0.4, wrong: randomOther },
      { right: () => 0.9, wrong: randomOther },
      { right: () => 0.65, wrong: randomOther },
    ]);
    const fit = dawidSkene(votes, K);
    const accuracy = (j: number) =>
      Array.from({ length: K }, (_, k) => fit.prior[k] * fit.confusion[j][k * K + k]).reduce((a, b) => a + b, 0);
    expect(accuracy(0)).toBeGreaterThan(0.33);
    expect(accuracy(0)).toBeLessThan(0.47);
    expect(accuracy(1)).toBeGreaterThan(0.85);
    expect(accuracy(2)).toBeGreaterThan(0.58);
    expect(accuracy(2)).toBeLessThan(0.72);
    const em = accuracyOf(fit.posterior, truth, K);
    const vote = voteAccuracy(votes, truth, K);
    expect(em).toBeGreaterThan(0.85);
    expect(em - vote).toBeGreaterThan(0.05);
    expect(fit.converged).toBe(true);
  });

  it('learns per category: two annotators who confuse the same categories the same way are outvoted by a reliable one', () => {
    // Annotators 2 and 3 are right in categories 0 and 1 but say 3 for most reports of category 2:
    // where both do, a majority vote says 3; the EM has learnt what their "3" means.
    const confuse = { right: (c: number) => (c === 2 ? 0.2 : 0.9), wrong: (c: number, rng: Rng) => (c === 2 ? 3 : randomOther(c, rng)) };
    const { truth, votes } = synthetic(3000, K, [{ right: () => 0.75, wrong: randomOther }, confuse, confuse], 11);
    const fit = dawidSkene(votes, K);
    expect(fit.confusion[1][2 * K + 2]).toBeLessThan(0.35);
    expect(fit.confusion[1][0]).toBeGreaterThan(0.8);
    const em = accuracyOf(fit.posterior, truth, K);
    const vote = voteAccuracy(votes, truth, K);
    expect(em - vote).toBeGreaterThan(0.1);
    // Category 2 recovered well beyond the vote's, which gets most of it wrong.
    const inCategory2 = (posterior: Float64Array) =>
      accuracyOf(
        posterior.filter((_, j) => truth[Math.floor(j / K)] === 2),
        truth.filter((t) => t === 2),
        K,
      );
    expect(inCategory2(fit.posterior)).toBeGreaterThan(0.6);
  });

  it('is deterministic and stops within its iteration cap', () => {
    const { votes } = synthetic(500, K, [
      { right: () => 0.6, wrong: randomOther },
      { right: () => 0.8, wrong: randomOther },
    ]);
    const a = dawidSkene(votes, K);
    const b = dawidSkene(votes, K);
    expect(Array.from(a.posterior)).toEqual(Array.from(b.posterior));
    const capped = dawidSkene(votes, K, { maxIterations: 3 });
    expect(capped.iterations).toBe(3);
    expect(capped.converged).toBe(false);
  });
});

describe('training targets', () => {
  it('one annotator: its labels as they are, and the method recorded', () => {
    const t = trainingTargets([{ name: 'label', labels: ['b', 'a', 'b'] }], () => {});
    expect(t.labels).toEqual(['a', 'b']);
    expect(Array.from(t.y)).toEqual([1, 0, 1]);
    expect(t.soft).toBeUndefined();
    expect(t.summary).toEqual({ method: 'single', annotators: ['label'] });
  });

  it('several: soft targets, labels outside the set ignored, case ignored, a report the first left unlabelled kept, one nobody labelled refused', () => {
    const log: string[] = [];
    const t = trainingTargets(
      [
        { name: 'one', labels: ['a', 'b', 'a', '', 'b'] },
        { name: 'two', labels: ['A', 'b', 'zzz', 'b', 'a'] },
      ],
      (m) => log.push(m),
    );
    expect(t.labels).toEqual(['a', 'b']);
    expect(t.soft).toHaveLength(10);
    for (let i = 0; i < 5; i++) expect(t.soft![2 * i] + t.soft![2 * i + 1]).toBeCloseTo(1, 5);
    expect(t.y[3]).toBe(1); // only "two" labelled it: b
    expect(t.summary).toMatchObject({
      method: 'dawid-skene',
      annotators: ['one', 'two'],
      labelled: { one: 4, two: 4 },
      agreement: { 'one / two': 0.6667 },
    });
    expect(Object.keys(t.summary.accuracy!)).toEqual(['one', 'two']);
    expect(log.join('\n')).toMatch(/annotator two: 4 of 5 labels are categories of one's/);
    expect(log.join('\n')).toMatch(/annotator one: estimated accuracy 0\.\d{3}/);
    expect(() =>
      trainingTargets(
        [
          { name: 'one', labels: ['a', 'b', ''] },
          { name: 'two', labels: ['a', 'b', 'zzz'] },
        ],
        () => {},
        (i) => `r${i}`,
      ),
    ).toThrow(/1 report has no label of the label set from any annotator \(r2\)/);
  });
});

/** The fixture with a second annotator's column `label2`: the same labels, but for four reports (a boot and a graphic one said network; two left empty). */
function withLabel2(): { csv: string; label2: Map<string, string> } {
  const rows = parse(readFileSync(REPORTS), { columns: true }) as Record<string, string>[];
  const other: Record<string, string> = { b1: 'network', g1: 'NETWORK', n2: '', g3: '' };
  const withOther = rows.map((r) => ({ ...r, label2: r.id in other ? other[r.id] : r.label }));
  const csv = join(tmp(), 'two.csv');
  writeFileSync(csv, stringify(withOther, { header: true, columns: ['id', 'source', 'text', 'label', 'label2'] }));
  return { csv, label2: new Map(withOther.map((r) => [r.id, r.label2])) };
}

describe('bugcat train --label-column a,b', () => {
  let csv: string;
  let model: string;
  let stderr: string;
  beforeAll(async () => {
    ({ csv } = withLabel2());
    model = join(tmp(), 'm');
    const r = await bugcat([
      'train',
      '--data',
      csv,
      '--out',
      model,
      '--label-column',
      'label,label2',
      ...FAST.filter((a) => a !== '--quiet'),
    ]);
    expect(r.status).toBe(0);
    stderr = r.stderr;
  });

  it("prints each annotator's estimated accuracy and their agreement, and the model records how its targets were made", () => {
    expect(stderr).toMatch(/labelled by label, label2/);
    expect(stderr).toMatch(/annotator label: estimated accuracy [01]\.\d{3} \(by category from/);
    expect(stderr).toMatch(/annotator label2: estimated accuracy [01]\.\d{3}/);
    expect(stderr).toMatch(/agreement label \/ label2: 0\.929 on the 28 reports both labelled/);
    expect(stderr).toMatch(/Dawid-Skene: \d+ EM iterations?/);
    const manifest = JSON.parse(readFileSync(join(model, 'bugcat.json'), 'utf8'));
    expect(manifest.training.targets).toMatchObject({
      method: 'dawid-skene',
      annotators: ['label', 'label2'],
      labelled: { label: 30, label2: 28 },
    });
    expect(Object.keys(manifest.training.targets.accuracy)).toEqual(['label', 'label2']);
    expect(Object.keys(manifest.training.targets.accuracyByCategory.label)).toEqual(['boot', 'graphic', 'network']);
    expect(manifest.training.targets.agreement).toEqual({ 'label / label2': 0.9286 });
  });

  it('--second-label-column still works: the same model as naming both columns in --label-column', async () => {
    const out = join(tmp(), 'm');
    const r = await bugcat(['train', '--data', csv, '--out', out, '--second-label-column', 'label2', ...FAST]);
    expect(r.status).toBe(0);
    expect(hash(join(out, 'weights.bin'))).toBe(hash(join(model, 'weights.bin')));
  });

  it('one column trains as before, and records it', async () => {
    const out = join(tmp(), 'm');
    expect((await bugcat(['train', '--data', csv, '--out', out, ...FAST])).status).toBe(0);
    expect(hash(join(out, 'weights.bin'))).not.toBe(hash(join(model, 'weights.bin')));
    expect(JSON.parse(readFileSync(join(out, 'bugcat.json'), 'utf8')).training.targets).toEqual({
      method: 'single',
      annotators: ['label'],
    });
  });

  it('refuses a column the CSV lacks, naming it, and a list with an empty name', async () => {
    const missing = await bugcat(['train', '--data', csv, '--out', join(tmp(), 'm'), '--label-column', 'label,gemma', ...FAST]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/has no "gemma" column .*--label-column/);
    const empty = await bugcat(['train', '--data', csv, '--out', join(tmp(), 'm'), '--label-column', 'label,', ...FAST]);
    expect(empty.status).toBe(2);
    expect(empty.stderr).toMatch(/bugcat: error: a label column is named ""/);
  });

  it('refuses the retired --second-label-weight, saying why', async () => {
    const r = await bugcat([
      'train',
      '--data',
      csv,
      '--out',
      join(tmp(), 'm'),
      '--second-label-column',
      'label2',
      '--second-label-weight',
      '0.3',
      ...FAST,
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--second-label-weight.*no fixed share any more.*Dawid-Skene/);
  });

  it('evaluate --label-column scores against that one column, and refuses several', async () => {
    const { label2 } = withLabel2();
    const p = await bugcat(['predict', '--model', model, '--data', csv, '--format', 'csv']);
    const predicted = parse(p.stdout, { columns: true }) as Record<string, string>[];
    // The reports with a usable label2 ("NETWORK" is a label the model never saw: an error).
    const rows = [...label2].filter(([, l]) => l !== '' && l !== 'manual-review');
    const right = rows.filter(([id, l]) => predicted.find((x) => x.id === id)!.label === l).length;
    const e = await bugcat(['evaluate', '--model', model, '--data', csv, '--label-column', 'label2', '--json', join(tmp(), 'e.json')]);
    expect(e.status).toBe(0);
    expect(e.stdout).toMatch(new RegExp(`^reports\\s+${rows.length}$`, 'm'));
    expect(e.stdout).toMatch(new RegExp(`^accuracy\\s+${(right / rows.length).toFixed(3)}$`, 'm'));
    const both = await bugcat(['evaluate', '--model', model, '--data', csv, '--label-column', 'label,label2']);
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/--label-column.*name one column: scores are against one annotator's labels at a time \(label or label2\)/);
  });

  it("cv --predictions lists every annotator's given label", async () => {
    const oof = join(tmp(), 'oof.csv');
    const r = await bugcat([
      'cv',
      '--data',
      csv,
      '--folds',
      '3',
      '--label-column',
      'label,label2',
      '--predictions',
      oof,
      '--top',
      '1',
      ...FAST,
    ]);
    expect(r.status).toBe(0);
    const rows = parse(readFileSync(oof), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0])).toEqual(['id', 'given', 'given_label2', 'fold', 'label', 'confidence']);
    expect(rows.find((x) => x.id === 'g1')!.given_label2).toBe('NETWORK');
  });
});

describe('readReports and train with several annotators (library)', () => {
  it('reads each column as an annotator, the first deciding which reports are left out', () => {
    const { csv } = withLabel2();
    const r = readReports(csv, { labelColumn: ['label', 'label2'] });
    expect(r.texts).toHaveLength(30);
    expect(r.annotators!.map((a) => a.name)).toEqual(['label', 'label2']);
    expect(r.annotators![0].labels).toEqual(r.labels);
    expect(r.annotators![1].labels[r.ids.indexOf('g1')]).toBe('NETWORK');
  });

  it('refuses no column, a column twice, and names a missing one by its role', () => {
    const { csv } = withLabel2();
    expect(() => readReports(csv, { labelColumn: [] })).toThrow(UsageError);
    expect(() => readReports(csv, { labelColumn: ['label', 'label'] })).toThrow(/named twice/);
    const err = (() => {
      try {
        readReports(csv, { labelColumn: ['label', 'nope'] });
      } catch (e) {
        return e;
      }
    })() as ColumnError;
    expect(err).toBeInstanceOf(ColumnError);
    expect(err.role).toBe('label');
    expect(err.message).toMatch(/no "nope" column/);
  });

  it('trains on objects with otherLabels, and records the annotators', async () => {
    const rows = parse(readFileSync(REPORTS), { columns: true }) as Record<string, string>[];
    const labelled = rows.filter((r) => r.label && r.label !== 'manual-review');
    const model = await train(
      labelled.map((r) => ({ id: r.id, text: r.text, label: r.label, otherLabels: { llm: r.id === 'b1' ? 'network' : r.label } })),
      { hyperparameters: { epochs: 2, hidden: 8, members: 1, calibrationFolds: 0 }, threads: 1 },
    );
    expect(model.summary.targets).toMatchObject({ method: 'dawid-skene', annotators: ['label', 'llm'] });
  });
});
