import { statSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkEvaluation,
  evaluateLabelSets,
  isIssuesExportPath,
  load,
  readReports,
  scorePredictions,
  type Model,
  type Prediction,
} from '../../index.js';
import { formatLabelSets } from '../labelsets.js';
import { formatEvaluation } from '../format.js';
import { readOptionsOf, backendOf, stderrLog, writeResult, type ColumnOptions } from '../options.js';
import { termsOf, wantsReport, writeReport, type ReportTargets } from '../report.js';

interface EvaluateOptions extends ColumnOptions, ReportTargets {
  model: string;
  data: string;
  json?: string;
  labelSeparator?: string;
}

/**
 * A multi-label model scored on reports that carry their label lists (a GitLab or GitHub export,
 * or a CSV whose label column joins them with --label-separator).
 */
async function evaluateSets(model: Model, o: EvaluateOptions): Promise<void> {
  const reports = isIssuesExportPath(o.data)
    ? readReports(o.data, readOptionsOf(o))
    : readReports(o.data, readOptionsOf(o, { labelSeparator: o.labelSeparator ?? ';' }));
  const result = evaluateLabelSets(model, reports);
  if (result.trained_on)
    stderrLog(
      `warning: the model was trained on ${result.trained_on} of these ${reports.texts.length} reports: their scores are what it was taught`,
    );
  if (o.json) writeResult(o.json, JSON.stringify(result, null, 2) + '\n');
  if (wantsReport(o)) {
    const { writeLabelSetReport } = await import('../report.js');
    await writeLabelSetReport(
      {
        subject: `${o.model} on ${o.data}`,
        evaluation: result,
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
        multiLabel: model.multiLabel,
      },
      o,
    );
  }
  process.stdout.write(formatLabelSets(result));
  if (result.trained_on !== null)
    process.stdout.write(`reports the model was trained on: ${result.trained_on} of ${reports.texts.length}\n`);
}

export async function evaluate(o: EvaluateOptions): Promise<void> {
  const reports = readReports(o.data, readOptionsOf(o));
  const model = await load(o.model, backendOf());
  if (model.kind === 'multi-label') return evaluateSets(model, o);
  // The labels to score against (matched to the model's where they differ only in case), the training overlap and the warnings: said on stderr, and in the JSON and the page.
  const checks = checkEvaluation(model, reports);
  const gold = checks.labels;
  for (const w of checks.warnings) stderrLog(`${w.kind === 'no_fingerprints' ? 'note' : 'warning'}: ${w.message}`);
  // One prediction per report, kept for the report's charts and errors (the runner-up too).
  const preds = model.predict(reports.texts, { top: 2 }) as Prediction[];
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
