/**
 * bugcat serve under random and malformed input: bodies that are random JSON, JSON with the
 * right keys and random values, random bytes under random content types, on every route, and
 * random bytes that are not HTTP at all. Each must get a 2xx or a 4xx (never a 5xx), the
 * server must stay up, and its log must hold no stack trace and no internal error.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawConnect, readSocket, startServer, trainModel, type Server } from './serve-helpers.js';

const TOKEN = 'fuzz-token';
const SECRET = 'fuzz-secret';
let server: Server;

beforeAll(async () => {
  const model = await trainModel();
  server = await startServer([
    '--model',
    model,
    '--token',
    TOKEN,
    '--github-secret',
    SECRET,
    '--max-body',
    '65536',
    '--max-report-chars',
    '5000',
    '--max-batch',
    '5',
  ]);
});

afterAll(async () => {
  await server?.stop();
});

const ROUTES = [
  '/v1/predict',
  '/v1/explain',
  '/v1/model',
  '/healthz',
  '/metrics',
  '/v1/admin/reload',
  '/v1/webhooks/github',
  '/v1/webhooks/gitlab',
  '/v1/nope',
  '/',
];
const KEYS = [
  'text',
  'title',
  'body',
  'reports',
  'top',
  'min_confidence',
  'review_label',
  'label',
  'id',
  'action',
  'issue',
  'object_attributes',
  '__proto__',
  'constructor',
];

/** Mostly what a route takes (so that most requests reach its handler), sometimes anything. */
const often = <T>(usual: fc.Arbitrary<T>, other: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: usual, weight: 4 }, { arbitrary: other, weight: 1 });

/** A JSON value of any shape, weighted toward the keys the routes read. */
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  any: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue({ maxDepth: 2 }),
    tie('object'),
    tie('object'),
    fc.record({ reports: fc.array(tie('object'), { maxLength: 7 }) }),
  ),
  object: fc.dictionary(
    fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 8 })),
    fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.string({ maxLength: 6000 }), fc.integer({ min: -5, max: 200 }), fc.double()),
    { maxKeys: 5 },
  ),
})).any;

/** Any text, unicode and control characters included, sometimes long. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ maxLength: 6000 }),
  fc.constantFrom('', ' ', '\u0000', '\ud800', 'a\r\nb'),
);
const option = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
/** A report as the routes take it, with random contents (sometimes of the wrong type). */
const report = fc.record(
  {
    text: option(often(anyText, fc.jsonValue({ maxDepth: 1 }))),
    title: option(anyText),
    body: option(fc.oneof(anyText, fc.constant(null))),
    id: option(fc.string({ maxLength: 250 })),
  },
  { requiredKeys: [] },
);
/** Bodies close to what the routes take: predict's and explain's, and the trackers' payloads. */
const nearlyValid: fc.Arbitrary<unknown> = fc.oneof(
  fc
    .tuple(
      report,
      fc.record(
        {
          top: option(fc.integer({ min: -1, max: 120 })),
          min_confidence: option(fc.double({ min: -0.5, max: 1.5, noNaN: true })),
          review_label: option(anyText),
        },
        { requiredKeys: [] },
      ),
    )
    .map(([a, b]) => ({ ...a, ...b })),
  fc.record({ reports: fc.array(report, { maxLength: 7 }), top: option(fc.integer({ min: 0, max: 5 })) }, { requiredKeys: ['reports'] }),
  fc.record(
    {
      action: fc.constantFrom('opened', 'edited', 'closed'),
      issue: fc.record(
        { title: often(anyText, fc.jsonValue({ maxDepth: 1 })), body: fc.oneof(anyText, fc.constant(null)), number: fc.integer() },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ['issue'] },
  ),
  fc.record({
    object_kind: fc.constant('issue'),
    object_attributes: fc.record(
      { title: anyText, description: fc.oneof(anyText, fc.constant(null)), action: fc.constantFrom('open', 'update', 'close') },
      { requiredKeys: [] },
    ),
  }),
);

/** A body as bytes: JSON of a nearly valid body or of a random value, JSON cut short, or random bytes. */
const body = fc.oneof(
  { arbitrary: nearlyValid.map((v) => Buffer.from(JSON.stringify(v))), weight: 4 },
  value.map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
  value.chain((v) => {
    const s = JSON.stringify(v) ?? 'null';
    return fc.nat({ max: s.length }).map((n) => Buffer.from(s.slice(0, n)));
  }),
  fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b)),
  fc.constant(Buffer.alloc(0)),
);

const POSTS = ['/v1/predict', '/v1/explain', '/v1/webhooks/github', '/v1/webhooks/gitlab', '/v1/predict', '/v1/predict'];

const request = fc.record({
  route: often(
    fc.constantFrom(...POSTS).map((route) => ({ method: 'POST', route })),
    fc.record({ method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'), route: fc.constantFrom(...ROUTES) }),
  ),
  query: often(fc.constant(''), fc.constantFrom('?top=2', '?top=x', '?min_confidence=0.5', '?a=%ZZ', '?top=1&top=2')),
  contentType: often(
    fc.constant('application/json'),
    fc.constantFrom(
      'application/json; charset=utf-8',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      '',
      'application/json; charset=latin1',
    ),
  ),
  auth: often(fc.constant('good'), fc.constantFrom('none', 'bad')),
  signature: often(fc.constant('good'), fc.constantFrom('none', 'bad')),
  event: often(fc.constantFrom('issues', 'Issue Hook'), fc.constantFrom('ping', '', 'push')),
  body,
});

describe('bugcat serve under random input', () => {
  it('answers every random request with a 2xx or a 4xx and stays up', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const headers: Record<string, string> = {};
        if (r.auth === 'good') headers.authorization = `Bearer ${TOKEN}`;
        if (r.auth === 'bad') headers.authorization = 'Bearer x';
        if (r.contentType) headers['content-type'] = r.contentType;
        if (r.signature === 'good') headers['x-hub-signature-256'] = `sha256=${createHmac('sha256', SECRET).update(r.body).digest('hex')}`;
        if (r.signature === 'bad') headers['x-hub-signature-256'] = 'sha256=' + 'ab'.repeat(32);
        const { method, route } = r.route;
        if (r.event) headers[route.includes('gitlab') ? 'x-gitlab-event' : 'x-github-event'] = r.event;
        const hasBody = method !== 'GET' && r.body.length > 0;
        const res = await fetch(`${server.url}${route}${r.query}`, { method, headers, body: hasBody ? r.body : undefined });
        const text = await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expect(res.status, `${method} ${route}: ${text}`).toBeGreaterThanOrEqual(200);
        expect(res.status, `${method} ${route}: ${text}`).toBeLessThan(500);
        if (res.status >= 400) expect(JSON.parse(text).error.status).toBe(res.status);
      }),
      { numRuns: 800, seed: 16 },
    );
    // The runs reached the handlers, not only the refusals at the door.
    console.log(`statuses of the random requests: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
    expect(statuses.get(200)).toBeGreaterThan(10);
    expect(statuses.get(400)).toBeGreaterThan(0);
    expect(server.child.exitCode).toBeNull();
  });

  it('answers random bytes that are not HTTP with a 4xx or by closing, and stays up', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ minLength: 1, maxLength: 3000 }).map((b) => Buffer.from(b)),
          fc.string({ maxLength: 300 }).map((s) => Buffer.from(`POST /v1/predict HTTP/1.1\r\n${s}\r\n\r\n`)),
          fc.string({ maxLength: 300 }).map((s) => Buffer.from(`${s} / HTTP/1.1\r\nHost: x\r\n\r\n`)),
          fc
            .nat({ max: 100 })
            .map((n) =>
              Buffer.from(
                `POST /v1/predict HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${n.toString(16)}\r\n{"text":\r\n0\r\n\r\n`,
              ),
            ),
        ),
        async (bytes) => {
          const socket = await rawConnect(server);
          const answer = readSocket(socket, /\r\n\r\n/);
          socket.write(bytes);
          // A request the server still waits the rest of is cut short here; it must not harm the server.
          const timer = setTimeout(() => socket.destroy(), 300);
          const raw = await answer;
          clearTimeout(timer);
          socket.destroy();
          const status = /^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1];
          if (status !== undefined) expect(Number(status), raw).toBeLessThan(500);
        },
      ),
      { numRuns: 100, seed: 16 },
    );
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('logged no stack trace and no internal error', async () => {
    expect(server.stderr()).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    expect(server.stderr()).not.toContain('internal error');
    expect(server.stderr()).not.toMatch(/"level":(50|60)/);
    expect(server.child.exitCode).toBeNull();
  });
});
