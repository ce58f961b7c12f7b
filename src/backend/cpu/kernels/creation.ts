/**
 * @file CPU kernels of the creation family: fills from params (`full`, `arange`, `tri`, `windowFn`), broadcast
 * fills from an input (`full` with an array value, meshgrid) and the triangle mask (`triMask`).
 */
import * as dt from '../../../core/dtype.js';
import type { MxArray } from '../../../core/array.js';
import { floatToHalf, floatToBf16 } from '../../../core/half.js';
import type { CpuKernelTable } from '../kernel.js';
import { broadcastStrides, forEachOffset, isBig, writer, type CpuView } from '../view.js';
import type { CpuBackend } from '../index.js';
import { basicKernels } from './basic.js';

/** Fills a dense buffer with one scalar, converted once to the dtype's storage form. */
function fillScalar(o: CpuView, v: number | bigint | boolean): void {
  const d = o.dtype;
  if (isBig(d)) {
    const b = typeof v === 'bigint' ? v : BigInt(Number.isFinite(+v) ? Math.trunc(+v) : 0);
    (o.buf as BigInt64Array).fill(d === dt.int64 ? BigInt.asIntN(64, b) : BigInt.asUintN(64, b) as never);
    return;
  }
  const x = Number(v);
  if (d === dt.complex64) { const f = o.buf as Float32Array; for (let i = 0; i < f.length; i += 2) f[i] = x; return; }
  if (d === dt.float16) { (o.buf as Uint16Array).fill(floatToHalf(x)); return; }
  if (d === dt.bfloat16) { (o.buf as Uint16Array).fill(floatToBf16(x)); return; }
  if (d === dt.bool) { (o.buf as Uint8Array).fill(x !== 0 ? 1 : 0); return; }
  if (dt.isInteger(d)) {
    // one element through the C-cast writer gives the wrapped/truncated integer
    const tmp = o.buf.slice(0, 1) as Int32Array;
    if (tmp.length) { writer(d)(tmp, 0, x); (o.buf as Int32Array).fill(tmp[0]!); }
    return;
  }
  (o.buf as Float32Array).fill(x);
}

/** Casts `src` (any view whose shape is the output's) into a fresh array of `dtype`, reusing astype's kernel. */
function castCopy(src: CpuView, dtype: dt.Dtype, be: CpuBackend): CpuView {
  const fake = { shape: src.shape, size: src.shape.reduce((a, b) => a * b, 1) } as unknown as MxArray;
  return basicKernels.astype([src], { dtype }, [fake], be)[0]!;
}

/** Writes `f(i)` for each `i < n` into a dense buffer of `dtype` (float math, C-cast to the dtype). */
function fillIndexed(o: CpuView, n: number, f: (i: number) => number): void {
  const b = o.buf;
  if (b instanceof Float32Array && o.dtype !== dt.complex64 || b instanceof Float64Array) {
    for (let i = 0; i < n; i++) b[i] = f(i);
    return;
  }
  const w = writer(o.dtype);
  for (let i = 0; i < n; i++) w(b, i, f(i));
}

export const creationKernels: CpuKernelTable<'full' | 'arange' | 'tri' | 'triMask' | 'windowFn'> = {
  full(inputs, p, _outs, be) {
    if (inputs.length === 0) {
      const o = be.alloc(p.dtype, p.shape);
      // a fresh allocation is already zero (but -0 must be written)
      if (p.value !== undefined && !Object.is(p.value, 0) && p.value !== false && p.value !== 0n) fillScalar(o, p.value);
      return [o];
    }
    let x = inputs[0]!;
    if (p.axis !== undefined) {
      if (!x.contiguous) x = castCopy(x, x.dtype, be);
      // a flat run of the input along one output axis, stride 0 everywhere else
      const strides = p.shape.map((_, i) => (i === p.axis ? 1 : 0));
      return [castCopy({ ...x, shape: p.shape, strides, contiguous: false }, p.dtype, be)];
    }
    const strides = broadcastStrides(x, p.shape);
    return [castCopy({ ...x, shape: p.shape, strides, contiguous: false }, p.dtype, be)];
  },

  arange(_inputs, p, _outs, be) {
    const o = be.alloc(p.dtype, [p.n]);
    const { start, step, n, last } = p;
    if (p.lin) {
      // MLX's linspace (mlx/ops.cpp): every step rounded to the inner float type, one cast to the dtype at the end
      const c = p.dtype === dt.float64 ? (v: number) => v : Math.fround;
      const s = c(start), e = c(p.lin.stop), den = c(p.lin.den);
      const w = writer(p.dtype);
      for (let i = 0; i < n; i++) {
        const t = c(i / den);
        w(o.buf, i, n === 1 ? start : c(c(c(1 - t) * s) + c(t * e)));
      }
      return [o];
    }
    if (isBig(p.dtype)) {
      const b = o.buf as BigInt64Array;
      if (Number.isInteger(start) && Number.isInteger(step)) {
        // exact integer steps, even past 2^53
        const s = BigInt(start), d = BigInt(step);
        for (let i = 0; i < n; i++) b[i] = s + BigInt(i) * d;
        if (p.dtype === dt.uint64) for (let i = 0; i < n; i++) b[i] = BigInt.asUintN(64, b[i]!) as never;
      } else {
        fillIndexed(o, n, (i) => start + i * step);
      }
    } else {
      fillIndexed(o, n, (i) => start + i * step);
    }
    if (last !== undefined && n > 1) writer(p.dtype)(o.buf, n - 1, last);
    return [o];
  },

  tri(_inputs, p, _outs, be) {
    const o = be.alloc(p.dtype, [p.n, p.m]);
    const one = new (o.buf.constructor as new (n: number) => CpuView['buf'])(1);
    writer(p.dtype)(one, 0, 1);
    const w = p.dtype === dt.complex64 ? 2 : 1;
    const b = o.buf as Float64Array, v = one[0]! as number;
    for (let i = 0; i < p.n; i++) {
      // columns j with j - i == k (eye) or j - i <= k (tri)
      const hi = Math.min(p.m - 1, i + p.k);
      const lo = p.lower ? 0 : Math.max(0, i + p.k);
      for (let j = lo; j <= hi; j++) b[(i * p.m + j) * w] = v;
    }
    return [o];
  },

  triMask([x], p, [out], be) {
    const o = be.alloc(x!.dtype, x!.shape);
    const nd = x!.shape.length, n = x!.shape[nd - 2]!, m = x!.shape[nd - 1]!;
    const src = x!.buf as Float64Array, dst = o.buf as Float64Array;
    const w = x!.dtype === dt.complex64 ? 2 : 1;
    const keep = p.upper ? (d: number) => d >= p.k : (d: number) => d <= p.k;
    forEachOffset(out!.shape, [x!.strides], [x!.offset], (k, off) => {
      const j = k % m, i = Math.floor(k / m) % n;
      if (!keep(j - i)) return;
      dst[k * w] = src[off[0]! * w]!;
      if (w === 2) dst[k * 2 + 1] = src[off[0]! * 2 + 1]!;
    });
    return [o];
  },

  windowFn(_inputs, p, _outs, be) {
    const o = be.alloc(dt.float32, [p.m]);
    const b = o.buf as Float32Array, m = p.m;
    if (m === 1) { b[0] = 1; return [o]; }
    const c = (2 * Math.PI) / (m - 1);
    for (let i = 0; i < m; i++) {
      switch (p.kind) {
        case 'hanning': b[i] = 0.5 - 0.5 * Math.cos(c * i); break;
        case 'hamming': b[i] = 0.54 - 0.46 * Math.cos(c * i); break;
        case 'blackman': b[i] = 0.42 - 0.5 * Math.cos(c * i) + 0.08 * Math.cos(2 * c * i); break;
        case 'bartlett': b[i] = 1 - Math.abs((2 * i) / (m - 1) - 1); break;
      }
    }
    return [o];
  },
};
