/**
 * @file CPU kernels of the linalg family. Each kernel reads its input as float64 matrices (any strides), runs a
 * dense algorithm from `linalg-dense.ts` per matrix of the batch, and stores results in the output dtype.
 * Numerical failures MLX reports as errors (inverting an exactly singular matrix) throw here, so they surface
 * from `mx.eval` with the op's name.
 */
import type { CpuKernelTable } from '../kernel.js';
import { toFloat64, type CpuView } from '../view.js';
import { matrices, store } from './linalg-util.js';
import { sizeOf } from '../../../core/shape.js';
import * as D from './linalg-dense.js';
import { normKernels } from './linalg-norm.js';
import { eigKernels } from './linalg-eig.js';

/** Copy of the lower (or upper) triangle of a symmetric n×n matrix into both halves. */
function symmetrize(a: Float64Array, n: number, upper: boolean): Float64Array {
  const s = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) s[i * n + j] = (upper ? i <= j : i >= j) ? a[i * n + j]! : a[j * n + i]!;
  }
  return s;
}

const uint = (o: CpuView): Uint32Array => o.buf as Uint32Array;

type LinalgPrim = 'qrf' | 'svd' | 'inverse' | 'pinv' | 'cholesky' | 'eigh' | 'luf' | 'lu' | 'solve' | 'slogdet' | 'det';

const factorKernels: CpuKernelTable<LinalgPrim> = {
  qrf([a], _p, [qo, ro], be) {
    const { x, batch, m, n } = matrices(a!);
    const k = Math.min(m, n);
    const q = be.alloc(qo!.dtype, qo!.shape), r = be.alloc(ro!.dtype, ro!.shape);
    for (let b = 0; b < batch; b++) {
      const f = D.qr(x.subarray(b * m * n, (b + 1) * m * n), m, n);
      store(q, b * m * k, f.q);
      store(r, b * k * n, f.r);
    }
    return [q, r];
  },

  svd([a], p, outs, be) {
    const { x, batch, m, n } = matrices(a!);
    const k = Math.min(m, n);
    const o = outs.map((t) => be.alloc(t.dtype, t.shape));
    for (let b = 0; b < batch; b++) {
      const f = D.svd(x.subarray(b * m * n, (b + 1) * m * n), m, n, p.computeUV);
      if (p.computeUV) {
        store(o[0]!, b * m * m, f.u!);
        store(o[1]!, b * k, f.s);
        store(o[2]!, b * n * n, f.vt!);
      } else store(o[0]!, b * k, f.s);
    }
    return o;
  },

  inverse([a], p, [out], be) {
    const { x, batch, n } = matrices(a!);
    const o = be.alloc(out!.dtype, out!.shape);
    const op = p.mode === 'general' ? 'linalg.inv' : p.mode === 'triangular' ? 'linalg.triInv' : 'linalg.choleskyInv';
    for (let b = 0; b < batch; b++) {
      const mat = x.subarray(b * n * n, (b + 1) * n * n);
      let r = p.mode === 'general' ? D.inverse(mat, n) : D.triInv(mat, n, p.upper);
      if (!r) throw new Error(`[${op}] Matrix ${batch > 1 ? `${b} of the batch ` : ''}is singular (a zero pivot); it has no inverse.`);
      if (p.mode === 'cholesky') {
        // A = L L^T gives A^-1 = L^-T L^-1; A = U^T U gives U^-1 U^-T
        const t = D.transpose(r, n, n);
        r = p.upper ? D.matmul(r, t, n, n, n) : D.matmul(t, r, n, n, n);
      }
      store(o, b * n * n, r);
    }
    return [o];
  },

  pinv([a], _p, [out], be) {
    const { x, batch, m, n } = matrices(a!);
    const k = Math.min(m, n);
    const o = be.alloc(out!.dtype, out!.shape);
    const eps = a!.dtype.name === 'float64' ? 2.220446049250313e-16 : 1.1920928955078125e-7;
    for (let b = 0; b < batch; b++) {
      const f = D.svd(x.subarray(b * m * n, (b + 1) * m * n), m, n, true);
      const cutoff = 10 * Math.max(m, n) * eps * (k > 0 ? f.s[0]! : 0);
      // pinv = V diag(1/s) U^T over the singular values above the cutoff
      const r = new Float64Array(n * m);
      for (let i = 0; i < k; i++) {
        const s = f.s[i]!;
        if (!(s > cutoff)) continue;
        const inv = 1 / s;
        for (let r0 = 0; r0 < n; r0++) {
          const vi = f.vt![i * n + r0]! * inv;
          if (vi === 0) continue;
          for (let c = 0; c < m; c++) r[r0 * m + c]! += vi * f.u![c * m + i]!;
        }
      }
      store(o, b * n * m, r);
    }
    return [o];
  },

  cholesky([a], p, [out], be) {
    const { x, batch, n } = matrices(a!);
    const o = be.alloc(out!.dtype, out!.shape);
    for (let b = 0; b < batch; b++) store(o, b * n * n, D.cholesky(x.subarray(b * n * n, (b + 1) * n * n), n, p.upper));
    return [o];
  },

  eigh([a], p, outs, be) {
    const { x, batch, n } = matrices(a!);
    const o = outs.map((t) => be.alloc(t.dtype, t.shape));
    for (let b = 0; b < batch; b++) {
      const s = symmetrize(x.subarray(b * n * n, (b + 1) * n * n), n, p.uplo === 'U');
      const f = D.symEig(s, n, p.computeV);
      store(o[0]!, b * n, f.w);
      if (p.computeV) store(o[1]!, b * n * n, f.v!);
    }
    return o;
  },

  luf([a], _p, [luo, pivo, rowo], be) {
    const { x, batch, m, n } = matrices(a!);
    const k = Math.min(m, n);
    const lu = be.alloc(luo!.dtype, luo!.shape), piv = be.alloc(pivo!.dtype, pivo!.shape);
    const rows = be.alloc(rowo!.dtype, rowo!.shape);
    for (let b = 0; b < batch; b++) {
      const mat = x.slice(b * m * n, (b + 1) * m * n), pv = new Int32Array(k);
      D.luInPlace(mat, m, n, pv);
      store(lu, b * m * n, mat);
      uint(piv).set(pv, b * k);
      uint(rows).set(invertPerm(D.pivotsToPerm(pv, m)), b * m);
    }
    return [lu, piv, rows];
  },

  lu([a], _p, [po, lo, uo], be) {
    const { x, batch, m, n } = matrices(a!);
    const k = Math.min(m, n);
    const P = be.alloc(po!.dtype, po!.shape), L = be.alloc(lo!.dtype, lo!.shape), U = be.alloc(uo!.dtype, uo!.shape);
    const l = new Float64Array(m * k), u = new Float64Array(k * n);
    for (let b = 0; b < batch; b++) {
      const mat = x.slice(b * m * n, (b + 1) * m * n), pv = new Int32Array(k);
      D.luInPlace(mat, m, n, pv);
      l.fill(0); u.fill(0);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < Math.min(i, k); j++) l[i * k + j] = mat[i * n + j]!;
        if (i < k) l[i * k + i] = 1;
      }
      for (let i = 0; i < k; i++) for (let j = i; j < n; j++) u[i * n + j] = mat[i * n + j]!;
      store(L, b * m * k, l);
      store(U, b * k * n, u);
      uint(P).set(invertPerm(D.pivotsToPerm(pv, m)), b * m);
    }
    return [P, L, U];
  },

  solve([a, bv], p, [out], be) {
    const A = matrices(a!);
    const n = A.n;
    const o = be.alloc(out!.dtype, out!.shape);
    const bx = toFloat64(bv!);
    const op = p.triangular ? 'linalg.solveTriangular' : 'linalg.solve';
    const k = p.vector ? 1 : bv!.shape[bv!.shape.length - 1]!;
    const outBatch = out!.shape.slice(0, p.vector ? -1 : -2);
    const nb = sizeOf(outBatch);
    // batch index of a and b for each output matrix (broadcast over leading dims)
    const aIdx = batchIndex(a!.shape.slice(0, -2), outBatch);
    const bIdx = p.vector ? null : batchIndex(bv!.shape.slice(0, -2), outBatch);
    for (let t = 0; t < nb; t++) {
      const am = A.x.subarray(aIdx[t]! * n * n, (aIdx[t]! + 1) * n * n);
      const bm = p.vector ? bx : bx.subarray(bIdx![t]! * n * k, (bIdx![t]! + 1) * n * k);
      let r: Float64Array | null;
      if (p.triangular) {
        const inv = D.triInv(am, n, p.upper);
        r = inv && D.matmul(inv, bm, n, n, k);
      } else r = D.luSolve(am, bm, n, k);
      if (!r) throw new Error(`[${op}] Matrix ${nb > 1 ? `${t} of the batch ` : ''}is singular (a zero pivot); the system has no unique solution.`);
      store(o, t * n * k, r);
    }
    return [o];
  },

  slogdet([a], _p, [so, lo], be) {
    const { x, batch, n } = matrices(a!);
    const S = be.alloc(so!.dtype, so!.shape), L = be.alloc(lo!.dtype, lo!.shape);
    const sg = new Float64Array(batch), la = new Float64Array(batch);
    for (let b = 0; b < batch; b++) {
      const r = logDet(x.slice(b * n * n, (b + 1) * n * n), n);
      sg[b] = r.sign; la[b] = r.logabs;
    }
    store(S, 0, sg);
    store(L, 0, la);
    return [S, L];
  },

  det([a], _p, [out], be) {
    const { x, batch, n } = matrices(a!);
    const o = be.alloc(out!.dtype, out!.shape);
    const d = new Float64Array(batch);
    for (let b = 0; b < batch; b++) {
      const mat = x.slice(b * n * n, (b + 1) * n * n), pv = new Int32Array(n);
      D.luInPlace(mat, n, n, pv);
      let v = 1;
      for (let i = 0; i < n; i++) { v *= mat[i * n + i]!; if (pv[i] !== i) v = -v; }
      // a zero pivot after a row swap would give -0; a singular matrix's determinant is +0
      d[b] = v === 0 ? 0 : v;
    }
    store(o, 0, d);
    return [o];
  },
};

/** Sign and log|det| of an n×n matrix (sign 0 and -inf when singular). */
function logDet(mat: Float64Array, n: number): { sign: number; logabs: number } {
  const pv = new Int32Array(n);
  D.luInPlace(mat, n, n, pv);
  let sign = 1, logabs = 0;
  for (let i = 0; i < n; i++) {
    const d = mat[i * n + i]!;
    if (d === 0) return { sign: 0, logabs: -Infinity };
    if (d < 0) sign = -sign;
    if (pv[i] !== i) sign = -sign;
    logabs += Math.log(Math.abs(d));
  }
  if (Number.isNaN(logabs)) sign = NaN;
  return { sign, logabs };
}

function invertPerm(perm: Int32Array): Int32Array {
  const inv = new Int32Array(perm.length);
  for (let i = 0; i < perm.length; i++) inv[perm[i]!] = i;
  return inv;
}

/** For each index of `outBatch` (row-major), the linear index into `inBatch`, which broadcasts to it. */
function batchIndex(inBatch: readonly number[], outBatch: readonly number[]): Int32Array {
  const n = sizeOf(outBatch), idx = new Int32Array(n);
  const off = outBatch.length - inBatch.length;
  const strides = new Array<number>(outBatch.length).fill(0);
  for (let i = inBatch.length - 1, acc = 1; i >= 0; i--) {
    strides[off + i] = inBatch[i] === 1 ? 0 : acc;
    acc *= inBatch[i]!;
  }
  for (let t = 0; t < n; t++) {
    let rem = t, lin = 0;
    for (let d = outBatch.length - 1; d >= 0; d--) {
      const e = outBatch[d]!;
      lin += (rem % e) * strides[d]!;
      rem = Math.floor(rem / e);
    }
    idx[t] = lin;
  }
  return idx;
}

export const linalgKernels = { ...factorKernels, ...normKernels, ...eigKernels };
