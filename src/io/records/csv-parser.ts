/**
 * bugcat's CSV parser: RFC 4180 as csv-parse reads it with { bom: true, skip_empty_lines: true,
 * relax_column_count: false }, record for record, and failing where it fails:
 *   - fields are separated by commas; a field that starts with a double quote is quoted, and a
 *     double quote inside it is written twice; a closing quote is followed by a comma, the end of
 *     the record or of the input (or a NUL character, which csv-parse lets through as the start of
 *     more of the field);
 *   - the first line ending met outside quotes (\r\n, \n or \r) ends every record after it; the
 *     other line-ending characters are part of the field they are in;
 *   - a line with nothing on it is skipped; every record has as many fields as the first;
 *   - a leading byte-order mark is dropped.
 * Field ends are found with indexOf and one regular expression over the decoded text, where
 * csv-parse looks at a byte at a time: reading, decoding and parsing the corpus x18 (186 MB) took
 * 0.66 s, against csv-parse's 3.0 s (2026-12-05, AMD EPYC). test/csv-parser.test.ts
 * holds it to csv-parse on a fuzzer's inputs, the fixtures and the shared corpus.
 *
 * Text is given in pieces (push), as it is read; complete records come out as they are found.
 * A record not yet complete is scanned again from its start when enough more text has come (at
 * least as much again), so that a huge quoted field costs linear time, not quadratic.
 */

/** What is wrong with a CSV, where: `line` is the record's first line, or the line of the stray quote. */
export class CsvSyntaxError extends Error {
  constructor(
    readonly kind: 'QUOTE_NOT_CLOSED' | 'INVALID_CLOSING_QUOTE' | 'INVALID_OPENING_QUOTE' | 'INCONSISTENT_FIELDS',
    readonly line: number,
    /** Of INCONSISTENT_FIELDS: the record's fields, and the header's. */
    readonly fields?: { got: number; expected: number },
  ) {
    super(`${kind} at line ${line}`);
    this.name = 'CsvSyntaxError';
  }
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;
/** An unquoted field ends at a comma or a line-ending character; a quote in one is an error. */
const SPECIAL = /[",\r\n]/g;
/**
 * Characters scanned at a time, at most (with what is left of a record begun before them): a
 * string of up to 64 KB is made in V8's young generation, whose memory is reused; a larger one
 * gets fresh pages, which cost about 10 microseconds each on the machine this was measured on
 * (joining 64 KB pieces took more time than parsing them).
 */
const PIECE = 1 << 14;
/** A quote written twice inside a quoted field. */
const DOUBLED = /""/g;
/** Any character outside ASCII. */
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * The same text as a string of one byte a character. V8 keeps a string of two bytes a character
 * if any character of what it was made from was wider: a slice of such a string, or a string
 * joined with one, is wide too, even where it is all ASCII. Once one report of a CSV had a
 * non-ASCII character, every field after it was wide (the text not yet made into records is
 * carried into the next join): 99 % of the corpus's reports, where 7 % hold a non-ASCII
 * character. Wide strings cost twice the memory and the copying (collections, messages to
 * worker threads), and slower lowercasing, scanning and hashing. Only for ASCII text.
 */
const narrow = (ascii: string): string => Buffer.from(ascii, 'latin1').toString('latin1');
/** A field of text that may be wide: narrowed if it is ASCII. */
const narrowField = (s: string): string => (s.length === 0 || NON_ASCII.test(s) ? s : narrow(s));

export class CsvParser {
  /** Text not yet made into records, from `pos`; `pending` is text pushed since the last scan. */
  private buf = '';
  private pos = 0;
  private pending: string[] = [];
  private pendingLength = 0;
  /** Whether buf, or a piece in pending, may be wide (see narrow): fields of a wide buf are narrowed where they can be. */
  private wide = false;
  private pendingWide = false;
  /** How long the unscanned text must be before a record found incomplete is scanned again. */
  private wait = 0;
  /** The record delimiter, once the first line ending outside quotes has shown it. */
  private rd: '' | '\n' | '\r\n' | '\r' = '';
  /** Line of buf[0] (1 = the first). */
  private line = 1;
  /** Where the last record found starts in buf (after the empty lines before it). */
  private start = 0;
  /** Fields of the first record, which every other must have. */
  private width = -1;
  private started = false;

  /**
   * Parses more text: the records it completes are appended to `out`. `ascii`: the caller knows
   * the text is ASCII made as such (decoded from ASCII bytes), and it is not looked at for wide
   * characters (see narrow); it changes how fields are held, never what they hold.
   */
  push(text: string, out: string[][], ascii?: boolean): void {
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    // Pieces that are ASCII are narrowed as they come (a slice of a wide text is wide), unless
    // the caller knows the text is narrow; the others are wide.
    const whole = text.length <= PIECE;
    const nonAscii = ascii !== true && NON_ASCII.test(text);
    // In pieces: the text scanned at a time stays small, a string V8 makes without fresh memory.
    for (let i = 0; i < text.length; i += PIECE) {
      let piece = whole ? text : text.slice(i, i + PIECE);
      if (ascii !== true) {
        if (nonAscii && (whole || NON_ASCII.test(piece))) this.pendingWide = true;
        else piece = narrow(piece);
      }
      this.pending.push(piece);
      this.pendingLength += piece.length;
      if (this.buf.length - this.pos + this.pendingLength >= this.wait) this.scan(false, out);
    }
  }

  /** The input is over: its last records are appended to `out` (or it is found wanting: CsvSyntaxError). */
  end(out: string[][]): void {
    this.scan(true, out);
  }

  private scan(final: boolean, out: string[][]): void {
    this.compact();
    for (;;) {
      const row = this.record(final);
      if (row === null) {
        // Incomplete: scan again once as much text again has come.
        this.wait = 2 * (this.buf.length - this.pos);
        return;
      }
      if (row === undefined) return;
      if (this.wide) for (let f = 0; f < row.length; f++) row[f] = narrowField(row[f]);
      if (this.width < 0) this.width = row.length;
      else if (row.length !== this.width)
        throw new CsvSyntaxError('INCONSISTENT_FIELDS', this.lineAt(this.start), { got: row.length, expected: this.width });
      out.push(row);
    }
  }

  /** Drops the text already made into records (counting its lines) and joins the text pushed since. */
  private compact(): void {
    if (this.pos > 0) {
      this.line += this.breaks(0, this.pos);
      this.buf = this.buf.slice(this.pos);
      this.pos = 0;
      // The rest of a wide text, all ASCII: narrowed, lest it make the next join wide.
      if (this.wide && !NON_ASCII.test(this.buf)) {
        this.buf = narrow(this.buf);
        this.wide = false;
      }
    }
    if (this.pending.length > 0) {
      // join makes one flat string (a + would make a rope, slower to scan)
      if (this.buf.length > 0) this.pending.unshift(this.buf);
      this.buf = this.pending.join('');
      this.pending = [];
      this.pendingLength = 0;
      this.wide ||= this.pendingWide;
      this.pendingWide = false;
    }
    this.wait = 0;
  }

  /** Line breaks in buf[from, to): line feeds, or carriage returns where they end records. */
  private breaks(from: number, to: number): number {
    const s = this.buf;
    const mark = this.rd === '\r' ? '\r' : '\n';
    let n = 0;
    for (let k = s.indexOf(mark, from); k >= 0 && k < to; k = s.indexOf(mark, k + 1)) n++;
    return n;
  }

  private lineAt(at: number): number {
    return this.line + this.breaks(0, at);
  }

  /**
   * Length of the record delimiter at `p` (a CR or LF): 0 if it is not one, -1 if the text
   * after it is needed to tell. The first one met outside quotes decides the delimiter.
   */
  private delimiterAt(p: number, final: boolean): number {
    const s = this.buf;
    const c = s.charCodeAt(p);
    if (this.rd === '') {
      if (c === LF) this.rd = '\n';
      else if (p + 1 >= s.length && !final) return -1;
      else this.rd = s.charCodeAt(p + 1) === LF ? '\r\n' : '\r';
      return this.rd.length;
    }
    if (this.rd === '\n') return c === LF ? 1 : 0;
    if (this.rd === '\r') return c === CR ? 1 : 0;
    if (c !== CR) return 0;
    if (p + 1 >= s.length) return final ? 0 : -1;
    return s.charCodeAt(p + 1) === LF ? 2 : 0;
  }

  /**
   * The record at pos (pos then moves past it), after any empty lines; null if the text ends
   * within it and more may come; undefined at the end of the input.
   */
  private record(final: boolean): string[] | null | undefined {
    const s = this.buf;
    const n = s.length;
    let p = this.pos;
    for (;;) {
      if (p >= n) {
        this.pos = p;
        return final ? undefined : null;
      }
      const c = s.charCodeAt(p);
      if (c !== CR && c !== LF) break;
      const len = this.delimiterAt(p, final);
      if (len < 0) return null;
      if (len === 0) break;
      p += len;
      this.pos = p; // an empty line: skipped
    }
    this.start = p;
    const fields: string[] = [];
    for (;;) {
      let prefix = '';
      if (s.charCodeAt(p) === QUOTE) {
        // A quoted field: to its closing quote, doubled quotes standing for one.
        let from = p + 1;
        let doubled = false;
        for (;;) {
          const k = s.indexOf('"', from);
          if (k < 0) {
            if (final) throw new CsvSyntaxError('QUOTE_NOT_CLOSED', this.lineAt(this.start));
            return null;
          }
          if (k + 1 >= n && !final) return null;
          if (s.charCodeAt(k + 1) === QUOTE) {
            doubled = true;
            from = k + 2;
            continue;
          }
          prefix = s.slice(p + 1, k);
          if (doubled) prefix = prefix.replace(DOUBLED, '"');
          p = k + 1;
          break;
        }
        if (p >= n) {
          fields.push(prefix);
          this.pos = p;
          return fields;
        }
        const c = s.charCodeAt(p);
        if (c === COMMA) {
          fields.push(prefix);
          p++;
          continue;
        }
        if (c === CR || c === LF) {
          const len = this.delimiterAt(p, final);
          if (len < 0) return null;
          if (len > 0) {
            fields.push(prefix);
            this.pos = p + len;
            return fields;
          }
        }
        // A NUL after the closing quote goes on as more of the field (as csv-parse has it).
        if (c !== 0) throw new CsvSyntaxError('INVALID_CLOSING_QUOTE', this.lineAt(p));
      }
      // An unquoted field (or the rest of one after a NUL): to the next comma or record delimiter.
      const start = p;
      SPECIAL.lastIndex = p;
      for (;;) {
        // test, not exec: no match array a field (the match is one character, before lastIndex).
        if (!SPECIAL.test(s)) {
          if (!final) return null;
          fields.push(prefix + s.slice(start));
          this.pos = n;
          return fields;
        }
        const k = SPECIAL.lastIndex - 1;
        const c = s.charCodeAt(k);
        if (c === COMMA) {
          fields.push(prefix + s.slice(start, k));
          p = k + 1;
          break;
        }
        if (c === QUOTE) throw new CsvSyntaxError('INVALID_OPENING_QUOTE', this.lineAt(k));
        const len = this.delimiterAt(k, final);
        if (len < 0) return null;
        if (len > 0) {
          fields.push(prefix + s.slice(start, k));
          this.pos = k + len;
          return fields;
        }
        SPECIAL.lastIndex = k + 1; // a line-ending character that is not the delimiter: part of the field
      }
    }
  }
}

/** The records of a whole CSV text (see CsvParser). */
export function parseCsv(text: string): string[][] {
  const parser = new CsvParser();
  const out: string[][] = [];
  parser.push(text, out);
  parser.end(out);
  return out;
}
