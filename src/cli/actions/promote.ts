import {
  ModelError,
  modelsFolder,
  promote as promoteModel,
  readReports,
  rollback as rollbackModels,
  UsageError,
  type PromoteComparison,
  type PromoteMetric,
  type PromoteScores,
} from '../../index.js';
import { backendOf, readOptionsOf, stderrLog, writeResult, type ColumnOptions } from '../options.js';

interface PromoteFlags extends ColumnOptions {
  models: string;
  data?: string;
  ledger?: string;
  recent?: number;
  metric?: PromoteMetric;
  tolerance: number;
  force: boolean;
  json?: string;
}

const f3 = (x: number) => x.toFixed(3);
const line = (name: string, s: PromoteScores) =>
  `${name.padEnd(10)} ${s.kind === 'multi-label' ? `micro-F1 ${f3(s.micro_f1)}  macro-F1 ${f3(s.macro_f1)}  label sets right ${f3(s.accuracy)}` : `accuracy ${f3(s.accuracy)}  macro-F1 ${f3(s.macro_f1)}`}${s.trained_on ? `  (trained on ${s.trained_on} of these reports)` : ''}`;
const METRIC_NAMES: Record<PromoteMetric, string> = { accuracy: 'accuracy', micro_f1: 'micro-F1', macro_f1: 'macro-F1' };

/** The comparison as a person reads it. */
function formatComparison(c: PromoteComparison): string {
  const on =
    c.source === 'ledger'
      ? `the ledger's ${c.n} most recent human-labelled issues${c.from ? ` (${c.from.slice(0, 10)} to ${c.to!.slice(0, 10)})` : ''}`
      : `${c.n} reports`;
  const lines = [`compared on ${on} by ${c.metric}${c.tolerance ? ` (tolerance ${c.tolerance})` : ''}:`, line('candidate', c.candidate)];
  if (c.active) {
    lines.push(line('active', c.active));
    const what = c.candidate.kind === 'multi-label' ? 'label sets right' : 'right';
    lines.push(`${what} only by the candidate: ${c.candidateOnlyRight}; only by the active model: ${c.activeOnlyRight}`);
  } else lines.push(c.uncompared ? `active     not compared: ${c.uncompared}` : 'active     none');
  return lines.join('\n') + '\n';
}

/** bugcat promote: compare on --data or --ledger, then promote or refuse (exit 1). */
export async function promote(candidate: string, o: PromoteFlags): Promise<void> {
  if (o.data !== undefined && o.ledger !== undefined)
    throw new UsageError('give --data or --ledger, not both: the models are compared on a test set or on the ledger');
  if (o.recent !== undefined && o.ledger === undefined) throw new UsageError("--recent counts the ledger's issues: give it with --ledger");
  if (o.data === undefined && o.ledger === undefined)
    throw new UsageError(
      "give --data (labelled reports neither model was trained on) or --ledger (the bot's ledger: its recent human-labelled issues) to compare the candidate and the active model on",
    );
  const source =
    o.ledger !== undefined
      ? { ledger: o.ledger, ...(o.recent !== undefined ? { recent: o.recent } : {}) }
      : { reports: readReports(o.data!, readOptionsOf(o)) };
  const result = await promoteModel(candidate, o.models, {
    ...source,
    ...(o.metric !== undefined ? { metric: o.metric } : {}),
    tolerance: o.tolerance,
    force: o.force,
    ...backendOf(),
  });
  const c = result.comparison;
  for (const w of c.warnings) stderrLog(`${w.kind === 'no_fingerprints' ? 'note' : 'warning'}: ${w.message}`);
  process.stdout.write(formatComparison(c));
  if (o.json) writeResult(o.json, JSON.stringify({ promoted: result.promoted, ...c, state: result.state }, null, 2) + '\n');
  if (!result.promoted) {
    const on =
      c.source === 'ledger' ? `the ledger's ${c.n} most recent human-labelled issues (${o.ledger})` : `${c.n} reports of ${o.data}`;
    throw new ModelError(
      `the candidate ${candidate} is worse than the active model by ${METRIC_NAMES[c.metric]} on ${on} (${f3(c.candidate[c.metric])} against ${f3(c.active![c.metric])}): not promoted, ${o.models} is unchanged`,
      { code: 'PROMOTE_WORSE', advice: 'promote it anyway with --force, or keep the active model' },
    );
  }
  const forced = c.uncompared ? ' (forced: not compared with the active model)' : !c.noWorse ? ' (forced: it scores worse)' : '';
  stderrLog(
    `promoted ${candidate}${forced}: ${o.models}/active -> ${result.state.active}${result.state.previous ? `; previous -> ${result.state.previous}` : ''}${result.archived ? `; moved ${result.archived} aside` : ''}. Send the service SIGHUP to serve it`,
  );
}

/** bugcat rollback: previous becomes active, active previous. */
export async function rollback(o: { models: string }): Promise<void> {
  const before = modelsFolder(o.models);
  const after = await rollbackModels(o.models);
  stderrLog(
    `rolled back: ${o.models}/active -> ${after.active} (was ${before.active ?? 'none'}); previous -> ${after.previous ?? 'none'}. Send the service SIGHUP to serve it`,
  );
}
