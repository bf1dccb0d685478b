import type { FeatureConfig } from './features.js';
import { normalizeText } from './normalize.js';
import { pieces, scanSpaced, scanWords, type Pieces } from './scan.js';
import { StringTable } from './stringtable.js';
import type { TermList } from './termlist.js';
import { TermIndex } from './termindex.js';
import { charWords, titleOf, words } from './tokenizer.js';
import type { TermVectors } from './vectors.js';

/**
 * Counting the terms of reports (feature extraction, before any selection or weighting): the
 * fields of a report (its words, its title line's words, the character n-grams of its
 * beginning), their n-grams, and each distinct term's count.
 */

const TITLE = 't:';
/** The prefix of character n-gram terms. */
export const CHARS = 'c:';

/**
 * The terms of one report (in its normal form, normalize.ts), by field: word n-grams (1..wordNgrams) of the whole report, word
 * n-grams (1..titleNgrams) of its title line (prefixed `t:`, its own field), and, with
 * charChars > 0, character 3-5-grams of the words of its first charChars characters (prefixed
 * `c:`). Given as each field's words: FieldCounter forms the n-grams.
 */
export function fieldTerms(
  text: string,
  cfg: FeatureConfig,
): { words: { tokens: string[]; n: number; prefix: string }[]; charWords: string[] } {
  const cut = cutText(text, cfg);
  const title = titleOf(cut);
  return {
    words: [
      { tokens: words(cut, cfg), n: cfg.wordNgrams, prefix: '' },
      { tokens: words(title, cfg), n: cfg.titleNgrams, prefix: TITLE },
    ],
    charWords: cfg.charChars > 0 ? charWords(cut.slice(0, cfg.charChars)) : [],
  };
}

/** A report's text as its terms are taken from: in its normal form (normalize.ts), cut to maxChars. */
function cutText(text: string, cfg: FeatureConfig): string {
  const one = normalizeText(text);
  return one.length > cfg.maxChars ? one.slice(0, cfg.maxChars) : one;
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
  /** slot[id]: where term id sits in `ids` while its field is counted, or -1. */
  private slot = new Int32Array(1 << 16).fill(-1);
  /**
   * The report being counted: its term ids in order of first occurrence and their counts, field
   * after field (`used` of them; field f is starts[f] .. starts[f + 1]). count returns views of them.
   */
  private ids = new Int32Array(1 << 12);
  private counts = new Int32Array(1 << 12);
  private used = 0;
  private starts: number[] = [0];
  /**
   * Each word's character n-grams, as ids the index knows: where they start in `gramPool`, which
   * holds their number and then the ids. One pool rather than a typed array a word: a corpus's
   * tens of thousands of words would otherwise be as many heap objects, in every thread.
   */
  private readonly gramAt = new Map<string, number>();
  private gramPool = new Int32Array(1 << 16);
  private gramUsed = 0;
  /** Words whose n-grams are in gramPool. */
  private pooled = 0;
  /** Of the last counted report: its words and character n-grams (the report field's), and how many of them the index knows. */
  private occurrences = 0;
  private known = 0;

  /** The scanning counter's state (see scanCount), for an index of single words; else undefined. */
  private readonly scan?: {
    /** The words met (a growing index's) or known (a fixed one's), and their term ids by field (see TermIndex.unigrams). */
    words: { table: StringTable; terms: Int32Array[] };
    pieces: Pieces;
    /** Each white-space separated word met, numbered: wordAt[number] is its place in gramPool. */
    grams: StringTable;
    wordAt: Int32Array;
    /** Of a word number, its place among the report's distinct words (distinct, wordCounts), or -1. */
    mark: Int32Array;
    distinct: Int32Array;
    wordCounts: Int32Array;
  };

  /**
   * With `scan` (the default), a counter of single words (no word n-grams, stop words or stems:
   * the defaults) counts by scanning (scanCount), whether its index is fitted or grows (training's
   * count of its corpus); else by the tokenizer's strings (count's other path). Both give the
   * same counts, and a growing index the same terms in the same order.
   */
  constructor(
    private readonly cfg: FeatureConfig,
    readonly index: TermIndex,
    scan = true,
    /** Words whose character n-gram ids are remembered, at most (a test makes it small). */
    private readonly cacheWords = WORD_CACHE,
  ) {
    if (scan && cfg.wordNgrams === 1 && cfg.titleNgrams === 1 && !cfg.stopwords && !cfg.stem) {
      this.scan = {
        words: index.fixed
          ? index.unigrams(FIELD_PREFIXES)
          : { table: new StringTable(), terms: FIELD_PREFIXES.map(() => new Int32Array(1 << 12).fill(-1)) },
        pieces: pieces(),
        grams: new StringTable(),
        wordAt: new Int32Array(1 << 12),
        mark: new Int32Array(1 << 12).fill(-1),
        distinct: new Int32Array(1 << 10),
        wordCounts: new Int32Array(1 << 10),
      };
      if (index.fixed) this.slot = new Int32Array(index.termCount).fill(-1);
    }
  }

  /**
   * The counts of a report's terms by field (see fieldTerms): ids in order of first occurrence,
   * and how often each occurs. What is returned may be a view of the counter's memory, valid
   * until its next count.
   */
  count(text: string): FieldTally[] {
    this.used = 0;
    this.starts = [0];
    if (this.scan) this.scanCount(text);
    else this.stringCount(text);
    const { ids, counts, starts } = this;
    const out: FieldTally[] = [];
    for (let f = 0; f + 1 < starts.length; f++)
      out.push({ ids: ids.subarray(starts[f], starts[f + 1]), counts: counts.subarray(starts[f], starts[f + 1]) });
    return out;
  }

  /**
   * count's fast path: the text's words and white-space separated words are found by scanning
   * its characters once (scan.ts), hashed as they are scanned, and looked up in tables of code
   * units (StringTable): no string is made for a word the vocabulary or the n-gram cache holds.
   */
  private scanCount(text: string): void {
    const st = this.scan!;
    const cfg = this.cfg;
    this.trimCache(); // here, not within a report: a report's words keep their places in gramPool
    const cut = cutText(text, cfg);
    const p = st.pieces;
    let occurrences = 0;
    let known = 0;
    const { table } = st.words;
    const growing = !this.index.fixed;
    for (let f = 0; f < 2; f++) {
      const s = f === 0 ? cut.toLowerCase() : titleOf(cut).toLowerCase();
      scanWords(s, p);
      for (let i = 0; i < p.n; i++) {
        const w = table.get(s, p.start[i], p.end[i], p.hash[i]);
        let id = w < 0 ? -1 : st.words.terms[f][w];
        if (id < 0 && growing) id = this.newWord(f, s, p.start[i], p.end[i], p.hash[i], w);
        if (id >= 0) {
          if (f === 0) known++;
          this.tally(id, 1);
        }
      }
      if (f === 0) occurrences += p.n;
      this.endField();
    }
    if (cfg.charChars > 0) {
      // The distinct words first, with how often each occurs; then each one's n-grams, counted
      // that many times. The same ids in the same order (a gram first occurs within the first
      // occurrence of the first word that holds it) and the same counts, with fewer steps.
      const s = cut.slice(0, cfg.charChars).toLowerCase();
      scanSpaced(s, p);
      let distinct = 0;
      for (let i = 0; i < p.n; i++) {
        const start = p.start[i];
        const end = p.end[i];
        let w = st.grams.get(s, start, end, p.hash[i]);
        if (w < 0) {
          w = st.grams.size;
          if (w === st.wordAt.length) {
            st.wordAt = grownInt32(st.wordAt);
            st.mark = grownInt32(st.mark, -1);
          }
          st.wordAt[w] = this.poolGrams(s.slice(start, end));
          st.grams.add(s, start, end, p.hash[i], w);
        }
        occurrences += charGramCount(end - start + 2, 3, 5);
        const m = st.mark[w];
        if (m >= 0) st.wordCounts[m]++;
        else {
          if (distinct === st.distinct.length) {
            st.distinct = grownInt32(st.distinct);
            st.wordCounts = grownInt32(st.wordCounts);
          }
          st.mark[w] = distinct;
          st.distinct[distinct] = w;
          st.wordCounts[distinct++] = 1;
        }
      }
      const pool = this.gramPool;
      for (let d = 0; d < distinct; d++) {
        const w = st.distinct[d];
        const times = st.wordCounts[d];
        st.mark[w] = -1;
        const at = st.wordAt[w];
        const n = pool[at];
        known += n * times;
        for (let k = at + 1; k <= at + n; k++) this.tally(pool[k], times);
      }
      this.endField();
    }
    this.occurrences = occurrences;
    this.known = known;
  }

  /**
   * A growing index's new term: word units start .. end of s (hashed `hash`, at `w` in the scan's
   * table, or -1 if not yet there) in field f, as the trie (TermIndex.next) would have made it.
   */
  private newWord(f: number, s: string, start: number, end: number, hash: number, w: number): number {
    const words = this.scan!.words;
    if (w < 0) {
      w = words.table.size;
      words.table.add(s, start, end, hash, w);
      if (w === words.terms[0].length) words.terms = words.terms.map((t) => grownInt32(t, -1));
    }
    return (words.terms[f][w] = this.index.add(FIELD_PREFIXES[f] + s.slice(start, end)));
  }

  /** count by the tokenizer's strings (any index, any options). */
  private stringCount(text: string): void {
    const { words: wordFields, charWords: chars } = fieldTerms(text, this.cfg);
    const index = this.index;
    let occurrences = 0;
    let known = 0;
    for (const { tokens, n, prefix } of wordFields) {
      const root = index.root(prefix);
      // The n-grams starting at each word, shortest first (as tokenizer's ngrams lists them).
      for (let i = 0; i < tokens.length; i++) {
        let node = root;
        for (let k = 0; k < n && i + k < tokens.length; k++) {
          node = index.next(node, tokens[i + k]);
          if (node < 0) break;
          const id = index.termAt(node);
          if (k === 0 && prefix === '' && id >= 0) known++;
          this.tally(id, 1);
        }
      }
      if (prefix === '') occurrences += tokens.length;
      this.endField();
    }
    if (this.cfg.charChars > 0) {
      for (const word of chars) {
        const at = this.charIds(word);
        const pool = this.gramPool;
        const n = pool[at];
        occurrences += charGramCount(word.length + 2, 3, 5);
        known += n;
        for (let k = at + 1; k <= at + n; k++) this.tally(pool[k], 1);
      }
      this.endField();
    }
    this.occurrences = occurrences;
    this.known = known;
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
      this.trimCache();
      at = this.poolGrams(word);
      this.gramAt.set(word, at);
    }
    return at;
  }

  /** Empties gramPool and the caches of where words are in it (gramAt, the scan's table) once they hold WORD_CACHE words. */
  private trimCache(): void {
    if (this.pooled >= this.cacheWords) {
      this.gramAt.clear();
      this.scan?.grams.clear();
      this.gramUsed = 0;
      this.pooled = 0;
    }
  }

  /** Appends a word's character n-gram ids to gramPool and says where: their number, then the ids. */
  private poolGrams(word: string): number {
    const ids = this.index.charGrams(word, 3, 5);
    if (this.gramUsed + ids.length + 1 > this.gramPool.length) {
      const grown = new Int32Array(Math.max(2 * this.gramPool.length, this.gramUsed + ids.length + 1));
      grown.set(this.gramPool.subarray(0, this.gramUsed));
      this.gramPool = grown;
    }
    const at = this.gramUsed;
    this.gramPool[at] = ids.length;
    for (let k = 0; k < ids.length; k++) this.gramPool[at + 1 + k] = ids[k];
    this.gramUsed += ids.length + 1;
    this.pooled++;
    return at;
  }

  /** Counts `times` occurrences of term `id` (none for -1, a term the index does not know) in the field being counted. */
  private tally(id: number, times: number): void {
    if (id < 0) return;
    if (id >= this.slot.length) {
      const grown = new Int32Array(Math.max(id + 1, this.slot.length * 2)).fill(-1);
      grown.set(this.slot);
      this.slot = grown;
    }
    const k = this.slot[id];
    if (k >= 0) this.counts[k] += times;
    else {
      if (this.used === this.ids.length) {
        this.ids = grownInt32(this.ids);
        this.counts = grownInt32(this.counts);
      }
      this.slot[id] = this.used;
      this.ids[this.used] = id;
      this.counts[this.used++] = times;
    }
  }

  /** Ends the field being counted: its terms' slots are cleared, and the next field starts. */
  private endField(): void {
    for (let k = this.starts[this.starts.length - 1]; k < this.used; k++) this.slot[this.ids[k]] = -1;
    this.starts.push(this.used);
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
  /** The distinct terms, term id i at terms.at(i): an array where the reports were counted (termlist.ts). */
  readonly terms: TermList;
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
export interface FieldTally {
  readonly ids: ArrayLike<number>;
  readonly counts: ArrayLike<number>;
}

/** A copy of a twice as long, the new half filled with `fill`. */
function grownInt32(a: Int32Array, fill = 0): Int32Array<ArrayBuffer> {
  const b = new Int32Array(2 * a.length);
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
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
  for (let k = fieldStarts[0]; k < fieldStarts[1]; k++) if (!counted.terms.at(ids[k])!.includes(' ')) add(k);
  if (fieldStarts.length > 3) for (let k = fieldStarts[2]; k < fieldStarts[3]; k++) add(k);
  return occurrences > 0 ? known / occurrences : 0;
}
