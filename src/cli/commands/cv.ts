import { stringify } from 'csv-stringify/sync';
import { crossValidate, readReports, validateHyperparameters } from '../../index.js';
import { hyperparametersOf, logOf, readOptionsOf, runtimeOf, writeResult, type ColumnOptions } from '../options.js';

interface CvOptions extends ColumnOptions {
  data: string;
  folds: number;
  foldColumn?: string;
  json?: string;
  predictions?: string;
  quiet: boolean;
}

const KEYS = ['accuracy', 'macro_f1', 'weighted_f1', 'ece'] as const;

export async function cv(o: CvOptions & Record<string, unknown>): Promise<void> {
  const log = logOf(o);
  const hp = validateHyperparameters(hyperparametersOf(o));
  const reports = readReports(o.data, readOptionsOf(o, { foldColumn: o.foldColumn, onWarning: log ?? (() => {}) }));
  const result = await crossValidate(reports, { hyperparameters: hp, folds: o.folds, onProgress: log, ...runtimeOf() });

  const lines = ['fold  reports  accuracy  macro-F1  weighted-F1    ECE'];
  for (const r of result.folds) {
    lines.push(`${r.fold.padEnd(4)}  ${String(r.n).padStart(7)}  ${r.accuracy.toFixed(3).padStart(8)}  ${r.macro_f1.toFixed(3).padStart(8)}  ${r.weighted_f1.toFixed(3).padStart(11)}  ${r.ece.toFixed(3).padStart(5)}`);
  }
  const ms = (k: (typeof KEYS)[number]) => `${result.mean[k].toFixed(3)} ± ${result.std[k].toFixed(3)}`;
  lines.push(`mean ± std: accuracy ${ms('accuracy')}, macro-F1 ${ms('macro_f1')}, weighted-F1 ${ms('weighted_f1')}, ECE ${ms('ece')}`);
  if (o.json) {
    const folds = result.folds.map((r) => ({ fold: r.fold, n: r.n, accuracy: r.accuracy, macro_f1: r.macro_f1, weighted_f1: r.weighted_f1, ece: r.ece }));
    writeResult(o.json, JSON.stringify({ folds, mean: result.mean, std: result.std, hyperparameters: hp }, null, 2) + '\n');
  }
  if (o.predictions) writeResult(o.predictions, stringify([['id', 'label', 'confidence'], ...result.predictions.map((p) => [p.id, p.label, p.confidence.toFixed(4)])]));
  process.stdout.write(lines.join('\n') + '\n');
}
