import { UsageError } from '../../index.js';
import { serve as run } from '../../serve/server.js';
import { runtimeOf } from '../options.js';

interface ServeOptions {
  model: string;
  host: string;
  port: number;
  token?: string;
  githubSecret?: string;
  gitlabToken?: string;
  workers: number;
  maxBody: number;
  maxReportChars: number;
  maxBatch: number;
  timeout: number;
  drainTimeout: number;
  logLevel: string;
}

/** `bugcat serve`: prints the address on stdout once it answers, logs JSON lines on stderr, runs until SIGTERM. */
export async function serve(o: ServeOptions): Promise<void> {
  for (const [flag, value] of [['--token', o.token], ['--github-secret', o.githubSecret], ['--gitlab-token', o.gitlabToken]] as const) {
    if (value !== undefined && value.trim() === '') throw new UsageError(`${flag} is empty: give a secret, or leave the option (and its environment variable) out`);
  }
  const { threads: _threads, ...runtime } = runtimeOf();
  const { drained } = await run(
    {
      model: o.model,
      host: o.host,
      port: o.port,
      token: o.token,
      githubSecret: o.githubSecret,
      gitlabToken: o.gitlabToken,
      workers: o.workers,
      limits: { bodyBytes: o.maxBody, reportChars: o.maxReportChars, batch: o.maxBatch },
      timeoutMs: o.timeout,
      drainMs: o.drainTimeout,
      logLevel: o.logLevel,
      runtime,
    },
    (url) => process.stdout.write(`${url}\n`),
  );
  if (!drained) process.exitCode = 1;
}
