/**
 * A hash table from strings to non-negative integers that is asked with a piece of a larger
 * string (its units start .. end and their hash, scan.ts's hashUnits) rather than a string of
 * its own: prediction looks up every word of a report without making a string of any. Keys are
 * kept as code units in one pool; open addressing, linear probing.
 */
export class StringTable {
  /**
   * Four numbers a slot, together so that a probe reads one cache line: the key's hash, where its
   * units start in `pool`, their number + 1 (0: an empty slot), and the value.
   */
  private slots: Int32Array = new Int32Array(4 << 10);
  private pool: Uint16Array = new Uint16Array(1 << 12);
  private poolUsed = 0;
  /** Entries held. */
  size = 0;

  /** What the table holds, as arrays (a model stores a vocabulary's tables so: termindex.ts's TermTables). */
  parts(): StringTableParts {
    return { slots: this.slots, pool: this.pool.subarray(0, this.poolUsed), size: this.size };
  }

  /** A table over the arrays `parts` gave (not copied: the table is read, never added to, while they are shared). */
  static of(parts: StringTableParts): StringTable {
    const { slots, pool, size } = parts;
    const n = slots.length >> 2;
    if (slots.length % 4 !== 0 || n < 1 || (n & (n - 1)) !== 0 || size < 0 || 2 * size > n)
      throw new Error(`a string table of ${slots.length} slot numbers holding ${size} keys`);
    const table = new StringTable();
    table.slots = slots;
    table.pool = pool;
    table.poolUsed = pool.length;
    table.size = size;
    return table;
  }

  /** The value of units start .. end of s (hashed `hash`), or -1. */
  get(s: string, start: number, end: number, hash: number): number {
    const slots = this.slots;
    const mask = (slots.length >> 2) - 1;
    const length = end - start;
    for (let at = mix(hash) & mask; ; at = (at + 1) & mask) {
      const q = at << 2;
      const held = slots[q + 2];
      if (held === 0) return -1;
      if (held !== length + 1 || slots[q] !== hash) continue;
      const from = slots[q + 1];
      let k = 0;
      while (k < length && this.pool[from + k] === s.charCodeAt(start + k)) k++;
      if (k === length) return slots[q + 3];
    }
  }

  /** Adds units start .. end of s (hashed `hash`, not yet held) with `value`. */
  add(s: string, start: number, end: number, hash: number, value: number): void {
    const length = end - start;
    if (2 * (this.size + 1) > this.slots.length >> 2) this.rehash(this.slots.length << 1);
    if (this.poolUsed + length > this.pool.length) {
      const pool = new Uint16Array(Math.max(2 * this.pool.length, this.poolUsed + length));
      pool.set(this.pool.subarray(0, this.poolUsed));
      this.pool = pool;
    }
    for (let k = 0; k < length; k++) this.pool[this.poolUsed + k] = s.charCodeAt(start + k);
    this.place(this.slots, hash, this.poolUsed, length + 1, value);
    this.poolUsed += length;
    this.size++;
  }

  /** Empties the table (its memory is kept). */
  clear(): void {
    this.slots.fill(0);
    this.size = 0;
    this.poolUsed = 0;
  }

  private place(slots: Int32Array, hash: number, from: number, held: number, value: number): void {
    const mask = (slots.length >> 2) - 1;
    let at = mix(hash) & mask;
    while (slots[(at << 2) + 2] !== 0) at = (at + 1) & mask;
    const q = at << 2;
    slots[q] = hash;
    slots[q + 1] = from;
    slots[q + 2] = held;
    slots[q + 3] = value;
  }

  private rehash(length: number): void {
    const old = this.slots;
    this.slots = new Int32Array(length);
    for (let q = 0; q < old.length; q += 4) if (old[q + 2] !== 0) this.place(this.slots, old[q], old[q + 1], old[q + 2], old[q + 3]);
  }
}

/** A StringTable's contents: its slots (four numbers each, a power of two of them), its pool of code units, its number of keys. */
export interface StringTableParts {
  slots: Int32Array;
  pool: Uint16Array;
  size: number;
}

/** FNV's low bits are weak for a power-of-two table: a finalising mix (murmur3's). */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}
