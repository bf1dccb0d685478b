import { readFileSync, statSync } from 'node:fs';
import { DataError } from '../base/errors.js';
import { controlCharacters } from '../text/normalize.js';

/**
 * Bytes to report text: UTF-8 (invalid sequences become U+FFFD, a leading byte-order mark is
 * dropped). Text with a few stray control characters (NUL bytes in a pasted log, terminal
 * escapes) is text: it is decoded as it is, and normalize.ts removes them before features; the
 * caller hears how many there were, to warn. Bytes that are mostly control characters are not
 * a report at all: refused as binary.
 */
export interface Decoded {
  text: string;
  /** Control characters (other than tab and line ends) the text holds: removed before features. */
  controls: number;
}

/** Share of control bytes above which input is binary data, not text (text with a few stray NULs is far below it). */
const BINARY_SHARE = 0.1;

export function decodeBytes(bytes: Uint8Array, source: string): Decoded {
  let controls = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) controls++;
  }
  if (controls >= 4 && controls > BINARY_SHARE * bytes.length) {
    throw new DataError(
      `${source} looks like binary data, not text (${Math.round((100 * controls) / bytes.length)} % of its bytes are control characters)`,
      { code: 'BINARY', path: source },
    );
  }
  const text = new TextDecoder('utf-8').decode(bytes);
  return { text, controls: controlCharacters(text) };
}

/** Reads a file as report text (see decodeBytes); `what` names what was expected, in messages. */
export function readTextFile(path: string, what = 'file'): Decoded {
  let bytes: Buffer;
  try {
    if (statSync(path).isDirectory()) throw new DataError(`${path} is a folder, not a ${what}`, { code: 'IS_FOLDER', path });
    bytes = readFileSync(path);
  } catch (err) {
    if (err instanceof DataError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataError(`${path}: no such file; check the path`, { code: 'NOT_FOUND', path });
    if (code === 'EACCES') throw new DataError(`${path}: permission denied`, { code: 'UNREADABLE', path });
    throw new DataError(`${path}: cannot read it (${(err as Error).message})`, { code: 'UNREADABLE', path });
  }
  return decodeBytes(bytes, path);
}
