/**
 * @file Basic ops: `astype` (also `a.astype`).
 */
import { MxArray, bind } from '../array.js';
import { toDtype, type DtypeLike } from '../dtype.js';
import { toStream, type StreamOpt } from '../device.js';
import '../primitives/basic.js';

/**
 * Casts to another dtype, as a C cast (floats truncate toward zero into integers; complex to real keeps the real
 * part). Returns a new array even when the dtype is unchanged.
 *
 * @example
 * ```ts
 * mx.astype(mx.array([1.7, -1.7]), mx.int32); // [1, -1]
 * ```
 */
export function astype(a: MxArray, dtype: DtypeLike, opts: StreamOpt = {}): MxArray {
  a._check('astype');
  return bind('astype', [a], { dtype: toDtype(dtype, 'astype') }, toStream(opts.stream, 'astype'));
}

declare module '../array.js' {
  interface MxArray {
    /** Casts to `dtype`. @see astype */
    astype(dtype: DtypeLike, opts?: StreamOpt): MxArray;
  }
}
MxArray.prototype.astype = function (this: MxArray, dtype: DtypeLike, opts?: StreamOpt) { return astype(this, dtype, opts); };
