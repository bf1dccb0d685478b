import type { RuntimeOptions } from '../index.js';
import type { BotOptions } from './bot.js';

/** What a request may hold. */
export interface Limits {
  /** Bytes of a request body (413 above). */
  bodyBytes: number;
  /** Characters of one report (413 above). */
  reportChars: number;
  /** Reports in one batch (413 above). */
  batch: number;
}

/** How the service runs. */
export interface ServeOptions {
  /** The model folder; a reload reads it again. */
  model: string;
  host: string;
  /** 0: any free port (the address is printed once listening). */
  port: number;
  /** The bearer token every route but /healthz then needs; none: no authentication. */
  token?: string;
  /** The GitHub webhook's secret: deliveries must then carry a matching X-Hub-Signature-256. */
  githubSecret?: string;
  /** The GitLab webhook's secret token: deliveries must then carry it as X-Gitlab-Token. */
  gitlabToken?: string;
  /** Prediction threads (0: predict in the main thread). */
  workers: number;
  limits: Limits;
  /** Milliseconds a client has to send a whole request (408 after), and an idle connection stays open. */
  timeoutMs: number;
  /** Milliseconds the in-flight requests have to finish after SIGTERM before their connections are cut. */
  drainMs: number;
  /** pino's level: fatal, error, warn, info (one line per request), debug, trace, silent. */
  logLevel: string;
  /** Where the logs go (stderr). */
  logStream?: NodeJS.WritableStream;
  runtime?: RuntimeOptions;
  /** The labelling bot behind the webhooks: its ledger, whether it writes to the tracker, its rules. */
  bot?: BotOptions;
}
