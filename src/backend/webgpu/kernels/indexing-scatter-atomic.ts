/**
 * @file The update-centric GPU scatter machinery shared by `scatter` and `scatterFlat`: one launch computes each
 * update's target (its element index in the dense output), then the updates are combined into a copy of the input
 * with atomics, so duplicate targets never lose an update:
 * - `set`: the CPU's last-writer-wins, exactly: each target keeps the largest update index (`atomicMax` on an i32
 *   winner per element), then an output-centric pass writes the winner (or the input) one packed word at a time.
 * - 32-bit integers: `atomicAdd`/`atomicSub`/`atomicMax`/`atomicMin`; bool add/max and mul/min: `atomicOr`/`atomicAnd`
 *   on the byte's word. Both are order-independent, so they equal the CPU bit for bit (integers wrap alike).
 * - everything else (floats, integer mul, narrow integers): a compare-and-swap loop on the 32-bit word holding the
 *   element (narrow dtypes swap the whole word with only their lane changed), each step rounded as stored.
 *   max/min (NaN wins) and integer results are order-independent and equal the CPU's; float add/sub/mul with
 *   duplicate targets combine in the order the atomics land, so they can differ from the CPU's row-major
 *   order by float rounding (they are equal whenever the partial results are exact, e.g. small integers).
 * `div` multiplies by the reciprocal cast to the dtype, as the CPU (MLX) does. Bool `sub` declines (MLX has none).
 */
import * as dt from '../../../core/dtype.js';
import type { Dtype } from '../../../core/dtype.js';
import type { ScatterMode } from '../../../core/primitives/indexing.js';
import { sizeOf } from '../../../core/shape.js';
import type { ArrayData } from '../../backend.js';
import type { PooledBuffer } from '../allocator.js';
import type { GpuArg, WebGpuBackend } from '../backend.js';
import { PRELUDE, computeType, loader, storeBits } from '../wgsl.js';
import { copyDense } from './layout-shader.js';
import { generate, type IndexedInput } from './creation-gen.js';
import { fillConstant } from './creation.js';

const WG = 64;

/** Right-aligned broadcast strides of a view against `shape`, dropping leading dims beyond its rank (the CPU's rule). */
export function bcastDrop(a: GpuArg, shape: readonly number[]): number[] {
  let sh = a.shape, st = a.strides;
  while (sh.length > shape.length) { sh = sh.slice(1); st = st.slice(1); }
  const k = shape.length - sh.length;
  return shape.map((_, d) => (d < k || sh[d - k] === 1 ? 0 : st[d - k]!));
}

/**
 * WGSL of `recip_rn(b)`: 1 / b rounded to nearest (WGSL's division may be off by ulps; one fma residual step
 * corrects it), as the CPU's `div` computes the reciprocal in double and rounds it once.
 */
export const RECIP = `fn recip_rn(b: f32) -> f32 {
  let q = 1.0 / b;
  if (q == 0.0 || is_inf(q) || is_nan(q)) { return q; }
  return q + fma(-q, b, 1.0) / b;
}`;

/**
 * WGSL of `f16_rne(x)`: x rounded to the nearest float16 value, ties to even, as the CPU's stores round (lavapipe's
 * `pack2x16float` was seen rounding ties away from zero, which WGSL allows). Its result packs exactly.
 */
export const F16_RNE = `fn f16_rne(x: f32) -> f32 {
  let ax = abs(x);
  if (is_nan(x)) { return x; }
  if (ax >= 65520.0) { return select(-f_inf(), f_inf(), x > 0.0); }
  // subnormal halves are multiples of 2^-24: scale, round half to even, scale back (all exact)
  if (ax < 6.103515625e-05) { return round(x * 16777216.0) / 16777216.0; }
  let b = bitcast<u32>(x);
  return bitcast<f32>((b + 0xfffu + ((b >> 13u) & 1u)) & 0xffffe000u);
}`;

/** WGSL rounding an f32 to the values of a half dtype (identity for float32). */
export function roundHalf(v: string, d: Dtype): string {
  if (d.name === 'float16') return `f16_rne(${v})`;
  if (d.name === 'bfloat16') return `bitcast<f32>(bf16_bits(${v}) << 16u)`;
  return v;
}

/**
 * WGSL combining the current value `a` with update `b` for dtype `d` (compute type `t`), or null when declined.
 * `div` is MLX's `a * reciprocal(b)` with the reciprocal cast to the dtype: floats multiply by 1/b rounded to it
 * (needs RECIP), integers by trunc(1/b) (a for 1, -a for -1, else 0), bool keeps a.
 */
export function combineExpr(mode: ScatterMode, t: string, d: Dtype): string | null {
  if (t === 'bool') {
    if (mode === 'div') return 'a';
    return mode === 'add' || mode === 'max' ? '(a || b)' : mode === 'mul' || mode === 'min' ? '(a && b)' : null;
  }
  switch (mode) {
    case 'add': return '(a + b)';
    case 'sub': return '(a - b)';
    case 'mul': return '(a * b)';
    // NaN wins, as the CPU's nanMax/nanMin
    case 'max': return t === 'f32' ? 'select(a, b, b > a || is_nan(b))' : 'max(a, b)';
    case 'min': return t === 'f32' ? 'select(a, b, b < a || is_nan(b))' : 'min(a, b)';
    case 'div':
      if (t === 'f32') return `(a * ${roundHalf('recip_rn(b)', d)})`;
      return t === 'i32' ? 'select(select(0, -a, b == -1), a, b == 1)' : 'select(0u, a, b == 1u)';
    default: return null;
  }
}

/** Whether the atomic scatter handles `mode` on dtype `d`. */
export function scatterSupported(mode: ScatterMode, d: Dtype): boolean {
  const t = computeType(d);
  return t !== null && (mode === 'set' || combineExpr(mode, t, d) !== null);
}

/** WGSL decoding the raw lane bits `r` (u32) of dtype `d` to its compute type. */
function decode(r: string, d: Dtype): string {
  switch (d.name) {
    case 'float32': return `bitcast<f32>(${r})`;
    case 'int32': return `bitcast<i32>(${r})`;
    case 'float16': return `unpack2x16float(${r}).x`;
    case 'bfloat16': return `bitcast<f32>(${r} << 16u)`;
    case 'int16': return `(bitcast<i32>(${r} << 16u) >> 16u)`;
    case 'int8': return `(bitcast<i32>(${r} << 24u) >> 24u)`;
    case 'bool': return `(${r} != 0u)`;
    default: return r;
  }
}

/** The atomic statement(s) applying update `b` to element `t` of `out`. */
function applyBody(mode: ScatterMode, d: Dtype): string {
  const t = computeType(d)!;
  if (nativeInt(mode, d)) {
    const fn = { add: 'atomicAdd', sub: 'atomicSub', max: 'atomicMax', min: 'atomicMin' }[mode as 'add'];
    return `${fn}(&out[u32(t)], b);`;
  }
  const bits = d.size * 8, per = 4 / d.size;
  const word = per === 1 ? 'u32(t)' : `u32(t) / ${per}u`;
  const sh = per === 1 ? '0u' : `(u32(t) % ${per}u) * ${bits}u`;
  const mask = bits === 32 ? '0xffffffffu' : `${(2 ** bits - 1).toString()}u`;
  if (d === dt.bool) {
    return mode === 'add' || mode === 'max'
      ? `if (b) { atomicOr(&out[${word}], 1u << (${sh})); }`
      : `if (!b) { atomicAnd(&out[${word}], ~(0xffu << (${sh}))); }`;
  }
  return `let w = ${word}; let sh = ${sh};
  var old = atomicLoad(&out[w]);
  loop {
    let a = ${decode(`((old >> sh) & ${mask})`, d)};
    let nb = (old & ~(${mask} << sh)) | ((${storeBits(roundHalf(combineExpr(mode, t, d)!, d), d)} & ${mask}) << sh);
    if (nb == old) { break; }
    let r = atomicCompareExchangeWeak(&out[w], old, nb);
    if (r.exchanged) { break; }
    old = r.old_value;
  }`;
}

/** Parameters locating update k (row-major over `ushape`) in the update view. */
function unravel(nd: number): string {
  const lines = ['var rem = k;', 'var uo = prm[1];'];
  for (let d = nd - 1; d >= 0; d--) lines.push(`uo += (rem % prm[${2 + d}]) * prm[${2 + nd + d}]; rem = rem / prm[${2 + d}];`);
  return lines.join('\n  ');
}

/** Whether a mode maps to one native 32-bit integer atomic. */
const nativeInt = (mode: ScatterMode, d: Dtype): boolean =>
  d.size === 4 && computeType(d) !== 'f32' && (mode === 'add' || mode === 'sub' || mode === 'max' || mode === 'min');

/**
 * Update-centric shader over prm[0] updates: `set` records the largest update index per target (atomicMax on i32
 * winners); other modes load update k's value `b` and combine it into `out` at `tgt[k]`.
 */
function applyShader(mode: ScatterMode, d: Dtype, nd: number): string {
  const set = mode === 'set';
  const atomicT = set || (nativeInt(mode, d) && computeType(d) === 'i32') ? 'i32' : 'u32';
  // only bindings the code uses: the 'auto' layout leaves unused ones out
  const updDecl = set ? '' : `@group(0) @binding(3) var<storage, read> upd: array<u32>;\n${loader('ldu', 'upd', d)}`;
  const body = set ? 'atomicMax(&out[u32(t)], k);' : `${unravel(nd)}\n  let b = ldu(uo);\n  ${applyBody(mode, d)}`;
  return `${PRELUDE}
${RECIP}
${F16_RNE}
@group(0) @binding(0) var<storage, read> tgt: array<i32>;
@group(0) @binding(1) var<storage, read_write> out: array<atomic<${atomicT}>>;
@group(0) @binding(2) var<storage, read> prm: array<i32>;
${updDecl}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let k = i32((wid.x + wid.y * nwg.x) * ${WG}u + lid);
  if (k >= prm[0]) { return; }
  let t = tgt[k];
  ${body}
}`;
}

/** Frees an intermediate array made by another launch (its storage was never attached). */
function drop(d: ArrayData): void { d.storage.retain(); d.storage.release(); }

/**
 * Combines the updates `u` (a view broadcast over `ushape`, row-major update k) into a copy of `x` at the dense
 * element indices `targets` (int32, one per update) with `mode`; returns the output. Frees `targets`.
 */
export function applyScatter(
  be: WebGpuBackend, x: GpuArg, u: GpuArg, ushape: readonly number[], targets: ArrayData, mode: ScatterMode,
): ArrayData {
  const K = sizeOf(ushape), nd = ushape.length, n = sizeOf(x.shape);
  const tbuf = targets.storage.handle as PooledBuffer;
  const ust = bcastDrop(u, ushape);
  if (mode === 'set') {
    const win = fillConstant(be, dt.int32, [n], -1);
    const wbuf = win.storage.handle as PooledBuffer;
    be.dispatch(applyShader(mode, x.dtype, nd), [tbuf, wbuf, be.params([K])], Math.ceil(K / WG));
    const winArg: GpuArg = { buf: wbuf, dtype: dt.int32, shape: x.shape, strides: contiguousStrides(x.shape), offset: 0 };
    const upd: IndexedInput = { arg: u, shape: ushape, strides: ust };
    // the winner's value, read through the update view at its row-major index, or the input where none hit
    const out = generate(be, x.dtype, x.shape, 'select(ld0(e), ld1(max(ld2(e), 0)), ld2(e) >= 0)', {
      ins: [{ arg: x, shape: x.shape, strides: x.strides }, upd, { arg: winArg, shape: x.shape, strides: winArg.strides }],
    });
    drop(win); drop(targets);
    return out;
  }
  const out = copyDense(be, x);
  be.dispatch(applyShader(mode, x.dtype, nd), [tbuf, out.storage.handle as PooledBuffer,
    be.params([K, u.offset, ...ushape, ...ust]), u.buf], Math.ceil(K / WG));
  drop(targets);
  return out;
}

function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) { s[d] = acc; acc *= shape[d]!; }
  return s;
}
