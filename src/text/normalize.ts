/**
 * One text, one form: what every report goes through before its features are counted, at
 * training and at prediction alike, so that the same report gets the same answer whatever
 * system wrote it. Line ends become `\n` (CRLF and lone CR alike), control characters other
 * than tab and line feed are removed (NUL bytes and terminal escapes in pasted logs), and the
 * text is put in Unicode normal form C (a precomposed `é` and `e` + combining accent are one).
 */

/** C0 controls except tab and line feed (CR is handled as a line end), DEL, and the C1 controls. */
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f]/g;
const HAS_CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f]/;
const NON_ASCII = /[^\x00-\x7f]/;

/** Anything normalizeText may change: control characters, CR, and any non-ASCII character. */
const UNUSUAL = /[\x00-\x08\x0b-\x1f\x7f-\uffff]/;

/** The text in bugcat's one form (see above). Cheap on text that is already in it: one scan of a plain ASCII text. */
export function normalizeText(text: string): string {
  if (!UNUSUAL.test(text)) return text;
  let t = text;
  if (t.includes('\r')) t = t.replace(/\r\n?/g, '\n');
  if (HAS_CONTROL.test(t)) t = t.replace(CONTROL, '');
  if (NON_ASCII.test(t)) t = t.normalize('NFC');
  return t;
}

/** How many characters normalizeText would remove as control characters (line ends aside). */
export function controlCharacters(text: string): number {
  // UNUSUAL first: a superset, and a faster scan of the text that holds none (most do).
  if (!UNUSUAL.test(text) || !HAS_CONTROL.test(text)) return 0;
  return text.match(CONTROL)?.length ?? 0;
}

/**
 * Anything normalizeText keeps that is not white space: control characters are removed, line
 * ends become white space, and NFC composes no white space into anything else, nor the reverse.
 */
const NOT_BLANK = /[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f]/;

/** True if a text holds nothing but white space (after normalization): normalizeText(text).trim() === ''. */
export const isBlank = (text: string): boolean => !NOT_BLANK.test(text);
