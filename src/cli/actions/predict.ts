import { availableParallelism } from 'node:os';
import {
  askLlm,
  checkLlm,
  checkStudyDir,
  deferredOf,
  isLabelSet,
  type RecordLabelSet,
  load,
  predictStream,
  prestartStream,
  writeStudyLayout,
  type Model,
  type ReportRecord,
  type StudyEntry,
  type StreamProgress,
  type StudyLayout,
} from '../../index.js';
import { readFileSync } from 'node:fs';
import { LabelSetWriter, PredictionWriter, type CascadeOutput, type Format, type IdentifiedPrediction } from '../format.js';
import { inputBytes, reportRecords, type InputOptions } from '../input.js';
import { backendOf, stderrLog } from '../options.js';
import { DataError, UsageError } from '../../index.js';
import { Progress } from '../progress.js';

interface PredictOptions extends InputOptions {
  model: string;
  format: Format;
  top: number;
  minConfidence: number;
  reviewLabel: string;
  jobs?: number;
  progress?: boolean;
  outDir?: string;
  layout: StudyLayout;
  force?: boolean;
  markTraining?: boolean;
  /** The flags given on the command line (commands/predict.ts). */
  given?: string[];
  deferShare?: number;
  deferBelow?: number;
  llm?: string;
  llmModel?: string;
  llmPrompt?: string;
  llmConcurrency: number;
  llmTimeout: number;
  llmRetries: number;
}

/**
 * Input from this many bytes on (about 4,000 reports of 2 KB) is large: its prediction threads
 * start before the model is loaded (prestartStream), not after the first batches.
 */
const PRESTART_BYTES = 8 << 20;

/** Share of a batch below the training reports' 5th coverage percentile that makes it look unlike the training data (4x the 5 % expected). */
const UNLIKE_SHARE = 0.2;

/**
 * Predicts a stream of reports: read, predicted and written in bounded batches, in input order,
 * so that memory does not grow with the input and output starts before the input ends.
 */
export async function predict(args: string[], o: PredictOptions): Promise<void> {
  const bytes: StreamProgress = { bytesRead: 0 };
  if (o.outDir) checkStudyDir(o.outDir, o.force);
  const { records, showIds } = await reportRecords(args, o, 'predict', bytes);
  const { jobs = availableParallelism() } = o;
  // A large input: the threads that will predict it load their modules while this one loads the model.
  if (inputBytes(args, o) >= PRESTART_BYTES) prestartStream(jobs, backendOf());
  const model = await load(o.model, backendOf());
  if (model.kind === 'multi-label') return predictLabelSets(model, records, showIds, bytes, o);
  // --out-dir: every report in the study's layout, all labels ranked in its file; kept until the end (see the README).
  // The model is asked for every label then, and the writer shows --top of them.
  const study: StudyEntry[] | undefined = o.outDir ? [] : undefined;
  // The cascade: every prediction held until the end (the least sure share is known only then), the texts too for the LLM.
  const cascade: CascadeOutput = o.llm ? 'llm' : o.deferShare !== undefined || o.deferBelow !== undefined ? 'defer' : 'off';
  const preamble = cascade === 'llm' ? llmSettings(o) : undefined;
  // A wrong URL or model fails here, before any report is read.
  if (cascade === 'llm') await checkLlm(o.llm!, o.llmModel!);
  const held: IdentifiedPrediction[] | undefined = cascade !== 'off' ? [] : undefined;
  const texts = study || cascade === 'llm' ? new Map<string, string>() : undefined;
  const tee = async function* (source: AsyncIterable<ReportRecord | readonly ReportRecord[]>) {
    for await (const item of source) {
      if (texts) for (const r of Array.isArray(item) ? item : [item]) if (r.error === undefined) texts.set(r.id, r.text);
      yield item;
    }
  };
  const writer = new PredictionWriter(o.format, o.top, showIds, o.markTraining, o.minConfidence > 0, cascade);
  const progress = o.progress || process.stderr.isTTY ? new Progress(bytes, Boolean(process.stderr.isTTY)) : undefined;
  const stats = { done: 0, failed: 0, empty: [] as string[], scored: 0, unlike: 0, inTraining: 0 };
  const floor = model.summary.coverage?.p05;
  await write(writer.start());
  const top = study ? Math.max(o.top, model.labels.length) : o.top;
  // The reports in the arrays they are read in, where the reader gives them so (files): cheaper per report.
  for await (const batch of predictStream(model, tee(records.batches?.() ?? records), {
    top,
    minConfidence: o.minConfidence,
    reviewLabel: o.reviewLabel,
    jobs,
    ...backendOf(),
  })) {
    if (held) {
      held.push(...(batch as IdentifiedPrediction[]));
      progress?.update((stats.done += batch.length));
      continue;
    }
    await handle(batch as IdentifiedPrediction[]);
  }
  if (held) {
    stats.done = 0;
    await runCascade(held, o, model.labels, texts!, preamble);
    await handle(held);
  }
  async function handle(batch: readonly IdentifiedPrediction[]): Promise<void> {
    for (const p of batch) {
      if (study && p.error === undefined) {
        study.push({
          id: p.id,
          category: folderOf(p, o.reviewLabel),
          scores: p.top.map((t) => ({ label: t.label, score: t.probability })),
          text: texts!.get(p.id) ?? '',
        });
      }
      texts?.delete(p.id);
      if (p.inTraining) stats.inTraining++;
      if (p.error !== undefined) stats.failed++;
      else if (p.top.length === 0) stats.empty.push(p.id);
      else {
        stats.scored++;
        if (floor !== undefined && p.coverage < floor) stats.unlike++;
      }
    }
    stats.done += batch.length;
    await write(writer.write(batch));
    if (!held) progress?.update(stats.done);
  }
  await write(writer.end());
  progress?.finish(stats.done);
  if (study && o.outDir) {
    const written = writeStudyLayout(o.outDir, study, { force: o.force, layout: o.layout });
    stderrLog(
      `wrote ${written.files} reports to ${o.outDir} in the study's layout (${o.layout === 'llm' ? "its LLM runs': output/<category>/<id> and reasoning/<category>/<id>, with output/categories.csv" : '<category>/<id>, with categories.csv'})`,
    );
  }
  warnAboutBatch(model, stats);
  warnAboutTraining(model, stats, o);
  if (stats.failed) {
    stderrLog(`warning: ${stats.failed} of ${stats.done} reports could not be read; the others were predicted (exit code 3)`);
    process.exitCode = 3;
  }
}

/**
 * A multi-label model's predictions (LabelSetWriter): the suggested labels, or with --top the N
 * most probable whatever the thresholds, and every label's probability. The flags of one label
 * a report (--min-confidence, --review-label, --out-dir and its --layout) mean nothing here and are refused.
 */
async function predictLabelSets(
  model: Model,
  records: AsyncIterable<ReportRecord>,
  showIds: boolean,
  bytes: StreamProgress,
  o: PredictOptions,
): Promise<void> {
  const given = new Set(o.given ?? []);
  const refused = (['minConfidence', 'reviewLabel', 'outDir', 'layout', 'deferShare', 'deferBelow', 'llm'] as const).filter(
    (f) => given.has(f) || (f === 'outDir' && o.outDir),
  );
  if (refused.length)
    throw new UsageError(
      `${refused.map((f) => `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')} ${refused.length === 1 ? 'is' : 'are'} for models of one label a report; ${o.model} is multi-label: each label is suggested from its own threshold (train it with --min-precision to choose them), and --top lists the N most probable`,
    );
  const writer = new LabelSetWriter(o.format, model.labels, showIds, o.markTraining);
  const progress = o.progress || process.stderr.isTTY ? new Progress(bytes, Boolean(process.stderr.isTTY)) : undefined;
  const stats = { done: 0, failed: 0, empty: [] as string[], scored: 0, unlike: 0, inTraining: 0 };
  const floor = model.summary.coverage?.p05;
  await write(writer.start());
  const { jobs = availableParallelism() } = o;
  for await (const batch of predictStream(model, records, { ...(given.has('top') ? { top: o.top } : {}), jobs, ...backendOf() })) {
    const sets = batch.filter(isLabelSet) as RecordLabelSet[];
    for (const p of sets) {
      if (p.inTraining) stats.inTraining++;
      if (p.error !== undefined) stats.failed++;
      else if (p.coverage === 0 && p.labels.length === 0 && Object.values(p.scores).every((s) => s === 0)) stats.empty.push(p.id);
      else {
        stats.scored++;
        if (floor !== undefined && p.coverage < floor) stats.unlike++;
      }
    }
    stats.done += batch.length;
    await write(writer.write(sets));
    progress?.update(stats.done);
  }
  await write(writer.end());
  progress?.finish(stats.done);
  warnAboutBatch(model, stats, 'answered with no label');
  warnAboutTraining(model, stats, o);
  if (stats.failed) {
    stderrLog(`warning: ${stats.failed} of ${stats.done} reports could not be read; the others were predicted (exit code 3)`);
    process.exitCode = 3;
  }
}

/**
 * The folder --out-dir writes a report in: its answered label; or, deferred with no LLM to answer
 * it (--defer-share without --llm), the review label's, the pile left for a person, as the
 * study's manual-review folder holds its undecided reports. Its file still ranks the model's labels.
 */
const folderOf = (p: IdentifiedPrediction, reviewLabel: string): string =>
  p.cascade?.deferred && p.cascade.answeredBy === 'model' ? reviewLabel : p.label;

/** The LLM's settings checked before any report is read: the model's name, and the prompt file read. */
function llmSettings(o: PredictOptions): string | undefined {
  if (!o.llmModel) throw new UsageError('--llm needs --llm-model NAME: the model the server runs (deepseek-r1:14b, say)');
  if (o.deferShare === undefined && o.deferBelow === undefined)
    throw new UsageError('--llm answers the deferred reports: give --defer-share S or --defer-below C to say which');
  if (o.llmPrompt === undefined) return undefined;
  try {
    return readFileSync(o.llmPrompt, 'utf8');
  } catch (err) {
    throw new DataError(`cannot read the prompt file ${o.llmPrompt}: ${(err as Error).message}`, { code: 'NOT_FOUND', path: o.llmPrompt });
  }
}

/**
 * Marks the least sure reports deferred (--defer-share, --defer-below; the best label's
 * probability, whatever --min-confidence answered) and, with --llm, puts the LLM's category in
 * their place, keeping the model's label, the raw answer or why the call failed. A report that
 * could not be read, or is empty, is never deferred.
 */
async function runCascade(
  preds: IdentifiedPrediction[],
  o: PredictOptions,
  labels: readonly string[],
  texts: Map<string, string>,
  preamble: string | undefined,
): Promise<void> {
  const confidence = preds.map((p) => (p.error === undefined && p.top.length > 0 ? p.top[0].probability : undefined));
  const deferred = deferredOf(confidence, { share: o.deferShare, below: o.deferBelow });
  preds.forEach((p, i) => (p.cascade = { deferred: deferred[i], answeredBy: p.error === undefined ? 'model' : 'none' }));
  const asked = preds.filter((_, i) => deferred[i]);
  stderrLog(
    `deferred ${asked.length} of ${confidence.filter((c) => c !== undefined).length} reports${o.llm ? ` to ${o.llmModel} at ${o.llm}` : ' (marked deferred; --llm URL sends them to an LLM)'}`,
  );
  if (!o.llm || asked.length === 0) return;
  const answers = await askLlm(
    asked.map((p) => texts.get(p.id) ?? ''),
    {
      url: o.llm,
      model: o.llmModel!,
      labels,
      preamble,
      reviewLabel: o.reviewLabel,
      concurrency: o.llmConcurrency,
      timeoutMs: o.llmTimeout * 1000,
      retries: o.llmRetries,
      check: false,
      onProgress: (done, total) => {
        if (done === total || done % 10 === 0) stderrLog(`LLM: ${done} of ${total} answered`);
      },
    },
  );
  let failed = 0;
  let unnamed = 0;
  asked.forEach((p, k) => {
    const a = answers[k];
    p.cascade = {
      deferred: true,
      answeredBy: a.error === undefined ? 'llm' : 'none',
      modelLabel: p.label,
      ...(a.answer !== undefined ? { llmAnswer: a.answer } : {}),
      ...(a.error !== undefined ? { llmError: a.error } : {}),
    };
    p.label = a.label;
    if (a.error !== undefined) failed++;
    else if (a.label === o.reviewLabel) unnamed++;
  });
  if (unnamed) stderrLog(`warning: ${unnamed} LLM answers named no category: labelled ${o.reviewLabel} (the raw answer is in llm_answer)`);
  if (failed) {
    stderrLog(
      `warning: ${failed} of ${asked.length} LLM calls failed after ${o.llmRetries} retries: labelled ${o.reviewLabel}, answered_by none, the reason in llm_error (exit code 3)`,
    );
    process.exitCode = 3;
  }
}

/** Writes to stdout, waiting when its buffer is full (so memory stays bounded when the reader is slow). */
function write(text: string): Promise<void> {
  if (text === '' || process.stdout.write(text)) return Promise.resolve();
  return new Promise((resolve) => process.stdout.once('drain', resolve));
}

/**
 * One warning when reports were in the training data, with the count: the model's answers on
 * them are what it was taught. JSON marks them; CSV gets its column with --mark-training (a
 * column added only when some report turns out to be in training could not be: the header is
 * written before the first report is read).
 */
function warnAboutTraining(model: Model, stats: { inTraining: number; done: number }, o: PredictOptions): void {
  if (!model.hasFingerprints || stats.inTraining === 0) return;
  const where =
    o.format === 'json' || o.format === 'jsonl'
      ? ': marked "in_training": true'
      : o.format === 'csv' && o.markTraining
        ? ': marked in the in_training column'
        : `; --format json marks them${o.format === 'csv' ? ', and --mark-training adds an in_training column' : ''}`;
  stderrLog(
    `warning: the model was trained on ${stats.inTraining} of these ${stats.done} reports: its answers on them are what it was taught, not predictions of new reports${where}`,
  );
}

/** One warning for empty reports, and one for a batch whose vocabulary coverage is unlike the training data's. */
function warnAboutBatch(
  model: Model,
  stats: { empty: string[]; scored: number; unlike: number },
  answer = 'answered with the review label, confidence 0',
): void {
  const { empty } = stats;
  if (empty.length) {
    stderrLog(
      `warning: ${empty.length} report${empty.length === 1 ? ' is' : 's are'} empty (${empty.slice(0, 5).join(', ')}${empty.length > 5 ? ', ...' : ''}): ${answer}`,
    );
  }
  const floor = model.summary.coverage?.p05;
  if (floor === undefined || stats.scored === 0) return;
  if (stats.unlike / stats.scored >= UNLIKE_SHARE) {
    stderrLog(
      `warning: ${stats.unlike} of ${stats.scored} reports (${Math.round((100 * stats.unlike) / stats.scored)} %) look unlike the training data: ` +
        `the model's vocabulary covers less of them (coverage < ${floor.toFixed(2)}) than of 95 % of its training reports; treat their labels with care`,
    );
  }
}
