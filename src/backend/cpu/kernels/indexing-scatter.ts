/**
 * @file CPU scatter kernels: each copies its input into a fresh output, then combines updates into it in row-major
 * order of the updates, so duplicate indices accumulate (`a.at[idx].add(v)`, NumPy's `np.add.at`); with `set` the
 * last write wins. Updates arrive already cast to the input's dtype.
 */
import * as dt from '../../../core/dtype.js';
import type { ScatterMode } from '../../../core/primitives/indexing.js';
import { planShape } from '../../../core/primitives/indexing.js';
import { sizeOf, rowMajorStrides } from '../../../core/shape.js';
import type { TypedArray } from '../../backend.js';
import type { CpuKernelTable } from '../kernel.js';
import type { CpuBackend } from '../index.js';
import { broadcastStrides, forEachOffset, reader, writer, offsetsOf, type CpuView } from '../view.js';
import { roundTo } from './binary-defs.js';
import { clampIndex, copier, dynamicStart, emptyIndexedAxis, indexValues, planOffsets } from './indexing-common.js';

/** Combines element `j` of `src` into element `i` of `dst`. */
type Combine = (dst: TypedArray, i: number, src: TypedArray, j: number) => void;

const nanMax = (a: number, b: number): number => (b > a || b !== b ? b : a);
const nanMin = (a: number, b: number): number => (b < a || b !== b ? b : a);

/**
 * Scatter `div` multiplies by the reciprocal cast to the array's dtype, as MLX's `a.at[idx].divide(v)` is
 * `scatter_prod(a, idx, reciprocal(v))` (python/src/indexing.cpp) and scatter casts updates to `a`'s dtype: floats
 * multiply by 1/v rounded to the dtype; integers by trunc(1/v), which is ±1 for v = ±1 and 0 otherwise (v = 0, an
 * undefined float-to-int cast in MLX, also gives 0 here).
 */
function divByReciprocal(d: dt.Dtype): (a: number, b: number) => number {
  if (dt.isInteger(d)) return (a, b) => (b === 1 ? a : b === -1 ? -a : 0);
  // MLX divides in the dtype; a half-float quotient is computed in float32 and rounded again
  const c = roundTo(d), h = d === dt.float16 || d === dt.bfloat16;
  return h ? (a, b) => a * c(Math.fround(1 / b)) : (a, b) => a * c(1 / b);
}

function numberOp(mode: ScatterMode, d: dt.Dtype): (a: number, b: number) => number {
  switch (mode) {
    case 'set': return (_a, b) => b;
    case 'add': return (a, b) => a + b;
    case 'sub': return (a, b) => a - b;
    case 'mul': return (a, b) => a * b;
    case 'div': return divByReciprocal(d);
    case 'max': return nanMax;
    case 'min': return nanMin;
  }
}

function combiner(mode: ScatterMode, d: dt.Dtype): Combine {
  if (mode === 'set') return copier(d);
  if (d === dt.complex64) return complexCombiner(mode);
  if (d === dt.int64 || d === dt.uint64) {
    // BigInt typed arrays wrap modulo 2^64 on store, so plain BigInt math is exact
    const B = (x: TypedArray) => x as BigInt64Array;
    switch (mode) {
      case 'add': return (o, i, s, j) => { B(o)[i] = B(o)[i]! + B(s)[j]!; };
      case 'sub': return (o, i, s, j) => { B(o)[i] = B(o)[i]! - B(s)[j]!; };
      case 'mul': return (o, i, s, j) => { B(o)[i] = B(o)[i]! * B(s)[j]!; };
      // times trunc(1 / b): see divByReciprocal
      case 'div': return (o, i, s, j) => { const b = B(s)[j]!; B(o)[i] = b === 1n ? B(o)[i]! : b === -1n ? -B(o)[i]! : 0n; };
      case 'max': return (o, i, s, j) => { if (B(s)[j]! > B(o)[i]!) B(o)[i] = B(s)[j]!; };
      case 'min': return (o, i, s, j) => { if (B(s)[j]! < B(o)[i]!) B(o)[i] = B(s)[j]!; };
    }
  }
  if (d === dt.float16 || d === dt.bfloat16 || d === dt.bool) {
    const rd = reader(d), wr = writer(d);
    const f = d === dt.bool ? boolOp(mode) : numberOp(mode, d);
    return (o, i, s, j) => wr(o, i, f(rd(o, i), rd(s, j)));
  }
  const F = (x: TypedArray) => x as Float64Array;
  if ((d === dt.int32 || d === dt.uint32) && mode === 'mul') {
    // the exact product can pass 2^53; imul keeps the low 32 bits as C does
    return (o, i, s, j) => { F(o)[i] = Math.imul(F(o)[i]!, F(s)[j]!); };
  }
  const f = numberOp(mode, d);
  if (mode === 'add') return (o, i, s, j) => { F(o)[i] = F(o)[i]! + F(s)[j]!; };
  return (o, i, s, j) => { F(o)[i] = f(F(o)[i]!, F(s)[j]!); };
}

function boolOp(mode: ScatterMode): (a: number, b: number) => number {
  switch (mode) {
    case 'add': case 'max': return (a, b) => a || b;
    case 'mul': case 'min': return (a, b) => a && b;
    case 'sub': return (a, b) => a - b;
    // a * bool(1 / b): 1/1 and 1/0 = inf are both true, so the value is kept
    default: return (a) => a;
  }
}

function complexCombiner(mode: ScatterMode): Combine {
  return (o, i, s, j) => {
    const ar = o[2 * i] as number, ai = o[2 * i + 1] as number, br = s[2 * j] as number, bi = s[2 * j + 1] as number;
    let r: number, m: number;
    switch (mode) {
      case 'add': r = ar + br; m = ai + bi; break;
      case 'sub': r = ar - br; m = ai - bi; break;
      case 'mul': r = ar * br - ai * bi; m = ar * bi + ai * br; break;
      // times the complex64 reciprocal of b (see divByReciprocal)
      default: {
        const den = br * br + bi * bi, cr = Math.fround(br / den), ci = Math.fround(-bi / den);
        r = ar * cr - ai * ci; m = ar * ci + ai * cr;
      }
    }
    o[2 * i] = r; o[2 * i + 1] = m;
  };
}

/** A dense copy of `x` (the scatter output). */
function copyOf(x: CpuView, be: CpuBackend): CpuView {
  const o = be.alloc(x.dtype, x.shape);
  const w = x.dtype === dt.complex64 ? 2 : 1, n = sizeOf(x.shape);
  if (x.contiguous) (o.buf as Float64Array).set((x.buf as Float64Array).subarray(x.offset * w, (x.offset + n) * w));
  else {
    const cp = copier(x.dtype), src = x.buf, dst = o.buf;
    forEachOffset(x.shape, [x.strides], [x.offset], (k, off) => cp(dst, k, src, off[0]!));
  }
  return o;
}

/** Offsets of an update view broadcast to `shape` (leading size-1 dims beyond `shape` are dropped). */
function updateOffsets(u: CpuView, shape: readonly number[]): Float64Array {
  let us = u.shape, ust = u.strides;
  while (us.length > shape.length) { us = us.slice(1); ust = ust.slice(1); }
  const out = new Float64Array(sizeOf(shape));
  forEachOffset(shape, [broadcastStrides({ shape: us, strides: ust }, shape)], [u.offset], (k, o) => { out[k] = o[0]!; });
  return out;
}

function apply(o: CpuView, targets: ArrayLike<number>, u: CpuView, uOffs: ArrayLike<number>, mode: ScatterMode): void {
  const f = combiner(mode, o.dtype), dst = o.buf, src = u.buf;
  for (let k = 0; k < targets.length; k++) f(dst, targets[k]!, src, uOffs[k]!);
}

/** Primitives implemented in this file. */
export type ScatterPrims = 'scatter' | 'scatterFlat' | 'scatterAxis' | 'maskScatter' | 'dynamicSliceUpdate';

/** CPU scatter kernels (merged into `indexingKernels`). */
export const scatterKernels: CpuKernelTable<ScatterPrims> = {
  scatter([x, upd, ...idx], p, _outs, be) {
    const o = copyOf(x!, be);
    const shape = planShape(p);
    if (sizeOf(shape) === 0 || emptyIndexedAxis(p, x!.shape)) return [o];
    const targets = planOffsets(p, x!.shape, o.strides, 0, idx, shape);
    apply(o, targets, upd!, updateOffsets(upd!, shape), p.mode);
    return [o];
  },

  scatterFlat([x, idx, vals], p, _outs, be) {
    const o = copyOf(x!, be);
    const n = sizeOf(x!.shape);
    if (n === 0 || sizeOf(idx!.shape) === 0) return [o];
    apply(o, indexValues(idx!, idx!.shape, n), vals!, updateOffsets(vals!, idx!.shape), p.mode);
    return [o];
  },

  scatterAxis([x, idx, vals], p, _outs, be) {
    const o = copyOf(x!, be);
    const n = x!.shape[p.axis]!;
    if (n === 0 || sizeOf(p.shape) === 0) return [o];
    const os = [...o.strides];
    const sAx = os[p.axis]!;
    os[p.axis] = 0;
    const rd = reader(idx!.dtype), ib = idx!.buf;
    const targets = new Float64Array(sizeOf(p.shape));
    forEachOffset(p.shape, [os, broadcastStrides(idx!, p.shape)], [0, idx!.offset], (k, off) => {
      targets[k] = off[0]! + clampIndex(rd(ib, off[1]!), n) * sAx;
    });
    apply(o, targets, vals!, updateOffsets(vals!, p.shape), p.mode);
    return [o];
  },

  maskScatter([x, mask, vals], p, _outs, be) {
    const o = copyOf(x!, be);
    const m = offsetsOf(mask!), mb = mask!.buf;
    const inner = sizeOf(x!.shape.slice(mask!.shape.length));
    const nv = sizeOf(vals!.shape);
    if (nv === 0) return [o];
    const vOffs = offsetsOf(vals!);
    const targets: number[] = [], uOffs: number[] = [];
    // values are consumed in row-major order, one per selected element (NumPy's a[mask] = v); a single value
    // fills every selected element; too few values repeat the last one rather than read past the end
    let c = 0;
    for (let k = 0; k < m.length; k++) {
      if (!mb[m[k]!]) continue;
      for (let e = 0; e < inner; e++, c++) {
        targets.push(k * inner + e);
        uOffs.push(vOffs[nv === 1 ? 0 : Math.min(c, nv - 1)]!);
      }
    }
    apply(o, targets, vals!, uOffs, p.mode);
    return [o];
  },

  dynamicSliceUpdate([x, upd, start], p, _outs, be) {
    // A copy for now. Kept to "copy, then write one window" so that a later in-place path (KV caches: the input's
    // storage has no other holder) only has to skip the copy.
    const o = copyOf(x!, be);
    const nd = x!.shape.length;
    const ushape = [...new Array<number>(nd - upd!.shape.length).fill(1), ...upd!.shape];
    if (sizeOf(ushape) === 0) return [o];
    const rd = reader(start!.dtype);
    const step = start!.shape.length && start!.shape[0]! > 1 ? start!.strides[0]! : 0;
    let base = 0;
    for (let i = 0; i < p.axes.length; i++) {
      const ax = p.axes[i]!;
      base += dynamicStart(rd(start!.buf, start!.offset + i * step), x!.shape[ax]!, ushape[ax]!) * o.strides[ax]!;
    }
    const cp = copier(x!.dtype), dst = o.buf, src = upd!.buf;
    const us = [...new Array<number>(nd - upd!.shape.length).fill(0), ...upd!.strides];
    forEachOffset(ushape, [rowMajorStrides(x!.shape), us], [base, upd!.offset], (_k, off) => cp(dst, off[0]!, src, off[1]!));
    return [o];
  },
};
