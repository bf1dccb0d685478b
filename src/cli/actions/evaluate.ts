import { statSync } from 'node:fs';
import { join } from 'node:path';
import { load, readReports, scorePredictions } from '../../index.js';
import { formatEvaluation } from '../format.js';
import { readOptionsOf, backendOf, stderrLog, writeResult, type ColumnOptions } from '../options.js';
import { termsOf, wantsReport, writeReport, type ReportTargets } from '../report.js';

interface EvaluateOptions extends ColumnOptions, ReportTargets {
  model: string;
  data: string;
  json?: string;
}

export async function evaluate(o: EvaluateOptions): Promise<void> {
  const reports = readReports(o.data, readOptionsOf(o));
  const model = await load(o.model, backendOf());
  const gold = reports.labels!;
  const unknown = [...new Set(gold.filter((l) => !model.labels.includes(l)))];
  if (unknown.length) {
    const n = gold.filter((l) => unknown.includes(l)).length;
    stderrLog(
      `warning: ${n} report${n === 1 ? ' has a label' : 's have labels'} the model never saw (${unknown.join(', ')}): counted as errors`,
    );
  }
  // One prediction per report, kept for the report's charts and errors (the runner-up too).
  const preds = model.predict(reports.texts, { top: 2 });
  // Scores on reports the model was trained on say nothing of new reports: count them, by fingerprint.
  const trainedOn = model.hasFingerprints ? model.trainedOn(reports.texts).filter(Boolean).length : null;
  if (trainedOn === null)
    stderrLog(
      'note: this model keeps no fingerprints of its training reports (an older bugcat trained it): whether it was trained on these reports is unknown',
    );
  else if (trainedOn > 0) {
    stderrLog(
      `warning: the model was trained on ${trainedOn} of these ${reports.texts.length} reports (${((100 * trainedOn) / reports.texts.length).toFixed(1)} %): ` +
        'their scores overstate how it does on new reports; evaluate on held-out reports',
    );
  }
  const result = { ...scorePredictions(gold, preds), trained_on: trainedOn };
  if (o.json) writeResult(o.json, JSON.stringify(result, null, 2) + '\n');
  if (wantsReport(o)) {
    await writeReport(
      {
        kind: 'evaluate',
        subject: `${o.model} on ${o.data}`,
        reports: { ids: reports.ids, texts: reports.texts, labels: gold },
        predictions: preds,
        evaluation: result,
        trainingCounts: model.summary.labelCounts,
        card: {
          source: o.model,
          createdBy: model.summary.createdBy,
          formatVersion: model.summary.formatVersion,
          trainingReports: model.summary.n,
          calibrationReports: model.summary.calibrationReports,
          labels: model.labels,
          hyperparameters: model.hyperparameters,
          saved: savedAt(o.model),
        },
        explain: termsOf(model),
      },
      o,
    );
  }
  process.stdout.write(formatEvaluation(result));
  if (trainedOn !== null) process.stdout.write(`reports the model was trained on: ${trainedOn} of ${reports.texts.length}\n`);
}

/** When the model was saved: its manifest's modification time, if it can be read. */
function savedAt(dir: string): Date | undefined {
  try {
    return statSync(join(dir, 'bugcat.json')).mtime;
  } catch {
    return undefined;
  }
}
