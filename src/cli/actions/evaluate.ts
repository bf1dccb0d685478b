import { statSync } from 'node:fs';
import { join } from 'node:path';
import { checkEvaluation, load, readReports, scorePredictions } from '../../index.js';
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
  // The labels to score against (matched to the model's where they differ only in case), the training overlap and the warnings: said on stderr, and in the JSON and the page.
  const checks = checkEvaluation(model, reports);
  const gold = checks.labels;
  for (const w of checks.warnings) stderrLog(`${w.kind === 'no_fingerprints' ? 'note' : 'warning'}: ${w.message}`);
  // One prediction per report, kept for the report's charts and errors (the runner-up too).
  const preds = model.predict(reports.texts, { top: 2 });
  const trainedOn = checks.trained_on;
  const result = { ...scorePredictions(gold, preds), trained_on: trainedOn, warnings: checks.warnings };
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
        warnings: checks.warnings.map((w) => w.message),
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
