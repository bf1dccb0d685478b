import { stringify } from 'csv-stringify/sync';
import { crossValidate, FORMAT_VERSION, readReports, validateHyperparameters, VERSION, type CrossValidation } from '../../index.js';
import { learningOf, type LearningFlags } from '../learning.js';
import { hyperparametersOf, logOf, readOptionsOf, runtimeOf, writeResult, type ColumnOptions } from '../options.js';
import { formatEvaluation, groupsInWords } from '../format.js';
import { wantsReport, writeReport, type ReportTargets } from '../report.js';

interface CvOptions extends ColumnOptions, ReportTargets {
  data: string;
  folds: number;
  foldColumn?: string;
  json?: string;
  predictions?: string;
  top: number;
  quiet: boolean;
}

type Key = 'accuracy' | 'macro_f1' | 'weighted_f1' | 'ece';
const KEYS: readonly Key[] = ['accuracy', 'macro_f1', 'weighted_f1', 'ece'];

/**
 * The calibration error to quote: pooled over every out-of-fold prediction, with the folds'
 * range. Not a mean ± std: the pooled ECE can fall below every fold's own.
 */
export function pooledEce(result: CrossValidation): string {
  const r = result.range.ece;
  return `${result.pooled.ece.toFixed(3)} pooled over all ${result.pooled.n} out-of-fold predictions (the ${result.folds.length} folds' own: ${r.min.toFixed(3)} to ${r.max.toFixed(3)}; pooled bins hold more reports, so it can be lower than every fold's)`;
}

export async function cv(o: CvOptions & Record<string, unknown>): Promise<void> {
  const log = logOf(o);
  // The flags given; the library resolves the rest fold by fold (default rules, autotune). The JSON lists them over DEFAULTS.
  const given = hyperparametersOf(o);
  const hp = validateHyperparameters(given);
  const reports = readReports(o.data, readOptionsOf(o, { foldColumn: o.foldColumn, onWarning: log ?? (() => {}) }));
  const result = await crossValidate(reports, {
    hyperparameters: given,
    folds: o.folds,
    top: o.top,
    onProgress: log,
    ...learningOf(o as LearningFlags, log),
    ...runtimeOf(o as { jobs?: number }),
  });

  const lines = ['fold  reports  accuracy  macro-F1  weighted-F1    ECE'];
  for (const r of result.folds) {
    lines.push(
      `${r.fold.padEnd(4)}  ${String(r.n).padStart(7)}  ${r.accuracy.toFixed(3).padStart(8)}  ${r.macro_f1.toFixed(3).padStart(8)}  ${r.weighted_f1.toFixed(3).padStart(11)}  ${r.ece.toFixed(3).padStart(5)}`,
    );
  }
  const ms = (k: Key) => `${result.mean[k].toFixed(3)} ± ${result.std[k].toFixed(3)}`;
  lines.push(`mean ± std over the folds: accuracy ${ms('accuracy')}, macro-F1 ${ms('macro_f1')}, weighted-F1 ${ms('weighted_f1')}`);
  lines.push(`ECE ${pooledEce(result)}`);
  lines.push('', "pooled over the folds (every report's out-of-fold prediction):", formatEvaluation(result.pooled).trimEnd());
  if (o.json) {
    const folds = result.folds.map((r) => ({
      fold: r.fold,
      n: r.n,
      accuracy: r.accuracy,
      macro_f1: r.macro_f1,
      weighted_f1: r.weighted_f1,
      ece: r.ece,
    }));
    // pooled: every report's out-of-fold prediction scored together (the ECE to quote); range: the folds' lowest and highest.
    const pooled = Object.fromEntries(KEYS.map((k) => [k, result.pooled[k]]));
    writeResult(
      o.json,
      JSON.stringify(
        {
          folds,
          mean: result.mean,
          std: result.std,
          range: result.range,
          pooled,
          groups: result.groups,
          hyperparameters: hp,
          warnings: result.warnings,
        },
        null,
        2,
      ) + '\n',
    );
  }
  if (o.predictions) {
    // The given label(s) first (the other annotators' under their columns' names), the fold, then the prediction as predict --format csv writes it.
    const others = reports.annotators?.slice(1) ?? [];
    const ranks = Array.from({ length: o.top - 1 }, (_, k) => [`label_${k + 2}`, `confidence_${k + 2}`]).flat();
    const rows = result.predictions.map((p, i) => [
      p.id,
      reports.labels![i],
      ...others.map((a) => a.labels[i]),
      p.fold,
      p.label,
      p.confidence.toFixed(4),
      ...Array.from({ length: o.top - 1 }, (_, k) => p.top[k + 1]).flatMap((t) => (t ? [t.label, t.probability.toFixed(4)] : ['', ''])),
    ]);
    writeResult(
      o.predictions,
      stringify([['id', 'given', ...others.map((a) => `given_${a.name}`), 'fold', 'label', 'confidence', ...ranks], ...rows]),
    );
  }
  if (wantsReport(o)) {
    const labels = reports.labels!;
    await writeReport(
      {
        kind: 'cv',
        subject: `${o.data} in ${result.folds.length} folds`,
        reports: { ids: reports.ids, texts: reports.texts, labels },
        predictions: result.predictions,
        evaluation: result.pooled,
        card: {
          source: `bugcat train, once per fold on the other folds`,
          createdBy: `bugcat ${VERSION}`,
          formatVersion: FORMAT_VERSION,
          trainingReports: reports.texts.length,
          labels: [...new Set(labels)].sort(),
          hyperparameters: hp,
          groups: groupsInWords(result.groups!),
        },
        folds: result,
        warnings: result.warnings.map((w) => w.message),
      },
      o,
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
}
