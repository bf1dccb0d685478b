/**
 * The bot's ledger and rules, in the library: a line cut short by a crash is skipped and the
 * next record starts on its own line; a damaged line elsewhere is refused; each issue's history
 * (what bugcat applied, what people removed and added) and the labels people confirmed; the
 * globs of --skip-author and --scope; the trackers' rate-limit headers.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { confirmedLabels, IssueHistories, labelMatcher, Ledger, parseLedger, readLedger, type LedgerRecord } from '../src/index.js';
import { decide, globMatcher, suggestionsOf, type BotPolicy } from '../src/serve/policy.js';
import { nextPage, waitOf } from '../src/serve/tracker.js';
import { gitlabEvent, githubEvent } from '../src/serve/issue-event.js';
import { tmp } from './helpers.js';
import { deliveryRecord } from './ledger-records.js';

const ref = { tracker: 'gitlab', project: '1', issue: 5 } as const;
const delivery = (id: string, apply: string[], at: string): LedgerRecord => deliveryRecord({ ...ref, id, at, text: 'a report', apply });

describe('the ledger file', () => {
  it('keeps every appended record, skips a last line cut short, and starts the next record on its own line', () => {
    const path = join(tmp('bugcat-ledger-'), 'ledger.jsonl');
    const { ledger } = Ledger.open(path);
    ledger.append(delivery('a', ['x'], '2026-01-01T00:00:00Z'));
    ledger.close();
    appendFileSync(path, '{"type":"applied","deliv');
    const reopened = Ledger.open(path);
    expect(reopened.contents.records.map((r) => r.type)).toEqual(['delivery']);
    expect(reopened.contents.torn).toMatch(/cut short/);
    reopened.ledger.append({ ...ref, type: 'applied', delivery: 'a', at: '2026-01-01T00:00:01Z', labels: ['x'], commented: false });
    reopened.ledger.close();
    // The cut line is now a whole line in the middle: read as damaged, never silently dropped.
    expect(() => readLedger(path)).toThrow(/line 3 is not a JSON record/);
    expect(readFileSync(path, 'utf8').split('\n')[3]).toMatch(/^\{"tracker"/);
  });

  it('refuses a file that is not a ledger, and reads a missing one as empty', () => {
    expect(() => parseLedger('id,text\n1,a\n')).toThrow(expect.objectContaining({ code: 'NOT_A_LEDGER' }));
    expect(readLedger(join(tmp('bugcat-ledger-'), 'none.jsonl')).records).toEqual([]);
  });
});

describe("an issue's history", () => {
  it('pending until applied; a removed label is remembered; an echo of its own label is not a person; confirmed labels', () => {
    const h = new IssueHistories();
    h.add(delivery('a', ['net'], '2026-01-01T00:00:00Z'));
    expect(h.pending().map((d) => d.id)).toEqual(['a']);
    h.add({ ...ref, type: 'applied', delivery: 'a', at: '2026-01-01T00:00:01Z', labels: ['net'], commented: false });
    expect(h.pending()).toEqual([]);
    h.add({ ...ref, type: 'person', at: '2026-01-01T00:00:02Z', added: ['net'], removed: [] });
    const issue = h.of(ref);
    expect([...issue.addedByPerson.keys()]).toEqual([]);
    // Unconfirmed: nobody touched the issue's labels since bugcat applied it.
    expect(confirmedLabels(issue)).toEqual([]);
    h.add({ ...ref, type: 'person', at: '2026-01-02T00:00:00Z', added: ['disk'], removed: [] });
    expect(confirmedLabels(issue)).toEqual(['disk', 'net']);
    h.add({ ...ref, type: 'person', at: '2026-01-03T00:00:00Z', added: [], removed: ['net'] });
    expect([...issue.removedByPerson.keys()]).toEqual(['net']);
    expect(confirmedLabels(issue)).toEqual(['disk']);
  });
});

describe("the trackers' comment pages", () => {
  it("follow Link: rel=\"next\" (GitLab's and GitHub's form), on the API's own origin only", () => {
    const base = 'https://gitlab.example/api/v4';
    const gitlab =
      '<https://gitlab.example/api/v4/projects/1/issues/2/notes?page=1&per_page=100>; rel="prev", ' +
      '<https://gitlab.example/api/v4/projects/1/issues/2/notes?page=3&per_page=100>; rel="next", ' +
      '<https://gitlab.example/api/v4/projects/1/issues/2/notes?page=1&per_page=100>; rel="first"';
    expect(nextPage(gitlab, base)).toBe('https://gitlab.example/api/v4/projects/1/issues/2/notes?page=3&per_page=100');
    expect(nextPage('<https://api.github.com/repositories/1/issues/2/comments?page=2>; rel="next"', 'https://api.github.com')).toBe(
      'https://api.github.com/repositories/1/issues/2/comments?page=2',
    );
    expect(nextPage('<https://gitlab.example/x?page=9>; rel="last"', base)).toBeUndefined();
    expect(nextPage(null, base)).toBeUndefined();
    // The token goes to the API's origin only.
    expect(nextPage('<https://elsewhere.example/api/v4/notes?page=2>; rel="next"', base)).toBeUndefined();
  });
});

describe("the bot's rules", () => {
  const policy: BotPolicy = {
    minConfidence: 0.5,
    reviewLabel: 'manual-review',
    scopes: ['target: *'],
    skipAuthors: ['*[bot]'],
    skipLabels: ['no-bot'],
  };
  it('globs take brackets as themselves and ignore case', () => {
    expect(globMatcher('*[bot]')('renovate[bot]')).toBe(true);
    expect(globMatcher('*[bot]')('robot')).toBe(false);
    expect(globMatcher('dependabot*')('Dependabot-preview')).toBe(true);
    expect(globMatcher('target: *')('target: arm')).toBe(true);
    // picomatch (base/globs.ts) reads [bot] as a character class unless told: the bot's matcher reads it literally.
    expect(labelMatcher(['*[bot]'])('robot')).toBe(true);
    expect(globMatcher('*[bot]')('Renovate[BOT]')).toBe(true);
    expect(globMatcher('*[bot]')('renovate-bot')).toBe(false);
    expect(globMatcher('*[bot]')('dependabot[bot]x')).toBe(false);
    expect(globMatcher('dependabot*')('my-dependabot')).toBe(false);
    expect(globMatcher('target: *')('TARGET: ARM')).toBe(true);
    expect(globMatcher('target: *')('hostos: linux')).toBe(false);
    // As --exclude-label reads patterns (bash's rules: * spans a /; ? one character), case aside.
    expect(globMatcher('hostos: *')('hostos: BSD/macOS')).toBe(labelMatcher(['hostos: *'])('hostos: BSD/macOS'));
    expect(globMatcher('hostos: *')('hostos: BSD/macOS')).toBe(true);
    expect(globMatcher('kind::?ug')('kind::Bug')).toBe(true);
    expect(globMatcher('no-bot')('no-bot-please')).toBe(false);
    // The rules use it: a skipped author, with brackets, leaves the issue alone.
    const d = decide(
      policy,
      [{ label: 'target: arm', probability: 0.9 }],
      { labels: [], author: 'renovate[bot]' },
      new IssueHistories().of(ref),
    );
    expect(d.apply).toEqual([]);
    expect(d.skipped).toMatch(/its author renovate\[bot\] is skipped/);
    const other = decide(
      policy,
      [{ label: 'target: arm', probability: 0.9 }],
      { labels: [], author: 'robot' },
      new IssueHistories().of(ref),
    );
    expect(other.apply).toEqual(['target: arm']);
  });
  it("the suggestion set: a single label above the confidence, a multi-label prediction's labels with their scores", () => {
    expect(suggestionsOf({ label: 'a', confidence: 0.4 }, 0.5, 'manual-review')).toEqual([]);
    expect(suggestionsOf({ label: 'manual-review', confidence: 0.9 }, 0.5, 'manual-review')).toEqual([]);
    expect(suggestionsOf({ label: 'a', confidence: 0.7 }, 0.5, 'manual-review')).toEqual([{ label: 'a', probability: 0.7 }]);
    expect(suggestionsOf({ label: 'a', confidence: 0.2, labels: ['a', 'b'], scores: { a: 0.2, b: 0.6 } }, 0.5, 'x')).toEqual([
      { label: 'a', probability: 0.2 },
      { label: 'b', probability: 0.6 },
    ]);
  });
  it("holds a scope a person chose in, but not one only bugcat's own label is in", () => {
    const h = new IssueHistories().of(ref);
    const s = [
      { label: 'target: arm', probability: 0.9 },
      { label: 'kind::bug', probability: 0.8 },
    ];
    const d = decide(policy, s, { labels: ['target: x86', 'kind::feature'] }, h);
    expect(d.apply).toEqual([]);
    expect(d.held.map((x) => x.why)).toEqual([
      'a person already labelled the issue in scope target: *',
      'a person already labelled the issue in scope kind::',
    ]);
    h.applied.set('target: x86', '2026-01-01');
    expect(decide(policy, s, { labels: ['target: x86'] }, h).apply).toEqual(['target: arm', 'kind::bug']);
  });
});

describe("the trackers' rate limits", () => {
  it('Retry-After in seconds or as a date; a spent limit until its reset', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(waitOf(new Headers({ 'retry-after': '7' }), now)).toBe(7000);
    expect(waitOf(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }), now)).toBe(30_000);
    expect(waitOf(new Headers({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 60) }), now)).toBe(60_000);
    expect(waitOf(new Headers({ 'x-ratelimit-remaining': '5', 'x-ratelimit-reset': String(now / 1000 + 60) }), now)).toBeUndefined();
  });
});

describe('what the bot reads of a delivery', () => {
  it("GitLab's label change and time, GitHub's unlabeled", () => {
    const gl = gitlabEvent({
      user: { username: 'maintainer' },
      project: { id: 12, path_with_namespace: 'g/p' },
      object_attributes: { iid: 3, action: 'update', updated_at: '2024-01-02 10:00:00 UTC' },
      labels: [{ title: 'b' }],
      changes: { labels: { previous: [{ title: 'a' }], current: [{ title: 'b' }] } },
    });
    expect(gl).toMatchObject({ tracker: 'gitlab', project: '12', issue: 3, by: 'maintainer', added: ['b'], removed: ['a'], labels: ['b'] });
    expect(gl?.happened).toBe('2024-01-02T10:00:00.000Z');
    expect(gl?.author).toBeUndefined();
    const gh = githubEvent({
      action: 'unlabeled',
      label: { name: 'x' },
      issue: { number: 9, labels: [], user: { login: 'someone' }, updated_at: '2024-03-01T00:00:00Z' },
      repository: { full_name: 'o/r' },
      sender: { login: 'maintainer' },
    });
    expect(gh).toMatchObject({
      tracker: 'github',
      project: 'o/r',
      issue: 9,
      author: 'someone',
      by: 'maintainer',
      added: [],
      removed: ['x'],
    });
    expect(gitlabEvent({ object_attributes: { iid: 1 } })).toBeUndefined();
  });
});
