/**
 * predict --out-dir read by the bug study's own scripts (issue 26): a temporary copy of the
 * study sample (../shared/data/study-sample, never copied into the project) gets a bugcat run in
 * results/classifier/<run>; the study's classification/tools/create_diff.py compares it with the
 * deepseek-r1:14b run, and create_csv.py counts its categories, and both must agree with counts
 * made here, independently, from the files.
 */
import { chmodSync, cpSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { bugcat, ROOT, run, tmp } from './helpers.js';

/**
 * The sample: $BUGCAT_STUDY_SAMPLE, or ../shared/data/study-sample beside the repository (for a
 * git worktree elsewhere, beside its main checkout).
 */
const SAMPLE =
  [
    process.env.BUGCAT_STUDY_SAMPLE,
    join(ROOT, '..', 'shared', 'data', 'study-sample'),
    mainCheckout() && join(mainCheckout()!, '..', 'shared', 'data', 'study-sample'),
  ].find((p): p is string => p !== undefined && existsSync(p)) ?? join(ROOT, '..', 'shared', 'data', 'study-sample');

function mainCheckout(): string | undefined {
  try {
    const common = execFileSync('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], { cwd: ROOT, encoding: 'utf8' });
    return dirname(common.trim());
  } catch {
    return undefined;
  }
}
const MODEL = join(ROOT, 'models', 'qemu');
const present = existsSync(join(SAMPLE, 'classification', 'tools', 'create_diff.py'));
const python = present ? await run('python3', ['--version']) : undefined;
const usable = present && python?.status === 0;
if (!usable)
  console.warn(`skipping the study-script tests: ${present ? 'python3 is not available' : `the study sample is missing (${SAMPLE})`}`);

/** Every file's category folder under `dir` (file name to folder), as create_diff.py matches runs: by file name. */
function categoriesOf(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const category of readdirSync(dir)) {
    if (!statSync(join(dir, category)).isDirectory()) continue;
    for (const file of readdirSync(join(dir, category))) out.set(file, category);
  }
  return out;
}

/** Files of both runs whose category folder differs, matched by file name. */
function disagreements(a: Map<string, string>, b: Map<string, string>): string[] {
  return [...a].filter(([file, cat]) => b.has(file) && b.get(file) !== cat).map(([file]) => file);
}

/** A categories.csv as written by the study (`category, count`), as a map. */
function countsIn(path: string): Map<string, number> {
  const [head, ...rows] = readFileSync(path, 'utf8').trim().split('\n');
  expect(head).toBe('category, count');
  return new Map(rows.map((r) => [r.split(', ')[0], Number(r.split(', ')[1])]));
}

const tally = (m: Map<string, string>) => {
  const out = new Map<string, number>();
  for (const c of m.values()) out.set(c, (out.get(c) ?? 0) + 1);
  return out;
};
const sorted = (m: Map<string, number>) => [...m].sort((x, y) => (x[0] < y[0] ? -1 : 1));

describe.skipIf(!usable)("predict --out-dir, read by the study's create_diff.py and create_csv.py", () => {
  let root: string;
  let classifier: string;
  let tools: string;
  beforeAll(() => {
    root = join(tmp(), 'study');
    cpSync(SAMPLE, root, { recursive: true });
    // The sample ships read-only; the scripts write into the copy.
    const writable = (p: string) => {
      chmodSync(p, statSync(p).isDirectory() ? 0o755 : 0o644);
      if (statSync(p).isDirectory()) for (const e of readdirSync(p)) writable(join(p, e));
    };
    writable(root);
    classifier = join(root, 'results', 'classifier');
    tools = join(root, 'classification', 'tools');
  });

  /** Predicts `input` into results/classifier/<runName> in `layout`; the predictions as CSV rows. */
  async function predictRun(input: string, runName: string, layout: 'llm' | 'flat') {
    const r = await bugcat([
      'predict',
      '--model',
      MODEL,
      input,
      '--out-dir',
      join(classifier, runName),
      '--layout',
      layout,
      '--format',
      'csv',
      '--jobs',
      '1',
    ]);
    expect(r.status, r.stderr).toBe(0);
    return parse(r.stdout, { columns: true }) as Record<string, string>[];
  }

  /** create_diff.py OLD NEW, run as the study runs it (from tools/); its change count and the files it lists. */
  async function createDiff(old: string, run_: string) {
    const r = await run('python3', ['create_diff.py', old, run_], { cwd: tools });
    expect(r.status, r.stderr).toBe(0);
    const [head, ...lines] = readFileSync(join(classifier, run_, `${old}-${run_}`), 'utf8')
      .trim()
      .split('\n');
    const count = Number(/^(\d+) changes:$/.exec(head)?.[1]);
    return { count, files: lines.map((l) => l.split(': ')[0]).sort() };
  }

  it("the GitLab issues_text folder in the llm layout: ids are the study's (base names), and create_diff agrees with an independent count", async () => {
    const input = join(root, 'results', 'scraper', 'gitlab', 'issues_text');
    const rows = await predictRun(input, 'bugcat-gitlab', 'llm');
    const names = readdirSync(input, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(rows.map((x) => x.id).sort()).toEqual(names.map((e) => e.name).sort());
    const ours = categoriesOf(join(classifier, 'bugcat-gitlab', 'output'));
    expect([...ours].sort()).toEqual(rows.map((x) => [x.id, x.label]).sort());
    const theirs = categoriesOf(join(classifier, 'deepseek-r1:14b', 'output'));
    const diff = await createDiff('deepseek-r1:14b', 'bugcat-gitlab');
    const expected = disagreements(theirs, ours).sort();
    expect(diff.count).toBe(expected.length);
    expect(diff.files).toEqual(expected);
  });

  it("the deepseek-r1:14b run's own reports in the llm layout: every disagreement counted, none more, and create_csv counts what bugcat counted", async () => {
    const rows = await predictRun(join(classifier, 'deepseek-r1:14b', 'output'), 'bugcat-deepseek', 'llm');
    const ours = categoriesOf(join(classifier, 'bugcat-deepseek', 'output'));
    const theirs = categoriesOf(join(classifier, 'deepseek-r1:14b', 'output'));
    expect(ours.size).toBe(theirs.size);
    const expected = disagreements(theirs, ours).sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(theirs.size);
    const diff = await createDiff('deepseek-r1:14b', 'bugcat-deepseek');
    expect(diff.count).toBe(expected.length);
    expect(diff.files).toEqual(expected);
    // create_csv.py -d counts the category folders it is given: the run's output/ here.
    const out = join(classifier, 'bugcat-deepseek', 'output');
    const bugcatCounts = countsIn(join(out, 'categories.csv'));
    const r = await run('python3', ['create_csv.py', '-d', out], { cwd: tools });
    expect(r.status, r.stderr).toBe(0);
    const studyCounts = countsIn(join(out, 'categories.csv'));
    expect(sorted(studyCounts)).toEqual(sorted(tally(ours)));
    expect(sorted(bugcatCounts)).toEqual(sorted(studyCounts));
    expect([...studyCounts.values()].reduce((a, b) => a + b, 0)).toBe(rows.length);
  });

  it('the flat layout, as the zero-shot runs: create_csv -d on the run counts what bugcat counted; create_diff compares it with a zero-shot run', async () => {
    const input = join(root, 'results', 'scraper', 'gitlab', 'issues_text');
    await predictRun(input, 'bugcat-flat', 'flat');
    const dir = join(classifier, 'bugcat-flat');
    const ours = categoriesOf(dir);
    const bugcatCounts = countsIn(join(dir, 'categories.csv'));
    const r = await run('python3', ['create_csv.py', '-d', dir], { cwd: tools });
    expect(r.status, r.stderr).toBe(0);
    const studyCounts = countsIn(join(dir, 'categories.csv'));
    expect(sorted(studyCounts)).toEqual(sorted(tally(ours)));
    expect(sorted(bugcatCounts)).toEqual(sorted(studyCounts));
    const diff = await createDiff('zero-shot-multi', 'bugcat-flat');
    expect(diff.count).toBe(disagreements(categoriesOf(join(classifier, 'zero-shot-multi')), ours).length);
  });
});
