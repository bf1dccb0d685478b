/**
 * bugcat serve end to end: a real server on an ephemeral loopback port, every endpoint, every
 * error status with its message, the bearer token, the limits and the slow-client timeout.
 * (Webhooks, reloads and draining, and fuzzing have their own files.)
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readReports } from '../src/index.js';
import { bugcat, REPORTS } from './helpers.js';
import { call, rawConnect, readSocket, startServer, trainModel, type Server } from './serve-helpers.js';

const TOKEN = 'test-token-1';
let model: string;
let server: Server;
let open: Server;
let checksum: string;
let labels: string[];

beforeAll(async () => {
  model = await trainModel();
  checksum = createHash('sha256')
    .update(readFileSync(join(model, 'bugcat.json')))
    .digest('hex');
  labels = JSON.parse(readFileSync(join(model, 'bugcat.json'), 'utf8')).labels;
  [server, open] = await Promise.all([
    startServer(['--model', model, '--token', TOKEN, '--max-body', '8192', '--max-report-chars', '1000', '--max-batch', '3']),
    // No token, no threads: the main thread predicts.
    startServer(['--model', model, '--workers', '0']),
  ]);
});

afterAll(async () => {
  await Promise.all([server?.stop(), open?.stop()]);
});

const predict = (body: unknown, headers: Record<string, string> = {}) =>
  call(server, 'POST', '/v1/predict', { body, token: TOKEN, headers });

describe('bugcat serve: endpoints', () => {
  it('prints its address on stdout and listens on 127.0.0.1 by default', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.stderr()).toContain('"msg":"serving"');
  });

  it('GET /healthz answers without a token', async () => {
    const r = await call(server, 'GET', '/healthz');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ status: 'ok', model: checksum });
  });

  it('GET /v1/model: labels, hyperparameters, training summary, format version, checksum of the manifest', async () => {
    const r = await call(server, 'GET', '/v1/model', { token: TOKEN });
    expect(r.status).toBe(200);
    expect(r.json.checksum).toBe(checksum);
    expect(r.json.labels).toEqual(labels);
    expect(r.json.hyperparameters).toMatchObject({ epochs: 10, hidden: 16, batchSize: 4 });
    expect(r.json.summary.n).toBeGreaterThan(20);
    expect(Object.keys(r.json.summary.labelCounts).sort()).toEqual([...labels].sort());
    expect(r.json.format_version).toBe(r.json.summary.formatVersion);
    expect(r.json.created_by).toMatch(/^bugcat /);
    expect(r.json.version).toBe(1);
  });

  it('POST /v1/predict answers what predict --format json answers, with the model checksum', async () => {
    const text = 'virtio-net drops packets under load\nThe guest loses packets with -netdev tap when iperf runs.';
    const [r, cli] = await Promise.all([
      predict({ text, top: 3 }),
      bugcat(['predict', '--model', model, '--format', 'json', '--top', '3', text]),
    ]);
    expect(r.status).toBe(200);
    const [expected] = JSON.parse(cli.stdout);
    delete expected.id;
    // The command line rounds its numbers to 4 decimals; the service sends them whole.
    const rounded = (x: unknown): unknown =>
      typeof x === 'number'
        ? Math.round(x * 10000) / 10000
        : Array.isArray(x)
          ? x.map(rounded)
          : x && typeof x === 'object'
            ? Object.fromEntries(Object.entries(x).map(([k, v]) => [k, rounded(v)]))
            : x;
    for (const [key, value] of Object.entries(expected)) expect([key, rounded(r.json[key])]).toEqual([key, value]);
    expect(r.json.model).toBe(checksum);
    expect(r.json.top).toHaveLength(3);
  });

  it('a report whose control characters were removed says so, as predict --format json does', async () => {
    const text = 'virtio-net drops packets\u0000 under load\u001b[0m with -netdev tap';
    const [r, cli] = await Promise.all([
      predict({
        reports: [
          { id: 'dirty', text },
          { id: 'clean', text: 'virtio-net drops packets under load' },
        ],
      }),
      bugcat(['predict', '--model', model, '--format', 'json'], { input: text }),
    ]);
    expect(r.status).toBe(200);
    const [dirty, clean] = r.json.predictions;
    expect(JSON.parse(cli.stdout)[0].control_characters).toBe(2);
    expect(dirty).toMatchObject({ id: 'dirty', label: JSON.parse(cli.stdout)[0].label, control_characters: 2 });
    expect('control_characters' in clean).toBe(false);
  });

  it('a report the model was trained on is marked in_training, with threads and without, as predict --format json marks it', async () => {
    const [trained] = readReports(REPORTS, { labelColumn: 'label' }).texts;
    const body = {
      reports: [
        { id: 't', text: trained },
        { id: 'new', text: 'virtio-net drops packets under load' },
      ],
    };
    const [threaded, main, cli] = await Promise.all([
      predict(body),
      call(open, 'POST', '/v1/predict', { body }),
      bugcat(['predict', '--model', model, '--format', 'json'], { input: trained }),
    ]);
    expect(JSON.parse(cli.stdout)[0].in_training).toBe(true);
    for (const r of [threaded, main]) {
      expect(r.status).toBe(200);
      const [t, fresh] = r.json.predictions;
      expect(t).toMatchObject({ id: 't', label: JSON.parse(cli.stdout)[0].label, in_training: true });
      expect('in_training' in fresh).toBe(false);
      expect('inTraining' in t).toBe(false);
    }
  });

  it('a report as title and body is the title line and the body', async () => {
    const [a, b] = await Promise.all([
      predict({ title: 'vnc display freezes', body: 'the vnc server stops sending updates', top: 2 }),
      predict({ text: 'vnc display freezes\nthe vnc server stops sending updates', top: 2 }),
    ]);
    expect(a.status).toBe(200);
    expect(a.json).toEqual(b.json);
    const c = await predict({ title: 'vnc display freezes', body: null });
    expect(c.status).toBe(200);
  });

  it('a batch answers one prediction per report, in order, with the ids given', async () => {
    const r = await predict({
      reports: [
        { id: 'a', text: 'network card not detected' },
        { title: 'boot hangs', body: 'at the bios' },
        { id: 'c', text: 'vnc password' },
      ],
      top: 2,
    });
    expect(r.status).toBe(200);
    expect(r.json.predictions).toHaveLength(3);
    expect(r.json.predictions.map((p: { id?: string }) => p.id)).toEqual(['a', undefined, 'c']);
    for (const p of r.json.predictions) {
      expect(labels).toContain(p.label);
      expect(p.top).toHaveLength(2);
    }
    const one = await predict({ text: 'vnc password' });
    expect(r.json.predictions[2].label).toBe(one.json.label);
  });

  it('a batch takes numeric ids (issue numbers) and answers each with its id as given: a number stays a number', async () => {
    const r = await call(server, 'POST', '/v1/predict', {
      body: `{"reports": [{"id": 5, "text": "network card not detected"}, {"id": "5", "text": "vnc password"}, {"id": 1988, "title": "boot hangs", "body": null}], "top": 1}`,
      token: TOKEN,
    });
    expect(r.status).toBe(200);
    expect(r.json.predictions.map((p: { id: unknown }) => p.id)).toEqual([5, '5', 1988]);
    // As JSON text: the numbers are unquoted, the string quoted.
    expect(r.text).toMatch(/^\{"predictions":\[\{"id":5,"label":/);
    expect(r.text).toContain('{"id":"5","label":');
    expect(r.text).toContain('{"id":1988,"label":');
    const one = await predict({ text: 'network card not detected', top: 1 });
    expect(r.json.predictions[0]).toEqual({ id: 5, ...one.json, model: undefined });
    // Negative and zero integers, and the largest JSON carries exactly, too.
    const edge = await predict({
      reports: [
        { id: 0, text: 'a' },
        { id: -3, text: 'b' },
        { id: Number.MAX_SAFE_INTEGER, text: 'c' },
      ],
    });
    expect(edge.status).toBe(200);
    expect(edge.json.predictions.map((p: { id: unknown }) => p.id)).toEqual([0, -3, Number.MAX_SAFE_INTEGER]);
  });

  it('an id that is neither a string nor an integer is a 400 naming it, and the server keeps answering', async () => {
    const bad: [string, unknown][] = [
      ['a fraction', 5.5],
      ['true', true],
      ['null', null],
      ['an object', { n: 5 }],
      ['an array', [5]],
    ];
    for (const [what, id] of bad) {
      const r = await predict({ reports: [{ text: 'ok' }, { id, text: 'vnc' }] });
      expect([what, r.status]).toEqual([what, 400]);
      expect([what, r.json.error]).toEqual([
        what,
        { status: 400, message: 'field "reports[1].id" must be a string or an integer', field: 'reports[1].id' },
      ]);
    }
    const big = await predict({ reports: [{ id: 2 ** 53, text: 'vnc' }] });
    expect(big.status).toBe(400);
    expect(big.json.error).toMatchObject({
      field: 'reports[0].id',
      message: expect.stringMatching(/^field "reports\[0\]\.id" must be <= /),
    });
    const long = await predict({ reports: [{ id: 'x'.repeat(201), text: 'vnc' }] });
    expect(long.json.error).toMatchObject({ status: 400, field: 'reports[0].id' });
    expect((await call(server, 'GET', '/healthz')).status).toBe(200);
    expect((await predict({ reports: [{ id: 7, text: 'vnc' }] })).json.predictions[0].id).toBe(7);
  });

  it('min_confidence and review_label per request', async () => {
    const a = await predict({ text: 'qemu crashes', min_confidence: 1 });
    expect(a.json.label).toBe('manual-review');
    const b = await predict({ text: 'qemu crashes', min_confidence: 1, review_label: 'needs-triage' });
    expect(b.json.label).toBe('needs-triage');
    const c = await predict({ text: 'qemu crashes', min_confidence: 0 });
    expect(labels).toContain(c.json.label);
  });

  it('POST /v1/explain explains a prediction (the library has Model.explain)', async () => {
    const r = await call(server, 'POST', '/v1/explain', {
      body: { text: 'vnc display freezes when the password is set', top: 3 },
      token: TOKEN,
    });
    expect(r.status).toBe(200);
    expect(labels).toContain(r.json.label);
    expect(r.json.model).toBe(checksum);
    const bad = await call(server, 'POST', '/v1/explain', { body: { text: 'vnc', label: 'no-such-label' }, token: TOKEN });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ field: 'label' });
    const [first, second] = labels;
    const versus = await call(server, 'POST', '/v1/explain', { body: { text: 'vnc display', label: first, versus: second }, token: TOKEN });
    expect(versus.status).toBe(200);
    expect(versus.json).toMatchObject({ label: first, versus: second });
  });

  it('GET /metrics: requests, latency histogram, predictions by label, the model', async () => {
    await predict({ text: 'network card not detected' });
    const r = await call(server, 'GET', '/metrics', { token: TOKEN });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(r.text).toMatch(/^bugcat_http_requests_total\{route="\/v1\/predict",method="POST",status="200"\} [1-9]\d*$/m);
    expect(r.text).toMatch(/^bugcat_http_request_duration_seconds_bucket\{route="\/v1\/predict",le="\+Inf"\} [1-9]\d*$/m);
    expect(r.text).toMatch(/^bugcat_http_request_duration_seconds_count\{route="\/v1\/predict"\} [1-9]\d*$/m);
    expect(r.text).toMatch(/^bugcat_predictions_total\{label="[^"]+"\} [1-9]\d*$/m);
    expect(r.text).toContain(`bugcat_model_info{checksum="${checksum}",format_version="`);
    expect(r.text).toMatch(/^process_resident_memory_bytes \d+$/m);
    // Unknown paths are counted under one label, never by the path a client chose.
    await call(server, 'GET', '/no/such/path/12345', { token: TOKEN });
    const again = await call(server, 'GET', '/metrics', { token: TOKEN });
    expect(again.text).not.toContain('12345');
    expect(again.text).toMatch(/route="unmatched",method="GET",status="404"/);
  });

  it('without a token nothing is asked, and the main thread predicts (--workers 0)', async () => {
    const r = await call(open, 'POST', '/v1/predict', { body: { text: 'network card not detected' } });
    expect(r.status).toBe(200);
    expect(labels).toContain(r.json.label);
    expect(open.stderr()).toContain('"threads":0');
  });
});

describe('bugcat serve: every error, with its status and message', () => {
  const cases: [string, () => Promise<{ status: number; json: any; headers: Headers }>, number, RegExp, string?][] = [
    ['no token', () => call(server, 'GET', '/v1/model'), 401, /missing Authorization header/],
    ['a wrong token', () => call(server, 'GET', '/v1/model', { token: 'nope' }), 401, /the bearer token is wrong/],
    [
      'a malformed Authorization header',
      () => call(server, 'GET', '/v1/model', { headers: { authorization: `Basic ${TOKEN}` } }),
      401,
      /malformed Authorization header/,
    ],
    ['malformed JSON', () => predict('{"text": "unterminated'), 400, /^the body is not valid JSON$/],
    ['an empty JSON body', () => predict(''), 400, /the body is empty/],
    ['a body that is not an object', () => predict('["a report"]'), 400, /^the body must be a JSON object$/],
    ['a string body', () => predict('"a report"'), 400, /^the body must be a JSON object$/],
    ['no body', () => call(server, 'POST', '/v1/predict', { token: TOKEN }), 400, /the body must be a JSON object/],
    ['text of the wrong type', () => predict({ text: 42 }), 400, /^field "text" must be a string$/, 'text'],
    [
      'a batch report of the wrong type',
      () => predict({ reports: [{ text: 'ok' }, { text: ['no'] }] }),
      400,
      /^field "reports\[1\]\.text" must be a string$/,
      'reports[1].text',
    ],
    ['reports not an array', () => predict({ reports: 'a' }), 400, /^field "reports" must be an array$/, 'reports'],
    ['an unknown field', () => predict({ text: 'x', tittle: 'y' }), 400, /^unknown field "tittle"$/, 'tittle'],
    [
      'an unknown field in a batch report',
      () => predict({ reports: [{ text: 'x', label: 'y' }] }),
      400,
      /^unknown field "reports\[0\]\.label"$/,
      'reports[0].label',
    ],
    ['top of the wrong type', () => predict({ text: 'x', top: '3' }), 400, /^field "top" must be an integer$/, 'top'],
    ['top out of range', () => predict({ text: 'x', top: 0 }), 400, /^field "top" must be >= 1$/, 'top'],
    [
      'min_confidence out of range',
      () => predict({ text: 'x', min_confidence: 2 }),
      400,
      /^field "min_confidence" must be <= 1$/,
      'min_confidence',
    ],
    ['no report', () => predict({ top: 2 }), 400, /^missing field "text"/, 'text'],
    ['text and title together', () => predict({ text: 'x', title: 'y' }), 400, /give text, or title and body, not both/, 'title'],
    ['a report beside a batch', () => predict({ text: 'x', reports: [{ text: 'y' }] }), 400, /not both: "text" beside "reports"/, 'text'],
    ['an empty text', () => predict({ text: '  \n ' }), 400, /^text is empty$/, 'text'],
    [
      'an empty batch report',
      () => predict({ reports: [{ text: 'ok' }, { title: '' }] }),
      400,
      /^reports\[1\]\.title is empty$/,
      'reports[1].title',
    ],
    ['an empty batch', () => predict({ reports: [] }), 400, /reports is empty/, 'reports'],
    ['a poisoned prototype', () => predict('{"text": "x", "__proto__": {"polluted": true}}'), 400, /./],
    ['a body over the limit', () => predict({ text: 'x'.repeat(9000) }), 413, /^the body is larger than the limit of 8192 bytes$/],
    [
      'a report over the limit',
      () => predict({ text: 'y'.repeat(1001) }),
      413,
      /^the report is 1001 characters long: the limit is 1000$/,
      'text',
    ],
    [
      'a batch report over the limit',
      () => predict({ reports: [{ text: 'ok' }, { title: 't', body: 'z'.repeat(1000) }] }),
      413,
      /^reports\[1\]\.report is 1002 characters long: the limit is 1000$/,
      'reports[1].title',
    ],
    [
      'a batch over the limit',
      () => predict({ reports: [{ text: 'a' }, { text: 'b' }, { text: 'c' }, { text: 'd' }] }),
      413,
      /^a batch holds at most 3 reports: this one has 4$/,
      'reports',
    ],
    [
      'a body that is not JSON',
      () => call(server, 'POST', '/v1/predict', { token: TOKEN, body: 'plain text', headers: { 'content-type': 'text/plain' } }),
      415,
      /^content type "text\/plain" is not accepted: send application\/json$/,
    ],
    [
      'a body without a content type',
      () =>
        fetch(`${server.url}/v1/predict`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}` },
          body: new Uint8Array([123, 125]),
        }).then(async (r) => ({ status: r.status, headers: r.headers, json: await r.json() })),
      415,
      /no Content-Type/,
    ],
    ['an unknown path', () => call(server, 'GET', '/v2/predict', { token: TOKEN }), 404, /^no route GET \/v2\/predict/],
    ['a wrong method', () => call(server, 'GET', '/v1/predict', { token: TOKEN }), 405, /^GET is not allowed on \/v1\/predict: use POST$/],
    [
      'a reload over HTTP without a token configured',
      () => call(open, 'POST', '/v1/admin/reload'),
      403,
      /needs the service to run with a token; send SIGHUP/,
    ],
  ];

  for (const [name, send, status, message, field] of cases) {
    it(`${name}: ${status}`, async () => {
      const r = await send();
      expect(r.status).toBe(status);
      expect(r.json?.error?.status).toBe(status);
      expect(r.json.error.message).toMatch(message);
      if (field !== undefined) expect(r.json.error.field).toBe(field);
      if (status === 401) expect(r.headers.get('www-authenticate')).toMatch(/^Bearer realm="bugcat"/);
      if (status === 405) expect(r.headers.get('allow')).toBe('POST');
    });
  }

  it('an unauthenticated request is refused before its body is read', async () => {
    const r = await call(server, 'POST', '/v1/predict', { body: 'x'.repeat(100_000), headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(401);
  });

  it('a slow client gets 408 once the timeout has passed; others are answered meanwhile', async () => {
    const slow = await startServer(['--model', model, '--timeout', '300', '--workers', '0']);
    try {
      const socket = await rawConnect(slow);
      const answer = readSocket(socket);
      // Headers announce a body that never comes.
      socket.write('POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"text":');
      const ok = await call(slow, 'POST', '/v1/predict', { body: { text: 'network card' } });
      expect(ok.status).toBe(200);
      const raw = await answer;
      expect(raw).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
      expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toEqual({
        error: { status: 408, message: 'the request was not received within 300 ms' },
      });
    } finally {
      await slow.stop();
    }
  });

  it('a request that is not HTTP gets 400 and the connection is closed', async () => {
    const socket = await rawConnect(server);
    const answer = readSocket(socket);
    socket.write('THIS IS NOT HTTP\r\n\r\n');
    const raw = await answer;
    expect(raw).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(raw).toContain('"the request is not valid HTTP"');
  });

  it('none of it printed a stack trace or an internal error, and the server still answers', async () => {
    expect((await call(server, 'GET', '/healthz')).status).toBe(200);
    for (const s of [server, open]) {
      expect(s.stderr()).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
      expect(s.stderr()).not.toContain('internal error');
      expect(s.child.exitCode).toBeNull();
    }
  });
});
