#!/usr/bin/env node
// npm run bench:scale [-- --quick] [--sizes 18,100] [--train-sizes 1,5,20]   (also the last part of npm run bench)
// bugcat at scale beside fastText, in one invocation on one machine, as ratios (issue 17):
//   - predict of the QEMU corpus repeated 18 times (~103,000 reports, ~184 MB of CSV): wall time
//     and peak RSS, --jobs 1 and --jobs 2, against `fasttext predict` of the same reports;
//   - predict of the corpus x100 (~1 GB of CSV): it completes, within the same memory, at about
//     the x18 run's time per report;
//   - the physical floor: reading and parsing the same CSV with bugcat's reader and doing nothing else;
//   - the same x18 predict with a model trained without character n-grams (--char-chars 0), the
//     throughput setting: what the defaults' character n-grams cost in time (their accuracy is
//     in npm run bench's fold-0 table and README's "At scale");
//   - train at 1x, 5x and 20x the training folds: time per report and peak RSS, --jobs 1 and 2.
// The large inputs are generated in a temporary folder and removed at the end, never in the
// repository. Figures are printed and written as JSON (.bench/scale.json), never asserted.
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import { parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { writeSplit } from './qemu-split.mjs';
import { fastTextBinary, fastTextLine, fastTextTraining } from './fasttext.mjs';
import { cpuModel, floorArgs, load, measure as measureIn, paired, pairLine } from './pairs.mjs';

const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'dist', 'cli', 'main.js');
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
/** A list of factors given as `--flag 1,5` (none: `--flag ''`), or the default. */
const factors = (flag, fallback) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1].split(',').filter(Boolean).map(Number) : fallback);
const jsonOut = argv.includes('--json') ? argv[argv.indexOf('--json') + 1] : join(root, '.bench', 'scale.json');
const say = (s) => process.stderr.write(`${s}\n`);
const split = writeSplit();
const dir = split.dir;

/** Wall seconds and peak RSS (MB) of a whole process (pairs.mjs); exit code 3 (some reports unreadable) is no failure here. */
const measure = (cmd, args) => measureIn(dir, cmd, args, { ok: [0, 3] });

/** The corpus (every row, manual-review ones too) repeated `k` times as id,text, streamed to a file; how many reports. */
async function repeated(k, file) {
  const rows = parseSync(readFileSync(join(dirname(split.train), 'all.csv')), { columns: true });
  const out = createWriteStream(file);
  out.write('id,text\n');
  for (let rep = 0; rep < k; rep++) {
    if (!out.write(stringify(rows.map((r) => [`${r.id}-${rep}`, r.text])))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return rows.length * k;
}

/** The floor: read and parse the CSV with bugcat's own reader (the records a predict gets), nothing else. */
function floor(file) {
  const reader = join(root, 'dist', 'io', 'records', 'csv.js');
  const script = `import { createReadStream } from 'node:fs'; import { streamCsv } from ${JSON.stringify(reader)};
let n = 0; for await (const r of streamCsv(createReadStream(${JSON.stringify(file)}), 'x.csv', { text: 'text', id: 'id' })) n++; console.log(n);`;
  writeFileSync(join(dir, 'floor.mjs'), script);
  return measure(process.execPath, [join(dir, 'floor.mjs')]);
}

const result = { machine: { cores: cpus().length, cpu: cpuModel(), node: process.version, date: new Date().toISOString(), load: load() } };
say(`machine: ${result.machine.cores} cores (${result.machine.cpu}), node ${process.version}, load average ${load().toFixed(1)}`);
try {
  // The whole corpus in one file, for repetition.
  const all = [...parseSync(readFileSync(split.train), { columns: true }), ...parseSync(readFileSync(split.test), { columns: true })];
  writeFileSync(join(dirname(split.train), 'all.csv'), stringify(all, { header: true, columns: ['id', 'text', 'label'] }));
  const model = join(dir, 'model');
  say('bugcat: training the model to predict with (folds 1-4) ...');
  measure(process.execPath, [cli, 'train', '--data', split.train, '--out', model, '--quiet']);
  const fast = join(dir, 'model-fast');
  measure(process.execPath, [cli, 'train', '--data', split.train, '--out', fast, '--quiet', '--char-chars', '0']);

  // fastText: the same training reports; predict reads one report a line.
  const ft = fastTextBinary();
  if (ft) execFileSync(ft, fastTextTraining(dir, parseSync(readFileSync(split.train), { columns: true })));

  const sizes = factors('--sizes', quick ? [2] : [18, 100]);
  result.predict = [];
  for (const k of sizes) {
    const file = join(dir, `x${k}.csv`);
    say(`generating the corpus x${k} ...`);
    const reports = await repeated(k, file);
    const entry = { factor: k, reports, csvMB: statSync(file).size / 1e6 };
    say(`floor: reading and parsing x${k} ...`);
    entry.floor = floor(file);
    entry.readFloor = measure(process.execPath, floorArgs(file));
    const predict = (jobs) => () =>
      measure(process.execPath, [
        cli,
        'predict',
        '--model',
        model,
        '--data',
        file,
        '--format',
        'csv',
        ...(jobs ? ['--jobs', String(jobs)] : []),
      ]);
    if (k !== 100) {
      say(`bugcat: predicting x${k} with --jobs 1 ...`);
      entry.bugcat_jobs1 = predict(1)();
      say(`bugcat: predicting x${k} with --jobs 2 and the model without character n-grams ...`);
      entry.bugcat_fast = measure(process.execPath, [cli, 'predict', '--model', fast, '--data', file, '--format', 'csv', '--jobs', '2']);
    }
    if (ft && k !== 100) {
      const txt = join(dir, `x${k}.txt`);
      const out = createWriteStream(txt);
      for await (const r of createReadStream(file).pipe(parse({ columns: true })))
        if (!out.write(`${fastTextLine(r.text)}\n`)) await once(out, 'drain');
      out.end();
      await once(out, 'finish');
      // bugcat with its defaults (--jobs: the machine's cores) and fastText, in turn (pairs.mjs).
      // Five pairs: fastText's own time moved from 14 to 23 s within an hour here, bugcat's with it.
      say(`bugcat (defaults) and fastText: predicting x${k}, in turn ...`);
      entry.pairs = paired(quick ? 1 : 5, predict(), () => measure(ft, ['predict', join(dir, 'ft.bin'), txt]));
      entry.bugcat_jobs2 = entry.pairs.a;
      entry.bugcat_jobs2.seconds = entry.pairs.a.median;
      entry.fasttext = { ...entry.pairs.b, seconds: entry.pairs.b.median };
      rmSync(txt);
    } else {
      say(`bugcat: predicting x${k} with --jobs 2 ...`);
      entry.bugcat_jobs2 = predict(2)();
    }
    rmSync(file);
    result.predict.push(entry);
  }

  // Training at 1x, 5x and 20x the training folds (the same reports repeated, ids made unique).
  result.train = [];
  const trainRows = parseSync(readFileSync(split.train), { columns: true });
  for (const k of factors('--train-sizes', quick ? [1] : [1, 5, 20])) {
    const file = join(dir, `train-x${k}.csv`);
    const out = createWriteStream(file);
    out.write('id,text,label\n');
    for (let rep = 0; rep < k; rep++)
      if (!out.write(stringify(trainRows.map((r) => [`${r.id}-${rep}`, r.text, r.label])))) await once(out, 'drain');
    out.end();
    await once(out, 'finish');
    const reports = trainRows.filter((r) => r.label && r.label !== 'manual-review').length * k;
    const entry = { factor: k, reports };
    for (const jobs of [1, 2]) {
      say(`bugcat: training on ${k}x (${reports} reports) with --jobs ${jobs} ...`);
      entry[`jobs${jobs}`] = measure(process.execPath, [
        cli,
        'train',
        '--data',
        file,
        '--out',
        join(dir, `m${k}-${jobs}`),
        '--quiet',
        '--jobs',
        String(jobs),
      ]);
      rmSync(join(dir, `m${k}-${jobs}`), { recursive: true, force: true });
    }
    rmSync(file);
    result.train.push(entry);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const f = (x, d = 2) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));
const lines = [`\n== at scale (${result.machine.cpu}, ${result.machine.cores} cores; whole processes) ==`];
for (const p of result.predict) {
  const b1 = p.bugcat_jobs1;
  const b2 = p.bugcat_jobs2;
  const us = (m) => (m ? f((m.seconds / p.reports) * 1e6, 0) : '-');
  if (p.pairs)
    lines.push(
      `predict x${p.factor} (${p.reports} reports), defaults: ${pairLine(p.pairs, 'bugcat', 'fasttext predict', 2)} | floor (start Node, read the same file) ${f(p.readFloor.seconds)} s`,
    );
  lines.push(
    `predict x${p.factor} (${p.reports} reports, ${f(p.csvMB, 0)} MB): floor (read + parse only) ${f(p.floor.seconds)} s, ${f(p.floor.rssMB, 0)} MB` +
      (b1 ? ` | bugcat --jobs 1 ${f(b1.seconds)} s, ${f(b1.rssMB, 0)} MB` : '') +
      ` | bugcat --jobs 2 ${f(b2.seconds)} s, ${f(b2.rssMB, 0)} MB, ${us(b2)} us/report` +
      (p.fasttext
        ? ` | fasttext predict ${f(p.fasttext.seconds)} s, ${f(p.fasttext.rssMB, 0)} MB | ratio x${f(b2.seconds / p.fasttext.seconds)} (--jobs 1 x${b1 ? f(b1.seconds / p.fasttext.seconds) : '-'})`
        : ''),
  );
  const fm = p.bugcat_fast;
  if (fm)
    lines.push(
      `  without character n-grams (train --char-chars 0): bugcat --jobs 2 ${f(fm.seconds)} s, ${f(fm.rssMB, 0)} MB` +
        (p.fasttext ? ` | ratio to fasttext x${f(fm.seconds / p.fasttext.seconds)}` : '') +
        ` | ratio to the defaults x${f(fm.seconds / b2.seconds)}`,
    );
}
if (result.predict.length > 1) {
  const [a, b] = result.predict;
  const per = (p) => p.bugcat_jobs2.seconds / p.reports;
  lines.push(`time per report x${b.factor} against x${a.factor}: x${f(per(b) / per(a))}`);
}
for (const t of result.train) {
  lines.push(
    `train ${t.factor}x (${t.reports} reports): --jobs 1 ${f(t.jobs1.seconds, 1)} s (${f((t.jobs1.seconds / t.reports) * 1000, 2)} ms/report), ${f(t.jobs1.rssMB, 0)} MB | --jobs 2 ${f(t.jobs2.seconds, 1)} s (${f((t.jobs2.seconds / t.reports) * 1000, 2)} ms/report), ${f(t.jobs2.rssMB, 0)} MB`,
  );
}
process.stdout.write(lines.join('\n') + '\n');
mkdirSync(dirname(jsonOut), { recursive: true });
writeFileSync(jsonOut, JSON.stringify(result, null, 2) + '\n');
say(`figures written to ${jsonOut}`);
