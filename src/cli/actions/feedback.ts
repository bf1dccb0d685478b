import { feedbackOf, IssueHistories, readLedger, type Feedback } from '../../index.js';
import { writeResult } from '../options.js';

interface FeedbackOptions {
  ledger: string;
  format: 'text' | 'json';
  period: Feedback['period'];
  html?: string;
}

const pc = (x: number | undefined) => (x === undefined ? '-' : `${(100 * x).toFixed(1)}%`);

/** The feedback as a person reads it: a table per label, then the trend. */
export function formatFeedback(f: Feedback): string {
  const applied = f.dry ? 'would-apply' : 'applied';
  const head = ['label', 'suggested', applied, 'kept', 'removed', 'missed', 'kept%'];
  const rows = [...f.labels, { label: 'all labels', ...f.total }].map((r) => [
    r.label,
    String(r.suggested),
    String(r.applied),
    String(r.kept),
    String(r.removedByPerson),
    String(r.missed),
    pc(r.keptShare),
  ]);
  const widths = head.map((_, i) => Math.max(head[i].length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const out = [
    `${f.issues} issues${f.first ? ` from ${f.first.slice(0, 10)} to ${(f.last ?? f.first).slice(0, 10)}` : ''}${f.dry ? ' (a dry run: would-apply is what the bot would have added)' : ''}`,
    'removed: by a person after bugcat applied it; missed: added by a person where bugcat had not',
    '',
    line(head),
    ...rows.map(line),
    '',
    `by ${f.period}: suggested, ${applied}, removed by a person, missed`,
    ...f.periods.map((p) => `${p.period}  ${p.suggested}  ${p.applied}  ${p.removedByPerson}  ${p.missed}`),
  ];
  return out.join('\n') + '\n';
}

export async function feedback(o: FeedbackOptions): Promise<void> {
  const { records, torn } = readLedger(o.ledger, { mustExist: true });
  if (torn) process.stderr.write(`bugcat: warning: ${torn}\n`);
  const deliveries = records.filter((r) => r.type === 'delivery');
  const dry = deliveries.length > 0 && deliveries.every((d) => d.dry);
  const f = feedbackOf(new IssueHistories(records).issues.values(), dry, o.period);
  if (o.html) {
    const { feedbackPage } = await import('../../report/index.js');
    writeResult(o.html, (await feedbackPage(f, o.ledger)).html);
  }
  const warnings = torn ? [torn] : [];
  if (o.format === 'json') process.stdout.write(JSON.stringify({ ...f, warnings }, null, 2) + '\n');
  else process.stdout.write(formatFeedback(f));
}
