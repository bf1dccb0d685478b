#!/usr/bin/env node
// Hyperparameter search by cross-validation inside folds 1-4 of the shared QEMU split:
// each of folds 1-4 is held out in turn and the model is trained on the other three.
// Fold 0 is never read. Usage:
//   node scripts/tune.mjs '[{"hidden":64},{"hidden":128}]' [--folds 1,2,3,4] [--data ../shared/data] [--second]
// --second trains with label_gemma as the second annotator's labels (--second-label-column).
// --saved scores each model as it is saved and loaded (its input weights stored as weightDtype).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULTS } from '../dist/args.js';
import { Classifier } from '../dist/classifier.js';
import { dropExcluded, readCsv } from '../dist/dataset.js';
import { silentLog } from '../dist/log.js';
import { score } from '../dist/metrics.js';
import { loadModel, saveModel } from '../dist/store.js';
import { loadTfForTraining } from '../dist/tf.js';

const argv = process.argv.slice(2);
const opt = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const dataDir = opt('--data', new URL('../../shared/data', import.meta.url).pathname);
const heldFolds = opt('--folds', '1,2,3,4').split(',');
const configs = JSON.parse(argv.find((a) => a.startsWith('[')) ?? '[{}]');

const reports = dropExcluded(readCsv(join(dataDir, 'qemu-reports.csv'), { text: 'text', label: 'label', id: 'id', secondLabel: argv.includes('--second') ? 'label_gemma' : undefined }, true), ['manual-review'], silentLog);
const fold = new Map(readFileSync(join(dataDir, 'split.csv'), 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(',')));
const tf = await loadTfForTraining();
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));

for (const overrides of configs) {
  const hp = { ...DEFAULTS, ...overrides };
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
    let clf = await Classifier.train(tf, tr.map((i) => reports.texts[i]), tr.map((i) => reports.labels[i]), hp, silentLog, reports.secondLabels && tr.map((i) => reports.secondLabels[i]));
    if (argv.includes('--saved')) {
      const dir = mkdtempSync(join(tmpdir(), 'bugcat-tune-'));
      await saveModel(clf, join(dir, 'model'), { force: false, createdBy: 'tune' });
      clf = loadModel(tf, join(dir, 'model'));
      rmSync(dir, { recursive: true });
    }
    const preds = clf.predict(tf, te.map((i) => reports.texts[i]));
    rows.push({ ...score(te.map((i) => reports.labels[i]), preds.map((p) => p.label), preds.map((p) => p.confidence)), confidence: mean(preds.map((p) => p.confidence)) });
  }
  const f = (k) => `${mean(rows.map(k)).toFixed(4)}±${sd(rows.map(k)).toFixed(3)}`;
  console.log(
    `${JSON.stringify(overrides)}  acc ${f((r) => r.accuracy)}  macroF1 ${f((r) => r.macro_f1)}  ece ${f((r) => r.ece)}  mean confidence ${f((r) => r.confidence)}  acc@70 ${f((r) => r.coverage[1].accuracy)}  ${((performance.now() - started) / 1000 / rows.length).toFixed(1)} s/fold`,
  );
}
