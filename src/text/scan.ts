/**
 * The tokenizer's two splits (tokenizer.ts) as one pass over a string's UTF-16 code units, with
 * no string made: where each piece starts and ends, and its hash (hashUnits), for a StringTable
 * to look up. Prediction and training count their terms so (FieldCounter); the regular expressions of
 * tokenizer.ts stay the definition, and tests hold the two to the same pieces:
 *   - scanWords: the runs `[\p{L}\p{N}_]{2,}` matches with the `u` flag (letters, digits and
 *     underscores, at least two code points; a surrogate pair is one code point);
 *   - scanSpaced: the pieces `split(/\s+/)` leaves, empty ones dropped (JavaScript's white space).
 */

/** Pieces of a string: piece i is units start[i] .. end[i] (exclusive), hashed hash[i]; `n` of them. */
export interface Pieces {
  start: Int32Array;
  end: Int32Array;
  hash: Int32Array;
  n: number;
}

/** Room for a string's pieces, grown as needed and kept (one per counter). */
export function pieces(): Pieces {
  return { start: new Int32Array(1024), end: new Int32Array(1024), hash: new Int32Array(1024), n: 0 };
}

/** FNV-1a's offset basis and prime (32 bits), the hash of a piece's code units. */
const BASIS = 0x811c9dc5 | 0;
const PRIME = 0x01000193;

/** The hash of units start .. end of s, as the scans compute it. */
export function hashUnits(s: string, start: number, end: number): number {
  let h = BASIS;
  for (let i = start; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), PRIME);
  return h;
}

/** Of each code unit outside the surrogates: 0 not yet known, 1 a letter, digit or underscore, 2 not. */
const WORD_UNIT = new Uint8Array(65536);
const WORD_CHAR = /^[\p{L}\p{N}_]$/u;
for (let c = 0; c < 128; c++) WORD_UNIT[c] = WORD_CHAR.test(String.fromCharCode(c)) ? 1 : 2;
/** The same for code points past the BMP (rare): learnt as met. */
const wordAstral = new Map<number, boolean>();

/** True if the code unit c (not a surrogate) is a letter, digit or underscore. */
function wordUnit(c: number): boolean {
  let k = WORD_UNIT[c];
  if (k === 0) k = WORD_UNIT[c] = WORD_CHAR.test(String.fromCharCode(c)) ? 1 : 2;
  return k === 1;
}

function wordAstralPoint(cp: number): boolean {
  let k = wordAstral.get(cp);
  if (k === undefined) {
    k = WORD_CHAR.test(String.fromCodePoint(cp));
    wordAstral.set(cp, k);
  }
  return k;
}

function grow(p: Pieces): void {
  const size = 2 * p.start.length;
  for (const key of ['start', 'end', 'hash'] as const) {
    const a = new Int32Array(size);
    a.set(p[key]);
    p[key] = a;
  }
}

/** The word runs of s (see above) into `out`. */
export function scanWords(s: string, out: Pieces): void {
  const n = s.length;
  let count = 0;
  let i = 0;
  while (i < n) {
    const start = i;
    let h = BASIS;
    let points = 0;
    for (;;) {
      if (i >= n) break;
      const c = s.charCodeAt(i);
      if (c < 0xd800 || c > 0xdfff) {
        if (!(c < 128 ? WORD_UNIT[c] === 1 : wordUnit(c))) break;
        h = Math.imul(h ^ c, PRIME);
        i++;
      } else {
        // A surrogate pair is one code point; a lone surrogate is none of the classes.
        const d = c <= 0xdbff && i + 1 < n ? s.charCodeAt(i + 1) : 0;
        if (!(d >= 0xdc00 && d <= 0xdfff && wordAstralPoint((c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000))) break;
        h = Math.imul(Math.imul(h ^ c, PRIME) ^ d, PRIME);
        i += 2;
      }
      points++;
    }
    if (points >= 2) {
      if (count === out.start.length) grow(out);
      out.start[count] = start;
      out.end[count] = i;
      out.hash[count] = h;
      count++;
    }
    if (points === 0) i++;
  }
  out.n = count;
}

/** True if code unit c is white space to JavaScript's `\s` (a test checks every code unit). */
export function isSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 160) return false;
  return (
    c === 160 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** The white-space separated pieces of s (see above) into `out`. */
export function scanSpaced(s: string, out: Pieces): void {
  const n = s.length;
  let count = 0;
  let i = 0;
  while (i < n) {
    while (i < n && isSpace(s.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    let h = BASIS;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (isSpace(c)) break;
      h = Math.imul(h ^ c, PRIME);
    }
    if (count === out.start.length) grow(out);
    out.start[count] = start;
    out.end[count] = i;
    out.hash[count] = h;
    count++;
  }
  out.n = count;
}
