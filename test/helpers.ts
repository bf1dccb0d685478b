import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLI = join(ROOT, 'dist', 'cli', 'main.js');
export const FIXTURES = join(ROOT, 'test', 'fixtures');
export const REPORTS = join(FIXTURES, 'reports.csv');

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command without blocking the test worker (spawnSync would stall vitest's messages to and
 * from the worker): writes `input` to its stdin and closes it, collects stdout and stderr as UTF-8,
 * and resolves when the process has exited and its streams have closed. `error` is set, as by
 * spawnSync, when the process could not be started or signalled.
 */
export function run(
  command: string,
  args: string[],
  opts: { input?: string | Buffer; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Run & { error?: Error }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let error: Error | undefined;
    const result = (status: number | null): Run & { error?: Error } => ({
      status,
      stdout: Buffer.concat(out).toString('utf8'),
      stderr: Buffer.concat(err).toString('utf8'),
      ...(error ? { error } : {}),
    });
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    // A process that exits without reading all of its stdin (a usage error, say) makes the write
    // fail with EPIPE; spawnSync ignores that, and so does this.
    child.stdin.on('error', () => {});
    child.on('error', (e) => {
      error = e;
      if (child.pid === undefined) resolve(result(null)); // never started: no 'close' to wait for
    });
    child.on('close', (code) => resolve(result(code)));
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs the built CLI as a user would: `node dist/cli/main.js ARGS`, optional stdin. */
export async function bugcat(
  args: string[],
  opts: { input?: string | Buffer; cwd?: string; env?: Record<string, string> } = {},
): Promise<Run> {
  const r = await run(process.execPath, [CLI, ...args], {
    input: opts.input ?? '',
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, BUGCAT_DEBUG: '', ...opts.env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the CLI without waiting, for tests that send it signals. */
export function bugcatAsync(args: string[]) {
  return spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

export const tmp = (prefix = 'bugcat-test-') => mkdtempSync(join(tmpdir(), prefix));

/** Small, fast training settings for fixtures (the fixture set is 30 reports). */
export const FAST = ['--epochs', '10', '--hidden', '16', '--batch-size', '4', '--quiet'];
