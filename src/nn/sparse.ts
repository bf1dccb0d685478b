/** A report as a sparse vector: the ids of the features it holds and their values (TF-IDF weights). */
export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

/**
 * Many reports' sparse vectors in one block (compressed sparse rows): row r holds the entries
 * offsets[r] to offsets[r + 1] - 1 of `indices` and `values`. What prediction passes around:
 * three arrays a batch instead of two a report.
 */
export interface SparseRows {
  indices: Int32Array;
  values: Float32Array;
  /** n + 1 entries, from 0 to the number of entries. */
  offsets: Int32Array;
}

/** The rows of a list of sparse vectors, in one block. */
export function toRows(vectors: readonly SparseVector[]): SparseRows {
  const offsets = new Int32Array(vectors.length + 1);
  vectors.forEach((v, r) => (offsets[r + 1] = offsets[r] + v.indices.length));
  const indices = new Int32Array(offsets[vectors.length]);
  const values = new Float32Array(offsets[vectors.length]);
  vectors.forEach((v, r) => {
    indices.set(v.indices, offsets[r]);
    values.set(v.values, offsets[r]);
  });
  return { indices, values, offsets };
}

/** Rows in one block, whichever way they are given (a list of vectors is copied into one). */
export const asRows = (rows: readonly SparseVector[] | SparseRows): SparseRows =>
  Array.isArray(rows) ? toRows(rows as readonly SparseVector[]) : (rows as SparseRows);

/**
 * Rows given one at a time, by position: what a network trains on. The rows may be made when
 * asked (from counted reports, say) rather than all kept, so that training holds one batch's
 * vectors, not every report's.
 */
export interface SparseSource {
  readonly length: number;
  row(i: number): SparseVector;
}

/** The rows of a list of vectors, as a source. */
export const listSource = (vectors: readonly SparseVector[]): SparseSource => ({ length: vectors.length, row: (i) => vectors[i] });

/** The rows of a block, as a source: each row a view of the block. */
export const rowsSource = ({ indices, values, offsets }: SparseRows): SparseSource => ({
  length: offsets.length - 1,
  row: (i) => ({ indices: indices.subarray(offsets[i], offsets[i + 1]), values: values.subarray(offsets[i], offsets[i + 1]) }),
});
