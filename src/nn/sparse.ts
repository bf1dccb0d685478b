/** A report as a sparse vector: the ids of the features it holds and their values (TF-IDF weights). */
export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}
