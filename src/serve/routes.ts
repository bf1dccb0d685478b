import type { FastifyInstance } from 'fastify';
import { VERSION, type ExplainOptions } from '../index.js';
import { answerOf } from './answers.js';
import { HttpError } from './errors.js';
import type { ServingModel } from './holder.js';
import { reportOf, reportsOf, type PredictBody, type ReportFields } from './requests.js';
import { EXPLAIN_BODY, PREDICT_BODY, SIMILAR_BODY } from './schemas.js';
import type { Service } from './service.js';

/** GET /v1/model's answer. */
export function describeModel(m: ServingModel) {
  return {
    checksum: m.checksum,
    version: m.version,
    loaded_at: m.loadedAt,
    dir: m.dir,
    format_version: m.summary.formatVersion,
    created_by: m.summary.createdBy,
    labels: m.labels,
    hyperparameters: m.hyperparameters,
    summary: m.summary,
    // Every model explains (Model.explain); the field stays for the clients that read it.
    explains: true,
    // Finds similar training reports (POST /v1/similar): trained with --keep-index.
    similar: m.hasIndex,
    served_by: `bugcat ${VERSION}`,
  };
}

/** The service's own routes (the webhooks are in webhooks.ts): predict, explain, model, health, metrics, reload. */
export function apiRoutes(service: Service) {
  return async (app: FastifyInstance): Promise<void> => {
    const { limits } = service.options;

    app.post('/v1/predict', { schema: { body: PREDICT_BODY } }, async (request) => {
      const b = request.body as PredictBody;
      const { reports, single } = reportsOf(b, limits);
      const { predictions, model } = await service.predict(
        reports.map((r) => r.text),
        { top: b.top, minConfidence: b.min_confidence, reviewLabel: b.review_label },
      );
      const withId = predictions.map((p, i) => {
        const { id, text } = reports[i];
        return { ...(id !== undefined ? { id } : {}), ...answerOf(p, text) };
      });
      return single ? { ...withId[0], model: model.checksum } : { predictions: withId, model: model.checksum };
    });

    app.post('/v1/explain', { schema: { body: EXPLAIN_BODY } }, async (request) => {
      const b = request.body as ReportFields & ExplainOptions;
      const report = reportOf(b, limits);
      for (const field of ['label', 'versus'] as const) {
        const label = b[field];
        if (label !== undefined && !service.holder.current.labels.includes(label)) {
          throw new HttpError(400, `${field} "${label}" is not one of the model's labels (GET /v1/model lists them)`, field);
        }
      }
      const { explanation, model } = await service.holder.explain(report.text, { top: b.top, label: b.label, versus: b.versus });
      return { ...explanation, model: model.checksum };
    });

    app.post('/v1/similar', { schema: { body: SIMILAR_BODY } }, async (request) => {
      const b = request.body as ReportFields & { id?: string | number; top?: number; min_similarity?: number; exclude?: string[] };
      const report = reportOf(b, limits);
      if (!service.holder.current.hasIndex) {
        throw new HttpError(
          409,
          `the serving model (${service.holder.current.checksum.slice(0, 12)}) keeps no index of its training reports, so it cannot find similar ones: serve a model trained with bugcat train --keep-index`,
        );
      }
      const { similar, model } = await service.holder.similar(report.text, {
        top: b.top ?? 5,
        minSimilarity: b.min_similarity ?? 0,
        ...(b.exclude ? { exclude: b.exclude } : {}),
      });
      return { ...(b.id !== undefined ? { id: b.id } : {}), similar, model: model.checksum };
    });

    app.get('/v1/model', async () => describeModel(service.holder.current));

    app.get('/healthz', async () => ({ status: 'ok', model: service.holder.current.checksum }));

    app.get('/metrics', async (_request, reply) => {
      reply.type('text/plain; version=0.0.4; charset=utf-8');
      const bot = service.bot;
      return service.metrics.render(service.holder.current, bot && { ...bot.counts, pending: bot.histories.pending().length });
    });

    app.post('/v1/admin/reload', async () => {
      if (service.options.token === undefined) {
        throw new HttpError(403, 'reloading over HTTP needs the service to run with a token; send SIGHUP to the process instead');
      }
      const result = await service.reload('POST /v1/admin/reload');
      if (!result.ok) {
        throw new HttpError(422, `the new model is refused: ${result.error.message}; still serving ${result.model.checksum}`);
      }
      return { reloaded: true, model: describeModel(result.model), previous: result.previous.checksum };
    });
  };
}
