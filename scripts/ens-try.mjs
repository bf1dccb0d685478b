// temporary exploration: average probabilities of several configs, 4-fold CV inside folds 1-4
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS } from '../dist/args.js';
import { Classifier, decide } from '../dist/classifier.js';
import { dropExcluded, readCsv } from '../dist/dataset.js';
import { silentLog } from '../dist/log.js';
import { score } from '../dist/metrics.js';
import { loadTfForTraining } from '../dist/tf.js';
const argv = process.argv.slice(2);
const dataDir = '/work/shared/data';
const configs = JSON.parse(argv[0]);
const heldFolds = (argv[1] ?? '1,2,3,4').split(',');
const reports = dropExcluded(readCsv(join(dataDir, 'qemu-reports.csv'), { text: 'text', label: 'label', id: 'id' }, true), ['manual-review'], silentLog);
const fold = new Map(readFileSync(join(dataDir, 'split.csv'), 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(',')));
const tf = await loadTfForTraining();
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const per = configs.map(() => []); const ens = [];
for (const held of heldFolds) {
  const tr = [], te = [];
  reports.ids.forEach((id, i) => { const f = fold.get(id); if (f === '0') return; (f === held ? te : tr).push(i); });
  let sum = null, labels;
  for (const [k, o] of configs.entries()) {
    const clf = await Classifier.train(tf, tr.map((i) => reports.texts[i]), tr.map((i) => reports.labels[i]), { ...DEFAULTS, ...o }, silentLog);
    const p = clf.probabilities(tf, te.map((i) => reports.texts[i]));
    labels = clf.labels;
    const d = decide(p, labels, 1);
    per[k].push(score(te.map((i) => reports.labels[i]), d.map((x) => x.label), d.map((x) => x.confidence)));
    sum = sum ? sum.map((v, j) => v + p[j]) : Float32Array.from(p);
  }
  const d = decide(sum.map((v) => v / configs.length), labels, 1);
  ens.push(score(te.map((i) => reports.labels[i]), d.map((x) => x.label), d.map((x) => x.confidence)));
  console.error(`fold ${held} ens acc ${ens.at(-1).accuracy.toFixed(4)}`);
}
const f = (rows) => `acc ${mean(rows.map((r) => r.accuracy)).toFixed(4)} mF1 ${mean(rows.map((r) => r.macro_f1)).toFixed(4)} ece ${mean(rows.map((r) => r.ece)).toFixed(4)} acc@70 ${mean(rows.map((r) => r.coverage[1].accuracy)).toFixed(4)}`;
configs.forEach((c, k) => console.log(JSON.stringify(c), f(per[k])));
console.log('ENSEMBLE', f(ens));
