import { DEFAULTS } from '../base/hyperparameters.js';
import { Rng } from '../base/rng.js';
import type { SparseVector } from '../nn/sparse.js';
import { Vectorizer } from '../text/vectorizer.js';

/**
 * Which unlabelled reports to label next (active learning): each candidate's uncertainty under
 * the current model, weighed against redundancy, so that the reports chosen are not near-copies
 * of one another nor of the reports labelled already.
 *
 * Reports are compared by the cosine of their TF-IDF vectors (words and title words, fitted on
 * the candidates and the labelled reports together; no character n-grams, which make every two
 * reports of one tracker alike). Selection is greedy: each step takes the candidate with the
 * highest
 *
 *     score = uncertainty x density^densityWeight x (1 - similarity)^diversity
 *
 * where `similarity` is its highest cosine to a labelled report or to one chosen before it, and
 * `density` its mean cosine to a seeded sample of the candidates (information density, Settles
 * and Craven 2008: a typical report teaches about many, an outlier about itself). With no model
 * every uncertainty is 1, and the first picks are a diverse seed set of typical reports.
 *
 * A share `explore` of the steps takes a candidate drawn at random instead (seeded), spread
 * evenly through the ranks: the labelled set then stays partly a sample of the pool, which
 * counters the sampling bias of choosing by the model's doubt alone (the reports a model doubts
 * are those it cannot yet tell apart, whose labels the rest of the labels contradict more often
 * than the pool's). A draw passes over near-copies of the reports labelled or chosen (cosine 0.8 or
 * more) while others are left, and counts as chosen for the redundancy of later steps.
 */
export interface AcquisitionSettings {
  /** How many to choose. */
  n: number;
  /** Exponent of (1 - similarity): 0 ignores redundancy. */
  diversity: number;
  /** Exponent of the density: 0 ignores it. */
  densityWeight: number;
  /** Seed of the density's sample and of the random draws. */
  seed: number;
  /** The share of the steps that draw a candidate at random, from 0 (none) to 1 (default 0). */
  explore?: number;
}

/** One chosen report: its index among the candidates, its score and the terms of it. */
export interface Acquired {
  index: number;
  /** Its score at the step it was chosen; NaN when it was drawn at random. */
  score: number;
  /** Drawn at random (settings.explore), not ranked. */
  random: boolean;
  /** Its highest cosine similarity to a labelled report or to one chosen before it. */
  similarity: number;
  density: number;
}

/** How many candidates the density is measured against (a seeded sample; the mean of 256 cosines varies by a few per cent). */
const DENSITY_SAMPLE = 256;

/** Words and title words only, as the classifier's defaults count them; a term must be in two reports. */
const SIMILARITY_FEATURES = { ...DEFAULTS, charChars: 0, nbWeight: 0, select: 'frequency' as const, maxDf: 0.5, maxFeatures: 30000 };

/** A random draw passes over a report this like (cosine) a labelled or chosen one: it would teach nothing new. */
const NEAR_COPY = 0.8;

/** Whether step k (from 0) of a selection draws at random: a share `explore` of the steps, spread evenly, the first ranked. */
const drawsAt = (k: number, explore: number): boolean => Math.floor((k + 1) * explore) > Math.floor(k * explore);

/** Unit-length TF-IDF vectors of texts (fields' weights summed, then normalised as a whole). */
function unitVectors(vectorizer: Vectorizer, texts: readonly string[]): SparseVector[] {
  return texts.map((t) => {
    const v = vectorizer.transform(t);
    let norm = 0;
    for (const x of v.values) norm += x * x;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    return { indices: v.indices, values: v.values.map((x) => x * scale) };
  });
}

/** Each vector's cosine with `against`, by scattering `against` into `dense` (cleared again afterwards). */
function cosines(vectors: readonly SparseVector[], against: SparseVector, dense: Float32Array, out: Float64Array, max: boolean): void {
  for (let k = 0; k < against.indices.length; k++) dense[against.indices[k]] = against.values[k];
  for (let i = 0; i < vectors.length; i++) {
    const v = vectors[i];
    let s = 0;
    for (let k = 0; k < v.indices.length; k++) s += v.values[k] * dense[v.indices[k]];
    if (max) {
      if (s > out[i]) out[i] = s;
    } else out[i] += s;
  }
  for (let k = 0; k < against.indices.length; k++) dense[against.indices[k]] = 0;
}

/**
 * Chooses `settings.n` of the candidates (see AcquisitionSettings), best first. `uncertainty`
 * holds one value from 0 to 1 per candidate (undefined: all 1). `labelled` are the texts
 * labelled already, which the chosen should not repeat.
 */
export function acquire(
  candidates: readonly string[],
  uncertainty: ArrayLike<number> | undefined,
  labelled: readonly string[],
  settings: AcquisitionSettings,
): Acquired[] {
  const n = Math.min(settings.n, candidates.length);
  if (n <= 0) return [];
  const vectorizer = Vectorizer.fit([...candidates, ...labelled], {
    ...SIMILARITY_FEATURES,
    minDf: candidates.length + labelled.length > 20 ? 2 : 1,
  });
  const vectors = unitVectors(vectorizer, candidates);
  const dense = new Float32Array(vectorizer.size);
  // Highest similarity to the labelled reports (then to the chosen ones too).
  const similarity = new Float64Array(candidates.length);
  for (const v of unitVectors(vectorizer, labelled)) cosines(vectors, v, dense, similarity, true);
  const density = new Float64Array(candidates.length);
  if (settings.densityWeight > 0) {
    const sample = new Rng(settings.seed).shuffle(Array.from(candidates, (_, i) => i)).slice(0, DENSITY_SAMPLE);
    for (const j of sample) cosines(vectors, vectors[j], dense, density, false);
    // A sampled report's cosine with itself is no evidence of its neighbours.
    for (const j of sample) if (vectors[j].indices.length) density[j] -= 1;
    for (let i = 0; i < density.length; i++) density[i] /= sample.length;
  }
  const taken = new Uint8Array(candidates.length);
  const chosen: Acquired[] = [];
  const explore = settings.explore ?? 0;
  // The random draws' order: a stream of its own, apart from the density's sample.
  const draws = explore > 0 ? new Rng(settings.seed ^ 0x5bd1e995).shuffle(Array.from(candidates, (_, i) => i)) : [];
  let drawn = 0;
  for (let step = 0; step < n; step++) {
    if (drawsAt(step, explore)) {
      while (taken[draws[drawn]]) drawn++;
      // The next report of the random order that is not a near-copy of one labelled or chosen (if any is left).
      let i = draws[drawn];
      for (let k = drawn; k < draws.length; k++)
        if (!taken[draws[k]] && similarity[draws[k]] < NEAR_COPY) {
          i = draws[k];
          break;
        }
      taken[i] = 1;
      chosen.push({ index: i, score: NaN, random: true, similarity: similarity[i], density: density[i] });
      cosines(vectors, vectors[i], dense, similarity, true);
      continue;
    }
    let best = -1;
    let bestScore = -Infinity;
    for (let i = 0; i < candidates.length; i++) {
      if (taken[i]) continue;
      const u = uncertainty === undefined ? 1 : uncertainty[i];
      const d = settings.densityWeight > 0 ? Math.max(density[i], 1e-6) ** settings.densityWeight : 1;
      const r = Math.max(0, 1 - similarity[i]) ** settings.diversity;
      const score = u * d * r;
      // Ties (all zero, or equal) go to the earlier candidate: the result never depends on anything but the input.
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    }
    taken[best] = 1;
    chosen.push({ index: best, score: bestScore, random: false, similarity: similarity[best], density: density[best] });
    cosines(vectors, vectors[best], dense, similarity, true);
  }
  return chosen;
}
