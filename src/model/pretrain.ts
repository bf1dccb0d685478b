import type { Hyperparameters } from '../base/hyperparameters.js';
import type { Log } from '../base/log.js';
import { Rng } from '../base/rng.js';
import { randomizedSvd } from '../nn/svd.js';
import { countTerms, featureConfig, type Counted } from '../text/counter.js';
import type { TermVectors } from '../text/vectors.js';
import { Vectorizer } from '../text/vectorizer.js';

/** How term vectors are learned from unlabelled reports. */
export interface PretrainSettings {
  /** Length of each vector (the hidden width of the networks they will initialise). */
  dim: number;
  /** Keep at most this many terms (the most frequent). */
  maxTerms: number;
  seed: number;
}

/**
 * Term vectors from reports without labels, by factorising the reports' TF-IDF matrix
 * (latent semantic analysis): the matrix X (reports x terms, each report's fields weighted and
 * normalised exactly as the classifier's vectorizer does) is approximated by its top `dim`
 * singular triplets, X ~ U S V^T, and term j's vector is row j of V S^(1/2) (so a report's
 * hidden pre-activation at initialisation, X V S^(1/2) = U S^(3/2), ranks the latent directions
 * as the data does). Terms occurring together in reports get nearby vectors, so a term seen in
 * no labelled report starts near the labelled terms it co-occurs with.
 *
 * `dfRows` (default: every report) are the reports whose document frequencies the vectors
 * record: train() counts the labelled reports' own and adds these (see Vectorizer.fitCounted).
 * Chosen by measurement over fastText-style skip-gram vectors of the same size (README,
 * "Learning from unlabelled reports"); it costs a few sparse passes over the corpus.
 */
export function pretrainCounted(counted: Counted, hp: Hyperparameters, s: PretrainSettings, log: Log, dfRows?: readonly number[]): TermVectors {
  const started = performance.now();
  const all = counted.docs.map((_, i) => i);
  const vectorizer = Vectorizer.fitCounted({ terms: counted.terms, docs: counted.docs }, all, { ...hp, nbWeight: 0, select: 'frequency', maxFeatures: s.maxTerms });
  const x = vectorizer.transformCounted(counted, all);
  const svd = randomizedSvd(x, vectorizer.size, s.dim, new Rng(s.seed + 11));
  const d = s.dim;
  const vectors = new Float32Array(vectorizer.size * d);
  for (let j = 0; j < vectorizer.size; j++) for (let c = 0; c < svd.rank; c++) vectors[j * d + c] = svd.vectors[j * svd.rank + c] * Math.sqrt(svd.values[c]);
  const position = new Map(vectorizer.terms.map((t, j) => [t, j]));
  const df = new Int32Array(vectorizer.size);
  const local = new Int32Array(counted.terms.length).fill(-2);
  for (const r of dfRows ?? all) {
    for (const id of counted.docs[r].ids) {
      if (local[id] === -2) local[id] = position.get(counted.terms[id]) ?? -1;
      if (local[id] >= 0) df[local[id]]++;
    }
  }
  log(`pretrained ${d}-dimensional vectors of ${vectorizer.size} terms on ${counted.docs.length} reports (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  return { method: 'lsa', config: featureConfig(hp), dim: d, docs: (dfRows ?? all).length, terms: vectorizer.terms, df, vectors };
}

/** As pretrainCounted, from texts: each tokenized once. */
export function pretrainTexts(texts: readonly string[], hp: Hyperparameters, s: PretrainSettings, log: Log, dfRows?: readonly number[]): TermVectors {
  const started = performance.now();
  const counted = countTerms(texts, hp);
  log(`tokenized ${texts.length} reports for pretraining: ${counted.terms.length} distinct terms (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  return pretrainCounted(counted, hp, s, log, dfRows);
}
