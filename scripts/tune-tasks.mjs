#!/usr/bin/env node
// Hyperparameters chosen across several tasks at once, never on one: each configuration is
// cross-validated on every task and size of scripts/tasks.mjs (the 17 categories, the mode
// taxonomy and the second annotator's labels; every labelled report of folds 1-4, and seeded
// subsamples of 300 and 1,000), paired split by split with the LinearSVC anchor
// (scripts/anchor-splits.py, run once per task and size and cached). Fold 0 is never read.
//   node scripts/tune-tasks.mjs CONFIGS.mjs [--out RESULTS.jsonl] [--only cat17-300,mode-full] [--draws N]
// --draws N: N seeded subsamples per held-out fold at 300 and 1,000 (default 2 at 300, 1 at 1,000);
// the first ones are the same subsamples whatever N, so results of fewer draws are reused.
// The check tasks of scripts/tasks.mjs (CHECK_TASKS: two-category and four-category tasks cut
// from the 17 categories) run only when --only names them.
// CONFIGS.mjs exports default [{ name, hp: ({ n, k }) => overrides, unlabelled?: true }, ...].
// Results are appended one line per (config, task, size, split), and a configuration already
// in RESULTS.jsonl is not run again: an interrupted search resumes where it stopped.
// Calibration is off (calibrationFolds 0) and one thread is used: calibration changes
// confidences, never the predicted label, and the machine is shared.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { evaluate, train } from 'bugcat';
import { CHECK_TASKS, loadCorpus, splitsOf, taskRows, writePlan } from './tasks.mjs';

const argv = process.argv.slice(2);
const opt = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const configs = (await import(resolve(argv[0]))).default;
const cache = opt('--cache', join(tmpdir(), 'bugcat-tune-tasks'));
const out = opt('--out', join(cache, 'results.jsonl'));
const only = opt('--only', '')?.split(',').filter(Boolean);
const drawsOpt = opt('--draws', undefined);
const defaultDraws = (size) => (size === 300 ? 2 : 1);
const drawsAt = (size) => (size === 'full' ? 1 : drawsOpt !== undefined ? Number(drawsOpt) : defaultDraws(size));
mkdirSync(cache, { recursive: true });
const root = new URL('..', import.meta.url).pathname;
export const TASKS = ['cat17', 'mode', 'gemma'];
export const SIZES = [300, 1000, 'full'];

const done = new Set(
  existsSync(out)
    ? readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const r = JSON.parse(l);
          return `${r.config}|${r.task}|${r.size}|${r.split}`;
        })
    : [],
);
const corpus = loadCorpus();
for (const size of SIZES) {
  for (const task of [...TASKS, ...Object.keys(CHECK_TASKS)]) {
    if (only.length ? !only.includes(`${task}-${size}`) : !TASKS.includes(task)) continue;
    const rows = taskRows(corpus, task);
    const splits = splitsOf(corpus, rows, { size, draws: drawsAt(size) });
    const anchorFile = join(cache, `anchor-${task}-${size}${drawsAt(size) === defaultDraws(size) ? '' : `-d${drawsAt(size)}`}.json`);
    if (!existsSync(anchorFile)) {
      const plan = writePlan(rows, splits);
      execFileSync('/usr/bin/python3', [join(root, 'scripts', 'anchor-splits.py'), plan.rows, plan.plan, anchorFile], {
        stdio: ['ignore', 'ignore', 'inherit'],
      });
    }
    const anchor = JSON.parse(readFileSync(anchorFile, 'utf8')).splits;
    for (const c of configs) {
      for (const s of splits) {
        if (done.has(`${c.name}|${task}|${size}|${s.name}`)) continue;
        const labels = [...new Set(s.train.map((i) => rows[i].label))];
        const hp = { calibrationFolds: 0, ...c.hp({ n: s.train.length, k: labels.length }) };
        const t0 = performance.now();
        const model = await train(
          { ids: s.train.map((i) => rows[i].id), texts: s.train.map((i) => rows[i].text), labels: s.train.map((i) => rows[i].label) },
          {
            hyperparameters: hp,
            threads: 1,
            ...(c.unlabelled ? { unlabelled: s.unlabelled } : {}),
            ...(c.options?.({ n: s.train.length, k: labels.length }) ?? {}),
          },
        );
        const seconds = (performance.now() - t0) / 1000;
        const e = evaluate(model, {
          ids: s.test.map((i) => rows[i].id),
          texts: s.test.map((i) => rows[i].text),
          labels: s.test.map((i) => rows[i].label),
        });
        const a = anchor.find((x) => x.split === s.name);
        const r = {
          config: c.name,
          task,
          size,
          split: s.name,
          n: e.n,
          accuracy: e.accuracy,
          macro_f1: e.macro_f1,
          anchor: a.accuracy,
          anchor_f1: a.macro_f1,
          seconds,
          hp: model.hyperparameters,
          tune: model.summary.autotune?.best,
        };
        appendFileSync(out, JSON.stringify(r) + '\n');
        process.stderr.write(
          `${c.name.padEnd(24)} ${task}-${size} ${s.name}: ${e.accuracy.toFixed(3)} (anchor ${a.accuracy.toFixed(3)}, ${((e.accuracy - a.accuracy) * 100).toFixed(1)}) ${seconds.toFixed(1)} s\n`,
        );
      }
    }
  }
}
