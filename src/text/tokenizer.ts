import { createRequire } from 'node:module';
import type * as Regexp from 'natural/lib/natural/tokenizers/regexp_tokenizer.js';
import type PorterStemmerType from 'natural/lib/natural/stemmers/porter_stemmer.js';
import type * as Stopwords from 'natural/lib/natural/util/stopwords.js';

/**
 * natural's parts (CommonJS), required when first used: prediction counts terms by scanning
 * (scan.ts) and, with the default options, never tokenizes, stems or drops stop words, so a
 * process predicting a few reports does not load them (nor the underscore library they load).
 */
const requireCjs = createRequire(import.meta.url);
let natural: { tokenizer: Regexp.RegexpTokenizer; stemmer: typeof PorterStemmerType; stopwords: Set<string> } | undefined;
function loadNatural(): NonNullable<typeof natural> {
  if (!natural) {
    const { RegexpTokenizer } = requireCjs('natural/lib/natural/tokenizers/regexp_tokenizer.js') as typeof Regexp;
    natural = {
      tokenizer: new RegexpTokenizer({ pattern: WORD, gaps: false }),
      stemmer: requireCjs('natural/lib/natural/stemmers/porter_stemmer.js') as typeof PorterStemmerType,
      stopwords: new Set((requireCjs('natural/lib/natural/util/stopwords.js') as typeof Stopwords).words),
    };
  }
  return natural;
}

/**
 * Words of a bug report: runs of letters, digits and underscores, joined through
 * inner dots, plus signs and hyphens so that `x86_64`, `virtio-net-pci`, `9.0.1`
 * and `qemu-system-aarch64` stay one token. Lower-cased.
 */
const WORD = /[\p{L}\p{N}_]{2,}/gu;

export function tokenize(text: string): string[] {
  return loadNatural().tokenizer.tokenize(text.toLowerCase()) ?? [];
}

export interface WordOptions {
  /** Drop English stop words (natural's list) before n-grams are formed. */
  stopwords: boolean;
  /** Reduce words to their Porter stems. */
  stem: boolean;
}

const stems = new Map<string, string>();

/** The words of a text after stop-word removal and stemming, as the options ask. */
export function words(text: string, opts: WordOptions): string[] {
  let out = tokenize(text);
  if (opts.stopwords) {
    const { stopwords } = loadNatural();
    out = out.filter((w) => !stopwords.has(w));
  }
  if (opts.stem) {
    out = out.map((w) => {
      let s = stems.get(w);
      if (s === undefined) {
        s = loadNatural().stemmer.stem(w);
        if (stems.size < 1_000_000) stems.set(w, s);
      }
      return s;
    });
  }
  return out;
}

/** The title is the report's first non-empty line. */
export function titleOf(text: string): string {
  const start = text.search(/\S/);
  if (start < 0) return '';
  const end = text.indexOf('\n', start);
  return end < 0 ? text.slice(start) : text.slice(start, end);
}

/** Word n-grams of length 1..n, joined by a space, each prefixed by `prefix`. */
export function ngrams(tokens: string[], n: number, prefix = ''): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    let gram = prefix + tokens[i];
    out.push(gram);
    for (let k = 1; k < n && i + k < tokens.length; k++) {
      gram += ' ' + tokens[i + k];
      out.push(gram);
    }
  }
  return out;
}

/**
 * Character n-grams of length min..max within words, as scikit-learn's `char_wb` analyzer:
 * each lower-cased, white-space separated word is padded with a space on either side; a word
 * shorter than n yields itself (padded) once. Each gram is prefixed by `prefix`.
 */
export function charNgrams(text: string, min: number, max: number, prefix = ''): string[] {
  return charWords(text).flatMap((word) => wordCharNgrams(word, min, max, prefix));
}

/** The words that character n-grams are taken from: lower-cased, split at white space. */
export function charWords(text: string): string[] {
  return text
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== '');
}

/** The character n-grams of one word (see charNgrams). */
export function wordCharNgrams(word: string, min: number, max: number, prefix = ''): string[] {
  const out: string[] = [];
  const w = ` ${word} `;
  for (let n = min; n <= max; n++) {
    if (w.length <= n) {
      out.push(prefix + w);
      break;
    }
    for (let i = 0; i + n <= w.length; i++) out.push(prefix + w.slice(i, i + n));
  }
  return out;
}
