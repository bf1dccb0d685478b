import type { SparseVector } from '../nn/sparse.js';

/** One training report found similar to a text: its id, its labels and the cosine similarity of their TF-IDF vectors (0 to 1). */
export interface SimilarReport {
  id: string;
  labels: string[];
  similarity: number;
}

/**
 * The terms of each training report an index keeps by default: its largest TF-IDF weights. A
 * QEMU report holds about 800 terms (most of them character n-grams). On the corpus's 9 named
 * duplicate pairs (scripts/similar-duplicates.mjs) 128 terms put as many originals in the top 5
 * as every term did (5 of 9; 32 terms: 4), for an index of 2.1 MB instead of 12.7 (the model: 7.1).
 */
export const INDEX_TERMS = 128;

/**
 * The training reports as a model keeps them to find the most similar ones to a new report (a
 * possible duplicate): each report's id, labels and TF-IDF vector (the model's own features),
 * cut to its `terms` largest weights, normalised to length 1 and quantised to 8 bits a weight
 * (with one scale a report). A search reads the kept weights of the query's terms (an inverted
 * index of them, made on the first search) and ranks every report by its dot product with the
 * query: exact, no approximation. The texts themselves are not kept.
 */
export class SimilarIndex {
  /**
   * The same weights by feature (an inverted index, made on first search): feature f's entries
   * are postings[f] to postings[f + 1] - 1 of `rowOf` (the report) and `weightOf` (the weight,
   * quantisation undone). A search then reads only the reports that share a term with the
   * query, and kept weights are a report's rarest terms, whose lists are short.
   */
  #inverted?: { postings: Int32Array; rowOf: Int32Array; weightOf: Float32Array };
  /** Each report's dot product with the query, kept between searches (cleared after each). */
  #sums?: Float64Array;

  constructor(
    /** Each report's id, in training order. */
    readonly ids: readonly string[],
    /** The label names that `labels` indexes. */
    readonly labelSet: readonly string[],
    /** Each report's labels, as indices in `labelSet` (one for a single-label model). */
    readonly labels: readonly (readonly number[])[],
    /** Row r's weights are entries offsets[r] to offsets[r + 1] - 1. */
    readonly offsets: Int32Array,
    /** Each kept weight's feature id, in the model's vocabulary. */
    readonly indices: Uint16Array | Uint32Array,
    /** Each kept weight, quantised: weight = value * scales[row]. */
    readonly values: Uint8Array,
    /** Each report's quantisation scale. */
    readonly scales: Float32Array,
    /** How many of each report's largest weights were kept (0: all). */
    readonly terms: number,
    /** The size of the vocabulary the feature ids index. */
    readonly vocabSize: number,
  ) {
    const n = ids.length;
    if (labels.length !== n || offsets.length !== n + 1 || scales.length !== n)
      throw new Error(
        `the index's lists disagree: ${n} ids, ${labels.length} label lists, ${offsets.length - 1} rows, ${scales.length} scales`,
      );
    if (indices.length !== values.length || offsets[n] !== values.length)
      throw new Error(`the index's rows hold ${offsets[n]} weights, but it has ${indices.length} ids and ${values.length} values`);
    for (let r = 0; r < n; r++) if (offsets[r + 1] < offsets[r]) throw new Error(`the index's row ${r} ends before it starts`);
    for (let k = 0; k < indices.length; k++)
      if (indices[k] >= vocabSize) throw new Error(`the index names feature ${indices[k]} of a vocabulary of ${vocabSize}`);
    for (const list of labels)
      for (const l of list) if (!(l >= 0 && l < labelSet.length)) throw new Error(`the index names label ${l} of ${labelSet.length}`);
  }

  /** The number of reports it holds. */
  get size(): number {
    return this.ids.length;
  }

  /**
   * The index of `n` reports whose vectors `vectorOf(r)` gives, `labels[r]` their labels (names),
   * keeping each report's `terms` largest weights (0: all).
   */
  static build(
    n: number,
    vectorOf: (r: number) => SparseVector,
    ids: readonly string[],
    labels: readonly (readonly string[])[],
    terms: number,
    vocabSize: number,
  ): SimilarIndex {
    const labelSet = [...new Set(labels.flat())].sort();
    const position = new Map(labelSet.map((l, i) => [l, i]));
    const rows: { indices: number[]; values: number[] }[] = [];
    let nnz = 0;
    for (let r = 0; r < n; r++) {
      const v = vectorOf(r);
      let order = Array.from(v.indices, (_, k) => k).filter((k) => v.values[k] > 0);
      // The largest weights first (ties: the smaller feature id), then back in feature order.
      if (terms > 0 && order.length > terms)
        order = order
          .sort((a, b) => v.values[b] - v.values[a] || v.indices[a] - v.indices[b])
          .slice(0, terms)
          .sort((a, b) => v.indices[a] - v.indices[b]);
      else order.sort((a, b) => v.indices[a] - v.indices[b]);
      rows.push({ indices: order.map((k) => v.indices[k]), values: order.map((k) => v.values[k]) });
      nnz += order.length;
    }
    const offsets = new Int32Array(n + 1);
    const indices = vocabSize <= 0x10000 ? new Uint16Array(nnz) : new Uint32Array(nnz);
    const values = new Uint8Array(nnz);
    const scales = new Float32Array(n);
    rows.forEach((row, r) => {
      const at = offsets[r];
      offsets[r + 1] = at + row.indices.length;
      const norm = Math.sqrt(row.values.reduce((s, x) => s + x * x, 0));
      const max = Math.max(0, ...row.values);
      if (norm === 0 || max === 0) return;
      // Quantised to 1..255 of the row's largest normalised weight: no kept weight becomes 0.
      scales[r] = max / norm / 255;
      row.indices.forEach((id, k) => {
        indices[at + k] = id;
        values[at + k] = Math.max(1, Math.round((row.values[k] / max) * 255));
      });
    });
    return new SimilarIndex(
      [...ids],
      labelSet,
      labels.map((list) => list.map((l) => position.get(l)!)),
      offsets,
      indices,
      values,
      scales,
      terms,
      vocabSize,
    );
  }

  /**
   * The `top` reports most similar to vector `v` (a text's TF-IDF vector in the same
   * vocabulary), by cosine similarity, the most similar first (ties: the earlier report), those
   * under `minSimilarity` and those whose id is in `exclude` left out. A vector of no known term
   * is similar to nothing.
   */
  query(v: SparseVector, top: number, minSimilarity = 0, exclude?: ReadonlySet<string>): SimilarReport[] {
    let norm = 0;
    for (let k = 0; k < v.values.length; k++) norm += v.values[k] * v.values[k];
    if (norm === 0) return [];
    const inv = 1 / Math.sqrt(norm);
    const { postings, rowOf, weightOf } = (this.#inverted ??= this.#invert());
    const n = this.ids.length;
    const sums = (this.#sums ??= new Float64Array(n));
    for (let k = 0; k < v.indices.length; k++) {
      const f = v.indices[k];
      if (f < 0 || f >= this.vocabSize) continue;
      const w = v.values[k] * inv;
      for (let p = postings[f]; p < postings[f + 1]; p++) sums[rowOf[p]] += w * weightOf[p];
    }
    // The best `top` so far, kept sorted: most similar first, then the earlier report.
    const best: { r: number; s: number }[] = [];
    for (let r = 0; r < n; r++) {
      const s = Math.min(1, sums[r]);
      sums[r] = 0;
      if (!(s > 0) || s < minSimilarity) continue;
      if (best.length === top && s <= best[top - 1].s) continue;
      if (exclude?.has(this.ids[r])) continue;
      let at = best.length;
      while (at > 0 && best[at - 1].s < s) at--;
      best.splice(at, 0, { r, s });
      if (best.length > top) best.pop();
    }
    return best.map(({ r, s }) => ({ id: this.ids[r], labels: this.labels[r].map((l) => this.labelSet[l]), similarity: s }));
  }

  /** The inverted index of the weights (see #inverted). */
  #invert() {
    const { offsets, indices, values, scales } = this;
    const postings = new Int32Array(this.vocabSize + 1);
    for (let k = 0; k < indices.length; k++) postings[indices[k] + 1]++;
    for (let f = 0; f < this.vocabSize; f++) postings[f + 1] += postings[f];
    const next = postings.slice(0, this.vocabSize);
    const rowOf = new Int32Array(indices.length);
    const weightOf = new Float32Array(indices.length);
    for (let r = 0; r < this.ids.length; r++) {
      for (let k = offsets[r]; k < offsets[r + 1]; k++) {
        const p = next[indices[k]]++;
        rowOf[p] = r;
        weightOf[p] = values[k] * scales[r];
      }
    }
    return { postings, rowOf, weightOf };
  }
}

/**
 * A model's index, as its classifier holds it: built at training, or the bytes of a saved
 * model's index file, decoded on first use (so that loading a model, and predicting with it,
 * never pays for an index it is not asked to search).
 */
export interface IndexSource {
  /** The index (decoded on the first call, then kept). */
  readonly index: () => SimilarIndex;
  /** The bytes it was read from, when it was read (saved again as they are). */
  readonly bytes?: Uint8Array;
}

/** An IndexSource that calls `make` once, on first use. */
export function lazyIndex(make: () => SimilarIndex, bytes?: Uint8Array): IndexSource {
  let made: SimilarIndex | undefined;
  return { index: () => (made ??= make()), bytes };
}
