/**
 * Helpers of the bugcat serve tests: a real server (the built CLI) on an ephemeral loopback
 * port, a small model trained on the fixtures, and raw HTTP for what fetch cannot send.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { bugcat, CLI, FAST, REPORTS, ROOT, tmp } from './helpers.js';

/** A running `bugcat serve`. */
export interface Server {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything it wrote on stderr so far. */
  stderr(): string;
  /** Its exit: code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends SIGTERM (or `signal`) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `bugcat serve --port 0 ARGS` and resolves once it prints its address (rejects with its stderr if it exits first). */
export function startServer(args: string[], env: Record<string, string> = {}): Promise<Server> {
  const base: NodeJS.ProcessEnv = { ...process.env, BUGCAT_DEBUG: '' };
  for (const key of ['BUGCAT_TOKEN', 'BUGCAT_GITHUB_SECRET', 'BUGCAT_GITLAB_TOKEN']) delete base[key];
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], {
    cwd: ROOT,
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /^(http:\/\/[^\s]+:(\d+))\n/.exec(stdout);
      if (!m) return;
      resolve({
        url: m[1],
        port: Number(m[2]),
        child,
        stderr: () => stderr,
        exited,
        stop: (signal = 'SIGTERM') => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    });
    void exited.then(({ code, signal }) => reject(new Error(`bugcat serve exited (${code ?? signal}) before it listened:\n${stderr}`)));
  });
}

/** Trains a small model on the fixtures into a new folder (seed varies the model, hence its checksum). */
export async function trainModel(seed = 1): Promise<string> {
  const dir = join(tmp('bugcat-serve-model-'), 'model');
  const r = await bugcat(['train', '--data', REPORTS, '--out', dir, ...FAST, '--seed', String(seed)]);
  if (r.status !== 0) throw new Error(`training failed: ${r.stderr}`);
  return dir;
}

/** A copy of a model folder, to be replaced or damaged while a server reads it. */
export function copyModel(from: string): string {
  const dir = join(tmp('bugcat-serve-copy-'), 'model');
  mkdirSync(dir, { recursive: true });
  cpSync(from, dir, { recursive: true });
  return dir;
}

/** An answer: status, headers and the body, parsed when it is JSON. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** A request with fetch; `body` as an object is sent as JSON, as a string or Buffer as it is. */
export async function call(
  server: Server | string,
  method: string,
  path: string,
  opts: { body?: unknown; headers?: Record<string, string>; token?: string } = {},
): Promise<Answer> {
  const url = typeof server === 'string' ? server : server.url;
  const headers: Record<string, string> = { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) };
  let body: string | Buffer | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' || Buffer.isBuffer(opts.body) ? (opts.body as string | Buffer) : JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  Object.assign(headers, opts.headers);
  const res = await fetch(`${url}${path}`, { method, headers, body });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** A raw TCP connection to the server, for what fetch cannot do (partial requests, bad HTTP). */
export function rawConnect(server: Server): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything a socket receives until it closes (or `until` matches what came so far). */
export function readSocket(socket: Socket, until?: RegExp): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    const done = () => resolve(data);
    socket.on('data', (d: Buffer) => {
      data += d.toString();
      if (until?.test(data)) {
        socket.off('close', done);
        resolve(data);
      }
    });
    socket.once('close', done);
    socket.once('error', () => {});
  });
}

/** Resolves when `check` holds, trying every 20 ms (a test's own timeout bounds it). */
export async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 20));
}

/** SHA-256 of a model folder's manifest: the model's checksum, as the service reports it. */
export const checksumOf = (dir: string) =>
  createHash('sha256')
    .update(readFileSync(join(dir, 'bugcat.json')))
    .digest('hex');

/**
 * Requests from `clients` concurrent loops until `stop()` says so: every answer's status and
 * model checksum, in the order they came back.
 */
export function traffic(server: Server, token?: string, clients = 4) {
  const answers: { status: number; model?: string; sentAt: number }[] = [];
  let stopping = false;
  const loops = Array.from({ length: clients }, async (_, c) => {
    for (let i = 0; !stopping; i++) {
      // Every other request a batch long enough to keep a prediction thread busy: some request is in flight at any moment.
      const body =
        i % 2 === 0
          ? { reports: Array.from({ length: 40 }, (_, k) => ({ text: `network card lost ${c} ${i} ${k} `.repeat(60) })) }
          : { text: `vnc display freezes ${c} ${i}`, top: 2 };
      const sentAt = performance.now();
      const r = await call(server, 'POST', '/v1/predict', { body, token }).catch((e: Error) => ({
        status: 0,
        json: { error: e.message },
      }));
      answers.push({ status: r.status, model: r.json?.model, sentAt });
    }
  });
  return {
    answers,
    /** Waits until `n` more answers have come back. */
    more: (n: number) => {
      const target = answers.length + n;
      return until(() => answers.length >= target);
    },
    stop: async () => {
      stopping = true;
      await Promise.all(loops);
      return answers;
    },
  };
}
