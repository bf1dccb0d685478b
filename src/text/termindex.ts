/**
 * Term ids of word n-grams and character n-grams, the vocabulary's lookup table. A word n-gram
 * is found by walking a trie, one word at a time, from its field's root (`''` for the report,
 * `t:` for the title): each step is an integer-keyed lookup, so a report's bigrams are never
 * built as strings, only its words are hashed, once each. A character n-gram (`c:...`) of ASCII
 * characters is looked up by its characters packed into one number (gramKey), so no string is
 * built to look it up; others by their string without the prefix.
 *
 * Two modes: growing (while counting a training corpus: every new n-gram becomes the next term,
 * and `terms` lists them in order of first occurrence), or fixed (a fitted vocabulary: unknown
 * n-grams are -1). Term strings are the same in both: prefix + words joined by single spaces.
 */
import { hashUnits } from './scan.js';
import { StringTable, type StringTableParts } from './stringtable.js';

/**
 * A fitted vocabulary's lookup tables as arrays, in the form prediction reads them: its single
 * words (unigrams' table and term ids, for the fields `prefixes`), and its character n-grams (the
 * ASCII ones' NumberTable, the others by string). Computed once, when a model is saved, and
 * stored with it (io/artifacts.ts), so that a process predicting with the model builds no table
 * over its vocabulary: its start-up does not grow with the vocabulary.
 */
export interface TermTables {
  /** The number of terms. */
  terms: number;
  prefixes: string[];
  words: StringTableParts;
  wordTerms: Int32Array[];
  chars: NumberTableParts;
  /** The character n-grams that are not ASCII (without their prefix), with their term ids. */
  otherChars: [gram: string, id: number][];
}

const FANOUT = 2 ** 26;

export class TermIndex {
  private readonly words = new Map<string, number>();
  /** parent node * FANOUT + word id -> child node. */
  private readonly edges = new Map<number, number>();
  /** Term id of each node (-1 for a root, or a prefix that is no term of a fixed vocabulary). */
  private readonly nodeTerm: number[] = [];
  private readonly rootOf = new Map<string, number>();
  private readonly prefixOf: string[] = [];
  /** Character n-grams of ASCII characters, by gramKey -> term id. */
  private asciiChars = new NumberTable();
  /** Other character n-grams, without their prefix -> term id. */
  private readonly chars = new Map<string, number>();

  /** The terms, or (an index made from stored tables) where to get them when first needed. */
  private termList?: string[];
  private termSource?: () => readonly string[];
  /** Of an index made from stored tables: their unigrams, and the number of terms. */
  private storedUnigrams?: { prefixes: readonly string[]; table: StringTable; terms: Int32Array[] };
  private storedCount = 0;

  private constructor(
    terms: string[] | (() => readonly string[]),
    private growing: boolean,
    private readonly charPrefix: string,
  ) {
    if (typeof terms === 'function') this.termSource = terms;
    else this.termList = terms;
  }

  /** The terms, term i at i (an index made from stored tables reads them only now). */
  get terms(): string[] {
    if (!this.termList) {
      this.termList = [...this.termSource!()];
      if (this.termList.length !== this.storedCount) throw new Error(`${this.termList.length} terms, but tables of ${this.storedCount}`);
    }
    return this.termList;
  }

  /** How many terms there are (without reading them). */
  get termCount(): number {
    return this.termList ? this.termList.length : this.storedCount;
  }

  /**
   * The index of a fitted vocabulary from its stored tables (tables, which TermIndex.tables gave
   * for the same terms): nothing is built; the terms are read (`terms`) only if a trie is walked.
   */
  static fromTables(terms: () => readonly string[], charPrefix: string, fieldPrefixes: readonly string[], tables: TermTables): TermIndex {
    const index = new TermIndex(terms, false, charPrefix);
    index.storedCount = tables.terms;
    index.asciiChars = NumberTable.of(tables.chars);
    for (const [gram, id] of tables.otherChars) index.chars.set(gram, id);
    index.storedUnigrams = { prefixes: tables.prefixes, table: StringTable.of(tables.words), terms: tables.wordTerms };
    index.unwalked = [...fieldPrefixes].filter((p) => p !== '');
    return index;
  }

  /** This fixed index's tables, for a model to store (see TermTables); unigrams of the fields `prefixes`. */
  tables(prefixes: readonly string[]): TermTables {
    if (this.growing) throw new Error('a growing index has no tables to store');
    const { table, terms } = this.unigrams(prefixes);
    return {
      terms: this.termCount,
      prefixes: [...prefixes],
      words: table.parts(),
      wordTerms: terms,
      chars: this.asciiChars.parts(),
      otherChars: [...this.chars],
    };
  }

  /** An empty index that adds every n-gram it is asked about; character n-gram terms get the prefix `charPrefix`. */
  static growing(charPrefix: string): TermIndex {
    return new TermIndex([], true, charPrefix);
  }

  /**
   * The index of a fitted vocabulary: term i is `terms[i]`, starting `charPrefix` for character
   * n-grams. The trie of its word n-grams is built when first walked (root): a counter of single
   * words (unigrams) never walks it.
   */
  static fixed(terms: readonly string[], charPrefix: string, fieldPrefixes: readonly string[]): TermIndex {
    const index = new TermIndex([...terms], true, charPrefix);
    const prefixes = [...fieldPrefixes].filter((p) => p !== '');
    const skip = charPrefix.length;
    index.asciiChars.reserve(terms.length);
    for (let id = 0; id < terms.length; id++) {
      const term = terms[id];
      if (!term.startsWith(charPrefix)) continue;
      const key = gramKey(term, skip, term.length - skip);
      if (key > 0) index.asciiChars.set(key, id);
      else index.chars.set(term.slice(skip), id);
    }
    index.unwalked = prefixes;
    index.growing = false;
    return index;
  }

  /** Of a fixed index whose trie is not built yet: the prefixes of its word fields besides ''. */
  private unwalked?: string[];

  /** The field prefix of a word n-gram term, and its words (unwalked: the fields of a fixed index). */
  private fieldOf(term: string, prefixes: readonly string[]): { prefix: string; words: string } {
    const prefix = prefixes.find((p) => term.startsWith(p)) ?? '';
    return { prefix, words: term.slice(prefix.length) };
  }

  /** Builds a fixed index's trie of word n-grams, if not yet. */
  private walkable(): void {
    const prefixes = this.unwalked;
    if (!prefixes) return;
    this.unwalked = undefined;
    this.terms.forEach((term, id) => {
      if (term.startsWith(this.charPrefix)) return;
      const { prefix, words } = this.fieldOf(term, prefixes);
      let node = this.root(prefix);
      for (const word of words.split(' ')) node = this.edge(node, word, true);
      this.nodeTerm[node] = id;
    });
  }

  /** The root node of a field's n-grams (terms prefixed `prefix`). */
  root(prefix: string): number {
    this.walkable();
    let node = this.rootOf.get(prefix);
    if (node === undefined) {
      node = this.node();
      this.rootOf.set(prefix, node);
      this.prefixOf[node] = prefix;
    }
    return node;
  }

  /** The node of the n-gram `node` followed by `word` (from a root: a unigram); -1 if no term of a fixed vocabulary starts so. */
  next(node: number, word: string): number {
    if (!this.growing) return this.edge(node, word, false);
    const before = this.nodeTerm.length;
    const child = this.edge(node, word, true);
    if (child >= before) {
      const parent = this.nodeTerm[node];
      this.nodeTerm[child] = this.terms.length;
      this.terms.push(parent < 0 ? this.prefixOf[node] + word : `${this.terms[parent]} ${word}`);
    }
    return child;
  }

  /**
   * A growing index's next term, `term` (not yet one of its terms): its id. How a counter of
   * single words that finds them by scanning (counter.ts) adds them, in place of the trie's walk.
   */
  add(term: string): number {
    if (!this.growing) throw new Error('a fitted vocabulary gets no new terms');
    this.terms.push(term);
    return this.terms.length - 1;
  }

  /** True for the index of a fitted vocabulary (fixed), false while it grows. */
  get fixed(): boolean {
    return !this.growing;
  }

  /**
   * The words that are one-word terms of the fields `prefixes`, in a table whose values index
   * `terms`: terms[f][value] is the word's term id in field prefixes[f], or -1. What a counter of
   * words alone (no n-grams) needs, with no trie walk and no string made (StringTable).
   */
  unigrams(prefixes: readonly string[]): { table: StringTable; terms: Int32Array[] } {
    const stored = this.storedUnigrams;
    if (stored && stored.prefixes.length === prefixes.length && stored.prefixes.every((p, f) => p === prefixes[f])) return stored;
    if (this.unwalked) return this.unigramsOfTerms(prefixes, this.unwalked);
    const roots = prefixes.map((p) => this.root(p));
    const found: number[][] = prefixes.map(() => []);
    const table = new StringTable();
    for (const [word, w] of this.words) {
      const ids = roots.map((r) => {
        const child = this.edges.get(r * FANOUT + w);
        return child === undefined ? -1 : this.nodeTerm[child];
      });
      if (ids.every((id) => id < 0)) continue;
      ids.forEach((id, f) => found[f].push(id));
      table.add(word, 0, word.length, hashUnits(word, 0, word.length), table.size);
    }
    return { table, terms: found.map((ids) => Int32Array.from(ids)) };
  }

  /** unigrams of a fixed index, from its terms (one pass, no trie): the same words and ids. */
  private unigramsOfTerms(prefixes: readonly string[], fields: readonly string[]): { table: StringTable; terms: Int32Array[] } {
    const found: number[][] = prefixes.map(() => []);
    const table = new StringTable();
    this.terms.forEach((term, id) => {
      if (term.startsWith(this.charPrefix)) return;
      const { prefix, words: word } = this.fieldOf(term, fields);
      const f = prefixes.indexOf(prefix);
      if (f < 0 || word.includes(' ')) return;
      const hash = hashUnits(word, 0, word.length);
      let w = table.get(word, 0, word.length, hash);
      if (w < 0) {
        w = table.size;
        table.add(word, 0, word.length, hash, w);
        for (const ids of found) ids.push(-1);
      }
      found[f][w] = id;
    });
    return { table, terms: found.map((ids) => Int32Array.from(ids)) };
  }

  /** The term id of an n-gram node, or -1. */
  termAt(node: number): number {
    return this.nodeTerm[node];
  }

  /**
   * The term ids of a word's character n-grams of lengths min..max, in the order of tokenizer's
   * wordCharNgrams (scikit-learn's `char_wb`: the word padded with a space on either side; a padded
   * word no longer than n yields itself once). Unknown n-grams of a fixed vocabulary are left out.
   */
  charGrams(word: string, min: number, max: number): number[] {
    const w = ` ${word} `;
    const out: number[] = [];
    for (let n = min; n <= max; n++) {
      if (w.length <= n) {
        this.charTerm(w, 0, w.length, out);
        break;
      }
      for (let i = 0; i + n <= w.length; i++) this.charTerm(w, i, n, out);
    }
    return out;
  }

  /** Appends to `out` the term id of the n-gram w.slice(i, i + n), if it has one. */
  private charTerm(w: string, i: number, n: number, out: number[]): void {
    const key = gramKey(w, i, n);
    let id = key > 0 ? this.asciiChars.get(key) : (this.chars.get(w.slice(i, i + n)) ?? -1);
    if (id < 0 && this.growing) {
      id = this.terms.length;
      this.terms.push(this.charPrefix + w.slice(i, i + n));
      if (key > 0) this.asciiChars.set(key, id);
      else this.chars.set(w.slice(i, i + n), id);
    }
    if (id >= 0) out.push(id);
  }

  private node(): number {
    this.nodeTerm.push(-1);
    return this.nodeTerm.length - 1;
  }

  private edge(node: number, word: string, create: boolean): number {
    let w = this.words.get(word);
    if (w === undefined) {
      if (!create) return -1;
      w = this.words.size;
      this.words.set(word, w);
    }
    const key = node * FANOUT + w;
    let child = this.edges.get(key);
    if (child === undefined) {
      if (!create) return -1;
      child = this.node();
      this.edges.set(key, child);
    }
    return child;
  }
}

/**
 * The n characters of w from i packed into one integer below 2^53: n, then each character code
 * as a base-128 digit. 0 if a character is not ASCII or n > 7 (the gram is then looked up by string).
 */
function gramKey(w: string, i: number, n: number): number {
  if (n > 7) return 0;
  let key = n;
  for (let k = i; k < i + n; k++) {
    const c = w.charCodeAt(k);
    if (c >= 128) return 0;
    key = key * 128 + c;
  }
  return key;
}

/** A NumberTable's contents: keys (0: an empty slot; a power of two of them), values, the number of keys. */
export interface NumberTableParts {
  keys: Float64Array;
  values: Int32Array;
  size: number;
}

/** Open-addressing hash table from positive integer keys (below 2^53) to non-negative int32 values. */
class NumberTable {
  private keys: Float64Array = new Float64Array(1 << 12);
  private values: Int32Array = new Int32Array(1 << 12);
  private size = 0;

  /** What the table holds, as arrays (TermTables). */
  parts(): NumberTableParts {
    return { keys: this.keys, values: this.values, size: this.size };
  }

  /** A table over the arrays `parts` gave (not copied: read, never set, while they are shared). */
  static of(parts: NumberTableParts): NumberTable {
    const { keys, values, size } = parts;
    const n = keys.length;
    if (n < 1 || (n & (n - 1)) !== 0 || values.length !== n || size < 0 || 2 * size > n)
      throw new Error(`a number table of ${n} keys and ${values.length} values holding ${size}`);
    const table = new NumberTable();
    table.keys = keys;
    table.values = values;
    table.size = size;
    return table;
  }

  /** The value of `key`, or -1. */
  get(key: number): number {
    const at = this.slot(key);
    return this.keys[at] === key ? this.values[at] : -1;
  }

  /** Makes room for `n` keys at once (fewer rehashes while a known number are set). */
  reserve(n: number): void {
    while (2 * n > this.keys.length) this.grow();
  }

  set(key: number, value: number): void {
    if (2 * (this.size + 1) > this.keys.length) this.grow();
    const at = this.slot(key);
    if (this.keys[at] !== key) {
      this.keys[at] = key;
      this.size++;
    }
    this.values[at] = value;
  }

  private slot(key: number): number {
    const mask = this.keys.length - 1;
    const lo = key >>> 0;
    const hi = (key - lo) / 4294967296;
    let at = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
    at = (at ^ (at >>> 15)) & mask;
    while (this.keys[at] !== 0 && this.keys[at] !== key) at = (at + 1) & mask;
    return at;
  }

  private grow(): void {
    const { keys, values } = this;
    this.keys = new Float64Array(keys.length * 2);
    this.values = new Int32Array(keys.length * 2);
    this.size = 0;
    for (let k = 0; k < keys.length; k++) if (keys[k] !== 0) this.set(keys[k], values[k]);
  }
}
