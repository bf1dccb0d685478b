import type { Rng } from '../base/rng.js';
import type { SparseVector } from './sparse.js';

/**
 * Truncated SVD of a sparse matrix by randomized range finding (Halko, Martinsson and Tropp
 * 2011, algorithm 4.4 with power iterations): the top `rank` right singular vectors of the
 * rows x cols matrix whose rows are `rows`. It costs a few passes of nnz x (rank + oversample)
 * and never forms a dense rows x cols matrix. Seeded by `rng`: the same input and seed give the
 * same vectors.
 */
export interface TruncatedSvd {
  /** cols x rank, row-major: column j is the j-th right singular vector. */
  vectors: Float64Array;
  /** The rank singular values, largest first. */
  values: Float64Array;
  rank: number;
}

export function randomizedSvd(
  rows: readonly SparseVector[],
  cols: number,
  rank: number,
  rng: Rng,
  { oversample = 8, power = 1 } = {},
): TruncatedSvd {
  const l = Math.min(rank + oversample, cols, Math.max(1, rows.length));
  const r = rows.length;
  // Omega: cols x l, Gaussian (Box-Muller from the seeded stream).
  let z: Float32Array = new Float32Array(cols * l);
  for (let i = 0; i < z.length; i++) z[i] = Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  // Y = A Omega, orthonormalised; then power iterations Z = A^T Q, Y = A Z.
  let q = orthonormalise(multiply(rows, z, l, r), r, l);
  for (let p = 0; p < power; p++) {
    z = orthonormalise(multiplyTransposed(rows, q, l, cols), cols, l);
    q = orthonormalise(multiply(rows, z, l, r), r, l);
  }
  // B^T = A^T Q (cols x l); the small l x l matrix B B^T = Q^T A A^T Q gives B's left singular vectors.
  const bt = multiplyTransposed(rows, q, l, cols);
  const gram = upperGram(bt, cols, l);
  for (let a = 0; a < l; a++) for (let b = 0; b < a; b++) gram[a * l + b] = gram[b * l + a];
  const { values: eig, vectors: u } = symmetricEigen(gram, l);
  const order = Array.from({ length: l }, (_, i) => i).sort((a, b) => eig[b] - eig[a]);
  const k = Math.min(rank, l);
  const values = new Float64Array(k);
  const vectors = new Float64Array(cols * k);
  for (let c = 0; c < k; c++) {
    const e = order[c];
    const s = Math.sqrt(Math.max(0, eig[e]));
    values[c] = s;
    if (s === 0) continue;
    // v_c = B^T u_c / s_c
    for (let j = 0; j < cols; j++) {
      let acc = 0;
      for (let a = 0; a < l; a++) acc += bt[j * l + a] * u[a * l + e];
      vectors[j * k + c] = acc / s;
    }
  }
  return { vectors, values, rank: k };
}

/** A x M: rows x cols sparse times cols x l dense (row-major) gives rows x l (single precision: the passes are memory-bound). */
function multiply(rows: readonly SparseVector[], m: Float32Array, l: number, r: number): Float32Array {
  const out = new Float32Array(r * l);
  rows.forEach(({ indices, values }, i) => {
    const o = i * l;
    for (let k = 0; k < indices.length; k++) {
      const v = values[k];
      const base = indices[k] * l;
      for (let a = 0; a < l; a++) out[o + a] += v * m[base + a];
    }
  });
  return out;
}

/** A^T M: (rows x cols)^T times rows x l dense gives cols x l. */
function multiplyTransposed(rows: readonly SparseVector[], m: Float32Array, l: number, cols: number): Float32Array {
  const out = new Float32Array(cols * l);
  rows.forEach(({ indices, values }, i) => {
    const o = i * l;
    for (let k = 0; k < indices.length; k++) {
      const v = values[k];
      const base = indices[k] * l;
      for (let a = 0; a < l; a++) out[base + a] += v * m[o + a];
    }
  });
  return out;
}

/** The upper triangle (diagonal included) of M^T M, l x l row-major, for M n x l row-major: the Gram matrix of M's columns. */
function upperGram(m: Float32Array, n: number, l: number): Float64Array {
  const g = new Float64Array(l * l);
  for (let i = 0; i < n; i++) {
    const o = i * l;
    for (let a = 0; a < l; a++) {
      const x = m[o + a];
      if (x === 0) continue;
      for (let b = a; b < l; b++) g[a * l + b] += x * m[o + b];
    }
  }
  return g;
}

/**
 * Orthonormal columns spanning those of an n x l row-major matrix, in place: Cholesky QR, twice
 * for stability (CholeskyQR2): G = M^T M, G = R^T R, M <- M R^-1. Row by row, so it runs at
 * memory speed on tall matrices; a (nearly) null direction is damped by a tiny ridge on G.
 */
function orthonormalise(m: Float32Array, n: number, l: number): Float32Array {
  for (let pass = 0; pass < 2; pass++) {
    const g = upperGram(m, n, l);
    let trace = 0;
    for (let a = 0; a < l; a++) trace += g[a * l + a];
    const ridge = Math.max(1e-300, trace * 1e-12);
    // Upper Cholesky factor R (g = R^T R), in place in g's upper triangle.
    for (let a = 0; a < l; a++) {
      let d = g[a * l + a] + ridge;
      for (let k = 0; k < a; k++) d -= g[k * l + a] ** 2;
      const r = Math.sqrt(Math.max(d, ridge));
      g[a * l + a] = r;
      for (let b = a + 1; b < l; b++) {
        let x = g[a * l + b];
        for (let k = 0; k < a; k++) x -= g[k * l + a] * g[k * l + b];
        g[a * l + b] = x / r;
      }
    }
    // Each row q = m R^-1: forward substitution, q_b = (m_b - sum_{k<b} q_k R_kb) / R_bb.
    for (let i = 0; i < n; i++) {
      const o = i * l;
      for (let b = 0; b < l; b++) {
        let x = m[o + b];
        for (let k = 0; k < b; k++) x -= m[o + k] * g[k * l + b];
        m[o + b] = x / g[b * l + b];
      }
    }
  }
  return m;
}

/** Eigenvalues and eigenvectors (columns of `vectors`, row-major l x l) of a symmetric matrix, by cyclic Jacobi rotations. */
export function symmetricEigen(matrix: Float64Array, l: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(l * l);
  for (let i = 0; i < l; i++) v[i * l + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < l; p++) for (let q = p + 1; q < l; q++) off += a[p * l + q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < l; p++) {
      for (let q = p + 1; q < l; q++) {
        const apq = a[p * l + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * l + q] - a[p * l + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < l; k++) {
          const akp = a[k * l + p];
          const akq = a[k * l + q];
          a[k * l + p] = c * akp - s * akq;
          a[k * l + q] = s * akp + c * akq;
        }
        for (let k = 0; k < l; k++) {
          const apk = a[p * l + k];
          const aqk = a[q * l + k];
          a[p * l + k] = c * apk - s * aqk;
          a[q * l + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < l; k++) {
          const vkp = v[k * l + p];
          const vkq = v[k * l + q];
          v[k * l + p] = c * vkp - s * vkq;
          v[k * l + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: Float64Array.from({ length: l }, (_, i) => a[i * l + i]), vectors: v };
}
