#!/usr/bin/env node
// Hyperparameter search by cross-validation inside folds 1-4 of the shared QEMU split:
// each of folds 1-4 is held out in turn and the model is trained on the other three.
// Fold 0 is never read. Usage:
//   node scripts/tune.mjs '[{"hidden":64},{"hidden":128}]' [--folds 1,2,3,4] [--data ../shared/data] [--second]
// --second trains with label_gemma too: two annotators' labels combined (--label-column label,label_gemma).
// --saved scores each model as it is saved and loaded (its input weights stored as weightDtype).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate, load, readReports, train } from 'bugcat';

const argv = process.argv.slice(2);
const opt = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const dataDir = opt('--data', new URL('../../shared/data', import.meta.url).pathname);
const heldFolds = opt('--folds', '1,2,3,4').split(',');
const configs = JSON.parse(argv.find((a) => a.startsWith('[')) ?? '[{}]');

const reports = readReports(join(dataDir, 'qemu-reports.csv'), {
  labelColumn: argv.includes('--second') ? ['label', 'label_gemma'] : 'label',
});
const fold = new Map(
  readFileSync(join(dataDir, 'split.csv'), 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((l) => l.split(',')),
);
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));

for (const overrides of configs) {
  const rows = [];
  const started = performance.now();
  for (const held of heldFolds) {
    const tr = [];
    const te = [];
    reports.ids.forEach((id, i) => {
      const f = fold.get(id);
      if (f === '0') return; // the test fold is never looked at here
      (f === held ? te : tr).push(i);
    });
    const part = (rows, key) => reports[key] && rows.map((i) => reports[key][i]);
    const annotators = reports.annotators?.map((a) => ({ name: a.name, labels: tr.map((i) => a.labels[i]) }));
    let model = await train(
      { ids: part(tr, 'ids'), texts: part(tr, 'texts'), labels: part(tr, 'labels'), annotators },
      { hyperparameters: overrides },
    );
    if (argv.includes('--saved')) {
      const dir = mkdtempSync(join(tmpdir(), 'bugcat-tune-'));
      await model.save(join(dir, 'model'));
      model = await load(join(dir, 'model'));
      rmSync(dir, { recursive: true });
    }
    const test = { ids: part(te, 'ids'), texts: part(te, 'texts'), labels: part(te, 'labels') };
    const confidence = mean(model.predict(test.texts).map((p) => p.confidence));
    rows.push({ ...evaluate(model, test), confidence });
  }
  const f = (k) => `${mean(rows.map(k)).toFixed(4)}±${sd(rows.map(k)).toFixed(3)}`;
  console.log(
    `${JSON.stringify(overrides)}  acc ${f((r) => r.accuracy)}  macroF1 ${f((r) => r.macro_f1)}  ece ${f((r) => r.ece)}  mean confidence ${f((r) => r.confidence)}  acc@70 ${f((r) => r.coverage[1].accuracy)}  ${((performance.now() - started) / 1000 / rows.length).toFixed(1)} s/fold`,
  );
}
