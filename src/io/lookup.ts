import { endianness } from 'node:os';
import type { TermTables } from '../text/termindex.js';

/**
 * lookup.bin: a vocabulary's lookup tables (text/termindex.ts's TermTables) as the arrays
 * prediction reads, so that loading a model builds no table over its vocabulary. Layout:
 * "BCLT", the header's length (uint32), the header (JSON: the SHA-256 of the vocabulary.json the
 * tables were made from, the number of terms, the field prefixes, the non-ASCII character
 * n-grams, and each array's length), then the arrays one after the other, each from a multiple of
 * 8 bytes, little-endian: the ASCII character n-grams' keys (float64) and term ids (int32), the
 * single words' table slots (int32) and code units (uint16), and each field's word term ids (int32).
 */

const MAGIC = 'BCLT';

interface Header {
  vocabulary: string;
  terms: number;
  prefixes: string[];
  otherChars: [string, number][];
  chars: { size: number; keys: number };
  words: { size: number; slots: number; pool: number };
  wordTerms: number[];
}

const align = (n: number) => Math.ceil(n / 8) * 8;

/** The bytes of lookup.bin for `tables`, made from a vocabulary.json whose SHA-256 is `vocabulary`. */
export function encodeTermTables(tables: TermTables, vocabulary: string): Uint8Array {
  const header: Header = {
    vocabulary,
    terms: tables.terms,
    prefixes: tables.prefixes,
    otherChars: tables.otherChars,
    chars: { size: tables.chars.size, keys: tables.chars.keys.length },
    words: { size: tables.words.size, slots: tables.words.slots.length, pool: tables.words.pool.length },
    wordTerms: tables.wordTerms.map((t) => t.length),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const arrays = [tables.chars.keys, tables.chars.values, tables.words.slots, tables.words.pool, ...tables.wordTerms];
  let size = align(8 + json.length);
  for (const a of arrays) size = align(size + a.byteLength);
  const bytes = new Uint8Array(size);
  bytes.set(new TextEncoder().encode(MAGIC));
  new DataView(bytes.buffer).setUint32(4, json.length, true);
  bytes.set(json, 8);
  let at = align(8 + json.length);
  for (const a of arrays) {
    bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at = align(at + a.byteLength);
  }
  return bytes;
}

/**
 * The tables of lookup.bin and the SHA-256 of the vocabulary they were made from; undefined on a
 * big-endian machine (the arrays are little-endian: the caller builds the tables from the terms).
 * Throws an Error saying what is wrong with bytes that are not such a file.
 */
export function decodeTermTables(bytes: Uint8Array): { tables: TermTables; vocabulary: string } | undefined {
  if (endianness() !== 'LE') return undefined;
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) throw new Error('it does not start as a lookup file');
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  if (8 + length > bytes.length) throw new Error('its header is cut short');
  const h = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as Header;
  let at = align(8 + length);
  /** The next array of `n` elements of `Type`: a view of `bytes` where it is aligned, else a copy. */
  const next = <T extends Float64Array | Int32Array | Uint16Array>(
    Type: { new (b: ArrayBufferLike, o: number, n: number): T; BYTES_PER_ELEMENT: number },
    n: number,
  ): T => {
    if (!Number.isInteger(n) || n < 0 || at + n * Type.BYTES_PER_ELEMENT > bytes.length)
      throw new Error('it is shorter than its header says');
    const offset = bytes.byteOffset + at;
    const view =
      offset % Type.BYTES_PER_ELEMENT === 0
        ? new Type(bytes.buffer, offset, n)
        : new Type(bytes.slice(at, at + n * Type.BYTES_PER_ELEMENT).buffer, 0, n);
    at = align(at + n * Type.BYTES_PER_ELEMENT);
    return view;
  };
  const keys = next(Float64Array, h.chars.keys);
  const values = next(Int32Array, h.chars.keys);
  const slots = next(Int32Array, h.words.slots);
  const pool = next(Uint16Array, h.words.pool);
  const wordTerms = h.wordTerms.map((n) => next(Int32Array, n));
  if (at !== bytes.length) throw new Error('it is longer than its header says');
  return {
    vocabulary: h.vocabulary,
    tables: {
      terms: h.terms,
      prefixes: h.prefixes,
      otherChars: h.otherChars,
      chars: { keys, values, size: h.chars.size },
      words: { slots, pool, size: h.words.size },
      wordTerms,
    },
  };
}
