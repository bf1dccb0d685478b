import { describe, expect, it } from 'vitest';
import { Rng } from '../src/base/rng.js';
import { FieldCounter, CHARS, FIELD_PREFIXES } from '../src/text/counter.js';
import { featureConfig } from '../src/text/features.js';
import { isBlank, normalizeText } from '../src/text/normalize.js';
import { hashUnits, isSpace, pieces, scanSpaced, scanWords } from '../src/text/scan.js';
import { StringTable } from '../src/text/stringtable.js';
import { TermIndex } from '../src/text/termindex.js';
import { Vectorizer } from '../src/text/vectorizer.js';

// What the scans must reproduce: the tokenizer's two splits (tokenizer.ts).
const WORD = /[\p{L}\p{N}_]{2,}/gu;

/**
 * Characters of every kind the scans must tell apart: ASCII letters, digits, underscore and
 * punctuation; white space of several kinds (tab, NBSP, ideographic space, line separator, BOM);
 * accented and Greek letters (final sigma), a combining accent (a mark: not a word character),
 * other scripts' digits and superscripts (numbers), CJK, a letter and an emoji beyond the BMP
 * (surrogate pairs), lone surrogates, and control characters.
 */
const ALPHABET = [
  'a',
  'b',
  'Z',
  'q',
  '0',
  '7',
  '_',
  '-',
  '.',
  '/',
  ':',
  ' ',
  ' ',
  '\t',
  '\n',
  '\r',
  '\u00a0',
  '\u3000',
  '\u2028',
  '\ufeff',
  '\u2000',
  'é',
  'Ü',
  'ß',
  'İ',
  'Σ',
  'σ',
  'ς',
  '\u0301',
  '٣',
  '²',
  '½',
  '中',
  '文',
  '𝐀',
  '𝟘',
  '😀',
  '\ud800',
  '\udc00',
  '\x00',
  '\x1b',
  '\x85',
  'ǅ',
];

function randomText(rng: Rng, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += ALPHABET[rng.int(ALPHABET.length)];
  return s;
}

function texts(seed: number, n: number): string[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => randomText(rng, i % 7 === 0 ? 0 : 1 + rng.int(120)));
}

const cut = (s: string, p: ReturnType<typeof pieces>) => Array.from({ length: p.n }, (_, i) => s.slice(p.start[i], p.end[i]));

describe('scanning words without making strings', () => {
  it("isSpace is JavaScript's \\s, for every code unit", () => {
    const wrong: number[] = [];
    for (let c = 0; c < 65536; c++) if (isSpace(c) !== /\s/.test(String.fromCharCode(c))) wrong.push(c);
    expect(wrong).toEqual([]);
  });

  it("scanWords finds the runs the tokenizer's regular expression matches, hashed as hashUnits hashes them", () => {
    const p = pieces();
    for (const s of [...texts(1, 3000), 'aΣb 𝐀𝐀 𝐀 x_1 é\u0301é a\ud800b ab\udc00cd ٣٣ ²x', 'x'.repeat(5000)]) {
      const lower = s.toLowerCase();
      scanWords(lower, p);
      expect(cut(lower, p)).toEqual(lower.match(WORD) ?? []);
      for (let i = 0; i < p.n; i++) expect(p.hash[i]).toBe(hashUnits(lower, p.start[i], p.end[i]));
    }
  });

  it('scanSpaced finds what split(/\\s+/) leaves, empty pieces dropped', () => {
    const p = pieces();
    for (const s of [...texts(2, 3000), '  a  b\u3000c\ufeff ', '\n\n']) {
      scanSpaced(s, p);
      expect(cut(s, p)).toEqual(s.split(/\s+/).filter((w) => w !== ''));
      for (let i = 0; i < p.n; i++) expect(p.hash[i]).toBe(hashUnits(s, p.start[i], p.end[i]));
    }
  });

  it('StringTable finds each key by a piece of another string, grows, and empties', () => {
    const table = new StringTable();
    const keys = [...new Set(texts(3, 5000).filter((k) => k !== ''))];
    keys.forEach((k, i) => table.add(k, 0, k.length, hashUnits(k, 0, k.length), i));
    expect(table.size).toBe(keys.length);
    keys.forEach((k, i) => {
      const s = `<<${k}>>`;
      expect(table.get(s, 2, 2 + k.length, hashUnits(s, 2, 2 + k.length))).toBe(i);
    });
    // A key's prefix, or the key and one more unit, is not the key.
    const k = keys.find((x) => x.length > 3 && !keys.includes(x.slice(0, -1)))!;
    expect(table.get(k, 0, k.length - 1, hashUnits(k, 0, k.length - 1))).toBe(-1);
    table.clear();
    expect(table.size).toBe(0);
    expect(table.get(k, 0, k.length, hashUnits(k, 0, k.length))).toBe(-1);
  });
});

describe('counting by scanning', () => {
  const cfg = featureConfig({ maxChars: 300, wordNgrams: 1, titleNgrams: 1, charChars: 100, stopwords: false, stem: false });
  const hp = { ...cfg, minDf: 1, maxDf: 1, maxFeatures: 5000 };
  const corpus = [...texts(4, 400), 'Crash in virtio-net\nQEMU 9.0.1 crashes when x86_64 guests boot', 'ΣΊΣΥΦΟΣ σίσυφος\nÉcole 𝐀𝐁 中文 ٣٣'];

  const both = (cacheWords?: number) => {
    const index = () => TermIndex.fixed(Vectorizer.fit(corpus, hp).terms, CHARS, FIELD_PREFIXES);
    return { scan: new FieldCounter(cfg, index(), true, cacheWords), strings: new FieldCounter(cfg, index(), false) };
  };

  it.each([undefined, 7])(
    "gives what counting the tokenizer's strings gives, term for term, count for count, and the same coverage (n-gram cache of %s words)",
    (cacheWords) => {
      const { scan, strings } = both(cacheWords);
      expect(scan['scan']).toBeDefined();
      expect(strings['scan']).toBeUndefined();
      for (const t of [...corpus, ...texts(5, 500)]) {
        const a = scan.count(t).map((f) => ({ ids: Array.from(f.ids), counts: Array.from(f.counts) }));
        const b = strings.count(t).map((f) => ({ ids: Array.from(f.ids), counts: Array.from(f.counts) }));
        expect(a).toEqual(b);
        expect(scan.coverage()).toBe(strings.coverage());
      }
    },
  );

  it("a fitted vocabulary's single words are the same read from its terms (no trie built) as from its trie", () => {
    const terms = [...Vectorizer.fit(corpus, hp).terms, 't:only_title', 'two words', 't:two more'];
    const direct = TermIndex.fixed(terms, CHARS, FIELD_PREFIXES);
    expect(direct['unwalked']).toBeDefined();
    const a = direct.unigrams(FIELD_PREFIXES);
    expect(direct['unwalked']).toBeDefined(); // no trie was built for them
    const walked = TermIndex.fixed(terms, CHARS, FIELD_PREFIXES);
    walked.root('');
    expect(walked['unwalked']).toBeUndefined();
    const b = walked.unigrams(FIELD_PREFIXES);
    const ids = (u: typeof a, word: string) => {
      const w = u.table.get(word, 0, word.length, hashUnits(word, 0, word.length));
      return u.terms.map((t) => (w < 0 ? -1 : t[w]));
    };
    const words = new Set(terms.flatMap((t) => t.replace(/^t:/, '').split(' ')));
    expect(a.table.size).toBe(b.table.size);
    for (const word of words) expect(ids(a, word)).toEqual(ids(b, word));
    expect(ids(a, 'only_title')).toEqual([-1, terms.indexOf('t:only_title')]);
    expect(ids(a, 'two')).toEqual([-1, -1]);
  });

  it.each([undefined, 7])(
    "counts a training corpus into the same terms, in the same order, and the same counts as the tokenizer's strings (n-gram cache of %s words)",
    (cacheWords) => {
      const scan = new FieldCounter(cfg, TermIndex.growing(CHARS), true, cacheWords);
      const strings = new FieldCounter(cfg, TermIndex.growing(CHARS), false);
      expect(scan['scan']).toBeDefined();
      expect(strings['scan']).toBeUndefined();
      for (const t of [...corpus, ...texts(5, 500), ...corpus]) {
        const a = scan.count(t).map((f) => ({ ids: Array.from(f.ids), counts: Array.from(f.counts) }));
        const b = strings.count(t).map((f) => ({ ids: Array.from(f.ids), counts: Array.from(f.counts) }));
        expect(a).toEqual(b);
      }
      expect(scan.index.terms.length).toBeGreaterThan(1000);
      expect(scan.index.terms).toEqual(strings.index.terms);
    },
  );

  it('is used only where it applies: single words, no stop words or stems', () => {
    for (const index of [TermIndex.fixed(['aa'], CHARS, FIELD_PREFIXES), TermIndex.growing(CHARS)]) {
      expect(new FieldCounter(cfg, index)['scan']).toBeDefined();
      for (const other of [{ wordNgrams: 2 }, { titleNgrams: 2 }, { stopwords: true }, { stem: true }])
        expect(new FieldCounter({ ...cfg, ...other }, index)['scan']).toBeUndefined();
    }
  });
});

describe('isBlank', () => {
  it("is normalizeText(text).trim() === '', without normalizing", () => {
    const rng = new Rng(6);
    const blanks = [' ', '\t', '\n', '\r', '\x00', '\x1b', '\x85', '\u00a0', '\u2000', '\u3000', '\ufeff', '\x7f'];
    const some = Array.from({ length: 3000 }, (_, i) => {
      let s = '';
      for (let k = 0; k < 1 + rng.int(6); k++) s += blanks[rng.int(blanks.length)];
      return i % 3 === 0 ? s + ALPHABET[rng.int(ALPHABET.length)] : s;
    });
    for (const t of [...some, ...texts(7, 500), '']) expect(isBlank(t)).toBe(normalizeText(t).trim() === '');
  });
});
