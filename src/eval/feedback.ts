/**
 * How often people keep the bot's labels: per label, from the ledger's issue histories, how many
 * issues it was suggested for, applied to (or, in a dry run, would have been), kept, removed by
 * a person, and added by a person where bugcat had not applied it (a label it missed); and the
 * same by period (the month or week each event happened in), to show the trend.
 */

/** What the feedback reads of an issue's history (io/issue-history.ts's IssueHistory has it): each label's time of each event. */
export interface IssueEvents {
  suggested: ReadonlyMap<string, { at: string }>;
  applied: ReadonlyMap<string, string>;
  removedByPerson: ReadonlyMap<string, string>;
  addedByPerson: ReadonlyMap<string, string>;
  first: string;
  last: string;
}

/** One label's counts (issues). */
export interface LabelFeedback {
  label: string;
  suggested: number;
  applied: number;
  /** Applied and still there: not removed by a person. */
  kept: number;
  removedByPerson: number;
  /** Added by a person where bugcat had applied nothing of the kind: what it missed. */
  missed: number;
  /** kept / applied (undefined when nothing was applied). */
  keptShare?: number;
}

/** The counts of one period (all labels), as events happened in it. */
export interface PeriodFeedback {
  period: string;
  suggested: number;
  applied: number;
  removedByPerson: number;
  missed: number;
}

export interface Feedback {
  issues: number;
  /** Deliveries recorded as dry runs only: "applied" then means "would have applied". */
  dry: boolean;
  labels: LabelFeedback[];
  total: Omit<LabelFeedback, 'label'>;
  periods: PeriodFeedback[];
  period: 'day' | 'week' | 'month';
  first?: string;
  last?: string;
}

/** The period an ISO time falls in: 2026-03, 2026-W11 (ISO week), 2026-03-14. */
export function periodOf(at: string, period: Feedback['period']): string {
  if (period === 'day') return at.slice(0, 10);
  if (period === 'month') return at.slice(0, 7);
  const d = new Date(`${at.slice(0, 10)}T00:00:00Z`);
  // ISO 8601: the week's Thursday decides its year; weeks start on Monday.
  d.setUTCDate(d.getUTCDate() + 4 - (d.getUTCDay() || 7));
  const year = d.getUTCFullYear();
  const week = Math.ceil(((d.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 + 1) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

const share = (a: number, b: number) => (b > 0 ? a / b : undefined);

/** The feedback of every issue the ledger knows. `dry`: the ledger holds dry runs only. */
export function feedbackOf(issues: Iterable<IssueEvents>, dry: boolean, period: Feedback['period'] = 'month'): Feedback {
  const by = new Map<string, LabelFeedback>();
  const periods = new Map<string, PeriodFeedback>();
  const row = (label: string) => {
    let r = by.get(label);
    if (!r) by.set(label, (r = { label, suggested: 0, applied: 0, kept: 0, removedByPerson: 0, missed: 0 }));
    return r;
  };
  const at = (time: string) => {
    const p = periodOf(time, period);
    let r = periods.get(p);
    if (!r) periods.set(p, (r = { period: p, suggested: 0, applied: 0, removedByPerson: 0, missed: 0 }));
    return r;
  };
  let n = 0;
  let first: string | undefined;
  let last: string | undefined;
  for (const h of issues) {
    n++;
    if (h.first && (first === undefined || h.first < first)) first = h.first;
    if (h.last && (last === undefined || h.last > last)) last = h.last;
    for (const [label, s] of h.suggested) {
      row(label).suggested++;
      at(s.at).suggested++;
    }
    for (const [label, when] of h.applied) {
      const r = row(label);
      r.applied++;
      at(when).applied++;
      const removed = h.removedByPerson.get(label);
      if (removed !== undefined && removed >= when) {
        r.removedByPerson++;
        at(removed).removedByPerson++;
      } else r.kept++;
    }
    for (const [label, when] of h.addedByPerson) {
      if (h.applied.has(label)) continue;
      row(label).missed++;
      at(when).missed++;
    }
  }
  const labels = [...by.values()].sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  for (const r of labels) r.keptShare = share(r.kept, r.applied);
  const sum = (k: 'suggested' | 'applied' | 'kept' | 'removedByPerson' | 'missed') => labels.reduce((s, r) => s + r[k], 0);
  const total = {
    suggested: sum('suggested'),
    applied: sum('applied'),
    kept: sum('kept'),
    removedByPerson: sum('removedByPerson'),
    missed: sum('missed'),
  };
  return {
    issues: n,
    dry,
    labels,
    total: { ...total, keptShare: share(total.kept, total.applied) },
    periods: [...periods.values()].sort((a, b) => (a.period < b.period ? -1 : 1)),
    period,
    first,
    last,
  };
}
