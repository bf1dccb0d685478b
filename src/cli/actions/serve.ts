import { join } from 'node:path';
import { UsageError } from '../../index.js';
import { serve as run, type ServeOptions } from '../../serve/server.js';
import { backendOf } from '../options.js';

/** The command line's flags: the service's own options (serve/options.ts), with its limits and times flat, as flags are. */
type ServeFlags = Pick<ServeOptions, 'model' | 'host' | 'port' | 'token' | 'githubSecret' | 'gitlabToken' | 'workers' | 'logLevel'> & {
  maxBody: number;
  maxReportChars: number;
  maxBatch: number;
  timeout: number;
  drainTimeout: number;
  /** A models folder: its `active` model is served (bugcat promote and rollback change it). */
  models?: string;
};

/** `bugcat serve`: prints the address on stdout once it answers, logs JSON lines on stderr, runs until SIGTERM. */
export async function serve(o: ServeFlags): Promise<void> {
  const secrets = [
    ['--token', 'BUGCAT_TOKEN', o.token],
    ['--github-secret', 'BUGCAT_GITHUB_SECRET', o.githubSecret],
    ['--gitlab-token', 'BUGCAT_GITLAB_TOKEN', o.gitlabToken],
  ] as const;
  for (const [flag, env, value] of secrets) {
    if (value !== undefined && value.trim() === '') throw new UsageError(`${flag} (or ${env}) is empty: give a secret, or leave both out`);
  }
  const runtime = backendOf();
  const { drained } = await run(
    {
      model: o.models !== undefined ? join(o.models, 'active') : o.model,
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
