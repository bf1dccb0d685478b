/**
 * Term ids of word n-grams and character n-grams, the vocabulary's lookup table. A word n-gram
 * is found by walking a trie, one word at a time, from its field's root (`''` for the report,
 * `t:` for the title): each step is an integer-keyed lookup, so a report's bigrams are never
 * built as strings, only its words are hashed, once each. Character n-grams (`c:...`) are
 * looked up by their string without the prefix, so that no prefixed copy is built to look one up.
 *
 * Two modes: growing (while counting a training corpus: every new n-gram becomes the next term,
 * and `terms` lists them in order of first occurrence), or fixed (a fitted vocabulary: unknown
 * n-grams are -1). Term strings are the same in both: prefix + words joined by single spaces.
 */
const FANOUT = 2 ** 26;

export class TermIndex {
  private readonly words = new Map<string, number>();
  /** parent node * FANOUT + word id -> child node. */
  private readonly edges = new Map<number, number>();
  /** Term id of each node (-1 for a root, or a prefix that is no term of a fixed vocabulary). */
  private readonly nodeTerm: number[] = [];
  private readonly rootOf = new Map<string, number>();
  private readonly prefixOf: string[] = [];
  /** Character n-grams, without their prefix -> term id. */
  private readonly chars = new Map<string, number>();

  private constructor(
    readonly terms: string[],
    private growing: boolean,
    private readonly charPrefix: string,
  ) {}

  /** An empty index that adds every n-gram it is asked about; character n-gram terms get the prefix `charPrefix`. */
  static growing(charPrefix: string): TermIndex {
    return new TermIndex([], true, charPrefix);
  }

  /** The index of a fitted vocabulary: term i is `terms[i]`, starting `charPrefix` for character n-grams. */
  static fixed(terms: readonly string[], charPrefix: string, fieldPrefixes: readonly string[]): TermIndex {
    const index = new TermIndex([...terms], true, charPrefix);
    const prefixes = [...fieldPrefixes].filter((p) => p !== '');
    terms.forEach((term, id) => {
      if (term.startsWith(charPrefix)) {
        index.chars.set(term.slice(charPrefix.length), id);
        return;
      }
      const prefix = prefixes.find((p) => term.startsWith(p)) ?? '';
      let node = index.root(prefix);
      for (const word of term.slice(prefix.length).split(' ')) node = index.edge(node, word, true);
      index.nodeTerm[node] = id;
    });
    index.growing = false;
    return index;
  }

  /** The root node of a field's n-grams (terms prefixed `prefix`). */
  root(prefix: string): number {
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

  /** The term id of an n-gram node, or -1. */
  termAt(node: number): number {
    return this.nodeTerm[node];
  }

  /** The term id of a character n-gram, given without its prefix, or -1. */
  charTerm(gram: string): number {
    let id = this.chars.get(gram);
    if (id === undefined) {
      if (!this.growing) return -1;
      id = this.terms.length;
      this.terms.push(this.charPrefix + gram);
      this.chars.set(gram, id);
    }
    return id;
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
