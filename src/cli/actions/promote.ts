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
  metric: PromoteMetric;
  tolerance: number;
  force: boolean;
  json?: string;
}

const f3 = (x: number) => x.toFixed(3);
const line = (name: string, s: PromoteScores) =>
  `${name.padEnd(10)} accuracy ${f3(s.accuracy)}  macro-F1 ${f3(s.macro_f1)}${s.trained_on ? `  (trained on ${s.trained_on} of these reports)` : ''}`;

/** The comparison as a person reads it. */
function formatComparison(c: PromoteComparison): string {
  const lines = [
    `compared on ${c.n} reports by ${c.metric}${c.tolerance ? ` (tolerance ${c.tolerance})` : ''}:`,
    line('candidate', c.candidate),
  ];
  if (c.active) {
    lines.push(line('active', c.active));
    lines.push(`right only by the candidate: ${c.candidateOnlyRight}; only by the active model: ${c.activeOnlyRight}`);
  } else lines.push('active     none');
  return lines.join('\n') + '\n';
}

/** bugcat promote: compare on --data, then promote or refuse (exit 1). */
export async function promote(candidate: string, o: PromoteFlags): Promise<void> {
  if (o.data === undefined)
    throw new UsageError(
      'give --data: labelled reports to compare the candidate and the active model on (a test set neither was trained on)',
    );
  const reports = readReports(o.data, readOptionsOf(o));
  const result = await promoteModel(candidate, o.models, {
    reports,
    metric: o.metric,
    tolerance: o.tolerance,
    force: o.force,
    ...backendOf(),
  });
  const c = result.comparison;
  for (const w of c.warnings) stderrLog(`${w.kind === 'no_fingerprints' ? 'note' : 'warning'}: ${w.message}`);
  process.stdout.write(formatComparison(c));
  if (o.json) writeResult(o.json, JSON.stringify({ promoted: result.promoted, ...c, state: result.state }, null, 2) + '\n');
  if (!result.promoted) {
    const metric = c.metric === 'accuracy' ? 'accuracy' : 'macro-F1';
    throw new ModelError(
      `the candidate ${candidate} is worse than the active model by ${metric} on ${c.n} reports of ${o.data} (${f3(c.candidate[c.metric])} against ${f3(c.active![c.metric])}): not promoted, ${o.models} is unchanged`,
      { code: 'PROMOTE_WORSE', advice: 'promote it anyway with --force, or keep the active model' },
    );
  }
  const forced = !c.noWorse ? ' (forced: it scores worse)' : '';
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
