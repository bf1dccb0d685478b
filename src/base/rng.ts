/** mulberry32's step: each draw adds it to the state. */
const STEP = 0x6d2b79f5;

/** mulberry32's output for a state: uniform in [0, 1). */
function output(state: number): number {
  let t = Math.imul(state ^ (state >>> 15), state | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same stream on every machine. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + STEP) >>> 0;
    return output(this.state);
  }

  /**
   * Fills `out` with values uniform in [-limit, limit): (next() * 2 - 1) * limit for each, in
   * order, the same values as that loop. The generator's steps run here, on a local state (a
   * network's initial weights are millions of draws).
   */
  fillUniform(out: Float32Array, limit: number): Float32Array {
    let state = this.state;
    for (let i = 0; i < out.length; i++) {
      state = (state + STEP) >>> 0;
      out[i] = (output(state) * 2 - 1) * limit;
    }
    this.state = state;
    return out;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Fisher-Yates shuffle, in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}
