/**
 * Number codecs of the weights file: the 8-bit and 16-bit encodings that TensorFlow.js's weight
 * dequantization reads back.
 */
import { dequantize } from '../nn/kernels.js';

/**
 * Affine 8-bit quantization, as TensorFlow.js's weight quantization reads it: each value
 * becomes round((v - min) / scale), and is read back as q * scale + min.
 */
export function toUint8(values: Float32Array): { bytes: Uint8Array; scale: number; min: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(max > min)) return { bytes: new Uint8Array(values.length), scale: 1, min: Number.isFinite(min) ? min : 0 };
  const scale = (max - min) / 255;
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) bytes[i] = Math.round((values[i] - min) / scale);
  return { bytes, scale, min };
}

/** IEEE 754 half-precision bits of each value, rounded to nearest even (what tfjs's float16 dequantization reads). */
export function toFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  for (let i = 0; i < values.length; i++) {
    f[0] = values[i];
    const x = u[0];
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    let mant = x & 0x7fffff;
    if (exp === 0xff) {
      out[i] = sign | 0x7c00 | (mant ? 0x200 : 0);
      continue;
    }
    const e = exp - 127 + 15;
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00;
      continue;
    }
    if (e <= 0) {
      if (e < -10) {
        out[i] = sign;
        continue;
      }
      mant |= 0x800000;
      const shift = 14 - e;
      let half = mant >>> shift;
      const rest = mant & ((1 << shift) - 1);
      const mid = 1 << (shift - 1);
      if (rest > mid || (rest === mid && half & 1)) half++;
      out[i] = sign | half;
      continue;
    }
    let half = (e << 10) | (mant >>> 13);
    const rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
    out[i] = sign | half;
  }
  return out;
}

/** The values of 8-bit quantized weights, as TensorFlow.js's decodeWeights reads them: q * scale + min, as float32. */
export function fromUint8(bytes: Uint8Array, scale: number, min: number): Float32Array {
  const out = new Float32Array(bytes.length);
  dequantize({ bytes, scale, min }, out, 0, bytes.length);
  return out;
}

/** The float32 values of IEEE 754 half-precision bits (exact: every half is a float32). */
export function fromFloat16(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  const u = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i];
    const sign = (h & 0x8000) << 16;
    const exp = (h >>> 10) & 0x1f;
    let mant = h & 0x3ff;
    if (exp === 0x1f) u[i] = sign | 0x7f800000 | (mant << 13);
    else if (exp !== 0) u[i] = sign | ((exp - 15 + 127) << 23) | (mant << 13);
    else if (mant === 0) u[i] = sign;
    else {
      // A subnormal half: normalise it.
      let e = -14;
      while (!(mant & 0x400)) {
        mant <<= 1;
        e--;
      }
      u[i] = sign | ((e + 127) << 23) | ((mant & 0x3ff) << 13);
    }
  }
  return out;
}
