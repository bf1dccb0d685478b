import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Secrets compared in constant time: both sides hashed first, so neither their contents nor
 * their lengths show in the time a comparison takes.
 */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

/** Why a webhook delivery is not trusted, or undefined when it is. */
export type Verdict = string | undefined;

/**
 * GitHub's `X-Hub-Signature-256: sha256=<hex>`: the HMAC-SHA256 of the body's exact bytes under
 * the webhook's secret.
 */
export function verifyGitHub(header: string | string[] | undefined, body: Buffer, secret: string): Verdict {
  if (header === undefined) return 'missing X-Hub-Signature-256 header (set the secret in the webhook settings)';
  if (Array.isArray(header) || !/^sha256=[0-9a-f]{64}$/i.test(header.trim()))
    return 'malformed X-Hub-Signature-256 header: expected sha256=<64 hex digits>';
  const given = Buffer.from(header.trim().slice('sha256='.length), 'hex');
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(given, expected) ? undefined : 'X-Hub-Signature-256 does not match the body: the webhook secret differs';
}

/** GitLab's `X-Gitlab-Token`: the secret token of the webhook, sent as it is. */
export function verifyGitLab(header: string | string[] | undefined, secret: string): Verdict {
  if (header === undefined) return 'missing X-Gitlab-Token header (set the secret token in the webhook settings)';
  if (Array.isArray(header) || !sameSecret(header, secret)) return 'X-Gitlab-Token does not match the secret token';
  return undefined;
}
