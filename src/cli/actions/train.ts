import {
  CancelledError,
  checkModelDir,
  confirmedIssues,
  IssueHistories,
  readLedger,
  readReports,
  train as trainModel,
  UsageError,
  type Reports,
} from '../../index.js';
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
  keepIndex?: true | number;
  ledger?: string;
  ledgerWeight: number;
}

/**
 * The reports with the ledger's confirmed issues added, each `weight` times: the issues whose
 * labels a person set or confirmed (confirmedIssues). A multi-label training takes each with all
 * of those labels (the training's exclusions and minimum counts then apply to them as to the
 * data's). A single-label one takes the one of them the training data knows: an issue with
 * several, or none, of the data's labels is left out and counted. Repeating a report is its
 * weight: the trainer's weights are per label, and copies of a report are kept in one fold of
 * the calibration (default groups).
 */
function withLedger(reports: Reports, multi: boolean, path: string, weight: number, log?: (m: string) => void): Reports {
  if (reports.annotators || reports.secondLabels)
    throw new UsageError('--ledger cannot be combined with several annotators: give one label column');
  const known = new Set(reports.labels);
  const { records, torn } = readLedger(path, { mustExist: true });
  if (torn) log?.(`warning: ${torn}`);
  const out = { ...reports, ids: [...reports.ids], texts: [...reports.texts] };
  const extend = <T>(list: T[] | undefined, value: T) => list && Array.from({ length: weight }, () => list.push(value));
  if (reports.labels) out.labels = [...reports.labels];
  else if (!multi) out.labels = [];
  if (reports.groups) out.groups = [...reports.groups];
  if (reports.issueLabels) out.issueLabels = [...reports.issueLabels];
  if (reports.errors) out.errors = [...reports.errors];
  if (reports.idWarnings) out.idWarnings = [...reports.idWarnings];
  let added = 0;
  let several = 0;
  let unknown = 0;
  for (const issue of confirmedIssues(new IssueHistories(records))) {
    const ours = issue.labels.filter((l) => known.has(l));
    if (!multi && ours.length !== 1) {
      if (ours.length > 1) several++;
      else unknown++;
      continue;
    }
    extend(out.ids, issue.id);
    extend(out.texts, issue.text);
    extend(out.labels, multi ? '' : ours[0]);
    extend(out.groups, issue.id);
    extend(out.issueLabels, issue.labels);
    extend(out.errors, undefined);
    extend(out.idWarnings, undefined);
    added++;
  }
  log?.(
    `ledger ${path}: ${added} issues whose labels people set or confirmed added, each counted ${weight} times` +
      (several ? `; ${several} with several of the data's labels left out (a single-label model takes one)` : '') +
      (unknown ? `; ${unknown} with none of the data's labels left out` : ''),
  );
  return out;
}

export async function train(o: TrainOptions & Record<string, unknown>): Promise<void> {
  const log = logOf(o);
  const started = performance.now();
  const hyperparameters = hyperparametersOf(o);
  checkModelDir(o.out, o.force);
  const read = readReports(o.data, readOptionsOf(o, { onWarning: log ?? (() => {}), ...labelSeparatorOf(o) }));
  const multi = multiLabelOf(o, read);
  const reports = o.ledger === undefined ? read : withLedger(read, multi !== undefined, o.ledger, o.ledgerWeight, log);
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
    ...learningOf(o as LearningFlags, log, { multiLabel: multi !== undefined }),
    ...runtimeOf(o as { jobs?: number }),
    ...(o.keepIndex !== undefined ? { keepIndex: o.keepIndex === true ? true : { terms: o.keepIndex } } : {}),
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
