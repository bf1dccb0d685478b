/**
 * The HTML report of evaluate and cv (--html, --svg): what the page holds, that it needs
 * nothing from outside, and that commands without --html never load the charting library.
 * test/report-browser.test.ts opens the page in a real browser.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bugcat, FAST, ROOT, tmp } from './helpers.js';
import { reportFixture, type ReportFixture } from './report-helpers.js';
import { buildReport, CHART_NAMES, type ReportInput } from '../src/report/index.js';
import { thresholdFor } from '../src/report/data.js';
import { DEFAULTS, scorePredictions } from '../src/index.js';

let fx: ReportFixture;
let html: string;
let stdout: string;
let evaluation: { confusion: { labels: string[]; matrix: number[][] }; accuracy: number };

beforeAll(async () => {
  fx = await reportFixture();
  const out = join(fx.dir, 'report.html');
  const json = join(fx.dir, 'eval.json');
  const r = await bugcat([
    'evaluate',
    '--model',
    fx.model,
    '--data',
    fx.data,
    '--html',
    out,
    '--svg',
    join(fx.dir, 'charts'),
    '--json',
    json,
  ]);
  expect(r.stderr).not.toMatch(/error/);
  expect(r.status).toBe(0);
  html = readFileSync(out, 'utf8');
  stdout = r.stdout;
  evaluation = JSON.parse(readFileSync(json, 'utf8'));
});

/** The SVG of the figure holding chart `name`. */
const chartOf = (page: string, name: string) => {
  const m = new RegExp(`<figure class="chart" id="chart-${name}"[^>]*>\\s*(<svg[\\s\\S]*?</svg>)`).exec(page);
  expect(m, `chart ${name}`).not.toBeNull();
  return m![1];
};

describe('evaluate --html', () => {
  it('prints the same figures as without it', async () => {
    const plain = await bugcat(['evaluate', '--model', fx.model, '--data', fx.data]);
    expect(plain.status).toBe(0);
    expect(stdout).toBe(plain.stdout);
  });

  it('writes one page that needs nothing from outside: no script, no link, no remote address, a policy that forbids requests', () => {
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'/);
    expect(html).not.toMatch(/<script|<link|<iframe|<img|<object|<embed|@import/i);
    // url() only for fragments of the page itself (the legends' gradients).
    expect(html.match(/url\([^)]*\)/g)?.filter((u) => !/^url\(#[\w-]+\)$/.test(u)) ?? []).toEqual([]);
    expect(html.match(/\b(?:src|href|xlink:href)="[^"]*"/g)?.filter((a) => !/^href="#[\w-]+"$/.test(a)) ?? []).toEqual([]);
    // The only addresses are XML namespaces, which are names, never fetched.
    expect([...new Set(html.match(/https?:\/\/[^\s"')<]+/g))].sort()).toEqual([
      'http://www.w3.org/1999/xlink',
      'http://www.w3.org/2000/svg',
    ]);
  });

  it('draws every chart as an SVG with an accessible name, and writes each to --svg DIR too', () => {
    for (const name of CHART_NAMES) {
      const svg = chartOf(html, name);
      expect(svg).toMatch(
        /^<svg [^>]*role="graphics-document document"[^>]*aria-label="[^"]+"[^>]*><title>[^<]+<\/title><desc>[^<]+<\/desc>/,
      );
      expect(svg).toMatch(/class="[^"]*role-mark/);
      expect(readFileSync(join(fx.dir, 'charts', `${name}.svg`), 'utf8')).toBe(svg);
    }
    expect(readdirSync(join(fx.dir, 'charts')).sort()).toEqual(CHART_NAMES.map((n) => `${n}.svg`).sort());
  });

  it('shows the confusion matrix normalised by row, with every count in its cell and named on hover', () => {
    const svg = chartOf(html, 'confusion');
    const { labels, matrix } = evaluation.confusion;
    const texts = [...svg.matchAll(/<text [^>]*>(\d+)<\/text>/g)].map((m) => Number(m[1]));
    labels.forEach((truth, i) => {
      const support = matrix[i].reduce((a, b) => a + b, 0);
      labels.forEach((predicted, j) => {
        const n = matrix[i][j];
        if (n === 0) return;
        expect(texts).toContain(n);
        expect(svg).toContain(
          `<title>true ${truth}, predicted ${predicted}: ${n} of ${support} reports (${Math.round((100 * n) / support)} %)</title>`,
        );
      });
    });
    expect(svg).toMatch(/share of row/);
  });

  it('tabulates each category with precision, recall, F1 and support', () => {
    const table = /<caption>Per category[\s\S]*?<\/table>/.exec(html)![0];
    for (const label of evaluation.confusion.labels)
      expect(table).toMatch(new RegExp(`<td>${label}</td>(<td class="num">[\\d.]+</td>){5}`));
  });

  it('shows the reliability diagram with the calibration error, and the --min-confidence for target accuracies', () => {
    expect(chartOf(html, 'reliability')).toMatch(/calibration error \(ECE\) \d\.\d{3}/);
    const section = /<section id="confidence"[\s\S]*?<\/section>/.exec(html)![0];
    // Each target above the overall accuracy, with its threshold in the table or said to be out of reach.
    const reached = [...section.matchAll(/<tr><td class="num">(\d+) %<\/td><td class="num"><code>\d\.\d\d<\/code><\/td>/g)].map((m) =>
      Number(m[1]),
    );
    const missed =
      /No threshold keeps \d+ or more reports at ([\d %,]+) accuracy/
        .exec(section)?.[1]
        .split(', ')
        .map((t) => parseInt(t, 10)) ?? [];
    expect([...reached, ...missed].sort()).toEqual([60, 70, 80, 90, 95].filter((t) => t / 100 > evaluation.accuracy));
    expect(chartOf(html, 'coverage')).toMatch(/<path [^>]*><title>accuracy against the share of reports kept<\/title>/);
  });

  it('shows the labels of the training data, the scored reports and the predictions', () => {
    const svg = chartOf(html, 'labels');
    for (const source of ['training data', 'scored reports', 'predictions']) expect(svg).toContain(`>${source}</text>`);
  });

  it('lists the most confident errors, with the terms behind each answer', () => {
    const table = /<caption>The \d+ wrong answers[\s\S]*?<\/table>/.exec(html)![0];
    const rows = [...table.matchAll(/<tr><td class="id">([^<]+)<\/td><td>(\w+)<\/td><td>(\w+)<\/td><td class="num">([\d.]+)<\/td>/g)];
    expect(rows.length).toBeGreaterThan(0);
    for (const [, , truth, answer] of rows) expect(truth).not.toBe(answer);
    const confidences = rows.map((r) => Number(r[4]));
    expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
    expect(table).toMatch(/<th scope="col">terms behind the answer<\/th>/);
    expect(table).toMatch(/<span class="terms">[^<]+<\/span>/);
  });

  it("shows the model's card: data size, labels, hyperparameters, format version, dates", () => {
    const card = /<section id="card"[\s\S]*?<\/section>/.exec(html)![0];
    expect(card).toMatch(/<td>training reports<\/td><td>30<\/td>/);
    expect(card).toMatch(/<td>labels \(3\)<\/td><td>boot, graphic, network<\/td>/);
    expect(card).toMatch(/<td>model format version<\/td><td>\d+<\/td>/);
    expect(card).toMatch(/<td>saved<\/td><td>\d{4}-\d\d-\d\d \d\d:\d\d UTC<\/td>/);
    expect(card).toMatch(/<code>hidden<\/code><\/td><td class="num"><span class="changed">16<\/span><\/td><td class="num">64<\/td>/);
    expect(card).toMatch(/<code>seed<\/code><\/td><td class="num">1<\/td>/);
  });

  it('refuses a page it cannot write, as a data error', async () => {
    const r = await bugcat(['evaluate', '--model', fx.model, '--data', fx.data, '--html', join(fx.dir, 'no', 'such', 'dir', 'r.html')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^bugcat: error: cannot write .*r\.html/m);
  });
});

describe('cv --html', () => {
  it('reports the pooled out-of-fold predictions, with each fold', async () => {
    const out = join(tmp(), 'cv.html');
    const r = await bugcat(['cv', '--data', fx.data, '--folds', '3', ...FAST, '--html', out]);
    expect(r.status).toBe(0);
    const page = readFileSync(out, 'utf8');
    for (const name of CHART_NAMES) chartOf(page, name);
    expect(page).toMatch(/<h1>Cross-validation: .*relabelled\.csv in 3 folds<\/h1>/);
    expect(page).toMatch(/<caption>Each fold scored by a model trained on the others<\/caption>/);
    expect(page.match(/<td>fold \d \(\d+ reports\)<\/td>/g)).toHaveLength(3);
    expect(chartOf(page, 'labels')).toContain('>out-of-fold predictions</text>');
  });
});

describe('the command line', () => {
  it.each(['evaluate', 'cv'])('%s --help offers --html and --svg', async (cmd) => {
    const r = await bugcat([cmd, '--help']);
    expect(r.stdout).toMatch(/--html <file>/);
    expect(r.stdout).toMatch(/--svg <dir>/);
  });

  it('loads the report and its charting library only when asked: nothing reaches them by static imports', () => {
    // Follows the static imports of the built command line from its entry point.
    const seen = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const m of readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\s[^'";]*?from\s*'([^']+)'|^\s*import\s*'([^']+)'/gm)) {
        const spec = m[1] ?? m[2];
        if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
        else packages.add(spec.split('/')[0]);
      }
    };
    visit(join(ROOT, 'dist', 'cli', 'main.js'));
    for (const cmd of ['evaluate', 'cv', 'train', 'predict']) visit(join(ROOT, 'dist', 'cli', 'commands', `${cmd}.js`));
    expect(seen.size).toBeGreaterThan(10);
    expect([...seen].filter((f) => f.includes(`${join('dist', 'report')}`))).toEqual([]);
    expect([...packages].filter((p) => p.startsWith('vega'))).toEqual([]);
    expect(existsSync(join(ROOT, 'dist', 'report', 'index.js'))).toBe(true);
  });
});

describe('the report, built from given results', () => {
  const input = (texts: string[], labels: string[], predicted: string[], confidence: number[]): ReportInput => {
    const predictions = predicted.map((label, i) => ({ label, confidence: confidence[i] }));
    return {
      kind: 'evaluate',
      subject: 'a <model> & "data"',
      reports: { ids: texts.map((_, i) => `r<${i}>`), texts, labels },
      predictions,
      evaluation: scorePredictions(labels, predictions),
      card: { source: 'm', createdBy: 'bugcat 0.0.0', formatVersion: 2, trainingReports: 4, labels: ['a', 'b'], hyperparameters: DEFAULTS },
      date: new Date('2026-01-02T03:04:05Z'),
    };
  };

  it('escapes what the reports say', async () => {
    const { html: page } = await buildReport(
      input(['<script>alert(1)</script> & <b>bold</b>', 'fine'], ['a', 'b'], ['b', 'b'], [0.9, 0.8]),
    );
    expect(page).not.toMatch(/<script|<b>bold/);
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;');
    expect(page).toContain('<h1>Evaluation: a &lt;model&gt; &amp; &quot;data&quot;</h1>');
    expect(page).toContain('<td class="id">r&lt;0&gt;</td>');
    expect(page).toContain('Made 2026-01-02 03:04 UTC');
  });

  it("lists, on a cross-validation's card, the hyperparameters its folds' models took otherwise", async () => {
    const base = input(['one', 'two', 'three', 'four'], ['a', 'b', 'a', 'b'], ['a', 'b', 'b', 'b'], [0.9, 0.8, 0.6, 0.7]);
    const fold = (name: string, hp: Partial<typeof DEFAULTS>) => ({
      ...scorePredictions(['a', 'b'], [{ label: 'a' }, { label: 'b' }]),
      fold: name,
      ece: 0,
      hyperparameters: { ...DEFAULTS, ...hp },
    });
    const folds = [fold('1', { members: 4, epochs: 6 }), fold('2', { members: 4, epochs: 8 })];
    const stats = { accuracy: 1, macro_f1: 1, weighted_f1: 1, ece: 0 };
    const range = Object.fromEntries(Object.keys(stats).map((k) => [k, { min: 1, max: 1 }]));
    const { html: page } = await buildReport({ ...base, kind: 'cv', folds: { folds, mean: stats, std: stats, range } });
    const row = (name: string) => new RegExp(`<tr><td><code>${name}</code></td>(<td[^>]*>[^<]*</td>)*</tr>`).exec(page)?.[0];
    // One value in every fold, two values, and the card's own value in every fold (no words).
    expect(row('members')).toContain('<td>4 in every fold</td>');
    expect(row('epochs')).toContain('<td>fold 1: 6, fold 2: 8</td>');
    expect(row('hidden')).toMatch(/<td class="num"><\/td><td><\/td><td>/);
    expect(page).toContain('the folds&#39; models: where they took another value, by rule or search');
    // An evaluation's card has no such column.
    expect((await buildReport(base)).html).not.toContain('the folds&#39; models');
  });

  it('marks on the coverage chart the threshold that reaches a target accuracy', async () => {
    // 20 reports, the 12 most confident right: 100 % accurate keeping 12 of them.
    const n = 20;
    const confidence = Array.from({ length: n }, (_, i) => 0.99 - i * 0.03);
    const labels = Array.from({ length: n }, (_, i) => (i % 2 ? 'a' : 'b'));
    const predicted = labels.map((l, i) => (i < 12 ? l : l === 'a' ? 'b' : 'a'));
    const { html: page } = await buildReport(
      input(
        labels.map((l, i) => `report ${i}`),
        labels,
        predicted,
        confidence,
      ),
    );
    // Kept at 0.64 and above: confidences 0.99 .. 0.66, the 12 right ones (0.63 is the first wrong one).
    expect(page).toMatch(/<title>target accuracy 95 %: --min-confidence 0\.64 keeps 12 reports \(60 %\), accuracy 1\.000<\/title>/);
    expect(page).toContain('>95 % accurate: --min-confidence 0.64</text>');
  });

  it('proposes the lowest threshold, in hundredths, that keeps enough reports at the target accuracy', () => {
    // Confidences 0.95 .. 0.05 highest first: the first 4 right, then alternately wrong and right.
    const points = [
      { threshold: 0.95, coverage: 0.1, n: 1, accuracy: 1 },
      { threshold: 0.85, coverage: 0.2, n: 2, accuracy: 1 },
      { threshold: 0.75, coverage: 0.3, n: 3, accuracy: 1 },
      { threshold: 0.65, coverage: 0.4, n: 4, accuracy: 1 },
      { threshold: 0.55, coverage: 0.5, n: 5, accuracy: 0.8 },
      { threshold: 0.45, coverage: 0.6, n: 6, accuracy: 5 / 6 },
      { threshold: 0.35, coverage: 0.7, n: 7, accuracy: 5 / 7 },
    ];
    // 0.8 is reached keeping 6 reports (threshold 0.45), which any threshold above 0.35 and up to 0.45 keeps: 0.36.
    expect(thresholdFor(points, 0.8, 1)).toEqual({ target: 0.8, threshold: 0.36, coverage: 0.6, n: 6, accuracy: 5 / 6 });
    expect(thresholdFor(points, 1, 1)).toMatchObject({ threshold: 0.56, n: 4 });
    expect(thresholdFor(points, 1, 5)).toEqual({ target: 1 });
    expect(thresholdFor(points, 0.7, 1)).toMatchObject({ threshold: 0, n: 7 });
  });
});
