/**
 * @file `mx.linalg`: factorizations (QR, SVD, Cholesky, LU, eigen), inverses, solves and determinants. As in
 * MLX they run on CPU streams only, computing in float64 and returning the input's dtype (float32 or float64).
 * Norms and the cross product live in `linalg-norm.ts` and are re-exported here.
 */
import { MxArray, bind, bindMulti } from '../array.js';
import * as dt from '../dtype.js';
import { toStream, type Stream, type StreamOpt } from '../device.js';
import { fmtShape } from '../shape.js';
import { optArgs } from './args.js';
import { astype } from './basic.js';
import { solveShape } from '../primitives/linalg.js';
import { checkCpu, checkFloat, checkMatrix } from './linalg-util.js';

export { norm, cross, type NormOpts } from './linalg-norm.js';

/** Stream resolved and checked to be a CPU one. */
const cpuStream = (opts: StreamOpt | undefined, op: string): Stream => checkCpu(toStream(opts?.stream, `linalg.${op}`), op);

/**
 * Reduced QR factorization of the trailing matrices: `A = Q @ R` with Q (…, m, k) orthonormal columns and R
 * (…, k, n) upper triangular, k = min(m, n).
 *
 * @example
 * ```ts
 * const [Q, R] = mx.linalg.qr(mx.array([[1, 2], [3, 4]]), { stream: mx.cpu });
 * ```
 */
export function qr(a: MxArray, opts: StreamOpt = {}): [MxArray, MxArray] {
  checkMatrix(a, 'qr', false);
  checkFloat(a, 'qr');
  const [q, r] = bindMulti('qrf', [a], {}, cpuStream(opts, 'qr'));
  return [q!, r!];
}

/** Options of `svd`. */
export interface SvdOpts extends StreamOpt { computeUV?: boolean }

/**
 * Singular value decomposition `A = U @ diag(S) @ Vt`, with full U (…, m, m) and Vt (…, n, n) and S descending;
 * with `computeUV = false`, S alone.
 *
 * @example
 * ```ts
 * const [U, S, Vt] = mx.linalg.svd(a);
 * const s = mx.linalg.svd(a, false);
 * ```
 */
export function svd(a: MxArray, computeUV?: true, opts?: StreamOpt): [MxArray, MxArray, MxArray];
export function svd(a: MxArray, computeUV: false, opts?: StreamOpt): MxArray;
export function svd(a: MxArray, opts: SvdOpts & { computeUV: false }): MxArray;
export function svd(a: MxArray, opts: SvdOpts & { computeUV?: true }): [MxArray, MxArray, MxArray];
export function svd(a: MxArray, ...rest: unknown[]): [MxArray, MxArray, MxArray] | MxArray {
  const { computeUV = true, stream } = optArgs<SvdOpts>(['computeUV'], rest, 'linalg.svd');
  checkMatrix(a, 'svd', false);
  checkFloat(a, 'svd');
  const outs = bindMulti('svd', [a], { computeUV: !!computeUV }, cpuStream({ stream }, 'svd'));
  return computeUV ? [outs[0]!, outs[1]!, outs[2]!] : outs[0]!;
}

/**
 * Inverse of square matrices. An exactly singular matrix makes evaluation throw (as MLX's LAPACK path does).
 *
 * @example
 * ```ts
 * mx.linalg.inv(mx.array([[2, 0], [0, 4]], mx.float32)); // [[0.5, 0], [0, 0.25]]
 * ```
 */
export function inv(a: MxArray, opts: StreamOpt = {}): MxArray {
  checkMatrix(a, 'inv', true);
  checkFloat(a, 'inv');
  return bind('inverse', [a], { mode: 'general', upper: false }, cpuStream(opts, 'inv'));
}

/** Options of the ops with an `upper` flag. */
export interface UpperOpts extends StreamOpt { upper?: boolean }

/**
 * Inverse of triangular matrices, reading only the lower (default) or upper triangle; the other triangle of
 * the result is zero.
 *
 * @example
 * ```ts
 * mx.linalg.triInv(mx.array([[2, 0], [1, 1]], mx.float32)); // [[0.5, 0], [-0.5, 1]]
 * ```
 */
export function triInv(a: MxArray, upper?: boolean | UpperOpts, opts?: StreamOpt): MxArray {
  const o = optArgs<UpperOpts>(['upper'], [upper, opts], 'linalg.triInv');
  checkMatrix(a, 'triInv', true);
  checkFloat(a, 'triInv');
  return bind('inverse', [a], { mode: 'triangular', upper: !!o.upper }, cpuStream(o, 'triInv'));
}

/**
 * Cholesky factor of symmetric positive-definite matrices: lower L with `A = L @ L.T` (reads the lower
 * triangle), or with `upper` U with `A = U.T @ U`. Not positive definite: NaN entries from the failing pivot on.
 *
 * @example
 * ```ts
 * mx.linalg.cholesky(mx.array([[4, 2], [2, 2]], mx.float32)); // [[2, 0], [1, 1]]
 * ```
 */
export function cholesky(a: MxArray, upper?: boolean | UpperOpts, opts?: StreamOpt): MxArray {
  const o = optArgs<UpperOpts>(['upper'], [upper, opts], 'linalg.cholesky');
  checkMatrix(a, 'cholesky', true);
  checkFloat(a, 'cholesky');
  return bind('cholesky', [a], { upper: !!o.upper }, cpuStream(o, 'cholesky'));
}

/**
 * Inverse of A from its Cholesky factor (lower L, or upper U with `upper`).
 *
 * @example
 * ```ts
 * const Ainv = mx.linalg.choleskyInv(mx.linalg.cholesky(A));
 * ```
 */
export function choleskyInv(L: MxArray, upper?: boolean | UpperOpts, opts?: StreamOpt): MxArray {
  const o = optArgs<UpperOpts>(['upper'], [upper, opts], 'linalg.choleskyInv');
  checkMatrix(L, 'choleskyInv', true);
  checkFloat(L, 'choleskyInv');
  return bind('inverse', [L], { mode: 'cholesky', upper: !!o.upper }, cpuStream(o, 'choleskyInv'));
}

/**
 * Moore–Penrose pseudo-inverse through the SVD, dropping singular values below 10·max(m, n)·eps·max(S).
 *
 * @example
 * ```ts
 * mx.linalg.pinv(mx.array([[1, 2, 3]], mx.float32)).shape; // [3, 1]
 * ```
 */
export function pinv(a: MxArray, opts: StreamOpt = {}): MxArray {
  checkMatrix(a, 'pinv', false);
  checkFloat(a, 'pinv');
  return bind('pinv', [a], {}, cpuStream(opts, 'pinv'));
}

/** Options of `eigh`/`eigvalsh`. */
export interface EighOpts extends StreamOpt { UPLO?: 'L' | 'U' }

function eighArgs(a: MxArray, rest: unknown[], op: string): { uplo: 'L' | 'U'; stream: Stream } {
  const o = optArgs<EighOpts>(['UPLO'], rest, `linalg.${op}`);
  const uplo = o.UPLO ?? 'L';
  if (uplo !== 'L' && uplo !== 'U') throw new Error(`[linalg.${op}] UPLO must be 'L' or 'U', got ${JSON.stringify(uplo)}.`);
  checkMatrix(a, op, true);
  checkFloat(a, op);
  return { uplo, stream: cpuStream(o, op) };
}

/**
 * Eigenvalues (ascending) and eigenvectors (columns) of symmetric matrices, read from the lower (`'L'`) or
 * upper (`'U'`) triangle.
 *
 * @example
 * ```ts
 * const [w, V] = mx.linalg.eigh(mx.array([[2, 1], [1, 2]], mx.float32)); // w = [1, 3]
 * ```
 */
export function eigh(a: MxArray, UPLO?: 'L' | 'U' | EighOpts, opts?: StreamOpt): [MxArray, MxArray] {
  const { uplo, stream } = eighArgs(a, [UPLO, opts], 'eigh');
  const [w, v] = bindMulti('eigh', [a], { uplo, computeV: true }, stream);
  return [w!, v!];
}

/**
 * Eigenvalues (ascending) of symmetric matrices.
 *
 * @example
 * ```ts
 * mx.linalg.eigvalsh(mx.array([[2, 1], [1, 2]], mx.float32)); // [1, 3]
 * ```
 */
export function eigvalsh(a: MxArray, UPLO?: 'L' | 'U' | EighOpts, opts?: StreamOpt): MxArray {
  const { uplo, stream } = eighArgs(a, [UPLO, opts], 'eigvalsh');
  return bind('eigh', [a], { uplo, computeV: false }, stream);
}

/**
 * Eigenvalues and unit-norm eigenvectors (columns) of general square matrices, as complex64.
 *
 * @example
 * ```ts
 * const [w, V] = mx.linalg.eig(mx.array([[0, -1], [1, 0]], mx.float32)); // w = [i, -i] in some order
 * ```
 */
export function eig(a: MxArray, opts: StreamOpt = {}): [MxArray, MxArray] {
  checkMatrix(a, 'eig', true);
  checkFloat(a, 'eig');
  const [w, v] = bindMulti('eig', [a], { computeV: true }, cpuStream(opts, 'eig'));
  return [w!, v!];
}

/**
 * Eigenvalues of general square matrices, as complex64.
 *
 * @example
 * ```ts
 * mx.linalg.eigvals(mx.array([[2, 0], [0, 3]], mx.float32)); // [2+0i, 3+0i]
 * ```
 */
export function eigvals(a: MxArray, opts: StreamOpt = {}): MxArray {
  checkMatrix(a, 'eigvals', true);
  checkFloat(a, 'eigvals');
  return bind('eig', [a], { computeV: false }, cpuStream(opts, 'eigvals'));
}

/**
 * LU factorization with partial pivoting, as MLX returns it: row indices `p` (uint32), unit-lower L (…, m, k)
 * and upper U (…, k, n) with `A = L[p, :] @ U` (`takeAlongAxis(L, p[..., None], -2) @ U` when batched).
 *
 * @example
 * ```ts
 * const [p, L, U] = mx.linalg.lu(mx.array([[1, 2], [3, 4]], mx.float32)); // p = [1, 0]
 * ```
 */
export function lu(a: MxArray, opts: StreamOpt = {}): [MxArray, MxArray, MxArray] {
  checkMatrix(a, 'lu', false);
  checkFloat(a, 'lu');
  const [p, l, u] = bindMulti('lu', [a], {}, cpuStream(opts, 'lu'));
  return [p!, l!, u!];
}

/**
 * Packed LU factorization: L (below the diagonal, unit diagonal implied) and U in one matrix, and LAPACK-style
 * pivots (uint32, 0-based: row j was swapped with row `pivots[j]`).
 *
 * @example
 * ```ts
 * const [LU, pivots] = mx.linalg.luFactor(mx.array([[1, 2], [3, 4]], mx.float32)); // pivots = [1, 1]
 * ```
 */
export function luFactor(a: MxArray, opts: StreamOpt = {}): [MxArray, MxArray] {
  checkMatrix(a, 'luFactor', false);
  checkFloat(a, 'luFactor');
  const [f, piv] = bindMulti('luf', [a], {}, cpuStream(opts, 'luFactor'));
  return [f!, piv!];
}

function checkSolve(a: MxArray, b: MxArray, op: string): void {
  a._check(`linalg.${op}`);
  b._check(`linalg.${op}`);
  if (a.ndim < 2) throw new Error(`[linalg.${op}] First input must have >= 2 dimensions. Received array with ${a.ndim} dimensions.`);
  if (b.ndim < 1) throw new Error(`[linalg.${op}] Second input must have >= 1 dimensions. Received array with ${b.ndim} dimensions.`);
  const n = a.shape[a.ndim - 1]!;
  if (n !== a.shape[a.ndim - 2]) throw new Error(`[linalg.${op}] First input must be a square matrix. Received array with shape ${fmtShape(a.shape)}.`);
  if (b.shape[b.ndim > 1 ? b.ndim - 2 : 0] !== n) {
    throw new Error(`[linalg.${op}] Last dimension of first input with shape ${fmtShape(a.shape)} must match the ` +
      `${b.ndim > 1 ? 'second to last' : 'only'} dimension of second input with shape ${fmtShape(b.shape)}.`);
  }
  const t = dt.promoteTypes(a.dtype, b.dtype);
  if (t !== dt.float32 && t !== dt.float64) {
    throw new TypeError(`[linalg.${op}] Input arrays must promote to float32 or float64. Received arrays with type ${a.dtype.name} and ${b.dtype.name}.`);
  }
  if (b.ndim > 1) solveShape(a.shape, b.shape, false);
}

/**
 * Solves `A @ X = B` for square A (through partial-pivot LU). B is a vector (…)(n,) or matrices (…, n, k);
 * batch dimensions broadcast. An exactly singular A makes evaluation throw.
 *
 * @example
 * ```ts
 * mx.linalg.solve(mx.array([[2, 0], [0, 4]], mx.float32), mx.array([2, 4], mx.float32)); // [1, 1]
 * ```
 */
export function solve(a: MxArray, b: MxArray, opts: StreamOpt = {}): MxArray {
  checkSolve(a, b, 'solve');
  return bind('solve', [a, b], { triangular: false, upper: false, vector: b.ndim === 1 }, cpuStream(opts, 'solve'));
}

/**
 * Solves `A @ X = B` for triangular A, reading its lower (default) or upper triangle.
 *
 * @example
 * ```ts
 * mx.linalg.solveTriangular(mx.array([[2, 0], [1, 1]], mx.float32), mx.array([2, 2], mx.float32)); // [1, 1]
 * ```
 */
export function solveTriangular(a: MxArray, b: MxArray, upper?: boolean | UpperOpts, opts?: StreamOpt): MxArray {
  const o = optArgs<UpperOpts>(['upper'], [upper, opts], 'linalg.solveTriangular');
  checkSolve(a, b, 'solveTriangular');
  return bind('solve', [a, b], { triangular: true, upper: !!o.upper, vector: b.ndim === 1 },
    cpuStream(o, 'solveTriangular'));
}

function detInput(a: MxArray, op: string, s: Stream): MxArray {
  checkMatrix(a, op, true);
  if (dt.isComplex(a.dtype)) throw new TypeError(`[linalg.${op}] Complex inputs are not supported.`);
  return dt.isFloating(a.dtype) ? a : astype(a, dt.float32, { stream: s });
}

/**
 * Determinant of square matrices (integer inputs compute in float32).
 *
 * @example
 * ```ts
 * mx.linalg.det(mx.array([[1, 2], [3, 4]], mx.float32)); // -2
 * ```
 */
export function det(a: MxArray, opts: StreamOpt = {}): MxArray {
  const s = cpuStream(opts, 'det');
  return bind('det', [detInput(a, 'det', s)], {}, s);
}

/**
 * Sign and natural log of the absolute determinant (sign 0 and logabsdet -inf for singular matrices).
 *
 * @example
 * ```ts
 * const [sign, logabsdet] = mx.linalg.slogdet(mx.array([[1, 2], [3, 4]], mx.float32)); // -1, log(2)
 * ```
 */
export function slogdet(a: MxArray, opts: StreamOpt = {}): [MxArray, MxArray] {
  const s = cpuStream(opts, 'slogdet');
  const [sg, la] = bindMulti('slogdet', [detInput(a, 'slogdet', s)], {}, s);
  return [sg!, la!];
}
