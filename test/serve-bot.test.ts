/**
 * The labelling bot end to end: the real server (the built CLI) with --ledger, answering
 * GitLab's and GitHub's webhook deliveries, writing labels and comments to a stand-in of their
 * REST APIs (test/tracker-stand-in.mjs) on 127.0.0.1. Dry runs write nothing; a person's
 * removal holds across restarts; scopes, skipped authors and labels hold; failures are retried,
 * rate limits obeyed, refusals recorded; a delivery cut by kill -9 is written after a restart.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLedger, type LedgerRecord } from '../src/index.js';
import { bugcat, FAST, REPORTS, tmp } from './helpers.js';
import { call, startServer, trainModel, until, type Server } from './serve-helpers.js';
// @ts-expect-error: a plain JavaScript helper (the bench uses it too), typed by its JSDoc
import { startTracker } from './tracker-stand-in.mjs';

type Tracker = Awaited<ReturnType<typeof startTracker>>;
let model: string;
let tracker: Tracker;
const servers: Server[] = [];

beforeAll(async () => {
  [model, tracker] = await Promise.all([trainModel(), startTracker()]);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop('SIGKILL')));
  await tracker?.close();
});

/** Starts a server with the bot: its ledger, the stand-in's APIs and tokens, and `args`. */
async function bot(ledger: string, args: string[] = []): Promise<Server> {
  const s = await startServer(
    [
      '--model',
      model,
      '--workers',
      '0',
      '--ledger',
      ledger,
      '--gitlab-api',
      tracker.gitlabApi,
      '--github-api',
      tracker.githubApi,
      '--min-confidence',
      '0',
      '--retry',
      '20',
      '--tracker-timeout',
      '5000',
      ...args,
    ],
    { BUGCAT_GITLAB_API_TOKEN: tracker.gitlabToken, BUGCAT_GITHUB_API_TOKEN: tracker.githubToken },
  );
  servers.push(s);
  return s;
}

let nextIid = 100;
/** A GitLab Issue Hook delivery. */
function gitlabHook(
  iid: number,
  o: { action?: string; title?: string; labels?: string[]; user?: string; changes?: Record<string, unknown>; project?: number } = {},
) {
  return {
    object_kind: 'issue',
    user: { username: o.user ?? 'reporter' },
    project: { id: o.project ?? 77, path_with_namespace: 'g/p' },
    object_attributes: {
      iid,
      action: o.action ?? 'open',
      title: o.title ?? 'virtio-net drops packets under load with tap networking',
      description: 'The guest network stops after a minute of iperf.',
      url: `https://gitlab.example/g/p/-/issues/${iid}`,
    },
    labels: (o.labels ?? []).map((title) => ({ title })),
    changes: o.changes ?? {},
  };
}

const gitlab = (server: Server, payload: unknown, delivery?: string) =>
  call(server, 'POST', '/v1/webhooks/gitlab', {
    body: payload,
    headers: { 'x-gitlab-event': 'Issue Hook', ...(delivery ? { 'idempotency-key': delivery } : {}) },
  });

const github = (server: Server, payload: unknown) =>
  call(server, 'POST', '/v1/webhooks/github', { body: payload, headers: { 'x-github-event': 'issues' } });

/** A GitHub issues delivery. */
const githubHook = (number: number, o: { action?: string; login?: string; labels?: string[]; label?: string } = {}) => ({
  action: o.action ?? 'opened',
  issue: {
    number,
    title: 'The cocoa display scales the guest screen and text is blurry',
    body: 'On macOS the window is resized.',
    html_url: `https://github.com/o/r/issues/${number}`,
    user: { login: o.login ?? 'someone' },
    labels: (o.labels ?? []).map((name) => ({ name })),
  },
  ...(o.label ? { label: { name: o.label } } : {}),
  repository: { full_name: 'o/r' },
  sender: { login: 'maintainer' },
});

const records = (ledger: string): LedgerRecord[] => readLedger(ledger).records;
const applied = (ledger: string, issue: number, on = 'gitlab') =>
  records(ledger).filter((r) => r.type === 'applied' && r.issue === issue && r.tracker === on);

describe('serve --ledger: the bot', () => {
  it('without --apply writes nothing to the tracker and records what it would apply', async () => {
    const ledger = join(tmp('bugcat-bot-'), 'ledger.jsonl');
    const server = await bot(ledger);
    const iid = nextIid++;
    const before = tracker.calls.length;
    const r = await gitlab(server, gitlabHook(iid));
    expect(r.status).toBe(200);
    expect(r.json.bot.would_apply).toEqual([r.json.label]);
    expect(r.json.bot.apply).toBeUndefined();
    const [d] = records(ledger).filter((x) => x.type === 'delivery' && x.issue === iid);
    expect(d).toMatchObject({ tracker: 'gitlab', project: '77', dry: true, apply: [r.json.label] });
    expect((d as { suggestions: { label: string; probability: number }[] }).suggestions[0].probability).toBeCloseTo(r.json.confidence, 6);
    await server.stop();
    expect(tracker.calls.length).toBe(before);
  });

  it('with --apply adds the label through GitLab and GitHub, and records it', async () => {
    const ledger = join(tmp('bugcat-bot-'), 'ledger.jsonl');
    const server = await bot(ledger, ['--apply']);
    const iid = nextIid++;
    const gl = await gitlab(server, gitlabHook(iid), `gl-${iid}`);
    expect(gl.json.bot.apply).toEqual([gl.json.label]);
    const gh = await github(server, githubHook(iid));
    expect(gh.json.bot.apply).toEqual([gh.json.label]);
    await until(() => applied(ledger, iid).length + applied(ledger, iid, 'github').length === 2);
    expect(tracker.labels(`gitlab:77#${iid}`)).toEqual([gl.json.label]);
    expect(tracker.labels(`github:o/r#${iid}`)).toEqual([gh.json.label]);
    const put = tracker.calls.find((c: { key: string }) => c.key === `gitlab:77#${iid}`);
    expect(put).toMatchObject({ method: 'PUT', body: { add_labels: gl.json.label } });
    // The same delivery again (a tracker's retry) is not recorded twice.
    const again = await gitlab(server, gitlabHook(iid), `gl-${iid}`);
    expect(again.json.bot.duplicate).toBe(true);
    await server.stop();
    expect(records(ledger).filter((x) => x.type === 'delivery' && x.issue === iid)).toHaveLength(2);
  });

  it('never adds again a label a person removed, across a restart; holds a scope a person chose in', async () => {
    const ledger = join(tmp('bugcat-bot-'), 'ledger.jsonl');
    let server = await bot(ledger, ['--apply']);
    const iid = nextIid++;
    const first = await gitlab(server, gitlabHook(iid));
    const label: string = first.json.label;
    await until(() => applied(ledger, iid).length === 1);
    // A maintainer removes it (GitLab's label change), and GitHub's unlabeled for the same label elsewhere.
    const removal = await gitlab(
      server,
      gitlabHook(iid, {
        action: 'update',
        user: 'maintainer',
        labels: [],
        changes: { labels: { previous: [{ title: label }], current: [] } },
      }),
    );
    expect(removal.json.recorded).toEqual({ added: [], removed: [label] });
    const gh = await github(server, githubHook(iid, { action: 'unlabeled', label }));
    expect(gh.json.recorded).toEqual({ added: [], removed: [label] });
    await server.stop();

    server = await bot(ledger, ['--apply']);
    const edited = await gitlab(server, gitlabHook(iid, { action: 'update', changes: { title: { previous: 'x', current: 'y' } } }));
    expect(edited.json.label).toBe(label);
    expect(edited.json.bot.apply).toEqual([]);
    expect(edited.json.bot.held).toEqual([{ label, why: 'a person removed it from this issue' }]);
    const opened = await github(server, githubHook(iid, { action: 'edited' }));
    expect(opened.json.bot.held.map((h: { why: string }) => h.why)).toEqual(
      opened.json.label === label ? ['a person removed it from this issue'] : [],
    );

    // A person's label in the family the suggestion belongs to: nothing added in that family.
    const scoped = nextIid++;
    const family = `${label.slice(0, 2)}*`;
    await server.stop();
    server = await bot(ledger, ['--apply', '--scope', family]);
    const s = await gitlab(server, gitlabHook(scoped, { labels: [`${label.slice(0, 2)}-chosen-by-a-person`] }));
    expect(s.json.bot.held).toEqual([{ label: s.json.label, why: `a person already labelled the issue in scope ${family}` }]);
    // GitLab's scoped labels hold without --scope.
    const kind = nextIid++;
    const k = await gitlab(server, gitlabHook(kind, { labels: ['kind::bug'] }));
    expect(k.json.bot.apply).toEqual([k.json.label]);
    await server.stop();
    expect(tracker.labels(`gitlab:77#${iid}`)).toEqual([label]); // the stand-in kept it: only the bot's ledger knows the removal
    expect(applied(ledger, iid)).toHaveLength(1);
    expect(applied(ledger, scoped)).toHaveLength(0);
  });

  it('leaves alone skipped authors, issues with a skip label, and labels outside --only-label', async () => {
    const ledger = join(tmp('bugcat-bot-'), 'ledger.jsonl');
    const server = await bot(ledger, ['--apply', '--skip-author', '*[bot]', 'dependabot*', '--skip-label', 'no-bot']);
    const n = nextIid++;
    const byBot = await github(server, githubHook(n, { login: 'renovate[bot]' }));
    expect(byBot.json.bot).toMatchObject({ apply: [], skipped: 'its author renovate[bot] is skipped (--skip-author)' });
    const dep = await github(server, githubHook(n + 1000, { login: 'dependabot-preview' }));
    expect(dep.json.bot.apply).toEqual([]);
    const noBot = await gitlab(server, gitlabHook(n, { labels: ['No-Bot'] }));
    expect(noBot.json.bot).toMatchObject({ apply: [], skipped: 'it carries No-Bot (--skip-label)' });
    await server.stop();
    const only = await bot(ledger, ['--only-label', 'nothing-of-this-model-*']);
    const o = await gitlab(only, gitlabHook(nextIid++));
    expect(o.json.bot.held).toEqual([{ label: o.json.label, why: 'not among the labels it may add (--only-label)' }]);
    await only.stop();
    expect(applied(ledger, n)).toHaveLength(0);
    expect(applied(ledger, n, 'github')).toHaveLength(0);
  });

  it('retries server errors and rate limits, and records a refusal without retrying it', async () => {
    const ledger = join(tmp('bugcat-bot-'), 'ledger.jsonl');
    const server = await bot(ledger, ['--apply']);
    tracker.fail(
      { status: 502 },
      { status: 429, headers: { 'retry-after': '0' } },
      { status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '0' }, body: '{"message":"API rate limit exceeded"}' },
    );
    const iid = nextIid++;
    const before = tracker.calls.length;
    await github(server, githubHook(iid));
    await until(() => applied(ledger, iid, 'github').length === 1);
    expect(tracker.calls.slice(before).map((c: { answered: number }) => c.answered)).toEqual([502, 429, 403, 200]);
    expect(server.stderr()).toContain('writing to the tracker failed: retrying');
    const metrics = (await call(server, 'GET', '/metrics')).text;
    expect(metrics).toContain('bugcat_bot_writes_total{result="retried"} 3');
    expect(metrics).toContain('bugcat_bot_pending 0');

    tracker.fail({ status: 404, body: '{"message":"404 Project Not Found"}' });
    const gone = nextIid++;
    await gitlab(server, gitlabHook(gone));
    await until(() => records(ledger).some((r) => r.type === 'refused' && r.issue === gone));
    await server.stop();
    expect(records(ledger).find((r) => r.type === 'refused' && r.issue === gone)).toMatchObject({ status: 404 });
    expect(applied(ledger, gone)).toHaveLength(0);
  });

  it('loses no delivery to kill -9 while the tracker hangs: it is written after the restart', async () => {
    const ledger = join(tmp('bugcat-bot-'), 'ledger.jsonl');
    let server = await bot(ledger, ['--apply']);
    const iid = nextIid++;
    tracker.hang(true);
    try {
      const before = tracker.calls.length;
      const r = await gitlab(server, gitlabHook(iid));
      expect(r.status).toBe(200);
      await until(() => tracker.calls.slice(before).some((c: { key: string }) => c.key === `gitlab:77#${iid}`));
      expect((await server.stop('SIGKILL')).signal).toBe('SIGKILL');
    } finally {
      tracker.hang(false);
    }
    expect(applied(ledger, iid)).toHaveLength(0);
    server = await bot(ledger, ['--apply']);
    await until(() => applied(ledger, iid).length === 1);
    await server.stop();
    expect(tracker.labels(`gitlab:77#${iid}`)).toHaveLength(1);
    expect(records(ledger).filter((r) => r.type === 'delivery' && r.issue === iid)).toHaveLength(1);
  });

  it('SIGTERM while the tracker hangs abandons the write, exits 0, and the delivery is written after the restart', async () => {
    const ledger = join(tmp('bugcat-bot-'), 'ledger.jsonl');
    let server = await bot(ledger, ['--apply', '--tracker-timeout', '600000']);
    const iid = nextIid++;
    tracker.hang(true);
    try {
      const before = tracker.calls.length;
      await gitlab(server, gitlabHook(iid));
      await until(() => tracker.calls.slice(before).some((c: { key: string }) => c.key === `gitlab:77#${iid}`));
      expect((await server.stop('SIGTERM')).code).toBe(0);
    } finally {
      tracker.hang(false);
    }
    expect(applied(ledger, iid)).toHaveLength(0);
    server = await bot(ledger, ['--apply']);
    await until(() => applied(ledger, iid).length === 1);
    await server.stop();
  });

  it('--comment posts one comment per issue, with the labels and their terms', async () => {
    const ledger = join(tmp('bugcat-bot-'), 'ledger.jsonl');
    const server = await bot(ledger, ['--apply', '--comment']);
    const iid = nextIid++;
    const r = await gitlab(server, gitlabHook(iid));
    expect(r.json.bot.comment).toBe(true);
    await until(() => applied(ledger, iid).length === 1);
    await gitlab(server, gitlabHook(iid, { action: 'update', title: 'still dropping packets', changes: { title: {} } }));
    await gitlab(server, gitlabHook(iid, { action: 'reopen' }));
    await server.stop();
    const comments = tracker.comments(`gitlab:77#${iid}`);
    expect(comments).toHaveLength(1);
    expect(comments[0]).toContain(`~"${r.json.label}"`);
    expect(comments[0]).toMatch(/the words that weighed most: `/);
    expect(comments[0]).toContain('will not add it again');
  });

  it('never posts a comment twice: one posted just before kill -9 (its answer never heard) is found by its marker after the restart, on GitLab and GitHub, past a page of comments', async () => {
    const ledger = join(tmp('bugcat-bot-'), 'ledger.jsonl');
    const cases = [
      { key: `gitlab:77#${nextIid}`, send: (s: Server) => gitlab(s, gitlabHook(nextIid++)), issue: nextIid, on: 'gitlab' },
      { key: 'github:o/r#9001', send: (s: Server) => github(s, githubHook(9001)), issue: 9001, on: 'github' },
    ];
    for (const c of cases) {
      // People's comments first: more than one page (100), so that the bot's own is on the second.
      for (let i = 0; i < 130; i++) tracker.addComment(c.key, `a person's comment ${i}`);
      let server = await bot(ledger, ['--apply', '--comment']);
      // The tracker takes the comment but its answer never comes: the process dies before it can record it.
      tracker.hang('after', (call: { method: string; path: string }) => call.method === 'POST' && /(notes|comments)$/.test(call.path));
      try {
        const r = await c.send(server);
        expect(r.status).toBe(200);
        expect(r.json.bot.comment).toBe(true);
        await until(() => tracker.comments(c.key).length === 131);
        expect((await server.stop('SIGKILL')).signal).toBe('SIGKILL');
      } finally {
        tracker.hang(false);
      }
      expect(applied(ledger, c.issue, c.on)).toHaveLength(0);
      // After the restart the delivery is still pending: its labels are written again (adding is idempotent), its comment not.
      server = await bot(ledger, ['--apply', '--comment']);
      await until(() => applied(ledger, c.issue, c.on).length === 1);
      await server.stop();
      const comments = tracker.comments(c.key);
      expect(comments.filter((t: string) => t.includes('<!-- bugcat:'))).toHaveLength(1);
      expect(comments).toHaveLength(131);
      expect(applied(ledger, c.issue, c.on)[0]).toMatchObject({ commented: true, commentFound: true });
      expect(server.stderr()).toMatch(/its comment was there already/);
    }
  });

  it('--comment lists the past issues above --duplicate-cutoff as possible duplicates, with a model that keeps an index', async () => {
    const dir = join(tmp('bugcat-bot-'), 'indexed');
    const t = await bugcat(['train', '--data', REPORTS, '--out', dir, ...FAST, '--keep-index']);
    expect(t.status).toBe(0);
    const hook = gitlabHook(nextIid++);
    const text = `${hook.object_attributes.title}\n${hook.object_attributes.description}`;
    const near = await bugcat(['similar', '--model', dir, '--format', 'json', '--top', '2', '--min-similarity', '0.1', text]);
    const expected: { id: string; similarity: number }[] = JSON.parse(near.stdout)[0].similar;
    expect(expected.length).toBeGreaterThan(0);
    const ledger = join(tmp('bugcat-bot-'), 'ledger.jsonl');
    const server = await startServer(
      [
        '--model',
        dir,
        '--workers',
        '0',
        '--ledger',
        ledger,
        '--comment',
        '--min-confidence',
        '0',
        '--duplicate-cutoff',
        '0.1',
        '--duplicates',
        '2',
      ],
      {},
    );
    servers.push(server);
    const r = await gitlab(server, hook);
    expect(r.json.bot.comment).toBe(true);
    await server.stop();
    const [d] = records(ledger).filter((x) => x.type === 'delivery' && x.issue === hook.object_attributes.iid);
    const comment = (d as { comment: string }).comment;
    expect(comment).toContain('Possibly the same as');
    for (const s of expected) expect(comment).toContain(`\`${s.id}\``);
    expect(comment).toContain(`similarity ${expected[0].similarity.toFixed(2)}`);
    // Dry: the comment says what it would add, and nothing reached the tracker.
    expect(comment).toContain('(would add)');
  });

  it('refuses a file that is not its ledger, and --apply without a ledger or a token', async () => {
    const dir = tmp('bugcat-bot-');
    const notLedger = join(dir, 'notes.txt');
    writeFileSync(notLedger, 'my notes\n');
    const r = await bugcat(['serve', '--model', model, '--port', '0', '--ledger', notLedger]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('is not a bugcat ledger');
    expect(readFileSync(notLedger, 'utf8')).toBe('my notes\n');
    const noLedger = await bugcat(['serve', '--model', model, '--port', '0', '--apply']);
    expect(noLedger.status).toBe(2);
    expect(noLedger.stderr).toContain('--apply needs --ledger');
    const noToken = await bugcat(['serve', '--model', model, '--port', '0', '--apply', '--ledger', join(dir, 'l.jsonl')], {
      env: { BUGCAT_GITLAB_API_TOKEN: '', BUGCAT_GITHUB_API_TOKEN: '' },
    });
    expect(noToken.status).toBe(2);
    expect(noToken.stderr).toContain('--apply needs a tracker API token');
  });
});
