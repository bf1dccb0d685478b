import { evaluate as score, load, readReports } from '../../index.js';
import { formatEvaluation } from '../format.js';
import { readOptionsOf, runtimeOf, stderrLog, writeResult, type ColumnOptions } from '../options.js';

interface EvaluateOptions extends ColumnOptions {
  model: string;
  data: string;
  json?: string;
}

export async function evaluate(o: EvaluateOptions): Promise<void> {
  const reports = readReports(o.data, readOptionsOf(o));
  const model = await load(o.model, runtimeOf());
  const gold = reports.labels!;
  const unknown = [...new Set(gold.filter((l) => !model.labels.includes(l)))];
  if (unknown.length) {
    const n = gold.filter((l) => unknown.includes(l)).length;
    stderrLog(`warning: ${n} report${n === 1 ? ' has a label' : 's have labels'} the model never saw (${unknown.join(', ')}): counted as errors`);
  }
  const result = score(model, reports);
  if (o.json) writeResult(o.json, JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(formatEvaluation(result));
}
