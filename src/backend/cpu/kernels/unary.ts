/**
 * @file CPU kernels of the unary family. One generic runner dispatches on the input and output storage classes and
 * applies the op's scalar definition (unary-defs.ts); contiguous float inputs take the op's literal fast loop.
 */
import * as dt from '../../../core/dtype.js';
import { finfo, type Dtype } from '../../../core/dtype.js';
import { halfToFloat, bf16ToFloat, floatToHalf, floatToBf16 } from '../../../core/half.js';
import type { MxArray } from '../../../core/array.js';
import { SAME_DTYPE_UNARY, FLOAT_UNARY, BOOL_UNARY, type SimpleUnaryName } from '../../../core/primitives/unary.js';
import type { CpuKernel, CpuKernelTable } from '../kernel.js';
import type { CpuView } from '../view.js';
import type { CpuBackend } from '../index.js';
import { stridedLoop, storageClass, asF } from './elementwise-loop.js';
import { wasmUnaryKernel } from '../wasm/elementwise.js';
import { UNARY_DEFS, bothParts, type UnaryDef } from './unary-defs.js';
import { rint } from './elementwise-math.js';
import { roundTo } from './binary-defs.js';

/** Reads storage element `i` of a num/bool/half/big buffer as a number. */
export function numReader(d: Dtype): (b: Float64Array, i: number) => number {
  if (d === dt.float16) { const t = f16Table(); return (b, i) => t[b[i]!]!; }
  if (d === dt.bfloat16) return (b, i) => bf16ToFloat(b[i]!);
  if (d === dt.int64 || d === dt.uint64) return (b, i) => Number(b[i]!);
  return (b, i) => b[i]!;
}

let F16: Float32Array | null = null;
/** All 65536 float16 values, decoded once: a table lookup beats decoding bits per element. */
function f16Table(): Float32Array {
  if (!F16) {
    F16 = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) F16[h] = halfToFloat(h);
  }
  return F16;
}

/** Converts a computed number to the storage value of `d` (half bits, wrapped BigInt, 0/1 bool). */
export function numEncoder(d: Dtype, pred = false): ((v: number) => number) | null {
  if (d === dt.float16) return floatToHalf;
  if (d === dt.bfloat16) return floatToBf16;
  if (d === dt.bool) return pred ? null : (v) => (v !== 0 ? 1 : 0);
  if (d === dt.int64) return (v) => BigInt.asIntN(64, Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n) as unknown as number;
  if (d === dt.uint64) return (v) => BigInt.asUintN(64, Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n) as unknown as number;
  // integer typed arrays truncate and wrap on assignment; NaN becomes 0
  return null;
}

/** Applies a number function from `x` into the fresh `o` (any non-complex dtypes). */
export function mapNum(x: CpuView, o: CpuView, f: (v: number) => number, pred = false): void {
  const xb = asF(x.buf), ob = asF(o.buf);
  const sc = storageClass(x.dtype);
  const direct = sc === 'num' || sc === 'bool';
  const rd = numReader(x.dtype), enc = numEncoder(o.dtype, pred);
  stridedLoop([x], o.shape, (n, offs, steps, io) => {
    let i = offs[0]!;
    const s = steps[0]!;
    if (direct && !enc) for (let k = 0; k < n; k++, i += s) ob[io + k] = f(xb[i]!);
    else if (direct) for (let k = 0; k < n; k++, i += s) ob[io + k] = enc!(f(xb[i]!));
    else if (!enc) for (let k = 0; k < n; k++, i += s) ob[io + k] = f(rd(xb, i));
    else for (let k = 0; k < n; k++, i += s) ob[io + k] = enc(f(rd(xb, i)));
  });
}

function mapBig(x: CpuView, o: CpuView, f: (v: bigint) => bigint): void {
  const xb = x.buf as BigInt64Array, ob = o.buf as BigInt64Array;
  const wrap = o.dtype === dt.int64 ? (v: bigint) => BigInt.asIntN(64, v) : (v: bigint) => BigInt.asUintN(64, v);
  stridedLoop([x], o.shape, (n, offs, steps, io) => {
    let i = offs[0]!;
    const s = steps[0]!;
    for (let k = 0; k < n; k++, i += s) ob[io + k] = wrap(f(xb[i]!));
  });
}

/** Complex input: complex output through `c`, or a real/bool output through `r`. */
export function mapComplex(x: CpuView, o: CpuView, c: UnaryDef['cplx'], r: UnaryDef['cplxReal']): void {
  const xb = x.buf as Float32Array;
  const t = new Float64Array(2);
  if (c) {
    const ob = o.buf as Float32Array;
    stridedLoop([x], o.shape, (n, offs, steps, io) => {
      let i = offs[0]!;
      const s = steps[0]!;
      for (let k = 0; k < n; k++, i += s) {
        c(xb[2 * i]!, xb[2 * i + 1]!, t);
        ob[2 * (io + k)] = t[0]!; ob[2 * (io + k) + 1] = t[1]!;
      }
    });
    return;
  }
  const ob = asF(o.buf);
  const enc = numEncoder(o.dtype, true);
  stridedLoop([x], o.shape, (n, offs, steps, io) => {
    let i = offs[0]!;
    const s = steps[0]!;
    for (let k = 0; k < n; k++, i += s) {
      const v = r!(xb[2 * i]!, xb[2 * i + 1]!);
      ob[io + k] = enc ? enc(v) : v;
    }
  });
}

function runUnary(def: UnaryDef, x: CpuView, out: MxArray, be: CpuBackend): CpuView[] {
  const xd = x.dtype;
  const pt = def.passThrough;
  if (pt && out.dtype === xd && (pt === 'all' || (pt === 'real' && xd !== dt.complex64) || dt.isInteger(xd) || xd === dt.bool)) return [x];
  const o = be.alloc(out.dtype, out.shape);
  const sc = storageClass(xd);
  if (sc === 'cplx') {
    mapComplex(x, o, o.dtype === dt.complex64 ? def.cplx : undefined, def.cplxReal);
  } else if (sc === 'big' && storageClass(o.dtype) === 'big') {
    mapBig(x, o, def.big!);
  } else if (def.fast && x.contiguous && (xd === dt.float32 || xd === dt.float64) && o.dtype === xd) {
    def.fast(asF(x.buf), x.offset, asF(o.buf), o.buf.length);
  } else {
    const f = (xd === dt.bool && def.bool) || (dt.isInteger(xd) && def.int) || def.num!;
    mapNum(x, o, f, def.pred);
  }
  return [o];
}

function unaryKernel(name: SimpleUnaryName): CpuKernel<SimpleUnaryName> {
  const def = UNARY_DEFS[name]!;
  // float32 negative/abs/square/sqrt/reciprocal/exp/sigmoid run on the WASM SIMD kernel when it applies
  return ([x], _p, [out], be) => {
    const o = wasmUnaryKernel(name, x!, out!, be);
    return o ? [o] : runUnary(def, x!, out!, be);
  };
}

const table: Record<string, CpuKernel<never>> = {};
for (const n of [...SAME_DTYPE_UNARY, ...FLOAT_UNARY, ...BOOL_UNARY, 'real', 'imag'] as const) table[n] = unaryKernel(n);

table.round = (([x], p, [out], be) => {
  const d = p.decimals, xd = x!.dtype;
  if ((dt.isInteger(xd) || xd === dt.bool) && d === 0) return [x!];
  const f = d === 0 ? rint : roundDecimals(d, dt.atLeastFloat(xd));
  const big = (v: bigint): bigint => BigInt(Math.trunc(f(Number(v))));
  return runUnary({ num: f, big, cplx: bothParts(f) }, x!, out!, be);
}) as CpuKernel<'round'>;

/**
 * `round(x, decimals)` computed as MLX's `round` (mlx/ops.cpp): in `ct` (integers and bool use float32, and the
 * result is cast back), x times the float32 value of 10^decimals, rounded half to even, times the float32
 * reciprocal, each product rounded to `ct`. Multiplying by the rounded reciprocal differs from NumPy's division by
 * one ulp for many inputs; float64 keeps NumPy's exact division, since MLX's float32 scale would cost it precision.
 */
function roundDecimals(d: number, ct: Dtype): (v: number) => number {
  if (ct === dt.float64) {
    // negative decimals round to tens, hundreds...: divide by the power of ten so it stays exact
    return d > 0 ? (v) => rint(v * 10 ** d) / 10 ** d : (v) => rint(v / 10 ** -d) * 10 ** -d;
  }
  const c = roundTo(ct), scale = Math.fround(10 ** d);
  const s = c(scale), inv = c(Math.fround(1 / scale));
  return (v) => c(rint(c(c(v) * s)) * inv);
}

table.nanToNum = (([x], p, [out], be) => {
  const d = x!.dtype;
  if (!dt.isInexact(d)) return [x!];
  const lim = finfo(d === dt.complex64 ? dt.float32 : d);
  const pos = p.posinf ?? lim.max, neg = p.neginf ?? lim.min, nan = p.nan;
  const f = (v: number): number => (v !== v ? nan : v === Infinity ? pos : v === -Infinity ? neg : v);
  return runUnary({ num: f, cplx: bothParts(f) }, x!, out!, be);
}) as CpuKernel<'nanToNum'>;

export const unaryKernels = table as unknown as CpuKernelTable<SimpleUnaryName | 'round' | 'nanToNum'>;
