import { describe, expect, it } from 'vitest';
import { countTerms } from '../src/text/counter.js';
import { featureConfig } from '../src/text/features.js';
import { chi2, classCounts } from '../src/text/selection.js';
import { TermIndex } from '../src/text/termindex.js';
import { ngrams, tokenize, wordCharNgrams } from '../src/text/tokenizer.js';
import { Vectorizer } from '../src/text/vectorizer.js';

const cfg = { maxChars: 1000, wordNgrams: 1, titleNgrams: 1, charChars: 0, minDf: 1, maxDf: 1, maxFeatures: 100 };
const docs = ['aa bb', 'aa cc', 'dd'];

describe('Vectorizer', () => {
  it('fits terms of both fields, most frequent first, with smoothed idf', () => {
    const v = Vectorizer.fit(docs, cfg);
    expect(v.terms).toEqual(['aa', 't:aa', 'bb', 'cc', 'dd', 't:bb', 't:cc', 't:dd']);
    // idf = ln((1 + n) / (1 + df)) + 1 with n = 3
    expect(v.idf[0]).toBeCloseTo(Math.log(4 / 3) + 1, 6);
    expect(v.idf[2]).toBeCloseTo(Math.log(4 / 2) + 1, 6);
  });

  it('weights terms by (1 + ln tf) * idf and L2-normalises each field', () => {
    const v = Vectorizer.fit(docs, cfg);
    const x = v.transform('aa aa bb');
    const wa = (1 + Math.log(2)) * (Math.log(4 / 3) + 1); // 2.18023
    const wb = Math.log(2) + 1; // 1.693147
    const norm = Math.hypot(wa, wb);
    const got = Object.fromEntries(Array.from(x.indices, (id, k) => [v.terms[id], x.values[k]]));
    expect(got.aa).toBeCloseTo(wa / norm, 5); // 0.7898
    expect(got.bb).toBeCloseTo(wb / norm, 5); // 0.6134
    // The title line is its own field, normalised on its own.
    expect(got['t:aa']).toBeCloseTo(wa / norm, 5);
    expect(Object.keys(got).sort()).toEqual(['aa', 'bb', 't:aa', 't:bb']);
  });

  it('prunes by document frequency and vocabulary size', () => {
    expect(Vectorizer.fit(docs, { ...cfg, minDf: 2 }).terms).toEqual(['aa', 't:aa']);
    expect(Vectorizer.fit(docs, { ...cfg, maxDf: 0.5 }).terms).not.toContain('aa');
    expect(Vectorizer.fit(docs, { ...cfg, maxFeatures: 3 }).terms).toEqual(['aa', 't:aa', 'bb']);
  });

  it('keeps, of many terms tied on their count, the first by name: what sorting them all would keep', () => {
    // Random reports of a few hundred words, most of them in two or three reports: every cut
    // of the vocabulary falls inside a tie.
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
    const corpus = Array.from({ length: 60 }, () => Array.from({ length: 12 }, () => `w${Math.floor(rnd() * rnd() * 300)}`).join(' '));
    const full = Vectorizer.fit(corpus, { ...cfg, maxFeatures: 100_000 });
    const all = full.terms;
    for (const max of [1, 7, 50, 123, all.length - 1]) {
      const got = Vectorizer.fit(corpus, { ...cfg, maxFeatures: max }).terms;
      expect(got).toEqual(all.slice(0, max));
    }
    // Ties, many: equal idf is equal document frequency.
    expect(all.length).toBeGreaterThan(300);
    expect(new Set(full.idf).size).toBeLessThan(30);
  });

  it('gives an empty vector to a report with no known word', () => {
    const x = Vectorizer.fit(docs, cfg).transform('zz yy');
    expect(x.indices.length).toBe(0);
    expect(x.values.length).toBe(0);
  });

  it('adds character n-grams of the first charChars characters as a third field', () => {
    const v = Vectorizer.fit(['aa bb', 'aa cc'], { ...cfg, charChars: 2 });
    expect(v.terms).toContain('c: aa ');
    expect(v.terms).not.toContain('c: bb ');
    const x = v.transform('aa');
    const chars = Array.from(x.indices).filter((id) => v.terms[id].startsWith('c:'));
    expect(chars.map((id) => v.terms[id]).sort()).toEqual(['c: aa', 'c: aa ', 'c:aa ']);
    const norm = Math.hypot(...chars.map((id) => x.values[Array.from(x.indices).indexOf(id)]));
    expect(norm).toBeCloseTo(1, 5);
  });

  it('builds word bigrams and cuts reports at maxChars', () => {
    const v = Vectorizer.fit(['aa bb cc', 'aa bb'], { ...cfg, wordNgrams: 2 });
    expect(v.terms).toContain('aa bb');
    const cut = Vectorizer.fit(['aa bb cc'], { ...cfg, maxChars: 5 });
    expect(cut.terms).not.toContain('cc');
  });

  it('counts presence only with binaryTf, and scales the title field by titleWeight', () => {
    const v = Vectorizer.fit(docs, { ...cfg, binaryTf: true, titleWeight: 0.5 });
    const x = v.transform('aa aa bb');
    const got = Object.fromEntries(Array.from(x.indices, (id, k) => [v.terms[id], x.values[k]]));
    const wa = Math.log(4 / 3) + 1;
    const wb = Math.log(2) + 1;
    expect(got.aa).toBeCloseTo(wa / Math.hypot(wa, wb), 5);
    expect(got['t:aa']).toBeCloseTo((0.5 * wa) / Math.hypot(wa, wb), 5);
  });

  it('multiplies idf by the NB log-count ratio ^ nbWeight, fitted on the labels', () => {
    const texts = ['aa bb', 'aa bb', 'aa cc', 'aa cc'];
    const labels = Int32Array.from([0, 0, 1, 1]);
    const plain = Vectorizer.fit(texts, cfg);
    const nb = Vectorizer.fit(texts, { ...cfg, nbWeight: 1 }, labels);
    expect(nb.terms).toEqual(plain.terms);
    const at = (v: Vectorizer, t: string) => v.idf[v.terms.indexOf(t)];
    // 'aa' is in every report of both classes: ratio ln(3/3 / (3/3)) = 0.
    expect(at(nb, 'aa')).toBeCloseTo(0, 6);
    // 'bb': in 2 of 2 reports of class 0, 0 of 2 of the other: |ln((3/3) / (1/3))| = ln 3.
    expect(at(nb, 'bb')).toBeCloseTo(at(plain, 'bb') * Math.log(3), 5);
    expect(() => Vectorizer.fit(texts, { ...cfg, nbWeight: 1 })).toThrow(/label/);
  });

  it('reads models saved before binaryTf and titleWeight as trained with false and 1', () => {
    expect(featureConfig({ ...cfg, stopwords: false, stem: false })).toMatchObject({ binaryTf: false, titleWeight: 1 });
  });

  it('gives training reports, vectorized from their counted terms, exactly the vectors predict computes from their text', () => {
    const texts = [
      'QEMU hangs at boot\nthe guest hangs at boot with -kernel',
      'virtio-net drops packets at boot\nthe net hangs',
      'boot menu\nmenu boot',
      'x86_64 TCG mistranslates\nvpaddd',
    ];
    const hp = { ...cfg, wordNgrams: 2, titleNgrams: 2, charChars: 20, nbWeight: 0.5, titleWeight: 0.7 };
    const counted = countTerms(texts, hp);
    const rows = [0, 2, 3];
    const labels = Int32Array.from([0, 1, 0]);
    const v = Vectorizer.fitCounted(counted, rows, hp, labels);
    // The same vocabulary as fitting on those texts directly...
    expect(v.terms).toEqual(
      Vectorizer.fit(
        rows.map((r) => texts[r]),
        hp,
        labels,
      ).terms,
    );
    // ...and the same vectors, for fitted and unseen reports alike.
    const fromCounts = v.transformCounted(counted, [0, 1, 2, 3]);
    texts.forEach((t, i) => {
      const direct = v.transform(t);
      expect(Array.from(fromCounts[i].indices)).toEqual(Array.from(direct.indices));
      expect(Array.from(fromCounts[i].values)).toEqual(Array.from(direct.values));
    });
    expect(fromCounts[1].indices.length).toBeGreaterThan(0);
    // What training reads: the same vectors, kept in one block or made when asked, in the order of the rows given.
    const order = [3, 1, 0, 2];
    for (const o of [{}, { keepBytes: 0 }, { shared: true }]) {
      const source = v.countedSource(counted, order, o);
      expect(source.length).toBe(4);
      // Kept in one block (in shared memory if asked), or none kept.
      const kept = source.block === undefined ? 'none' : source.block.values.buffer instanceof SharedArrayBuffer ? 'shared' : 'own';
      expect(kept).toBe('shared' in o ? 'shared' : 'keepBytes' in o ? 'none' : 'own');
      expect(source.nnz).toBe(order.reduce((n, r) => n + fromCounts[r].indices.length, 0));
      order.forEach((r, i) => {
        expect(Array.from(source.row(i).indices)).toEqual(Array.from(fromCounts[r].indices));
        expect(Array.from(source.row(i).values)).toEqual(Array.from(fromCounts[r].values));
      });
    }
  });

  it("forms the word n-grams that tokenizer's ngrams lists, in its order", () => {
    const text = 'title words\naa bb cc aa bb dd aa';
    const c = countTerms([text], { ...cfg, wordNgrams: 3, titleNgrams: 2, charChars: 0 });
    const { ids, fieldStarts } = c.docs[0];
    const field = (f: number) => Array.from(ids.subarray(fieldStarts[f], fieldStarts[f + 1]), (id) => c.terms[id]);
    expect(field(0)).toEqual([...new Set(ngrams(tokenize(text), 3))]);
    expect(field(1)).toEqual(ngrams(['title', 'words'], 2, 't:'));
  });

  it("counts each report's terms once per field, in order of first occurrence", () => {
    const c = countTerms(['aa bb aa\ncc'], { ...cfg, charChars: 0 });
    const doc = c.docs[0];
    expect(Array.from(doc.ids, (id) => c.terms[id])).toEqual(['aa', 'bb', 'cc', 't:aa', 't:bb']);
    expect(Array.from(doc.counts)).toEqual([2, 1, 1, 2, 1]);
    expect(Array.from(doc.fieldStarts)).toEqual([0, 3, 5]);
  });

  it('computes chi-squared of term presence against the classes, as scikit-learn does', () => {
    // 'bb' is in both reports of class 0 and none of class 1; 'aa' is everywhere.
    const counted = countTerms(['aa bb', 'aa bb', 'aa cc', 'aa'], cfg);
    const labels = Int32Array.from([0, 0, 1, 1]);
    const id = (t: string) => counted.terms.indexOf(t);
    const [aa, bb, cc] = chi2(classCounts(counted, [0, 1, 2, 3], labels, [id('aa'), id('bb'), id('cc')]));
    expect(aa).toBeCloseTo(0, 10);
    // bb: df 2, expected 1 per class; observed 2 and 0: (2-1)^2/1 + (0-1)^2/1 = 2.
    expect(bb).toBeCloseTo(2, 10);
    // cc: df 1, expected 0.5 per class; observed 0 and 1: 0.25/0.5 * 2 = 1.
    expect(cc).toBeCloseTo(1, 10);
  });

  it('keeps the most class-dependent terms with select chi2, the most frequent otherwise', () => {
    const texts = ['aa bb', 'aa bb', 'aa cc', 'aa'];
    const labels = Int32Array.from([0, 0, 1, 1]);
    const small = { ...cfg, maxFeatures: 2 };
    expect(Vectorizer.fit(texts, small).terms).toEqual(['aa', 't:aa']);
    const chosen = Vectorizer.fit(texts, { ...small, select: 'chi2' }, labels).terms;
    expect(chosen).toEqual(['bb', 't:bb']);
    expect(() => Vectorizer.fit(texts, { ...small, select: 'chi2' })).toThrow(/label/);
  });
});

describe('TermIndex', () => {
  it("finds a fitted vocabulary's word n-grams word by word, and its character n-grams by string", () => {
    const index = TermIndex.fixed(['qemu hangs', 'boot', 't:boot', 'c: bo', 'c:ot ', 'c:émi'], 'c:', ['', 't:']);
    const root = index.root('');
    const qemu = index.next(root, 'qemu');
    expect(qemu).toBeGreaterThanOrEqual(0);
    expect(index.termAt(qemu)).toBe(-1); // a prefix of a term, not a term
    expect(index.termAt(index.next(qemu, 'hangs'))).toBe(0);
    expect(index.next(qemu, 'boots')).toBe(-1);
    expect(index.next(root, 'kvm')).toBe(-1);
    expect(index.termAt(index.next(root, 'boot'))).toBe(1);
    expect(index.termAt(index.next(index.root('t:'), 'boot'))).toBe(2);
    // ' boot ' has the 3-grams ' bo', 'boo', 'oot', 'ot ' and longer ones: two are terms.
    expect(index.charGrams('boot', 3, 5)).toEqual([3, 4]);
    expect(index.charGrams('émis', 3, 5)).toEqual([5]); // not ASCII: looked up by string
    expect(index.charGrams('xyz', 3, 5)).toEqual([]);
    expect(index.terms).toEqual(['qemu hangs', 'boot', 't:boot', 'c: bo', 'c:ot ', 'c:émi']);
  });

  it('grows: each new n-gram becomes the next term, spelled prefix + words joined by spaces', () => {
    const index = TermIndex.growing('c:');
    const title = index.root('t:');
    const a = index.next(title, 'virtio');
    const ab = index.next(a, 'net');
    expect(index.next(index.root('t:'), 'virtio')).toBe(a);
    expect(index.charGrams('ab', 3, 5)).toEqual([2, 3, 4]);
    expect(index.charGrams('b', 3, 5)).toEqual([5]);
    expect(index.charGrams('ab', 3, 5)).toEqual([2, 3, 4]);
    expect([index.termAt(a), index.termAt(ab)]).toEqual([0, 1]);
    expect(index.terms).toEqual(['t:virtio', 't:virtio net', 'c: ab', 'c:ab ', 'c: ab ', 'c: b ']);
  });

  it("lists a word's character n-grams as tokenizer's wordCharNgrams does, ASCII or not, and finds them again", () => {
    const growing = TermIndex.growing('c:');
    const words = ['a', 'ab', 'qemu', 'x86_64', 'qemu', 'émulé', 'virtio-net-pci', '日本語', 'a'.repeat(12)];
    for (const word of words)
      expect(growing.charGrams(word, 3, 5).map((id) => growing.terms[id])).toEqual(wordCharNgrams(word, 3, 5, 'c:'));
    // Enough grams to make the number table grow several times, all found again by a fixed index.
    const many = Array.from({ length: 3000 }, (_, i) => `w${i.toString(36)}x`);
    for (const word of many) growing.charGrams(word, 3, 5);
    const fixed = TermIndex.fixed(growing.terms, 'c:', ['', 't:']);
    for (const word of [...words, ...many]) expect(fixed.charGrams(word, 3, 5)).toEqual(growing.charGrams(word, 3, 5));
  });
});
