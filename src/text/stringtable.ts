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
  private slots = new Int32Array(4 << 10);
  private pool = new Uint16Array(1 << 12);
  private poolUsed = 0;
  /** Entries held. */
  size = 0;

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

/** FNV's low bits are weak for a power-of-two table: a finalising mix (murmur3's). */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}
