import type { Hyperparameters } from './args.js';
import { charNgrams, ngrams, titleOf, words } from './tokenizer.js';

/** A report as TF-IDF features: ids of the terms it holds and their weights. */
export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

export type FeatureConfig = Pick<Hyperparameters, 'maxChars' | 'wordNgrams' | 'titleNgrams' | 'charChars' | 'stopwords' | 'stem'>;
export type PruneConfig = Pick<Hyperparameters, 'minDf' | 'maxDf' | 'maxFeatures'>;

/** The feature settings within a set of hyperparameters (what transform needs). */
export function featureConfig(hp: FeatureConfig): FeatureConfig {
  const { maxChars, wordNgrams, titleNgrams, charChars, stopwords, stem } = hp;
  return { maxChars, wordNgrams, titleNgrams, charChars, stopwords, stem };
}

const TITLE = 't:';
const CHARS = 'c:';

/**
 * The terms of one report, by field: word n-grams of the whole report, and word
 * n-grams of its title line, prefixed `t:` so the title counts as its own field.
 */
export function fieldTerms(text: string, cfg: FeatureConfig): string[][] {
  const cut = text.length > cfg.maxChars ? text.slice(0, cfg.maxChars) : text;
  const title = titleOf(cut);
  const fields = [ngrams(words(cut, cfg), cfg.wordNgrams), ngrams(words(title, cfg), cfg.titleNgrams, TITLE)];
  if (cfg.charChars > 0) fields.push(charNgrams(cut.slice(0, cfg.charChars), 3, 5, CHARS));
  return fields;
}

/**
 * TF-IDF vocabulary, scikit-learn style: fitted on training reports only (`fit`),
 * then applied unchanged (`transform`) at predict time. Term weight is
 * (1 + ln tf) * idf with idf = ln((1 + n) / (1 + df)) + 1; each field is L2-normalised.
 */
export class Vectorizer {
  private readonly index: Map<string, number>;

  constructor(
    readonly terms: readonly string[],
    readonly idf: Float32Array,
    readonly config: FeatureConfig,
  ) {
    if (terms.length !== idf.length) throw new Error(`vocabulary has ${terms.length} terms but ${idf.length} idf weights`);
    this.index = new Map(terms.map((t, i) => [t, i]));
  }

  get size(): number {
    return this.terms.length;
  }

  static fit(texts: readonly string[], hp: FeatureConfig & PruneConfig): Vectorizer {
    const df = new Map<string, number>();
    for (const text of texts) {
      for (const field of fieldTerms(text, hp)) {
        for (const term of new Set(field)) df.set(term, (df.get(term) ?? 0) + 1);
      }
    }
    const n = texts.length;
    const maxCount = hp.maxDf * n;
    const kept = [...df].filter(([, d]) => d >= hp.minDf && d <= maxCount);
    // Most frequent first; ties broken by the term itself, so the result never depends on Map order.
    kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const top = kept.slice(0, hp.maxFeatures);
    const idf = Float32Array.from(top, ([, d]) => Math.log((1 + n) / (1 + d)) + 1);
    return new Vectorizer(
      top.map(([t]) => t),
      idf,
      featureConfig(hp),
    );
  }

  transform(text: string): SparseVector {
    const indices: number[] = [];
    const values: number[] = [];
    for (const field of fieldTerms(text, this.config)) {
      const counts = new Map<number, number>();
      for (const term of field) {
        const id = this.index.get(term);
        if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      const start = values.length;
      let norm = 0;
      for (const [id, tf] of counts) {
        const w = (1 + Math.log(tf)) * this.idf[id];
        indices.push(id);
        values.push(w);
        norm += w * w;
      }
      if (norm > 0) {
        const inv = 1 / Math.sqrt(norm);
        for (let i = start; i < values.length; i++) values[i] *= inv;
      }
    }
    return { indices: Int32Array.from(indices), values: Float32Array.from(values) };
  }

  transformAll(texts: readonly string[]): SparseVector[] {
    return texts.map((t) => this.transform(t));
  }
}
