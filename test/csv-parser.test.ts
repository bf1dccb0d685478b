/**
 * bugcat's CSV parser (src/io/records/csv-parser.ts) against csv-parse with the options bugcat
 * used before it (bom, skip_empty_lines, no relaxed column count): the same records, or an error
 * of the same kind, for a fuzzer's CSVs cut into pieces anywhere, for every CSV the project holds,
 * and for the shared corpus beside the repository when it is there.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { serialize } from 'node:v8';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvParser, CsvSyntaxError, parseCsv } from '../src/io/records/csv-parser.js';
import { streamCsv } from '../src/io/records/csv.js';
import { ROOT } from './helpers.js';

const SEED = 20261205;
const CODES: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'QUOTE_NOT_CLOSED',
  CSV_INVALID_CLOSING_QUOTE: 'INVALID_CLOSING_QUOTE',
  INVALID_OPENING_QUOTE: 'INVALID_OPENING_QUOTE',
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'INCONSISTENT_FIELDS',
};

type Outcome = { rows: string[][] } | { error: string };

/** csv-parse's records, or its error's kind. */
function reference(text: string): Outcome {
  try {
    return { rows: parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false }) as string[][] };
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'none';
    return { error: CODES[code] ?? code };
  }
}

/** Ours, the text pushed in pieces cut at `cuts`. */
function ours(text: string, cuts: readonly number[] = []): Outcome {
  try {
    return { rows: parseInPieces(text, cuts) };
  } catch (err) {
    if (!(err instanceof CsvSyntaxError)) throw err;
    return { error: err.kind };
  }
}

/** ours, an error with the line it names. */
function withLine(text: string, cuts: readonly number[] = []): Outcome {
  try {
    return { rows: parseInPieces(text, cuts) };
  } catch (err) {
    if (!(err instanceof CsvSyntaxError)) throw err;
    return { error: `${err.kind} ${err.line}` };
  }
}

function parseInPieces(text: string, cuts: readonly number[]): string[][] {
  const parser = new CsvParser();
  const rows: string[][] = [];
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    parser.push(text.slice(at, Math.max(at, cut)), rows);
    at = Math.max(at, cut);
  }
  parser.push(text.slice(at), rows);
  parser.end(rows);
  return rows;
}

/** A field, quoted or not (quoted if it must be), of characters that make CSV hard. */
const field = fc
  .tuple(fc.array(fc.constantFrom('a', 'b', ' ', 'é', '"', ',', '\n', '\r', '\r\n', '\u0000', '𝄞'), { maxLength: 6 }), fc.boolean())
  .map(([chars, quote]) => {
    const v = chars.join('');
    return quote || /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
  });

/** A CSV: records of one width (now and then one of another), one line ending, empty lines, a BOM, then a few mutations. */
const csv = fc
  .record({
    width: fc.integer({ min: 1, max: 4 }),
    rows: fc.array(fc.tuple(fc.array(field, { minLength: 1, maxLength: 5 }), fc.boolean()), { minLength: 1, maxLength: 6 }),
    ending: fc.constantFrom('\n', '\r\n', '\r'),
    bom: fc.boolean(),
    trailing: fc.boolean(),
    mutations: fc.array(fc.tuple(fc.nat(), fc.constantFrom('"', ',', '\n', '\r', ' ', '\u0000', '')), { maxLength: 2 }),
  })
  .map(({ width, rows, ending, bom, trailing, mutations }) => {
    let text =
      (bom ? '\ufeff' : '') +
      rows
        .map(([fields, empty]) => fields.slice(0, fields.length > width ? width : fields.length).join(',') + (empty ? ending : ''))
        .join(ending) +
      (trailing ? ending : '');
    for (const [at, insert] of mutations) {
      const k = at % (text.length + 1);
      text = insert === '' ? text.slice(0, k) + text.slice(k + 1) : text.slice(0, k) + insert + text.slice(k);
    }
    // A mutation may split a surrogate pair: the text as a reader decodes it (bytes never hold half a character).
    return Buffer.from(text).toString();
  });

const cutsOf = (text: fc.Arbitrary<string>) =>
  text.chain((t) => fc.tuple(fc.constant(t), fc.array(fc.integer({ min: 0, max: t.length }), { maxLength: 6 })));

describe('the CSV parser gives what csv-parse gives', () => {
  it('for CSVs a fuzzer makes, cut into pieces anywhere', () => {
    let valid = 0;
    fc.assert(
      fc.property(cutsOf(csv), ([text, cuts]) => {
        const want = reference(text);
        if ('rows' in want) valid++;
        expect(ours(text, cuts)).toEqual(want);
      }),
      { seed: SEED, numRuns: 4000 },
    );
    expect(valid).toBeGreaterThan(1000); // the fuzzer tries valid CSVs as well as broken ones
  });

  it('for any string of the characters CSV gives meaning to', () => {
    const chars = fc
      .array(fc.constantFrom('a', ',', '"', '\n', '\r', ' ', '\u0000', '\ufeff', 'é'), { maxLength: 24 })
      .map((c) => c.join(''));
    fc.assert(
      fc.property(cutsOf(chars), ([text, cuts]) => {
        expect(ours(text, cuts)).toEqual(reference(text));
      }),
      { seed: SEED, numRuns: 4000 },
    );
  });

  it('for a quoted field far longer than the pieces it comes in, pushed a few characters at a time', () => {
    const long = 'x"",\r\n'.repeat(40_000);
    const text = `id,text\r\n1,"${long}"\r\n2,short\r\n`;
    const cuts = Array.from({ length: 3000 }, (_, k) => k * 97);
    const want = reference(text);
    expect(ours(text, cuts)).toEqual(want);
    expect(ours(text)).toEqual(want);
    expect((want as { rows: string[][] }).rows[1][1]).toBe('x",\r\n'.repeat(40_000));
  });

  it('for every CSV the project holds, and the shared corpus beside it when it is there', () => {
    const files = [...csvFiles(join(ROOT, 'test')), ...csvFiles(join(ROOT, 'data')), ...csvFiles(join(ROOT, '..', 'shared', 'data'))];
    expect(files).toContain(join(ROOT, 'test', 'fixtures', 'reports.csv'));
    for (const file of files) {
      const text = new TextDecoder().decode(readFileSync(file));
      const want = reference(text);
      expect(ours(text), file).toEqual(want);
      expect(
        ours(
          text,
          Array.from({ length: 50 }, (_, k) => Math.floor((k * text.length) / 50)),
        ),
        file,
      ).toEqual(want);
    }
  });

  it('for long records pushed in long pieces', () => {
    // Fields of up to about 9,000 characters (records spanning pieces, and pieces), pushed in
    // pieces of 8,192 to 30,000 characters; errors late in the text name the same line as when
    // pushed in pieces of 3,000 and whole.
    const long = fc
      .tuple(
        fc.array(fc.constantFrom('a', 'é', ' ', '"', ',', '\n', '\r\n', 'word '), { maxLength: 8 }),
        fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 60 }) }, fc.integer({ min: 60, max: 1200 })),
      )
      .map(([chars, times]) => {
        const v = chars.join('').repeat(times);
        return /[",\r\n]/.test(v) || v === '' ? `"${v.replace(/"/g, '""')}"` : v;
      });
    const text = fc
      .record({
        rows: fc.array(fc.tuple(fc.nat(), long), { minLength: 40, maxLength: 150 }),
        ending: fc.constantFrom('\n', '\r\n'),
        error: fc.option(fc.tuple(fc.nat(), fc.constantFrom('"', 'x"y', ',extra')), { nil: undefined }),
      })
      .map(({ rows, ending, error }) => {
        let t = `id,text${ending}${rows.map(([id, v]) => `${id},${v}`).join(ending)}${ending}`;
        if (error) {
          const at = t.length - (error[0] % Math.max(1, Math.floor(t.length / 4)));
          t = t.slice(0, at) + error[1] + t.slice(at);
        }
        return t;
      });
    let long_ = 0;
    fc.assert(
      fc.property(text, fc.array(fc.integer({ min: 8192, max: 30_000 }), { minLength: 1, maxLength: 20 }), (t, sizes) => {
        const cuts: number[] = [];
        for (let at = 0, k = 0; at < t.length; k++) cuts.push((at += sizes[k % sizes.length]));
        const short = Array.from({ length: Math.ceil(t.length / 3000) }, (_, k) => k * 3000);
        const want = reference(t);
        if (t.length > 3 * 8192) long_++;
        expect(ours(t, cuts)).toEqual(want);
        expect(withLine(t, cuts)).toEqual(withLine(t, short));
        expect(withLine(t)).toEqual(withLine(t, short));
      }),
      { seed: SEED, numRuns: 300 },
    );
    expect(long_).toBeGreaterThan(200);
  });

  it('parseCsv is the parser over a whole text', () => {
    expect(parseCsv('\ufeffid,text\n\n1,"a ""b"""\n2,x\r\n')).toEqual([
      ['id', 'text'],
      ['1', 'a "b"'],
      ['2', 'x\r'],
    ]);
  });
});

/** True if V8 holds the string two bytes a character (its serialization's tag, after any padding, is 'c'). */
function wide(s: string): boolean {
  const bytes = serialize(s);
  let k = 2;
  while (bytes[k] === 0) k++;
  return bytes[k] === 0x63;
}

describe('fields of ASCII text are held one byte a character', () => {
  // 40 reports of about 1 KB, every tenth with a character outside Latin-1: whole, pushed at
  // once and in pieces, and streamed from bytes cut anywhere (within a character too).
  const reports = Array.from({ length: 40 }, (_, k) => `${'word '.repeat(200)}${k % 10 === 3 ? '→ arrow' : 'plain'} ${k}`);
  const text = `id,text\n${reports.map((r, k) => `${k},"${r}"`).join('\n')}\n`;
  const check = (rows: string[][]) => {
    expect(rows.map((r) => r[1])).toEqual(reports);
    expect(rows.filter((r) => wide(r[1])).map((r) => r[0])).toEqual(['3', '13', '23', '33']);
  };
  it('after a report that is not, parsed whole or in pieces', () => {
    expect(wide(text)).toBe(true);
    check(parseCsv(text).slice(1));
    const parser = new CsvParser();
    const rows: string[][] = [];
    for (let at = 0; at < text.length; at += 777) parser.push(text.slice(at, at + 777), rows);
    parser.end(rows);
    check(rows.slice(1));
  });

  it('streamed from bytes, whatever the chunks (a character cut in two, a stray byte)', async () => {
    const bytes = Buffer.from(text);
    const arrow = bytes.indexOf('→');
    for (const cuts of [[arrow + 1], [arrow + 2, 5000], [1, 1000, 2000, 30_000]]) {
      const chunks = [0, ...cuts].map((at, k, all) => bytes.subarray(at, all[k + 1]));
      const got: string[][] = [];
      for await (const r of streamCsv(Readable.from(chunks), 'reports.csv', { text: 'text', id: 'id' })) got.push([r.id, r.text]);
      check(got);
    }
    // An invalid byte: decoded as U+FFFD where it is, the reports after it ASCII again.
    const broken = Buffer.concat([Buffer.from('id,text\n1,a'), Buffer.from([0xc3]), Buffer.from(`\n2,${'b'.repeat(20)}\n`)]);
    const got: string[] = [];
    for await (const r of streamCsv(Readable.from([broken.subarray(0, 12), broken.subarray(12)]), 'x.csv', { text: 'text', id: 'id' }))
      got.push(r.text);
    expect(got).toEqual(['a\ufffd', 'b'.repeat(20)]);
    expect(wide(got[1])).toBe(false);
  });
});

describe('the line an error names', () => {
  const lineOf = (text: string) => {
    try {
      parseCsv(text);
    } catch (err) {
      return `${(err as CsvSyntaxError).kind} ${(err as CsvSyntaxError).line}`;
    }
    return 'no error';
  };
  it('is where the record starts, or where the stray quote is, counting line ends of either kind once', () => {
    expect(lineOf('id,text\r\n1,"a\r\nb"\r\n2,"never closed\r\n3,x\r\n')).toBe('QUOTE_NOT_CLOSED 4');
    expect(lineOf('id,text\n1,"a\nb"\n2\n')).toBe('INCONSISTENT_FIELDS 4');
    expect(lineOf('id,text\r1,ok\r2,"x"y\r')).toBe('INVALID_CLOSING_QUOTE 3');
    expect(lineOf('id,text\n\n\n1,he said "hi"\n')).toBe('INVALID_OPENING_QUOTE 4');
  });

  it('is the same streamed, where the records before the error still come', async () => {
    const text = 'id,text\n1,one\n2,two\n3,"never closed\n4,x\n';
    const bytes = Readable.from([Buffer.from(text.slice(0, 17)), Buffer.from(text.slice(17))]);
    const got: string[] = [];
    const read = async () => {
      for await (const r of streamCsv(bytes, 'reports.csv', { text: 'text', id: 'id' })) got.push(r.id);
    };
    await expect(read()).rejects.toThrow(
      'reports.csv is not valid CSV: a quoted field in the record that starts on line 4 is never closed',
    );
    expect(got).toEqual(['1', '2']);
  });
});

describe('a CSV stream that fails to be read', () => {
  it('ends, after the records read before, in a DataError naming the file', async () => {
    const bytes = new Readable({ read() {} });
    bytes.push(Buffer.from('id,text\n1,one\n2,two\n'));
    setImmediate(() => bytes.destroy(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' })));
    const got: string[] = [];
    const read = async () => {
      for await (const r of streamCsv(bytes, 'reports.csv', { text: 'text', id: 'id' })) got.push(r.id);
    };
    await expect(read()).rejects.toMatchObject({ code: 'UNREADABLE', message: 'reports.csv: cannot read it (EIO: i/o error, read)' });
    expect(got).toEqual(['1', '2']);
  });
});

function csvFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : csvFiles(path);
    return name.endsWith('.csv') ? [path] : [];
  });
}
