/**
 * @file Ternary elementwise ops: `where` (select) and `clip` (built from maximum/minimum, as MLX does).
 */
import { MxArray, bind, isArray, type ArrayLike } from '../array.js';
import * as dt from '../dtype.js';
import { toStream, type StreamOpt } from '../device.js';
import { broadcastShapes } from '../shape.js';
import { NO_PARAMS, toArrayAs, typedOf } from './elementwise-util.js';
import { maximum, minimum } from './binary.js';
import '../primitives/ternary.js';

const shapeOf = (x: ArrayLike): readonly number[] => (isArray(x) ? x.shape : []);

/**
 * Picks `x` where `condition` is true and `y` elsewhere; the three broadcast together and x, y promote to one dtype.
 *
 * @example
 * ```ts
 * mx.where(mx.array([true, false]), 1, mx.array([5, 6])); // [1, 6]
 * ```
 */
export function where(condition: ArrayLike, x: ArrayLike, y: ArrayLike, opts: StreamOpt = {}): MxArray {
  const s = toStream(opts.stream, 'where');
  typedOf(condition, 'where');
  const d = dt.resultType(typedOf(x, 'where'), typedOf(y, 'where'));
  broadcastShapes([shapeOf(condition), shapeOf(x), shapeOf(y)], 'where');
  const c = toArrayAs(condition, dt.bool, 'where', s);
  return bind('where', [c, toArrayAs(x, d, 'where', s), toArrayAs(y, d, 'where', s)], NO_PARAMS, s);
}

/**
 * Limits values to `[aMin, aMax]`; either bound may be `null` (not both).
 *
 * @example
 * ```ts
 * mx.clip(mx.array([-2, 0.5, 3]), 0, 1); // [0, 0.5, 1]
 * ```
 */
export function clip(a: ArrayLike, aMin: ArrayLike | null, aMax: ArrayLike | null, opts: StreamOpt = {}): MxArray {
  if ((aMin === null || aMin === undefined) && (aMax === null || aMax === undefined)) {
    throw new TypeError('[clip] At most one of aMin and aMax may be null.');
  }
  let r: ArrayLike = a;
  broadcastShapes([shapeOf(a), ...(aMin != null ? [shapeOf(aMin)] : []), ...(aMax != null ? [shapeOf(aMax)] : [])], 'clip');
  if (aMin != null) r = maximum(r, aMin, opts);
  if (aMax != null) r = minimum(r, aMax, opts);
  return r as MxArray;
}
