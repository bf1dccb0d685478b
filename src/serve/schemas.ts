/**
 * The JSON schemas of request bodies and query strings. Fastify validates each request against
 * its route's schema before the handler runs; unknown fields are refused (additionalProperties
 * false, never removed), and types are never coerced. Rules that span fields (exactly one of
 * text, title + body, or reports) and the size limits (413) are checked in the handlers.
 */

const text = { type: 'string' } as const;
const title = { type: 'string' } as const;
/** GitHub sends `null` for an issue without a description; callers may too. */
const body = { type: ['string', 'null'] } as const;
const top = { type: 'integer', minimum: 1, maximum: 100 } as const;

/**
 * A report's id, echoed back as given: a string, or an integer (GitHub's and GitLab's issue
 * numbers are numbers), one that JSON numbers carry exactly (within ±(2^53 - 1)).
 */
const id = {
  type: ['string', 'integer'],
  maxLength: 200,
  minimum: -Number.MAX_SAFE_INTEGER,
  maximum: Number.MAX_SAFE_INTEGER,
} as const;

/** One report: its text, or its title and body (joined as the title line and the rest); an optional id echoed back. */
export const REPORT = {
  type: 'object',
  additionalProperties: false,
  properties: { id, text, title, body },
} as const;

/** POST /v1/predict: one report (text, or title and body) or a batch (`reports`), and how to answer. */
export const PREDICT_BODY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    text,
    title,
    body,
    reports: { type: 'array', items: REPORT },
    top,
    min_confidence: { type: 'number', minimum: 0, maximum: 1 },
    review_label: { type: 'string', minLength: 1, maxLength: 100 },
  },
} as const;

/** POST /v1/explain: one report, how many terms, which label to explain (default: the predicted one) and against which (default: the runner-up). */
export const EXPLAIN_BODY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    text,
    title,
    body,
    top,
    label: { type: 'string', minLength: 1, maxLength: 100 },
    versus: { type: 'string', minLength: 1, maxLength: 100 },
  },
} as const;

/** POST /v1/similar: one report, how many similar training reports, the least similarity, and training report ids to leave out. */
export const SIMILAR_BODY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    id,
    text,
    title,
    body,
    top,
    min_similarity: { type: 'number', minimum: 0, maximum: 1 },
    exclude: { type: 'array', maxItems: 1000, items: { type: 'string', maxLength: 200 } },
  },
} as const;

/** The query string of the webhooks: how to answer (as strings: query strings carry no types). */
export const WEBHOOK_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    top: { type: 'string', pattern: '^[1-9][0-9]?$|^100$' },
    min_confidence: { type: 'string', pattern: '^(0(\\.[0-9]+)?|1(\\.0+)?|\\.[0-9]+)$' },
    review_label: { type: 'string', minLength: 1, maxLength: 100 },
  },
} as const;

/** A webhook's body: a JSON object (its shape is the tracker's, checked by the handler for the fields it reads). */
export const WEBHOOK_BODY = { type: 'object' } as const;
