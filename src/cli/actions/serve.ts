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
  ledger?: string;
  apply: boolean;
  comment: boolean;
  duplicateCutoff: number;
  duplicates: number;
  gitlabApi: string;
  githubApi: string;
  minConfidence: number;
  scope: string[];
  skipAuthor: string[];
  skipLabel: string[];
  onlyLabel?: string[];
  retry: number;
  trackerTimeout: number;
};

/** The bot's options from the flags and the environment's API tokens; undefined without --ledger. */
function botOf(o: ServeFlags): ServeOptions['bot'] {
  if (o.ledger === undefined) {
    const asked = o.apply ? '--apply' : o.comment ? '--comment' : undefined;
    if (asked) throw new UsageError(`${asked} needs --ledger <file>: the bot records there what it does, and what waits to be written`);
    return undefined;
  }
  const token = (name: string) => {
    const v = process.env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const gitlabToken = token('BUGCAT_GITLAB_API_TOKEN');
  const githubToken = token('BUGCAT_GITHUB_API_TOKEN');
  if (o.apply && gitlabToken === undefined && githubToken === undefined)
    throw new UsageError(
      '--apply needs a tracker API token: set BUGCAT_GITLAB_API_TOKEN or BUGCAT_GITHUB_API_TOKEN (or leave --apply out for a dry run)',
    );
  for (const [flag, url] of [
    ['--gitlab-api', o.gitlabApi],
    ['--github-api', o.githubApi],
  ] as const) {
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
      throw new UsageError(`${flag} ${url} is not an http(s) URL: give the API's base, such as https://gitlab.com/api/v4`);
  }
  return {
    ledger: o.ledger,
    apply: o.apply,
    comment: o.comment,
    duplicateCutoff: o.duplicateCutoff,
    duplicates: o.duplicates,
    minConfidence: o.minConfidence,
    reviewLabel: 'manual-review',
    scopes: o.scope,
    skipAuthors: o.skipAuthor,
    skipLabels: o.skipLabel,
    onlyLabels: o.onlyLabel,
    tracker: { gitlabApi: o.gitlabApi, githubApi: o.githubApi, gitlabToken, githubToken, timeoutMs: o.trackerTimeout },
    retryMs: o.retry,
    maxRetryMs: 300_000,
  };
}

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
  const bot = botOf(o);
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
      bot,
    },
    (url) => process.stdout.write(`${url}\n`),
  );
  if (!drained) process.exitCode = 1;
}
