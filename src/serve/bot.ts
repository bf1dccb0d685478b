/**
 * The labelling bot behind the webhooks (serve --ledger, --apply, --comment): each classified
 * delivery is decided (policy.ts), recorded in the ledger before it is answered, and its labels
 * (and comment) written to the tracker by one writer in the background, retried with back-off
 * until the tracker takes them or refuses them for good. A delivery not yet written stays
 * pending in the ledger and is written after a restart. Without --apply nothing is written:
 * each delivery is recorded as what it would apply.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import {
  IssueHistories,
  Ledger,
  type DeliveryRecord,
  type Explanation,
  type IssueHistory,
  type LedgerRecord,
  type Suggestion,
} from '../index.js';
import { COMMENT_MARKER, commentText, type SimilarIssue } from './comment.js';
import type { IssueEvent } from './issue-event.js';
import { checkPolicy, decide, globMatcher, type BotPolicy } from './policy.js';
import { TrackerClient, TrackerError, type TrackerOptions } from './tracker.js';

/** How the bot runs. */
export interface BotOptions extends BotPolicy {
  /** The ledger file (made if missing). */
  ledger: string;
  /** Write to the tracker (false: record what would be written). */
  apply: boolean;
  /** Post one comment per issue with the suggestions and their terms. */
  comment: boolean;
  /** Past issues (the model's training reports) at least this similar are listed in the comment as possible duplicates. */
  duplicateCutoff: number;
  /** How many possible duplicates a comment lists at most (0: none). */
  duplicates: number;
  tracker: TrackerOptions;
  /** The first retry's wait in ms; each next one doubles, up to maxRetryMs. */
  retryMs: number;
  maxRetryMs: number;
}

/** What the bot answers about a delivery, merged into the webhook's answer. */
export interface BotAnswer {
  delivery: string;
  suggested: Suggestion[];
  /** Labels added (or to be added), `would_apply` instead when dry. */
  apply?: string[];
  would_apply?: string[];
  held: { label: string; why: string }[];
  skipped?: string;
  comment?: boolean;
  duplicate?: boolean;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

export class Bot {
  readonly histories: IssueHistories;
  readonly client: TrackerClient;
  readonly #ledger: Ledger;
  readonly #seen = new Set<string>();
  readonly #stop = new AbortController();
  #wake: () => void = () => {};
  #writer: Promise<void> = Promise.resolve();
  /** Deliveries written, refused and retried since start (for the metrics and the bench). */
  readonly counts = { applied: 0, refused: 0, retries: 0 };

  private constructor(
    readonly options: BotOptions,
    ledger: Ledger,
    records: readonly LedgerRecord[],
    readonly log?: FastifyBaseLogger,
  ) {
    this.#ledger = ledger;
    this.histories = new IssueHistories(records);
    for (const r of records) if (r.type === 'delivery') this.#seen.add(r.id);
    this.client = new TrackerClient(options.tracker, this.#stop.signal);
  }

  /** Opens the ledger, and starts writing what it holds pending (if applying). */
  static open(options: BotOptions, log?: FastifyBaseLogger): Bot {
    checkPolicy(options);
    const { ledger, contents } = Ledger.open(options.ledger);
    if (contents.torn) log?.warn({ ledger: options.ledger }, contents.torn);
    const bot = new Bot(options, ledger, contents.records, log);
    const pending = bot.histories.pending().length;
    log?.info({ ledger: options.ledger, records: contents.records.length, pending, apply: options.apply }, 'ledger open');
    if (options.apply) bot.#writer = bot.#write();
    return bot;
  }

  #append(...records: LedgerRecord[]): void {
    this.#ledger.append(...records);
    for (const r of records) this.histories.add(r);
  }

  /** Records what a person changed on an issue (a removed label is then never added to it again). */
  observe(event: IssueEvent): void {
    if (event.added.length === 0 && event.removed.length === 0) return;
    const h = this.histories.of(event);
    // Labels bugcat applied or has on their way coming back in a change are its own write echoed, not a person's.
    const ours = new Set([...h.pending.flatMap((d) => d.apply)]);
    const added = event.added.filter((l) => !ours.has(l));
    if (added.length === 0 && event.removed.length === 0) return;
    this.#append({
      type: 'person',
      tracker: event.tracker,
      project: event.project,
      issue: event.issue,
      at: new Date().toISOString(),
      happened: event.happened,
      by: event.by,
      added,
      removed: event.removed,
      labels: event.labels,
    });
  }

  /**
   * Decides and records a classified delivery; the labels are written in the background.
   * `explain` gives a label's explanation for the comment, `similar` the past issues most like
   * this one above the cut-off (none when the model keeps no index).
   */
  async deliver(
    event: IssueEvent,
    delivery: string | undefined,
    text: string,
    suggestions: Suggestion[],
    model: string,
    explain: (label: string) => Promise<Explanation | undefined>,
    similar: () => Promise<SimilarIssue[]> = async () => [],
  ): Promise<BotAnswer> {
    const id = delivery ?? randomUUID();
    if (delivery !== undefined && this.#seen.has(delivery)) return { delivery: id, suggested: suggestions, held: [], duplicate: true };
    const h = this.histories.of(event);
    const labels = event.labels ?? [...h.labels];
    const author = event.author ?? h.author;
    const pending = new Set(h.pending.flatMap((d) => d.apply));
    const decision = decide(this.options, suggestions, { labels, author }, h, pending);
    let comment: string | undefined;
    const commenting = this.options.comment && !h.commented && !h.pending.some((d) => d.comment !== undefined);
    // The comment says what bugcat adds and which past issues look the same: held suggestions are not advertised.
    if (commenting) {
      // A past issue's labels as the bot may name them (--only-label): a model's own catch-all class is not a tracker label.
      const may = this.options.onlyLabels?.map(globMatcher);
      const like = (await similar().catch(() => [])).map((x) => ({
        ...x,
        labels: may ? x.labels.filter((l) => may.some((m) => m(l))) : x.labels,
      }));
      if (decision.apply.length > 0 || like.length > 0) {
        const explained = await Promise.all(
          suggestions
            .filter((s) => decision.apply.includes(s.label))
            .map(async (s) => ({ suggestion: s, applied: true, explanation: await explain(s.label).catch(() => undefined) })),
        );
        comment = commentText(event.tracker, id, explained, like, !this.options.apply);
      }
    }
    const record: DeliveryRecord = {
      type: 'delivery',
      id,
      tracker: event.tracker,
      project: event.project,
      issue: event.issue,
      at: new Date().toISOString(),
      happened: event.happened,
      action: event.action,
      text,
      labels,
      author,
      model,
      suggestions,
      apply: decision.apply,
      held: decision.held,
      comment,
      dry: !this.options.apply,
    };
    this.#seen.add(id);
    this.#append(record);
    this.#wake();
    return {
      delivery: id,
      suggested: suggestions,
      ...(this.options.apply ? { apply: decision.apply } : { would_apply: decision.apply }),
      held: decision.held,
      ...(decision.skipped ? { skipped: decision.skipped } : {}),
      ...(comment !== undefined ? { comment: true } : {}),
    };
  }

  /** The writer: takes the oldest pending delivery, writes it, and waits for the next. */
  async #write(): Promise<void> {
    const failures = new Map<string, number>();
    while (!this.#stop.signal.aborted) {
      const next = this.histories.pending()[0];
      if (!next) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          this.#stop.signal.addEventListener('abort', () => resolve(), { once: true });
        });
        this.#wake = () => {};
        continue;
      }
      const paused = this.client.pausedFor(next.tracker);
      if (paused > 0) {
        this.log?.warn({ tracker: next.tracker, ms: paused }, 'the tracker asked to wait (rate limit): waiting');
        await sleep(paused, this.#stop.signal);
        continue;
      }
      try {
        await this.#writeOne(next);
        failures.delete(next.id);
      } catch (err) {
        if (this.#stop.signal.aborted) break;
        if (!(err instanceof TrackerError)) {
          // The ledger could not be written (a full disk): the delivery stays pending, tried again later.
          this.log?.error({ delivery: next.id, reason: (err as Error).message }, 'recording a write failed: retrying');
          await sleep(this.options.maxRetryMs / 10, this.#stop.signal);
          continue;
        }
        const h = this.histories.of(next);
        if (!err.retry) {
          this.log?.error(
            { delivery: next.id, issue: next.issue, status: err.status, reason: err.message },
            'the tracker refused the labels',
          );
          this.#append({
            ...ref(h),
            type: 'refused',
            delivery: next.id,
            at: new Date().toISOString(),
            status: err.status,
            reason: err.message,
          });
          this.counts.refused++;
          continue;
        }
        const n = (failures.get(next.id) ?? 0) + 1;
        failures.set(next.id, n);
        this.counts.retries++;
        const backoff = Math.min(this.options.maxRetryMs, this.options.retryMs * 2 ** (n - 1)) * (0.75 + Math.random() / 2);
        const wait = Math.max(err.waitMs ?? 0, backoff);
        this.log?.warn(
          { delivery: next.id, issue: next.issue, attempt: n, wait_ms: Math.round(wait), reason: err.message },
          'writing to the tracker failed: retrying',
        );
        await sleep(wait, this.#stop.signal);
      }
    }
  }

  /** Writes one delivery's labels (less any a person removed since) and comment, then records it. */
  async #writeOne(d: DeliveryRecord): Promise<void> {
    const h = this.histories.of(d);
    const removed = new Set([...h.removedByPerson.keys()].map((l) => l.toLowerCase()));
    const labels = d.apply.filter((l) => !removed.has(l.toLowerCase()));
    if (labels.length > 0) await this.client.addLabels(d, labels);
    const comment = d.comment !== undefined && !h.commented;
    // A comment posted before a crash that kept it from the ledger is on the issue: found by its marker, never posted twice.
    const found = comment && (await this.client.hasComment(d, COMMENT_MARKER));
    if (comment && !found) await this.client.comment(d, d.comment!);
    this.#append({
      ...ref(h),
      type: 'applied',
      delivery: d.id,
      at: new Date().toISOString(),
      labels,
      commented: comment,
      ...(found ? { commentFound: true as const } : {}),
    });
    this.counts.applied++;
    this.log?.info(
      { delivery: d.id, issue: d.issue, labels, commented: comment, ...(found ? { comment_found: true } : {}) },
      found ? 'labels written to the tracker; its comment was there already (not posted again)' : 'labels written to the tracker',
    );
  }

  /** Stops the writer (a write in flight finishes or times out; what is not written stays pending) and closes the ledger. */
  async close(): Promise<void> {
    this.#stop.abort();
    await this.#writer.catch((err) => this.log?.error({ reason: (err as Error).message }, 'the ledger writer stopped'));
    this.#ledger.close();
  }

  /** The issue's history (for tests and the bench). */
  history(ref: IssueEvent): IssueHistory {
    return this.histories.of(ref);
  }
}

const ref = (h: IssueHistory) => ({ tracker: h.tracker, project: h.project, issue: h.issue });
