import { csvRows } from '../csv.js';
import {
  crossValidate,
  crossValidateLabelSets,
  FORMAT_VERSION,
  readReports,
  UsageError,
  validateHyperparameters,
  VERSION,
  type CrossValidation,
  type Hyperparameters,
  type Reports,
  type TrainOptions,
} from '../../index.js';
import { formatLabelSets } from '../labelsets.js';
import { learningOf, learningRecord, type LearningFlags } from '../learning.js';
import {
  hyperparametersOf,
  labelSeparatorOf,
  logOf,
  multiLabelOf,
  readOptionsOf,
  runtimeOf,
  writeResult,
  type ColumnOptions,
  type MultiLabelFlags,
} from '../options.js';
import { formatEvaluation, groupsInWords } from '../format.js';
import { wantsReport, writeReport, type ReportTargets } from '../report.js';

interface CvOptions extends ColumnOptions, ReportTargets, MultiLabelFlags {
  data: string;
  folds: number;
  foldColumn?: string;
  timeColumn?: string;
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
  const reports = readReports(
    o.data,
    readOptionsOf(o, { foldColumn: o.foldColumn, timeColumn: o.timeColumn, onWarning: log ?? (() => {}), ...labelSeparatorOf(o) }),
  );
  const multi = multiLabelOf(o, reports);
  if (multi) return cvLabelSets(o, reports, given, hp, multi);
  if (o.timeColumn !== undefined)
    throw new UsageError(
      '--time-column orders the folds of multi-label cross-validation: add --multi-label, or give a GitLab or GitHub export',
    );
  const learning = learningOf(o as LearningFlags, log);
  // What --autotune, --unlabelled, --pretrained or --self-train made each fold's model do: every output says so.
  const learnt = learningRecord(learning);
  const result = await crossValidate(reports, {
    hyperparameters: given,
    folds: o.folds,
    top: o.top,
    onProgress: log,
    ...learning,
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
  const how = trainedWith(learnt, result.folds, hp);
  lines.push(...how.lines);
  lines.push('', "pooled over the folds (every report's out-of-fold prediction):", formatEvaluation(result.pooled).trimEnd());
  if (o.json) {
    const folds = result.folds.map((r) => ({
      fold: r.fold,
      n: r.n,
      accuracy: r.accuracy,
      macro_f1: r.macro_f1,
      weighted_f1: r.weighted_f1,
      ece: r.ece,
      hyperparameters: r.hyperparameters,
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
          ...learnt.json,
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
      csvRows([['id', 'given', ...others.map((a) => `given_${a.name}`), 'fold', 'label', 'confidence', ...ranks], ...rows]),
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
          source: how.source('once per fold on the other folds'),
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

/**
 * What shaped every fold's model, for the text (`lines`) and the page's card (`source`, after how
 * the folds were trained): the learning flags (learningRecord) and the hyperparameters the folds
 * took by rule or search where they are not `given`.
 */
function trainedWith(
  learnt: { flags: readonly string[] },
  folds: readonly { fold: string; hyperparameters?: Hyperparameters }[],
  given: Hyperparameters,
): { lines: string[]; source: (per: string) => string } {
  const chosen = foldHyperparameters(folds, given);
  const lines = [
    ...(learnt.flags.length ? [`each fold's model trained with ${learnt.flags.join(', ')}`] : []),
    ...(chosen ? [chosen] : []),
  ];
  return { lines, source: (per) => `${['bugcat train', ...learnt.flags].join(' ')}, ${per}${chosen ? `; ${chosen}` : ''}` };
}

/**
 * The hyperparameters the folds' models were trained with where they are not `given` (the flags
 * over DEFAULTS): the rules' values for each fold's size, or autotune's choice. One line, or
 * none when every fold used `given` alone.
 */
function foldHyperparameters(
  folds: readonly { fold: string; hyperparameters?: Hyperparameters }[],
  given: Hyperparameters,
): string | undefined {
  const differing = (h: Hyperparameters) =>
    (Object.keys(h) as (keyof Hyperparameters)[])
      .filter((k) => JSON.stringify(h[k]) !== JSON.stringify(given[k]))
      .map((k) => `${k} ${String(h[k])}`)
      .join(', ');
  const each = folds.flatMap((f) => (f.hyperparameters ? [{ fold: f.fold, values: differing(f.hyperparameters) }] : []));
  if (each.every((e) => e.values === '')) return undefined;
  if (each.every((e) => e.values === each[0].values)) return `every fold's model trained with ${each[0].values} (by rule or search)`;
  return `each fold's model trained with (by rule or search): ${each.map((e) => `fold ${e.fold} ${e.values || 'the flags alone'}`).join('; ')}`;
}

/**
 * Multi-label cross-validation (crossValidateLabelSets): per fold micro- and macro-F1, P@1,
 * precision and recall, their mean and standard deviation, and the per-label table pooled over
 * the folds; with --time-column, the folds go forward in time. --json holds every fold's per-label
 * scores and sweeps, --predictions every tested report's suggestion (CSV), --html the page with a
 * precision-recall chart per label.
 */
async function cvLabelSets(
  o: CvOptions & Record<string, unknown>,
  reports: Reports,
  given: Partial<Hyperparameters>,
  hp: Hyperparameters,
  multi: Partial<TrainOptions>,
): Promise<void> {
  if (o.foldColumn !== undefined)
    throw new UsageError('--fold-column is for single-label cross-validation; multi-label folds are dealt, or go by --time-column');
  const log = logOf(o);
  const learning = learningOf(o as LearningFlags, log, { multiLabel: true });
  const learnt = learningRecord(learning);
  const result = await crossValidateLabelSets(reports, {
    hyperparameters: given,
    folds: o.folds,
    onProgress: log,
    ...learning,
    ...runtimeOf(o as { jobs?: number }),
    ...multi,
  });
  const lines = [
    `fold  train   test  ${result.order === 'time' ? 'tested from          to                    ' : ''}micro-F1  macro-F1    P@1  precision  recall`,
  ];
  for (const f of result.folds) {
    const span = result.order === 'time' ? `${(f.from ?? '').slice(0, 19).padEnd(19)}  ${(f.to ?? '').slice(0, 19).padEnd(19)}   ` : '';
    lines.push(
      `${f.fold.padEnd(4)}  ${String(f.train).padStart(5)}  ${String(f.test).padStart(5)}  ${span}${f.micro.f1.toFixed(3).padStart(8)}  ${f.macro_f1.toFixed(3).padStart(8)}  ${f.p_at_1.toFixed(3).padStart(5)}  ${f.micro.precision.toFixed(3).padStart(9)}  ${f.micro.recall.toFixed(3).padStart(6)}`,
    );
  }
  const ms = (k: keyof typeof result.mean) => `${result.mean[k].toFixed(3)} ± ${result.std[k].toFixed(3)}`;
  lines.push(
    `mean ± std over the folds${result.order === 'time' ? ' (forward-chaining: each trained on the past, tested on the future)' : ''}: micro-F1 ${ms('micro_f1')}, macro-F1 ${ms('macro_f1')}, P@1 ${ms('p_at_1')}, precision ${ms('precision')}, recall ${ms('recall')}`,
  );
  const how = trainedWith(learnt, result.folds, hp);
  lines.push(...how.lines);
  lines.push(
    '',
    "pooled over the folds (every tested report's out-of-fold suggestion, each fold's model at its own thresholds; the threshold column is the last fold's):",
    formatLabelSets(result.pooled).trimEnd(),
  );
  if (o.json) writeResult(o.json, JSON.stringify({ ...result, hyperparameters: hp, ...learnt.json }, null, 2) + '\n');
  if (o.predictions) {
    const labels = Object.keys(result.pooled.per_label);
    const index = new Map(reports.ids.map((id, i) => [id, i]));
    const rows = result.predictions.map((p) => [
      p.id,
      (reports.issueLabels![index.get(p.id)!] ?? []).join(';'),
      p.fold,
      p.labels.join(';'),
      ...labels.map((l) => (p.scores[l] ?? 0).toFixed(4)),
    ]);
    writeResult(o.predictions, csvRows([['id', 'given', 'fold', 'labels', ...labels], ...rows]));
  }
  if (wantsReport(o)) {
    const { writeLabelSetReport } = await import('../report.js');
    await writeLabelSetReport(
      {
        subject: `${o.data} in ${result.folds.length} ${result.order === 'time' ? 'forward-chaining ' : ''}folds`,
        evaluation: result.pooled,
        card: {
          source: how.source('once per fold'),
          createdBy: `bugcat ${VERSION}`,
          formatVersion: FORMAT_VERSION,
          trainingReports: reports.texts.length,
          labels: Object.keys(result.pooled.per_label),
          hyperparameters: hp,
        },
        folds: result.folds.map((f) => ({ ...f, micro_f1: f.micro.f1 })),
      },
      o,
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
}
