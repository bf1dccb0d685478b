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
  return digestOf(text).readBigUInt64BE(0);
}

/** The SHA-256 a fingerprint is the first 8 bytes of: of the text's normal form, trimmed. */
const digestOf = (text: string): Buffer => sha256(normalizeText(text).trim());

/** The sorted, distinct fingerprints of texts. */
export function fingerprints(texts: readonly string[]): BigUint64Array {
  return BigUint64Array.from(new Set(texts.map(fingerprintOf))).sort();
}

/** Sorted fingerprints as their high and low 32 bits, made once an array: a lookup then makes no BigInt. */
const halves = new WeakMap<BigUint64Array, { high: Uint32Array; low: Uint32Array }>();
function halvesOf(sorted: BigUint64Array): { high: Uint32Array; low: Uint32Array } {
  let h = halves.get(sorted);
  if (!h) {
    h = { high: Uint32Array.from(sorted, (f) => Number(f >> 32n)), low: Uint32Array.from(sorted, (f) => Number(f & 0xffffffffn)) };
    halves.set(sorted, h);
  }
  return h;
}

/** For each text: was it among the fingerprinted ones? (Binary search in the sorted fingerprints.) */
export function seenIn(sorted: BigUint64Array, texts: readonly string[]): boolean[] {
  const { high, low } = halvesOf(sorted);
  return texts.map((t) => {
    const digest = digestOf(t);
    const fh = digest.readUInt32BE(0);
    const fl = digest.readUInt32BE(4);
    let lo = 0;
    let hi = sorted.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const h = high[mid];
      if (h === fh && low[mid] === fl) return true;
      if (h < fh || (h === fh && low[mid] < fl)) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  });
}
