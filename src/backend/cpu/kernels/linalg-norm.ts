/**
 * @file CPU kernels of `linalg.norm` (vector and matrix norms in one pass per output element, computed in
 * float64) and `linalg.cross`.
 */
import type { CpuKernelTable } from '../kernel.js';
import { forEachOffset, reader, writer, type CpuView } from '../view.js';
import { sizeOf } from '../../../core/shape.js';
import type { NormOrd } from '../../../core/primitives/linalg.js';
import { svd } from './linalg-dense.js';
import { store } from './linalg-util.js';

/** Singular values of an r×c matrix given as real and (for complex input) imaginary parts. */
function singularValues(re: Float64Array, im: Float64Array | null, r: number, c: number): Float64Array {
  if (!im) return svd(re, r, c, false).s;
  // [[Re, -Im], [Im, Re]] has each singular value of Re + i·Im twice
  const big = new Float64Array(4 * r * c);
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      const x = re[i * c + j]!, y = im[i * c + j]!;
      big[i * 2 * c + j] = x; big[i * 2 * c + c + j] = -y;
      big[(r + i) * 2 * c + j] = y; big[(r + i) * 2 * c + c + j] = x;
    }
  }
  const s2 = svd(big, 2 * r, 2 * c, false).s;
  const s = new Float64Array(Math.min(r, c));
  for (let i = 0; i < s.length; i++) s[i] = s2[2 * i]!;
  return s;
}

function vectorNorm(v: Float64Array, ord: NormOrd, nonzero: number): number {
  const n = v.length;
  let acc = 0;
  if (ord === null || ord === 2) { for (let i = 0; i < n; i++) acc += v[i]! * v[i]!; return Math.sqrt(acc); }
  if (ord === 0) return nonzero;
  if (ord === 1) { for (let i = 0; i < n; i++) acc += v[i]!; return acc; }
  if (ord === Infinity) { acc = -Infinity; for (let i = 0; i < n; i++) acc = nanMax(acc, v[i]!); return acc; }
  if (ord === -Infinity) { acc = Infinity; for (let i = 0; i < n; i++) acc = nanMin(acc, v[i]!); return acc; }
  const p = ord as number;
  for (let i = 0; i < n; i++) acc += Math.pow(v[i]!, p);
  return Math.pow(acc, 1 / p);
}

const nanMax = (a: number, b: number): number => (a > b || Number.isNaN(a) ? a : b);
const nanMin = (a: number, b: number): number => (a < b || Number.isNaN(a) ? a : b);

/** A matrix norm of |entries| `v` (r×c row-major); `re`/`im` hold signed parts for the spectral norms. */
function matrixNorm(v: Float64Array, re: Float64Array, im: Float64Array | null, r: number, c: number, ord: NormOrd): number {
  if (ord === null || ord === 'fro' || ord === 'f') return vectorNorm(v, null, 0);
  if (ord === 'nuc' || ord === 2 || ord === -2) {
    const s = singularValues(re, im, r, c);
    if (ord === 'nuc') { let t = 0; for (const x of s) t += x; return t; }
    return ord === 2 ? s.reduce(nanMax, -Infinity) : s.reduce(nanMin, Infinity);
  }
  // 1 / -1: max / min column sum; inf / -inf: max / min row sum
  const byCol = ord === 1 || ord === -1, wantMax = ord === 1 || ord === Infinity;
  const outer = byCol ? c : r, inner = byCol ? r : c;
  let best = wantMax ? -Infinity : Infinity;
  for (let o = 0; o < outer; o++) {
    let s = 0;
    for (let i = 0; i < inner; i++) s += byCol ? v[i * c + o]! : v[o * c + i]!;
    best = wantMax ? nanMax(best, s) : nanMin(best, s);
  }
  return best;
}

export const normKernels: CpuKernelTable<'linalgNorm' | 'linalgCross'> = {
  linalgNorm([a], p, [out], be) {
    const x = a!, o = be.alloc(out!.dtype, out!.shape);
    const axes = p.axes, nd = x.shape.length;
    const outerDims = [...Array(nd).keys()].filter((d) => !axes.includes(d));
    const outerShape = outerDims.map((d) => x.shape[d]!), outerStrides = outerDims.map((d) => x.strides[d]!);
    // element offsets of one reduced block, row-major over the axes in the caller's order
    const innerShape = axes.map((d) => x.shape[d]!);
    const inner = new Float64Array(sizeOf(innerShape));
    forEachOffset(innerShape, [axes.map((d) => x.strides[d]!)], [0], (k, o) => { inner[k] = o[0]!; });
    const isMat = axes.length === 2 && p.ord !== null;
    const r = innerShape[0] ?? 1, c = isMat ? innerShape[1]! : 1;
    const cplx = x.dtype.name === 'complex64', rd = reader(x.dtype), buf = x.buf;
    const len = inner.length;
    const mag = new Float64Array(len), re = new Float64Array(len), im = cplx ? new Float64Array(len) : null;
    const res = new Float64Array(sizeOf(outerShape));
    forEachOffset(outerShape, [outerStrides], [x.offset], (k, offs) => {
      const base = offs[0]!;
      let nonzero = 0;
      for (let t = 0; t < len; t++) {
        const e = base + inner[t]!;
        if (cplx) {
          const u = (buf as Float32Array)[2 * e]!, w = (buf as Float32Array)[2 * e + 1]!;
          re[t] = u; im![t] = w; mag[t] = Math.hypot(u, w);
          if (u !== 0 || w !== 0) nonzero++;
        } else {
          const u = rd(buf, e);
          re[t] = u; mag[t] = Math.abs(u);
          if (u !== 0) nonzero++;
        }
      }
      res[k] = isMat ? matrixNorm(mag, re, im, r, c, p.ord) : vectorNorm(mag, p.ord, nonzero);
    });
    if (o.dtype.name === 'complex64') {
      const ob = o.buf as Float32Array;
      for (let k = 0; k < res.length; k++) { ob[2 * k] = res[k]!; ob[2 * k + 1] = 0; }
    } else store(o, 0, res);
    return [o];
  },

  linalgCross([a, b], p, [out], be) {
    const o = be.alloc(out!.dtype, out!.shape);
    const shape = out!.shape, nd = shape.length, ax = p.axis;
    const outer = shape.filter((_, d) => d !== ax);
    const outStrides = o.strides.filter((_, d) => d !== ax);
    const prep = (v: CpuView): { strides: number[]; step: number; len: number } => {
      const off = nd - v.shape.length, strides: number[] = [];
      for (let d = 0; d < nd; d++) {
        if (d === ax) continue;
        const vd = d - off;
        strides.push(vd < 0 || v.shape[vd] === 1 ? 0 : v.strides[vd]!);
      }
      return { strides, step: v.strides[ax - off]!, len: v.shape[ax - off]! };
    };
    const A = prep(a!), B = prep(b!);
    const ra = reader(a!.dtype), rb = reader(b!.dtype), wr = writer(o.dtype);
    const so = o.strides[ax]!;
    const u = [0, 0, 0], v = [0, 0, 0];
    forEachOffset(outer, [outStrides, A.strides, B.strides], [0, a!.offset, b!.offset], (_k, offs) => {
      for (let t = 0; t < 3; t++) {
        u[t] = t < A.len ? ra(a!.buf, offs[1]! + t * A.step) : 0;
        v[t] = t < B.len ? rb(b!.buf, offs[2]! + t * B.step) : 0;
      }
      const e = offs[0]!;
      wr(o.buf, e, u[1]! * v[2]! - u[2]! * v[1]!);
      wr(o.buf, e + so, u[2]! * v[0]! - u[0]! * v[2]!);
      wr(o.buf, e + 2 * so, u[0]! * v[1]! - u[1]! * v[0]!);
    });
    return [o];
  },
};
