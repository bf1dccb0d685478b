import type { ServingModel } from './holder.js';

/** Upper bounds of the latency histogram's buckets, in seconds (0.5 ms to 2.5 s). */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] as const;

const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const labelsOf = (l: Record<string, string | number>) =>
  `{${Object.entries(l)
    .map(([k, v]) => `${k}="${escape(String(v))}"`)
    .join(',')}}`;

class Histogram {
  readonly counts = new Array<number>(LATENCY_BUCKETS.length).fill(0);
  sum = 0;
  count = 0;

  observe(seconds: number): void {
    this.sum += seconds;
    this.count++;
    const i = LATENCY_BUCKETS.findIndex((b) => seconds <= b);
    if (i >= 0) this.counts[i]++;
  }
}

/**
 * The service's metrics in Prometheus's text format (version 0.0.4): requests by route, method
 * and status; request latency by route; predictions by label; model reloads by outcome; the
 * serving model's identity; resident memory. Kept by hand (four kinds of line) rather than
 * with a metrics library and its global registry.
 */
export class Metrics {
  readonly #requests = new Map<string, { route: string; method: string; status: number; n: number }>();
  readonly #latency = new Map<string, Histogram>();
  readonly #predictions = new Map<string, number>();
  readonly #reloads = { ok: 0, refused: 0 };
  readonly #started = Date.now() / 1000 - process.uptime();

  /** One answered request: `route` is the route's pattern (never the raw path, which a client chooses). */
  request(route: string, method: string, status: number, seconds: number): void {
    const key = `${route} ${method} ${status}`;
    const r = this.#requests.get(key);
    if (r) r.n++;
    else this.#requests.set(key, { route, method, status, n: 1 });
    let h = this.#latency.get(route);
    if (!h) this.#latency.set(route, (h = new Histogram()));
    h.observe(seconds);
  }

  /** Predictions made, by the label answered. */
  predicted(labels: readonly string[]): void {
    for (const l of labels) this.#predictions.set(l, (this.#predictions.get(l) ?? 0) + 1);
  }

  /** A reload, done or refused. */
  reloaded(ok: boolean): void {
    this.#reloads[ok ? 'ok' : 'refused']++;
  }

  /** Everything, as Prometheus scrapes it (with the bot's counts when it runs). */
  render(model: ServingModel, bot?: { applied: number; refused: number; retries: number; pending: number }): string {
    const out: string[] = [];
    const family = (name: string, type: string, help: string) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);

    family('bugcat_http_requests_total', 'counter', 'HTTP requests answered, by route, method and status.');
    for (const r of this.#requests.values())
      out.push(`bugcat_http_requests_total${labelsOf({ route: r.route, method: r.method, status: r.status })} ${r.n}`);

    family('bugcat_http_request_duration_seconds', 'histogram', 'Time from a request received to its answer sent, by route.');
    for (const [route, h] of this.#latency) {
      let cumulative = 0;
      LATENCY_BUCKETS.forEach((b, i) => {
        cumulative += h.counts[i];
        out.push(`bugcat_http_request_duration_seconds_bucket${labelsOf({ route, le: b })} ${cumulative}`);
      });
      out.push(`bugcat_http_request_duration_seconds_bucket${labelsOf({ route, le: '+Inf' })} ${h.count}`);
      out.push(`bugcat_http_request_duration_seconds_sum${labelsOf({ route })} ${h.sum}`);
      out.push(`bugcat_http_request_duration_seconds_count${labelsOf({ route })} ${h.count}`);
    }

    family('bugcat_predictions_total', 'counter', 'Reports classified, by the label answered.');
    for (const [label, n] of this.#predictions) out.push(`bugcat_predictions_total${labelsOf({ label })} ${n}`);

    family('bugcat_model_reloads_total', 'counter', 'Model reloads, by result (ok, or refused with the old model still serving).');
    for (const [result, n] of Object.entries(this.#reloads)) out.push(`bugcat_model_reloads_total${labelsOf({ result })} ${n}`);

    family(
      'bugcat_model_info',
      'gauge',
      'The model serving: its checksum (SHA-256 of its manifest), format version, trainer and load count.',
    );
    out.push(
      `bugcat_model_info${labelsOf({ checksum: model.checksum, format_version: model.summary.formatVersion, created_by: model.summary.createdBy, version: model.version })} 1`,
    );
    family('bugcat_model_loaded_timestamp_seconds', 'gauge', 'When the model serving was loaded, in seconds since the epoch.');
    out.push(`bugcat_model_loaded_timestamp_seconds ${Date.parse(model.loadedAt) / 1000}`);

    if (bot) {
      family(
        'bugcat_bot_writes_total',
        'counter',
        'Deliveries the bot wrote to the tracker since start, by result (applied, refused, retried).',
      );
      for (const result of ['applied', 'refused', 'retries'] as const)
        out.push(`bugcat_bot_writes_total${labelsOf({ result: result === 'retries' ? 'retried' : result })} ${bot[result]}`);
      family('bugcat_bot_pending', 'gauge', 'Deliveries recorded in the ledger and not yet written to the tracker.');
      out.push(`bugcat_bot_pending ${bot.pending}`);
    }
    family('process_resident_memory_bytes', 'gauge', 'Resident memory of the process, in bytes.');
    out.push(`process_resident_memory_bytes ${process.memoryUsage.rss()}`);
    family('process_start_time_seconds', 'gauge', 'When the process started, in seconds since the epoch.');
    out.push(`process_start_time_seconds ${this.#started}`);
    return out.join('\n') + '\n';
  }
}
