/**
 * Term vectors (text/vectors.ts) as one file: a JSON header line (format, version, method,
 * dimension, feature settings, counts, SHA-256 of the rest), a JSON line of the terms, then the
 * document frequencies (int32) and the vectors (float32, terms x dim), little-endian. Written
 * to a temporary sibling and moved into place, so a failed write never leaves half a file.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DataError } from '../base/errors.js';
import type { TermVectors } from '../text/vectors.js';

/** The format name a vectors file's header carries. */
export const VECTORS_FORMAT = 'bugcat-vectors';
/** The vectors format version this bugcat writes and reads. */
export const VECTORS_VERSION = 1;

interface Header {
  format: string;
  version: number;
  method: TermVectors['method'];
  config: TermVectors['config'];
  dim: number;
  docs: number;
  terms: number;
  sha256: string;
}

const sha256 = (parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

/** The bytes of a vectors file. */
export function encodeVectors(v: TermVectors): Uint8Array {
  const terms = Buffer.from(JSON.stringify(v.terms) + '\n', 'utf8');
  const df = Buffer.alloc(v.terms.length * 4);
  v.df.forEach((d, i) => df.writeInt32LE(d, i * 4));
  const vectors = Buffer.alloc(v.vectors.length * 4);
  v.vectors.forEach((x, i) => vectors.writeFloatLE(x, i * 4));
  const header: Header = {
    format: VECTORS_FORMAT,
    version: VECTORS_VERSION,
    method: v.method,
    config: v.config,
    dim: v.dim,
    docs: v.docs,
    terms: v.terms.length,
    sha256: sha256([terms, df, vectors]),
  };
  return Buffer.concat([Buffer.from(JSON.stringify(header) + '\n', 'utf8'), terms, df, vectors]);
}

/** Term vectors from the bytes of a vectors file, checked (format, version, sizes, checksum). `source` names it in messages. */
export function decodeVectors(bytes: Uint8Array, source: string): TermVectors {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (what: string) =>
    new DataError(`${source} is not a bugcat vectors file (${what})`, {
      code: 'NOT_VECTORS',
      advice: 'give a file that pretrain wrote',
      path: source,
    });
  const first = buf.indexOf(10);
  if (first < 0) throw bad('no header');
  let header: Header;
  try {
    header = JSON.parse(buf.subarray(0, first).toString('utf8')) as Header;
  } catch {
    throw bad('its header is not JSON');
  }
  if (header?.format !== VECTORS_FORMAT) throw bad('unknown format');
  if (header.version !== VECTORS_VERSION)
    throw new DataError(`${source} is a vectors file of version ${header.version}; this bugcat reads version ${VECTORS_VERSION}`, {
      code: 'VECTORS_VERSION',
      path: source,
    });
  const second = buf.indexOf(10, first + 1);
  if (second < 0) throw bad('no terms');
  const termBytes = buf.subarray(first + 1, second + 1);
  const dfStart = second + 1;
  const vecStart = dfStart + header.terms * 4;
  const end = vecStart + header.terms * header.dim * 4;
  if (buf.length !== end)
    throw new DataError(`${source} is damaged: ${buf.length} bytes where its header says ${end}`, {
      code: 'VECTORS_DAMAGED',
      advice: 'pretrain the vectors again',
      path: source,
    });
  if (sha256([termBytes, buf.subarray(dfStart, vecStart), buf.subarray(vecStart, end)]) !== header.sha256) {
    throw new DataError(`${source} is damaged: it does not match its checksum`, {
      code: 'VECTORS_DAMAGED',
      advice: 'pretrain the vectors again',
      path: source,
    });
  }
  const terms = JSON.parse(termBytes.toString('utf8')) as string[];
  if (terms.length !== header.terms) throw bad('its term count does not match');
  const df = new Int32Array(header.terms);
  for (let i = 0; i < df.length; i++) df[i] = buf.readInt32LE(dfStart + i * 4);
  const vectors = new Float32Array(header.terms * header.dim);
  for (let i = 0; i < vectors.length; i++) vectors[i] = buf.readFloatLE(vecStart + i * 4);
  return { method: header.method, config: header.config, dim: header.dim, docs: header.docs, terms, df, vectors };
}

/** Writes a vectors file atomically (a temporary sibling, then a rename). */
export function writeVectors(v: TermVectors, path: string): void {
  if (existsSync(path) && statSync(path).isDirectory())
    throw new DataError(`${path} is a folder: vectors are written to a file`, {
      code: 'VECTORS_TO_FOLDER',
      advice: 'choose a file name',
      path,
    });
  const tmp = join(dirname(path), `.${basename(path)}.partial-${process.pid}`);
  try {
    writeFileSync(tmp, encodeVectors(v));
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    if (err instanceof DataError) throw err;
    throw new DataError(`cannot write ${path}: ${(err as Error).message}`, { path });
  }
}

/** Reads and checks a vectors file. */
export function readVectors(path: string): TermVectors {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new DataError(
      `cannot read ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
      { code: 'VECTORS_NOT_FOUND', path },
    );
  }
  return decodeVectors(bytes, path);
}
