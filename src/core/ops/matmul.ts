/**
 * @file Matmul-family ops: `matmul`, `addmm`, `tensordot`, `inner`, `outer`, `vecdot`, `kron`, plus `einsum` and
 * `einsumPath` (einsum.ts). Everything but matmul/addmm binds the labelled `contract` primitive, so transposes,
 * reshapes and broadcasts never materialise a copy.
 */
import { MxArray, bind, isArray, type ArrayLike } from '../array.js';
import * as dt from '../dtype.js';
import { promoteTypes, type Dtype } from '../dtype.js';
import { toStream, type Stream, type StreamOpt } from '../device.js';
import { asArray } from '../construct.js';
import { optArgs } from './args.js';
import { astype } from './basic.js';
import '../primitives/matmul.js';

export { einsum, einsumPath } from './einsum.js';

/** MLX's shape spelling in messages: `(2,3)`. */
export const fmt = (s: readonly number[]): string => `(${s.join(',')})`;

/** @internal An op argument as an array (scalars take the weak-scalar dtype). */
export function toArr(x: ArrayLike, op: string, s: Stream): MxArray {
  if (isArray(x)) { x._check(op); return x; }
  return asArray(x, dt.scalarDtype(x as number), s);
}

/** @internal Casts when needed. */
export function cast(x: MxArray, d: Dtype, s: Stream): MxArray {
  return x.dtype === d ? x : astype(x, d, { stream: s });
}

function requireInexact(op: string, t: Dtype, ...xs: MxArray[]): void {
  if (!dt.isInexact(t)) {
    throw new TypeError(`[${op}] Only inexact types are supported but ${xs.map((x) => x.dtype.name).join(' and ')} were ` +
      `provided which results in ${t.name}, which is not a floating point type.`);
  }
}

/** @internal Shape checks shared by matmul and addmm; returns the output shape. */
function checkMatmul(op: string, a: MxArray, b: MxArray): number[] {
  if (a.ndim === 0 || b.ndim === 0) {
    throw new Error(`[${op}] Got 0 dimension input. Inputs must have at least one dimension.`);
  }
  const sa = a.ndim === 1 ? [1, a.shape[0]!] : a.shape, sb = b.ndim === 1 ? [b.shape[0]!, 1] : b.shape;
  if (sa[sa.length - 1] !== sb[sb.length - 2]) {
    throw new Error(`[${op}] Last dimension of first input with shape ${fmt(sa)} must match second to last ` +
      `dimension of second input with shape ${fmt(sb)}.`);
  }
  const ba = sa.slice(0, -2), bb = sb.slice(0, -2), nd = Math.max(ba.length, bb.length);
  const out: number[] = [];
  for (let i = 0; i < nd; i++) {
    const x = ba[ba.length - nd + i] ?? 1, y = bb[bb.length - nd + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) {
      throw new Error(`[${op}] Batch dimensions of inputs with shapes ${fmt(a.shape)} and ${fmt(b.shape)} cannot be broadcast.`);
    }
    out.push(x === 1 ? y : x);
  }
  if (a.ndim > 1) out.push(sa[sa.length - 2]!);
  if (b.ndim > 1) out.push(sb[sb.length - 1]!);
  return out;
}

/**
 * Matrix product with NumPy semantics: 1-d operands are promoted to a row (first) or column (second) vector and the
 * added axis is removed again; leading batch dimensions broadcast. Inputs must promote to an inexact dtype.
 *
 * @example
 * ```ts
 * mx.matmul(mx.ones([2, 3]), mx.ones([3, 4])).shape; // [2, 4]
 * ```
 */
export function matmul(a: ArrayLike, b: ArrayLike, opts: StreamOpt = {}): MxArray {
  const s = toStream(opts.stream, 'matmul');
  const x = toArr(a, 'matmul', s), y = toArr(b, 'matmul', s);
  checkMatmul('matmul', x, y);
  const t = promoteTypes(x.dtype, y.dtype);
  requireInexact('matmul', t, x, y);
  return bind('matmul', [cast(x, t, s), cast(y, t, s)], {}, s);
}

/** Options of `addmm`. */
export interface AddmmOpts extends StreamOpt { alpha?: number; beta?: number }

/**
 * `beta * c + alpha * (a @ b)`; `c` must broadcast to the shape of `a @ b`.
 *
 * @example
 * ```ts
 * mx.addmm(mx.zeros([2, 2]), mx.ones([2, 3]), mx.ones([3, 2]), 2.0); // all 6
 * ```
 */
export function addmm(c: ArrayLike, a: ArrayLike, b: ArrayLike, ...rest: [number?, number?, AddmmOpts?] | [AddmmOpts]): MxArray {
  const o = optArgs<AddmmOpts>(['alpha', 'beta'], rest, 'addmm');
  const s = toStream(o.stream, 'addmm');
  const alpha = o.alpha ?? 1, beta = o.beta ?? 1;
  const x = toArr(a, 'addmm', s), y = toArr(b, 'addmm', s), z = toArr(c, 'addmm', s);
  const shape = checkMatmul('addmm', x, y);
  const t = promoteTypes(promoteTypes(x.dtype, y.dtype), z.dtype);
  if (!dt.isInexact(t)) {
    throw new TypeError(`[addmm] Only real floating point types are supported but ${z.dtype.name}, ${x.dtype.name} and ` +
      `${y.dtype.name} were provided which results in ${t.name}, which is not a real floating point type.`);
  }
  const nd = Math.max(z.ndim, shape.length);
  for (let i = 0; i < nd; i++) {
    const cd = z.shape[z.ndim - nd + i] ?? 1, od = shape[shape.length - nd + i];
    if (od === undefined || (cd !== 1 && cd !== od)) {
      throw new Error(`[addmm] Input c with shape ${fmt(z.shape)} must broadcast to the output shape ${fmt(shape)}.`);
    }
  }
  return bind('addmm', [cast(z, t, s), cast(x, t, s), cast(y, t, s)], { alpha, beta }, s);
}

/** @internal Binds a contraction; casts the operands to `dtype`. */
export function contract(
  s: Stream, dtype: Dtype, shape: number[], a: MxArray, la: number[], b: MxArray | null, lb: number[] | null,
  out: number[], conjA = false,
): MxArray {
  const inputs = b ? [cast(a, dtype, s), cast(b, dtype, s)] : [cast(a, dtype, s)];
  return bind('contract', inputs, { a: la, b: lb, out, shape, dtype, conjA }, s);
}

/** @internal MLX's `sum` dtype over a product of `t`s: small integers widen to 32 bits, bool counts as int32. */
export function sumDtype(t: Dtype): Dtype {
  if (t === dt.bool) return dt.int32;
  if (dt.isSignedInt(t)) return t.size <= 4 ? dt.int32 : dt.int64;
  if (dt.isUnsigned(t)) return t.size <= 4 ? dt.uint32 : dt.uint64;
  return t;
}

const iota = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

function axisList(x: number | readonly number[], nd: number, op: string): number[] {
  const list = typeof x === 'number' ? [x] : [...x];
  const out = list.map((v) => {
    const r = v < 0 ? v + nd : v;
    if (!Number.isInteger(v) || r < 0 || r >= nd) throw new RangeError(`[${op}] Axis ${v} is out of bounds for array with ${nd} dimensions.`);
    return r;
  });
  if (new Set(out).size !== out.length) throw new Error(`[${op}] Repeated axis in [${list.join(', ')}].`);
  return out;
}

/** The `axes` argument of `tensordot`: a count of trailing/leading axes, or the axes of each operand. */
export type TensordotAxes = number | [number | readonly number[], number | readonly number[]];

/**
 * Sums products over the given axes: `axes = n` contracts the last n axes of `a` with the first n of `b`; a pair
 * of axis lists names them explicitly. The output has the free axes of `a`, then those of `b`.
 *
 * @example
 * ```ts
 * mx.tensordot(mx.ones([2, 3, 4]), mx.ones([3, 4, 5]), 2).shape; // [2, 5]
 * ```
 */
export function tensordot(a: ArrayLike, b: ArrayLike, ...rest: [TensordotAxes?, StreamOpt?] | [StreamOpt & { axes?: TensordotAxes }]): MxArray {
  const o = optArgs<StreamOpt & { axes?: TensordotAxes }>(['axes'], rest, 'tensordot');
  const s = toStream(o.stream, 'tensordot');
  const x = toArr(a, 'tensordot', s), y = toArr(b, 'tensordot', s);
  const axes = o.axes ?? 2;
  let ax: number[], bx: number[];
  if (typeof axes === 'number') {
    if (!Number.isInteger(axes) || axes < 0) throw new RangeError('[tensordot] axis must be greater or equal to 0.');
    if (axes > Math.min(x.ndim, y.ndim)) {
      throw new RangeError(`[tensordot] axis ${axes} must be at most the number of dimensions of a ${fmt(x.shape)} and b ${fmt(y.shape)}.`);
    }
    ax = iota(axes, x.ndim - axes);
    bx = iota(axes);
  } else {
    ax = axisList(axes[0], x.ndim, 'tensordot');
    bx = axisList(axes[1], y.ndim, 'tensordot');
    if (ax.length !== bx.length) throw new Error('[tensordot] axes must have the same size.');
  }
  for (let i = 0; i < ax.length; i++) {
    if (x.shape[ax[i]!] !== y.shape[bx[i]!]) {
      throw new Error(`[tensordot] a and b must have the same shape on the contracted axes; got ${fmt(x.shape)} ` +
        `axes [${ax.join(', ')}] and ${fmt(y.shape)} axes [${bx.join(', ')}].`);
    }
  }
  const t = promoteTypes(x.dtype, y.dtype);
  requireInexact('tensordot', t, x, y);
  const la = iota(x.ndim), lb = iota(y.ndim, x.ndim);
  bx.forEach((bi, i) => { lb[bi] = ax[i]!; });
  const out = [...la.filter((_, i) => !ax.includes(i)), ...lb.filter((_, i) => !bx.includes(i))];
  const shape = [...x.shape.filter((_, i) => !ax.includes(i)), ...y.shape.filter((_, i) => !bx.includes(i))];
  return contract(s, t, shape, x, la, y, lb, out);
}

/**
 * Inner product over the last axes (a product when either is 0-d).
 *
 * @example
 * ```ts
 * mx.inner(mx.array([1, 2, 3], mx.float32), mx.array([0, 1, 0], mx.float32)); // 2
 * ```
 */
export function inner(a: ArrayLike, b: ArrayLike, opts: StreamOpt = {}): MxArray {
  const s = toStream(opts.stream, 'inner');
  const x = toArr(a, 'inner', s), y = toArr(b, 'inner', s);
  const t = promoteTypes(x.dtype, y.dtype);
  if (x.ndim === 0 || y.ndim === 0) {
    return contract(s, t, [...x.shape, ...y.shape], x, iota(x.ndim), y, iota(y.ndim, x.ndim), iota(x.ndim + y.ndim));
  }
  if (x.shape[x.ndim - 1] !== y.shape[y.ndim - 1]) {
    throw new Error(`[inner] a and b must have the same last dimension; got shapes ${fmt(x.shape)} and ${fmt(y.shape)}.`);
  }
  return tensordot(x, y, [[-1], [-1]], { stream: s });
}

/**
 * Outer product of the flattened inputs: shape `[a.size, b.size]`.
 *
 * @example
 * ```ts
 * mx.outer(mx.array([1, 2]), mx.array([1, 10, 100])).shape; // [2, 3]
 * ```
 */
export function outer(a: ArrayLike, b: ArrayLike, opts: StreamOpt = {}): MxArray {
  const s = toStream(opts.stream, 'outer');
  const x = toArr(a, 'outer', s), y = toArr(b, 'outer', s);
  const t = promoteTypes(x.dtype, y.dtype);
  const la = iota(x.ndim), lb = iota(y.ndim, x.ndim);
  return contract(s, t, [x.size, y.size], x, la, y, lb, [...la, ...lb]);
}

/**
 * Sum of `conj(a) * b` along `axis` (after broadcasting the other axes).
 *
 * @example
 * ```ts
 * mx.vecdot(mx.ones([2, 3]), mx.ones([2, 3])); // [3, 3]
 * ```
 */
export function vecdot(a: ArrayLike, b: ArrayLike, ...rest: [number?, StreamOpt?] | [StreamOpt & { axis?: number }]): MxArray {
  const o = optArgs<StreamOpt & { axis?: number }>(['axis'], rest, 'vecdot');
  const s = toStream(o.stream, 'vecdot');
  const x = toArr(a, 'vecdot', s), y = toArr(b, 'vecdot', s);
  const axis = o.axis ?? -1;
  if (x.ndim === 0 || y.ndim === 0) throw new Error('[vecdot] inputs must be at least 1D.');
  const ax = axis < 0 ? axis + x.ndim : axis;
  if (ax < 0 || ax >= x.ndim || (axis < 0 ? axis + y.ndim !== ax : axis >= y.ndim)) {
    throw new RangeError(`[vecdot] axis ${axis} is out of bounds for shapes ${fmt(x.shape)} and ${fmt(y.shape)}.`);
  }
  if (x.shape[ax] !== y.shape[ax]) {
    throw new Error(`[vecdot] a and b must have the same size along axis ${axis}; got shapes ${fmt(x.shape)} and ${fmt(y.shape)}.`);
  }
  const nd = Math.max(x.ndim, y.ndim);
  const shape: number[] = [];
  for (let i = 0; i < nd; i++) {
    const p = x.shape[x.ndim - nd + i] ?? 1, q = y.shape[y.ndim - nd + i] ?? 1;
    if (p !== q && p !== 1 && q !== 1) throw new Error(`[vecdot] Shapes ${fmt(x.shape)} and ${fmt(y.shape)} cannot be broadcast.`);
    shape.push(p === 1 ? q : p);
  }
  const la = iota(x.ndim, nd - x.ndim), lb = iota(y.ndim, nd - y.ndim);
  const out = iota(nd).filter((l) => l !== ax);
  return contract(s, sumDtype(promoteTypes(x.dtype, y.dtype)), out.map((l) => shape[l]!), x, la, y, lb, out, true);
}

/**
 * Kronecker product: every element of `a` scales a copy of `b`; shapes multiply axis by axis (right-aligned).
 *
 * @example
 * ```ts
 * mx.kron(mx.eye(2), mx.ones([2, 2])).shape; // [4, 4]
 * ```
 */
export function kron(a: ArrayLike, b: ArrayLike, opts: StreamOpt = {}): MxArray {
  const s = toStream(opts.stream, 'kron');
  const x = toArr(a, 'kron', s), y = toArr(b, 'kron', s);
  if (x.size === 0 || y.size === 0) throw new Error(`[kron] Input arrays cannot be empty; got shapes ${fmt(x.shape)} and ${fmt(y.shape)}.`);
  const nd = Math.max(x.ndim, y.ndim);
  // axis i of the output interleaves label 2i (from a) and 2i+1 (from b)
  const la = iota(x.ndim, nd - x.ndim).map((i) => 2 * i), lb = iota(y.ndim, nd - y.ndim).map((i) => 2 * i + 1);
  const present = new Set([...la, ...lb]);
  const out = iota(2 * nd).filter((l) => present.has(l));
  const shape = iota(nd).map((i) => (x.shape[x.ndim - nd + i] ?? 1) * (y.shape[y.ndim - nd + i] ?? 1));
  return contract(s, promoteTypes(x.dtype, y.dtype), shape, x, la, y, lb, out);
}
