import { RegexpTokenizer } from 'natural/lib/natural/tokenizers/regexp_tokenizer.js';

/**
 * Words of a bug report: runs of letters, digits and underscores, joined through
 * inner dots, plus signs and hyphens so that `x86_64`, `virtio-net-pci`, `9.0.1`
 * and `qemu-system-aarch64` stay one token. Lower-cased.
 */
const WORD = /[\p{L}\p{N}_]{2,}/gu;
const tokenizer = new RegexpTokenizer({ pattern: WORD, gaps: false });

export function tokenize(text: string): string[] {
  return tokenizer.tokenize(text.toLowerCase()) ?? [];
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
