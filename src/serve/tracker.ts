/**
 * The trackers' REST APIs, the calls the bot makes: add labels to an issue (GitLab's
 * `PUT /projects/:id/issues/:iid` with `add_labels`, GitHub's `POST /repos/:owner/:repo/issues/:number/labels`),
 * comment on it (GitLab's notes, GitHub's issue comments), and list its comments (to find its own
 * before posting one, so that a comment posted just before a crash is never posted again). Plain
 * fetch: a few endpoints each do not need a client library. A call's failure says whether a retry
 * may help and how long to wait first (the tracker's Retry-After, or its rate limit's reset).
 */
import type { IssueRef, Tracker } from '../index.js';

/** Where the APIs are and the tokens for them. */
export interface TrackerOptions {
  gitlabApi: string;
  githubApi: string;
  gitlabToken?: string;
  githubToken?: string;
  /** Milliseconds a call may take before it is abandoned (and retried). */
  timeoutMs: number;
}

/** A call that failed: `retry` false when the tracker refused it for good; `waitMs` when the tracker said how long to wait. */
export class TrackerError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly retry: boolean,
    readonly waitMs?: number,
  ) {
    super(message);
  }
}

/** The longest wait a tracker's rate limit is obeyed for at once (a reset further away is waited for in steps). */
const MAX_WAIT_MS = 3600_000;
/** GitHub's advice for a secondary rate limit without Retry-After: wait at least a minute. */
const SECONDARY_WAIT_MS = 60_000;

/** How long the answer says to wait before calling again, if it says: Retry-After (seconds or a date), else a rate limit's reset. */
export function waitOf(headers: Headers, now = Date.now()): number | undefined {
  const retryAfter = headers.get('retry-after');
  if (retryAfter !== null) {
    const s = Number(retryAfter);
    const ms = Number.isFinite(s) ? s * 1000 : Date.parse(retryAfter) - now;
    if (Number.isFinite(ms)) return Math.min(MAX_WAIT_MS, Math.max(0, ms));
  }
  const remaining = headers.get('x-ratelimit-remaining') ?? headers.get('ratelimit-remaining');
  const reset = headers.get('x-ratelimit-reset') ?? headers.get('ratelimit-reset');
  if (remaining !== null && Number(remaining) <= 0 && reset !== null && Number.isFinite(Number(reset)))
    return Math.min(MAX_WAIT_MS, Math.max(0, Number(reset) * 1000 - now));
  return undefined;
}

/** The most pages of an issue's comments read when looking for the bot's own (100 each). */
const MAX_PAGES = 50;

/** The URL of a `Link` header's rel="next", if it is on `base`'s origin. */
export function nextPage(link: string | null, base: string): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (!m) continue;
    try {
      const next = new URL(m[1], base);
      return next.origin === new URL(base).origin ? next.href : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The trackers' APIs, as the bot calls them. */
export class TrackerClient {
  /** Until when (epoch ms) each tracker asked not to be called. */
  readonly #pausedUntil: Record<Tracker, number> = { gitlab: 0, github: 0 };

  /** `stop` abandons the calls in flight (they fail as retryable: what they carried stays pending). */
  constructor(
    readonly options: TrackerOptions,
    readonly stop?: AbortSignal,
  ) {}

  /** True if a token for the tracker is set. */
  hasToken(tracker: Tracker): boolean {
    return (tracker === 'gitlab' ? this.options.gitlabToken : this.options.githubToken) !== undefined;
  }

  /** Milliseconds until the tracker may be called again (0: now). */
  pausedFor(tracker: Tracker, now = Date.now()): number {
    return Math.max(0, this.#pausedUntil[tracker] - now);
  }

  /** Adds labels to an issue (the labels it carries stay). */
  async addLabels(ref: IssueRef, labels: readonly string[]): Promise<void> {
    if (ref.tracker === 'gitlab') await this.#call(ref, 'PUT', this.#gitlabIssue(ref), { add_labels: labels.join(',') });
    else await this.#call(ref, 'POST', `${this.#githubIssue(ref)}/labels`, { labels });
  }

  /** Comments on an issue. */
  async comment(ref: IssueRef, body: string): Promise<void> {
    if (ref.tracker === 'gitlab') await this.#call(ref, 'POST', `${this.#gitlabIssue(ref)}/notes`, { body });
    else await this.#call(ref, 'POST', `${this.#githubIssue(ref)}/comments`, { body });
  }

  /**
   * True if one of the issue's comments (GitLab's notes, GitHub's issue comments) holds `marker`
   * in its body. Reads the comments oldest first, 100 a page, following the answer's `Link:
   * rel="next"` (on the API's own origin only, so the token goes nowhere else), at most
   * MAX_PAGES pages.
   */
  async hasComment(ref: IssueRef, marker: string): Promise<boolean> {
    const base = ref.tracker === 'gitlab' ? this.options.gitlabApi : this.options.githubApi;
    const first =
      ref.tracker === 'gitlab'
        ? `${this.#gitlabIssue(ref)}/notes?sort=asc&order_by=created_at&per_page=100`
        : `${this.#githubIssue(ref)}/comments?per_page=100`;
    let url: string | undefined = first;
    for (let page = 0; url !== undefined && page < MAX_PAGES; page++) {
      const { text, headers } = await this.#call(ref, 'GET', url);
      let list: unknown;
      try {
        list = JSON.parse(text);
      } catch {
        throw new TrackerError(`GET ${url}: the answer is not JSON`, 200, true);
      }
      if (!Array.isArray(list)) throw new TrackerError(`GET ${url}: the answer is not a list of comments`, 200, true);
      if (list.some((c) => typeof c?.body === 'string' && c.body.includes(marker))) return true;
      url = nextPage(headers.get('link'), base);
    }
    return false;
  }

  #gitlabIssue(ref: IssueRef): string {
    return `${this.options.gitlabApi.replace(/\/+$/, '')}/projects/${encodeURIComponent(ref.project)}/issues/${ref.issue}`;
  }

  #githubIssue(ref: IssueRef): string {
    const [owner, repo] = ref.project.split('/');
    return `${this.options.githubApi.replace(/\/+$/, '')}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo ?? '')}/issues/${ref.issue}`;
  }

  async #call(ref: IssueRef, method: string, url: string, body?: unknown): Promise<{ text: string; headers: Headers }> {
    const { tracker } = ref;
    const token = tracker === 'gitlab' ? this.options.gitlabToken : this.options.githubToken;
    if (token === undefined) throw new TrackerError(`no token for ${tracker}: set BUGCAT_${tracker.toUpperCase()}_API_TOKEN`, 0, false);
    const headers: Record<string, string> =
      tracker === 'gitlab'
        ? { 'private-token': token }
        : { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' };
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), 'user-agent': 'bugcat' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: this.stop
          ? AbortSignal.any([this.stop, AbortSignal.timeout(this.options.timeoutMs)])
          : AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      const why =
        e.name === 'TimeoutError'
          ? `no answer within ${this.options.timeoutMs} ms`
          : this.stop?.aborted
            ? 'abandoned: the service is stopping (the delivery stays pending)'
            : (e.cause?.code ?? e.message);
      throw new TrackerError(`${method} ${url}: ${why}`, 0, true);
    }
    const text = await res.text().catch(() => '');
    const wait = waitOf(res.headers);
    // A rate limit spent by this call (remaining 0) holds the next ones until its reset.
    if (wait !== undefined) this.#pausedUntil[tracker] = Math.max(this.#pausedUntil[tracker], Date.now() + wait);
    if (res.ok) return { text, headers: res.headers };
    const message = `${method} ${url}: ${res.status} ${text.slice(0, 300).replace(/\s+/g, ' ')}`;
    const limited = res.status === 429 || (res.status === 403 && (wait !== undefined || /rate limit/i.test(text)));
    if (limited) {
      const ms = wait ?? SECONDARY_WAIT_MS;
      this.#pausedUntil[tracker] = Math.max(this.#pausedUntil[tracker], Date.now() + ms);
      throw new TrackerError(message, res.status, true, ms);
    }
    const retry = res.status >= 500 || res.status === 408 || res.status === 409 || res.status === 425;
    throw new TrackerError(message, res.status, retry, wait);
  }
}
