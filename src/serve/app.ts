import type { Socket } from 'node:net';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { bearerAuth } from './auth.js';
import { bodyOf, errorHandler, HttpError } from './errors.js';
import { apiRoutes } from './routes.js';
import type { Service } from './service.js';
import { GITHUB_ROUTE, GITLAB_ROUTE, webhookRoutes } from './webhooks.js';

/** Every route, by path, with its methods (for 405 and its Allow header). */
const ROUTES: Record<string, string[]> = {
  '/v1/predict': ['POST'],
  '/v1/explain': ['POST'],
  '/v1/model': ['GET', 'HEAD'],
  '/healthz': ['GET', 'HEAD'],
  '/metrics': ['GET', 'HEAD'],
  '/v1/admin/reload': ['POST'],
  [GITHUB_ROUTE]: ['POST'],
  [GITLAB_ROUTE]: ['POST'],
};

/** A malformed or too slow request that never reached a route: answered on the socket, in the service's error format. */
function clientError(err: NodeJS.ErrnoException, socket: Socket, timeoutMs: number): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, message] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout', `the request was not received within ${timeoutMs} ms`]
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'the request headers are too large']
        : [400, 'Bad Request', 'the request is not valid HTTP'];
  const body = JSON.stringify(bodyOf(new HttpError(status, message)));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/**
 * The HTTP application: fastify with bodies validated against their schemas (unknown fields
 * refused, no type coercion), JSON logs on the given stream (one line per request at level
 * info), the bearer token checked before a body is read, limits on body size and time, and
 * every error answered as `{ "error": { status, message, field? } }`.
 */
export function buildApp(service: Service): FastifyInstance {
  const o = service.options;
  const app = Fastify({
    logger: { level: o.logLevel, stream: o.logStream ?? process.stderr },
    // One line per answered request, written by the onResponse hook below (not fastify's two).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: o.limits.bodyBytes,
    // A client has timeoutMs to send a whole request, headers included (408 after, checked every
    // quarter of it, at most every second); a connection silent for twice that is closed.
    requestTimeout: o.timeoutMs,
    http: { connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(o.timeoutMs / 4))) },
    connectionTimeout: 2 * o.timeoutMs,
    keepAliveTimeout: Math.min(5000, o.timeoutMs),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
    clientErrorHandler: (err, socket) => clientError(err as NodeJS.ErrnoException, socket as Socket, o.timeoutMs),
  });
  // The headers too must arrive within the limit.
  app.server.headersTimeout = o.timeoutMs;
  service.log = app.log;

  app.removeContentTypeParser('text/plain');
  app.setErrorHandler(errorHandler(o.limits));
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    const allowed = ROUTES[path];
    const e = allowed
      ? new HttpError(
          405,
          `${request.method} is not allowed on ${path}: use ${allowed.filter((m) => m !== 'HEAD').join(' or ')}`,
          undefined,
          { allow: allowed.join(', ') },
        )
      : new HttpError(404, `no route ${request.method} ${path.slice(0, 200)}: see the README's list of endpoints`);
    reply.code(e.status).headers(e.headers).send(bodyOf(e));
  });

  app.addHook(
    'onRequest',
    bearerAuth(
      o.token,
      new Set([...(o.githubSecret !== undefined ? [GITHUB_ROUTE] : []), ...(o.gitlabToken !== undefined ? [GITLAB_ROUTE] : [])]),
    ),
  );
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    service.metrics.request(route, request.method, reply.statusCode, reply.elapsedTime / 1000);
    request.log.info(
      {
        method: request.method,
        url: request.url.slice(0, 200),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 100) / 100,
        // A webhook delivery's tracker, repository, issue and suggested labels.
        ...service.noted(request),
      },
      'request',
    );
  });

  app.register(apiRoutes(service));
  app.register(webhookRoutes(service));
  return app;
}
