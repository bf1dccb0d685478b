import type { Hyperparameters } from '../base/hyperparameters.js';
import { rowsSource, type SparseRows, type SparseSource, type SparseVector } from '../nn/sparse.js';
import { CHARS, countedCoverage, countTerms, FIELD_PREFIXES, FieldCounter, type Counted, type FieldTally } from './counter.js';
import { featureConfig, type FeatureConfig } from './features.js';
import { chi2, classCounts, nbRatios } from './selection.js';
import { TermIndex, type TermTables } from './termindex.js';

export type PruneConfig = Pick<Hyperparameters, 'minDf' | 'maxDf' | 'maxFeatures'> & Partial<Pick<Hyperparameters, 'nbWeight' | 'select'>>;

/** Counted reports' vectors as countedSource gives them: their number of non-zeros, and the block they are kept in, if they are. */
export type CountedSource = SparseSource & { nnz: number; block?: SparseRows };

/**
 * TF-IDF vocabulary, scikit-learn style: fitted on training reports only (`fit`),
 * then applied unchanged (`transform`) at predict time. Term weight is
 * (1 + ln tf) * idf with idf = ln((1 + n) / (1 + df)) + 1; each field is L2-normalised.
 */
export class Vectorizer {
  /** The term lookup of transform, built on first use: training transforms counted reports and never needs it. */
  private counter?: FieldCounter;
  /** Each counted corpus's term ids mapped to this vocabulary's positions (countedIds), while the corpus lives. */
  private readonly localIds = new WeakMap<Counted, (id: number) => number>();
  /** Where transformWithCoverage weighs a batch's reports before copying them out (grown as needed, kept). */
  private scratch = { indices: new Int32Array(1 << 16), values: new Float32Array(1 << 16) };
  /** weighInto's tf x idf of a field's terms, kept until the field's norm is known. */
  private weights = new Float64Array(1 << 12);
  /** Of a vocabulary chosen from counted reports: them, and its terms as their ids (ofCounted). */
  private chosen?: { counted: Counted; top: Int32Array };

  /** The terms, or where to read them when first needed (a loaded model with stored lookup tables). */
  private termList?: readonly string[];
  private readonly termSource?: () => readonly string[];

  /**
   * With `tables` (the vocabulary's lookup tables as a model stores them, see TermIndex.tables),
   * `terms` may be a function that reads them: it is called only if something needs the terms
   * themselves (explain, saving, a word n-gram model's trie); predicting with single words does not.
   */
  constructor(
    terms: readonly string[] | (() => readonly string[]),
    readonly idf: Float32Array,
    readonly config: Required<FeatureConfig>,
    private readonly tables?: TermTables,
  ) {
    if (typeof terms === 'function') {
      if (!tables) throw new Error('terms read when needed need stored lookup tables');
      this.termSource = terms;
    } else this.termList = terms;
    const count = this.termList ? this.termList.length : tables!.terms;
    if (count !== idf.length) throw new Error(`vocabulary has ${count} terms but ${idf.length} idf weights`);
    if (tables && tables.terms !== count) throw new Error(`vocabulary has ${count} terms but lookup tables of ${tables.terms}`);
  }

  /** The terms, in feature order. */
  get terms(): readonly string[] {
    if (!this.termList) {
      const terms = this.termSource!();
      if (terms.length !== this.idf.length) throw new Error(`vocabulary has ${terms.length} terms but ${this.idf.length} idf weights`);
      this.termList = terms;
    }
    return this.termList;
  }

  get size(): number {
    return this.idf.length;
  }

  /** The vocabulary's lookup tables, as a model stores them (TermIndex.tables): what prediction reads. */
  termTables(): TermTables {
    return this.tables ?? TermIndex.fixed(this.terms, CHARS, FIELD_PREFIXES).tables(FIELD_PREFIXES);
  }

  /**
   * `labels` (class ids of the texts) are needed only when `hp.nbWeight` > 0: each term's
   * idf is then multiplied by (its NB ratio, see nbRatios) ^ nbWeight, and saved as its weight.
   */
  static fit(texts: readonly string[], hp: FeatureConfig & PruneConfig, labels?: Int32Array): Vectorizer {
    return Vectorizer.fitCounted(
      countTerms(texts, hp),
      Array.from(texts, (_, i) => i),
      hp,
      labels,
    );
  }

  /**
   * As fit, on the reports `rows` of counted reports (`labels` has one class id per row). With
   * term vectors learned from other text (`counted.pretrained`), the vocabulary is fitted on all
   * the text: their reports' document frequencies add to these rows', and their terms are
   * candidates too (a term no training report holds gets the median NB ratio of those they hold).
   */
  static fitCounted(counted: Counted, rows: readonly number[], hp: FeatureConfig & PruneConfig, labels?: Int32Array): Vectorizer {
    const nb = (hp.nbWeight ?? 0) > 0;
    const chi = hp.select === 'chi2';
    if ((nb || chi) && (!labels || labels.length !== rows.length))
      throw new Error(`${nb ? 'nbWeight' : 'select chi2'} needs one label per training text`);
    const pre = counted.pretrained;
    const df = new Int32Array(counted.terms.length);
    for (const r of rows) {
      const ids = counted.docs[r].ids;
      for (let k = 0; k < ids.length; k++) df[ids[k]]++;
    }
    const term = counted.terms;
    // Candidates: the counted terms (id >= 0), then the pretrained corpus's other terms (-1 - their index there).
    const candidates: number[] = [];
    const total = (c: number) => (c >= 0 ? df[c] + (extra ? extra[c] : 0) : pre!.df[-1 - c]);
    let extra: Int32Array | undefined;
    if (pre) {
      extra = new Int32Array(term.length);
      const at = new Map(Array.from({ length: term.length }, (_, id) => [term.at(id)!, id]));
      pre.terms.forEach((t, i) => {
        const id = at.get(t);
        if (id === undefined) candidates.push(-1 - i);
        else extra![id] = pre.df[i];
      });
    }
    const n = rows.length + (pre?.docs ?? 0);
    const maxCount = hp.maxDf * n;
    let kept: number[] = [];
    for (let id = 0; id < term.length; id++) {
      const d = df[id] + (extra ? extra[id] : 0);
      if (d >= hp.minDf && d <= maxCount) kept.push(id);
    }
    for (const c of candidates) if (total(c) >= hp.minDf && total(c) <= maxCount) kept.push(c);
    const name = (c: number) => (c >= 0 ? term.at(c)! : pre!.terms[-1 - c]);
    // Most frequent (or most class-dependent) first; ties broken by frequency, then by the term
    // itself, so the result never depends on input order.
    const byTerm = (a: number, b: number) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0);
    if (chi && kept.length > hp.maxFeatures) {
      const counted_ = kept.filter((c) => c >= 0);
      const score = new Map<number, number>();
      chi2(classCounts(counted, rows, labels!, counted_)).forEach((x, k) => score.set(counted_[k], x));
      kept.sort((a, b) => (score.get(b) ?? 0) - (score.get(a) ?? 0) || total(b) - total(a) || byTerm(a, b));
    } else kept = mostFrequent(kept, total, byTerm, hp.maxFeatures);
    const top = Int32Array.from(kept.slice(0, hp.maxFeatures));
    const idf = Float32Array.from(top, (c) => Math.log((1 + n) / (1 + total(c))) + 1);
    const vectorizer = Vectorizer.ofCounted(counted, top, idf, hp);
    if (nb) {
      const seen = Array.from(top).flatMap((c, j) => (c >= 0 ? [j] : []));
      const ratios = nbRatios(
        classCounts(
          counted,
          rows,
          labels!,
          seen.map((j) => top[j]),
        ),
      );
      // A term no training report holds gives no evidence either way: it gets the median ratio of
      // the terms they hold (a term of no class would get the rarest class's smoothed odds, ln(n/2)
      // with one report in it: test reports' unseen terms would then outweigh their known ones).
      const unseen = seen.length < top.length ? median(ratios) : 0;
      const ratio = new Float32Array(top.length).fill(unseen);
      seen.forEach((j, k) => (ratio[j] = ratios[k]));
      for (let j = 0; j < idf.length; j++) idf[j] *= ratio[j] ** hp.nbWeight!;
    }
    return vectorizer;
  }

  /**
   * The vocabulary fitCounted chose from counted reports: `top`, its terms as counted term ids
   * (or -1 - i for the pretrained corpus's term i), and their weights. A thread that has the same
   * counted reports rebuilds the vocabulary from these (training's worker posts them: see
   * model/parts.ts), without fitting it again.
   */
  static ofCounted(counted: Counted, top: Int32Array, idf: Float32Array, hp: FeatureConfig): Vectorizer {
    const name = (c: number) => (c >= 0 ? counted.terms.at(c)! : counted.pretrained!.terms[-1 - c]);
    const vectorizer = new Vectorizer(Array.from(top, name), idf, featureConfig(hp));
    vectorizer.chosen = { counted, top };
    // The counted terms' positions are known here: no lookup of their strings (countedIds) is needed.
    const local = new Int32Array(counted.terms.length).fill(-1);
    top.forEach((c, j) => {
      if (c >= 0) local[c] = j;
    });
    vectorizer.localIds.set(counted, (id) => local[id]);
    return vectorizer;
  }

  /** Of a vocabulary fitted on (or rebuilt from) counted reports: its terms as counted term ids (see ofCounted). */
  choiceOf(counted: Counted): Int32Array | undefined {
    return this.chosen?.counted === counted ? this.chosen.top : undefined;
  }

  transform(text: string): SparseVector {
    return this.weigh(this.lookup().count(text));
  }

  transformAll(texts: readonly string[]): SparseVector[] {
    return texts.map((t) => this.transform(t));
  }

  /**
   * The vectors of texts in one block of rows (the same values as transform gives each), and for
   * each text the share of its words and character n-grams the vocabulary knows (FieldCounter.coverage).
   * The rows' indices and values are views of this vectorizer's scratch memory, valid until its
   * next call: a batch's vectors are used at once (the network copies them into its own memory),
   * and a copy of megabytes a batch would only feed the garbage collector.
   */
  transformWithCoverage(texts: readonly string[]): { rows: SparseRows; coverage: Float32Array } {
    const counter = this.lookup();
    const coverage = new Float32Array(texts.length);
    const offsets = new Int32Array(texts.length + 1);
    // Each report is weighed as soon as it is counted, into scratch arrays kept for the next batch.
    let at = 0;
    texts.forEach((t, i) => {
      const fields = counter.count(t);
      coverage[i] = counter.coverage();
      let nnz = 0;
      for (const f of fields) nnz += f.ids.length;
      if (at + nnz > this.scratch.indices.length) {
        const size = Math.max(2 * this.scratch.indices.length, at + nnz);
        const grown = { indices: new Int32Array(size), values: new Float32Array(size) };
        grown.indices.set(this.scratch.indices.subarray(0, at));
        grown.values.set(this.scratch.values.subarray(0, at));
        this.scratch = grown;
      }
      this.weighInto(fields, this.scratch.indices, this.scratch.values, at);
      at += nnz;
      offsets[i + 1] = at;
    });
    return { rows: { indices: this.scratch.indices.subarray(0, at), values: this.scratch.values.subarray(0, at), offsets }, coverage };
  }

  /** The vocabulary's coverage of counted reports `rows` (as transformWithCoverage gives it for their texts). */
  coverageCounted(counted: Counted, rows: readonly number[]): Float32Array {
    const local = this.countedIds(counted);
    return Float32Array.from(rows, (r) => countedCoverage(counted, r, (id) => local(id) >= 0));
  }

  private lookup(): FieldCounter {
    this.counter ??= new FieldCounter(
      this.config,
      this.tables
        ? TermIndex.fromTables(() => this.terms, CHARS, FIELD_PREFIXES, this.tables)
        : TermIndex.fixed(this.terms, CHARS, FIELD_PREFIXES),
    );
    return this.counter;
  }

  /** The vectors of reports `rows` of counted reports: the same as transform of their texts. */
  transformCounted(counted: Counted, rows: readonly number[]): SparseVector[] {
    const fieldsOf = this.countedFields(counted);
    return rows.map((r) => this.weigh(fieldsOf(r)));
  }

  /**
   * The vectors of reports `rows` of counted reports as a source, the same vectors as
   * transformCounted gives. Up to `keepBytes` of them (8 bytes a non-zero) are made once and kept
   * in one block, the rows being views of it: training passes over them many times. Past that,
   * each is made when asked and none is kept, so that memory does not grow with a huge corpus's
   * vectors on top of its counts. `nnz` is their total number of non-zeros.
   */
  countedSource(
    counted: Counted,
    rows: readonly number[],
    { keepBytes = KEEP_VECTOR_BYTES, shared = false }: { keepBytes?: number; shared?: boolean } = {},
  ): CountedSource {
    const fieldsOf = this.countedFields(counted);
    const local = this.countedIds(counted);
    let nnz = 0;
    for (const r of rows) for (const id of counted.docs[r].ids) if (local(id) >= 0) nnz++;
    if (8 * nnz > keepBytes) return { length: rows.length, row: (i) => this.weigh(fieldsOf(rows[i])), nnz };
    // In shared memory if asked: another thread then reads the same block (model/parts.ts).
    const buffer = (bytes: number) => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
    const offsets = new Int32Array(buffer(4 * (rows.length + 1)));
    const indices = new Int32Array(buffer(4 * nnz));
    const values = new Float32Array(buffer(4 * nnz));
    rows.forEach((r, i) => {
      const fields = fieldsOf(r);
      this.weighInto(fields, indices, values, offsets[i]);
      offsets[i + 1] = offsets[i] + fields.reduce((n, f) => n + f.ids.length, 0);
    });
    const block = { indices, values, offsets };
    return { ...rowsSource(block), nnz, block };
  }

  /** This vocabulary's position of each counted term id (-1 if it has none), looked up once per term. */
  private countedIds(counted: Counted): (id: number) => number {
    let cached = this.localIds.get(counted);
    if (!cached) {
      const position = new Map(this.terms.map((t, i) => [t, i]));
      const local = new Int32Array(counted.terms.length).fill(-2);
      cached = (id: number) => {
        let j = local[id];
        if (j === -2) j = local[id] = position.get(counted.terms.at(id)!) ?? -1;
        return j;
      };
      this.localIds.set(counted, cached);
    }
    return cached;
  }

  /**
   * The term counts of one counted report (by its index in counted.docs), in this vocabulary's
   * positions, field by field. The fields are views of scratch memory kept by the function
   * returned, valid until its next call: every caller weighs them at once (a training run made
   * 274 MB of arrays for them on its main thread, one pair a field a report a vocabulary).
   */
  private countedFields(counted: Counted): (r: number) => FieldTally[] {
    const local = this.countedIds(counted);
    let ids = new Int32Array(1 << 12);
    let counts = new Int32Array(1 << 12);
    return (r: number) => {
      const doc = counted.docs[r];
      if (doc.ids.length > ids.length) {
        ids = new Int32Array(doc.ids.length);
        counts = new Int32Array(doc.ids.length);
      }
      const fields: FieldTally[] = [];
      let n = 0;
      for (let f = 0; f + 1 < doc.fieldStarts.length; f++) {
        const start = n;
        for (let k = doc.fieldStarts[f]; k < doc.fieldStarts[f + 1]; k++) {
          const j = local(doc.ids[k]);
          if (j >= 0) {
            ids[n] = j;
            counts[n++] = doc.counts[k];
          }
        }
        fields.push({ ids: ids.subarray(start, n), counts: counts.subarray(start, n) });
      }
      return fields;
    };
  }

  /** TF-IDF weights of one report's term counts (field by field, in order of first occurrence). */
  private weigh(fields: readonly FieldTally[]): SparseVector {
    let nnz = 0;
    for (const f of fields) nnz += f.ids.length;
    const v = { indices: new Int32Array(nnz), values: new Float32Array(nnz) };
    this.weighInto(fields, v.indices, v.values, 0);
    return v;
  }

  /**
   * Writes the TF-IDF weights of one report's term counts into `indices` and `values` from `at`.
   * Each term's tf x idf is computed once, in double precision, and kept (`weights`) until its
   * field's norm is known: the same values as computing it again, with one look-up of the term's
   * idf (a random place in a table of the vocabulary's size) rather than two.
   */
  private weighInto(fields: readonly FieldTally[], indices: Int32Array, values: Float32Array, at: number): void {
    const { binaryTf, titleWeight } = this.config;
    const idf = this.idf;
    for (let f = 0; f < fields.length; f++) {
      const { ids, counts } = fields[f];
      if (ids.length > this.weights.length) this.weights = new Float64Array(Math.max(ids.length, 2 * this.weights.length));
      const weights = this.weights;
      const start = at;
      let norm = 0;
      for (let k = 0; k < ids.length; k++) {
        const w = (binaryTf ? 1 : tfWeight(counts[k])) * idf[ids[k]];
        weights[k] = w;
        norm += w ** 2;
        indices[at++] = ids[k];
      }
      const inv = norm > 0 ? (f === 1 ? titleWeight : 1) / Math.sqrt(norm) : 0;
      for (let k = 0; k < ids.length; k++) values[start + k] = weights[k] * inv;
    }
  }
}

/**
 * Training vectors kept at most, in bytes (countedSource): 256 MB holds the QEMU corpus five
 * times over (about 800 non-zeros a report); beyond it, vectors are made a batch at a time.
 * Keeping them made training on the corpus 20 to 25 % faster than making them every pass.
 */
const KEEP_VECTOR_BYTES = 256 * 2 ** 20;

/** 1 + ln(count): the sublinear term frequency, from a table for the common small counts. */
const TF_TABLE = Float64Array.from({ length: 256 }, (_, c) => 1 + Math.log(c));
const tfWeight = (count: number): number => (count < 256 ? TF_TABLE[count] : 1 + Math.log(count));

/** The median of some values (0 for none). */
function median(xs: Float32Array): number {
  if (xs.length === 0) return 0;
  const sorted = Float32Array.from(xs).sort();
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/**
 * The first `max` of `terms` in order of `total` (highest first), ties by `byName`: what sorting
 * them all and keeping the first `max` gives, sorting only those. Most of a corpus's terms are
 * rare and tie on their count, and comparing their strings was most of a vocabulary's fitting.
 */
function mostFrequent(terms: number[], total: (c: number) => number, byName: (a: number, b: number) => number, max: number): number[] {
  const order = (a: number, b: number) => total(b) - total(a) || byName(a, b);
  if (terms.length <= max) return terms.sort(order);
  // The count of the max-th term: every term above it is in, and the first of those at it by name.
  const totals = Int32Array.from(terms, total).sort();
  const edge = totals[totals.length - max];
  const above = terms.filter((c) => total(c) > edge).sort(order);
  const at = terms.filter((c) => total(c) === edge).sort(byName);
  return above.concat(at.slice(0, max - above.length));
}
