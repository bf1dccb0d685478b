import { deserialize, serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { PackedTerms, packTerms } from '../src/text/termlist.js';

describe('term lists packed for another thread', () => {
  // Words, the title's and character n-gram prefixes, spaces (word n-grams), an empty term,
  // accented letters, CJK and a character beyond the BMP (two code units).
  const terms = ['qemu', 't:boot', 'c: ab', 'c:abc ', 'guest hangs', '', 'é', 'c: 中文', '𝐀x', 'c:x_1'];

  it('give back every term, in order, after crossing to another thread (structured clone)', () => {
    const posted = deserialize(serialize(packTerms(terms))) as ReturnType<typeof packTerms>;
    expect(posted.ends).toBeInstanceOf(Int32Array);
    const list = new PackedTerms(posted);
    expect(list.length).toBe(terms.length);
    // Asked out of order and twice: the same strings.
    for (const i of [3, 0, 9, 5, 3, 8, 1, 2, 4, 6, 7]) expect(list.at(i)).toBe(terms[i]);
    expect(Array.from({ length: list.length }, (_, i) => list.at(i))).toEqual(terms);
  });

  it('answer undefined for what is not a term id', () => {
    const list = new PackedTerms(packTerms(terms));
    for (const i of [-1, terms.length, 1.5, NaN]) expect(list.at(i)).toBeUndefined();
    expect(new PackedTerms(packTerms([])).length).toBe(0);
  });
});
