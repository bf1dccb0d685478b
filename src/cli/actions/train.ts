import { CancelledError, checkModelDir, readReports, train as trainModel } from '../../index.js';
import { learningOf, type LearningFlags } from '../learning.js';
import {
  hyperparametersOf,
  labelSeparatorOf,
  logOf,
  multiLabelOf,
  readOptionsOf,
  runtimeOf,
  stderrLog,
  type ColumnOptions,
  type MultiLabelFlags,
} from '../options.js';

interface TrainOptions extends ColumnOptions, MultiLabelFlags {
  data: string;
  out: string;
  force: boolean;
  quiet: boolean;
}

export async function train(o: TrainOptions & Record<string, unknown>): Promise<void> {
  const log = logOf(o);
  const started = performance.now();
  const hyperparameters = hyperparametersOf(o);
  checkModelDir(o.out, o.force);
  const reports = readReports(o.data, readOptionsOf(o, { onWarning: log ?? (() => {}), ...labelSeparatorOf(o) }));
  const multi = multiLabelOf(o, reports);
  if (multi) {
    const distinct = new Set(reports.issueLabels!.flat()).size;
    log?.(`training on ${reports.texts.length} reports carrying ${distinct} distinct labels from ${o.data} (multi-label)`);
  } else {
    const categories = new Set(reports.labels).size;
    const by = reports.annotators ? `, labelled by ${reports.annotators.map((a) => a.name).join(', ')}` : '';
    log?.(`training on ${reports.texts.length} reports in ${categories} categories from ${o.data}${by}`);
  }
  const model = await trainModel(reports, {
    hyperparameters,
    onProgress: log,
    ...learningOf(o as LearningFlags, log),
    ...runtimeOf(o as { jobs?: number }),
    ...(multi ?? {}),
  });

  // Ctrl-C during training ends the process at once (nothing is written until now).
  // While saving, a signal is noted, and the save is abandoned before anything at --out changes.
  const abort = new AbortController();
  let signal: NodeJS.Signals | undefined;
  const onSignal = (s: NodeJS.Signals) => {
    signal = s;
    abort.abort();
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  try {
    await model.save(o.out, { force: o.force, signal: abort.signal });
  } catch (err) {
    if (!(err instanceof CancelledError)) throw err;
    stderrLog(`interrupted (${signal}): nothing was written to ${o.out}`);
    process.exitCode = signal === 'SIGTERM' ? 143 : 130;
    return;
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
  log?.(`model written to ${o.out} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
