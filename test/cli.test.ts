import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { bugcat, CLI, FAST, FIXTURES, REPORTS, run, tmp } from './helpers.js';

let model: string;
const hash = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

beforeAll(async () => {
  model = join(tmp(), 'model');
  const r = await bugcat(['train', '--data', REPORTS, '--out', model, ...FAST]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});

describe('the installed command', () => {
  it('dist/cli/main.js runs as an executable (the package bin)', async () => {
    const r = await run(CLI, ['--version']);
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('bugcat --help', () => {
  it.each(['train', 'predict', 'evaluate', 'cv'])('%s --help lists every option with its default and the exit codes', async (cmd) => {
    const r = await bugcat([cmd, '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Exit codes: 0 success, 1 data or model error/);
    for (const line of r.stdout.split('\n').filter((l) => /^\s+--(model|text-column|top|epochs|seed|format|folds)\b/.test(l))) {
      expect(r.stdout.slice(r.stdout.indexOf(line)).split('\n--')[0]).toMatch(/default/);
    }
    if (cmd === 'train') expect(r.stdout).toMatch(/--epochs <value>[\s\S]*?\(default: \d+\)/);
    if (cmd === 'predict') expect(r.stdout).toMatch(/--format <format>[\s\S]*?default: "text"/);
  });
});

describe('bugcat train', () => {
  it('logs progress on stderr only, and writes a complete model', async () => {
    const out = join(tmp(), 'm');
    const r = await bugcat(['train', '--data', REPORTS, '--out', out, '--epochs', '3', '--hidden', '8']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/left out 2 reports without a usable label: manual-review 1, \(empty\) 1/);
    expect(r.stderr).toMatch(/epoch 3\/3 +loss [\d.]+ +[\d.]+ s/);
    expect(r.stderr).not.toMatch(/Hi,|tensorflow|dotenv/i);
    const manifest = JSON.parse(readFileSync(join(out, 'bugcat.json'), 'utf8'));
    expect(manifest.hyperparameters.epochs).toBe(3);
    expect(manifest.hyperparameters.hidden).toBe(8);
    expect(manifest.training.labelCounts).toEqual({ boot: 10, graphic: 10, network: 10 });
  });

  it('is deterministic: the same data and seed give the same model, another seed another', async () => {
    const [a, b, c] = [tmp(), tmp(), tmp()].map((d) => join(d, 'm'));
    for (const [out, seed] of [
      [a, '5'],
      [b, '5'],
      [c, '6'],
    ])
      expect((await bugcat(['train', '--data', REPORTS, '--out', out, '--seed', seed, ...FAST])).status).toBe(0);
    expect(hash(join(a, 'weights.bin'))).toBe(hash(join(b, 'weights.bin')));
    expect(readFileSync(join(a, 'bugcat.json'), 'utf8')).toBe(readFileSync(join(b, 'bugcat.json'), 'utf8'));
    expect(hash(join(a, 'weights.bin'))).not.toBe(hash(join(c, 'weights.bin')));
  });

  it('trains the calibration models in a second thread with the same result as in one thread', async () => {
    // 120 reports (the fixtures four times over), each scored by a calibration model that did not see it.
    const rows = parse(readFileSync(REPORTS, 'utf8'), { columns: true }) as Record<string, string>[];
    const csv = join(tmp(), 'x4.csv');
    writeFileSync(
      csv,
      stringify(Array.from({ length: 4 }, (_, k) => rows.map((r) => ({ ...r, id: `${r.id}-${k}` }))).flat(), { header: true }),
    );
    const [two, one] = [tmp(), tmp()].map((d) => join(d, 'm'));
    // Not quiet: the runs' messages are compared too.
    const args = ['--calibration-folds', '3', ...FAST.filter((a) => a !== '--quiet')];
    const twoRun = await bugcat(['train', '--data', csv, '--out', two, ...args]);
    const oneRun = await bugcat(['train', '--data', csv, '--out', one, ...args], { env: { BUGCAT_THREADS: '1' } });
    expect([twoRun.status, oneRun.status]).toEqual([0, 0]);
    // The copies are found in the worker with two threads (while this thread counts), here with one: the same groups, told alike.
    const groupsLine = (stderr: string) => stderr.split('\n').find((l) => l.includes('share a title or text'));
    expect(groupsLine(twoRun.stderr)).toBe(
      'bugcat: 30 groups of 120 reports that share a title or text: each kept in one calibration fold',
    );
    expect(groupsLine(oneRun.stderr)).toBe(groupsLine(twoRun.stderr));
    const manifest = JSON.parse(readFileSync(join(two, 'bugcat.json'), 'utf8'));
    expect(manifest.training.calibrationReports).toBe(120);
    expect(manifest.calibration.temperature).not.toBe(1);
    expect(readFileSync(join(two, 'bugcat.json'), 'utf8')).toBe(readFileSync(join(one, 'bugcat.json'), 'utf8'));
    expect(hash(join(two, 'weights.bin'))).toBe(hash(join(one, 'weights.bin')));
  });

  it('reads the study folder layout, taking categories from folder names', async () => {
    const out = join(tmp(), 'm');
    const r = await bugcat(['train', '--data', join(FIXTURES, 'study'), '--out', out, ...FAST]);
    expect(r.status).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'bugcat.json'), 'utf8'));
    expect(manifest.training.labelCounts).toEqual({ boot: 2, graphic: 2, network: 3 });
    const direct = await bugcat(['train', '--data', join(FIXTURES, 'study', 'output'), '--out', join(tmp(), 'm'), ...FAST]);
    expect(direct.status).toBe(0);
  });

  it('takes other column names and excluded labels', async () => {
    const csv = join(tmp(), 'renamed.csv');
    const rows = parse(readFileSync(REPORTS), { columns: true }) as Record<string, string>[];
    const esc = (s: string) => `"${s.replace(/"/g, '""')}"`;
    writeFileSync(csv, 'body,cat\n' + rows.map((r) => `${esc(r.text)},${esc(r.label)}`).join('\n'));
    const out = join(tmp(), 'm');
    const r = await bugcat([
      'train',
      '--data',
      csv,
      '--out',
      out,
      '--text-column',
      'body',
      '--label-column',
      'cat',
      '--exclude-label',
      'manual-review',
      'graphic',
      ...FAST,
    ]);
    expect(r.status).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'bugcat.json'), 'utf8')).labels).toEqual(['boot', 'network']);
  });
});

describe('bugcat predict', () => {
  it('takes text arguments: one line per report, label TAB confidence', async () => {
    const r = await bugcat([
      'predict',
      '--model',
      model,
      'the guest hangs at boot with -kernel, bootloader never starts',
      'virtio-net drops network packets on the tap interface',
    ]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(''); // no library banners, no notices
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(lines.map((l) => l[0])).toEqual(['boot', 'network']);
    for (const [, conf] of lines) expect(Number(conf)).toBeGreaterThan(0.34);
  });

  it('reads files given as arguments or with --file, and stdin', async () => {
    const file = join(tmp(), 'report.txt');
    writeFileSync(file, 'Display garbage with virtio-gpu\nthe guest screen display shows corrupted graphics');
    const asArg = await bugcat(['predict', '--model', model, file]);
    // Named by its base name, as the study names reports (issue 26).
    expect(asArg.stdout).toBe(`${asArg.stdout.split('\t')[0]}\t${asArg.stdout.split('\t')[1]}\treport.txt\n`);
    expect(asArg.stdout.split('\t')[0]).toBe('graphic');
    const withFile = await bugcat(['predict', '--model', model, '--file', file]);
    expect(withFile.stdout).toBe(asArg.stdout);
    const stdin = await bugcat(['predict', '--model', model], { input: readFileSync(file) });
    expect(stdin.status).toBe(0);
    expect(stdin.stdout).toMatch(/^graphic\t0\.\d{4}\n$/);
  });

  it('prints json and jsonl with the top-k labels', async () => {
    const r = await bugcat([
      'predict',
      '--model',
      model,
      '--format',
      'json',
      '--top',
      '3',
      'network packets lost on the tap interface',
      'the firmware cannot boot, bootloader hangs at boot',
    ]);
    const out = JSON.parse(r.stdout);
    expect(out).toHaveLength(2);
    expect(out[0].label).toBe('network');
    expect(out[0].top).toHaveLength(3);
    expect(out[0].top[0]).toEqual({ label: out[0].label, probability: out[0].confidence });
    const sum = out[0].top.reduce((s: number, t: { probability: number }) => s + t.probability, 0);
    expect(sum).toBeCloseTo(1, 3);
    const jsonl = await bugcat([
      'predict',
      '--model',
      model,
      '--format',
      'jsonl',
      '--top',
      '2',
      'network packets lost on the tap interface',
      'the firmware cannot boot, bootloader hangs at boot',
    ]);
    const lines = jsonl.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.label)).toEqual(['network', 'boot']);
    expect(lines[1].top).toHaveLength(2);
  });

  it('predicts a whole CSV: one row per input row, in order, ids carried through', async () => {
    const r = await bugcat(['predict', '--model', model, '--data', REPORTS, '--format', 'csv', '--top', '2']);
    expect(r.status).toBe(0);
    const rows = parse(r.stdout, { columns: true }) as Record<string, string>[];
    const input = parse(readFileSync(REPORTS), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0])).toEqual(['id', 'label', 'confidence', 'coverage', 'label_2', 'confidence_2', 'error']);
    for (const x of rows) expect(Number(x.coverage)).toBeGreaterThan(0.1);
    expect(rows.map((x) => x.id)).toEqual(input.map((x) => x.id));
    const right = rows.filter((x, i) => x.label === input[i].label).length;
    expect(right).toBeGreaterThanOrEqual(25);
  });

  it('numbers rows when the CSV has no id column, answers reports with no known word, and gives an empty one the review label', async () => {
    const csv = join(tmp(), 'noid.csv');
    writeFileSync(csv, 'text\n"zzz qqq"\n""\nthe bootloader hangs at boot\n');
    const r = await bugcat(['predict', '--model', model, '--data', csv, '--format', 'csv']);
    expect(r.status).toBe(0);
    const rows = parse(r.stdout, { columns: true }) as Record<string, string>[];
    expect(rows.map((x) => x.id)).toEqual(['1', '2', '3']);
    expect(rows.map((x) => Number(x.confidence) > 0)).toEqual([true, false, true]);
    expect(rows[1]).toMatchObject({ label: 'manual-review', confidence: '0.0000', coverage: '0.0000' });
    expect(r.stderr).toMatch(/warning: 1 report is empty \(2\): answered with the review label, confidence 0/);
  });

  it('answers the review label below --min-confidence', async () => {
    const r = await bugcat([
      'predict',
      '--model',
      model,
      '--min-confidence',
      '0.99',
      '--review-label',
      'needs-human',
      'the firmware cannot boot, bootloader hangs at boot',
    ]);
    // The best label and its probability stay (issue 26): the suggestion a reviewer needs.
    expect(r.stdout).toMatch(/^needs-human\t0\.\d{4}\tbest\tboot\t0\.\d{4}\n$/);
    const low = await bugcat(['predict', '--model', model, '--min-confidence', '0', 'the firmware cannot boot, bootloader hangs at boot']);
    expect(low.stdout).toMatch(/^boot\t/);
  });
});

describe('bugcat evaluate', () => {
  it('prints a readable report and writes the JSON figures', async () => {
    const json = join(tmp(), 'eval.json');
    const r = await bugcat(['evaluate', '--model', model, '--data', REPORTS, '--json', json]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^reports\s+30$/m);
    expect(r.stdout).toMatch(/^accuracy\s+[01]\.\d{3}$/m);
    expect(r.stdout).toMatch(/^macro-F1\s+/m);
    expect(r.stdout).toMatch(/calibration error \(ECE, 10 bins\)/);
    expect(r.stdout).toMatch(/50% -> [01]\.\d{3}, 70% -> [01]\.\d{3}, 90% -> [01]\.\d{3}/);
    expect(r.stdout).toMatch(/^boot\s+[01]\.\d{3}\s+[01]\.\d{3}\s+[01]\.\d{3}\s+10$/m);
    expect(r.stdout).toMatch(/confusion matrix/);
    const e = JSON.parse(readFileSync(json, 'utf8'));
    expect(Object.keys(e)).toEqual(expect.arrayContaining(['n', 'accuracy', 'macro_f1', 'weighted_f1', 'per_class', 'confusion']));
    expect(e.n).toBe(30);
    expect(Object.keys(e.per_class)).toEqual(['boot', 'graphic', 'network']);
    expect(Object.keys(e.per_class.boot)).toEqual(['precision', 'recall', 'f1', 'support']);
    expect(e.confusion.labels).toEqual(['boot', 'graphic', 'network']);
    expect(e.confusion.matrix.flat().reduce((a: number, b: number) => a + b, 0)).toBe(30);
    const diag = e.confusion.labels.reduce((s: number, _: string, i: number) => s + e.confusion.matrix[i][i], 0);
    expect(e.accuracy).toBeCloseTo(diag / 30, 10);
  });

  it('evaluates on a study folder and counts unknown labels as errors', async () => {
    const r = await bugcat(['evaluate', '--model', model, '--data', join(FIXTURES, 'study')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^reports\s+7$/m);
  });
});

// Several annotators (--label-column a,b, and --second-label-column): test/annotators.test.ts.
describe('a second annotator', () => {
  it('names a missing second label column', async () => {
    const r = await bugcat(['train', '--data', REPORTS, '--out', join(tmp(), 'm'), '--second-label-column', 'gemma', ...FAST]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/has no "gemma" column .*--second-label-column/);
  });
});

describe('bugcat cv', () => {
  it('cross-validates with seeded stratified folds, writing JSON and out-of-fold predictions', async () => {
    const dir = tmp();
    const r = await bugcat([
      'cv',
      '--data',
      REPORTS,
      '--folds',
      '3',
      '--json',
      join(dir, 'cv.json'),
      '--predictions',
      join(dir, 'oof.csv'),
      ...FAST,
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^mean ± std over the folds: accuracy [01]\.\d{3} ± 0\.\d{3}, macro-F1/m);
    expect(r.stdout).toMatch(/^ECE 0\.\d{3} pooled over all 30 out-of-fold predictions \(the 3 folds' own: 0\.\d{3} to 0\.\d{3};/m);
    const cv = JSON.parse(readFileSync(join(dir, 'cv.json'), 'utf8'));
    expect(cv.folds).toHaveLength(3);
    expect(cv.folds.reduce((s: number, f: { n: number }) => s + f.n, 0)).toBe(30);
    const oof = parse(readFileSync(join(dir, 'oof.csv')), { columns: true }) as Record<string, string>[];
    expect(oof).toHaveLength(30);
    expect(new Set(oof.map((o) => o.id)).size).toBe(30);
  });

  it('takes folds from a column', async () => {
    const csv = join(tmp(), 'folds.csv');
    const rows = parse(readFileSync(REPORTS), { columns: true }) as Record<string, string>[];
    const esc = (s: string) => `"${s.replace(/"/g, '""')}"`;
    writeFileSync(
      csv,
      'id,text,label,fold\n' + rows.map((x, i) => `${x.id},${esc(x.text)},${x.label},${i % 2 ? 'odd' : 'even'}`).join('\n'),
    );
    const r = await bugcat(['cv', '--data', csv, '--fold-column', 'fold', ...FAST]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^even\s+15\s/m);
    expect(r.stdout).toMatch(/^odd\s+15\s/m);
  });
});
