/**
 * The CLI's CSV output: rows of cells as csv-stringify writes them with its defaults (which is
 * what the CLI used before): cells separated by commas, each row ending in `\n`; a cell holding
 * a comma, a double quote, `\n` or `\r` is quoted, its quotes written twice; a number is written
 * as String writes it, an absent cell (null, undefined) as nothing. test/csv-writer.test.ts holds
 * it to csv-stringify on a fuzzer's rows.
 *
 * Written here rather than through csv-stringify, whose generic path (options normalised per
 * field, a record assembled through casts) was 0.37 s of the 103,122-report predict's reading
 * thread and 300 MB of its garbage, for 5 MB of output.
 */

/** A cell: text, a number, or nothing. */
export type Cell = string | number | null | undefined;

/** Characters that make a cell quoted. */
const SPECIAL = /[",\n\r]/;
const QUOTES = /"/g;

/** One cell as CSV. */
function cell(value: Cell): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'string' ? value : String(value);
  return SPECIAL.test(s) ? `"${s.replace(QUOTES, '""')}"` : s;
}

/** Rows as CSV text, each ending in a line feed. */
export function csvRows(rows: readonly (readonly Cell[])[]): string {
  let out = '';
  for (const row of rows) {
    for (let k = 0; k < row.length; k++) out += k === 0 ? cell(row[k]) : `,${cell(row[k])}`;
    out += '\n';
  }
  return out;
}
