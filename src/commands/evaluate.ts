import { dropExcluded, readLabelled } from '../dataset.js';
import { stderrLog } from '../log.js';
import { score } from '../metrics.js';
import { formatEvaluation } from '../report.js';
import { loadModel } from '../store.js';
import { loadTf } from '../tf.js';
import { columnsOf, writeResult, type ColumnOptions } from './options.js';

interface EvaluateOptions extends ColumnOptions {
  model: string;
  data: string;
  json?: string;
}

export async function evaluate(o: EvaluateOptions): Promise<void> {
  const reports = dropExcluded(readLabelled(o.data, columnsOf(o)), o.excludeLabel ?? [], stderrLog);
  const tf = await loadTf();
  const clf = loadModel(tf, o.model);
  const gold = reports.labels!;
  const unknown = [...new Set(gold.filter((l) => !clf.labels.includes(l)))];
  if (unknown.length) {
    const n = gold.filter((l) => unknown.includes(l)).length;
    stderrLog(`warning: ${n} report${n === 1 ? ' has a label' : 's have labels'} the model never saw (${unknown.join(', ')}): counted as errors`);
  }
  const preds = clf.predict(tf, reports.texts);
  const result = score(gold, preds.map((p) => p.label), preds.map((p) => p.confidence));
  if (o.json) writeResult(o.json, JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(formatEvaluation(result));
}
