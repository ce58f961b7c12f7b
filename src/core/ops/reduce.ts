/**
 * @file Reductions: sum prod mean var std max min all any argmax argmin logsumexp median countNonzero softmax
 * trace, and the array methods of the same names. Dtypes follow MLX: sum/prod widen bool and small ints to
 * (u)int32, keep 64-bit ints; mean/var/std/median/logsumexp/softmax of integers give float32; argmax/argmin give
 * uint32; countNonzero gives int32.
 */
import { MxArray, bind, type ArrayLike } from '../array.js';
import { toStream } from '../device.js';
import { toDtype, type DtypeLike } from '../dtype.js';
import { normAxes, normAxis, fmtShape } from '../shape.js';
import { optArgs } from './args.js';
import { sumDtype, type ReduceMode } from '../primitives/reduce.js';
import { astype } from './basic.js';
import { inputArray, flag, int, singleAxis, type AxisArg, type ReduceArgs, type ReduceOpts } from './reduce-args.js';
import type { StreamOpt } from '../device.js';
import '../primitives/reduce.js';

export type { AxisArg, ReduceArgs, ReduceOpts } from './reduce-args.js';

/** Options of var/std: the reduction options plus `ddof` (delta degrees of freedom). */
export interface VarOpts extends ReduceOpts { ddof?: number }
/** Positional-or-options arguments of var/std: `(axis?, keepdims?, ddof?, opts?)`. */
export type VarArgs =
  | [opts?: VarOpts]
  | [axis: AxisArg | undefined, opts?: VarOpts]
  | [axis: AxisArg | undefined, keepdims: boolean | undefined, opts?: VarOpts]
  | [axis: AxisArg | undefined, keepdims: boolean | undefined, ddof: number | undefined, opts?: VarOpts];

function reduceOp(mode: ReduceMode, op: string, a: ArrayLike, rest: readonly unknown[]): MxArray {
  const o = optArgs<VarOpts>(['axis', 'keepdims', 'ddof'], rest, op);
  const x = inputArray(a, op);
  const axes = normAxes(o.axis, x.ndim, op);
  // max/min have no identity: only folding a length-0 axis is an error (MLX's compute_reduce_shape), so
  // max(zeros([0, 3]), 1) is an empty result and an empty axis list is a no-op
  const empty = axes.find((ax) => x.shape[ax] === 0);
  if ((mode === 'max' || mode === 'min') && empty !== undefined) {
    throw new Error(`[${op}] Cannot ${op} reduce over axis ${empty} with size 0 (array of shape ${fmtShape(x.shape)}).`);
  }
  const ddof = o.ddof === undefined ? 0 : int(o.ddof, 'ddof', op);
  return bind('reduce', [x], { mode, axes, keepdims: flag(o.keepdims, 'keepdims', op), ddof }, toStream(o.stream, op));
}

/**
 * Sum over `axis` (all axes when omitted). bool and small integers sum in (u)int32, as in MLX.
 *
 * @example
 * ```ts
 * mx.sum(mx.array([[1, 2], [3, 4]]), 0); // [4, 6]
 * ```
 */
export function sum(a: ArrayLike, ...rest: ReduceArgs): MxArray { return reduceOp('sum', 'sum', a, rest); }

/**
 * Product over `axis`; integer dtypes as for `sum`.
 *
 * @example
 * ```ts
 * mx.prod(mx.array([1, 2, 3, 4])); // 24
 * ```
 */
export function prod(a: ArrayLike, ...rest: ReduceArgs): MxArray { return reduceOp('prod', 'prod', a, rest); }

/**
 * Maximum over `axis`; NaN if the lane holds a NaN. Throws on an empty array, as MLX.
 *
 * @example
 * ```ts
 * mx.max(mx.array([[1, 5], [3, 2]]), 1); // [5, 3]
 * ```
 */
export function max(a: ArrayLike, ...rest: ReduceArgs): MxArray { return reduceOp('max', 'max', a, rest); }

/**
 * Minimum over `axis`; NaN if the lane holds a NaN. Throws on an empty array, as MLX.
 *
 * @example
 * ```ts
 * mx.min(mx.array([4, -1, 2])); // -1
 * ```
 */
export function min(a: ArrayLike, ...rest: ReduceArgs): MxArray { return reduceOp('min', 'min', a, rest); }

/**
 * Whether every element over `axis` is non-zero (bool).
 *
 * @example
 * ```ts
 * mx.all(mx.array([true, false])); // false
 * ```
 */
export function all(a: ArrayLike, ...rest: ReduceArgs): MxArray { return reduceOp('all', 'all', a, rest); }

/**
 * Whether any element over `axis` is non-zero (bool).
 *
 * @example
 * ```ts
 * mx.any(mx.array([0, 0, 3])); // true
 * ```
 */
export function any(a: ArrayLike, ...rest: ReduceArgs): MxArray { return reduceOp('any', 'any', a, rest); }

/**
 * Mean over `axis`; integers give float32. The mean of an empty lane is NaN.
 *
 * @example
 * ```ts
 * mx.mean(mx.array([1, 2, 3, 4])); // 2.5
 * ```
 */
export function mean(a: ArrayLike, ...rest: ReduceArgs): MxArray { return reduceOp('mean', 'mean', a, rest); }

/**
 * Variance over `axis`: mean squared deviation, divided by `n - ddof` instead of `n` when `ddof` is given.
 *
 * @example
 * ```ts
 * mx.var(mx.array([1, 2, 3, 4]), null, false, 1); // 1.6667
 * ```
 */
function variance(a: ArrayLike, ...rest: VarArgs): MxArray { return reduceOp('var', 'var', a, rest); }
export { variance as var };

/**
 * Standard deviation over `axis` (square root of `var`, with the same `ddof`).
 *
 * @example
 * ```ts
 * mx.std(mx.array([1, 3])); // 1
 * ```
 */
export function std(a: ArrayLike, ...rest: VarArgs): MxArray { return reduceOp('std', 'std', a, rest); }

/**
 * Median over `axis` (mean of the two middle values for even counts); NaN if the lane holds a NaN.
 *
 * @example
 * ```ts
 * mx.median(mx.array([3, 1, 4, 2])); // 2.5
 * ```
 */
export function median(a: ArrayLike, ...rest: ReduceArgs): MxArray { return reduceOp('median', 'median', a, rest); }

/**
 * Number of non-zero elements over `axis` (int32).
 *
 * @example
 * ```ts
 * mx.countNonzero(mx.array([0, 1, 2, 0])); // 2
 * ```
 */
export function countNonzero(a: ArrayLike, ...rest: ReduceArgs): MxArray {
  return reduceOp('countNonzero', 'countNonzero', a, rest);
}

/** Options of argmax/argmin: one axis (the flattened array when omitted) and keepdims. */
export interface ArgReduceOpts extends StreamOpt { axis?: number | null; keepdims?: boolean }
/** Positional-or-options arguments of argmax/argmin. */
export type ArgReduceArgs =
  | [opts?: ArgReduceOpts]
  | [axis: number | null | undefined, opts?: ArgReduceOpts]
  | [axis: number | null | undefined, keepdims: boolean | undefined, opts?: ArgReduceOpts];

function argOp(mode: 'argmax' | 'argmin', a: ArrayLike, rest: readonly unknown[]): MxArray {
  const o = optArgs<ArgReduceOpts>(['axis', 'keepdims'], rest, mode);
  const x = inputArray(a, mode);
  const ax = singleAxis(o.axis, mode);
  const axis = ax === null ? null : normAxis(ax, x.ndim, mode);
  if (x.size === 0) throw new Error(`[${mode}] Cannot ${mode} reduce zero size array of shape ${fmtShape(x.shape)}.`);
  return bind('argReduce', [x], { mode, axis, keepdims: flag(o.keepdims, 'keepdims', mode) }, toStream(o.stream, mode));
}

/**
 * Index of the maximum along `axis` (of the flattened array when omitted), as uint32; the first one on ties, the
 * first NaN if any.
 *
 * @example
 * ```ts
 * mx.argmax(mx.array([[1, 9], [7, 3]]), 1); // [1, 0]
 * ```
 */
export function argmax(a: ArrayLike, ...rest: ArgReduceArgs): MxArray { return argOp('argmax', a, rest); }

/**
 * Index of the minimum along `axis` (of the flattened array when omitted), as uint32.
 *
 * @example
 * ```ts
 * mx.argmin(mx.array([4, 1, 1])); // 1
 * ```
 */
export function argmin(a: ArrayLike, ...rest: ArgReduceArgs): MxArray { return argOp('argmin', a, rest); }

/**
 * log(sum(exp(a))) over `axis`, computed stably (the lane max is subtracted first).
 *
 * @example
 * ```ts
 * mx.logsumexp(mx.array([1000, 1000])); // 1000.6931
 * ```
 */
export function logsumexp(a: ArrayLike, ...rest: ReduceArgs): MxArray {
  const o = optArgs<ReduceOpts>(['axis', 'keepdims'], rest, 'logsumexp');
  const x = inputArray(a, 'logsumexp');
  const axes = normAxes(o.axis, x.ndim, 'logsumexp');
  return bind('logsumexp', [x], { axes, keepdims: flag(o.keepdims, 'keepdims', 'logsumexp') }, toStream(o.stream, 'logsumexp'));
}

/** Options of softmax. */
export interface SoftmaxOpts extends StreamOpt {
  /** Axes to normalise over; all when null or omitted. */
  axis?: AxisArg;
  /** Accumulate half-precision inputs in float32 (the CPU always accumulates in float64). */
  precise?: boolean;
}

/**
 * Softmax over `axis` (all axes when omitted): exp(a - max) / sum(exp(a - max)). Integers give float32.
 *
 * @example
 * ```ts
 * mx.softmax(mx.array([1, 1]), -1); // [0.5, 0.5]
 * ```
 */
export function softmax(a: ArrayLike, axis?: AxisArg | SoftmaxOpts, opts?: SoftmaxOpts): MxArray {
  const o = optArgs<SoftmaxOpts>(['axis'], [axis, opts], 'softmax');
  const x = inputArray(a, 'softmax');
  const axes = normAxes(o.axis, x.ndim, 'softmax');
  return bind('softmax', [x], { axes, precise: flag(o.precise, 'precise', 'softmax') }, toStream(o.stream, 'softmax'));
}

/** Options of trace. */
export interface TraceOpts extends StreamOpt { offset?: number; axis1?: number; axis2?: number; dtype?: DtypeLike }

/**
 * Sum along a diagonal of the planes (axis1, axis2); `offset` > 0 is above the main diagonal. As in MLX
 * (mlx/ops.cpp `trace`), the diagonal is first cast to `dtype` (default: the input's) and then summed with `sum`'s
 * dtype rule, so bool and integers of up to 32 bits give int32/uint32.
 *
 * @example
 * ```ts
 * mx.trace(mx.array([[1, 2], [3, 4]])); // 5
 * ```
 */
export function trace(
  a: ArrayLike, offset?: number | TraceOpts, axis1?: number | TraceOpts, axis2?: number | TraceOpts,
  dtype?: DtypeLike | TraceOpts, opts?: TraceOpts,
): MxArray {
  const o = optArgs<TraceOpts>(['offset', 'axis1', 'axis2', 'dtype'], [offset, axis1, axis2, dtype, opts], 'trace');
  const x = inputArray(a, 'trace');
  if (x.ndim < 2) throw new Error(`[trace] Input must have at least 2 dimensions, got shape ${fmtShape(x.shape)}.`);
  const a1 = normAxis(o.axis1 ?? 0, x.ndim, 'trace'), a2 = normAxis(o.axis2 ?? 1, x.ndim, 'trace');
  if (a1 === a2) throw new Error(`[trace] axis1 and axis2 must differ, got ${a1} twice.`);
  const off = o.offset === undefined ? 0 : int(o.offset, 'offset', 'trace');
  const d = o.dtype === undefined ? x.dtype : toDtype(o.dtype, 'trace');
  const stream = toStream(o.stream, 'trace');
  // MLX casts the elements before summing: trace(1.5 + 1.5, dtype=int32) is 2, not 3
  const xs = d === x.dtype ? x : astype(x, d, { stream });
  return bind('trace', [xs], { offset: off, axis1: a1, axis2: a2, dtype: sumDtype(d) }, stream);
}

declare module '../array.js' {
  interface MxArray {
    /** @see sum */ sum(...rest: ReduceArgs): MxArray;
    /** @see prod */ prod(...rest: ReduceArgs): MxArray;
    /** @see mean */ mean(...rest: ReduceArgs): MxArray;
    /** @see var */ var(...rest: VarArgs): MxArray;
    /** @see std */ std(...rest: VarArgs): MxArray;
    /** @see max */ max(...rest: ReduceArgs): MxArray;
    /** @see min */ min(...rest: ReduceArgs): MxArray;
    /** @see all */ all(...rest: ReduceArgs): MxArray;
    /** @see any */ any(...rest: ReduceArgs): MxArray;
    /** @see argmax */ argmax(...rest: ArgReduceArgs): MxArray;
    /** @see argmin */ argmin(...rest: ArgReduceArgs): MxArray;
    /** @see logsumexp */ logsumexp(...rest: ReduceArgs): MxArray;
  }
}
const proto = MxArray.prototype;
proto.sum = function (this: MxArray, ...rest: ReduceArgs) { return sum(this, ...rest); };
proto.prod = function (this: MxArray, ...rest: ReduceArgs) { return prod(this, ...rest); };
proto.mean = function (this: MxArray, ...rest: ReduceArgs) { return mean(this, ...rest); };
proto.var = function (this: MxArray, ...rest: VarArgs) { return variance(this, ...rest); };
proto.std = function (this: MxArray, ...rest: VarArgs) { return std(this, ...rest); };
proto.max = function (this: MxArray, ...rest: ReduceArgs) { return max(this, ...rest); };
proto.min = function (this: MxArray, ...rest: ReduceArgs) { return min(this, ...rest); };
proto.all = function (this: MxArray, ...rest: ReduceArgs) { return all(this, ...rest); };
proto.any = function (this: MxArray, ...rest: ReduceArgs) { return any(this, ...rest); };
proto.argmax = function (this: MxArray, ...rest: ArgReduceArgs) { return argmax(this, ...rest); };
proto.argmin = function (this: MxArray, ...rest: ArgReduceArgs) { return argmin(this, ...rest); };
proto.logsumexp = function (this: MxArray, ...rest: ReduceArgs) { return logsumexp(this, ...rest); };
