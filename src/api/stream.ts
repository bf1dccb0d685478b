import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../base/errors.js';
import { silentLog } from '../base/log.js';
import { checkOptions, type OptionKeys } from '../base/options.js';
import { seeingControls } from '../io/controls.js';
import { streamBytes, streamInputBatches, streamInputs, type ReportRecord, type StreamProgress } from '../io/stream.js';
import { RUNTIME_OPTIONS, type RuntimeOptions } from '../nn/choices.js';
import type { AnyPrediction, LabelSetPrediction, Prediction } from '../model/prediction.js';
import { controlCharacters } from '../text/normalize.js';
import { PREDICT_OPTIONS, type Model, type PredictOptions } from './model.js';
import { PredictionPool } from './pool.js';
import { idFrom, readColumns, UNLABELLED_READ_OPTIONS, type ReadOptions } from './reports.js';

export type { ReportRecord, StreamProgress };

/** What a streamed report's prediction carries besides the model's answer. */
export interface RecordFields {
  id: string;
  error?: string;
  /**
   * Present, and true, when the model was trained on this report (by the fingerprints it keeps
   * of its training reports): its answer is what it was taught, not a prediction of a new report.
   */
  inTraining?: true;
  /** Why the id is not the file's name (it was shared with another report's and made distinct), where it is not. */
  idWarning?: string;
  /** How many control characters (NUL bytes, escape codes) were removed from the report's text before it was read, where any were. */
  controlCharacters?: number;
}

/** A prediction of a streamed report, with its id; a report that could not be read has `error` (and says nothing else). */
export interface RecordPrediction extends Prediction, RecordFields {}

/**
 * A multi-label model's prediction of a streamed report: `{ id, labels, scores }` (and `coverage`);
 * a report that could not be read has `error`, no labels and no scores.
 */
export interface RecordLabelSet extends LabelSetPrediction, RecordFields {}

/** Either kind of streamed prediction; `'labels' in p` tells them apart (isLabelSet). */
export type AnyRecordPrediction = RecordPrediction | RecordLabelSet;

export interface StreamOptions extends PredictOptions, RuntimeOptions {
  /**
   * Threads that predict (default: the machine's cores). With 2 or more, batches go to worker
   * threads, each holding the model, while this thread reads and writes; the predictions are
   * the same as with 1, in the same order.
   */
  jobs?: number;
  /** Reports per batch (default 512): memory holds at most about 3 x jobs batches at once (IN_FLIGHT). */
  batchSize?: number;
}

type StreamReadOptions = Omit<ReadOptions, 'labelColumn' | 'excludeLabels' | 'labelSeparator'>;
/** streamReports's keys (base/options.ts). */
const STREAM_READ_OPTIONS: OptionKeys<StreamReadOptions & { progress?: StreamProgress }> = { ...UNLABELLED_READ_OPTIONS, progress: true };
/** StreamOptions's keys. */
const STREAM_OPTIONS: OptionKeys<StreamOptions> = { ...PREDICT_OPTIONS, ...RUNTIME_OPTIONS, jobs: true, batchSize: true };

/**
 * The reports of paths (folders, CSV, JSON, JSON Lines, text files; as readAllReports reads
 * them), one at a time, in order, with memory that does not grow with the input. `progress`,
 * if given, is kept up to date with the bytes read. One path may be given as a string (as to
 * readReports). Breaking out of the loop early closes the files.
 */
export function streamReports(
  paths: string | readonly string[],
  options: StreamReadOptions & { progress?: StreamProgress } = {},
): ReportStream {
  checkOptions('streamReports', options, STREAM_READ_OPTIONS);
  const list = typeof paths === 'string' ? [paths] : paths;
  const args = [list, readColumns(options), options.onWarning ?? silentLog, options.format, options.progress, idFrom(options)] as const;
  return Object.assign(streamInputs(...args), { batches: () => streamInputBatches(...args) });
}

/**
 * streamReports's reports: one at a time, or, through `batches()`, in the arrays they are read
 * in (a CSV's, those a chunk of its bytes completes; none empty), which predictStream takes as
 * they are: cheaper per report in bulk (one step of each async generator an array, not a
 * report). Iterate one or the other: each reads the input.
 */
export interface ReportStream extends AsyncGenerator<ReportRecord> {
  batches(): AsyncGenerator<ReportRecord[]>;
}

/** The reports of a byte stream (stdin, say; any async iterable of byte chunks): CSV, JSON Lines (if it starts with `{`) or JSON, one at a time. */
export function streamReportBytes(
  input: AsyncIterable<Uint8Array>,
  source: string,
  options: StreamReadOptions = {},
): AsyncGenerator<ReportRecord> {
  checkOptions('streamReportBytes', options, UNLABELLED_READ_OPTIONS);
  return streamBytes(input, source, readColumns(options), options.onWarning ?? silentLog, options.format);
}

/** textReports's options. */
const TEXT_REPORT_OPTIONS: OptionKeys<Pick<ReadOptions, 'onWarning'>> = { onWarning: true };

/**
 * Reports given as texts rather than read (a command's arguments, one report piped on stdin), as
 * records in order, with the warning the readers give through onWarning when a text held control
 * characters (NUL bytes, escape codes), which are removed before features.
 */
export function textReports(
  reports: Iterable<{ id: string; text: string }>,
  options: Pick<ReadOptions, 'onWarning'> = {},
): AsyncGenerator<ReportRecord> {
  checkOptions('textReports', options, TEXT_REPORT_OPTIONS);
  return seeingControls(reports, options.onWarning ?? silentLog);
}

const WORKER = fileURLToPath(new URL('./predict-worker.js', import.meta.url));
/**
 * The young generation of predictStream's threads, in MB (a service's have 4: pool.ts's LIMITS).
 * They predict 512-report batches back to back; with 4 MB the x18 corpus's worker made 567
 * scavenges, 845 ms of its 9 s. With 16: x0.95-0.96 the wall time of the whole predict (timed as
 * whole processes, 2 x 5 pairs), peak resident memory about the same (254-261 MB); 32 gained no more, for 280 MB.
 */
const STREAM_YOUNG_MB = 16;

/** The settings of predictStream's threads (PredictionPool's options): the runtime choices, and STREAM_YOUNG_MB. */
const streamThreads = (runtime: RuntimeOptions) => ({ runtime, youngGenerationMb: STREAM_YOUNG_MB });

/**
 * Starts predictStream's threads for `jobs` (jobs - 1 of them) before the model is loaded, for a
 * caller that knows its input is large: they load their modules meanwhile (PredictionPool.prestart),
 * and predictStream gives them batches from the first.
 */
export function prestartStream(jobs: number, runtime: RuntimeOptions = {}): void {
  if (jobs >= 2) PredictionPool.prestart(jobs - 1, streamThreads(runtime));
}
/**
 * Batches a worker may hold, and the pipeline's depth a thread. With 2, the worker of the x18
 * corpus's predict sat idle 1.2 s of its 9.6 (a profile): while this thread read, wrote and
 * predicted a batch of its own, the worker finished both of its. With 3: x0.949 the wall time
 * (whole processes, 5 pairs), peak resident memory 279 MB against 260; with 4, x0.944 for 294 to 302 MB.
 */
const IN_FLIGHT = 3;
/** Batches predictStream answers in the calling thread before it starts any worker. */
const BATCHES_BEFORE_WORKERS = 3;

/**
 * Predictions of streamed reports, in bounded batches, in input order: one array per batch.
 * Reports that could not be read keep their place, with their error. Memory holds a few
 * batches, whatever the input's size. The reports may come one at a time or in arrays
 * (ReportStream.batches): the same predictions.
 */
export async function* predictStream(
  model: Model,
  records: AsyncIterable<ReportRecord | readonly ReportRecord[]>,
  options: StreamOptions = {},
): AsyncGenerator<AnyRecordPrediction[]> {
  checkOptions('predictStream', options, STREAM_OPTIONS);
  const jobs = options.jobs ?? availableParallelism();
  const size = options.batchSize ?? 512;
  if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`jobs is ${jobs}: expected an integer from 1 up`);
  if (!Number.isInteger(size) || size < 1) throw new UsageError(`batchSize is ${size}: expected an integer from 1 up`);
  const predict: PredictOptions = { top: options.top, minConfidence: options.minConfidence, reviewLabel: options.reviewLabel };
  const batches = batchesOf(records, size);
  const runtime = { backend: options.backend, kernels: options.kernels };
  // The first batches are answered here, at once: output starts early, and a small input (a few
  // thousand reports) never pays for starting workers, each of which loads the model (measured on
  // 1,141 reports: 0.9 s in this thread alone, 1.4 s with a worker started at the second batch).
  // Threads prestarted for a large input (PredictionPool.prestart) get batches from the first.
  const before = jobs >= 2 && PredictionPool.spares(streamThreads(runtime)) >= jobs - 1 ? 0 : BATCHES_BEFORE_WORKERS;
  for (let k = 0; k < before; k++) {
    const next = await batches.next();
    if (next.done) return;
    yield label(model, next.value, predict);
  }
  const more = await batches.next();
  if (more.done) return;
  if (jobs < 2 || !existsSync(WORKER)) {
    yield label(model, more.value, predict);
    for await (const batch of batches) yield label(model, batch, predict);
    return;
  }
  // jobs - 1 worker threads and this thread: a batch goes to a worker with fewer than IN_FLIGHT
  // batches in flight, else this thread predicts it (while the workers go on). On a 2-core
  // machine one worker and this thread, which also reads and writes, share the cores.
  const pool = new PredictionPool(jobs - 1, streamThreads(runtime));
  void pool.share(0, model);
  try {
    const pending: Promise<AnyRecordPrediction[]>[] = [];
    const send = (batch: readonly ReportRecord[]) => {
      const p =
        pool.inFlight(0) >= IN_FLIGHT
          ? new Promise<AnyRecordPrediction[]>((resolve) => resolve(label(model, batch, predict)))
          : inWorker(model, pool, batch, predict);
      p.catch(() => {}); // awaited in turn below; a failure is not unhandled meanwhile
      pending.push(p);
    };
    send(more.value);
    for await (const batch of batches) {
      send(batch);
      // At most IN_FLIGHT batches a thread in flight: memory stays bounded, and every thread stays busy.
      if (pending.length >= IN_FLIGHT * jobs) yield await pending.shift()!;
    }
    while (pending.length) yield await pending.shift()!;
  } finally {
    await pool.close();
  }
}

/**
 * Predictions of one batch in a worker. Only the ids (keptOf) wait here for the answers: the texts go to
 * the worker and are garbage here at once, before they could be promoted to this thread's old
 * generation (where they would linger until a full collection, growing its heap with the
 * pipeline's depth).
 */
async function inWorker(
  model: Model,
  pool: PredictionPool,
  batch: readonly ReportRecord[],
  options: PredictOptions,
): Promise<AnyRecordPrediction[]> {
  const texts = readable(batch);
  const seen = seenOf(model, texts);
  const kept = keptOf(batch);
  return merge(kept, await pool.predict(0, texts, options), seen, model.kind === 'multi-label');
}

async function* batchesOf(records: AsyncIterable<ReportRecord | readonly ReportRecord[]>, size: number): AsyncGenerator<ReportRecord[]> {
  let batch: ReportRecord[] = [];
  for await (const item of records) {
    for (const r of isArray(item) ? item : [item]) {
      batch.push(r);
      if (batch.length === size) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length) yield batch;
}

const isArray = (x: ReportRecord | readonly ReportRecord[]): x is readonly ReportRecord[] => Array.isArray(x);

/** Predictions of one batch in this thread. */
function label(model: Model, batch: readonly ReportRecord[], options: PredictOptions): AnyRecordPrediction[] {
  const texts = readable(batch);
  return merge(keptOf(batch), model.predict(texts, options), seenOf(model, texts), model.kind === 'multi-label');
}

/** For each of a batch's readable texts, whether the model was trained on it (undefined for a model that keeps no fingerprints). */
const seenOf = (model: Model, texts: readonly string[]): boolean[] | undefined =>
  model.hasFingerprints ? model.trainedOn(texts) : undefined;

const readable = (batch: readonly ReportRecord[]) => batch.filter((r) => r.error === undefined).map((r) => r.text);

/** What merge needs of a record, without its text (which may have gone to a worker): the control characters are counted here, while the text is at hand. */
type Kept = Pick<ReportRecord, 'id' | 'error' | 'idWarning'> & { controls: number };

const keptOf = (batch: readonly ReportRecord[]): Kept[] =>
  batch.map((r) => ({ id: r.id, error: r.error, idWarning: r.idWarning, controls: r.error === undefined ? controlCharacters(r.text) : 0 }));

/** The batch's records with their predictions (those that could not be read keep their error), marked where the model was trained on them. */
function merge(
  batch: readonly Kept[],
  preds: readonly AnyPrediction[],
  seen: readonly boolean[] | undefined,
  sets: boolean,
): AnyRecordPrediction[] {
  let k = 0;
  // A report that could not be read keeps its place in the model's own shape (a batch may have no readable report at all).
  return batch.map((r) => {
    const note = r.idWarning !== undefined ? { idWarning: r.idWarning } : {};
    if (r.error !== undefined)
      return sets
        ? { id: r.id, labels: [], scores: {}, coverage: 0, error: r.error, ...note }
        : { id: r.id, label: '', confidence: 0, top: [], coverage: 0, error: r.error, ...note };
    const p: AnyRecordPrediction = { ...preds[k], id: r.id, ...note };
    if (seen?.[k]) p.inTraining = true;
    if (r.controls) p.controlCharacters = r.controls;
    k++;
    return p;
  });
}
