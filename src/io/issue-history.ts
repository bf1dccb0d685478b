/**
 * What the ledger says of each issue: the labels bugcat suggested and applied, the ones people
 * added and removed, its last known labels and text, and which deliveries are still to be
 * written to the tracker. The bot keeps it up to date record by record; feedback and training
 * read it from the whole ledger.
 */
import { issueKey, type DeliveryRecord, type IssueRef, type LedgerRecord } from './ledger.js';

/** One issue as the ledger tells it. */
export interface IssueHistory extends IssueRef {
  /** Its last classified text. */
  text?: string;
  author?: string;
  /** Its labels as last seen (a delivery's, then each change bugcat made or saw on top). */
  labels: Set<string>;
  /** Each label bugcat ever suggested, with its highest probability and when it first was. */
  suggested: Map<string, { probability: number; at: string }>;
  /** Labels bugcat added through the tracker (or, dry, would have), and when. */
  applied: Map<string, string>;
  /** Labels a person removed, and when: bugcat never adds them to this issue again. */
  removedByPerson: Map<string, string>;
  /** Labels a person added (not bugcat's own echo), and when. */
  addedByPerson: Map<string, string>;
  /** True once a comment was posted (or, dry, would have been). */
  commented: boolean;
  /** Deliveries whose labels are not yet written (not dry, neither applied nor refused), oldest first. */
  pending: DeliveryRecord[];
  /** The first and last time the ledger heard of it. */
  first: string;
  last: string;
}

/** Every issue's history, by issueKey, kept up to date one record at a time. */
export class IssueHistories {
  readonly issues = new Map<string, IssueHistory>();

  constructor(records: readonly LedgerRecord[] = []) {
    for (const r of records) this.add(r);
  }

  /** The issue's history (made empty if the ledger never heard of it). */
  of(ref: IssueRef): IssueHistory {
    const key = issueKey(ref);
    let h = this.issues.get(key);
    if (!h) {
      h = {
        tracker: ref.tracker,
        project: ref.project,
        issue: ref.issue,
        labels: new Set(),
        suggested: new Map(),
        applied: new Map(),
        removedByPerson: new Map(),
        addedByPerson: new Map(),
        commented: false,
        pending: [],
        first: '',
        last: '',
      };
      this.issues.set(key, h);
    }
    return h;
  }

  /** Every delivery still to be written, across issues, in the order they came. */
  pending(): DeliveryRecord[] {
    return [...this.issues.values()].flatMap((h) => h.pending).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  /**
   * Folds one record into its issue's history. Times are the tracker's where the delivery gave
   * them (`happened`), and a write is dated by the delivery that decided it, so that a person's
   * change racing the write is still seen as after it.
   */
  add(r: LedgerRecord): void {
    const h = this.of(r);
    const decided = r.type === 'applied' || r.type === 'refused' ? h.pending.find((d) => d.id === r.delivery) : undefined;
    const at = r.type === 'delivery' || r.type === 'person' ? (r.happened ?? r.at) : decided ? (decided.happened ?? decided.at) : r.at;
    if (!h.first || at < h.first) h.first = at;
    if (!h.last || at > h.last) h.last = at;
    switch (r.type) {
      case 'delivery': {
        h.text = r.text;
        if (r.author !== undefined) h.author = r.author;
        h.labels = new Set(r.labels);
        for (const s of r.suggestions) {
          const was = h.suggested.get(s.label);
          if (!was || s.probability > was.probability) h.suggested.set(s.label, { probability: s.probability, at: was?.at ?? at });
        }
        if (r.dry) {
          for (const l of r.apply) if (!h.applied.has(l)) h.applied.set(l, at);
          if (r.comment !== undefined) h.commented = true;
        } else if (r.apply.length > 0 || r.comment !== undefined) h.pending.push(r);
        break;
      }
      case 'applied': {
        h.pending = h.pending.filter((d) => d.id !== r.delivery);
        for (const l of r.labels) {
          if (!h.applied.has(l)) h.applied.set(l, at);
          const removed = h.removedByPerson.get(l);
          if (removed === undefined || removed < at) h.labels.add(l);
        }
        if (r.commented) h.commented = true;
        break;
      }
      case 'refused':
        h.pending = h.pending.filter((d) => d.id !== r.delivery);
        break;
      case 'person': {
        for (const l of r.removed) {
          h.removedByPerson.set(l, at);
          h.labels.delete(l);
        }
        // A label bugcat applied coming back in a label change is its own write echoed (unless a person removed it since).
        for (const l of r.added) {
          h.labels.add(l);
          if (h.applied.has(l) && !h.removedByPerson.has(l)) continue;
          h.addedByPerson.set(l, at);
          h.removedByPerson.delete(l);
        }
        if (r.labels) h.labels = new Set(r.labels);
        break;
      }
    }
  }
}

/**
 * The labels people set or confirmed on an issue: the ones a person added, and the ones bugcat
 * applied that are still there after a person changed the issue's labels (a person who edits
 * the labels and leaves bugcat's, keeps them). Never bugcat's suggestions alone.
 */
export function confirmedLabels(h: IssueHistory): string[] {
  const touched = [...h.addedByPerson.values(), ...h.removedByPerson.values()];
  const lastTouch = touched.sort().at(-1);
  const out = new Set<string>();
  for (const l of h.addedByPerson.keys()) if (h.labels.has(l) && !h.removedByPerson.has(l)) out.add(l);
  if (lastTouch !== undefined)
    for (const [l, at] of h.applied) if (at <= lastTouch && h.labels.has(l) && !h.removedByPerson.has(l)) out.add(l);
  return [...out].sort();
}

/** An issue whose labels people set or confirmed, with its text as the ledger holds it: what training and promote take from a ledger. */
export interface ConfirmedIssue {
  /** Its issueKey (`gitlab:12345#7`). */
  id: string;
  /** Its last classified text (title line, then the body), as the delivery carried it. */
  text: string;
  /** confirmedLabels: the labels people set or confirmed, sorted. */
  labels: string[];
  /** The last time the ledger heard of it (the tracker's time where the delivery gave it). */
  last: string;
}

/**
 * The issues whose labels people set or confirmed (confirmedLabels, at least one) and whose text
 * the ledger holds (an issue known only from label changes has none), in the order the ledger
 * first heard of them.
 */
export function confirmedIssues(histories: IssueHistories): ConfirmedIssue[] {
  const out: ConfirmedIssue[] = [];
  for (const h of histories.issues.values()) {
    const labels = confirmedLabels(h);
    if (labels.length === 0 || h.text === undefined) continue;
    out.push({ id: issueKey(h), text: h.text, labels, last: h.last });
  }
  return out;
}
