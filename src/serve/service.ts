import type { FastifyBaseLogger } from 'fastify';
import type { MarkedPrediction, PredictOptions } from '../index.js';
import type { Bot } from './bot.js';
import type { ModelHolder, ReloadResult, ServingModel } from './holder.js';
import type { Metrics } from './metrics.js';
import type { ServeOptions } from './options.js';

/** What the routes share: the model holder, the metrics, the options, and the reload every trigger (SIGHUP, the admin route) goes through. */
export class Service {
  /** The service's logger (the app's, once it exists). */
  log?: FastifyBaseLogger;
  /** The labelling bot (with --ledger): what webhook deliveries are decided, recorded and written by. */
  bot?: Bot;
  /** What a route adds to its request's log line (a webhook's issue and suggested labels), by request. */
  private readonly logFields = new WeakMap<object, Record<string, unknown>>();

  constructor(
    readonly holder: ModelHolder,
    readonly metrics: Metrics,
    readonly options: ServeOptions,
  ) {}

  /** Adds `fields` to the log line of `request` (written once it is answered, whatever the status). */
  note(request: object, fields: Record<string, unknown>): void {
    this.logFields.set(request, { ...this.logFields.get(request), ...fields });
  }

  /** What routes noted for the log line of `request`. */
  noted(request: object): Record<string, unknown> | undefined {
    return this.logFields.get(request);
  }

  /** Predictions for `texts` by the serving model, counted by label. */
  async predict(texts: readonly string[], options: PredictOptions): Promise<{ predictions: MarkedPrediction[]; model: ServingModel }> {
    const result = await this.holder.predict(texts, options);
    // A label set counts each label suggested (none: '(none)').
    this.metrics.predicted(result.predictions.flatMap((p) => ('labels' in p ? (p.labels.length ? p.labels : ['(none)']) : [p.label])));
    return result;
  }

  /** Reloads the model folder: logs and counts the result; a refused model leaves the old one serving. */
  async reload(trigger: string): Promise<ReloadResult> {
    this.log?.info({ trigger, dir: this.holder.dir }, 'reloading the model');
    const result = await this.holder.reload();
    this.metrics.reloaded(result.ok);
    if (result.ok) {
      this.log?.info(
        { trigger, checksum: result.model.checksum, previous: result.previous.checksum, version: result.model.version },
        'new model serving',
      );
    } else {
      this.log?.error(
        { trigger, reason: result.error.message, serving: result.model.checksum },
        'new model refused; the old one keeps serving',
      );
    }
    return result;
  }
}
