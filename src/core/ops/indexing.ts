/**
 * @file Indexing ops: `take`, `takeAlongAxis`, `putAlongAxis`, dynamic `slice` / `sliceUpdate`, and (from
 * index-api.ts) the index API: `a.index(...)`, `a.at(...)`, `mx.sl`.
 *
 * Out-of-bounds array indices are undefined behaviour in MLX. Here they never crash or read outside an array: a
 * negative index wraps once (NumPy), then the index clamps into the axis. Static JS integers are checked eagerly.
 */
import { MxArray, bind, isArray, type ArrayLike } from '../array.js';
import * as dt from '../dtype.js';
import { toStream, type Stream, type StreamOpt } from '../device.js';
import { fmtShape, normAxis } from '../shape.js';
import { array, asArray } from '../construct.js';
import { astype } from './basic.js';
import { optArgs } from './args.js';
import { checkIndexArray } from './index-parse.js';
import '../primitives/indexing.js';

export { Slice, sl, parseIndexString, type IndexItem } from './index-parse.js';
export { AtIndexer } from './index-api.js';

/** Integer indices as an array: arrays are checked, JS integers (and lists) become int32 after a bounds check. */
function indexArg(x: MxArray | number | readonly number[], n: number, op: string, stream: Stream): MxArray {
  if (isArray(x)) { checkIndexArray(x, op); return x; }
  const list = typeof x === 'number' ? [x] : x;
  if (!Array.isArray(list)) throw new TypeError(`[${op}] Indices must be an integer array, a number or a list of numbers.`);
  for (const v of list) {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`[${op}] Indices must be integers, got ${v}.`);
    if (v < -n || v >= n) throw new RangeError(`[${op}] Index ${v} is out of bounds for size ${n}.`);
  }
  return array(typeof x === 'number' ? x : (list as number[]), dt.int32, { stream });
}

function castTo(v: ArrayLike, d: dt.Dtype, op: string, stream: Stream): MxArray {
  if (isArray(v)) { v._check(op); return v.dtype === d ? v : astype(v, d, { stream }); }
  return asArray(v, d, stream);
}

/** Options of `take`. */
export interface TakeOpts extends StreamOpt { axis?: number; }

/**
 * Takes elements along an axis (`axis` undefined: of the flattened array), as `np.take`. The output shape is
 * `a.shape[:axis] + indices.shape + a.shape[axis+1:]`. Negative indices count from the end; array entries out of
 * range clamp (JS numbers are checked).
 *
 * @example
 * ```ts
 * mx.take(mx.array([[1, 2], [3, 4]]), mx.array([1, -1]), 1); // [[2, 2], [4, 4]]
 * ```
 */
export function take(a: MxArray, indices: MxArray | number | readonly number[], ...rest: [number?, TakeOpts?] | [TakeOpts]): MxArray {
  a._check('take');
  const { axis, stream: so } = optArgs<TakeOpts>(['axis'], rest, 'take');
  const stream = toStream(so, 'take');
  if (axis === undefined || axis === null) {
    const idx = indexArg(indices, a.size, 'take', stream);
    return bind('gatherFlat', [a, idx], {}, stream);
  }
  const ax = normAxis(axis, a.ndim, 'take');
  const idx = indexArg(indices, a.shape[ax]!, 'take', stream);
  const dims = a.shape.map((size, i) => ({ axis: i, step: 1, size }));
  return bind('gather', [a, idx], {
    starts: a.shape.map(() => 0), dims, advDims: [ax], idxShape: [...idx.shape], insertAt: ax,
  }, stream);
}

/** The shape of `a` and `idx` broadcast everywhere but `axis`, which comes from `idx`. */
function alongShape(a: MxArray, idx: MxArray, ax: number, op: string): number[] {
  if (idx.ndim !== a.ndim) {
    throw new Error(`[${op}] Indices of shape ${fmtShape(idx.shape)} must have as many dims as the array ${fmtShape(a.shape)}.`);
  }
  return a.shape.map((d, i) => {
    const e = idx.shape[i]!;
    if (i === ax || d === e || d === 1) return e;
    if (e === 1) return d;
    throw new Error(`[${op}] Indices of shape ${fmtShape(idx.shape)} do not broadcast with array ${fmtShape(a.shape)} outside axis ${ax}.`);
  });
}

/** Options of `takeAlongAxis`. */
export interface AlongOpts extends StreamOpt { axis?: number | null; }

/**
 * Picks values along an axis at per-position indices (`np.take_along_axis`): `indices` has `a`'s number of dims
 * and broadcasts with it except along `axis`. With `axis` undefined/null, `a` is flattened and `indices` is 1-D.
 *
 * @example
 * ```ts
 * const i = mx.argsort(x, -1);
 * mx.takeAlongAxis(x, i, -1); // x sorted along the last axis
 * ```
 */
export function takeAlongAxis(a: MxArray, indices: MxArray, ...rest: [(number | null)?, AlongOpts?] | [AlongOpts]): MxArray {
  a._check('takeAlongAxis');
  const { axis, stream: so } = optArgs<AlongOpts>(['axis'], rest, 'takeAlongAxis');
  const stream = toStream(so, 'takeAlongAxis');
  if (!isArray(indices)) throw new TypeError('[takeAlongAxis] Indices must be an integer array.');
  checkIndexArray(indices, 'takeAlongAxis');
  if (axis === undefined || axis === null) {
    if (indices.ndim !== 1) throw new Error(`[takeAlongAxis] With axis=None, indices must be 1-D, got ${fmtShape(indices.shape)}.`);
    return bind('gatherFlat', [a, indices], {}, stream);
  }
  const ax = normAxis(axis, a.ndim, 'takeAlongAxis');
  return bind('gatherAxis', [a, indices], { axis: ax, shape: alongShape(a, indices, ax, 'takeAlongAxis') }, stream);
}

/**
 * Returns a copy of `a` with `values` written at per-position indices along an axis (`np.put_along_axis`, but
 * functional). `indices` broadcasts against `a` outside `axis` (without growing it); `values` broadcasts to the
 * indices' shape and is cast to `a`'s dtype. Repeated indices: the last write wins.
 *
 * @example
 * ```ts
 * mx.putAlongAxis(mx.zeros([2, 3]), mx.array([[0], [2]]), 1, 1); // [[1, 0, 0], [0, 0, 1]]
 * ```
 */
export function putAlongAxis(
  a: MxArray, indices: MxArray, values: ArrayLike, ...rest: [(number | null)?, AlongOpts?] | [AlongOpts]
): MxArray {
  a._check('putAlongAxis');
  const { axis, stream: so } = optArgs<AlongOpts>(['axis'], rest, 'putAlongAxis');
  const stream = toStream(so, 'putAlongAxis');
  if (!isArray(indices)) throw new TypeError('[putAlongAxis] Indices must be an integer array.');
  checkIndexArray(indices, 'putAlongAxis');
  const v = castTo(values, a.dtype, 'putAlongAxis', stream);
  if (axis === undefined || axis === null) {
    if (indices.ndim !== 1) throw new Error(`[putAlongAxis] With axis=None, indices must be 1-D, got ${fmtShape(indices.shape)}.`);
    checkBroadcastTo(v.shape, indices.shape, 'putAlongAxis');
    return bind('scatterFlat', [a, indices, v], { mode: 'set' }, stream);
  }
  const ax = normAxis(axis, a.ndim, 'putAlongAxis');
  const shape = alongShape(a, indices, ax, 'putAlongAxis');
  for (let i = 0; i < shape.length; i++) {
    if (i !== ax && shape[i] !== a.shape[i]) {
      throw new Error(`[putAlongAxis] Indices of shape ${fmtShape(indices.shape)} cannot be broadcast to array ${fmtShape(a.shape)}.`);
    }
  }
  checkBroadcastTo(v.shape, shape, 'putAlongAxis');
  return bind('scatterAxis', [a, indices, v], { axis: ax, shape, mode: 'set' }, stream);
}

function checkBroadcastTo(s: readonly number[], target: readonly number[], op: string): void {
  const ok = s.length <= target.length && s.every((d, i) => d === 1 || d === target[target.length - s.length + i]);
  if (!ok) throw new Error(`[${op}] Values of shape ${fmtShape(s)} cannot be broadcast to ${fmtShape(target)}.`);
}

/** Start indices of `slice`/`sliceUpdate`: an integer array (0-d or 1-D), a number, or a list of numbers. */
function startArg(start: MxArray | number | readonly number[], nAxes: number, op: string, stream: Stream): MxArray {
  const s = isArray(start) ? start : array(start as number[], dt.int32, { stream });
  checkIndexArray(s, op);
  if (s.ndim > 1 || (s.size !== 1 && s.size !== nAxes)) {
    throw new Error(`[${op}] Start indices of shape ${fmtShape(s.shape)} must give one start per axis (${nAxes} axes).`);
  }
  return s;
}

function axesArg(axes: readonly number[], ndim: number, op: string): number[] {
  if (!Array.isArray(axes)) throw new TypeError(`[${op}] Axes must be a list of integers.`);
  const out = axes.map((x) => normAxis(x, ndim, op));
  if (new Set(out).size !== out.length) throw new Error(`[${op}] Repeated axis in [${axes.join(', ')}].`);
  return out;
}

/**
 * MLX's dynamic slice: a window of shape `sliceSize` (one extent per dim of `a`) whose start along each of `axes`
 * comes from `startIndices` (an array, so the start can be computed on the device without a sync; other axes start
 * at 0). A start wraps once when negative, then clamps so the window fits. On the CPU the result is a view.
 *
 * @example
 * ```ts
 * const a = mx.array([[1, 2, 3], [4, 5, 6]]);
 * mx.slice(a, mx.array(1), [0], [1, 2]); // [[4, 5]]
 * ```
 */
export function slice(
  a: MxArray, startIndices: MxArray | number | readonly number[], axes: readonly number[], sliceSize: readonly number[],
  opts: StreamOpt = {},
): MxArray {
  a._check('slice');
  const stream = toStream(opts.stream, 'slice');
  const ax = axesArg(axes, a.ndim, 'slice');
  if (!Array.isArray(sliceSize) || sliceSize.length !== a.ndim ||
    sliceSize.some((d, i) => !Number.isInteger(d) || d < 0 || d > a.shape[i]!)) {
    throw new RangeError(`[slice] Slice size [${sliceSize}] must give, per dim, an extent within ${fmtShape(a.shape)}.`);
  }
  const start = startArg(startIndices, ax.length, 'slice', stream);
  return bind('dynamicSlice', [a, start], { axes: ax, sizes: [...sliceSize] }, stream);
}

/**
 * Returns a copy of `a` with `update` written at a window starting at `startIndices` along `axes` (other axes
 * start at 0); the window's shape is `update`'s (leading dims may be omitted). Starts wrap once when negative,
 * then clamp so the window fits. `update` is cast to `a`'s dtype.
 *
 * Designed for in-place reuse: the kernel copies `a` then writes one window, so a KV-cache update
 * (`cache = mx.sliceUpdate(cache, kv, mx.array(t), [2])`) can later skip the copy when `cache` has no other
 * holder; today it copies.
 *
 * @example
 * ```ts
 * mx.sliceUpdate(mx.zeros([4]), mx.array([1, 2]), mx.array(1), [0]); // [0, 1, 2, 0]
 * ```
 */
export function sliceUpdate(
  a: MxArray, update: ArrayLike, startIndices: MxArray | number | readonly number[], axes: readonly number[],
  opts: StreamOpt = {},
): MxArray {
  a._check('sliceUpdate');
  const stream = toStream(opts.stream, 'sliceUpdate');
  const ax = axesArg(axes, a.ndim, 'sliceUpdate');
  const u = castTo(update, a.dtype, 'sliceUpdate', stream);
  const off = a.ndim - u.ndim;
  if (off < 0 || u.shape.some((d, i) => d > a.shape[off + i]!)) {
    throw new Error(`[sliceUpdate] Update of shape ${fmtShape(u.shape)} does not fit in array ${fmtShape(a.shape)}.`);
  }
  const start = startArg(startIndices, ax.length, 'sliceUpdate', stream);
  return bind('dynamicSliceUpdate', [a, u, start], { axes: ax }, stream);
}
