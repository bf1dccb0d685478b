import { SimilarIndex } from '../model/similar.js';

/**
 * A model's similarity index as the bytes of its file (format.ts's SIMILAR): "BCSI", the format
 * version (uint32), the header's length (uint32), the header (JSON: ids, label names, each
 * report's labels, terms kept, vocabulary size, the width of a feature id), padded to 4 bytes,
 * then the rows' offsets (int32, n + 1), the scales (float32, n), the feature ids (uint16 when the
 * vocabulary fits, else uint32), padded to 4 bytes, and the quantised weights (uint8). Little-endian.
 * Its checksum is in the model's manifest, like every other file's.
 */
const MAGIC = 'BCSI';
const VERSION = 1;

interface Header {
  n: number;
  nnz: number;
  terms: number;
  vocabSize: number;
  idBytes: 2 | 4;
  ids: string[];
  labelSet: string[];
  labels: number[][];
}

const pad4 = (n: number) => (n + 3) & ~3;

/** True on a little-endian machine, whose typed arrays read the file's bytes as they are. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The bytes of an index. */
export function encodeIndex(index: SimilarIndex): Uint8Array {
  const idBytes = index.indices instanceof Uint16Array ? 2 : 4;
  const header: Header = {
    n: index.size,
    nnz: index.values.length,
    terms: index.terms,
    vocabSize: index.vocabSize,
    idBytes,
    ids: [...index.ids],
    labelSet: [...index.labelSet],
    labels: index.labels.map((l) => [...l]),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const n = index.size;
  const nnz = index.values.length;
  const start = pad4(12 + json.length);
  const idsAt = start + 4 * (n + 1) + 4 * n;
  const valuesAt = pad4(idsAt + idBytes * nnz);
  const bytes = new Uint8Array(valuesAt + nnz);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, json.length, true);
  bytes.set(json, 12);
  let at = start;
  for (const x of index.offsets) view.setInt32((at += 4) - 4, x, true);
  for (const x of index.scales) view.setFloat32((at += 4) - 4, x, true);
  for (const x of index.indices) {
    if (idBytes === 2) view.setUint16((at += 2) - 2, x, true);
    else view.setUint32((at += 4) - 4, x, true);
  }
  bytes.set(index.values, valuesAt);
  return bytes;
}

/** An index from its bytes; throws an Error saying what does not fit (the caller names the model). */
export function decodeIndex(bytes: Uint8Array): SimilarIndex {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) throw new Error('it is not a bugcat similarity index');
  const version = view.getUint32(4, true);
  if (version !== VERSION) throw new Error(`its format version is ${version}; this bugcat reads version ${VERSION}`);
  const length = view.getUint32(8, true);
  if (12 + length > bytes.length) throw new Error('it is shorter than its header says');
  const h = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + length))) as Header;
  const { n, nnz, idBytes } = h;
  if (!Number.isInteger(n) || !Number.isInteger(nnz) || (idBytes !== 2 && idBytes !== 4) || !Array.isArray(h.ids))
    throw new Error('its header is not an index header');
  let at = pad4(12 + length);
  const valuesAt = pad4(at + 8 * n + 4 + idBytes * nnz);
  if (valuesAt + nnz !== bytes.length) throw new Error(`it holds ${bytes.length} bytes; its header says ${valuesAt + nnz}`);
  // The arrays are copied out of the file's bytes whole (little-endian machines: every one Node
  // runs on today), or value by value where the machine's order differs.
  const copy = <T>(make: new (buffer: ArrayBuffer) => T, length: number, width: number, read: (at: number) => number): T => {
    const start = bytes.byteOffset + at;
    const out = LITTLE_ENDIAN
      ? new make(bytes.buffer.slice(start, start + length * width) as ArrayBuffer)
      : new make(new ArrayBuffer(length * width));
    if (!LITTLE_ENDIAN) for (let k = 0; k < length; k++) (out as unknown as number[])[k] = read(at + k * width);
    at += length * width;
    return out;
  };
  const offsets = copy(Int32Array, n + 1, 4, (o) => view.getInt32(o, true));
  const scales = copy(Float32Array, n, 4, (o) => view.getFloat32(o, true));
  const indices =
    idBytes === 2 ? copy(Uint16Array, nnz, 2, (o) => view.getUint16(o, true)) : copy(Uint32Array, nnz, 4, (o) => view.getUint32(o, true));
  const values = bytes.slice(valuesAt, valuesAt + nnz);
  return new SimilarIndex(h.ids, h.labelSet, h.labels, offsets, indices, values, scales, h.terms, h.vocabSize);
}
