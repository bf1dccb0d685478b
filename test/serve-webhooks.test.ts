/**
 * bugcat serve's webhooks end to end: GitHub's and GitLab's own issue-event payloads answered
 * with the suggested label; GitHub's X-Hub-Signature-256 and GitLab's X-Gitlab-Token checked
 * (good, bad, missing) when a secret is configured; the bearer token when none is.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readReports } from '../src/index.js';
import { REPORTS } from './helpers.js';
import { call, startServer, trainModel, until, type Server } from './serve-helpers.js';

const TOKEN = 'bearer-1';
const GITHUB_SECRET = 'github-secret-1';
const GITLAB_TOKEN = 'gitlab-token-1';
let signed: Server;
let unsigned: Server;
let labels: string[];

/** An `issues` delivery as GitHub sends it (the fields bugcat reads, and some it ignores). */
const githubIssue = (action: string, title: string, body: string | null) => ({
  action,
  issue: { number: 42, html_url: 'https://github.com/o/r/issues/42', title, body, user: { login: 'someone' }, labels: [], state: 'open' },
  repository: { full_name: 'o/r' },
  sender: { login: 'someone' },
});

/** An `Issue Hook` delivery as GitLab sends it. */
const gitlabIssue = (action: string | undefined, title: string, description: string | null) => ({
  object_kind: 'issue',
  event_type: 'issue',
  user: { username: 'someone' },
  project: { path_with_namespace: 'g/p' },
  object_attributes: {
    iid: 7,
    url: 'https://gitlab.com/g/p/-/issues/7',
    title,
    description,
    state: 'opened',
    ...(action ? { action } : {}),
  },
});

const sign = (body: string, secret = GITHUB_SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

function github(server: Server, event: string, payload: unknown, opts: { signature?: string | null; query?: string; token?: string } = {}) {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const headers: Record<string, string> = { 'x-github-event': event, 'x-github-delivery': 'd-1', 'user-agent': 'GitHub-Hookshot/test' };
  const signature = opts.signature === undefined ? sign(body) : opts.signature;
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  return call(server, 'POST', `/v1/webhooks/github${opts.query ?? ''}`, { body, headers, token: opts.token });
}

function gitlab(server: Server, event: string, payload: unknown, opts: { token?: string | null; bearer?: string } = {}) {
  const headers: Record<string, string> = { 'x-gitlab-event': event };
  const token = opts.token === undefined ? GITLAB_TOKEN : opts.token;
  if (token !== null) headers['x-gitlab-token'] = token;
  return call(server, 'POST', '/v1/webhooks/gitlab', { body: payload, headers, token: opts.bearer });
}

beforeAll(async () => {
  const model = await trainModel();
  [signed, unsigned] = await Promise.all([
    startServer(['--model', model, '--token', TOKEN, '--github-secret', GITHUB_SECRET], { BUGCAT_GITLAB_TOKEN: GITLAB_TOKEN }),
    startServer(['--model', model, '--token', TOKEN]),
  ]);
  labels = (await call(signed, 'GET', '/v1/model', { token: TOKEN })).json.labels;
});

afterAll(async () => {
  await Promise.all([signed?.stop(), unsigned?.stop()]);
});

/** The server's JSON log lines (stderr) that `match` selects, parsed. */
const logLines = (server: Server, match: (line: Record<string, unknown>) => boolean) =>
  server
    .stderr()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter(match);

/** The one log line of the request to `route` about issue `issue` (written once the answer is sent: waited for). */
async function deliveryLine(server: Server, route: string, issue: number): Promise<Record<string, unknown>> {
  const select = (l: Record<string, unknown>) => l.msg === 'request' && l.url === route && l.issue === issue;
  await until(() => logLines(server, select).length > 0);
  const lines = logLines(server, select);
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('webhook log lines', () => {
  it("a GitHub delivery's line carries the repository, the issue number and the suggested labels with their probabilities", async () => {
    const payload = githubIssue('opened', 'virtio-net drops packets', 'The guest loses packets with -netdev tap.');
    payload.issue.number = 4242;
    payload.repository.full_name = 'octo/emu';
    const r = await github(signed, 'issues', payload, { query: '?top=2' });
    expect(r.status).toBe(200);
    const line = await deliveryLine(signed, '/v1/webhooks/github?top=2', 4242);
    expect(line).toMatchObject({
      level: 30,
      method: 'POST',
      status: 200,
      event: 'issues',
      action: 'opened',
      delivery: 'd-1',
      repository: 'octo/emu',
      issue: 4242,
      label: r.json.label,
      model: r.json.model,
    });
    expect(line.confidence).toBeCloseTo(r.json.confidence, 4);
    const top = line.top as { label: string; probability: number }[];
    expect(top.map((t) => t.label)).toEqual(r.json.top.map((t: { label: string }) => t.label));
    top.forEach((t, i) => expect(t.probability).toBeCloseTo(r.json.top[i].probability, 4));
    expect(top).toHaveLength(2);
  });

  it("a GitLab delivery's line carries the project, the issue's iid and the suggested labels", async () => {
    const payload = gitlabIssue('open', 'vnc password ignored', 'the vnc server accepts any password');
    payload.object_attributes.iid = 1988;
    payload.project.path_with_namespace = 'qemu-project/qemu';
    const r = await gitlab(signed, 'Issue Hook', payload);
    expect(r.status).toBe(200);
    const line = await deliveryLine(signed, '/v1/webhooks/gitlab', 1988);
    expect(line).toMatchObject({
      status: 200,
      event: 'Issue Hook',
      action: 'open',
      repository: 'qemu-project/qemu',
      issue: 1988,
      label: r.json.label,
    });
    expect(line.confidence).toBeCloseTo(r.json.confidence, 4);
    expect((line.top as { label: string }[])[0]!.label).toBe(r.json.label);
  });

  it('a skipped or refused delivery still names its issue, without a label; a malformed payload is never logged whole', async () => {
    const closed = githubIssue('closed', 'vnc', 'x');
    closed.issue.number = 4343;
    expect((await github(signed, 'issues', closed)).json.skipped).toBeDefined();
    const skipped = await deliveryLine(signed, '/v1/webhooks/github', 4343);
    expect(skipped).toMatchObject({ status: 200, action: 'closed', issue: 4343, repository: 'o/r' });
    expect(skipped.label).toBeUndefined();
    const empty = githubIssue('opened', '', null);
    empty.issue.number = 4444;
    expect((await github(signed, 'issues', empty)).status).toBe(400);
    expect(await deliveryLine(signed, '/v1/webhooks/github', 4444)).toMatchObject({ status: 400, issue: 4444 });
    // A number and a repository of the wrong types are left out of the line (the answer is the tracker's business).
    const odd = { ...githubIssue('opened', 'boot hangs', 'at the bios'), repository: { full_name: { x: 'y'.repeat(1000) } } };
    (odd.issue as Record<string, unknown>).number = 'forty-five';
    const r = await github(signed, 'issues', odd);
    expect(r.status).toBe(400);
    await until(
      () => logLines(signed, (l) => l.msg === 'request' && l.status === 400 && l.action === 'opened' && l.issue === undefined).length > 0,
    );
    expect(signed.stderr()).not.toContain('y'.repeat(1000));
  });
});

describe('GitHub webhook', () => {
  it('an opened issue, signed, gets the suggested label (no bearer token needed: the signature stands for it)', async () => {
    const r = await github(
      signed,
      'issues',
      githubIssue('opened', 'virtio-net drops packets', 'The guest loses packets with -netdev tap.'),
    );
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ event: 'issues', action: 'opened', issue: { number: 42, url: 'https://github.com/o/r/issues/42' } });
    expect(labels).toContain(r.json.label);
    expect(r.json.confidence).toBeGreaterThan(0);
    // The same label as the title and body sent to /v1/predict.
    const p = await call(signed, 'POST', '/v1/predict', {
      body: { title: 'virtio-net drops packets', body: 'The guest loses packets with -netdev tap.' },
      token: TOKEN,
    });
    expect(r.json.label).toBe(p.json.label);
    expect(r.json.confidence).toBe(p.json.confidence);
  });

  it('an issue the model was trained on is marked in_training, and one that lost control characters says how many, as /v1/predict says', async () => {
    const [trained] = readReports(REPORTS, { labelColumn: 'label' }).texts;
    const [title, ...body] = trained.split('\n');
    const r = await github(signed, 'issues', githubIssue('edited', title, body.join('\n')));
    expect(r.status).toBe(200);
    expect(r.json.in_training).toBe(true);
    expect('control_characters' in r.json).toBe(false);
    const dirty = await github(signed, 'issues', githubIssue('opened', 'virtio-net drops packets\u0000', 'under load\u001b[0m'));
    expect(dirty.json).toMatchObject({ control_characters: 2 });
    expect('in_training' in dirty.json).toBe(false);
  });

  it('edited and reopened issues too, a null body included; other actions and events are skipped', async () => {
    expect((await github(signed, 'issues', githubIssue('edited', 'vnc password ignored', null))).json.label).toBeDefined();
    expect((await github(signed, 'issues', githubIssue('reopened', 'vnc password ignored', 'still'))).json.label).toBeDefined();
    const closed = await github(signed, 'issues', githubIssue('closed', 'vnc', 'x'));
    expect(closed.status).toBe(200);
    expect(closed.json.skipped).toMatch(/only opened, edited, reopened issues are classified/);
    expect(closed.json.label).toBeUndefined();
    const push = await github(signed, 'push', { ref: 'refs/heads/main' });
    expect(push.json).toEqual({ event: 'push', skipped: 'only issues events are classified (this is push)' });
    const ping = await github(signed, 'ping', { zen: 'Keep it logically awesome.', hook_id: 1 });
    expect(ping.json).toEqual({ event: 'ping', ok: true });
  });

  it('top, min_confidence and review_label as query parameters', async () => {
    const r = await github(signed, 'issues', githubIssue('opened', 'boot hangs', 'at the bios'), {
      query: '?top=2&min_confidence=1&review_label=needs-triage',
    });
    expect(r.status).toBe(200);
    expect(r.json.label).toBe('needs-triage');
    expect(r.json.top).toHaveLength(2);
    const bad = await github(signed, 'issues', githubIssue('opened', 'boot', 'x'), { query: '?top=many' });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ field: 'top', message: expect.stringMatching(/^query parameter "top" must match/) });
    const unknown = await github(signed, 'issues', githubIssue('opened', 'boot', 'x'), { query: '?label=x' });
    expect(unknown.json.error).toMatchObject({ status: 400, message: 'unknown query parameter "label"' });
  });

  it('a missing signature is refused with 401', async () => {
    const r = await github(signed, 'issues', githubIssue('opened', 'a', 'b'), { signature: null });
    expect(r.status).toBe(401);
    expect(r.json.error.message).toMatch(/^missing X-Hub-Signature-256 header/);
  });

  it('a bad signature is refused with 401: another secret, another body, a malformed header', async () => {
    const payload = JSON.stringify(githubIssue('opened', 'a', 'b'));
    const other = await github(signed, 'issues', payload, { signature: sign(payload, 'another-secret') });
    expect(other.status).toBe(401);
    expect(other.json.error.message).toBe('X-Hub-Signature-256 does not match the body: the webhook secret differs');
    const tampered = await github(signed, 'issues', payload.replace('"a"', '"A"'), { signature: sign(payload) });
    expect(tampered.status).toBe(401);
    const malformed = await github(signed, 'issues', payload, { signature: 'sha1=abc' });
    expect(malformed.status).toBe(401);
    expect(malformed.json.error.message).toMatch(/^malformed X-Hub-Signature-256 header/);
    // A bearer token does not stand in for the signature.
    const bearer = await github(signed, 'issues', payload, { signature: null, token: TOKEN });
    expect(bearer.status).toBe(401);
  });

  it('the signature is checked before the body is parsed; a signed payload still has to be well formed', async () => {
    const garbage = '{"action": "opened", "issue": ';
    const unsignedGarbage = await github(signed, 'issues', garbage, { signature: 'sha256=' + '0'.repeat(64) });
    expect(unsignedGarbage.status).toBe(401);
    const signedGarbage = await github(signed, 'issues', garbage);
    expect(signedGarbage.status).toBe(400);
    expect(signedGarbage.json.error.message).toBe('the body is not valid JSON');
    const noIssue = await github(signed, 'issues', { action: 'opened' });
    expect(noIssue.json.error).toEqual({ status: 400, message: 'missing field "issue" in the payload', field: 'issue' });
    const badTitle = await github(signed, 'issues', { action: 'opened', issue: { title: 5 } });
    expect(badTitle.json.error).toEqual({ status: 400, message: 'field "issue.title" must be a string', field: 'issue.title' });
    const noEvent = await call(signed, 'POST', '/v1/webhooks/github', { body: '{}', headers: { 'x-hub-signature-256': sign('{}') } });
    expect(noEvent.status).toBe(400);
    expect(noEvent.json.error.message).toMatch(/^missing X-GitHub-Event header/);
  });

  it('without a secret configured, the webhook needs the bearer token like every other route', async () => {
    const payload = githubIssue('opened', 'network card not detected', 'e1000');
    const without = await github(unsigned, 'issues', payload, { signature: null });
    expect(without.status).toBe(401);
    expect(without.json.error.message).toMatch(/missing Authorization header/);
    const withToken = await github(unsigned, 'issues', payload, { signature: null, token: TOKEN });
    expect(withToken.status).toBe(200);
    expect(labels).toContain(withToken.json.label);
  });
});

describe('GitLab webhook', () => {
  it('an opened issue with the right token gets the suggested label', async () => {
    const r = await gitlab(signed, 'Issue Hook', gitlabIssue('open', 'e1000 network card not detected', 'no interface in ip link'));
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ event: 'Issue Hook', action: 'open', issue: { iid: 7, url: 'https://gitlab.com/g/p/-/issues/7' } });
    expect(labels).toContain(r.json.label);
    // GitLab's test deliveries carry no action; confidential issues come as their own event.
    expect((await gitlab(signed, 'Issue Hook', gitlabIssue(undefined, 'vnc', null))).json.label).toBeDefined();
    expect((await gitlab(signed, 'Confidential Issue Hook', gitlabIssue('update', 'vnc', 'x'))).json.label).toBeDefined();
  });

  it('other actions and events are skipped', async () => {
    expect((await gitlab(signed, 'Issue Hook', gitlabIssue('close', 'vnc', 'x'))).json.skipped).toMatch(/only open, update and reopen/);
    expect((await gitlab(signed, 'Note Hook', { object_kind: 'note' })).json).toEqual({
      event: 'Note Hook',
      skipped: 'only issue events are classified (this is Note Hook)',
    });
  });

  it('a missing or wrong X-Gitlab-Token is refused with 401', async () => {
    const missing = await gitlab(signed, 'Issue Hook', gitlabIssue('open', 'a', 'b'), { token: null });
    expect(missing.status).toBe(401);
    expect(missing.json.error.message).toMatch(/^missing X-Gitlab-Token header/);
    const wrong = await gitlab(signed, 'Issue Hook', gitlabIssue('open', 'a', 'b'), { token: 'gitlab-token-2' });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.message).toBe('X-Gitlab-Token does not match the secret token');
    const bearer = await gitlab(signed, 'Issue Hook', gitlabIssue('open', 'a', 'b'), { token: null, bearer: TOKEN });
    expect(bearer.status).toBe(401);
  });

  it('a payload without the fields it reads is a 400 naming the field', async () => {
    const r = await gitlab(signed, 'Issue Hook', { object_kind: 'issue', object_attributes: { action: 'open' } });
    expect(r.json.error).toEqual({
      status: 400,
      message: 'missing field "object_attributes.title" in the payload',
      field: 'object_attributes.title',
    });
  });

  it('without a secret configured, the bearer token is asked instead', async () => {
    expect((await gitlab(unsigned, 'Issue Hook', gitlabIssue('open', 'vnc', 'x'), { token: null })).status).toBe(401);
    expect((await gitlab(unsigned, 'Issue Hook', gitlabIssue('open', 'vnc', 'x'), { token: null, bearer: TOKEN })).status).toBe(200);
  });
});
