/**
 * bugcat audit: confident learning on cross-fitted out-of-fold probabilities finds a label
 * planted wrong in the fixtures and ranks it first; its outputs (text, CSV, JSON Lines, the
 * study's layout); the confident-learning arithmetic on a hand-made case; and the study-layout
 * writer, which never replaces or deletes a file it did not write.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { confidentLearning } from '../src/eval/confident.js';
import { audit, checkStudyDir, DataError, readReports, STUDY_MARKER, writeStudyLayout } from '../src/index.js';
import { fileNameOf } from '../src/io/study-writer.js';
import { bugcat, FAST, REPORTS, tmp } from './helpers.js';

/** The fixtures with one network report (n5) labelled graphic, and a second annotator who says network. */
function plantedCsv(): string {
  const rows = parse(readFileSync(REPORTS), { columns: true }) as Record<string, string>[];
  const planted = rows.map((r) => ({ ...r, label: r.id === 'n5' ? 'graphic' : r.label, gemma: r.id === 'n5' ? 'network' : r.label }));
  const file = join(tmp(), 'planted.csv');
  writeFileSync(file, stringify(planted, { header: true, columns: ['id', 'source', 'text', 'label', 'gemma'] }));
  return file;
}

describe('confident learning', () => {
  it('flags a report whose other class reaches its threshold, suggests that class, and estimates errors per class', () => {
    // Class 0: three reports sure of 0, one (index 3) sure of 1. Class 1: two reports sure of 1, one unsure.
    const probs = [0.9, 0.1, 0.8, 0.2, 0.85, 0.15, 0.1, 0.9, 0.2, 0.8, 0.3, 0.7, 0.55, 0.45];
    const y = Int32Array.from([0, 0, 0, 0, 1, 1, 1]);
    const cl = confidentLearning(probs, y, 2);
    expect(Array.from(cl.thresholds).map((t) => +t.toFixed(4))).toEqual([0.6625, +((0.8 + 0.7 + 0.45) / 3).toFixed(4)]);
    expect(Array.from(cl.issue)).toEqual([0, 0, 0, 1, 0, 0, 0]);
    expect(cl.suggested[3]).toBe(1);
    expect(cl.order[0]).toBe(3);
    // Report 6 (0.55 < 0.6625, 0.45 < 0.65) reaches no threshold: it counts nowhere.
    expect(cl.confident).toEqual([
      [3, 1],
      [0, 2],
    ]);
    expect(cl.estimatedWrong[0]).toBeCloseTo(1, 9);
    expect(cl.estimatedWrong[1]).toBe(0);
  });
});

describe('audit (library)', () => {
  it('ranks the planted label first, from out-of-fold probabilities', async () => {
    const reports = readReports(plantedCsv(), { labelColumn: 'label', secondLabelColumn: 'gemma' });
    const result = await audit(reports, { folds: 3, hyperparameters: { epochs: 10, hidden: 16, batchSize: 4 } });
    expect(result.entries).toHaveLength(30);
    const [first] = result.entries;
    expect(first).toMatchObject({ rank: 1, id: 'n5', label: 'graphic', suggested: 'network', issue: true, otherLabels: ['network'] });
    expect(first.probabilities.map((p) => p.label).sort()).toEqual(['boot', 'graphic', 'network']);
    expect(first.probabilities.reduce((s, p) => s + p.probability, 0)).toBeCloseTo(1, 4);
    expect(result.categories.find((c) => c.label === 'graphic')!.estimatedWrong).toBeGreaterThan(0);
  });
});

describe('bugcat audit', () => {
  let csv: string;
  beforeAll(() => {
    csv = plantedCsv();
  });

  it('lists the planted label first, with the suggestion and the second annotator, and the per-category estimate', async () => {
    const r = await bugcat(['audit', '--data', csv, '--folds', '3', '--second-label-column', 'gemma', ...FAST]);
    expect(r.status).toBe(0);
    const rows = r.stdout.split('\n');
    const first = rows.findIndex((l) => /^\s+1\s/.test(l));
    expect(rows[first]).toMatch(/^\s+1\s+n5\s+graphic\s+0\.\d{3}\s+0\.\d{3}\s+network\s+0\.\d{3}\s+-0\.\d{3}\s+network$/);
    expect(r.stdout).toMatch(/^estimated wrong labels by category/m);
    expect(r.stdout).toMatch(/^graphic\s+11\s+0\.\d{3}\s+\d+\s+\d+\.\d \(/m);
  });

  it('writes CSV, JSON Lines and the study layout', async () => {
    const out = join(tmp(), 'audit');
    const c = await bugcat([
      'audit',
      '--data',
      csv,
      '--folds',
      '3',
      '--second-label-column',
      'gemma',
      '--format',
      'csv',
      '--all',
      '--top',
      '3',
      '--out-dir',
      out,
      ...FAST,
    ]);
    expect(c.status).toBe(0);
    const rows = parse(c.stdout, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0])).toEqual([
      'rank',
      'id',
      'label',
      'gemma',
      'suggested',
      'suggested_probability',
      'probability',
      'threshold',
      'margin',
      'issue',
      'fold',
    ]);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({ rank: '1', id: 'n5', label: 'graphic', gemma: 'network', suggested: 'network', issue: 'true' });
    expect(rows[1].issue).toBe('false');

    // The study layout: each listed report in its suggested label's folder, scores first, then the labels it was given.
    const file = readFileSync(join(out, 'network', 'n5'), 'utf8');
    expect(file).toMatch(
      /^network: 0\.\d{3}\n(boot|graphic): 0\.\d{3}\n(boot|graphic): 0\.\d{3}\ngiven: graphic\ngiven by gemma: network\n\nnetwork throughput low with vhost-net\n/,
    );
    for (const r of rows.slice(1)) {
      const other = readFileSync(join(out, r.suggested, r.id), 'utf8');
      expect(other).toMatch(new RegExp(`\\ngiven: ${r.label}\\ngiven by gemma: ${r.gemma}\\n\\n`));
    }
    // bugcat reads its own audit folder back: the given lines are not report text.
    const back = readReports(out);
    expect(back.texts[back.ids.findIndex((id) => id.endsWith('n5'))].trimStart()).toMatch(/^network throughput low with vhost-net\n/);
    expect(back.texts.every((t) => !/given/.test(t))).toBe(true);
    const counts = readFileSync(join(out, 'categories.csv'), 'utf8').trim().split('\n');
    expect(counts[0]).toBe('category, count');
    expect(counts.slice(1).reduce((s, l) => s + Number(l.split(', ')[1]), 0)).toBe(3);

    const j = await bugcat(['audit', '--data', csv, '--folds', '3', '--format', 'jsonl', '--top', '1', ...FAST]);
    expect(j.status).toBe(0);
    const lines = j.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ rank: 1, id: 'n5', label: 'graphic', suggested: 'network', issue: true });
    // The rows alone on stdout: the count the text's first line gives goes to stderr, --quiet or not.
    expect(j.stderr).toMatch(/^bugcat: \d+ of \d+ labels \(\d+\.\d %\) look wrong: .*ranked by self-confidence(, the first 1 listed)?$/m);
  });

  it('refuses an --out-dir holding files it did not write before training, unless --force', async () => {
    const out = tmp();
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const r = await bugcat(['audit', '--data', csv, '--folds', '3', '--out-dir', out, ...FAST]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^bugcat: error: --out-dir .* is not empty and was not written by bugcat: .*add --force/);
    expect(r.stdout).toBe('');
    const forced = await bugcat(['audit', '--data', csv, '--folds', '3', '--out-dir', out, '--force', ...FAST]);
    expect(forced.status).toBe(0);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
    expect(existsSync(join(out, 'network', 'n5'))).toBe(true);
  });
});

describe('writeStudyLayout', () => {
  const entry = (id: string, category: string) => ({ id, category, scores: [{ label: category, score: 0.9 }], text: `report ${id}` });

  it('rewrites its own folder, leaving (and naming) the files of an earlier write', () => {
    const dir = join(tmp(), 'layout');
    writeStudyLayout(dir, [entry('1', 'a'), entry('2', 'b')]);
    const again = writeStudyLayout(dir, [entry('1', 'b')]);
    expect(again.stale).toEqual(['a/1', 'b/2']);
    expect(readFileSync(join(dir, 'b', '1'), 'utf8')).toBe('b: 0.900\n\nreport 1');
    expect(readFileSync(join(dir, 'a', '1'), 'utf8')).toBe('a: 0.900\n\nreport 1');
    expect(readFileSync(join(dir, 'categories.csv'), 'utf8')).toBe('category, count\nb, 1\n');
    expect(JSON.parse(readFileSync(join(dir, STUDY_MARKER), 'utf8')).files).toEqual(['a/1', 'b/1', 'b/2', 'categories.csv']);
  });

  it('never replaces a file it did not write, even with force, and writes nothing then', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'a'));
    writeFileSync(join(dir, 'a', '1'), 'the study wrote this');
    expect(() => checkStudyDir(dir)).toThrow(/not empty and was not written by bugcat/);
    expect(() => writeStudyLayout(dir, [entry('1', 'a'), entry('2', 'b')], { force: true })).toThrow(DataError);
    expect(readFileSync(join(dir, 'a', '1'), 'utf8')).toBe('the study wrote this');
    expect(readdirSync(dir)).toEqual(['a']);
    writeStudyLayout(dir, [entry('2', 'b')], { force: true });
    expect(readFileSync(join(dir, 'b', '2'), 'utf8')).toBe('b: 0.900\n\nreport 2');
  });

  it("writes an entry's given labels after its scores, and only for entries that carry them", () => {
    const dir = join(tmp(), 'given');
    writeStudyLayout(dir, [
      { ...entry('1', 'a'), given: [{ label: 'b' }, { by: 'gemma', label: 'a' }] },
      { ...entry('2', 'b'), given: [{ label: 'odd\nlabel' }] },
      entry('3', 'a'),
    ]);
    expect(readFileSync(join(dir, 'a', '1'), 'utf8')).toBe('a: 0.900\ngiven: b\ngiven by gemma: a\n\nreport 1');
    expect(readFileSync(join(dir, 'b', '2'), 'utf8')).toBe('b: 0.900\ngiven: odd label\n\nreport 2');
    expect(readFileSync(join(dir, 'a', '3'), 'utf8')).toBe('a: 0.900\n\nreport 3');
    const back = readReports(dir);
    expect(back.texts.map((t) => t.trim()).sort()).toEqual(['report 1', 'report 2', 'report 3']);
  });

  it('makes file names of any label or id', () => {
    expect(fileNameOf('a/b')).toBe('a%2Fb');
    expect(fileNameOf('..')).toBe('%2E.');
    expect(fileNameOf('.hidden')).toBe('%2Ehidden');
    expect(fileNameOf('50%')).toBe('50%25');
    expect(fileNameOf('')).toBe('%');
    expect(fileNameOf('KVM')).toBe('KVM');
  });
});

describe('audit --html', () => {
  it("writes one self-contained page with the out-of-fold predictions' charts", async () => {
    const page = join(tmp(), 'audit.html');
    const r = await bugcat(['audit', '--data', REPORTS, '--folds', '3', '--html', page, ...FAST]);
    expect(r.status, r.stderr).toBe(0);
    const html = readFileSync(page, 'utf8');
    expect(html).toMatch(/audit of .*reports\.csv: 3-fold out-of-fold predictions/);
    expect(html.match(/<svg/g)?.length).toBeGreaterThanOrEqual(5);
    expect(html).not.toMatch(/<script|<link|https?:\/\/(?!www\.w3\.org)/);
  });

  it("shows the ranked suspects, with every annotator's label, and the per-category estimates, as the text does", async () => {
    const csv = plantedCsv();
    const page = join(tmp(), 'audit.html');
    const json = join(tmp(), 'audit.json');
    const args = ['audit', '--data', csv, '--folds', '3', '--second-label-column', 'gemma', ...FAST];
    const r = await bugcat([...args, '--html', page, '--json', json]);
    expect(r.status, r.stderr).toBe(0);
    const html = readFileSync(page, 'utf8');
    const summary = JSON.parse(readFileSync(json, 'utf8')) as {
      issues: number;
      n: number;
      categories: { label: string; reports: number; issues: number; estimatedWrong: number }[];
    };
    expect(html).toMatch(/<h1>Audit: audit of /);
    expect(html).toMatch(/<nav[^>]*><a href="#suspects">suspects<\/a><a href="#estimates">/);
    // The suspects come before the charts.
    expect(html.indexOf('id="suspects"')).toBeLessThan(html.indexOf('id="confusion"'));

    const suspects = /<section id="suspects"[\s\S]*?<\/section>/.exec(html)![0];
    expect(suspects).toContain(`${summary.issues} of ${summary.n} labels look wrong`);
    const heads = [...suspects.matchAll(/<th scope="col"[^>]*>([^<]*)<\/th>/g)].map((m) => m[1]);
    expect(heads).toEqual([
      'rank',
      'report',
      'given label (label)',
      'p(given)',
      'typical p',
      'label by gemma',
      'suggested label',
      'p(suggested)',
      'margin',
      'beginning of the report',
    ]);
    const rows = [...suspects.matchAll(/<tr><td[\s\S]*?<\/tr>/g)].map((m) =>
      [...m[0].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1]),
    );
    expect(rows).toHaveLength(summary.issues);
    expect(rows[0].slice(0, 3)).toEqual(['1', 'n5', 'graphic']);
    expect(rows[0][5]).toBe('<strong>network</strong>');
    expect(rows[0][6]).toBe('network');
    expect(rows[0][3]).toMatch(/^0\.\d{3}$/);
    expect(rows[0][7]).toMatch(/^0\.\d{3}$/);
    expect(rows[0][8]).toMatch(/^−0\.\d{3}$/);
    expect(rows[0][9]).toMatch(/^network throughput low with vhost-net/);

    // The text lists the same suspects in the same order.
    const text = (await bugcat(args)).stdout;
    const textIds = text
      .split('\n')
      .filter((l) => /^\s+\d+\s/.test(l))
      .map((l) => l.trim().split(/\s+/)[1]);
    expect(rows.map((row) => row[1])).toEqual(textIds);

    const estimates = /<section id="estimates"[\s\S]*?<\/section>/.exec(html)![0];
    for (const c of summary.categories)
      expect(estimates).toMatch(
        new RegExp(
          `<td>${c.label}</td><td class="num">${c.reports}</td><td class="num">0\\.\\d{3}</td><td class="num">${c.issues}</td><td class="num">${c.estimatedWrong.toFixed(1)}</td>`,
        ),
      );
    const total = summary.categories.reduce((s, c) => s + c.estimatedWrong, 0);
    expect(estimates).toMatch(
      new RegExp(
        `<td><strong>all</strong></td><td class="num">${summary.n}</td><td class="num"></td><td class="num">${summary.issues}</td><td class="num">${total.toFixed(1)}</td>`,
      ),
    );
    expect(html).toMatch(
      new RegExp(
        `<span class="value">${summary.issues} <span class="name">\\(\\d+ %\\)</span></span><span class="name">labels that look wrong</span>`,
      ),
    );
  }, 180_000); // two audits (the page and the text) on a loaded machine
});
