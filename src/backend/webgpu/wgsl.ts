/**
 * @file How each dtype lives in a GPU buffer and how generated WGSL reads and writes it.
 *
 * Storage is byte-identical to the host layout (the CPU backend's typed arrays), so uploads, readbacks and CPU
 * fallbacks copy bytes without conversion. Every binding is declared `array<u32>`; narrower dtypes are unpacked from
 * their word (bool/int8/uint8: 4 per word, float16/bfloat16/int16/uint16: 2 per word). A kernel that writes a
 * narrow dtype computes a whole output word per invocation, so no two invocations write the same word (WGSL has no
 * byte stores). Compute happens in 32 bits: f32 for every float dtype (float16 via unpack2x16float, so
 * `shader-f16` is not required), i32 for signed and u32 for unsigned integers, WGSL `bool` for bool.
 * int64/uint64 and complex64 compute as two-word vectors (wgsl-wide.ts), in the elementwise kernels only: `computeType`
 * stays null for them so every other kernel keeps declining them. float64 is stored but never computed on.
 */
/// <reference types="@webgpu/types" />
import * as dt from '../../core/dtype.js';
import type { Dtype } from '../../core/dtype.js';
import { valueType, wgslType, wideLoad } from './wgsl-wide.js';

/** The WGSL type a dtype computes in. */
export type ComputeType = 'f32' | 'i32' | 'u32' | 'bool';

/** Compute type of a dtype, or null when no GPU kernel handles it (64-bit, complex). */
export function computeType(d: Dtype): ComputeType | null {
  switch (d.name) {
    case 'float32': case 'float16': case 'bfloat16': return 'f32';
    case 'int32': case 'int16': case 'int8': return 'i32';
    case 'uint32': case 'uint16': case 'uint8': return 'u32';
    case 'bool': return 'bool';
    default: return null;
  }
}

/** Whether GPU kernels can read and write the dtype. */
export const gpuDtype = (d: Dtype): boolean => computeType(d) !== null;

/** Elements per 32-bit word. */
export const lanes = (d: Dtype): number => 4 / d.size;

/**
 * WGSL for `fn NAME(i: i32) -> CT`: loads element `i` (in elements of `d`) of binding `buf` as its compute type
 * (a two-word vector for int64/uint64/complex64, see wgsl-wide.ts).
 */
export function loader(name: string, buf: string, d: Dtype): string {
  const raw = (bits: number): string => bits === 32
    ? `${buf}[u32(i)]`
    : `((${buf}[u32(i) >> ${bits === 8 ? 2 : 1}u] >> ((u32(i) & ${bits === 8 ? 3 : 1}u) * ${bits}u)) & ${bits === 8 ? '0xffu' : '0xffffu'})`;
  let body: string;
  switch (d.name) {
    case 'float32': body = `bitcast<f32>(${raw(32)})`; break;
    case 'int32': body = `bitcast<i32>(${raw(32)})`; break;
    case 'uint32': body = raw(32); break;
    case 'float16': body = `unpack2x16float(${raw(16)}).x`; break;
    case 'bfloat16': body = `bitcast<f32>(${raw(16)} << 16u)`; break;
    case 'int16': body = `(bitcast<i32>(${raw(16)} << 16u) >> 16u)`; break;
    case 'uint16': body = raw(16); break;
    case 'int8': body = `(bitcast<i32>(${raw(8)} << 24u) >> 24u)`; break;
    case 'uint8': body = raw(8); break;
    case 'bool': body = `(${raw(8)} != 0u)`; break;
    case 'int64': body = wideLoad(buf, 'i64'); break;
    case 'uint64': body = wideLoad(buf, 'u64'); break;
    case 'complex64': body = wideLoad(buf, 'c64'); break;
    default: throw new Error(`[gpu] No WGSL loader for ${d.name}.`);
  }
  return `fn ${name}(i: i32) -> ${wgslType(valueType(d)!)} { return ${body}; }`;
}

/** WGSL expression: the bits (low `8 * size` bits of a u32) that store compute value `v` as dtype `d`. */
export function storeBits(v: string, d: Dtype): string {
  switch (d.name) {
    case 'float32': return `bitcast<u32>(${v})`;
    case 'int32': return `bitcast<u32>(${v})`;
    case 'uint32': return `${v}`;
    case 'float16': return `(pack2x16float(vec2f(${v}, 0.0)) & 0xffffu)`;
    case 'bfloat16': return `bf16_bits(${v})`;
    case 'int16': return `(bitcast<u32>(${v}) & 0xffffu)`;
    case 'uint16': return `(${v} & 0xffffu)`;
    case 'int8': return `(bitcast<u32>(${v}) & 0xffu)`;
    case 'uint8': return `(${v} & 0xffu)`;
    case 'bool': return `select(0u, 1u, ${v})`;
    default: throw new Error(`[gpu] No WGSL store for ${d.name}.`);
  }
}

/** Helper functions every generated shader may use (unused ones cost nothing). */
export const PRELUDE = `
fn bf16_bits(x: f32) -> u32 {
  let u = bitcast<u32>(x);
  if ((u & 0x7fffffffu) > 0x7f800000u) { return 0x7fc0u; }
  return (u + 0x7fffu + ((u >> 16u) & 1u)) >> 16u;
}
// float to a 32-bit integer as the CPU stores it: truncate, wrap modulo 2^32, NaN/Inf give 0 (WGSL's i32()
// saturates instead, and NaN is undefined there)
fn f_wrap32(x: f32) -> u32 {
  let b = bitcast<u32>(x);
  let ex = (b >> 23u) & 0xffu;
  if (ex == 0xffu || ex < 127u) { return 0u; }
  let m = (b & 0x7fffffu) | 0x800000u;
  var r = 0u;
  if (ex >= 150u) { if (ex - 150u < 32u) { r = m << (ex - 150u); } } else { r = m >> (150u - ex); }
  return select(r, 0u - r, (b >> 31u) != 0u);
}
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn is_inf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
// through a var: a constant expression may not be infinite or NaN in WGSL
fn f_inf() -> f32 { var u = 0x7f800000u; return bitcast<f32>(u); }
fn f_nan() -> f32 { var u = 0x7fc00000u; return bitcast<f32>(u); }
`;

/** WGSL expression converting compute value `v` of type `from` to compute type `to` (C cast semantics). */
export function convert(v: string, from: ComputeType, to: ComputeType): string {
  if (from === to) return v;
  // NaN is truthy (C); tested by bits since lavapipe's compiler folds NaN compares as if NaN could not occur
  if (to === 'bool') return from === 'f32' ? `(${v} != 0.0 || is_nan(${v}))` : `(${v} != 0${from === 'u32' ? 'u' : ''})`;
  if (from === 'bool') return `select(${to}(0), ${to}(1), ${v})`;
  if (from === 'f32' && to === 'u32') return `f_wrap32(${v})`;
  if (from === 'f32' && to === 'i32') return `bitcast<i32>(f_wrap32(${v}))`;
  if (from === 'i32' && to === 'u32') return `bitcast<u32>(${v})`;
  if (from === 'u32' && to === 'i32') return `bitcast<i32>(${v})`;
  return `${to}(${v})`;
}

/** Byte size a dtype's `n` elements occupy in a GPU buffer (whole words, at least one). */
export function bufferBytes(d: Dtype, n: number): number {
  return Math.max(4, Math.ceil((n * d.size) / 4) * 4);
}

/**
 * The dispatch shape for `count` workgroups: x up to the per-dimension limit, the rest in y. Shaders recover the
 * linear index as `wid.x + wid.y * nwg.x`.
 */
export function grid(count: number, maxPerDim: number): [number, number] {
  if (count <= maxPerDim) return [count, 1];
  return [maxPerDim, Math.ceil(count / maxPerDim)];
}

export { dt };

/** Workgroup size of the packed-output kernels (`packedMain`). */
export const PACKED_WG = 64;

/**
 * The entry point shared by the kernels that write a narrow dtype: each invocation owns one 32-bit output word,
 * runs `body` for each of the word's `lanes(out)` elements (`e` is the element index; the body sets `v`, of the
 * compute type), and stores the packed word once (WGSL has no byte stores). `prm[0]` holds the element count.
 */
export function packedMain(out: Dtype, body: string): string {
  const L = lanes(out), bits = out.size * 8;
  return `@compute @workgroup_size(${PACKED_WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let word = i32((wid.x + wid.y * nwg.x) * ${PACKED_WG}u + lid);
  let n = prm[0];
  var bits = 0u;
  for (var k = 0; k < ${L}; k++) {
    let e = word * ${L} + k;
    if (e >= n) { break; }
    ${body}
    bits = bits | (${storeBits('v', out)} << (u32(k) * ${bits}u));
  }
  if (word * ${L} < n) { out[word] = bits; }
}`;
}
