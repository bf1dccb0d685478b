import { load, type Model, type Prediction, type Reports } from '../../index.js';
import { formatPredictions, type Format, type IdentifiedPrediction } from '../format.js';
import { countFailed, gatherReports, type InputOptions } from '../input.js';
import { runtimeOf, stderrLog } from '../options.js';

interface PredictOptions extends InputOptions {
  model: string;
  format: Format;
  top: number;
  minConfidence: number;
  reviewLabel: string;
}

/** Share of a batch below the training reports' 5th coverage percentile that makes it look unlike the training data (4x the 5 % expected). */
const UNLIKE_SHARE = 0.2;

export async function predict(args: string[], o: PredictOptions): Promise<void> {
  const { reports, showIds } = await gatherReports(args, o, 'predict');
  const model = await load(o.model, runtimeOf());
  const ok = reports.ids.flatMap((_, i) => (reports.errors?.[i] === undefined ? [i] : []));
  const predicted = model.predict(
    ok.map((i) => reports.texts[i]),
    { top: o.top, minConfidence: o.minConfidence, reviewLabel: o.reviewLabel },
  );
  const byIndex = new Map<number, Prediction>(ok.map((i, k) => [i, predicted[k]]));
  const preds: IdentifiedPrediction[] = reports.ids.map((id, i) => {
    const p = byIndex.get(i);
    return p ? { ...p, id } : { id, label: '', confidence: 0, top: [], coverage: 0, error: reports.errors![i] };
  });
  warnAboutBatch(model, reports, ok, predicted);
  process.stdout.write(formatPredictions(preds, o.format, o.top, showIds));
  if (countFailed(reports)) process.exitCode = 3;
}

/** One warning for empty reports, and one for a batch whose vocabulary coverage is unlike the training data's. */
function warnAboutBatch(model: Model, reports: Reports, ok: readonly number[], preds: readonly Prediction[]): void {
  const empty = ok.filter((_, k) => preds[k].top.length === 0).map((i) => reports.ids[i]);
  if (empty.length) {
    stderrLog(
      `warning: ${empty.length} report${empty.length === 1 ? ' is' : 's are'} empty (${empty.slice(0, 5).join(', ')}${empty.length > 5 ? ', ...' : ''}): answered with the review label, confidence 0`,
    );
  }
  const floor = model.summary.coverage?.p05;
  const scored = preds.filter((p) => p.top.length > 0);
  if (floor === undefined || scored.length === 0) return;
  const unlike = scored.filter((p) => p.coverage < floor).length;
  if (unlike / scored.length >= UNLIKE_SHARE) {
    stderrLog(
      `warning: ${unlike} of ${scored.length} reports (${Math.round((100 * unlike) / scored.length)} %) look unlike the training data: ` +
        `the model's vocabulary covers less of them (coverage < ${floor.toFixed(2)}) than of 95 % of its training reports; treat their labels with care`,
    );
  }
}
