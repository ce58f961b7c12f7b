/**
 * @file CPU kernels of the layout family that write fresh data: concatenate, pad, diagMatrix, view (bit
 * reinterpretation) and contiguous, plus the strided copy they share (exported for the view kernels' fallbacks).
 */
import { sizeOf, rowMajorStrides } from '../../../core/shape.js';
import * as dt from '../../../core/dtype.js';
import type { CpuKernel } from '../kernel.js';
import type { CpuBackend } from '../index.js';
import { isRowContiguous, type CpuView } from '../view.js';
import type { TypedArray } from '../../backend.js';

type Loose = Float64Array; // any typed array indexed generically (bigint arrays included: values are copied as-is)

/**
 * Copies every element of `src` into `dst` positions given by `dstStrides`/`dstOffset` (same shape, same dtype).
 * Values move bit-exactly: no conversion happens, so NaN payloads, -0 and 64-bit ints survive.
 */
export function copyStrided(src: CpuView, dst: TypedArray, dstStrides: readonly number[], dstOffset: number): void {
  const shape = src.shape, n = sizeOf(shape);
  if (n === 0) return;
  const w = src.dtype === dt.complex64 ? 2 : 1;
  const s = src.buf as Loose, d = dst as Loose;
  if (src.contiguous && isRowContiguous(shape, dstStrides)) {
    d.set(s.subarray(src.offset * w, (src.offset + n) * w), dstOffset * w);
    return;
  }
  const nd = shape.length;
  if (nd === 0) {
    for (let t = 0; t < w; t++) d[dstOffset * w + t] = s[src.offset * w + t]!;
    return;
  }
  // odometer over the outer dims; tight loop (or a block copy) over the last one
  const inner = shape[nd - 1]!, si = src.strides[nd - 1]! * w, di = dstStrides[nd - 1]! * w;
  const block = si === w && di === w && inner >= 16;
  const idx = new Int32Array(nd);
  let so = src.offset * w, doff = dstOffset * w;
  for (let row = 0, rows = n / inner; row < rows; row++) {
    if (block) d.set(s.subarray(so, so + inner * w), doff);
    else if (w === 1) for (let j = 0, a = so, b = doff; j < inner; j++, a += si, b += di) d[b] = s[a]!;
    else for (let j = 0, a = so, b = doff; j < inner; j++, a += si, b += di) { d[b] = s[a]!; d[b + 1] = s[a + 1]!; }
    for (let k = nd - 2; k >= 0; k--) {
      so += src.strides[k]! * w;
      doff += dstStrides[k]! * w;
      if (++idx[k]! < shape[k]!) break;
      so -= src.strides[k]! * w * shape[k]!;
      doff -= dstStrides[k]! * w * shape[k]!;
      idx[k] = 0;
    }
  }
}

/** A dense row-major copy of a view (the view itself when it already is one). */
export function denseCopy(v: CpuView, be: CpuBackend, force = false): CpuView {
  if (v.contiguous && !force) return v;
  const o = be.alloc(v.dtype, v.shape);
  copyStrided(v, o.buf, o.strides, 0);
  return o;
}

const concatenate: CpuKernel<'concatenate'> = (xs, p, [out], be) => {
  const o = be.alloc(out!.dtype, out!.shape);
  let off = 0;
  const along = o.strides[p.axis] ?? 0;
  for (const x of xs) {
    copyStrided(x, o.buf, o.strides, off * along);
    off += x.shape[p.axis]!;
  }
  return [o];
};

/** For each output index along a dim, the input index it reads (-1: the constant). */
function padIndexMap(n: number, lo: number, hi: number, mode: string): Int32Array {
  const m = new Int32Array(n + lo + hi);
  for (let i = 0; i < m.length; i++) {
    let j = i - lo;
    if (j >= 0 && j < n) { m[i] = j; continue; }
    if (mode === 'constant') { m[i] = -1; continue; }
    if (mode === 'edge' || n === 1) { m[i] = j < 0 ? 0 : n - 1; continue; }
    if (mode === 'reflect') {
      // mirror without repeating the edge: period 2(n-1)
      const per = 2 * (n - 1);
      j = ((j % per) + per) % per;
      m[i] = j < n ? j : per - j;
    } else {
      // symmetric: mirror repeating the edge, period 2n
      const per = 2 * n;
      j = ((j % per) + per) % per;
      m[i] = j < n ? j : per - 1 - j;
    }
  }
  return m;
}

const pad: CpuKernel<'pad'> = ([x, c], p, [out], be) => {
  const o = be.alloc(out!.dtype, out!.shape);
  const nd = o.shape.length, n = sizeOf(o.shape);
  if (n === 0) return [o];
  const w = x!.dtype === dt.complex64 ? 2 : 1;
  const src = x!.buf as Loose, dst = o.buf as Loose, cb = c!.buf as Loose, co = c!.offset * w;
  // per dim: input element offset contribution of each output index, or NaN for the constant
  const contrib: Float64Array[] = [];
  for (let d = 0; d < nd; d++) {
    const m = padIndexMap(x!.shape[d]!, p.lo[d]!, p.hi[d]!, p.mode);
    const cs = new Float64Array(m.length);
    for (let i = 0; i < m.length; i++) cs[i] = m[i]! < 0 ? NaN : m[i]! * x!.strides[d]!;
    contrib.push(cs);
  }
  const idx = new Int32Array(nd);
  for (let k = 0; k < n; k++) {
    let off = x!.offset;
    for (let d = 0; d < nd; d++) off += contrib[d]![idx[d]!]!;
    if (Number.isNaN(off)) {
      for (let t = 0; t < w; t++) dst[k * w + t] = cb[co + t]!;
    } else {
      for (let t = 0; t < w; t++) dst[k * w + t] = src[off * w + t]!;
    }
    for (let d = nd - 1; d >= 0; d--) {
      if (++idx[d]! < o.shape[d]!) break;
      idx[d] = 0;
    }
  }
  return [o];
};

const diagMatrix: CpuKernel<'diagMatrix'> = ([x], p, [out], be) => {
  const o = be.alloc(out!.dtype, out!.shape);
  const n = o.shape[0]!;
  const r0 = p.k >= 0 ? 0 : -p.k, c0 = p.k >= 0 ? p.k : 0;
  copyStrided(x!, o.buf, [n + 1], r0 * n + c0);
  return [o];
};

const view: CpuKernel<'view'> = ([x], _p, [out], be) => {
  const o = be.alloc(out!.dtype, out!.shape);
  // write the input's elements row-major straight into the output's bytes, typed as the input dtype
  const Ctor = x!.buf.constructor as new (b: ArrayBufferLike, off: number, len: number) => TypedArray;
  const w = x!.dtype === dt.complex64 ? 2 : 1;
  const alias = new Ctor(o.buf.buffer, o.buf.byteOffset, sizeOf(x!.shape) * w);
  copyStrided(x!, alias, rowMajorStrides(x!.shape), 0);
  return [o];
};

const contiguous: CpuKernel<'contiguous'> = ([x], p, _outs, be) => {
  if (x!.contiguous) return [x!];
  if (p.allowColMajor) {
    const rev = [...x!.shape].reverse(), revS = [...x!.strides].reverse();
    if (isRowContiguous(rev, revS)) return [x!];
  }
  return [denseCopy(x!, be, true)];
};

/** The copying kernels of the layout family. */
export const layoutCopyKernels = { concatenate, pad, diagMatrix, view, contiguous };
