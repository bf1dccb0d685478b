#!/usr/bin/env node
// npm run bench runs this after bench-tasks.mjs (npm run bench -- --quick runs it with --quick).
// Learning curves of active learning, simulated with the labels we hold: start from 50 random labelled
// reports of folds 1-4, add reports chosen by selectForLabelling (`bugcat next`) or at random, train
// with the defaults at each step and score on fold 0; paired: each seed's first 50 are the same for
// every strategy. On the 17 categories (qemu-reports.csv, `label`) and the mode taxonomy (qemu-mode.csv).
//
// Strategies: random; next (selectForLabelling's defaults: margin x density x (1 - similarity), every
// other report drawn at random, --explore 0.5); doubt (the same, all ranked: --explore 0); margin
// (uncertainty alone: diversity 0, density 0, explore 0), to see whether uncertainty alone chases the
// LLMs' noisy labels; diverse (--strategies ...,diverse: density 0, diversity kept), to see what the
// density weight does; explore25, explore75 (a quarter, three quarters drawn), margin-explore
// (uncertainty alone, half drawn), density2 and diversity2 (the exponents at 2, nothing drawn); any of them with +st
// (its choices, the model scored self-trained) or +stloop (every model self-trained), below. For each chosen batch of the 17 categories the share whose two annotators
// (deepseek's `label`, gemma's `label_gemma`) disagree is printed: a strategy that picks reports the
// LLMs disagree on learns from noisier labels. Each task ends with the share of each strategy's
// choices whose own label the rest of the pool's labels contradict (out of fold): the same question
// where there is one annotator.
//
// One training on 1,000 reports takes 15-30 s on this 2-core machine when other work shares it, so the
// schedule is reduced: random is trained at --sizes only; the active strategies add 50 at a time up to
// 200, then 100 at a time up to 500 (--active-sizes; the target is random's 1,000-label figures with at
// most 500). Each step's result is cached in .bench/active/ (one JSON line per step), so a stopped run
// resumes; --fresh ignores the cache.
// The anchor, in the same run (scripts/anchor-active.py, with python3-sklearn; --no-anchor skips it): a
// LinearSVC on word 1-2-grams with plain margin sampling against random choice, from the same first 50 of
// the same seeds' orders, 50 at a time up to 1,000, scored on fold 0.
//   node scripts/bench-active.mjs [--quick] [--seeds 5] [--only-seeds 3,4] [--tasks cat17,mode] [--strategies random,next,doubt,next+st]
//     [--sizes 50,100,200,300,500,1000] [--active-sizes 50,100,150,200,300,400,500] [--fresh] [--data DIR] [--no-anchor]
//     [--test-fold 1]   (fold 1 scored, folds 2-4 the pool: inside folds 1-4, where settings are chosen)
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { audit, scorePredictions, selectForLabelling, train } from 'bugcat';
import { loadCorpus, shuffled, SHARED_DATA, taskRows } from './tasks.mjs';

const root = new URL('..', import.meta.url).pathname;
const argv = process.argv.slice(2);
const opt = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const quick = argv.includes('--quick');
const seeds = Number(opt('--seeds', quick ? 2 : 5));
// --only-seeds 3,4: compute those seeds' curves only (to spread a run over processes; a later run without it reads them from the cache).
const onlySeeds = opt('--only-seeds', undefined)?.split(',').map(Number);
const tasks = opt('--tasks', 'cat17,mode').split(',');
const strategies = opt('--strategies', quick ? 'random,next' : 'random,next,doubt,next+st').split(',');
const sizes = opt('--sizes', quick ? '50,100,200,300' : '50,100,200,300,500,1000')
  .split(',')
  .map(Number);
// The active strategies' schedule: each step's model chooses the reports up to the next size.
const activeSizes = opt('--active-sizes', quick ? '50,100,150,200,300' : '50,100,150,200,300,400,500')
  .split(',')
  .map(Number);
const activeMax = activeSizes.at(-1);
const step = activeSizes[1] - activeSizes[0];
const dataDir = opt('--data', existsSync(SHARED_DATA) ? SHARED_DATA : '/work/shared/data');
// --test-fold 1 (2, 3, 4): choose inside folds 1-4, as settings are chosen: that fold scored, the
// other three the pool, fold 0 never read. Its curves are cached apart from fold 0's.
const testFold = opt('--test-fold', '0');
if (!['0', '1', '2', '3', '4'].includes(testFold)) throw new Error(`--test-fold ${testFold}: expected a fold from 0 to 4`);
const poolFolds = ['1', '2', '3', '4'].filter((f) => f !== testFold);
const inPool = (r) => poolFolds.includes(r.fold);
// The pool's folds as a range where they follow on (1-4, 2-4, 1-3), else listed.
const foldsText = poolFolds.every((f, i) => i === 0 || Number(f) === Number(poolFolds[i - 1]) + 1)
  ? `${poolFolds[0]}-${poolFolds.at(-1)}`
  : poolFolds.join(', ');
const inTest = (r) => r.fold === testFold;
const cacheDir = join(root, '.bench', 'active', ...(testFold === '0' ? [] : [`test-fold-${testFold}`]));
if (argv.includes('--fresh')) rmSync(cacheDir, { recursive: true, force: true });
mkdirSync(cacheDir, { recursive: true });
const STRATEGY = {
  next: {},
  doubt: { explore: 0 },
  margin: { diversity: 0, density: 0, explore: 0 },
  diverse: { density: 0 },
  // How much to draw at random, and with what (README, "A new taxonomy with 200 labels"):
  explore25: { explore: 0.25 },
  explore75: { explore: 0.75 },
  'margin-explore': { diversity: 0, density: 0 },
  density2: { density: 2, explore: 0 },
  diversity2: { diversity: 2, explore: 0 },
};
// Self-training (train's selfTrain, `train --self-train`, its defaults, on the rest of the pool): a
// strategy with `+st` (next+st, random+st) chooses exactly as the strategy alone does (its models
// trained with the defaults: the same reports, read from its curve), and the model scored at each
// size self-trains: the loop of README's "A new taxonomy with 200 labels", where the rounds train
// quickly and the model kept self-trains. With `+stloop`, every model self-trains, the ones that
// choose too.
const baseOf = (s) => s.replace(/\+st(loop)?$/, '');
const selfTrains = (s) => /\+st(loop)?$/.test(s);
const choosesSelfTrained = (s) => s.endsWith('+stloop');
for (const s of strategies)
  if (baseOf(s) !== 'random' && !STRATEGY[baseOf(s)])
    throw new Error(`unknown strategy ${s}: random, ${Object.keys(STRATEGY).join(', ')}, each alone or with +st`);

const say = (s) => process.stderr.write(`${s}\n`);

/**
 * The anchor's curves (scripts/anchor-active.py) on each task, from the same seeds' orders as
 * bugcat's: random and margin sampling at 50 to 1,000 labels; the lines to print. The reports go to a
 * temporary folder outside the project, removed at the end.
 */
const ANCHOR_MAX = 1000;
function anchorLines() {
  if (spawnSync('/usr/bin/python3', ['-c', 'import sklearn'], { stdio: 'ignore' }).status !== 0)
    return ['anchor: skipped (scikit-learn not installed: apt-get install -y python3-sklearn)'];
  const out = [];
  const dir = mkdtempSync(join(tmpdir(), 'bugcat-anchor-active-'));
  try {
    for (const task of tasks) {
      const rows = taskRows(corpus, task);
      const pool = rows.filter(inPool).map(({ id, text, label }) => ({ id, text, label }));
      const test = rows.filter(inTest).map(({ id, text, label }) => ({ id, text, label }));
      const anchorSizes = Array.from({ length: ANCHOR_MAX / step }, (_, i) => step * (i + 1));
      const orders = Object.fromEntries(Array.from({ length: seeds }, (_, i) => [i + 1, shuffled(pool, i + 1).map((r) => r.id)]));
      writeFileSync(join(dir, 'rows.json'), JSON.stringify({ pool, test, orders, sizes: anchorSizes, step }));
      say(`anchor: ${task}, ${seeds} seeds, random and margin sampling to ${ANCHOR_MAX} labels ...`);
      const r = spawnSync('/usr/bin/python3', [join(root, 'scripts', 'anchor-active.py'), join(dir, 'rows.json'), join(dir, 'out.json')], {
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      if (r.status !== 0) {
        out.push(`anchor, ${task}: failed (exit ${r.status})`);
        continue;
      }
      const a = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
      const curves = Object.values(a.seeds);
      const cell = (strategy, n) => {
        const xs = curves.map((c) => c[strategy][n]).filter(Boolean);
        return xs.length ? `${fmt(mean(xs.map((x) => x[0])))} / ${fmt(mean(xs.map((x) => x[1])))}` : '-';
      };
      const top = Math.max(...anchorSizes);
      const ra = mean(curves.map((c) => c.random[top][0]));
      const rf = mean(curves.map((c) => c.random[top][1]));
      const reach = (k, target) => anchorSizes.find((n) => mean(curves.map((c) => c.margin[n][k])) >= target);
      out.push(
        `anchor (${a.system}), ${task}, ${curves.length} seeds, accuracy / macro-F1 (mean over seeds):`,
        ...[100, 200, 300, 500, 750, 1000]
          .filter((n) => anchorSizes.includes(n))
          .map((n) => `  ${String(n).padStart(4)} labels: random ${cell('random', n)} | margin ${cell('margin', n)}`),
        `  anchor target (random at ${top}: ${fmt(ra)} / ${fmt(rf)}): margin reaches the accuracy with ${reach(0, ra) ?? `more than ${top}`} labels, the macro-F1 with ${reach(1, rf) ?? `more than ${top}`}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs) => (xs.length > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1)) : 0);
const fmt = (x, d = 3) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));

const corpus = loadCorpus({ dataDir, withFold0: true });
const gemma = new Map(corpus.reports.map((r) => [r.id, r.label_gemma]));

/** The cached steps of one curve: size -> { accuracy, macro_f1, ids (the labelled ids, active strategies), disagree }. */
function cached(file) {
  const steps = new Map();
  if (existsSync(file))
    for (const line of readFileSync(file, 'utf8').split('\n'))
      if (line.trim()) {
        const s = JSON.parse(line);
        steps.set(s.n, s);
      }
  return steps;
}

/** A model of the labelled rows (self-trained on the rest of the pool with `pool`), and its figures on the test rows. */
async function score(rows, test, pool) {
  const ids = pool && new Set(rows.map((r) => r.id));
  const model = await train(
    { texts: rows.map((r) => r.text), labels: rows.map((r) => r.label) },
    pool ? { selfTrain: { reports: pool.filter((r) => !ids.has(r.id)).map((r) => r.text) } } : {},
  );
  const e = scorePredictions(
    test.map((r) => r.label),
    model.predict(test.map((r) => r.text)),
  );
  return { model, accuracy: e.accuracy, macro_f1: e.macro_f1 };
}

const disagreement = (rows, task) => {
  if (task !== 'cat17') return NaN;
  const known = rows.filter((r) => gemma.has(r.id));
  return known.length ? known.filter((r) => gemma.get(r.id).toLowerCase() !== r.label.toLowerCase()).length / known.length : NaN;
};

async function curve(task, strategy, seed, pool, test) {
  const file = join(cacheDir, `${task}-${strategy}-${seed}.jsonl`);
  const steps = cached(file);
  // One step's figures: appended to the cache, kept, and said (`also` after the figures).
  const keep = (s, also = '') => {
    appendFileSync(file, JSON.stringify(s) + '\n');
    steps.set(s.n, s);
    say(`${task} ${strategy} seed ${seed}: ${s.n} labels -> ${fmt(s.accuracy)} / ${fmt(s.macro_f1)}${also} (${s.seconds.toFixed(1)} s)`);
  };
  const order = shuffled(pool, seed);
  const byId = new Map(pool.map((r) => [r.id, r]));
  const unlabelled = selfTrains(strategy) ? pool : undefined;
  if (selfTrains(strategy) && !choosesSelfTrained(strategy) && baseOf(strategy) !== 'random') {
    // The base strategy's choices, each size's model self-trained.
    const chosen = await curve(task, baseOf(strategy), seed, pool, test);
    for (const n of activeSizes) {
      if (steps.has(n)) continue;
      const started = performance.now();
      const rows = chosen.get(n).ids.map((id) => byId.get(id));
      const { accuracy, macro_f1 } = await score(rows, test, unlabelled);
      const s = {
        n,
        accuracy,
        macro_f1,
        disagree: chosen.get(n).disagree,
        seconds: (performance.now() - started) / 1000,
        ids: chosen.get(n).ids,
      };
      keep(s);
    }
    return steps;
  }
  if (baseOf(strategy) === 'random') {
    for (const n of sizes) {
      if (steps.has(n)) continue;
      const started = performance.now();
      const rows = order.slice(0, n);
      const { accuracy, macro_f1 } = await score(rows, test, unlabelled);
      const s = {
        n,
        accuracy,
        macro_f1,
        disagree: disagreement(rows.slice(-Math.min(n, step)), task),
        seconds: (performance.now() - started) / 1000,
      };
      keep(s);
    }
    return steps;
  }
  // Active: from the same first 50, each step's model chooses the next batch.
  const schedule = activeSizes;
  let labelled = order.slice(0, schedule[0]);
  let model; // the previous step's model (retrained once when the steps before came from the cache)
  for (const [k, n] of schedule.entries()) {
    const have = steps.get(n);
    if (have) {
      labelled = have.ids.map((id) => byId.get(id));
      model = undefined;
      continue;
    }
    const started = performance.now();
    if (k > 0) {
      // The previous step's model chooses this step's batch.
      model ??= (await score(labelled, [], unlabelled)).model;
      const labelledIds = new Set(labelled.map((r) => r.id));
      const rest = pool.filter((r) => !labelledIds.has(r.id));
      const sel = await selectForLabelling(
        rest.map((r) => ({ id: r.id, text: r.text })),
        {
          n: n - labelled.length,
          model,
          labelled: labelled.map((r) => ({ id: r.id, text: r.text, label: r.label })),
          ...STRATEGY[baseOf(strategy)],
        },
      );
      const batch = sel.suggestions.map((s) => byId.get(s.id));
      labelled = [...labelled, ...batch];
    }
    const scored = await score(labelled, test, unlabelled);
    model = scored.model;
    const { accuracy, macro_f1 } = scored;
    const s = {
      n,
      accuracy,
      macro_f1,
      disagree: disagreement(labelled.slice(-(k > 0 ? n - schedule[k - 1] : n)), task),
      seconds: (performance.now() - started) / 1000,
      ids: labelled.map((r) => r.id),
    };
    keep(s, `, batch disagreement ${fmt(s.disagree, 2)}`);
  }
  return steps;
}

/**
 * Whose labels each strategy learns from: the share of the reports it chose (after the first 50, up
 * to the last active size) whose own label a model of the rest of the pool's labels gives less than
 * 0.5, out of fold (`audit`'s probability of the given label, 4 folds over the pool): labels the
 * others contradict, noisy or hard.
 */
async function contradictedLine(pool, results) {
  const { entries } = await audit(
    { ids: pool.map((r) => r.id), texts: pool.map((r) => r.text), labels: pool.map((r) => r.label) },
    { folds: 4 },
  );
  const own = new Map(entries.map((e) => [e.id, e.probability]));
  const share = (ids) => mean(ids.map((id) => Number(own.get(id) < 0.5)));
  const chosen = (s, seed, curve) =>
    (baseOf(s) === 'random' ? shuffled(pool, seed).map((r) => r.id) : (curve?.get(activeMax)?.ids ?? [])).slice(activeSizes[0], activeMax);
  const cells = Object.entries(results).map(([s, curves]) => {
    const per = curves.map((c, i) => chosen(s, onlySeeds?.[i] ?? i + 1, c)).filter((ids) => ids.length);
    return `${s} ${per.length ? fmt(mean(per.map(share))) : '-'}`;
  });
  return `  labels the rest of the pool contradicts (own label < 0.5 out of fold, audit with 4 folds over the pool), among the reports chosen from ${activeSizes[0]} to ${activeMax}: pool ${fmt(share([...own.keys()]))} | ${cells.join(' | ')}`;
}

say(
  `bench-active: ${cpus()[0]?.model ?? 'unknown processor'}, ${cpus().length} cores, load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
const lines = [];
for (const task of tasks) {
  const rows = taskRows(corpus, task);
  const pool = rows.filter(inPool);
  const test = rows.filter(inTest);
  const results = {};
  for (let seed = 1; seed <= seeds; seed++)
    for (const strategy of strategies) {
      if (onlySeeds && !onlySeeds.includes(seed)) continue;
      results[strategy] ??= [];
      results[strategy].push(await curve(task, strategy, seed, pool, test));
    }
  const allSizes = [...new Set(Object.values(results).flatMap((cs) => cs.flatMap((c) => [...c.keys()])))].sort((a, b) => a - b);
  const at = (strategy, n, key) => (results[strategy] ?? []).map((c) => c.get(n)?.[key]).filter((x) => x !== undefined);
  lines.push(
    `active learning, ${task}: pool ${pool.length} (folds ${foldsText}), scored on fold ${testFold} (${test.length}), ${seeds} seeds, accuracy / macro-F1 (mean ± sd over seeds)`,
  );
  for (const n of allSizes) {
    const cells = strategies.map((s) => {
      const a = at(s, n, 'accuracy');
      const f = at(s, n, 'macro_f1');
      const d = at(s, n, 'disagree');
      if (!a.length) return `${s} -`;
      return `${s} ${fmt(mean(a))}±${fmt(sd(a))} / ${fmt(mean(f))}±${fmt(sd(f))}${task === 'cat17' && d.length ? ` (batch disagreement ${fmt(mean(d), 2)})` : ''}`;
    });
    lines.push(`  ${String(n).padStart(4)} labels: ${cells.join(' | ')}`);
  }
  // The target: random's figures at the largest size, reached by each active strategy with how many labels?
  const top = Math.max(...sizes);
  const ra = mean(at('random', top, 'accuracy'));
  const rf = mean(at('random', top, 'macro_f1'));
  for (const s of strategies.filter((s) => baseOf(s) !== 'random')) {
    const reach = (key, target) => allSizes.find((n) => at(s, n, key).length === seeds && mean(at(s, n, key)) >= target);
    const paired = (n, key, against = 'random') => {
      const d = (results[s] ?? [])
        .map((c, i) => (c.get(n)?.[key] ?? NaN) - (results[against]?.[i]?.get(top)?.[key] ?? NaN))
        .filter((x) => !Number.isNaN(x));
      return d.length ? `${fmt(mean(d))} ± ${fmt(sd(d) / Math.sqrt(d.length))}` : '-';
    };
    lines.push(
      `  ${task} target (random at ${top}: ${fmt(ra)} / ${fmt(rf)}): ${s} reaches the accuracy with ${reach('accuracy', ra) ?? `more than ${allSizes.at(-1)}`} labels, the macro-F1 with ${reach('macro_f1', rf) ?? `more than ${allSizes.at(-1)}`}; ${s} at ${activeMax} minus random at ${top}, paired by seed: accuracy ${paired(activeMax, 'accuracy')}, macro-F1 ${paired(activeMax, 'macro_f1')}`,
    );
    // Self-trained, against random choice self-trained too (the same training on both sides).
    if (selfTrains(s) && results['random+st'])
      lines.push(
        `  ${task}: ${s} at ${activeMax} minus random+st at ${top}, paired by seed: accuracy ${paired(activeMax, 'accuracy', 'random+st')}, macro-F1 ${paired(activeMax, 'macro_f1', 'random+st')}`,
      );
  }
  lines.push(await contradictedLine(pool, results));
}
process.stdout.write(lines.join('\n') + '\n');
if (!argv.includes('--no-anchor')) process.stdout.write(anchorLines().join('\n') + '\n');
say(
  `bench-active: done, load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
