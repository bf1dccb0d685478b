/**
 * What a result must say beside its figures, so that it reaches every output (the command
 * line's stderr, its JSON and HTML pages, the library's result objects) and not stderr alone:
 * labels the model never saw, labels that differ only in case, and reports the model was
 * trained on. Each warning has a kind a program can test, the reports it concerns and the
 * sentence a person reads.
 */

/**
 * What a warning is about (ledger_torn: the ledger's last line was cut short by a crash;
 * ledger_left_out: ledger issues a single-label comparison could not take).
 */
export type WarningKind = 'unseen_labels' | 'case_labels' | 'trained_on' | 'no_fingerprints' | 'ledger_torn' | 'ledger_left_out';

/** A warning that goes with a result: its kind, how many reports it concerns, and the sentence shown to a person. */
export interface ResultWarning {
  kind: WarningKind;
  /** Reports concerned (0 where it is about the model, as no_fingerprints). */
  count: number;
  message: string;
}

/**
 * The labels matched to the model's: a label the model lacks but that equals, ignoring case,
 * exactly one of its labels (`kvm` for the model's `KVM`) is read as that label, and said. A
 * label two of the model's labels match ignoring case, or none, is kept as it is.
 */
export function matchLabelCase(labels: readonly string[], known: readonly string[]): { labels: string[]; warning?: ResultWarning } {
  const exact = new Set(known);
  const folded = new Map<string, string[]>();
  for (const k of known) folded.set(k.toLowerCase(), [...(folded.get(k.toLowerCase()) ?? []), k]);
  const mapped = new Map<string, { to: string; n: number }>();
  const out = labels.map((l) => {
    if (exact.has(l)) return l;
    const same = folded.get(l.toLowerCase());
    if (!same || same.length !== 1) return l;
    const m = mapped.get(l) ?? { to: same[0], n: 0 };
    m.n++;
    mapped.set(l, m);
    return same[0];
  });
  if (mapped.size === 0) return { labels: out };
  const count = [...mapped.values()].reduce((a, m) => a + m.n, 0);
  const pairs = [...mapped].map(([from, m]) => `${from} (${m.n}) as ${m.to}`).join(', ');
  return {
    labels: out,
    warning: {
      kind: 'case_labels',
      count,
      message: `${count === 1 ? '1 report carries' : `${count} reports carry`} a label that differs from one of the model's only in case: read ${pairs}`,
    },
  };
}

/** The labels of the reports that the model does not know (after matchLabelCase), counted as errors. */
export function unseenLabels(labels: readonly string[], known: readonly string[]): ResultWarning | undefined {
  const set = new Set(known);
  const unseen = new Map<string, number>();
  for (const l of labels) if (!set.has(l)) unseen.set(l, (unseen.get(l) ?? 0) + 1);
  if (unseen.size === 0) return undefined;
  const count = [...unseen.values()].reduce((a, b) => a + b, 0);
  return {
    kind: 'unseen_labels',
    count,
    message: `${count === 1 ? '1 report has a label' : `${count} reports have labels`} the model never saw (${[...unseen.keys()].join(', ')}): counted as errors`,
  };
}

/**
 * Labels of one data set that differ only in case (`kvm` and `KVM`): training makes them two
 * categories, which is seldom what the labeller meant.
 */
export function caseOnlyLabels(labels: readonly string[]): ResultWarning | undefined {
  const counts = new Map<string, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  const groups = new Map<string, string[]>();
  for (const l of counts.keys()) groups.set(l.toLowerCase(), [...(groups.get(l.toLowerCase()) ?? []), l]);
  const twins = [...groups.values()].filter((g) => g.length > 1);
  if (twins.length === 0) return undefined;
  const count = twins.flat().reduce((a, l) => a + counts.get(l)!, 0);
  return {
    kind: 'case_labels',
    count,
    message: `labels that differ only in case are separate categories: ${twins
      .map((g) => g.map((l) => `${l} (${counts.get(l)})`).join(' and '))
      .join('; ')}; write them alike in the data to make them one`,
  };
}

/** How many of the reports the model was trained on (null when it keeps no fingerprints), and the warning that goes with it. */
export function trainingOverlap(trainedOn: readonly boolean[] | undefined): { trained_on: number | null; warning?: ResultWarning } {
  if (trainedOn === undefined)
    return {
      trained_on: null,
      warning: {
        kind: 'no_fingerprints',
        count: 0,
        message:
          'this model keeps no fingerprints of its training reports (an older bugcat trained it): whether it was trained on these reports is unknown',
      },
    };
  const n = trainedOn.filter(Boolean).length;
  if (n === 0) return { trained_on: 0 };
  const total = trainedOn.length;
  return {
    trained_on: n,
    warning: {
      kind: 'trained_on',
      count: n,
      message:
        `the model was trained on ${n} of these ${total} reports (${((100 * n) / total).toFixed(1)} %): ` +
        'the figures overstate how it does on new reports; evaluate on held-out reports',
    },
  };
}
