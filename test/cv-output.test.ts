/**
 * cv's output for a person who digs in: every report's out-of-fold prediction with its given
 * label(s), fold and top-k labels; the per-class table and confusion matrix pooled over folds.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { crossValidate, readAllReports, readReports } from '../src/index.js';
import { bugcat, FAST, REPORTS, tmp } from './helpers.js';

describe('cv output', () => {
  it('writes the given labels, the fold and the top-k labels of every report, and prints the pooled table and confusion matrix', async () => {
    const dir = tmp();
    // The fixtures with a second annotator, who calls every boot report "booting".
    const fixture = parse(readFileSync(REPORTS), { columns: true }) as Record<string, string>[];
    const csv = join(dir, 'two.csv');
    writeFileSync(
      csv,
      stringify(
        fixture.map((x) => ({ ...x, gemma: x.label === 'boot' ? 'booting' : x.label })),
        { header: true },
      ),
    );
    const oof = join(dir, 'oof.csv');
    const r = await bugcat([
      'cv',
      '--data',
      csv,
      '--folds',
      '3',
      '--predictions',
      oof,
      '--top',
      '2',
      '--second-label-column',
      'gemma',
      ...FAST,
    ]);
    expect(r.status).toBe(0);
    const rows = parse(readFileSync(oof), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0])).toEqual(['id', 'given', 'given_gemma', 'fold', 'label', 'confidence', 'label_2', 'confidence_2']);
    const given = new Map(fixture.map((x) => [x.id, x.label]));
    expect(rows).toHaveLength(30);
    for (const row of rows) {
      expect(row.given).toBe(given.get(row.id));
      expect(row.given_gemma).toBe(row.given === 'boot' ? 'booting' : row.given);
      expect(['1', '2', '3']).toContain(row.fold);
      expect(row.label_2).not.toBe(row.label);
      expect(Number(row.confidence)).toBeGreaterThanOrEqual(Number(row.confidence_2));
    }
    // Each fold holds a third of the reports (stratified: a third of each category).
    for (const f of ['1', '2', '3']) expect(rows.filter((x) => x.fold === f)).toHaveLength(10);

    expect(r.stdout).toMatch(/^pooled over the folds/m);
    const table = [...r.stdout.matchAll(/^(boot|graphic|network)\s+[01]\.\d{3}\s+[01]\.\d{3}\s+[01]\.\d{3}\s+(\d+)$/gm)];
    expect(table.map((m) => m[1])).toEqual(['boot', 'graphic', 'network']);
    expect(table.reduce((s, m) => s + Number(m[2]), 0)).toBe(30);
    const matrix = [...r.stdout.matchAll(/^ ?\d (boot|graphic|network)\s+(\d+)\s+(\d+)\s+(\d+)$/gm)];
    expect(matrix).toHaveLength(3);
    expect(matrix.reduce((s, m) => s + Number(m[2]) + Number(m[3]) + Number(m[4]), 0)).toBe(30);
  });

  it("gives the ECE pooled over every out-of-fold prediction with the folds' range, in text, JSON, HTML and the library result", async () => {
    const dir = tmp();
    const json = join(dir, 'cv.json');
    const html = join(dir, 'cv.html');
    const r = await bugcat(['cv', '--data', REPORTS, '--folds', '3', '--json', json, '--html', html, ...FAST]);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(readFileSync(json, 'utf8')) as {
      folds: { ece: number; accuracy: number; hyperparameters: object }[];
      mean: Record<string, number>;
      pooled: Record<string, number>;
      range: Record<string, { min: number; max: number }>;
    };
    const eces = j.folds.map((f) => f.ece);
    expect(j.range.ece).toEqual({ min: Math.min(...eces), max: Math.max(...eces) });
    expect(j.range.accuracy).toEqual({
      min: Math.min(...j.folds.map((f) => f.accuracy)),
      max: Math.max(...j.folds.map((f) => f.accuracy)),
    });
    expect(Object.keys(j.pooled)).toEqual(['accuracy', 'macro_f1', 'weighted_f1', 'ece']);
    const f3 = (x: number) => x.toFixed(3);
    // The text: the pooled ECE with the folds' range, the same as the pooled table's, and no ECE mean ± std.
    expect(r.stdout).toContain(
      `ECE ${f3(j.pooled.ece)} pooled over all 30 out-of-fold predictions (the 3 folds' own: ${f3(j.range.ece.min)} to ${f3(j.range.ece.max)};`,
    );
    expect(r.stdout).toMatch(new RegExp(`^calibration error \\(ECE, 10 bins\\)\\s+${f3(j.pooled.ece)}$`, 'm'));
    expect(r.stdout).not.toMatch(/ECE \d\.\d{3} ± /);
    // The page: the pooled ECE with the folds' range on its card, and a pooled row in the folds' table.
    const page = readFileSync(html, 'utf8');
    expect(page).toContain(
      `<span class="value">${f3(j.pooled.ece)} <span class="name">folds ${f3(j.range.ece.min)}–${f3(j.range.ece.max)}</span></span><span class="name">calibration error (ECE)</span>`,
    );
    expect(page).toMatch(
      new RegExp(
        `<td>pooled \\(all 30 out-of-fold predictions\\)</td>(<td class="num">\\d\\.\\d{3}</td>){3}<td class="num">${f3(j.pooled.ece)}</td>`,
      ),
    );

    const reports = readReports(REPORTS, { labelColumn: 'label' });
    const lib = await crossValidate(reports, { folds: 3, hyperparameters: { epochs: 10, hidden: 16, batchSize: 4 } });
    const libEces = lib.folds.map((f) => f.ece);
    expect(lib.range.ece).toEqual({ min: Math.min(...libEces), max: Math.max(...libEces) });

    // The same run says which hyperparameters every fold's model took by rule, in the text, the page
    // and each fold of the JSON.
    expect(r.stdout).toContain("every fold's model trained with members 4 (by rule or search)\n");
    expect(page).toContain('once per fold on the other folds; every fold&#39;s model trained with members 4');
    expect(page).toMatch(/<tr><td><code>members<\/code><\/td><td class="num">2<\/td><td class="num"><\/td><td>4 in every fold<\/td>/);
    expect(j.folds).toHaveLength(3);
    for (const f of j.folds) expect(f.hyperparameters).toMatchObject({ epochs: 10, hidden: 16, members: 4 });
  });

  it("says in the text, the JSON and the page that --unlabelled and --autotune shaped every fold's model", async () => {
    const dir = tmp();
    const json = join(dir, 'cv.json');
    const html = join(dir, 'cv.html');
    const flags = ['--unlabelled', REPORTS, '--autotune', '--autotune-trials', '2', '--autotune-budget', '30'];
    const r = await bugcat(['cv', '--data', REPORTS, '--folds', '3', '--json', json, '--html', html, ...flags, ...FAST]);
    expect(r.status, r.stderr).toBe(0);
    const n = readAllReports([REPORTS]).texts.length;
    const words = `--autotune (within 30 s or 2 trials) --unlabelled (${n} reports without labels)`;
    expect(r.stdout).toContain(`each fold's model trained with ${words.replace(') --', '), --')}`);
    const j = JSON.parse(readFileSync(json, 'utf8'));
    expect(j.autotune).toEqual({ budget_seconds: 30, trials: 2 });
    expect(j.unlabelled).toEqual({ reports: n });
    expect(j.self_training).toBeUndefined();
    expect(readFileSync(html, 'utf8')).toContain(`bugcat train ${words}, once per fold on the other folds`);
    const plain = await bugcat(['cv', '--data', REPORTS, '--folds', '3', '--json', json, ...FAST]);
    expect(plain.stdout).not.toContain("each fold's model trained with");
    expect(JSON.parse(readFileSync(json, 'utf8')).unlabelled).toBeUndefined();
  });

  it('crossValidate pools the out-of-fold predictions and gives each its fold and every label asked for', async () => {
    const reports = readReports(REPORTS, { labelColumn: 'label' });
    const cv = await crossValidate(reports, { folds: 3, top: 3, hyperparameters: { epochs: 10, hidden: 16, batchSize: 4 } });
    expect(cv.pooled.n).toBe(30);
    const correct = cv.predictions.filter((p, i) => p.label === reports.labels![i]).length;
    expect(cv.pooled.accuracy).toBeCloseTo(correct / 30, 9);
    for (const p of cv.predictions) {
      expect(p.top.map((t) => t.label).sort()).toEqual(['boot', 'graphic', 'network']);
      expect(p.top[0]).toEqual({ label: p.label, probability: p.confidence });
      expect(cv.folds.map((f) => f.fold)).toContain(p.fold);
    }
    // Each fold's model's hyperparameters: the ones given, and the rules' for the rest (4 members below 2,000 reports in 3 categories).
    for (const f of cv.folds) expect(f.hyperparameters).toMatchObject({ epochs: 10, hidden: 16, batchSize: 4, members: 4 });
  });

  it("says nothing of the folds' hyperparameters when the flags gave them all", async () => {
    // --members 4, the rule's value below 2,000 reports, given as a flag: nothing was chosen by rule.
    const all = await bugcat(['cv', '--data', REPORTS, '--folds', '3', '--members', '4', ...FAST]);
    expect(all.status, all.stderr).toBe(0);
    expect(all.stdout).not.toContain("fold's model trained with");
  });
});
