/**
 * bugcat serve's operation end to end: a retrained model swapped in under concurrent requests
 * (POST /v1/admin/reload and SIGHUP) without failing one; a damaged or incompatible model
 * refused while the old one keeps serving; SIGTERM draining a request in flight, then exit 0;
 * and the refusals at start.
 */
import { copyFileSync, existsSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bugcat } from './helpers.js';
import {
  call,
  checksumOf,
  copyModel,
  rawConnect,
  readSocket,
  startServer,
  traffic as trafficOf,
  trainModel,
  until,
  type Server,
} from './serve-helpers.js';

const TOKEN = 'reload-token';
const traffic = (server: Server) => trafficOf(server, TOKEN);
let modelA: string;
let modelB: string;

/** Puts the files of model `from` into folder `to` (the manifest last, as a retrained model lands). */
function replaceModel(from: string, to: string): void {
  for (const f of readdirSync(from).filter((f) => f !== 'bugcat.json')) copyFileSync(join(from, f), join(to, f));
  copyFileSync(join(from, 'bugcat.json'), join(to, 'bugcat.json'));
}

beforeAll(async () => {
  [modelA, modelB] = await Promise.all([trainModel(1), trainModel(2)]);
  expect(checksumOf(modelA)).not.toBe(checksumOf(modelB));
});

describe('reload under concurrent requests', () => {
  let dir: string;
  let server: Server;

  beforeAll(async () => {
    dir = copyModel(modelA);
    server = await startServer(['--model', dir, '--token', TOKEN, '--workers', '2']);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('POST /v1/admin/reload swaps in a retrained model without failing a request', async () => {
    const load = traffic(server);
    await load.more(20);
    replaceModel(modelB, dir);
    const r = await call(server, 'POST', '/v1/admin/reload', { token: TOKEN });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ reloaded: true, previous: checksumOf(modelA), model: { checksum: checksumOf(modelB), version: 2 } });
    const reloaded = performance.now();
    await load.more(20);
    const answers = await load.stop();
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(new Set(answers.map((a) => a.model))).toEqual(new Set([checksumOf(modelA), checksumOf(modelB)]));
    // Requests sent once the reload was answered all meet the new model.
    const sentAfter = answers.filter((a) => a.sentAt > reloaded);
    expect(sentAfter.length).toBeGreaterThan(0);
    expect(sentAfter.every((a) => a.model === checksumOf(modelB))).toBe(true);
    expect((await call(server, 'GET', '/v1/model', { token: TOKEN })).json.checksum).toBe(checksumOf(modelB));
  });

  it('a damaged model is refused (422), logged, and the old one keeps serving every request', async () => {
    const load = traffic(server);
    await load.more(10);
    const bytes = readFileSync(join(dir, 'weights.bin'));
    truncateSync(join(dir, 'weights.bin'), Math.floor(bytes.length / 2));
    const r = await call(server, 'POST', '/v1/admin/reload', { token: TOKEN });
    expect(r.status).toBe(422);
    expect(r.json.error.message).toMatch(/^the new model is refused: .*weights\.bin.*; still serving [0-9a-f]{64}$/);
    expect(r.json.error.message).toContain(`still serving ${checksumOf(modelB)}`);
    await load.more(10);
    const answers = await load.stop();
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(answers.every((a) => a.model === checksumOf(modelB))).toBe(true);
    expect(server.stderr()).toContain('"msg":"new model refused; the old one keeps serving"');
    writeFileSync(join(dir, 'weights.bin'), bytes);
  });

  it('a model of an unknown format version is refused too', async () => {
    const manifest = readFileSync(join(dir, 'bugcat.json'), 'utf8');
    writeFileSync(join(dir, 'bugcat.json'), manifest.replace(/"formatVersion": \d+/, '"formatVersion": 99'));
    const r = await call(server, 'POST', '/v1/admin/reload', { token: TOKEN });
    expect(r.status).toBe(422);
    expect(r.json.error.message).toMatch(/refused: .*version/);
    writeFileSync(join(dir, 'bugcat.json'), manifest);
    expect((await call(server, 'POST', '/v1/predict', { body: { text: 'vnc' }, token: TOKEN })).json.model).toBe(checksumOf(modelB));
  });

  it('SIGHUP reloads too; a refused model leaves the old one serving', async () => {
    const load = traffic(server);
    await load.more(10);
    replaceModel(modelA, dir);
    server.child.kill('SIGHUP');
    await until(async () => (await call(server, 'GET', '/healthz')).json.model === checksumOf(modelA));
    await load.more(10);
    truncateSync(join(dir, 'vocabulary.json'), 10);
    server.child.kill('SIGHUP');
    await until(() => (server.stderr().match(/new model refused/g) ?? []).length >= 3);
    await load.more(10);
    const answers = await load.stop();
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect((await call(server, 'GET', '/healthz')).json.model).toBe(checksumOf(modelA));
    const metrics = (await call(server, 'GET', '/metrics', { token: TOKEN })).text;
    expect(metrics).toContain('bugcat_model_reloads_total{result="ok"} 2');
    expect(metrics).toContain('bugcat_model_reloads_total{result="refused"} 3');
    expect(server.stderr()).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  });

  it('the new threads, loaded at a lower priority, get their priority back', async () => {
    // Linux keeps a nice value per thread (field 19 of /proc/PID/task/TID/stat). "Back" is the
    // niceness the server was started at, read from its main thread (which never lowers its own):
    // the suite may run under `nice`, so it is not assumed to be 0.
    const tasks = `/proc/${server.child.pid}/task`;
    if (!existsSync(tasks)) return;
    const niceOf = (stat: string) => Number(readFileSync(stat, 'utf8').split(') ')[1].split(' ')[16]);
    const started = niceOf(`/proc/${server.child.pid}/stat`);
    // Each thread as "name nice", so that a failure names the thread left behind.
    const nices = () =>
      readdirSync(tasks).map((t) => `${readFileSync(`${tasks}/${t}/comm`, 'utf8').trim()} ${niceOf(`${tasks}/${t}/stat`)}`);
    expect(server.stderr()).toContain('"msg":"new model serving"');
    if (server.stderr().includes('could not get its priority back')) expect(process.getuid?.()).not.toBe(0);
    else {
      const now = nices();
      expect(now).toEqual(now.map((t) => `${t.slice(0, t.lastIndexOf(' '))} ${started}`));
    }
  });

  it('with --workers 0, a reload in the main thread fails no request either', async () => {
    const local = await startServer(['--model', copyModel(modelA), '--token', TOKEN, '--workers', '0']);
    try {
      const load = traffic(local, 2);
      await load.more(10);
      const r = await call(local, 'POST', '/v1/admin/reload', { token: TOKEN });
      expect(r.status).toBe(200);
      await load.more(10);
      expect((await load.stop()).filter((a) => a.status !== 200)).toEqual([]);
    } finally {
      await local.stop();
    }
  });
});

describe('SIGTERM', () => {
  it('drains the request in flight, answers it, then exits 0', async () => {
    const server = await startServer(['--model', modelA]);
    const socket = await rawConnect(server);
    const body = JSON.stringify({ text: 'virtio-net drops packets under load', top: 2 });
    // The server says "100 Continue" once it holds the request: then it is in flight.
    const continued = readSocket(socket, /^HTTP\/1\.1 100 Continue\r\n\r\n/);
    socket.write(
      `POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\n\r\n`,
    );
    await continued;
    const answer = readSocket(socket, /\r\n\r\n\{.*\}$/s);
    server.child.kill('SIGTERM');
    // It stops listening at once: new connections are refused while the request is still open.
    await until(() => server.stderr().includes('"msg":"draining'));
    await until(
      async () =>
        await call(server, 'GET', '/healthz').then(
          () => false,
          () => true,
        ),
    );
    socket.write(body);
    const raw = await answer;
    expect(raw).toMatch(/HTTP\/1\.1 200 OK\r\n/);
    expect(JSON.parse(raw.slice(raw.lastIndexOf('\r\n\r\n') + 4)).top).toHaveLength(2);
    socket.end();
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.stderr()).toContain('"drained":true,"msg":"stopped"');
  });

  it('with nothing in flight, exits 0 at once', async () => {
    const server = await startServer(['--model', modelA, '--workers', '0']);
    expect((await call(server, 'GET', '/healthz')).status).toBe(200);
    expect(await server.stop()).toEqual({ code: 0, signal: null });
  });
});

describe('refusals at start', () => {
  it('a damaged model: exit 1 with the reason, no stack trace', async () => {
    const dir = copyModel(modelA);
    truncateSync(join(dir, 'weights.bin'), 100);
    const r = await bugcat(['serve', '--model', dir, '--port', '0']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^bugcat: error: .*weights\.bin/m);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stdout).toBe('');
  });

  it('a port in use: exit 1', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await bugcat(['serve', '--model', modelA, '--port', String(port), '--workers', '0']);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^bugcat: error: 127\\.0\\.0\\.1:${port} is already in use; choose another port`, 'm'));
    } finally {
      blocker.close();
    }
  });

  it('an empty token: exit 2', async () => {
    const r = await bugcat(['serve', '--model', modelA, '--port', '0'], { env: { BUGCAT_TOKEN: '' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--token (or BUGCAT_TOKEN) is empty');
  });
});
