#!/usr/bin/env node
// npm run bench runs this after bench.mjs (npm run bench -- --quick skips it; node scripts/bench-tasks.mjs --quick runs a small part).
// bugcat on several tasks and sizes, paired split by split with the LinearSVC anchor (scripts/anchor-splits.py), all in this run:
//   1. paired CV on the split's folds 1-4 for the 17 categories and the mode taxonomy, each with every
//      labelled report of the training folds and with 1,000 and 300 of them (seeded subsamples, 2 per
//      held-out fold at 300; the rest of the texts offered as unlabelled): bugcat with its defaults,
//      with --autotune, and with --unlabelled;
//   2. a learning curve on fold 0 (trained on seeded subsamples of folds 1-4 of 250 to 4,000 reports):
//      bugcat with its defaults and the anchor.
// Figures are printed and written as JSON (.bench/bench-tasks.json), never asserted.
//   node scripts/bench-tasks.mjs [--quick] [--budget SECONDS] [--draws N] [--json FILE] [--tasks cat17,mode] [--sizes 300,1000,full]
//     [--variants defaults,autotune,unlabelled] (--variants defaults with --draws 4: the defaults beside the anchor on more splits, in minutes)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { evaluate, train } from 'bugcat';
import { loadCorpus, shuffled, splitsOf, taskRows, writePlan } from './tasks.mjs';

const root = new URL('..', import.meta.url).pathname;
const argv = process.argv.slice(2);
const opt = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const quick = argv.includes('--quick');
const budget = Number(opt('--budget', quick ? 15 : 45));
const jsonOut = opt('--json', join(root, '.bench', 'bench-tasks.json'));
const tasks = opt('--tasks', 'cat17,mode').split(',');
const sizes = opt('--sizes', quick ? '300' : '300,1000,full')
  .split(',')
  .map((s) => (s === 'full' ? 'full' : Number(s)));
const curveSizes = quick ? [250, 1000] : [250, 500, 1000, 2000, 4000];
const draws = Number(opt('--draws', 1));
// The defaults always run (every line compares with them); autotune and unlabelled as asked.
const variants = [
  'defaults',
  ...opt('--variants', 'defaults,autotune,unlabelled')
    .split(',')
    .filter((v) => v !== 'defaults'),
];
for (const v of variants)
  if (!['defaults', 'autotune', 'unlabelled'].includes(v)) throw new Error(`unknown variant ${v}: defaults, autotune or unlabelled`);
const say = (s) => process.stderr.write(`${s}\n`);
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
const fmt = (x, d = 3) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));

function anchorOn(rows, splits) {
  const plan = writePlan(rows, splits);
  const out = join(plan.dir, 'anchor.json');
  execFileSync('/usr/bin/python3', [join(root, 'scripts', 'anchor-splits.py'), plan.rows, plan.plan, out], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const result = JSON.parse(readFileSync(out, 'utf8')).splits;
  rmSync(plan.dir, { recursive: true, force: true });
  return result;
}

const part = (rows, idx) => ({
  ids: idx.map((i) => rows[i].id),
  texts: idx.map((i) => rows[i].text),
  labels: idx.map((i) => rows[i].label),
});
const VARIANTS = {
  defaults: () => ({}),
  autotune: () => ({ autotune: { budgetSeconds: budget } }),
  unlabelled: (s) => ({ unlabelled: s.unlabelled }),
};

const result = { budgetSeconds: budget, tasks: [], curve: [] };
// 1. Paired CV on folds 1-4 (fold 0 is not read here).
const corpus = loadCorpus();
for (const task of tasks) {
  const rows = taskRows(corpus, task);
  for (const size of sizes) {
    const splits = splitsOf(corpus, rows, { size, draws: size === 'full' ? 1 : draws }).slice(0, quick ? 2 : undefined);
    say(`${task} ${size}: anchor on ${splits.length} splits ...`);
    const anchor = anchorOn(rows, splits);
    const entry = { task, size, splits: [] };
    for (const s of splits) {
      const a = anchor.find((x) => x.split === s.name);
      const row = {
        split: s.name,
        n: s.test.length,
        train: s.train.length,
        anchor: { accuracy: a.accuracy, macro_f1: a.macro_f1, seconds: a.seconds },
      };
      for (const [name, extra] of Object.entries(VARIANTS).filter(([name]) => variants.includes(name))) {
        const t0 = performance.now();
        const model = await train(part(rows, s.train), { ...extra(s) });
        const seconds = (performance.now() - t0) / 1000;
        const e = evaluate(model, part(rows, s.test));
        row[name] = {
          accuracy: e.accuracy,
          macro_f1: e.macro_f1,
          seconds,
          ...(name === 'autotune' ? { trials: model.summary.autotune.trials.length, chosen: model.summary.autotune.chosen } : {}),
          ...(name === 'defaults' ? { byRule: model.summary.defaults.byRule } : {}),
        };
        say(
          `  ${task} ${size} split ${s.name} ${name.padEnd(10)} accuracy ${fmt(e.accuracy)} (anchor ${fmt(a.accuracy)}, ${fmt((e.accuracy - a.accuracy) * 100, 1)} points) ${seconds.toFixed(1)} s`,
        );
      }
      entry.splits.push(row);
    }
    result.tasks.push(entry);
    writeFileSync(jsonOut + '.partial', JSON.stringify(result, null, 1));
  }
}

// 2. The learning curve on fold 0: trained on seeded subsamples of folds 1-4.
const all = loadCorpus({ withFold0: true });
for (const task of tasks) {
  const rows = taskRows(all, task);
  const test = rows.flatMap((r, i) => (r.fold === '0' ? [i] : []));
  const pool = rows.flatMap((r, i) => (r.fold !== '0' ? [i] : []));
  // Nested subsamples: one seeded order of the pool, and its first n reports.
  const order = shuffled(pool, 19);
  const splits = curveSizes
    .filter((n) => n <= pool.length)
    .map((n) => ({ name: String(n), train: order.slice(0, n).sort((a, b) => a - b), test }));
  if (!curveSizes.every((n) => n <= pool.length)) splits.push({ name: String(pool.length), train: pool, test });
  say(`${task}: learning curve on fold 0 (${splits.map((s) => s.train.length).join(', ')} reports) ...`);
  const anchor = anchorOn(rows, splits);
  for (const s of splits) {
    const t0 = performance.now();
    const model = await train(part(rows, s.train));
    const seconds = (performance.now() - t0) / 1000;
    const e = evaluate(model, part(rows, s.test));
    const a = anchor.find((x) => x.split === s.name);
    result.curve.push({
      task,
      train: s.train.length,
      n: s.test.length,
      bugcat: { accuracy: e.accuracy, macro_f1: e.macro_f1, seconds },
      anchor: { accuracy: a.accuracy, macro_f1: a.macro_f1, seconds: a.seconds },
    });
    say(`  ${task} ${s.train.length}: bugcat ${fmt(e.accuracy)} anchor ${fmt(a.accuracy)}`);
  }
}

// The tables.
const lines = [];
lines.push(
  `\n== paired CV on the split's folds 1-4, beside the anchor (tfidf(text+title+chars) LinearSVC bal) on the same splits, same run ==`,
);
lines.push(
  `(accuracy; difference to the anchor in points, mean ± sd over splits; autotune budget ${budget} s a model; ${draws} seeded subsample(s) per held-out fold at 300 and 1,000)`,
);
for (const t of result.tasks) {
  const sp = t.splits;
  const anchorAcc = mean(sp.map((s) => s.anchor.accuracy));
  const cell = (v, m = 'accuracy') => {
    const d = sp.map((s) => (s[v][m] - s.anchor[m === 'accuracy' ? 'accuracy' : 'macro_f1']) * 100);
    return `${fmt(mean(sp.map((s) => s[v][m])))} (${mean(d) >= 0 ? '+' : ''}${fmt(mean(d), 1)} ± ${fmt(sd(d), 1)})`;
  };
  const ran = variants.filter((v) => sp.every((s) => s[v]));
  const pad = ' '.repeat(t.task.length + 6);
  lines.push(
    `${t.task} ${String(t.size).padEnd(4)} (${sp.length} splits, ${sp[0].train} train): anchor ${fmt(anchorAcc)} | ${ran.map((v) => `${v} ${cell(v)}`).join(' | ')}`,
  );
  lines.push(
    `${pad}macro-F1: anchor ${fmt(mean(sp.map((s) => s.anchor.macro_f1)))} | ${ran.map((v) => `${v} ${cell(v, 'macro_f1')}`).join(' | ')}`,
  );
  const diff = sp.map((s) => (s.defaults.accuracy - s.anchor.accuracy) * 100);
  const more = [];
  if (ran.includes('unlabelled')) {
    const gain = sp.map((s) => (s.unlabelled.accuracy - s.defaults.accuracy) * 100);
    more.push(
      `--unlabelled over defaults ${mean(gain) >= 0 ? '+' : ''}${fmt(mean(gain), 1)} ± ${fmt(sd(gain), 1)} points at x${fmt(mean(sp.map((s) => s.unlabelled.seconds)) / mean(sp.map((s) => s.defaults.seconds)), 1)} the training time (${fmt(mean(sp.map((s) => s.defaults.seconds)), 1)} -> ${fmt(mean(sp.map((s) => s.unlabelled.seconds)), 1)} s)`,
    );
  }
  if (ran.includes('autotune'))
    more.push(`autotune ${fmt(mean(sp.map((s) => s.autotune.trials)), 1)} trials, ${fmt(mean(sp.map((s) => s.autotune.seconds)), 0)} s`);
  // The standard error of the defaults' mean difference, from the splits' sample sd (a lower bound: the splits share reports).
  const se = diff.length > 1 ? sd(diff) / Math.sqrt(diff.length - 1) : NaN;
  lines.push(
    `${pad}defaults by split ${diff.map((x) => fmt(x, 1)).join(' / ')} (standard error ${fmt(se, 1)})${more.length ? `; ${more.join('; ')}` : ''}`,
  );
}
lines.push(`\n== learning curve: trained on seeded subsamples of folds 1-4, scored on fold 0 (defaults; accuracy / macro-F1) ==`);
for (const task of tasks) {
  const c = result.curve.filter((x) => x.task === task);
  lines.push(
    `${task.padEnd(6)} ${c.map((x) => `${x.train}: bugcat ${fmt(x.bugcat.accuracy)} / ${fmt(x.bugcat.macro_f1)}, anchor ${fmt(x.anchor.accuracy)} / ${fmt(x.anchor.macro_f1)} (${x.bugcat.accuracy >= x.anchor.accuracy ? '+' : ''}${fmt((x.bugcat.accuracy - x.anchor.accuracy) * 100, 1)})`).join(' | ')}`,
  );
}
process.stdout.write(lines.join('\n') + '\n');
mkdirSync(dirname(jsonOut), { recursive: true });
writeFileSync(jsonOut, JSON.stringify(result, null, 2) + '\n');
rmSync(jsonOut + '.partial', { force: true });
say(`figures written to ${jsonOut}`);
