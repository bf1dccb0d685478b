import type { Hyperparameters } from '../base/hyperparameters.js';
import type { Log } from '../base/log.js';
import { Rng } from '../base/rng.js';
import { randomizedSvd } from '../nn/svd.js';
import { CHARS, countTerms, type Counted } from '../text/counter.js';
import { featureConfig } from '../text/features.js';
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
 * The factorisation uses every feature (words, title words, character n-grams), but only the
 * words' and title words' vectors are kept: on 300 labelled reports of the 17 categories (4
 * splits, the QEMU and GitHub texts unlabelled), starting every term from its vector, and
 * fitting the vocabulary on all of them, cost 4 points against no pretraining; the words alone
 * gained 1.3 (fastText's skip-gram word vectors: 1.9, for 2.7 times the time in native code).
 *
 * `dfRows` (default: every report) are the reports whose document frequencies the vectors
 * record: train() counts the labelled reports' own and adds these (see Vectorizer.fitCounted).
 * It costs a few sparse passes over the corpus (README, "Learning from unlabelled reports").
 */
export function pretrainCounted(
  counted: Counted,
  hp: Hyperparameters,
  s: PretrainSettings,
  log: Log,
  dfRows?: readonly number[],
): TermVectors {
  const started = performance.now();
  const all = counted.docs.map((_, i) => i);
  const vectorizer = Vectorizer.fitCounted({ terms: counted.terms, docs: counted.docs }, all, {
    ...hp,
    nbWeight: 0,
    select: 'frequency',
    maxFeatures: s.maxTerms,
  });
  const x = vectorizer.transformCounted(counted, all);
  const svd = randomizedSvd(x, vectorizer.size, s.dim, new Rng(s.seed + 11));
  const d = s.dim;
  // Words and title words only: character n-grams and word n-grams are left to the labelled reports.
  const kept = vectorizer.terms.flatMap((t, j) => (isWord(t) ? [j] : []));
  const vectors = new Float32Array(kept.length * d);
  kept.forEach((j, r) => {
    for (let c = 0; c < svd.rank; c++) vectors[r * d + c] = svd.vectors[j * svd.rank + c] * Math.sqrt(svd.values[c]);
  });
  const terms = kept.map((j) => vectorizer.terms[j]);
  const position = new Map(terms.map((t, r) => [t, r]));
  const df = new Int32Array(terms.length);
  const local = new Int32Array(counted.terms.length).fill(-2);
  for (const r of dfRows ?? all) {
    for (const id of counted.docs[r].ids) {
      if (local[id] === -2) local[id] = position.get(counted.terms.at(id)!) ?? -1;
      if (local[id] >= 0) df[local[id]]++;
    }
  }
  log(
    `pretrained ${d}-dimensional vectors of ${terms.length} words on ${counted.docs.length} reports (${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
  return { method: 'lsa', config: featureConfig(hp), dim: d, docs: (dfRows ?? all).length, terms, df, vectors };
}

/** A word of the report or of its title (`t:`), not a character n-gram (`c:`) nor a word n-gram (words joined by a space). */
const isWord = (term: string) => !term.startsWith(CHARS) && !term.includes(' ');

/** As pretrainCounted, from texts: each tokenized once. */
export function pretrainTexts(
  texts: readonly string[],
  hp: Hyperparameters,
  s: PretrainSettings,
  log: Log,
  dfRows?: readonly number[],
): TermVectors {
  const started = performance.now();
  const counted = countTerms(texts, hp);
  log(
    `tokenized ${texts.length} reports for pretraining: ${counted.terms.length} distinct terms (${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
  return pretrainCounted(counted, hp, s, log, dfRows);
}
