/**
 * @file Sorting and selection: sort argsort partition argpartition topk. `axis` defaults to -1; null sorts the
 * flattened array. NaNs sort last (NumPy's order); argsort is stable; index outputs are uint32, as in MLX.
 */
import { MxArray, bind, isArray, type ArrayLike } from '../array.js';
import { toStream, type StreamOpt } from '../device.js';
import { normAxis, fmtShape } from '../shape.js';
import { optArgs } from './args.js';
import { inputArray, int } from './reduce-args.js';
import { asArray } from '../construct.js';
import '../primitives/sort.js';

/** Options of the sort ops. */
export interface SortOpts extends StreamOpt {
  /** Axis to sort along (default -1); null for the flattened array. */
  axis?: number | null;
}

function axisOf(x: MxArray, o: SortOpts, op: string): number | null {
  if (o.axis === null) return null;
  const ax = o.axis === undefined ? -1 : o.axis;
  if (typeof ax !== 'number') throw new TypeError(`[${op}] axis must be a single integer or null, got ${JSON.stringify(ax)}.`);
  return normAxis(ax, x.ndim, op);
}

function sortOp(prim: 'sort' | 'argsort', a: ArrayLike, axis: number | null | undefined | SortOpts, opts?: SortOpts): MxArray {
  const o = optArgs<SortOpts>(['axis'], [axis, opts], prim);
  const x = inputArray(a, prim);
  return bind(prim, [x], { axis: axisOf(x, o, prim) }, toStream(o.stream, prim));
}

/**
 * Sorted copy along `axis` (default -1; null flattens). NaNs go last.
 *
 * @example
 * ```ts
 * mx.sort(mx.array([3, 1, 2])); // [1, 2, 3]
 * ```
 */
export function sort(a: ArrayLike, axis?: number | null | SortOpts, opts?: SortOpts): MxArray {
  return sortOp('sort', a, axis, opts);
}

/**
 * Indices (uint32) that sort `a` along `axis`; equal elements keep their order.
 *
 * @example
 * ```ts
 * mx.argsort(mx.array([3, 1, 2])); // [1, 2, 0]
 * ```
 */
export function argsort(a: ArrayLike, axis?: number | null | SortOpts, opts?: SortOpts): MxArray {
  return sortOp('argsort', a, axis, opts);
}

function laneLength(x: MxArray, axis: number | null): number {
  return axis === null ? x.size : x.shape[axis]!;
}

function partOp(prim: 'partition' | 'argpartition', a: ArrayLike, kth: number, axis: number | null | undefined | SortOpts, opts?: SortOpts): MxArray {
  const o = optArgs<SortOpts>(['axis'], [axis, opts], prim);
  const x = inputArray(a, prim);
  const ax = axisOf(x, o, prim);
  const n = laneLength(x, ax);
  const k = int(kth, 'kth', prim);
  if (k < -n || k >= n) {
    throw new RangeError(`[${prim}] kth ${k} is out of range for axis of size ${n} (array of shape ${fmtShape(x.shape)}).`);
  }
  return bind(prim, [x], { kth: k < 0 ? k + n : k, axis: ax }, toStream(o.stream, prim));
}

/**
 * Copy of `a` with the element of sorted rank `kth` in place along `axis`, smaller-or-equal ones before it and
 * greater-or-equal ones after (their order is unspecified). Negative `kth` counts from the end.
 *
 * @example
 * ```ts
 * mx.partition(mx.array([5, 1, 4, 2]), 1); // element 1 is 2; [1] before it, [4, 5] after
 * ```
 */
export function partition(a: ArrayLike, kth: number, axis?: number | null | SortOpts, opts?: SortOpts): MxArray {
  return partOp('partition', a, kth, axis, opts);
}

/**
 * Indices (uint32) that partition `a` around sorted rank `kth` along `axis` (see `partition`).
 *
 * @example
 * ```ts
 * mx.argpartition(mx.array([5, 1, 4, 2]), 0); // index 1 (value 1) first
 * ```
 */
export function argpartition(a: ArrayLike, kth: number, axis?: number | null | SortOpts, opts?: SortOpts): MxArray {
  return partOp('argpartition', a, kth, axis, opts);
}

/**
 * The `k` largest elements along `axis` (default -1; null flattens), in unspecified order, as MLX.
 *
 * @example
 * ```ts
 * mx.topk(mx.array([5, 1, 4, 2]), 2); // 5 and 4, in some order
 * ```
 */
export function topk(a: ArrayLike, k: number, axis?: number | null | SortOpts, opts?: SortOpts): MxArray {
  const o = optArgs<SortOpts>(['axis'], [axis, opts], 'topk');
  const x = inputArray(a, 'topk');
  const ax = axisOf(x, o, 'topk');
  const n = laneLength(x, ax);
  const kk = int(k, 'k', 'topk');
  if (kk < 0 || kk > n) {
    throw new RangeError(`[topk] k ${kk} is out of range for axis of size ${n} (array of shape ${fmtShape(x.shape)}).`);
  }
  return bind('topk', [x], { k: kk, axis: ax }, toStream(o.stream, 'topk'));
}

/** Options of searchsorted. */
export interface SearchsortedOpts extends StreamOpt {
  /** 'left' (default): the first index where the value fits; 'right': the last. */
  side?: 'left' | 'right';
}

/**
 * Indices (uint32, shape of `values`) at which inserting each value keeps the ascending 1-D `sortedSequence`
 * sorted. NaN sorts greatest, as in NumPy.
 *
 * @example
 * ```ts
 * mx.searchsorted(mx.array([1, 2, 2, 4]), mx.array([0, 2, 3, 5]));          // [0, 1, 3, 4]
 * mx.searchsorted(mx.array([1, 2, 2, 4]), mx.array([2]), { side: 'right' }); // [3]
 * ```
 */
export function searchsorted(
  sortedSequence: ArrayLike, values: ArrayLike, side?: 'left' | 'right' | SearchsortedOpts, opts?: SearchsortedOpts,
): MxArray {
  const o = optArgs<SearchsortedOpts>(['side'], [side, opts], 'searchsorted');
  const seq = inputArray(sortedSequence, 'searchsorted');
  const v = isArray(values) ? inputArray(values, 'searchsorted') : inputArray(asArray(values, seq.dtype), 'searchsorted');
  if (seq.ndim !== 1) throw new Error(`[searchsorted] sorted_sequence must be 1-D, got shape ${fmtShape(seq.shape)}.`);
  const sd = o.side ?? 'left';
  if (sd !== 'left' && sd !== 'right') throw new Error(`[searchsorted] side must be 'left' or 'right', got ${JSON.stringify(sd)}.`);
  return bind('searchsorted', [seq, v], { side: sd }, toStream(o.stream, 'searchsorted'));
}
