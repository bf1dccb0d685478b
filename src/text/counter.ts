import type { Hyperparameters } from '../base/hyperparameters.js';
import { normalizeText } from './normalize.js';
import { TermIndex } from './termindex.js';
import { charWords, titleOf, words } from './tokenizer.js';
import type { TermVectors } from './vectors.js';

/**
 * Counting the terms of reports (feature extraction, before any selection or weighting): the
 * fields of a report (its words, its title line's words, the character n-grams of its
 * beginning), their n-grams, and each distinct term's count.
 */
export type FeatureConfig = Pick<Hyperparameters, 'maxChars' | 'wordNgrams' | 'titleNgrams' | 'charChars' | 'stopwords' | 'stem'> &
  Partial<Pick<Hyperparameters, 'binaryTf' | 'titleWeight'>>;

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
/** The prefix of character n-gram terms. */
export const CHARS = 'c:';

/**
 * The terms of one report (in its normal form, normalize.ts), by field: word n-grams (1..wordNgrams) of the whole report, word
 * n-grams (1..titleNgrams) of its title line (prefixed `t:`, its own field), and, with
 * charChars > 0, character 3-5-grams of the words of its first charChars characters (prefixed
 * `c:`). Given as each field's words: FieldCounter forms the n-grams.
 */
export function fieldTerms(text: string, cfg: FeatureConfig): { words: { tokens: string[]; n: number; prefix: string }[]; charWords: string[] } {
  const one = normalizeText(text);
  const cut = one.length > cfg.maxChars ? one.slice(0, cfg.maxChars) : one;
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
export class FieldCounter {
  /** slot[id]: where term id sits in the current field's lists, or -1. */
  private slot = new Int32Array(1 << 16).fill(-1);
  /**
   * Each word's character n-grams, as ids the index knows: where they start in `gramPool`, which
   * holds their number and then the ids. One pool rather than a typed array a word: a corpus's
   * tens of thousands of words would otherwise be as many heap objects, in every thread.
   */
  private readonly gramAt = new Map<string, number>();
  private gramPool = new Int32Array(1 << 16);
  private gramUsed = 0;
  /** Of the last counted report: its words and character n-grams (the report field's), and how many of them the index knows. */
  private occurrences = 0;
  private known = 0;

  constructor(
    private readonly cfg: FeatureConfig,
    readonly index: TermIndex,
  ) {}

  count(text: string): FieldCounts[] {
    const { words: wordFields, charWords: chars } = fieldTerms(text, this.cfg);
    const index = this.index;
    let occurrences = 0;
    let known = 0;
    const fields = wordFields.map(({ tokens, n, prefix }) => {
      const field: FieldCounts = { ids: [], counts: [] };
      const root = index.root(prefix);
      // The n-grams starting at each word, shortest first (as tokenizer's ngrams lists them).
      for (let i = 0; i < tokens.length; i++) {
        let node = root;
        for (let k = 0; k < n && i + k < tokens.length; k++) {
          node = index.next(node, tokens[i + k]);
          if (node < 0) break;
          const id = index.termAt(node);
          if (k === 0 && prefix === '' && id >= 0) known++;
          this.tally(field, id);
        }
      }
      if (prefix === '') occurrences += tokens.length;
      return this.done(field);
    });
    if (this.cfg.charChars > 0) {
      const field: FieldCounts = { ids: [], counts: [] };
      for (const word of chars) {
        const at = this.charIds(word);
        const pool = this.gramPool;
        const n = pool[at];
        occurrences += charGramCount(word.length + 2, 3, 5);
        known += n;
        for (let k = at + 1; k <= at + n; k++) this.tally(field, pool[k]);
      }
      fields.push(this.done(field));
    }
    this.occurrences = occurrences;
    this.known = known;
    return fields;
  }

  /**
   * The share of the last counted report's words and character n-grams (of the report field;
   * word n-grams and the title aside) that the index knows: 1 for a report made of the
   * vocabulary's terms, near 0 for one in another language or of another kind. 0 for an empty report.
   */
  coverage(): number {
    return this.occurrences > 0 ? this.known / this.occurrences : 0;
  }

  /** Where a word's character n-gram ids are in gramPool: their number there, then the ids. */
  private charIds(word: string): number {
    let at = this.gramAt.get(word);
    if (at === undefined) {
      const ids = this.index.charGrams(word, 3, 5);
      if (this.gramAt.size >= WORD_CACHE) {
        this.gramAt.clear();
        this.gramUsed = 0;
      }
      if (this.gramUsed + ids.length + 1 > this.gramPool.length) {
        const grown = new Int32Array(Math.max(2 * this.gramPool.length, this.gramUsed + ids.length + 1));
        grown.set(this.gramPool.subarray(0, this.gramUsed));
        this.gramPool = grown;
      }
      at = this.gramUsed;
      this.gramPool[at] = ids.length;
      for (let k = 0; k < ids.length; k++) this.gramPool[at + 1 + k] = ids[k];
      this.gramUsed += ids.length + 1;
      this.gramAt.set(word, at);
    }
    return at;
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
  /**
   * Per report: term ids, their counts, and where each field starts in them. The ids and counts
   * are views into shared memory (SharedArrayBuffer chunks): a worker thread given the counted
   * reports reads the same memory, without a copy.
   */
  readonly docs: readonly { ids: Int32Array<ArrayBufferLike>; counts: Uint16Array<ArrayBufferLike>; fieldStarts: Int32Array }[];
  /**
   * Term vectors learned from other text (vectors.ts), if any: their document frequencies add
   * to these reports' when a vocabulary is fitted, and they initialise the input weights.
   */
  readonly pretrained?: TermVectors;
}

/** Counts the terms of each report, by field (see fieldTerms). */
export function countTerms(texts: readonly string[], cfg: FeatureConfig): Counted {
  const counter = new FieldCounter(cfg, TermIndex.growing(CHARS));
  const store = new SharedChunks();
  const docs = texts.map((text) => {
    const fields = counter.count(text);
    const fieldStarts = new Int32Array(fields.length + 1);
    fields.forEach((f, k) => (fieldStarts[k + 1] = fieldStarts[k] + f.ids.length));
    const { ids, counts } = store.take(fieldStarts[fields.length]);
    fields.forEach((f, k) => {
      ids.set(f.ids, fieldStarts[k]);
      // A term occurs at most maxChars times in a report: within 16 bits (65,535) unless maxChars is larger.
      for (let j = 0; j < f.counts.length; j++) counts[fieldStarts[k] + j] = Math.min(f.counts[j], 65535);
    });
    return { ids, counts, fieldStarts };
  });
  return { terms: counter.index.terms, docs };
}

/**
 * The counted reports' ids and counts, in chunks of shared memory that grow one chunk at a time
 * (never copied to grow): 6 bytes a term of a report, shared with worker threads as they are.
 */
class SharedChunks {
  private ids: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private counts: Uint16Array<ArrayBufferLike> = new Uint16Array(0);
  private used = 0;

  take(n: number): { ids: Int32Array<ArrayBufferLike>; counts: Uint16Array<ArrayBufferLike> } {
    if (this.used + n > this.ids.length) {
      const size = Math.max(n, 1 << 21);
      this.ids = new Int32Array(new SharedArrayBuffer(size * 4));
      this.counts = new Uint16Array(new SharedArrayBuffer(size * 2));
      this.used = 0;
    }
    const at = this.used;
    this.used += n;
    return { ids: this.ids.subarray(at, at + n), counts: this.counts.subarray(at, at + n) };
  }
}

/** One field of one report: vocabulary ids in order of first occurrence, and their counts. */
export interface FieldCounts {
  ids: number[];
  counts: number[];
}

/** How many character n-grams of lengths min..max a padded word of `padded` characters has (as TermIndex.charGrams lists them). */
export function charGramCount(padded: number, min: number, max: number): number {
  let total = 0;
  for (let n = min; n <= max; n++) {
    if (padded <= n) return total + 1;
    total += padded - n + 1;
  }
  return total;
}

/**
 * The coverage (as FieldCounter.coverage) of counted report `r` by a vocabulary, given which
 * corpus term ids it holds (`inVocabulary`): the report field's words (n-grams aside) and its
 * character n-grams.
 */
export function countedCoverage(counted: Counted, r: number, inVocabulary: (id: number) => boolean): number {
  const { ids, counts, fieldStarts } = counted.docs[r];
  let occurrences = 0;
  let known = 0;
  const add = (k: number) => {
    occurrences += counts[k];
    if (inVocabulary(ids[k])) known += counts[k];
  };
  for (let k = fieldStarts[0]; k < fieldStarts[1]; k++) if (!counted.terms[ids[k]].includes(' ')) add(k);
  if (fieldStarts.length > 3) for (let k = fieldStarts[2]; k < fieldStarts[3]; k++) add(k);
  return occurrences > 0 ? known / occurrences : 0;
}
