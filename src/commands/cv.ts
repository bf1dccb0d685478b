import { stringify } from 'csv-stringify/sync';
import { Classifier, stratifiedFolds } from '../classifier.js';
import { dropExcluded, readLabelled, type Reports } from '../dataset.js';
import { DataError } from '../errors.js';
import { score, type Evaluation } from '../metrics.js';
import { Rng } from '../rng.js';
import { loadTfForTraining } from '../tf.js';
import { columnsOf, hyperparametersOf, logOf, writeResult, type ColumnOptions } from './options.js';

interface CvOptions extends ColumnOptions {
  data: string;
  folds: number;
  foldColumn?: string;
  json?: string;
  predictions?: string;
  quiet: boolean;
}

const KEYS = ['accuracy', 'macro_f1', 'weighted_f1', 'ece'] as const;

/** Each report's fold: from its fold column, or a seeded stratified assignment. */
function foldsOf(reports: Reports, o: CvOptions, seed: number): { fold: string[]; names: string[] } {
  if (reports.folds) {
    const fold = reports.folds;
    if (fold.some((f) => f === '')) throw new DataError(`some reports have an empty --fold-column ${o.foldColumn}: give every report a fold`);
    const names = [...new Set(fold)].sort();
    if (names.length < 2) throw new DataError(`--fold-column ${o.foldColumn} holds ${names.length} fold: cross-validation needs at least two`);
    return { fold, names };
  }
  const labels = reports.labels!;
  const classes = [...new Set(labels)].sort();
  const y = Int32Array.from(labels, (l) => classes.indexOf(l));
  // Each class's reports, shuffled, are dealt round-robin over the folds.
  const fold = Array.from(stratifiedFolds(y, classes.length, o.folds, new Rng(seed + 7)), (f) => String(f + 1));
  return { fold, names: Array.from({ length: o.folds }, (_, k) => String(k + 1)) };
}

export async function cv(o: CvOptions & Record<string, unknown>): Promise<void> {
  const log = logOf(o);
  const hp = hyperparametersOf(o);
  const reports = dropExcluded(readLabelled(o.data, { ...columnsOf(o), fold: o.foldColumn }), o.excludeLabel ?? [], log);
  const { fold, names } = foldsOf(reports, o, hp.seed);
  const tf = await loadTfForTraining();
  const results: (Evaluation & { fold: string })[] = [];
  const oof = new Array<[string, string, string]>(reports.ids.length);
  for (const name of names) {
    const tr = fold.flatMap((f, i) => (f === name ? [] : [i]));
    const te = fold.flatMap((f, i) => (f === name ? [i] : []));
    log(`fold ${name}: training on ${tr.length}, testing on ${te.length}`);
    const clf = await Classifier.train(tf, tr.map((i) => reports.texts[i]), tr.map((i) => reports.labels![i]), hp, () => {}, reports.secondLabels && tr.map((i) => reports.secondLabels![i]));
    const preds = clf.predict(tf, te.map((i) => reports.texts[i]));
    preds.forEach((p, k) => (oof[te[k]] = [reports.ids[te[k]], p.label, p.confidence.toFixed(4)]));
    const r = { fold: name, ...score(te.map((i) => reports.labels![i]), preds.map((p) => p.label), preds.map((p) => p.confidence)) };
    results.push(r);
    log(`fold ${name}: accuracy ${r.accuracy.toFixed(3)}  macro-F1 ${r.macro_f1.toFixed(3)}`);
  }
  const summary = Object.fromEntries(
    KEYS.map((k) => {
      const xs = results.map((r) => r[k]);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
      return [k, { mean, std }];
    }),
  ) as Record<(typeof KEYS)[number], { mean: number; std: number }>;

  const lines = ['fold  reports  accuracy  macro-F1  weighted-F1    ECE'];
  for (const r of results) {
    lines.push(`${r.fold.padEnd(4)}  ${String(r.n).padStart(7)}  ${r.accuracy.toFixed(3).padStart(8)}  ${r.macro_f1.toFixed(3).padStart(8)}  ${r.weighted_f1.toFixed(3).padStart(11)}  ${r.ece.toFixed(3).padStart(5)}`);
  }
  const ms = (k: (typeof KEYS)[number]) => `${summary[k].mean.toFixed(3)} ± ${summary[k].std.toFixed(3)}`;
  lines.push(`mean ± std: accuracy ${ms('accuracy')}, macro-F1 ${ms('macro_f1')}, weighted-F1 ${ms('weighted_f1')}, ECE ${ms('ece')}`);
  if (o.json) {
    const folds = results.map((r) => ({ fold: r.fold, n: r.n, accuracy: r.accuracy, macro_f1: r.macro_f1, weighted_f1: r.weighted_f1, ece: r.ece }));
    writeResult(o.json, JSON.stringify({ folds, mean: Object.fromEntries(KEYS.map((k) => [k, summary[k].mean])), std: Object.fromEntries(KEYS.map((k) => [k, summary[k].std])), hyperparameters: hp }, null, 2) + '\n');
  }
  if (o.predictions) writeResult(o.predictions, stringify([['id', 'label', 'confidence'], ...oof]));
  process.stdout.write(lines.join('\n') + '\n');
}
