import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './errors.js';
import { sameSecret } from './signatures.js';

/** Routes that need no token: the liveness probe. */
export const OPEN_ROUTES: ReadonlySet<string> = new Set(['/healthz']);

/**
 * Bearer-token authentication, run on each request before its body is read: with a token
 * configured, every route but the open ones needs `Authorization: Bearer <token>`, except a
 * webhook whose tracker secret is configured (its signature is checked instead: the trackers
 * cannot send a bearer token). Without a token, nothing is asked.
 */
export function bearerAuth(token: string | undefined, signedRoutes: ReadonlySet<string>) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    if (token === undefined) return;
    const route = request.routeOptions.url;
    if (route !== undefined && (OPEN_ROUTES.has(route) || signedRoutes.has(route))) return;
    const header = request.headers.authorization;
    const challenge = { 'www-authenticate': 'Bearer realm="bugcat"' };
    if (header === undefined)
      throw new HttpError(401, 'missing Authorization header: send "Authorization: Bearer <token>"', undefined, challenge);
    const m = /^Bearer +(\S+) *$/i.exec(header);
    if (!m) throw new HttpError(401, 'malformed Authorization header: expected "Bearer <token>"', undefined, challenge);
    if (!sameSecret(m[1], token))
      throw new HttpError(401, 'the bearer token is wrong', undefined, {
        'www-authenticate': 'Bearer realm="bugcat", error="invalid_token"',
      });
  };
}
