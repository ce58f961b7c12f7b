/**
 * @file Layout ops that join or cut arrays: concatenate/concat, stack, unstack, split, tile, repeat, roll.
 * Only concatenate and split are primitives; the rest compose them with reshape and broadcastTo.
 */
import { MxArray, bind, bindMulti, type ArrayLike } from '../array.js';
import { toStream, type StreamOpt } from '../device.js';
import { fmtShape, normAxis } from '../shape.js';
import { resultType } from '../dtype.js';
import { astype } from './basic.js';
import { optArgs } from './args.js';
import { arr, reshapeTo, broadcastTo, expandDims, flatten, squeeze, Scratch } from './layout.js';

function arrayList(arrays: readonly ArrayLike[], op: string, opts: StreamOpt): MxArray[] {
  if (!Array.isArray(arrays)) throw new TypeError(`[${op}] Expected a list of arrays.`);
  if (arrays.length === 0) throw new Error(`[${op}] No arrays provided for ${op === 'stack' ? 'stacking' : 'concatenation'}.`);
  return arrays.map((a) => arr(a, op, opts.stream));
}

type ConcatOpts = { axis?: number | null } & StreamOpt;

/**
 * Joins arrays along an existing axis (default 0; `null` flattens them first). Mixed dtypes promote (MLX), so
 * int32 with float16 gives float16.
 *
 * @example
 * ```ts
 * mx.concatenate([mx.zeros([2, 3]), mx.ones([1, 3])]).shape; // [3, 3]
 * ```
 */
export function concatenate(arrays: readonly ArrayLike[], ...rest: [axis?: number | null, opts?: StreamOpt] | [opts: ConcatOpts]): MxArray {
  const o = optArgs<ConcatOpts>(['axis'], rest, 'concatenate');
  return concatImpl(arrays, o, 'concatenate');
}

function concatImpl(arrays: readonly ArrayLike[], o: ConcatOpts, op: string): MxArray {
  const tmp = new Scratch();
  let xs = arrayList(arrays, op, o).map((x, i) => tmp.t(x, arrays[i]));
  if (o.axis === null) {
    xs = xs.map((x) => tmp.t(flatten(x, { stream: o.stream })));
    o = { ...o, axis: 0 };
  }
  const nd = xs[0]!.ndim;
  for (const x of xs) {
    if (x.ndim !== nd) {
      throw new Error(`[${op}] All the input arrays must have the same number of dimensions, got shapes ` +
        `${fmtShape(xs[0]!.shape)} and ${fmtShape(x.shape)}.`);
    }
  }
  if (nd === 0) throw new Error(`[${op}] Zero-dimensional arrays cannot be concatenated.`);
  const ax = normAxis(o.axis ?? 0, nd, op);
  for (const x of xs) {
    for (let i = 0; i < nd; i++) {
      if (i !== ax && x.shape[i] !== xs[0]!.shape[i]) {
        throw new Error(`[${op}] All the input array dimensions must match exactly except for the concatenation ` +
          `axis ${ax}; got shapes ${fmtShape(xs[0]!.shape)} and ${fmtShape(x.shape)}.`);
      }
    }
  }
  const dtype = resultType(...xs);
  xs = xs.map((x) => (x.dtype === dtype ? x : tmp.t(astype(x, dtype, { stream: o.stream }))));
  return tmp.done(bind('concatenate', xs, { axis: ax }, toStream(o.stream, op)));
}

/**
 * Same as `concatenate` (Array API name).
 *
 * @example
 * ```ts
 * mx.concat([mx.zeros([2]), mx.ones([3])]).shape; // [5]
 * ```
 */
export function concat(arrays: readonly ArrayLike[], ...rest: [axis?: number | null, opts?: StreamOpt] | [opts: ConcatOpts]): MxArray {
  const o = optArgs<ConcatOpts>(['axis'], rest, 'concat');
  return concatImpl(arrays, o, 'concat');
}

/**
 * Joins same-shape arrays along a new axis (default 0). Mixed dtypes promote.
 *
 * @example
 * ```ts
 * mx.stack([mx.zeros([3]), mx.ones([3])], 1).shape; // [3, 2]
 * ```
 */
export function stack(arrays: readonly ArrayLike[], ...rest: [axis?: number, opts?: StreamOpt] | [opts: { axis?: number } & StreamOpt]): MxArray {
  const o = optArgs<{ axis?: number } & StreamOpt>(['axis'], rest, 'stack');
  const xs = arrayList(arrays, 'stack', o);
  for (const x of xs) {
    if (x.shape.length !== xs[0]!.shape.length || x.shape.some((d, i) => d !== xs[0]!.shape[i])) {
      throw new Error(`[stack] All arrays must have the same shape, got ${fmtShape(xs[0]!.shape)} and ${fmtShape(x.shape)}.`);
    }
  }
  const ax = normAxis(o.axis ?? 0, xs[0]!.ndim + 1, 'stack');
  const tmp = new Scratch();
  xs.forEach((x, i) => tmp.t(x, arrays[i]));
  const parts = xs.map((x) => tmp.t(expandDims(x, ax, { stream: o.stream })));
  return tmp.done(concatImpl(parts, { axis: ax, stream: o.stream }, 'stack'));
}

/** @internal Pieces of `a` along a normalised axis, as views (one primitive, many outputs). */
export function splitAt(a: MxArray, starts: number[], sizes: number[], axis: number, opts: StreamOpt, op: string): MxArray[] {
  return bindMulti('split', [a], { axis, starts, sizes }, toStream(opts.stream, op));
}

type SplitOpts = { axis?: number } & StreamOpt;

/**
 * Splits into `n` equal pieces, or at the given indices, along `axis` (default 0). Pieces are views.
 *
 * @example
 * ```ts
 * mx.split(mx.arange(6), 3);      // three arrays of shape [2]
 * mx.split(mx.arange(6), [1, 4]); // shapes [1], [3], [2]
 * ```
 */
export function split(a: MxArray, indicesOrSections: number | readonly number[], ...rest: [axis?: number, opts?: StreamOpt] | [opts: SplitOpts]): MxArray[] {
  a = arr(a, 'split');
  const o = optArgs<SplitOpts>(['axis'], rest, 'split');
  if (a.ndim === 0) throw new Error('[split] Cannot split a zero-dimensional array.');
  const ax = normAxis(o.axis ?? 0, a.ndim, 'split');
  const n = a.shape[ax]!;
  const starts: number[] = [], sizes: number[] = [];
  if (typeof indicesOrSections === 'number') {
    const k = indicesOrSections;
    if (!Number.isInteger(k) || k <= 0) throw new RangeError(`[split] Number of sections must be a positive integer, got ${k}.`);
    if (n % k !== 0) throw new Error(`[split] Array of shape ${fmtShape(a.shape)} cannot be split into ${k} equal parts along axis ${ax}.`);
    for (let i = 0; i < k; i++) { starts.push((i * n) / k); sizes.push(n / k); }
  } else {
    if (!Array.isArray(indicesOrSections) || indicesOrSections.some((v) => !Number.isInteger(v))) {
      throw new TypeError(`[split] Indices must be a list of integers, got ${JSON.stringify(indicesOrSections)}.`);
    }
    // slice semantics: negative indices count from the end, out-of-range ones clamp, decreasing ones give empties
    const clamp = (i: number) => Math.min(n, Math.max(0, i < 0 ? i + n : i));
    const bounds = [0, ...indicesOrSections.map(clamp), n];
    for (let i = 0; i + 1 < bounds.length; i++) {
      starts.push(bounds[i]!);
      sizes.push(Math.max(0, bounds[i + 1]! - bounds[i]!));
    }
  }
  return splitAt(a, starts, sizes, ax, o, 'split');
}

/**
 * Splits along `axis` (default 0) into its slices, removing that axis.
 *
 * @example
 * ```ts
 * mx.unstack(mx.zeros([3, 2])).length; // 3, each of shape [2]
 * ```
 */
export function unstack(a: MxArray, ...rest: [axis?: number, opts?: StreamOpt] | [opts: { axis?: number } & StreamOpt]): MxArray[] {
  a = arr(a, 'unstack');
  const o = optArgs<{ axis?: number } & StreamOpt>(['axis'], rest, 'unstack');
  if (a.ndim === 0) throw new Error('[unstack] No axis to unstack in a zero-dimensional array.');
  const ax = normAxis(o.axis ?? 0, a.ndim, 'unstack');
  const n = a.shape[ax]!;
  if (n === 0) return [];
  const tmp = new Scratch();
  const parts = splitAt(a, Array.from({ length: n }, (_, i) => i), new Array<number>(n).fill(1), ax, o, 'unstack');
  return tmp.done(parts.map((p) => squeeze(tmp.t(p), ax, { stream: o.stream })));
}

function repsList(x: unknown, op: string, what: string): number[] {
  const list = typeof x === 'number' ? [x] : x;
  if (!Array.isArray(list) || list.some((v) => typeof v !== 'number' || !Number.isInteger(v) || v < 0)) {
    throw new RangeError(`[${op}] ${what} must be non-negative integers, got ${JSON.stringify(x)}.`);
  }
  return list as number[];
}

/**
 * Repeats the whole array `reps` times along each axis (NumPy's `tile`).
 *
 * @example
 * ```ts
 * mx.tile(mx.array([1, 2]), [2, 2]).shape; // [2, 4]
 * ```
 */
export function tile(a: ArrayLike, reps: number | readonly number[], opts: StreamOpt = {}): MxArray {
  const r = repsList(reps, 'tile', 'Repetitions');
  const tmp = new Scratch();
  const x = tmp.t(arr(a, 'tile', opts.stream), a);
  const nd = Math.max(x.ndim, r.length);
  const s = [...new Array<number>(nd - x.ndim).fill(1), ...x.shape];
  const rr = [...new Array<number>(nd - r.length).fill(1), ...r];
  // [s0, s1] -> [1, s0, 1, s1] -> broadcast [r0, s0, r1, s1] -> [r0*s0, r1*s1]
  const inter = s.flatMap((d) => [1, d]);
  const big = s.flatMap((d, i) => [rr[i]!, d]);
  const b = tmp.t(broadcastTo(tmp.t(reshapeTo(x, inter, opts.stream, 'tile')), big, opts));
  return tmp.done(reshapeTo(b, s.map((d, i) => d * rr[i]!), opts.stream, 'tile'));
}

/**
 * Repeats each element `repeats` times along `axis` (flattening first when no axis is given).
 *
 * @example
 * ```ts
 * await mx.repeat(mx.array([1, 2]), 2).tolist(); // [1, 1, 2, 2]
 * ```
 */
export function repeat(a: ArrayLike, repeats: number, ...rest: [axis?: number, opts?: StreamOpt] | [opts: { axis?: number } & StreamOpt]): MxArray {
  const o = optArgs<{ axis?: number } & StreamOpt>(['axis'], rest, 'repeat');
  if (!Number.isInteger(repeats) || repeats < 0) throw new RangeError(`[repeat] Number of repeats must be a non-negative integer, got ${repeats}.`);
  const tmp = new Scratch();
  let x = tmp.t(arr(a, 'repeat', o.stream), a);
  let ax: number;
  if (o.axis === undefined) { x = tmp.t(flatten(x, { stream: o.stream })); ax = 0; } else ax = normAxis(o.axis, x.ndim, 'repeat');
  const s = [...x.shape];
  const e = tmp.t(expandDims(x, ax + 1, { stream: o.stream }));
  const big = [...s.slice(0, ax + 1), repeats, ...s.slice(ax + 1)];
  const out = [...s];
  out[ax] = s[ax]! * repeats;
  return tmp.done(reshapeTo(tmp.t(broadcastTo(e, big, o)), out, o.stream, 'repeat'));
}

type RollOpts = { axis?: number | readonly number[] } & StreamOpt;

/**
 * Shifts elements cyclically along axes (the flattened array when no axis is given).
 *
 * @example
 * ```ts
 * await mx.roll(mx.array([1, 2, 3]), 1).tolist(); // [3, 1, 2]
 * ```
 */
export function roll(a: ArrayLike, shift: number | readonly number[], ...rest: [axis?: number | readonly number[], opts?: StreamOpt] | [opts: RollOpts]): MxArray {
  const o = optArgs<RollOpts>(['axis'], rest, 'roll');
  const shifts = typeof shift === 'number' ? [shift] : [...shift];
  if (shifts.some((v) => !Number.isInteger(v))) throw new TypeError(`[roll] Shifts must be integers, got ${JSON.stringify(shift)}.`);
  const tmp = new Scratch();
  let x = tmp.t(arr(a, 'roll', o.stream), a);
  let axes: number[];
  if (o.axis === undefined) {
    const shape = x.shape;
    const total = shifts.reduce((p, q) => p + q, 0);
    const flat = tmp.t(flatten(x, { stream: o.stream }));
    return tmp.done(reshapeTo(tmp.t(roll(flat, total, 0, { stream: o.stream })), shape, o.stream, 'roll'));
  }
  axes = (typeof o.axis === 'number' ? [o.axis] : [...o.axis]).map((v) => normAxis(v, x.ndim, 'roll'));
  let sh = shifts;
  if (sh.length === 1 && axes.length > 1) sh = axes.map(() => shifts[0]!);
  else if (axes.length === 1 && sh.length > 1) axes = sh.map(() => axes[0]!);
  if (sh.length !== axes.length) {
    throw new Error(`[roll] Got ${sh.length} shifts for ${axes.length} axes; they must match (or one be a scalar).`);
  }
  const net = new Map<number, number>();
  axes.forEach((ax, i) => net.set(ax, (net.get(ax) ?? 0) + sh[i]!));
  for (const [ax, s] of net) {
    const n = x.shape[ax]!;
    if (n === 0) continue;
    const k = ((s % n) + n) % n;
    if (k === 0) continue;
    const [head, tail] = splitAt(x, [0, n - k], [n - k, k], ax, o, 'roll') as [MxArray, MxArray];
    x = tmp.t(concatImpl([tmp.t(tail), tmp.t(head)], { axis: ax, stream: o.stream }, 'roll'));
  }
  return tmp.done(reshapeTo(x, x.shape, o.stream, 'roll'));
}
