import { Classifier } from '../classifier.js';
import { dropExcluded, readLabelled } from '../dataset.js';
import { checkOutDir, saveModel } from '../store.js';
import { loadTfForTraining } from '../tf.js';
import { CREATED_BY } from '../version.js';
import { columnsOf, hyperparametersOf, logOf, type ColumnOptions } from './options.js';

interface TrainOptions extends ColumnOptions {
  data: string;
  out: string;
  force: boolean;
  quiet: boolean;
}

export async function train(o: TrainOptions & Record<string, unknown>): Promise<void> {
  const log = logOf(o);
  const started = performance.now();
  const hp = hyperparametersOf(o);
  checkOutDir(o.out, o.force);
  const reports = dropExcluded(readLabelled(o.data, columnsOf(o)), o.excludeLabel ?? [], log);
  const categories = new Set(reports.labels).size;
  log(`training on ${reports.texts.length} reports in ${categories} categories from ${o.data}`);
  const tf = await loadTfForTraining();
  const clf = await Classifier.train(tf, reports.texts, reports.labels!, hp, log, reports.secondLabels);

  // Ctrl-C during training ends the process at once (nothing is written until now).
  // While saving, a signal is noted, and the save is abandoned before anything at --out changes.
  let signal: NodeJS.Signals | undefined;
  const onSignal = (s: NodeJS.Signals) => (signal = s);
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  try {
    const saved = await saveModel(clf, o.out, { force: o.force, createdBy: CREATED_BY, shouldStop: () => signal !== undefined });
    if (!saved) {
      log(`interrupted (${signal}): nothing was written to ${o.out}`);
      process.exitCode = signal === 'SIGTERM' ? 143 : 130;
      return;
    }
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
  log(`model written to ${o.out} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
