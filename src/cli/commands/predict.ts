import { load } from '../../index.js';
import { formatPredictions, type Format, type IdentifiedPrediction } from '../format.js';
import { gatherReports, type InputOptions } from '../input.js';
import { runtimeOf } from '../options.js';

interface PredictOptions extends InputOptions {
  model: string;
  format: Format;
  top: number;
  minConfidence: number;
  reviewLabel: string;
}

export async function predict(args: string[], o: PredictOptions): Promise<void> {
  const { reports, showIds } = await gatherReports(args, o, 'predict');
  const model = await load(o.model, runtimeOf());
  const preds: IdentifiedPrediction[] = model
    .predict(reports.texts, { top: o.top, minConfidence: o.minConfidence, reviewLabel: o.reviewLabel })
    .map((p, i) => ({ ...p, id: reports.ids[i] }));
  process.stdout.write(formatPredictions(preds, o.format, o.top, showIds));
}
