import { describe, expect, it } from 'vitest';
import { charNgrams, ngrams, titleOf, tokenize } from '../src/text/tokenizer.js';

describe('tokenize', () => {
  it('lower-cases and keeps words of two or more letters, digits or underscores', () => {
    expect(tokenize('QEMU hangs at Boot: x86_64 -kernel a')).toEqual(['qemu', 'hangs', 'at', 'boot', 'x86_64', 'kernel']);
  });
  it('splits compounds on hyphens, dots and slashes, as scikit-learn does', () => {
    expect(tokenize('virtio-net-pci hw/net/e1000.c v9.0')).toEqual(['virtio', 'net', 'pci', 'hw', 'net', 'e1000', 'v9']);
  });
  it('handles non-ASCII letters and empty input', () => {
    expect(tokenize('Überprüfung réseau')).toEqual(['überprüfung', 'réseau']);
    expect(tokenize('')).toEqual([]);
    expect(tokenize('!!! ? -')).toEqual([]);
  });
});

describe('titleOf', () => {
  it('is the first non-empty line', () => {
    expect(titleOf('\n\n  Guest hangs\nbody text')).toBe('Guest hangs');
    expect(titleOf('only a title')).toBe('only a title');
    expect(titleOf('   \n ')).toBe('');
  });
});

describe('ngrams', () => {
  it('gives 1..n-grams in text order, with a prefix', () => {
    expect(ngrams(['a', 'b', 'c'], 2)).toEqual(['a', 'a b', 'b', 'b c', 'c']);
    expect(ngrams(['a', 'b'], 1, 't:')).toEqual(['t:a', 't:b']);
    expect(ngrams(['a', 'b', 'c'], 3)).toEqual(['a', 'a b', 'a b c', 'b', 'b c', 'c']);
  });
});

describe('charNgrams', () => {
  it('takes 3..5-grams within space-padded words, like scikit-learn char_wb', () => {
    expect(charNgrams('Net', 3, 5)).toEqual([' ne', 'net', 'et ', ' net', 'net ', ' net ']);
    expect(charNgrams('a  b', 3, 5, 'c:')).toEqual(['c: a ', 'c: b ']);
    expect(charNgrams('', 3, 5)).toEqual([]);
  });
});
