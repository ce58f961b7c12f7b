/**
 * @file Cumulative ops: cumsum cumprod cummax cummin logcumsumexp (and the array methods). As in MLX, `axis`
 * omitted scans the flattened array, and `reverse` / `inclusive` are options. cumsum of bool gives int32, cumprod
 * of bool stays bool; logcumsumexp of integers gives float32; other dtypes are kept (integer sums wrap in their dtype).
 */
import { MxArray, bind, type ArrayLike } from '../array.js';
import { toStream, type StreamOpt } from '../device.js';
import { normAxis } from '../shape.js';
import { optArgs } from './args.js';
import type { ScanMode } from '../primitives/cumulative.js';
import { inputArray, flag, singleAxis } from './reduce-args.js';
import '../primitives/cumulative.js';

/** Options of the cumulative ops. */
export interface CumulativeOpts extends StreamOpt {
  /** Axis to scan; the flattened array when null or omitted. */
  axis?: number | null;
  /** Scan from the end. */
  reverse?: boolean;
  /** Include each element in its own result (default true); false shifts by one, starting from the identity. */
  inclusive?: boolean;
}

function scanOp(mode: ScanMode, op: string, a: ArrayLike, axis: number | null | undefined | CumulativeOpts, opts?: CumulativeOpts): MxArray {
  const o = optArgs<CumulativeOpts>(['axis'], [axis, opts], op);
  const x = inputArray(a, op);
  const ax = singleAxis(o.axis, op);
  const params = {
    mode, axis: ax === null ? null : normAxis(ax, x.ndim, op),
    reverse: flag(o.reverse, 'reverse', op), inclusive: o.inclusive === undefined ? true : flag(o.inclusive, 'inclusive', op),
  };
  return bind('scan', [x], params, toStream(o.stream, op));
}

/**
 * Cumulative sum along `axis` (the flattened array when omitted).
 *
 * @example
 * ```ts
 * mx.cumsum(mx.array([1, 2, 3]));                        // [1, 3, 6]
 * mx.cumsum(mx.array([1, 2, 3]), 0, { reverse: true });  // [6, 5, 3]
 * ```
 */
export function cumsum(a: ArrayLike, axis?: number | null | CumulativeOpts, opts?: CumulativeOpts): MxArray {
  return scanOp('sum', 'cumsum', a, axis, opts);
}

/**
 * Cumulative product along `axis`.
 *
 * @example
 * ```ts
 * mx.cumprod(mx.array([1, 2, 3]), 0, { inclusive: false }); // [1, 1, 2]
 * ```
 */
export function cumprod(a: ArrayLike, axis?: number | null | CumulativeOpts, opts?: CumulativeOpts): MxArray {
  return scanOp('prod', 'cumprod', a, axis, opts);
}

/**
 * Running maximum along `axis` (NaN once a NaN is seen).
 *
 * @example
 * ```ts
 * mx.cummax(mx.array([1, 3, 2])); // [1, 3, 3]
 * ```
 */
export function cummax(a: ArrayLike, axis?: number | null | CumulativeOpts, opts?: CumulativeOpts): MxArray {
  return scanOp('max', 'cummax', a, axis, opts);
}

/**
 * Running minimum along `axis`.
 *
 * @example
 * ```ts
 * mx.cummin(mx.array([3, 1, 2])); // [3, 1, 1]
 * ```
 */
export function cummin(a: ArrayLike, axis?: number | null | CumulativeOpts, opts?: CumulativeOpts): MxArray {
  return scanOp('min', 'cummin', a, axis, opts);
}

/**
 * Running log(sum(exp(a))) along `axis`, computed stably.
 *
 * @example
 * ```ts
 * mx.logcumsumexp(mx.array([0, 0])); // [0, 0.6931]
 * ```
 */
export function logcumsumexp(a: ArrayLike, axis?: number | null | CumulativeOpts, opts?: CumulativeOpts): MxArray {
  return scanOp('logaddexp', 'logcumsumexp', a, axis, opts);
}

type ScanArgs = [axis?: number | null | CumulativeOpts, opts?: CumulativeOpts];
declare module '../array.js' {
  interface MxArray {
    /** @see cumsum */ cumsum(...rest: ScanArgs): MxArray;
    /** @see cumprod */ cumprod(...rest: ScanArgs): MxArray;
    /** @see cummax */ cummax(...rest: ScanArgs): MxArray;
    /** @see cummin */ cummin(...rest: ScanArgs): MxArray;
    /** @see logcumsumexp */ logcumsumexp(...rest: ScanArgs): MxArray;
  }
}
const proto = MxArray.prototype;
proto.cumsum = function (this: MxArray, ...rest: ScanArgs) { return cumsum(this, ...rest); };
proto.cumprod = function (this: MxArray, ...rest: ScanArgs) { return cumprod(this, ...rest); };
proto.cummax = function (this: MxArray, ...rest: ScanArgs) { return cummax(this, ...rest); };
proto.cummin = function (this: MxArray, ...rest: ScanArgs) { return cummin(this, ...rest); };
proto.logcumsumexp = function (this: MxArray, ...rest: ScanArgs) { return logcumsumexp(this, ...rest); };
