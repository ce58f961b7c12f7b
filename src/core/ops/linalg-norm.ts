/**
 * @file `mx.linalg.norm` and `mx.linalg.cross`. Each is one primitive (computing in float64 on the CPU) whose
 * semantics, dtypes and errors follow MLX's composite versions; unlike the factorizations they accept any stream.
 */
import { MxArray, bind } from '../array.js';
import * as dt from '../dtype.js';
import { toStream, type StreamOpt } from '../device.js';
import { fmtShape, normAxis, sizeOf } from '../shape.js';
import { optArgs } from './args.js';
import type { NormOrd } from '../primitives/linalg.js';
import '../primitives/linalg.js';

/** Options of `norm` (all of its optional parameters may be given here). */
export interface NormOpts extends StreamOpt {
  ord?: NormOrd;
  axis?: number | readonly number[] | null;
  keepdims?: boolean;
}

const MATRIX_ORDS = [1, -1, 2, -2, Infinity, -Infinity];

/**
 * Vector or matrix norm. With neither `ord` nor `axis`: the 2-norm of the flattened array. `ord` over one axis:
 * 2 (default), 1, 0 (count of non-zeros), ±Infinity (max/min |x|) or any p. Over two axes: `'fro'` (default),
 * `'nuc'`, 1/-1 (max/min column sum), ±Infinity (max/min row sum), 2/-2 (largest/smallest singular value).
 * Without `axis`, a given `ord` uses all axes of a 1-D or 2-D array. Integer inputs give float32.
 *
 * @example
 * ```ts
 * mx.linalg.norm(mx.array([3, 4], mx.float32));              // 5
 * mx.linalg.norm(m, 'fro', [-2, -1]);                         // Frobenius norm of each matrix
 * mx.linalg.norm(m, { ord: Infinity, axis: 1, keepdims: true });
 * ```
 */
export function norm(a: MxArray, ...rest: (NormOrd | number | readonly number[] | boolean | NormOpts | undefined)[]): MxArray {
  const o = optArgs<NormOpts>(['ord', 'axis', 'keepdims'], rest, 'linalg.norm');
  a._check('linalg.norm');
  const ord = o.ord ?? null, keepdims = !!o.keepdims;
  const stream = toStream(o.stream, 'linalg.norm');
  let axes: number[];
  if (o.axis === undefined || o.axis === null) {
    axes = [...Array(a.ndim).keys()];
  } else {
    const list = typeof o.axis === 'number' ? [o.axis] : [...o.axis];
    axes = list.map((x) => normAxis(x, a.ndim, 'linalg.norm'));
    if (new Set(axes).size !== axes.length) throw new Error(`[linalg.norm] Received duplicate axes [${list.join(', ')}].`);
  }
  if (typeof ord === 'string') {
    if (ord !== 'fro' && ord !== 'f' && ord !== 'nuc') throw new Error(`[linalg.norm] Invalid ord value '${ord}' for matrix norm.`);
    if (axes.length !== 2) {
      throw new Error(`[linalg.norm] Norm '${ord}' only supported for matrices, but received ${axes.length} axis/axes.`);
    }
  } else if (ord !== null) {
    if (typeof ord !== 'number' || Number.isNaN(ord)) throw new TypeError(`[linalg.norm] Invalid ord ${String(ord)}.`);
    if (axes.length === 0 || axes.length > 2) throw new Error(`[linalg.norm] Received too many axes for norm (${axes.length}).`);
    if (axes.length === 2 && !MATRIX_ORDS.includes(ord)) throw new Error(`[linalg.norm] Invalid ord ${ord} for matrix norm.`);
  } else if (o.axis !== undefined && o.axis !== null && axes.length > 2) {
    throw new Error(`[linalg.norm] Received too many axes for norm (${axes.length}).`);
  }
  // max/min over an empty set has no value (MLX's and NumPy's reductions reject it too)
  const extremal = typeof ord === 'number' && (axes.length === 2 ? ord !== 0 : !Number.isFinite(ord));
  if (extremal && sizeOf(axes.map((x) => a.shape[x]!)) === 0) {
    throw new Error(`[linalg.norm] Cannot compute the ord=${ord} norm over zero-size axes of an array of shape ${fmtShape(a.shape)}.`);
  }
  return bind('linalgNorm', [a], { ord, axes, keepdims }, stream);
}

/** Options of `cross`. */
export interface CrossOpts extends StreamOpt { axis?: number }

/**
 * Cross product of 3-vectors (or 2-vectors, with a zero third component) along `axis` (default -1); the
 * other dimensions broadcast. The result has size 3 along `axis`.
 *
 * @example
 * ```ts
 * mx.linalg.cross(mx.array([1, 0, 0]), mx.array([0, 1, 0])); // [0, 0, 1]
 * ```
 */
export function cross(a: MxArray, b: MxArray, axis?: number | CrossOpts, opts?: StreamOpt): MxArray {
  const o = optArgs<CrossOpts>(['axis'], [axis, opts], 'linalg.cross');
  a._check('linalg.cross');
  b._check('linalg.cross');
  const ax = o.axis ?? -1;
  for (const x of [a, b]) {
    const d = normAxis(ax, x.ndim, 'linalg.cross');
    const len = x.shape[d]!;
    if (len < 2 || len > 3) {
      throw new Error(`[linalg.cross] The specified axis must have size 2 or 3; got shape ${fmtShape(x.shape)} at axis ${ax}.`);
    }
  }
  if (dt.isComplex(a.dtype) || dt.isComplex(b.dtype)) throw new TypeError('[linalg.cross] Complex inputs are not supported.');
  const nd = Math.max(a.ndim, b.ndim);
  const outAxis = ax < 0 ? ax + nd : ax;
  // a non-negative axis must name the same dimension of both inputs once they are right-aligned
  if (ax >= 0 && (a.ndim !== nd || b.ndim !== nd)) {
    for (const x of [a, b]) {
      if (outAxis - (nd - x.ndim) !== ax) {
        throw new Error(`[linalg.cross] Axis ${ax} is ambiguous for inputs of shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}; use a negative axis.`);
      }
    }
  }
  return bind('linalgCross', [a, b], { axis: outAxis }, toStream(o.stream, 'linalg.cross'));
}
