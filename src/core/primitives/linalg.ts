/**
 * @file Linear-algebra primitives. The factorizations (QR, SVD, LU, Cholesky, eigen) and everything built on them
 * are CPU primitives computing in float64, as MLX runs them on CPU streams only. `linalgNorm` and `linalgCross`
 * are whole-op primitives so they need no other family; their output rules mirror MLX's composites.
 */
import * as dt from '../dtype.js';
import type { Dtype } from '../dtype.js';
import { broadcastShapes } from '../shape.js';
import { definePrimitives, single, type OutSpec } from '../primitive.js';
import { linalgRules as R } from '../transforms/rules-linalg.js';
import { normRules } from '../transforms/rules-linalg-norm.js';

/** A norm order: a number (vector p-norms, matrix 1/-1/2/-2/inf/-inf), a matrix norm name, or null for 2/fro. */
export type NormOrd = number | 'fro' | 'f' | 'nuc' | null;

declare module '../primitive.js' {
  interface PrimitiveParams {
    /** Householder QR, reduced: Q (m, k) and R (k, n), k = min(m, n). */
    qrf: Record<string, never>;
    /** SVD with full U (m, m) and Vt (n, n), or the singular values alone. */
    svd: { computeUV: boolean };
    /** Inverse of a general matrix, of a triangular one (`triangular`), or of A from its Cholesky factor. */
    inverse: { mode: 'general' | 'triangular' | 'cholesky'; upper: boolean };
    /** Moore–Penrose pseudo-inverse through the SVD (MLX's cutoff 10·max(m,n)·eps·max(S)). */
    pinv: Record<string, never>;
    /** Cholesky factor from one triangle of A. */
    cholesky: { upper: boolean };
    /** Symmetric eigen-decomposition from one triangle: ascending eigenvalues (and column eigenvectors). */
    eigh: { uplo: 'L' | 'U'; computeV: boolean };
    /** General eigen-decomposition: complex eigenvalues (and column eigenvectors). */
    eig: { computeV: boolean };
    /** Partial-pivot LU: packed LU, pivots (uint32, LAPACK order, 0-based) and row indices (uint32). */
    luf: Record<string, never>;
    /** LU as MLX's `lu` returns it: row indices p, unit-lower L (m, k), upper U (k, n), A = L[p] @ U. */
    lu: Record<string, never>;
    /** Solves A X = B (general, through LU) or with A triangular. `vector`: B is one vector (ndim 1). */
    solve: { triangular: boolean; upper: boolean; vector: boolean };
    /** Sign and log|det| through LU. */
    slogdet: Record<string, never>;
    /** Determinant through LU. */
    det: Record<string, never>;
    /** Vector or matrix norm over `axes` (normalised, in the caller's order). */
    linalgNorm: { ord: NormOrd; axes: number[]; keepdims: boolean };
    /** Cross product along `axis` of the (broadcast) output; input sizes there are 2 or 3. */
    linalgCross: { axis: number };
  }
}

const batchOf = (s: readonly number[]): number[] => s.slice(0, -2);

/** Output shape of a norm over `axes` of `shape`. */
export function normShape(shape: readonly number[], axes: readonly number[], keepdims: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (!axes.includes(i)) out.push(shape[i]!);
    else if (keepdims) out.push(1);
  }
  return out;
}

/** Dtype of a norm, as MLX's composite gives it: l2-type norms of complex input are real. */
export function normDtype(d: Dtype, ord: NormOrd): Dtype {
  if (dt.isComplex(d) && (ord === null || ord === 2 || ord === 'fro' || ord === 'f' || ord === 'nuc')) return dt.float32;
  return dt.atLeastFloat(d);
}

/** Output shape of a solve of `a` (…, n, n) against `b` (n,) or (…, n, k). */
export function solveShape(a: readonly number[], b: readonly number[], vector: boolean): number[] {
  if (vector) return a.slice(0, -1);
  return [...broadcastShapes([batchOf(a), batchOf(b)], 'solve'), a[a.length - 2]!, b[b.length - 1]!];
}

definePrimitives({
  qrf: {
    outputs: ([a]) => {
      const s = a!.shape, m = s[s.length - 2]!, n = s[s.length - 1]!, k = Math.min(m, n);
      return [{ shape: [...batchOf(s), m, k], dtype: a!.dtype }, { shape: [...batchOf(s), k, n], dtype: a!.dtype }];
    },
    ...R.qrf,
  },
  svd: {
    outputs: ([a], p) => {
      const s = a!.shape, m = s[s.length - 2]!, n = s[s.length - 1]!;
      const sv: OutSpec = { shape: [...batchOf(s), Math.min(m, n)], dtype: a!.dtype };
      if (!p.computeUV) return [sv];
      return [{ shape: [...batchOf(s), m, m], dtype: a!.dtype }, sv, { shape: [...batchOf(s), n, n], dtype: a!.dtype }];
    },
    ...R.svd,
  },
  inverse: { outputs: ([a]) => single(a!.shape, a!.dtype), ...R.inverse },
  pinv: {
    outputs: ([a]) => {
      const s = a!.shape;
      return single([...batchOf(s), s[s.length - 1]!, s[s.length - 2]!], a!.dtype);
    },
    ...R.pinv,
  },
  cholesky: { outputs: ([a]) => single(a!.shape, a!.dtype), ...R.cholesky },
  eigh: {
    outputs: ([a], p) => {
      const w: OutSpec = { shape: a!.shape.slice(0, -1), dtype: a!.dtype };
      return p.computeV ? [w, { shape: [...a!.shape], dtype: a!.dtype }] : [w];
    },
    ...R.eigh,
  },
  eig: {
    outputs: ([a], p) => {
      const w: OutSpec = { shape: a!.shape.slice(0, -1), dtype: dt.complex64 };
      return p.computeV ? [w, { shape: [...a!.shape], dtype: dt.complex64 }] : [w];
    },
    ...R.eig,
  },
  luf: {
    outputs: ([a]) => {
      const s = a!.shape, m = s[s.length - 2]!, n = s[s.length - 1]!;
      return [
        { shape: [...s], dtype: a!.dtype },
        { shape: [...batchOf(s), Math.min(m, n)], dtype: dt.uint32 },
        { shape: [...batchOf(s), m], dtype: dt.uint32 },
      ];
    },
    ...R.luf,
  },
  lu: {
    outputs: ([a]) => {
      const s = a!.shape, m = s[s.length - 2]!, n = s[s.length - 1]!, k = Math.min(m, n);
      return [
        { shape: [...batchOf(s), m], dtype: dt.uint32 },
        { shape: [...batchOf(s), m, k], dtype: a!.dtype },
        { shape: [...batchOf(s), k, n], dtype: a!.dtype },
      ];
    },
    ...R.lu,
  },
  solve: {
    outputs: ([a, b], p) => single(solveShape(a!.shape, b!.shape, p.vector), dt.promoteTypes(a!.dtype, b!.dtype)),
    ...R.solve,
  },
  slogdet: {
    outputs: ([a]) => {
      const sh = batchOf(a!.shape);
      return [{ shape: sh, dtype: a!.dtype }, { shape: [...sh], dtype: a!.dtype }];
    },
    ...R.slogdet,
  },
  det: { outputs: ([a]) => single(batchOf(a!.shape), a!.dtype), ...R.det },
  linalgNorm: { outputs: ([a], p) => single(normShape(a!.shape, p.axes, p.keepdims), normDtype(a!.dtype, p.ord)), ...normRules },
  linalgCross: {
    outputs: ([a, b], p) => {
      const nd = Math.max(a!.ndim, b!.ndim);
      const sa = [...a!.shape], sb = [...b!.shape];
      sa[p.axis - (nd - sa.length)] = 3;
      sb[p.axis - (nd - sb.length)] = 3;
      return single(broadcastShapes([sa, sb], 'cross'), dt.promoteTypes(a!.dtype, b!.dtype));
    },
    ...R.linalgCross,
  },
});
