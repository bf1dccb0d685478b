import * as crypto from 'node:crypto';
import { normalizeText } from '../text/normalize.js';

/**
 * SHA-256 of a string, as bytes: Node's one-shot crypto.hash where it has it (20.12 and later),
 * which makes no Hash object (a fingerprint a report: 0.3 s of the x18 predict's reading thread
 * through createHash); the same digest through createHash before.
 */
const sha256: (s: string) => Buffer =
  typeof crypto.hash === 'function' ? (s) => crypto.hash('sha256', s, 'buffer') : (s) => crypto.createHash('sha256').update(s).digest();

/**
 * A compact fingerprint of the reports a model was trained on: the first 8 bytes of the SHA-256
 * of each report's normal form (normalize.ts, trimmed), sorted. It tells whether a report was
 * among the training reports (so that an evaluation can say how many it saw) without keeping
 * the text: 8 bytes a report. Two different reports share a fingerprint with odds of about
 * n x m / 2^64 for n training and m evaluated reports.
 */
export function fingerprintOf(text: string): bigint {
  const digest = sha256(normalizeText(text).trim());
  return digest.readBigUInt64BE(0);
}

/** The sorted, distinct fingerprints of texts. */
export function fingerprints(texts: readonly string[]): BigUint64Array {
  return BigUint64Array.from(new Set(texts.map(fingerprintOf))).sort();
}

/** For each text: was it among the fingerprinted ones? (Binary search in the sorted fingerprints.) */
export function seenIn(sorted: BigUint64Array, texts: readonly string[]): boolean[] {
  return texts.map((t) => {
    const f = fingerprintOf(t);
    let lo = 0;
    let hi = sorted.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] === f) return true;
      if (sorted[mid] < f) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  });
}
