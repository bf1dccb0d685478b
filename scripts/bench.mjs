#!/usr/bin/env node
// npm run bench [-- --quick] [--json FILE] [--only annotators|speed] [--no-active]
// bugcat beside the reference classifiers, in one invocation on one machine, as ratios:
// accuracy on fold 0 of ../shared/data (trained on folds 1-4), 5-fold CV inside folds 1-4,
// whole-process train/predict time and peak RSS against fastText, in-process throughput,
// one-report latency against a bare `node`, model size and the cost of pruning/quantizing;
// one annotator's labels (label) against two (label, label_gemma), on fold 0 and in 4-fold CV
// inside folds 1-4, scored against each annotator and where both agree (--only annotators:
// that part alone). Figures are printed and written as JSON, never asserted.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { SHARED_DATA, writeSplit } from './qemu-split.mjs';
import { fastTextBinary, fastTextLine, fastTextTraining } from './fasttext.mjs';
import { cpuModel, floorArgs, load as loadAverage, measure as measureIn, paired, pairLine } from './pairs.mjs';

const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'dist', 'cli', 'main.js');
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
if (only !== undefined && only !== 'annotators' && only !== 'speed')
  throw new Error(`--only ${only}: the parts that run alone are annotators and speed`);
/** --only speed: the whole-process timings alone (train, predict, one report), beside their anchors. */
const speedOnly = only === 'speed';
const jsonOut = argv.includes('--json') ? argv[argv.indexOf('--json') + 1] : join(root, '.bench', 'bench.json');
const anchorsPy = new URL('../../shared/bench/anchors.py', import.meta.url).pathname;
const say = (s) => process.stderr.write(`${s}\n`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const min = (xs) => Math.min(...xs);
/** Runs a command; wall seconds and peak RSS (MB) of the whole process (pairs.mjs). */
const measure = (cmd, args, opts) => measureIn(split.dir, cmd, args, opts);
function repeat(n, fn) {
  const runs = Array.from({ length: n }, fn);
  return {
    min: min(runs.map((r) => r.seconds)),
    median: median(runs.map((r) => r.seconds)),
    runs: runs.length,
    rssMB: Math.max(...runs.map((r) => r.rssMB)),
  };
}
const bugcat = (args, opts) => measure(process.execPath, [cli, ...args], opts);
const dirSize = (d) => readdirSync(d).reduce((s, f) => s + statSync(join(d, f)).size, 0);
/** What `bugcat evaluate --json` says of a model on a CSV (extra: more flags), as a user runs it. */
const evaluated = (model, data, extra = []) => {
  const out = join(split.dir, 'evaluate.json');
  bugcat(['evaluate', '--model', model, '--data', data, '--json', out, ...extra]);
  return JSON.parse(readFileSync(out, 'utf8'));
};

/**
 * One annotator against two: models trained on folds 1-4 with `label` alone (`single`: given,
 * or trained here) and with `label,label_gemma` (combined by Dawid-Skene), scored on fold 0
 * against label, against label_gemma, and on the reports where both agree; then the same from
 * 4-fold CV inside folds 1-4 (the split's own folds), fold by fold, from cv's out-of-fold
 * predictions. Fold 0 is only scored here, never used to choose anything.
 */
async function annotatorBench(single) {
  const { NON_ANSWERS, scorePredictions } = await import('bugcat');
  const usable = (l) => l !== '' && !NON_ANSWERS.includes(l);
  const variants = { single: [], both: ['--label-column', 'label,label_gemma'] };
  const out = { fold0: {}, cv: {}, trainSeconds: {} };
  // Fold 0, through train and evaluate as a user runs them.
  const testRows = parse(readFileSync(split.test), { columns: true });
  const agreeCsv = join(split.dir, 'test-agree.csv');
  writeFileSync(
    agreeCsv,
    stringify(
      testRows.filter((r) => usable(r.label) && r.label === r.label_gemma),
      { header: true, columns: ['id', 'text', 'label', 'label_gemma'] },
    ),
  );
  const scoreOf = (model, data, extra = []) => {
    const e = evaluated(model, data, extra);
    return { n: e.n, accuracy: e.accuracy, macro_f1: e.macro_f1, ece: e.ece };
  };
  for (const [name, extra] of Object.entries(variants)) {
    let model = name === 'single' ? single : undefined;
    if (!model) {
      say(`bugcat: training on folds 1-4 with ${name === 'single' ? 'label' : 'label and label_gemma'} ...`);
      model = join(split.dir, `model-${name}`);
      out.trainSeconds[name] = bugcat(['train', '--data', split.train, '--out', model, '--quiet', ...extra]).seconds;
    }
    out.fold0[name] = {
      label: scoreOf(model, split.test),
      label_gemma: scoreOf(model, split.test, ['--label-column', 'label_gemma']),
      agree: scoreOf(model, agreeCsv),
    };
  }
  // 4-fold CV inside folds 1-4: the out-of-fold predictions scored fold by fold against each annotator.
  const given = new Map(parse(readFileSync(split.train), { columns: true }).map((r) => [r.id, r]));
  for (const [name, extra] of Object.entries(variants)) {
    say(`bugcat: 4-fold CV inside folds 1-4 with ${name === 'single' ? 'label' : 'label and label_gemma'} ...`);
    const oof = join(split.dir, `oof-${name}.csv`);
    bugcat(['cv', '--data', split.train, '--fold-column', 'fold', '--predictions', oof, '--top', '1', '--quiet', ...extra]);
    const preds = parse(readFileSync(oof), { columns: true }).map((p) => ({
      ...p,
      confidence: Number(p.confidence),
      row: given.get(p.id),
    }));
    const folds = [...new Set(preds.map((p) => p.fold))].sort();
    const targets = {
      label: [(r) => usable(r.label), (r) => r.label],
      label_gemma: [(r) => usable(r.label_gemma), (r) => r.label_gemma],
      agree: [(r) => usable(r.label) && r.label === r.label_gemma, (r) => r.label],
    };
    out.cv[name] = Object.fromEntries(
      Object.entries(targets).map(([target, [keep, gold]]) => {
        const byFold = folds.map((f) => {
          const ps = preds.filter((p) => p.fold === f && keep(p.row));
          const s = scorePredictions(
            ps.map((p) => gold(p.row)),
            ps,
          );
          return { fold: f, n: s.n, accuracy: s.accuracy, macro_f1: s.macro_f1, ece: s.ece };
        });
        const mean = (k) => byFold.reduce((t, x) => t + x[k], 0) / byFold.length;
        return [
          target,
          { n: byFold.reduce((t, x) => t + x.n, 0), accuracy: mean('accuracy'), macro_f1: mean('macro_f1'), ece: mean('ece'), byFold },
        ];
      }),
    );
  }
  return out;
}

/** The annotator lines of the table. */
function annotatorLines(a) {
  const f = (x, d = 3) => (x === undefined || x === null || Number.isNaN(x) ? '-' : x.toFixed(d));
  const targets = ['label', 'label_gemma', 'agree'];
  const lines = [`\n== one annotator (label) against two (label + label_gemma, combined by Dawid-Skene EM); trained on folds 1-4 ==`];
  const block = (cells) =>
    cells
      .map((c) => c.padEnd(17))
      .join('')
      .trimEnd();
  lines.push(`${'scored against:'.padEnd(35)}${block(['label', 'label_gemma', 'both agree'])}`);
  lines.push(`${''.padEnd(35)}${block(targets.map(() => 'acc    macro-F1'))}`);
  const row = (title, s) => `${title.padEnd(35)}${block(targets.map((t) => `${f(s[t].accuracy)}  ${f(s[t].macro_f1)}`))}`;
  lines.push(row('fold 0, label only', a.fold0.single), row('fold 0, label + label_gemma', a.fold0.both));
  lines.push(
    `  (fold 0 reports scored: ${targets.map((t) => `${t} ${a.fold0.single[t].n}`).join(', ')}; ECE against label ${f(a.fold0.single.label.ece)} -> ${f(a.fold0.both.label.ece)})`,
  );
  lines.push(row('4-fold CV in folds 1-4, label only', a.cv.single), row('4-fold CV, label + label_gemma', a.cv.both));
  for (const t of targets) {
    const d = (k) => a.cv.both[t].byFold.map((x, i) => (x[k] - a.cv.single[t].byFold[i][k]) * 100);
    lines.push(
      `  CV, two minus one, by fold, against ${t}: accuracy ${d('accuracy')
        .map((x) => f(x, 1))
        .join(' / ')} points, macro-F1 ${d('macro_f1')
        .map((x) => f(x, 1))
        .join(' / ')} points`,
    );
  }
  lines.push(
    `  (CV reports scored: ${targets.map((t) => `${t} ${a.cv.single[t].n}`).join(', ')}; ECE against label ${f(a.cv.single.label.ece)} -> ${f(a.cv.both.label.ece)}; train on folds 1-4 with two annotators ${f(a.trainSeconds.both, 1)} s)`,
  );
  return lines;
}

const split = writeSplit();
const result = {
  machine: { cores: cpus().length, cpu: cpuModel(), node: process.version, date: new Date().toISOString(), load: loadAverage() },
};
say(`machine: ${result.machine.cores} cores (${result.machine.cpu}), node ${process.version}, load average ${loadAverage().toFixed(1)}`);
if (only === 'annotators') {
  try {
    result.annotators = await annotatorBench();
  } finally {
    rmSync(split.dir, { recursive: true, force: true });
  }
  process.stdout.write(annotatorLines(result.annotators).join('\n') + '\n');
  mkdirSync(dirname(jsonOut), { recursive: true });
  writeFileSync(jsonOut, JSON.stringify(result, null, 2) + '\n');
  say(`figures written to ${jsonOut}`);
  process.exit(0);
}
try {
  // 1. The anchors, in this same run.
  const sk = speedOnly ? { status: 1 } : spawnSync('/usr/bin/python3', ['-c', 'import sklearn'], { stdio: 'ignore' });
  if (speedOnly) result.anchors = null;
  else if (existsSync(anchorsPy) && sk.status === 0) {
    say('anchors: running ../shared/bench/anchors.py (scikit-learn, fastText) ...');
    const aj = join(split.dir, 'anchors.json');
    execFileSync('/usr/bin/python3', [anchorsPy, '--data', SHARED_DATA, '--json', aj], { stdio: ['ignore', 'inherit', 'inherit'] });
    result.anchors = JSON.parse(readFileSync(aj, 'utf8'));
  } else {
    say('anchors: skipped (scikit-learn not installed: apt-get install -y python3-sklearn fasttext)');
    result.anchors = null;
  }

  // 2. bugcat: train on folds 1-4 (whole process), evaluate on fold 0.
  const model = join(split.dir, 'model');
  say('bugcat: training on folds 1-4 ...');
  const trainModel = () => bugcat(['train', '--data', split.train, '--out', model, '--quiet']);
  result.train = repeat(1, trainModel);
  if (!speedOnly) {
    const e = evaluated(model, split.test);
    result.accuracy = { n: e.n, accuracy: e.accuracy, macro_f1: e.macro_f1, weighted_f1: e.weighted_f1, ece: e.ece, coverage: e.coverage };
    result.accuracy.recall = Object.fromEntries(Object.entries(e.per_class).map(([l, s]) => [l, s.recall]));

    // 2b. One annotator against two (label_gemma too, combined by Dawid-Skene): not a default.
    result.annotators = await annotatorBench(model);
  }

  // 3. fastText, the same reports, whole process.
  const ft = fastTextBinary();
  const testRows = parse(readFileSync(split.test), { columns: true });
  if (ft) {
    const ftArgs = fastTextTraining(split.dir, parse(readFileSync(split.train), { columns: true }));
    writeFileSync(join(split.dir, 'ft-test.txt'), testRows.map((r) => `${fastTextLine(r.text)}\n`).join(''));
    say('fastText: training ...');
    // bugcat and fastText in turn (pairs.mjs): training on folds 1-4, then predicting fold 0.
    // Five pairs: a training run's time moves by 10 % or more from one minute to the next here,
    // and the median of three pairs' ratios moved with it.
    say('bugcat and fastText: training, in turn ...');
    result.trainPairs = paired(quick ? 1 : 5, trainModel, () => measure(ft, ftArgs));
    result.train = result.trainPairs.a;
    result.fasttextTrain = result.trainPairs.b;
  }

  // 4. bugcat predict of fold 0 as a CSV (every row, manual-review ones too), whole process; beside
  // fastText's predict of the same reports, in turn; and the floor, Node started to read the same file.
  say('bugcat: predicting fold 0 ...');
  const predictFold0 = () => bugcat(['predict', '--model', model, '--data', split.test, '--format', 'csv']);
  if (ft) {
    result.predictPairs = paired(quick ? 3 : 7, predictFold0, () =>
      measure(ft, ['predict', join(split.dir, 'ft.bin'), join(split.dir, 'ft-test.txt')]),
    );
    result.predict = result.predictPairs.a;
    result.fasttextPredict = result.predictPairs.b;
  } else result.predict = repeat(5, predictFold0);
  result.predict.reports = testRows.length;
  result.floors = {
    predict: repeat(5, () => measure(process.execPath, floorArgs(split.test))),
    train: repeat(5, () => measure(process.execPath, floorArgs(split.train))),
  };

  // 5. In-process throughput through the public API, start-up and model loading left out.
  const { load } = await import('bugcat');
  const loaded = await load(model);
  const texts = testRows.map((r) => r.text);
  const rates = Array.from({ length: 5 }, () => {
    const t0 = performance.now();
    loaded.predict(texts);
    return texts.length / ((performance.now() - t0) / 1000);
  });
  result.throughput = { reportsPerSecond: median(rates), best: Math.max(...rates) };

  // 6. One report on stdin with the shipped model, against a bare node (the floor), in turn.
  const one = readFileSync(join(root, 'data', 'examples', '02-hang-at-boot.txt'));
  result.oneReportPairs = paired(
    11,
    () => measure(process.execPath, [cli, 'predict', '--model', join(root, 'models', 'qemu')], { input: one }),
    () => measure(process.execPath, ['-e', '']),
  );
  result.oneReport = { bugcat: result.oneReportPairs.a, node: result.oneReportPairs.b };

  // 7-9: sizes, the throughput setting, scaling and CV (not with --only speed).
  if (!speedOnly) {
    // 7. Model size, and what pruning + quantization (the default weight dtype) cost against an unpruned float32 model.
    const full = join(split.dir, 'full');
    bugcat(['train', '--data', split.train, '--out', full, '--quiet', '--max-features', '100000000', '--weight-dtype', 'float32']);
    const f = evaluated(full, split.test);
    const s = evaluated(join(root, 'models', 'qemu'), split.test);
    result.size = {
      shippedMB: dirSize(join(root, 'models', 'qemu')) / 1e6,
      shipped: { accuracy: s.accuracy, macro_f1: s.macro_f1 },
      unprunedFloat32MB: dirSize(full) / 1e6,
      unprunedFloat32: {
        accuracy: f.accuracy,
        macro_f1: f.macro_f1,
        terms: JSON.parse(readFileSync(join(full, 'bugcat.json'), 'utf8')).hyperparameters.maxFeatures,
      },
    };
    // 7b. The throughput setting: no character n-grams (most of a report's terms, and of
    // prediction's time: bench-scale times it on 103,000 reports). What it costs in accuracy.
    const fast = join(split.dir, 'fast');
    bugcat(['train', '--data', split.train, '--out', fast, '--quiet', '--char-chars', '0']);
    const fe = evaluated(fast, split.test);
    result.fast = {
      accuracy: fe.accuracy,
      macro_f1: fe.macro_f1,
      predict: repeat(3, () => bugcat(['predict', '--model', fast, '--data', split.test, '--format', 'csv'])),
    };

    if (!quick) {
      // 8. Training cost against data size: 1x, 2x, 4x the reports by repetition.
      const trainRows = parse(readFileSync(split.train), { columns: true });
      result.scaling = [];
      for (const k of [1, 2, 4]) {
        const file = join(split.dir, `train-x${k}.csv`);
        const rows = Array.from({ length: k }, (_, rep) => trainRows.map((r) => ({ ...r, id: `${r.id}-${rep}` }))).flat();
        writeFileSync(file, stringify(rows, { header: true, columns: ['id', 'text', 'label'] }));
        say(`bugcat: training on ${k}x the data ...`);
        const r = bugcat(['train', '--data', file, '--out', join(split.dir, `m${k}`), '--quiet']);
        result.scaling.push({
          factor: k,
          reports: rows.filter((x) => x.label && x.label !== 'manual-review').length,
          seconds: r.seconds,
          rssMB: r.rssMB,
        });
      }
      // 8b. The same pruning comparison by 4-fold CV inside folds 1-4 (the split's own folds): one
      // fold of 1,059 reports moves by about a point from noise alone.
      say('bugcat: default vocabulary size vs unpruned by CV on folds 1-4 ...');
      const cvOf = (extra) => {
        const out = join(split.dir, 'cvp.json');
        bugcat(['cv', '--data', split.train, '--fold-column', 'fold', '--json', out, '--quiet', ...extra]);
        return JSON.parse(readFileSync(out, 'utf8'));
      };
      const byFold = cvOf([]);
      result.size.cv = { shipped: byFold.mean, unprunedFloat32: cvOf(['--max-features', '100000000', '--weight-dtype', 'float32']).mean };
      result.fast.cv = cvOf(['--char-chars', '0']).mean;
      // 8c. The best anchor on the same four folds, fold by fold beside bugcat's (paired).
      if (result.anchors) {
        say('anchor: LinearSVC (text+title+chars) by CV on folds 1-4 ...');
        const aj = join(split.dir, 'anchor-cv.json');
        execFileSync('/usr/bin/python3', [join(root, 'scripts', 'anchor-cv.py'), split.train, aj], {
          stdio: ['ignore', 'ignore', 'inherit'],
        });
        const anchor = JSON.parse(readFileSync(aj, 'utf8'));
        result.pairedCv = {
          anchor: anchor.system,
          folds: byFold.folds.map((f) => {
            const a = anchor.folds.find((x) => x.fold === f.fold);
            return {
              fold: f.fold,
              n: f.n,
              bugcat: { accuracy: f.accuracy, macro_f1: f.macro_f1 },
              anchor: { accuracy: a.accuracy, macro_f1: a.macro_f1 },
            };
          }),
        };
      }
      // 9. 5-fold cross-validation inside folds 1-4 (fold 0 never seen).
      say('bugcat: 5-fold cross-validation on folds 1-4 ...');
      const cvJson = join(split.dir, 'cv.json');
      bugcat(['cv', '--data', split.train, '--folds', '5', '--json', cvJson, '--quiet']);
      const cv = JSON.parse(readFileSync(cvJson, 'utf8'));
      result.cv = { folds: 5, mean: cv.mean, std: cv.std };
    }
  }
} finally {
  rmSync(split.dir, { recursive: true, force: true });
}

// The table.
const r = result;
const fmt = (x, d = 3) => (x === undefined || x === null || Number.isNaN(x) ? '-' : x.toFixed(d));
const lines = [];
if (r.accuracy) {
  lines.push(`\n== accuracy on fold 0 (${r.accuracy.n} reports; trained on folds 1-4) ==`);
  lines.push('system                               accuracy  macro-F1   train s  predict s');
  for (const a of r.anchors ?? [])
    lines.push(
      `${a.system.padEnd(36)} ${fmt(a.accuracy).padStart(8)}  ${fmt(a.macro_f1).padStart(8)}  ${fmt(a.train_s, 2).padStart(8)}  ${fmt(a.predict_s, 2).padStart(9)}`,
    );
  lines.push(
    `${'bugcat (defaults)'.padEnd(36)} ${fmt(r.accuracy.accuracy).padStart(8)}  ${fmt(r.accuracy.macro_f1).padStart(8)}  ${fmt(r.train.median, 2).padStart(8)}  ${fmt(r.predict.median, 2).padStart(9)}`,
  );
  lines.push(
    `${'bugcat (+ label_gemma, Dawid-Skene)'.padEnd(36)} ${fmt(r.annotators.fold0.both.label.accuracy).padStart(8)}  ${fmt(r.annotators.fold0.both.label.macro_f1).padStart(8)}  ${fmt(r.annotators.trainSeconds.both, 2).padStart(8)}  ${'-'.padStart(9)}`,
  );
  const best = (r.anchors ?? []).filter((a) => a.train_s > 0).sort((a, b) => b.accuracy - a.accuracy)[0];
  if (best)
    lines.push(
      `bugcat / best anchor (${best.system}): accuracy x${fmt(r.accuracy.accuracy / best.accuracy)}, macro-F1 x${fmt(r.accuracy.macro_f1 / best.macro_f1)}`,
    );
  lines.push(
    `calibration error (ECE, 10 bins) ${fmt(r.accuracy.ece)}; accuracy at 50/70/90 % coverage ${r.accuracy.coverage.map((c) => fmt(c.accuracy)).join(' / ')}`,
  );
  lines.push(
    `recall of the rarest categories: ${['socket', 'permissions', 'vnc', 'kernel', 'assembly'].map((l) => `${l} ${fmt(r.accuracy.recall[l])}`).join(', ')}`,
  );
  if (r.cv)
    lines.push(
      `5-fold CV inside folds 1-4: accuracy ${fmt(r.cv.mean.accuracy)} ± ${fmt(r.cv.std.accuracy)}, macro-F1 ${fmt(r.cv.mean.macro_f1)} ± ${fmt(r.cv.std.macro_f1)}, ECE ${fmt(r.cv.mean.ece)} ± ${fmt(r.cv.std.ece)}`,
    );
  if (r.pairedCv) {
    const pf = r.pairedCv.folds;
    const avg = (k) => pf.reduce((t, f) => t + k(f), 0) / pf.length;
    lines.push(`4-fold CV on the split's folds 1-4, paired with ${r.pairedCv.anchor} on the same folds:`);
    for (const [m, name] of [
      ['accuracy', 'accuracy'],
      ['macro_f1', 'macro-F1'],
    ]) {
      const diff = (f) => (f.bugcat[m] - f.anchor[m]) * 100;
      const mean = avg(diff);
      const sd = Math.sqrt(avg((f) => (diff(f) - mean) ** 2));
      lines.push(
        `  ${name.padEnd(8)}  bugcat ${fmt(avg((f) => f.bugcat[m]))} | anchor ${fmt(avg((f) => f.anchor[m]))} | difference by fold ${pf.map((f) => fmt(diff(f), 1)).join(' / ')} points, mean ${fmt(mean, 1)} ± ${fmt(sd, 1)}`,
      );
    }
  }
  lines.push(...annotatorLines(r.annotators));
}
lines.push(
  `\n== speed and memory (${r.machine.cpu}, ${r.machine.cores} cores; whole processes, each beside its anchor run in turn; medians) ==`,
);
const floor = (x) => `floor (start Node, read the same input) ${fmt(x.median, 3)} s`;
if (r.trainPairs) {
  lines.push(`train on folds 1-4: ${pairLine(r.trainPairs, 'bugcat', 'fastText', 2)} | ${floor(r.floors.train)}`);
  lines.push(`predict ${r.predict.reports} reports: ${pairLine(r.predictPairs, 'bugcat', 'fastText')} | ${floor(r.floors.predict)}`);
} else {
  lines.push(`train   bugcat ${fmt(r.train.min, 2)} s, peak RSS ${fmt(r.train.rssMB, 0)} MB (fastText not installed: no ratio)`);
  lines.push(`predict bugcat ${fmt(r.predict.min, 3)} s, peak RSS ${fmt(r.predict.rssMB, 0)} MB`);
}
lines.push(
  `in-process throughput ${fmt(r.throughput.reportsPerSecond, 0)} reports/s (median of 5 runs of Model.predict over ${r.predict.reports} reports)`,
);
lines.push(`one report on stdin, shipped model: ${pairLine(r.oneReportPairs, 'bugcat', 'node -e "" (the floor)')}`);
if (r.scaling)
  lines.push(
    `training time by data size: ${r.scaling.map((x) => `${x.factor}x (${x.reports} reports) ${fmt(x.seconds, 1)} s`).join(', ')}; per report ${r.scaling.map((x) => fmt((x.seconds / x.reports) * 1000, 2)).join(' / ')} ms`,
  );
if (r.size) {
  lines.push(
    `shipped model models/qemu ${fmt(r.size.shippedMB, 2)} MB: accuracy ${fmt(r.size.shipped.accuracy)}, macro-F1 ${fmt(r.size.shipped.macro_f1)} | unpruned float32 ${fmt(r.size.unprunedFloat32MB, 2)} MB: accuracy ${fmt(r.size.unprunedFloat32.accuracy)}, macro-F1 ${fmt(r.size.unprunedFloat32.macro_f1)} | difference ${fmt((r.size.shipped.accuracy - r.size.unprunedFloat32.accuracy) * 100, 1)} points`,
  );
  lines.push(
    `without character n-grams (train --char-chars 0), fold 0: accuracy ${fmt(r.fast.accuracy)}, macro-F1 ${fmt(r.fast.macro_f1)} (defaults ${fmt(r.accuracy.accuracy)}, ${fmt(r.accuracy.macro_f1)}), predict ${fmt(r.fast.predict.median, 2)} s (defaults ${fmt(r.predict.median, 2)} s)` +
      (r.fast.cv && r.size.cv
        ? ` | 4-fold CV inside folds 1-4: accuracy ${fmt(r.fast.cv.accuracy)}, macro-F1 ${fmt(r.fast.cv.macro_f1)} (defaults ${fmt(r.size.cv.shipped.accuracy)}, ${fmt(r.size.cv.shipped.macro_f1)})`
        : ''),
  );
  if (r.size.cv)
    lines.push(
      `the same by 4-fold CV inside folds 1-4 (pruning only: cv keeps weights in memory, unquantized): default settings accuracy ${fmt(r.size.cv.shipped.accuracy)}, macro-F1 ${fmt(r.size.cv.shipped.macro_f1)} | unpruned float32 accuracy ${fmt(r.size.cv.unprunedFloat32.accuracy)}, macro-F1 ${fmt(r.size.cv.unprunedFloat32.macro_f1)} | difference ${fmt((r.size.cv.shipped.accuracy - r.size.cv.unprunedFloat32.accuracy) * 100, 1)} points`,
    );
}
process.stdout.write(lines.join('\n') + '\n');
mkdirSync(dirname(jsonOut), { recursive: true });
writeFileSync(jsonOut, JSON.stringify(result, null, 2) + '\n');
say(`figures written to ${jsonOut}`);

// Several taxonomies and sizes (scripts/bench-tasks.mjs): the 17 categories and the mode taxonomy, with
// every labelled report and with 1,000 and 300, bugcat's defaults, --autotune and --unlabelled paired
// with the anchor, and a learning curve on fold 0. Long (about an hour on 2 cores): --quick skips it,
// and so does --no-tasks.
if (!quick && !speedOnly && !argv.includes('--no-tasks')) {
  say('bench-tasks: bugcat on several tasks and sizes beside the anchor ...');
  execFileSync(process.execPath, [join(root, 'scripts', 'bench-tasks.mjs')], { stdio: 'inherit' });
}

// Active learning and the cascade (scripts/bench-active.mjs, scripts/bench-cascade.mjs): learning curves of
// `bugcat next` against random choice, and the share deferred to the LLM against accuracy. Each runs
// alone with its own flags (--quick for smaller settings); --no-active skips both here, --quick runs them quick.
if (!only && !argv.includes('--no-active')) {
  for (const script of ['bench-active.mjs', 'bench-cascade.mjs']) {
    say(`${script} ...`);
    execFileSync(process.execPath, [join(root, 'scripts', script), ...(quick ? ['--quick'] : [])], { stdio: 'inherit' });
  }
}
