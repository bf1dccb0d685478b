import type { FeatureConfig } from './features.js';

/**
 * Term vectors learned without labels (model/pretrain.ts): one vector per term of a corpus,
 * with the document frequencies the vocabulary's weights use, and the feature settings the
 * terms were formed with (a vocabulary formed otherwise shares only some of its terms). They
 * initialise the rows of a network's input layer for the terms of its vocabulary, matched by
 * term, and their document frequencies add to the training reports' when the vocabulary and
 * its idf weights are fitted: the vocabulary is fitted on all the text.
 */
export interface TermVectors {
  /** How they were learned: `lsa`, the truncated SVD of the reports' TF-IDF matrix. */
  method: 'lsa';
  /** The feature settings the terms were formed with. */
  config: Required<FeatureConfig>;
  /** Length of each vector: the hidden layer's width of the networks they initialise. */
  dim: number;
  /** The reports the document frequencies were counted over. */
  docs: number;
  terms: readonly string[];
  /** Reports (of `docs`) holding each term. */
  df: Int32Array;
  /** terms x dim, row-major. */
  vectors: Float32Array;
}

/** The rows of a vocabulary that pretrained vectors cover, and their initial weights (rows x dim). */
export interface InitialRows {
  rows: Int32Array;
  values: Float32Array;
}

/**
 * The initial input weights of vocabulary `terms` that `pre` covers, matched by term: each
 * vector scaled by one factor, so that the covered rows' mean squared norm is that of the
 * random initialisation's rows (uniform in +-1/sqrt(dim): dim / (3 dim) = 1/3).
 */
export function initialRows(pre: TermVectors, terms: readonly string[]): InitialRows {
  const at = new Map(pre.terms.map((t, i) => [t, i]));
  const rows: number[] = [];
  const from: number[] = [];
  terms.forEach((t, j) => {
    const i = at.get(t);
    if (i !== undefined) {
      rows.push(j);
      from.push(i);
    }
  });
  const d = pre.dim;
  const values = new Float32Array(rows.length * d);
  let sq = 0;
  from.forEach((i, k) => {
    for (let c = 0; c < d; c++) {
      const v = pre.vectors[i * d + c];
      values[k * d + c] = v;
      sq += v * v;
    }
  });
  const scale = sq > 0 ? Math.sqrt(1 / 3 / (sq / Math.max(1, rows.length))) : 0;
  for (let k = 0; k < values.length; k++) values[k] *= scale;
  return { rows: Int32Array.from(rows), values };
}

/** True if the two feature settings form the same terms. */
export function sameTerms(a: Required<FeatureConfig>, b: Required<FeatureConfig>): boolean {
  return (
    a.maxChars === b.maxChars &&
    a.wordNgrams === b.wordNgrams &&
    a.titleNgrams === b.titleNgrams &&
    a.charChars === b.charChars &&
    a.stopwords === b.stopwords &&
    a.stem === b.stem
  );
}
