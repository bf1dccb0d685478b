import { statSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkEvaluation,
  deferralCurve,
  evaluateLabelSets,
  isIssuesExportPath,
  load,
  readReports,
  scorePredictions,
  UsageError,
  type DeferralPoint,
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
  /** --defer-curve: true (the labels answer the deferred reports) or the column that does. */
  deferCurve?: string | true;
}

/**
 * A multi-label model scored on reports that carry their label lists (a GitLab or GitHub export,
 * or a CSV whose label column joins them with --label-separator).
 */
async function evaluateSets(model: Model, o: EvaluateOptions): Promise<void> {
  if (o.deferCurve !== undefined)
    throw new UsageError(`--defer-curve is for models of one label a report; ${o.model} is multi-label: see each label's sweep instead`);
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
        card: cardOf(model, o.model),
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
  // --defer-curve COLUMN: that column read as a second annotator's, to answer the deferred reports.
  const by = typeof o.deferCurve === 'string' && o.deferCurve !== o.labelColumn ? o.deferCurve : undefined;
  const model = await load(o.model, backendOf());
  if (model.kind === 'multi-label') return evaluateSets(model, o);
  const reports = readReports(o.data, readOptionsOf(o, by ? { labelColumn: [o.labelColumn ?? 'label', by] } : {}));
  // The labels to score against (matched to the model's where they differ only in case), the training overlap and the warnings: said on stderr, and in the JSON and the page.
  const checks = checkEvaluation(model, reports);
  const gold = checks.labels;
  for (const w of checks.warnings) stderrLog(`${w.kind === 'no_fingerprints' ? 'note' : 'warning'}: ${w.message}`);
  // One prediction per report, kept for the report's charts and errors (the runner-up too).
  const preds = model.predict(reports.texts, { top: 2 }) as Prediction[];
  const trainedOn = checks.trained_on;
  const curve: { by: string; points: DeferralPoint[] } | undefined = o.deferCurve
    ? {
        by: by ?? `the ${o.labelColumn ?? 'label'} column`,
        points: deferralCurve(gold, preds, by ? reports.annotators![1].labels.map((l) => l ?? '') : gold),
      }
    : undefined;
  const result = {
    ...scorePredictions(gold, preds),
    trained_on: trainedOn,
    warnings: checks.warnings,
    ...(curve ? { defer_curve: { by: curve.by, points: curve.points.map(pointOf) } } : {}),
  };
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
        card: cardOf(model, o.model),
        explain: termsOf(model),
        warnings: checks.warnings.map((w) => w.message),
        ...(curve ? { deferCurve: curve } : {}),
      },
      o,
    );
  }
  process.stdout.write(formatEvaluation(result));
  if (curve)
    process.stdout.write(
      `\nthe least sure share deferred to ${curve.by} (predict --defer-share): accuracy of all the answers\n${curve.points.map((p) => `${String(Math.round(p.share * 100)).padStart(3)} % (${p.deferred} reports) -> ${p.accuracy.toFixed(3)}`).join('\n')}\n`,
    );
  if (trainedOn !== null) process.stdout.write(`reports the model was trained on: ${trainedOn} of ${reports.texts.length}\n`);
}

/** A point of the curve in JSON: snake case, and null where the model keeps no report. */
const pointOf = (p: DeferralPoint) => ({
  share: p.share,
  deferred: p.deferred,
  accuracy: p.accuracy,
  kept_accuracy: Number.isNaN(p.keptAccuracy) ? null : p.keptAccuracy,
  lowest_kept: p.lowestKept ?? null,
});

/** When the model was saved: its manifest's modification time, if it can be read. */
/** The model card the page shows: the model's folder, how it was made, its labels and hyperparameters. */
function cardOf(model: Model, dir: string) {
  return {
    source: dir,
    createdBy: model.summary.createdBy,
    formatVersion: model.summary.formatVersion,
    trainingReports: model.summary.n,
    calibrationReports: model.summary.calibrationReports,
    ...(model.summary.selfTraining
      ? {
          selfTraining: {
            labelled: model.summary.selfTraining.labelled,
            pool: model.summary.selfTraining.pool,
            learnt: model.summary.selfTraining.added.at(-1) ?? 0,
          },
        }
      : {}),
    labels: model.labels,
    hyperparameters: model.hyperparameters,
    saved: savedAt(dir),
  };
}

function savedAt(dir: string): Date | undefined {
  try {
    return statSync(join(dir, 'bugcat.json')).mtime;
  } catch {
    return undefined;
  }
}
