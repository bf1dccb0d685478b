/**
 * The bot's rules, which keep it from overriding a person: from a prediction's suggested
 * labels, which to add to an issue, and why each of the others is held back. bugcat only adds
 * labels; it never adds one a person removed from that issue, nor one in a scope where a person
 * already chose (GitLab's `kind::` scoped labels, or a `--scope` family), nor anything on an issue
 * whose author or labels say to leave it alone.
 */
import { labelMatcher, type IssueHistory, type Suggestion } from '../index.js';

/** What the bot may do, from the command line. */
export interface BotPolicy {
  /** Least probability of a single-label model's label to suggest it (a multi-label model's own per-label operating points hold). */
  minConfidence: number;
  /** The label a prediction gives below its confidence: never suggested. */
  reviewLabel: string;
  /** Label families (globs: `target: *`): within one, a person's label holds and bugcat adds none. */
  scopes: string[];
  /** Authors whose issues are left alone (globs: `*[bot]`, `dependabot*`). */
  skipAuthors: string[];
  /** Labels that make the bot leave an issue alone (`no-bot`). */
  skipLabels: string[];
  /** If given, the only labels it may add (globs). */
  onlyLabels?: string[];
}

/**
 * The bot's glob of labels and logins: base/globs.ts's (picomatch, bash's rules, as
 * --exclude-label reads them), with case ignored, as the trackers ignore it in names, and `[`
 * and `]` read as themselves (so `*[bot]` is a login ending in "[bot]", which a character class
 * would read otherwise). A pattern picomatch cannot read is a UsageError.
 */
export const globMatcher = (glob: string): ((name: string) => boolean) => anyOf([glob]);

const anyOf = (globs: readonly string[]) => labelMatcher(globs, { nocase: true, literalBrackets: true });

/** Checks every glob of the policy (a bad one is a UsageError naming it), so that serve refuses it at start rather than at a delivery. */
export function checkPolicy(policy: Pick<BotPolicy, 'scopes' | 'skipAuthors' | 'skipLabels' | 'onlyLabels'>): void {
  anyOf([...policy.scopes, ...policy.skipAuthors, ...policy.skipLabels, ...(policy.onlyLabels ?? [])]);
}

/**
 * The suggestion set of a prediction. A multi-label prediction (`labels` and `scores`): its
 * labels, each above its own operating point, with its score. A single-label one: its label,
 * when it is not the review label and its confidence reaches `minConfidence`.
 */
export function suggestionsOf(
  p: { label?: string; confidence?: number; labels?: readonly string[]; scores?: Readonly<Record<string, number>> },
  minConfidence: number,
  reviewLabel: string,
): Suggestion[] {
  if (Array.isArray(p.labels)) return p.labels.map((label) => ({ label, probability: p.scores?.[label] ?? Number.NaN }));
  const { label, confidence } = p;
  if (label === undefined || confidence === undefined || label === reviewLabel || !(confidence >= minConfidence)) return [];
  return [{ label, probability: confidence }];
}

/** The scope a label belongs to: its GitLab scope (`kind::` of `kind::bug`), or the first --scope glob it matches. */
function scopeOf(label: string, scopes: readonly ((l: string) => boolean)[], globs: readonly string[]): string | undefined {
  const cut = label.lastIndexOf('::');
  if (cut > 0) return `${label.slice(0, cut)}::`;
  const i = scopes.findIndex((m) => m(label));
  return i >= 0 ? globs[i] : undefined;
}

/** What the bot decided for one issue: the labels to add, and each suggestion it holds back with why. */
export interface Decision {
  apply: string[];
  held: { label: string; why: string }[];
  /** Set when the whole issue is left alone (its author or a label), with why. */
  skipped?: string;
}

/**
 * Decides which suggested labels to add to an issue whose labels are `labels` now, given what
 * the ledger knows of it (`history`: bugcat's own labels, the ones people removed) and the
 * labels already on their way to it (`pending`).
 */
export function decide(
  policy: BotPolicy,
  suggestions: readonly Suggestion[],
  issue: { labels: readonly string[]; author?: string },
  history: IssueHistory,
  pending: ReadonlySet<string> = new Set(),
): Decision {
  const held: Decision['held'] = [];
  const all = (why: string): Decision => ({ apply: [], held: suggestions.map((s) => ({ label: s.label, why })), skipped: why });
  if (issue.author !== undefined && policy.skipAuthors.length > 0 && anyOf(policy.skipAuthors)(issue.author))
    return all(`its author ${issue.author} is skipped (--skip-author)`);
  const skipLabel = issue.labels.find(anyOf(policy.skipLabels));
  if (skipLabel !== undefined) return all(`it carries ${skipLabel} (--skip-label)`);

  const only = policy.onlyLabels && anyOf(policy.onlyLabels);
  const scopes = policy.scopes.map(globMatcher);
  const lower = new Set(issue.labels.map((l) => l.toLowerCase()));
  const ours = new Set([...history.applied.keys(), ...pending].map((l) => l.toLowerCase()));
  // The scopes a person already chose in: a label of the scope on the issue that bugcat did not add.
  const personScopes = new Set(
    issue.labels.filter((l) => !ours.has(l.toLowerCase())).flatMap((l) => scopeOf(l, scopes, policy.scopes) ?? []),
  );
  const removed = new Set([...history.removedByPerson.keys()].map((l) => l.toLowerCase()));
  const apply: string[] = [];
  for (const { label } of suggestions) {
    const key = label.toLowerCase();
    const scope = scopeOf(label, scopes, policy.scopes);
    const why =
      only && !only(label)
        ? 'not among the labels it may add (--only-label)'
        : removed.has(key)
          ? 'a person removed it from this issue'
          : lower.has(key) || pending.has(label)
            ? 'the issue carries it already'
            : scope !== undefined && personScopes.has(scope)
              ? `a person already labelled the issue in scope ${scope}`
              : undefined;
    if (why) held.push({ label, why });
    else apply.push(label);
  }
  return { apply, held };
}
