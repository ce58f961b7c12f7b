/**
 * @file Value types wider than a WGSL scalar: int64/uint64 as `vec2<u32>` (low word, high word: the host's
 * little-endian bytes, so buffers stay byte-identical to BigInt64Array storage) and complex64 as `vec2<f32>` (re,
 * im: the interleaved Float32Array layout). WGSL has no 64-bit integers, so add/mul/compare/shift/divide are
 * emulated on word pairs (wgsl-wide-prelude.ts). `computeType` in wgsl.ts keeps returning null for these dtypes so
 * kernels that only understand 32-bit compute types keep declining them; the elementwise kernels ask `valueType`.
 */
import type { Dtype } from '../../core/dtype.js';
import { computeType, convert, type ComputeType } from './wgsl.js';

/** A compute type, or one of the wide ones: signed/unsigned 64-bit word pairs and complex64 pairs. */
export type ValueType = ComputeType | 'i64' | 'u64' | 'c64';

/** The wide value type of a dtype, or null for dtypes of 32 bits or less and for float64 (CPU only, as in MLX). */
export function wideType(d: Dtype): 'i64' | 'u64' | 'c64' | null {
  switch (d.name) {
    case 'int64': return 'i64';
    case 'uint64': return 'u64';
    case 'complex64': return 'c64';
    default: return null;
  }
}

/** The value type the elementwise kernels compute `d` in, or null when no GPU kernel handles it (float64). */
export const valueType = (d: Dtype): ValueType | null => computeType(d) ?? wideType(d);

/** Whether a value type is one of the two-word ones. */
export const isWide = (t: ValueType): t is 'i64' | 'u64' | 'c64' => t === 'i64' || t === 'u64' || t === 'c64';

/** The WGSL type of a value type. */
export function wgslType(t: ValueType): string {
  return t === 'i64' || t === 'u64' ? 'vec2u' : t === 'c64' ? 'vec2f' : t;
}

/**
 * Significant bits of a float dtype's mantissa: int64 -> float rounds straight to this width (after the double
 * the CPU goes through), so a float16/bfloat16 store of the f32 result does not round a third time.
 */
export function mantissaBits(d: Dtype): number {
  return d.name === 'float16' ? 11 : d.name === 'bfloat16' ? 8 : 24;
}

const ZERO2 = 'vec2u(0u)';

/**
 * WGSL converting `v` from value type `from` to `to` as the CPU's astype does: 64-bit to narrower integers keeps
 * the low bits, 64-bit to float rounds to a double and then to `mant` bits (the CPU reads a BigInt as a JS
 * number, then stores it), float to 64-bit truncates and wraps modulo 2^64 (NaN/Inf give 0), complex to real keeps
 * the real part, complex to bool tests both parts, real to complex has a zero imaginary part.
 */
export function convertAny(v: string, from: ValueType, to: ValueType, mant = 24): string {
  if (from === to) return v;
  if (!isWide(from) && !isWide(to)) return convert(v, from, to);
  if (from === 'i64' || from === 'u64') {
    const s = from === 'i64';
    switch (to) {
      case 'i64': case 'u64': return v;
      case 'i32': return `bitcast<i32>((${v}).x)`;
      case 'u32': return `(${v}).x`;
      case 'bool': return `any(${v} != ${ZERO2})`;
      case 'f32': return `w_tof(${v}, ${s}, ${mant}u)`;
      case 'c64': return `vec2f(w_tof(${v}, ${s}, 24u), 0.0)`;
    }
  }
  if (from === 'c64') {
    if (to === 'bool') return `(any(${v} != vec2f(0.0)) || c_nan(${v}))`;
    return convertAny(`(${v}).x`, 'f32', to, mant);
  }
  // a narrow value into a wide type
  switch (to) {
    case 'c64': return `vec2f(${convert(v, from as ComputeType, 'f32')}, 0.0)`;
    default:
      if (from === 'i32') return `vec2u(bitcast<u32>(${v}), select(0u, 0xffffffffu, ${v} < 0))`;
      if (from === 'u32') return `vec2u(${v}, 0u)`;
      if (from === 'bool') return `vec2u(select(0u, 1u, ${v}), 0u)`;
      return `w_fromf(${v})`;
  }
}

/** WGSL expression: the two storage words (a `vec2u`) of wide value `v` of type `t`. */
export const wideBits = (v: string, t: ValueType): string => (t === 'c64' ? `bitcast<vec2u>(${v})` : v);

/** WGSL expression loading element `i` (an i32 element index) of binding `buf` holding wide type `t`. */
export function wideLoad(buf: string, t: ValueType): string {
  const w = `${buf}[2u * u32(i)], ${buf}[2u * u32(i) + 1u]`;
  return t === 'c64' ? `bitcast<vec2f>(vec2u(${w}))` : `vec2u(${w})`;
}

/** Workgroup size of `wideMain`. */
export const WIDE_WG = 64;

/**
 * The entry point of kernels writing an 8-byte dtype: one element (two words) per invocation; `body` sets `v` (of
 * value type `t`) for element `e`. `prm[0]` holds the element count.
 */
export function wideMain(t: ValueType, body: string): string {
  return `@compute @workgroup_size(${WIDE_WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let e = i32((wid.x + wid.y * nwg.x) * ${WIDE_WG}u + lid);
  let n = prm[0];
  if (e >= n) { return; }
  ${body}
  let bits = ${wideBits('v', t)};
  out[2 * e] = bits.x;
  out[2 * e + 1] = bits.y;
}`;
}
