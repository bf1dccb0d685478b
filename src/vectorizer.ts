import type { Hyperparameters } from './args.js';
import { charNgrams, ngrams, titleOf, words } from './tokenizer.js';

/** A report as TF-IDF features: ids of the terms it holds and their weights. */
export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

export type FeatureConfig = Pick<Hyperparameters, 'maxChars' | 'wordNgrams' | 'titleNgrams' | 'charChars' | 'stopwords' | 'stem'> &
  Partial<Pick<Hyperparameters, 'binaryTf' | 'titleWeight'>>;
export type PruneConfig = Pick<Hyperparameters, 'minDf' | 'maxDf' | 'maxFeatures'> & Partial<Pick<Hyperparameters, 'nbWeight'>>;

/**
 * The feature settings within a set of hyperparameters (what transform needs). Models saved
 * before binaryTf and titleWeight existed lack them: they were trained as false and 1, which
 * are therefore the fallbacks (whatever the current defaults are).
 */
export function featureConfig(hp: FeatureConfig): Required<FeatureConfig> {
  const { maxChars, wordNgrams, titleNgrams, charChars, stopwords, stem } = hp;
  return { maxChars, wordNgrams, titleNgrams, charChars, stopwords, stem, binaryTf: hp.binaryTf ?? false, titleWeight: hp.titleWeight ?? 1 };
}

/**
 * Class-discriminativeness of each term, multi-class NB-SVM style (Wang & Manning 2012):
 * max over classes of |ln(p(term | class) / p(term | other classes))|, with document
 * frequencies smoothed by alpha = 1. Fitted on training reports only.
 */
export function nbRatios(fields: readonly (readonly Set<string>[])[], labels: Int32Array, terms: readonly string[]): Float32Array {
  const classes = labels.reduce((m, c) => Math.max(m, c + 1), 0);
  const index = new Map(terms.map((t, i) => [t, i]));
  const dfc = new Float64Array(terms.length * classes);
  const nc = new Float64Array(classes);
  fields.forEach((sets, d) => {
    const c = labels[d];
    nc[c]++;
    for (const set of sets) {
      for (const term of set) {
        const id = index.get(term);
        if (id !== undefined) dfc[id * classes + c]++;
      }
    }
  });
  const n = labels.length;
  const out = new Float32Array(terms.length);
  for (let j = 0; j < terms.length; j++) {
    let total = 0;
    for (let c = 0; c < classes; c++) total += dfc[j * classes + c];
    let best = 0;
    for (let c = 0; c < classes; c++) {
      if (nc[c] === 0) continue;
      const inC = (1 + dfc[j * classes + c]) / (1 + nc[c]);
      const outC = (1 + total - dfc[j * classes + c]) / (1 + n - nc[c]);
      best = Math.max(best, Math.abs(Math.log(inC / outC)));
    }
    out[j] = best;
  }
  return out;
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
    readonly config: Required<FeatureConfig>,
  ) {
    if (terms.length !== idf.length) throw new Error(`vocabulary has ${terms.length} terms but ${idf.length} idf weights`);
    this.index = new Map(terms.map((t, i) => [t, i]));
  }

  get size(): number {
    return this.terms.length;
  }

  /**
   * `labels` (class ids of the texts) are needed only when `hp.nbWeight` > 0: each term's
   * idf is then multiplied by (its NB ratio, see nbRatios) ^ nbWeight, and saved as its weight.
   */
  static fit(texts: readonly string[], hp: FeatureConfig & PruneConfig, labels?: Int32Array): Vectorizer {
    const df = new Map<string, number>();
    const nb = (hp.nbWeight ?? 0) > 0;
    if (nb && (!labels || labels.length !== texts.length)) throw new Error('nbWeight needs one label per training text');
    const sets: Set<string>[][] = [];
    for (const text of texts) {
      const fields = fieldTerms(text, hp).map((f) => new Set(f));
      for (const field of fields) {
        for (const term of field) df.set(term, (df.get(term) ?? 0) + 1);
      }
      if (nb) sets.push(fields);
    }
    const n = texts.length;
    const maxCount = hp.maxDf * n;
    const kept = [...df].filter(([, d]) => d >= hp.minDf && d <= maxCount);
    // Most frequent first; ties broken by the term itself, so the result never depends on Map order.
    kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const top = kept.slice(0, hp.maxFeatures);
    const idf = Float32Array.from(top, ([, d]) => Math.log((1 + n) / (1 + d)) + 1);
    const terms = top.map(([t]) => t);
    if (nb) {
      const ratios = nbRatios(sets, labels!, terms);
      for (let j = 0; j < idf.length; j++) idf[j] *= ratios[j] ** hp.nbWeight!;
    }
    return new Vectorizer(
      terms,
      idf,
      featureConfig(hp),
    );
  }

  transform(text: string): SparseVector {
    const indices: number[] = [];
    const values: number[] = [];
    fieldTerms(text, this.config).forEach((field, f) => {
      const counts = new Map<number, number>();
      for (const term of field) {
        const id = this.index.get(term);
        if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      const start = values.length;
      let norm = 0;
      for (const [id, tf] of counts) {
        const w = (this.config.binaryTf ? 1 : 1 + Math.log(tf)) * this.idf[id];
        indices.push(id);
        values.push(w);
        norm += w * w;
      }
      if (norm > 0) {
        const inv = (f === 1 ? this.config.titleWeight : 1) / Math.sqrt(norm);
        for (let i = start; i < values.length; i++) values[i] *= inv;
      }
    });
    return { indices: Int32Array.from(indices), values: Float32Array.from(values) };
  }

  transformAll(texts: readonly string[]): SparseVector[] {
    return texts.map((t) => this.transform(t));
  }
}
