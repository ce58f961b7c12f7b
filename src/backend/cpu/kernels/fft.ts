/**
 * @file CPU kernel of the fft family. The input view (any strides) is read once into a dense float64 complex work
 * array, truncated or zero-padded to the transform lengths; each axis is then transformed line by line with
 * fft-plan.ts, and the result is scaled and written to the complex64 (or float32) output.
 */
import * as dt from '../../../core/dtype.js';
import { rowMajorStrides, sizeOf } from '../../../core/shape.js';
import type { CpuKernelTable } from '../kernel.js';
import { forEachOffset, reader, type CpuView } from '../view.js';
import { fft1d } from './fft-plan.js';

/** Transforms every line of a dense interleaved complex array along `axis`. */
function transformAxis(W: Float64Array, shape: readonly number[], axis: number, inverse: boolean): void {
  const L = shape[axis]!;
  if (L <= 1) return;
  const inner = rowMajorStrides(shape)[axis]!;
  const outer = sizeOf(shape) / (L * inner);
  const re = new Float64Array(L), im = new Float64Array(L);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * L * inner + i;
      for (let k = 0; k < L; k++) { const q = 2 * (base + k * inner); re[k] = W[q]!; im[k] = W[q + 1]!; }
      fft1d(re, im, L, inverse);
      for (let k = 0; k < L; k++) { const q = 2 * (base + k * inner); W[q] = re[k]!; W[q + 1] = im[k]!; }
    }
  }
}

/** Complex-to-real along `axis`: `W` holds n/2+1 values per line (Hermitian half); returns real lines of length n. */
function complexToReal(W: Float64Array, shape: readonly number[], axis: number, n: number): { R: Float64Array; shape: number[] } {
  const h = shape[axis]!;
  const outShape = [...shape];
  outShape[axis] = n;
  const inner = rowMajorStrides(shape)[axis]!;
  const outer = sizeOf(shape) / (h * inner);
  const R = new Float64Array(sizeOf(outShape));
  const re = new Float64Array(n), im = new Float64Array(n);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * h * inner + i;
      for (let k = 0; k < h; k++) { const q = 2 * (base + k * inner); re[k] = W[q]!; im[k] = W[q + 1]!; }
      // the upper half mirrors the lower one; the imaginary parts of bins 0 and n/2 only add imaginary output
      for (let k = h; k < n; k++) { re[k] = re[n - k]!; im[k] = -im[n - k]!; }
      fft1d(re, im, n, true);
      const ob = o * n * inner + i;
      for (let k = 0; k < n; k++) R[ob + k * inner] = re[k]!;
    }
  }
  return { R, shape: outShape };
}

/** CPU kernel of `fft`. */
export const fftKernels: CpuKernelTable<'fft'> = {
  fft([x], p, [out], be) {
    const o = be.alloc(out!.dtype, out!.shape);
    if (out!.size === 0) return [o];
    const { axes, n, inverse, real } = p;
    const last = axes[axes.length - 1]!;
    // the work shape: transform lengths on the axes (n/2+1 on the last axis of a complex-to-real transform)
    const wShape = [...x!.shape];
    axes.forEach((ax, i) => { wShape[ax] = n[i]!; });
    const nLast = n[n.length - 1]!;
    if (real && inverse) wShape[last] = Math.floor(nLast / 2) + 1;
    const W = new Float64Array(2 * sizeOf(wShape));
    const copy = wShape.map((d, i) => Math.min(d, x!.shape[i]!));
    const src = x!.buf, cplx = x!.dtype === dt.complex64, rd = reader(x!.dtype);
    forEachOffset(copy, [x!.strides, rowMajorStrides(wShape)], [x!.offset, 0], (_, off) => {
      const s = off[0]!, d = 2 * off[1]!;
      if (cplx) { W[d] = (src as Float32Array)[2 * s]!; W[d + 1] = (src as Float32Array)[2 * s + 1]!; } else W[d] = rd(src, s);
    });
    let scale = p.scale;
    if (inverse) for (const v of n) scale /= v;
    if (real && inverse) {
      for (const ax of axes) if (ax !== last) transformAxis(W, wShape, ax, true);
      const { R } = complexToReal(W, wShape, last, nLast);
      const dst = o.buf as Float32Array;
      for (let k = 0; k < R.length; k++) dst[k] = R[k]! * scale;
      return [o];
    }
    for (const ax of axes) transformAxis(W, wShape, ax, inverse);
    const dst = o.buf as Float32Array;
    // a real-to-complex output keeps the first n/2+1 bins of the last axis
    forEachOffset(out!.shape, [rowMajorStrides(wShape)], [0], (k, off) => {
      const s = 2 * off[0]!;
      dst[2 * k] = W[s]! * scale;
      dst[2 * k + 1] = W[s + 1]! * scale;
    });
    return [o];
  },
};
