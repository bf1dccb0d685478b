import { csvRows } from '../csv.js';
import {
  audit as runAudit,
  checkStudyDir,
  FORMAT_VERSION,
  readReports,
  scorePredictions,
  validateHyperparameters,
  VERSION,
  writeStudyLayout,
  type Audit,
  type AuditEntry,
  type Ranking,
} from '../../index.js';
import { groupsInWords } from '../format.js';
import { wantsReport, writeReport, type ReportTargets } from '../report.js';
import { hyperparametersOf, logOf, readOptionsOf, runtimeOf, stderrLog, writeResult, type ColumnOptions } from '../options.js';

export const AUDIT_FORMATS = ['text', 'csv', 'jsonl'] as const;

interface AuditOptions extends ColumnOptions, ReportTargets {
  data: string;
  folds: number;
  top?: number;
  all: boolean;
  format: (typeof AUDIT_FORMATS)[number];
  ranking: Ranking;
  json?: string;
  outDir?: string;
  force: boolean;
  quiet: boolean;
}

const FIXED = ['rank', 'id', 'label', 'suggested', 'suggested_probability', 'probability', 'threshold', 'margin', 'issue', 'fold'];

/** The other annotators' output names: their columns' names, prefixed where one would clash with a fixed column. */
const namesOf = (columns: readonly string[]) => columns.map((c) => (FIXED.includes(c) ? `annotator_${c}` : c));

/** The other annotators' labels of an entry, by name. */
const annotatorsOf = (e: AuditEntry, names: readonly string[]): Record<string, string> =>
  Object.fromEntries(names.map((name, k) => [name, e.otherLabels?.[k] ?? '']));

const f3 = (x: number) => x.toFixed(3);
const f4 = (x: number) => x.toFixed(4);
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

/** How many of the `n` labels look wrong, how that was found, and how many are listed: the text's first line, and stderr's with CSV or JSON Lines. */
function headline(result: Audit, listed: number, n: number): string {
  return (
    `${result.issues} of ${n} labels (${pct(result.issues / n)}) look wrong: another label reaches its typical confidence and outranks the given one ` +
    `(confident learning on ${result.folds}-fold out-of-fold probabilities); ranked by ${result.ranking}${listed < result.issues ? `, the first ${listed} listed` : ''}`
  );
}

function formatText(result: Audit, listed: readonly AuditEntry[], others: readonly string[], n: number): string {
  const lines: string[] = [headline(result, listed.length, n)];
  lines.push('');
  const idWidth = Math.max(4, ...listed.map((e) => e.id.length));
  const labelWidth = Math.max(9, ...result.categories.map((c) => c.label.length));
  lines.push(
    `${'rank'.padStart(5)}  ${'id'.padEnd(idWidth)}  ${'label'.padEnd(labelWidth)}  p      typical  ${'suggested'.padEnd(labelWidth)}  p      margin${others.map((o) => `  ${o}`).join('')}`,
  );
  for (const e of listed) {
    lines.push(
      `${String(e.rank).padStart(5)}  ${e.id.padEnd(idWidth)}  ${e.label.padEnd(labelWidth)}  ${f3(e.probability)}  ${f3(e.threshold).padEnd(7)}  ${e.suggested.padEnd(labelWidth)}  ${f3(e.suggestedProbability)}  ${(e.margin >= 0 ? '+' : '') + f3(e.margin)}${
        e.otherLabels ? e.otherLabels.map((l, k) => `  ${l.padEnd(others[k].length)}`).join('') : ''
      }`.trimEnd(),
    );
  }
  lines.push('');
  lines.push('estimated wrong labels by category (calibrated confident joint):');
  lines.push(`${'category'.padEnd(labelWidth)}  reports  typical  flagged  estimated wrong`);
  for (const c of result.categories) {
    lines.push(
      `${c.label.padEnd(labelWidth)}  ${String(c.reports).padStart(7)}  ${f3(c.threshold).padStart(7)}  ${String(c.issues).padStart(7)}  ${c.estimatedWrong.toFixed(1).padStart(6)} (${pct(c.reports ? c.estimatedWrong / c.reports : 0)})`,
    );
  }
  const total = result.categories.reduce((s, c) => s + c.estimatedWrong, 0);
  lines.push(
    `${'all'.padEnd(labelWidth)}  ${String(n).padStart(7)}  ${''.padStart(7)}  ${String(result.issues).padStart(7)}  ${total.toFixed(1).padStart(6)} (${pct(total / n)})`,
  );
  return lines.join('\n') + '\n';
}

export async function audit(o: AuditOptions & Record<string, unknown>): Promise<void> {
  const log = logOf(o);
  const hp = validateHyperparameters(hyperparametersOf(o));
  if (o.outDir) checkStudyDir(o.outDir, o.force);
  const reports = readReports(o.data, readOptionsOf(o, { onWarning: log ?? (() => {}) }));
  const names = namesOf(reports.annotators?.slice(1).map((a) => a.name) ?? []);
  log?.(`auditing ${reports.texts.length} labels of ${o.data} with ${o.folds}-fold out-of-fold probabilities`);
  const result = await runAudit(reports, { hyperparameters: hp, folds: o.folds, ranking: o.ranking, onProgress: log, ...runtimeOf() });
  const pool = o.all ? result.entries : result.entries.slice(0, result.issues);
  const listed = o.top !== undefined ? pool.slice(0, o.top) : pool;

  if (o.json) {
    const summary = {
      n: reports.texts.length,
      issues: result.issues,
      folds: result.folds,
      groups: result.groups,
      ranking: result.ranking,
      categories: result.categories,
      hyperparameters: hp,
    };
    writeResult(o.json, JSON.stringify(summary, null, 2) + '\n');
  }
  if (wantsReport(o)) {
    // The out-of-fold predictions behind the audit, drawn as cv draws its own.
    const byIndex: AuditEntry[] = [];
    for (const e of result.entries) byIndex[e.index] = e;
    const predictions = byIndex.map((e) => {
      const top = [...e.probabilities].sort((a, b) => b.probability - a.probability);
      return { label: top[0].label, confidence: top[0].probability, top };
    });
    const labels = reports.labels!;
    await writeReport(
      {
        kind: 'cv',
        subject: `audit of ${o.data}: ${result.folds}-fold out-of-fold predictions`,
        reports: { ids: reports.ids, texts: reports.texts, labels },
        predictions,
        evaluation: scorePredictions(labels, predictions),
        audit: {
          result,
          listed,
          givenBy: reports.annotators && reports.annotators.length > 1 ? reports.annotators[0].name : undefined,
          annotators: names,
        },
        card: {
          source: 'bugcat train, once per fold on the other folds',
          createdBy: `bugcat ${VERSION}`,
          formatVersion: FORMAT_VERSION,
          trainingReports: reports.texts.length,
          labels: [...new Set(labels)].sort(),
          hyperparameters: hp,
          groups: groupsInWords(result.groups),
        },
      },
      o,
    );
  }
  if (o.outDir) {
    const written = writeStudyLayout(
      o.outDir,
      listed.map((e) => ({
        id: e.id,
        category: e.suggested,
        scores: e.probabilities.map((p) => ({ label: p.label, score: p.probability })),
        given: [{ label: e.label }, ...(e.otherLabels ?? []).map((label, k) => ({ by: names[k] ?? `annotator ${k + 2}`, label }))],
        text: reports.texts[e.index],
      })),
      { force: o.force },
    );
    log?.(
      `wrote ${written.files} reports to ${o.outDir}, each in its suggested label's folder with its given label(s) after the scores, with categories.csv`,
    );
    if (written.stale.length) {
      stderrLog(
        `warning: ${written.stale.length} report file${written.stale.length === 1 ? '' : 's'} of an earlier audit stay in ${o.outDir} (${written.stale.slice(0, 3).join(', ')}${written.stale.length > 3 ? ', ...' : ''}): bugcat deletes nothing; write to an empty folder for this audit alone`,
      );
    }
  }
  // CSV and JSON Lines hold the listed reports alone: the count goes to stderr, so that an empty list still says what it means.
  if (o.format !== 'text') stderrLog(headline(result, listed.length, reports.texts.length));
  switch (o.format) {
    case 'text':
      process.stdout.write(formatText(result, listed, names, reports.texts.length));
      break;
    case 'csv': {
      const header = [...FIXED.slice(0, 3), ...names, ...FIXED.slice(3)];
      const rows = listed.map((e) => [
        e.rank,
        e.id,
        e.label,
        ...names.map((_, k) => e.otherLabels?.[k] ?? ''),
        e.suggested,
        f4(e.suggestedProbability),
        f4(e.probability),
        f4(e.threshold),
        f4(e.margin),
        e.issue ? 'true' : 'false',
        e.fold,
      ]);
      process.stdout.write(csvRows([header, ...rows]));
      break;
    }
    case 'jsonl':
      process.stdout.write(
        listed
          .map((e) => {
            const { index: _index, otherLabels: _others, score: _score, ...rest } = e;
            return JSON.stringify({ ...rest, annotators: annotatorsOf(e, names) }) + '\n';
          })
          .join(''),
      );
      break;
  }
}
