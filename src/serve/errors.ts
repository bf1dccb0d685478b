import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { BugcatError, ERROR_CODES, ThreadLostError } from '../index.js';

/** A request the service refuses, with the HTTP status, a message for the caller and, for a bad field, its path (`reports[2].text`). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The JSON every error answer carries. */
export interface ErrorBody {
  error: { status: number; message: string; field?: string };
}

/** One of ajv's validation errors, as fastify hands them over. */
interface SchemaError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  object: 'a JSON object',
  array: 'an array',
  boolean: 'true or false',
  null: 'null',
};
const typeName = (t: unknown) => (Array.isArray(t) ? t : [t]).map((x) => TYPE_NAMES[String(x)] ?? String(x)).join(' or ');

/** `/reports/2/text` as `reports[2].text`. */
function fieldOf(instancePath: string, child?: string): string {
  const parts = instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) parts.push(child);
  return parts.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** A validation error as one message naming the field: unknown, missing, of the wrong type or out of range. */
export function schemaError(errors: readonly SchemaError[], where: string): HttpError {
  const e = errors[0];
  const what = where === 'querystring' ? 'query parameter' : 'field';
  switch (e.keyword) {
    case 'additionalProperties': {
      const field = fieldOf(e.instancePath, String(e.params.additionalProperty));
      return new HttpError(400, `unknown ${what} "${field}"`, field);
    }
    case 'required': {
      const field = fieldOf(e.instancePath, String(e.params.missingProperty));
      return new HttpError(400, `missing ${what} "${field}"`, field);
    }
    case 'type': {
      const field = fieldOf(e.instancePath);
      if (field === '') return new HttpError(400, `the ${where === 'body' ? 'body' : where} must be ${typeName(e.params.type)}`);
      return new HttpError(400, `${what} "${field}" must be ${typeName(e.params.type)}`, field);
    }
    default: {
      const field = fieldOf(e.instancePath);
      return new HttpError(400, `${what} "${field}" ${e.message ?? 'is invalid'}`, field || undefined);
    }
  }
}

/** Fastify's own refusals (body parsing, limits, timeouts), in the service's words. */
function fastifyError(err: FastifyError, request: FastifyRequest, limits: { bodyBytes: number }): HttpError | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new HttpError(400, 'the body is not valid JSON');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new HttpError(400, 'the body is empty: send a JSON object');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
      const type = request.headers['content-type'];
      return new HttpError(
        415,
        type
          ? `content type ${JSON.stringify(type.slice(0, 100))} is not accepted: send application/json`
          : 'the body has no Content-Type: send it as application/json',
      );
    }
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpError(413, `the body is larger than the limit of ${limits.bodyBytes} bytes`);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new HttpError(400, 'the Content-Length header does not match the body');
    case 'FST_ERR_BAD_URL':
      return new HttpError(400, 'the URL is malformed');
    case 'FST_ERR_CTP_INVALID_CONTENT_TYPE':
    case 'FST_ERR_INVALID_CONTENT_TYPE':
      return new HttpError(415, 'the Content-Type header is malformed: send application/json');
  }
  if (err.validation) return schemaError(err.validation as SchemaError[], err.validationContext ?? 'body');
  // A JSON body that poisons a prototype (secure-json-parse refuses it).
  if (err instanceof SyntaxError) return new HttpError(400, `the body is refused: ${err.message}`);
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500)
    return new HttpError(err.statusCode, err.message);
  return undefined;
}

/**
 * The one error handler: every refusal answered as `{ "error": { status, message, field? } }`,
 * a library error with the status ERROR_CODES gives its code; anything unforeseen, and a library
 * error of status 500 (the service's own model failing), is a 500 whose log line holds the
 * error's name and message, never a stack trace, and whose answer says no more than that it happened.
 */
export function errorHandler(limits: { bodyBytes: number }) {
  return (err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    let http: HttpError | undefined;
    if (err instanceof HttpError) http = err;
    else if (err instanceof ThreadLostError) http = new HttpError(503, err.message, undefined, { 'retry-after': '1' });
    else if (err instanceof BugcatError) {
      // A code from untyped JavaScript that the table lacks is unforeseen.
      const status = ERROR_CODES[err.code]?.status ?? 500;
      if (status < 500) http = new HttpError(status, err.message);
    } else if (err && typeof err === 'object' && 'code' in err) http = fastifyError(err as FastifyError, request, limits);
    if (!http) {
      const e = err as Error;
      request.log.error({ err: { type: e?.name, message: e?.message } }, 'internal error');
      http = new HttpError(500, 'internal error: the service logged it');
    }
    reply.code(http.status).headers(http.headers).send(bodyOf(http));
  };
}

/** The answer's body for an HttpError. */
export function bodyOf(e: HttpError): ErrorBody {
  return { error: { status: e.status, message: e.message, ...(e.field !== undefined ? { field: e.field } : {}) } };
}
