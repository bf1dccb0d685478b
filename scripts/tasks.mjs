// The tasks bugcat's defaults are chosen on and benched on, as paired evaluation plans: for each
// split, which labelled reports train, which test, and which texts are offered as unlabelled.
// The corpus stays in ../shared/data; plans are written to a temporary folder, never into the project.
//
// Tasks: `cat17` (deepseek's 17 categories), `mode` (system or user mode, qemu-mode.csv), `gemma`
// (the second annotator's labels of the same reports). Sizes: `full` (every labelled report of
// the training folds), or a number (a seeded random subsample of that many labelled reports of the
// training folds, `draws` of them per held-out fold). The held-out fold is scored whole.
// Unlabelled texts of a split: every QEMU report of the training folds that is not among its
// labelled training reports (labelled or not in any taxonomy), and the 2,110 GitHub issues of
// Box64 and FEX. The held-out fold's texts are never offered, nor fold 0's unless asked for.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

export const SHARED_DATA = new URL('../../shared/data', import.meta.url).pathname;
const EXCLUDED = new Set(['', 'manual-review']);

/** mulberry32, as bugcat's Rng: the same seed gives the same subsample in every run. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/** The items in a seeded random order (Fisher-Yates). */
export function shuffled(items, seed) {
  const r = rng(seed);
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** The corpus, read once: QEMU reports (id, text, label, label_gemma, fold), mode labels, GitHub issues. `withFold0` false leaves fold 0 out entirely. */
export function loadCorpus({ dataDir = SHARED_DATA, withFold0 = false } = {}) {
  const fold = new Map(parse(readFileSync(join(dataDir, 'split.csv')), { columns: true }).map((r) => [r.id, r.fold]));
  const keep = (id) => withFold0 || fold.get(id) !== '0';
  const reports = parse(readFileSync(join(dataDir, 'qemu-reports.csv')), { columns: true })
    .filter((r) => keep(r.id))
    .map((r) => ({ ...r, fold: fold.get(r.id) }));
  const mode = parse(readFileSync(join(dataDir, 'qemu-mode.csv')), { columns: true })
    .filter((r) => keep(r.id))
    .map((r) => ({ ...r, fold: fold.get(r.id) }));
  const github = parse(readFileSync(join(dataDir, 'github-issues.csv')), { columns: true, relax_quotes: true }).map((r) => ({
    id: r.id,
    text: r.text,
  }));
  return { reports, mode, github };
}

/**
 * Check tasks, for whether an effect seen on one taxonomy follows the number of categories: the
 * 17 categories' reports of some categories only, with their labels (two and four categories).
 */
export const CHECK_TASKS = {
  top2: ['device', 'mistranslation'],
  devper: ['device', 'peripherals'],
  othhyp: ['other', 'hypervisor'],
  top4: ['device', 'other', 'mistranslation', 'hypervisor'],
};

/** A task's labelled rows: { id, text, label, fold }. */
export function taskRows(corpus, task) {
  if (CHECK_TASKS[task]) {
    const keep = new Set(CHECK_TASKS[task]);
    return corpus.reports.filter((r) => keep.has(r.label)).map(({ id, text, label, fold }) => ({ id, text, label, fold }));
  }
  if (task === 'cat17')
    return corpus.reports.filter((r) => !EXCLUDED.has(r.label)).map(({ id, text, label, fold }) => ({ id, text, label, fold }));
  if (task === 'gemma')
    return corpus.reports
      .filter((r) => !EXCLUDED.has(r.label_gemma))
      .map(({ id, text, label_gemma, fold }) => ({ id, text, label: label_gemma, fold }));
  if (task === 'mode') return corpus.mode.map(({ id, text, label, fold }) => ({ id, text, label, fold }));
  throw new Error(`unknown task ${task}`);
}

/**
 * The splits of a task at a size: for each held-out fold (`folds`), `draws` seeded subsamples
 * of `size` labelled reports from the other folds (or all of them for `full`), with the ids of
 * the unlabelled texts offered beside them. Row numbers index `rows`.
 */
export function splitsOf(corpus, rows, { size = 'full', folds = ['1', '2', '3', '4'], draws = 1, seed = 19 } = {}) {
  const splits = [];
  for (const held of folds) {
    const test = rows.flatMap((r, i) => (r.fold === held ? [i] : []));
    const pool = rows.flatMap((r, i) => (r.fold !== held && folds.includes(r.fold) ? [i] : []));
    for (let d = 0; d < (size === 'full' ? 1 : draws); d++) {
      const train =
        size === 'full'
          ? pool
          : shuffled(pool, seed * 1000 + Number(held) * 10 + d)
              .slice(0, size)
              .sort((a, b) => a - b);
      const labelled = new Set(train.map((i) => rows[i].id));
      const unlabelled = [
        ...corpus.reports.filter((r) => r.fold !== held && folds.includes(r.fold) && !labelled.has(r.id)).map((r) => r.text),
        ...corpus.github.map((r) => r.text),
      ];
      splits.push({ name: size === 'full' ? held : `${held}.${d}`, held, train, test, unlabelled });
    }
  }
  return splits;
}

/** Writes a task's rows and splits for the anchor (scripts/anchor-splits.py): rows.csv and plan.json in `dir`. */
export function writePlan(rows, splits, dir = mkdtempSync(join(tmpdir(), 'bugcat-plan-'))) {
  writeFileSync(
    join(dir, 'rows.csv'),
    stringify(
      rows.map((r, i) => ({ row: i, text: r.text, label: r.label })),
      { header: true, columns: ['row', 'text', 'label'] },
    ),
  );
  writeFileSync(join(dir, 'plan.json'), JSON.stringify(splits.map((s) => ({ name: s.name, train: s.train, test: s.test }))));
  return { dir, rows: join(dir, 'rows.csv'), plan: join(dir, 'plan.json') };
}
