import type { Hyperparameters } from './args.js';
import { TermIndex } from './termindex.js';
import { charWords, titleOf, words } from './tokenizer.js';

/** A report as TF-IDF features: ids of the terms it holds and their weights. */
export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

export type FeatureConfig = Pick<Hyperparameters, 'maxChars' | 'wordNgrams' | 'titleNgrams' | 'charChars' | 'stopwords' | 'stem'> &
  Partial<Pick<Hyperparameters, 'binaryTf' | 'titleWeight'>>;
export type PruneConfig = Pick<Hyperparameters, 'minDf' | 'maxDf' | 'maxFeatures'> & Partial<Pick<Hyperparameters, 'nbWeight' | 'select'>>;

/**
 * The feature settings within a set of hyperparameters (what transform needs). Models saved
 * before binaryTf and titleWeight existed lack them: they were trained as false and 1, which
 * are therefore the fallbacks (whatever the current defaults are).
 */
export function featureConfig(hp: FeatureConfig): Required<FeatureConfig> {
  const { maxChars, wordNgrams, titleNgrams, charChars, stopwords, stem } = hp;
  return { maxChars, wordNgrams, titleNgrams, charChars, stopwords, stem, binaryTf: hp.binaryTf ?? false, titleWeight: hp.titleWeight ?? 1 };
}

const TITLE = 't:';
const CHARS = 'c:';

/**
 * The terms of one report, by field: word n-grams (1..wordNgrams) of the whole report, word
 * n-grams (1..titleNgrams) of its title line (prefixed `t:`, its own field), and, with
 * charChars > 0, character 3-5-grams of the words of its first charChars characters (prefixed
 * `c:`). Given as each field's words: FieldCounter forms the n-grams.
 */
export function fieldTerms(text: string, cfg: FeatureConfig): { words: { tokens: string[]; n: number; prefix: string }[]; charWords: string[] } {
  const cut = text.length > cfg.maxChars ? text.slice(0, cfg.maxChars) : text;
  const title = titleOf(cut);
  return {
    words: [
      { tokens: words(cut, cfg), n: cfg.wordNgrams, prefix: '' },
      { tokens: words(title, cfg), n: cfg.titleNgrams, prefix: TITLE },
    ],
    charWords: cfg.charChars > 0 ? charWords(cut.slice(0, cfg.charChars)) : [],
  };
}

/** The prefixes of the word n-gram fields (the report's, the title's). */
export const FIELD_PREFIXES: readonly string[] = ['', TITLE];

/** Words whose character n-gram ids a FieldCounter remembers, at most. */
const WORD_CACHE = 200_000;

/**
 * Counts the terms of reports, field by field, as ids from one TermIndex: a growing corpus
 * index while training (countTerms), the fitted vocabulary at predict time (Vectorizer).
 * Training and prediction thus share the code that turns text into counts. A term the index
 * does not know (-1) is skipped.
 */
class FieldCounter {
  /** slot[id]: where term id sits in the current field's lists, or -1. */
  private slot = new Int32Array(1 << 16).fill(-1);
  /** Each word's character n-grams, as ids the index knows. */
  private readonly gramIds = new Map<string, Int32Array>();

  constructor(
    private readonly cfg: FeatureConfig,
    readonly index: TermIndex,
  ) {}

  count(text: string): FieldCounts[] {
    const { words: wordFields, charWords: chars } = fieldTerms(text, this.cfg);
    const index = this.index;
    const fields = wordFields.map(({ tokens, n, prefix }) => {
      const field: FieldCounts = { ids: [], counts: [] };
      const root = index.root(prefix);
      // The n-grams starting at each word, shortest first (as tokenizer's ngrams lists them).
      for (let i = 0; i < tokens.length; i++) {
        let node = root;
        for (let k = 0; k < n && i + k < tokens.length; k++) {
          node = index.next(node, tokens[i + k]);
          if (node < 0) break;
          this.tally(field, index.termAt(node));
        }
      }
      return this.done(field);
    });
    if (this.cfg.charChars > 0) {
      const field: FieldCounts = { ids: [], counts: [] };
      for (const word of chars) for (const id of this.charIds(word)) this.tally(field, id);
      fields.push(this.done(field));
    }
    return fields;
  }

  private charIds(word: string): Int32Array {
    let ids = this.gramIds.get(word);
    if (ids === undefined) {
      ids = Int32Array.from(this.index.charGrams(word, 3, 5));
      if (this.gramIds.size >= WORD_CACHE) this.gramIds.clear();
      this.gramIds.set(word, ids);
    }
    return ids;
  }

  /** Counts one occurrence of term `id` in `field`. */
  private tally(field: FieldCounts, id: number): void {
    if (id < 0) return;
    if (id >= this.slot.length) {
      const grown = new Int32Array(Math.max(id + 1, this.slot.length * 2)).fill(-1);
      grown.set(this.slot);
      this.slot = grown;
    }
    const k = this.slot[id];
    if (k < 0) {
      this.slot[id] = field.ids.length;
      field.ids.push(id);
      field.counts.push(1);
    } else field.counts[k]++;
  }

  /** Clears the slots of a finished field. */
  private done(field: FieldCounts): FieldCounts {
    for (const id of field.ids) this.slot[id] = -1;
    return field;
  }
}

/**
 * Reports tokenized once, as counts of terms: every distinct term of the corpus gets a
 * corpus-wide id (`terms`), and each report lists, field by field and in order of first
 * occurrence, the ids of its terms and how often each occurs. Training fits one vocabulary
 * or several (the calibration models' and the final one) from these counts without
 * tokenizing any report twice.
 */
export interface Counted {
  readonly terms: readonly string[];
  /** Per report: term ids, their counts, and where each field starts in them. */
  readonly docs: readonly { ids: Int32Array; counts: Int32Array; fieldStarts: Int32Array }[];
}

/** Counts the terms of each report, by field (see fieldTerms). */
export function countTerms(texts: readonly string[], cfg: FeatureConfig): Counted {
  const counter = new FieldCounter(cfg, TermIndex.growing(CHARS));
  const docs = texts.map((text) => {
    const fields = counter.count(text);
    const fieldStarts = new Int32Array(fields.length + 1);
    fields.forEach((f, k) => (fieldStarts[k + 1] = fieldStarts[k] + f.ids.length));
    const ids = new Int32Array(fieldStarts[fields.length]);
    const counts = new Int32Array(ids.length);
    fields.forEach((f, k) => {
      ids.set(f.ids, fieldStarts[k]);
      counts.set(f.counts, fieldStarts[k]);
    });
    return { ids, counts, fieldStarts };
  });
  return { terms: counter.index.terms, docs };
}

/** One field of one report: vocabulary ids in order of first occurrence, and their counts. */
interface FieldCounts {
  ids: number[];
  counts: number[];
}

/** How many training reports of each class hold each of a list of terms, and how many reports each class has. */
export interface ClassCounts {
  classes: number;
  /** terms x classes, row-major: reports of class c holding term k. */
  byTerm: Float64Array;
  /** Reports of each class. */
  perClass: Float64Array;
  /** Reports counted. */
  n: number;
}

/** Counts, over reports `rows` (classes `labels`, one per row), the reports of each class holding each of `terms` (corpus ids). */
export function classCounts(counted: Counted, rows: readonly number[], labels: Int32Array, terms: readonly number[]): ClassCounts {
  const classes = labels.reduce((m, c) => Math.max(m, c + 1), 0);
  const slot = new Int32Array(counted.terms.length).fill(-1);
  terms.forEach((id, k) => (slot[id] = k));
  const byTerm = new Float64Array(terms.length * classes);
  const perClass = new Float64Array(classes);
  rows.forEach((r, d) => {
    const c = labels[d];
    perClass[c]++;
    for (const id of counted.docs[r].ids) if (slot[id] >= 0) byTerm[slot[id] * classes + c]++;
  });
  return { classes, byTerm, perClass, n: rows.length };
}

/**
 * Class-discriminativeness of each counted term, multi-class NB-SVM style (Wang & Manning
 * 2012): max over classes of |ln(p(term | class) / p(term | other classes))|, with document
 * frequencies smoothed by alpha = 1. Fitted on training reports only.
 */
export function nbRatios({ classes, byTerm, perClass, n }: ClassCounts): Float32Array {
  const out = new Float32Array(byTerm.length / classes);
  for (let j = 0; j < out.length; j++) {
    let total = 0;
    for (let c = 0; c < classes; c++) total += byTerm[j * classes + c];
    let best = 0;
    for (let c = 0; c < classes; c++) {
      if (perClass[c] === 0) continue;
      const inC = (1 + byTerm[j * classes + c]) / (1 + perClass[c]);
      const outC = (1 + total - byTerm[j * classes + c]) / (1 + n - perClass[c]);
      best = Math.max(best, Math.abs(Math.log(inC / outC)));
    }
    out[j] = best;
  }
  return out;
}

/**
 * Chi-squared statistic of each counted term's presence against the classes, as scikit-learn's
 * chi2 feature selection computes it from document counts: the sum over classes of
 * (observed - expected)^2 / expected, where a term in df of n reports is expected in
 * df * n_c / n reports of class c.
 */
export function chi2({ classes, byTerm, perClass, n }: ClassCounts): Float64Array {
  const out = new Float64Array(byTerm.length / classes);
  for (let k = 0; k < out.length; k++) {
    let df = 0;
    for (let c = 0; c < classes; c++) df += byTerm[k * classes + c];
    let x = 0;
    for (let c = 0; c < classes; c++) {
      const expected = (df * perClass[c]) / n;
      if (expected > 0) x += (byTerm[k * classes + c] - expected) ** 2 / expected;
    }
    out[k] = x;
  }
  return out;
}

/**
 * TF-IDF vocabulary, scikit-learn style: fitted on training reports only (`fit`),
 * then applied unchanged (`transform`) at predict time. Term weight is
 * (1 + ln tf) * idf with idf = ln((1 + n) / (1 + df)) + 1; each field is L2-normalised.
 */
export class Vectorizer {
  /** The term lookup of transform, built on first use: training transforms counted reports and never needs it. */
  private counter?: FieldCounter;

  constructor(
    readonly terms: readonly string[],
    readonly idf: Float32Array,
    readonly config: Required<FeatureConfig>,
  ) {
    if (terms.length !== idf.length) throw new Error(`vocabulary has ${terms.length} terms but ${idf.length} idf weights`);
  }

  get size(): number {
    return this.terms.length;
  }

  /**
   * `labels` (class ids of the texts) are needed only when `hp.nbWeight` > 0: each term's
   * idf is then multiplied by (its NB ratio, see nbRatios) ^ nbWeight, and saved as its weight.
   */
  static fit(texts: readonly string[], hp: FeatureConfig & PruneConfig, labels?: Int32Array): Vectorizer {
    return Vectorizer.fitCounted(countTerms(texts, hp), Array.from(texts, (_, i) => i), hp, labels);
  }

  /** As fit, on the reports `rows` of counted reports (`labels` has one class id per row). */
  static fitCounted(counted: Counted, rows: readonly number[], hp: FeatureConfig & PruneConfig, labels?: Int32Array): Vectorizer {
    const nb = (hp.nbWeight ?? 0) > 0;
    const chi = hp.select === 'chi2';
    if ((nb || chi) && (!labels || labels.length !== rows.length)) throw new Error(`${nb ? 'nbWeight' : 'select chi2'} needs one label per training text`);
    const df = new Int32Array(counted.terms.length);
    for (const r of rows) for (const id of counted.docs[r].ids) df[id]++;
    const n = rows.length;
    const maxCount = hp.maxDf * n;
    const kept: number[] = [];
    df.forEach((d, id) => {
      if (d >= hp.minDf && d <= maxCount) kept.push(id);
    });
    const term = counted.terms;
    // Most frequent (or most class-dependent) first; ties broken by frequency, then by the term
    // itself, so the result never depends on input order.
    const byTerm = (a: number, b: number) => (term[a] < term[b] ? -1 : term[a] > term[b] ? 1 : 0);
    if (chi && kept.length > hp.maxFeatures) {
      const score = chi2(classCounts(counted, rows, labels!, kept));
      const at = new Int32Array(term.length);
      kept.forEach((id, k) => (at[id] = k));
      kept.sort((a, b) => score[at[b]] - score[at[a]] || df[b] - df[a] || byTerm(a, b));
    } else kept.sort((a, b) => df[b] - df[a] || byTerm(a, b));
    const top = kept.slice(0, hp.maxFeatures);
    const idf = Float32Array.from(top, (id) => Math.log((1 + n) / (1 + df[id])) + 1);
    const vectorizer = new Vectorizer(
      top.map((id) => term[id]),
      idf,
      featureConfig(hp),
    );
    if (nb) {
      const ratios = nbRatios(classCounts(counted, rows, labels!, top));
      for (let j = 0; j < idf.length; j++) idf[j] *= ratios[j] ** hp.nbWeight!;
    }
    return vectorizer;
  }

  transform(text: string): SparseVector {
    this.counter ??= new FieldCounter(this.config, TermIndex.fixed(this.terms, CHARS, FIELD_PREFIXES));
    return this.weigh(this.counter.count(text));
  }

  transformAll(texts: readonly string[]): SparseVector[] {
    return texts.map((t) => this.transform(t));
  }

  /** The vectors of reports `rows` of counted reports: the same as transform of their texts. */
  transformCounted(counted: Counted, rows: readonly number[]): SparseVector[] {
    const position = new Map(this.terms.map((t, i) => [t, i]));
    const local = new Int32Array(counted.terms.length).fill(-2);
    return rows.map((r) => {
      const { ids, counts, fieldStarts } = counted.docs[r];
      const fields: FieldCounts[] = [];
      for (let f = 0; f + 1 < fieldStarts.length; f++) {
        const field: FieldCounts = { ids: [], counts: [] };
        for (let k = fieldStarts[f]; k < fieldStarts[f + 1]; k++) {
          let j = local[ids[k]];
          if (j === -2) j = local[ids[k]] = position.get(counted.terms[ids[k]]) ?? -1;
          if (j >= 0) {
            field.ids.push(j);
            field.counts.push(counts[k]);
          }
        }
        fields.push(field);
      }
      return this.weigh(fields);
    });
  }

  /** TF-IDF weights of one report's term counts (field by field, in order of first occurrence). */
  private weigh(fields: readonly FieldCounts[]): SparseVector {
    let nnz = 0;
    for (const f of fields) nnz += f.ids.length;
    const indices = new Int32Array(nnz);
    const values = new Float32Array(nnz);
    let at = 0;
    fields.forEach(({ ids, counts }, f) => {
      const weight = (k: number) => (this.config.binaryTf ? 1 : 1 + Math.log(counts[k])) * this.idf[ids[k]];
      let norm = 0;
      for (let k = 0; k < ids.length; k++) norm += weight(k) ** 2;
      const inv = norm > 0 ? (f === 1 ? this.config.titleWeight : 1) / Math.sqrt(norm) : 0;
      for (let k = 0; k < ids.length; k++) {
        indices[at] = ids[k];
        values[at++] = weight(k) * inv;
      }
    });
    return { indices, values };
  }
}
