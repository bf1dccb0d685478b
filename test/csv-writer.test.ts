/**
 * The CLI's CSV writer (src/cli/csv.ts) against csv-stringify with its defaults, which the CLI
 * used before: the same text for a fuzzer's rows of cells, and csv-parse reads back the cells.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvRows, type Cell } from '../src/cli/csv.js';

const text = fc
  .array(fc.constantFrom('a', 'b', ' ', ',', '"', '\n', '\r', '\r\n', ';', 'é', '\u0000', '\t', '𝄞', '-', '='), { maxLength: 8 })
  .map((c) => c.join(''));
const cell: fc.Arbitrary<Cell> = fc.oneof(
  text,
  fc.integer({ min: -5, max: 1000 }),
  fc.double({ noNaN: false }),
  fc.constantFrom(null, undefined, ''),
);
const rows = fc.array(fc.array(cell, { minLength: 1, maxLength: 6 }), { maxLength: 5 });

describe('the CSV writer', () => {
  it('writes what csv-stringify writes, for any rows of text, numbers and absent cells', () => {
    fc.assert(
      fc.property(rows, (r) => {
        expect(csvRows(r)).toBe(stringify(r as unknown[][]));
      }),
      { seed: 20261205, numRuns: 5000 },
    );
  });

  it('is read back cell for cell', () => {
    fc.assert(
      fc.property(fc.array(fc.array(text, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 5 }), (r) => {
        // csv-parse skips a line with nothing on it: a row of empty cells has its commas.
        expect(parse(csvRows(r), { relax_quotes: false })).toEqual(r);
      }),
      { seed: 20261205, numRuns: 2000 },
    );
  });

  it('quotes what must be quoted, and only that', () => {
    expect(csvRows([['1', 'a,b', 'say "hi"', 'two\nlines', 'cr\r', '', 0.5, null]])).toBe(
      '1,"a,b","say ""hi""","two\nlines","cr\r",,0.5,\n',
    );
  });
});
