/**
 * @file Shape ops that never copy on the CPU unless forced: reshape, flatten, unflatten, squeeze, expandDims,
 * transpose/permuteDims, swapaxes, moveaxis, broadcastTo/broadcastArrays/broadcastShapes, atleast1d/2d/3d.
 * The rest of the family is in layout-join.ts (concatenate, stack, split, tile, repeat, roll) and layout-misc.ts
 * (pad, flip, diagonal, diag, diff, asStrided, contiguous, view); array methods are in layout-methods.ts.
 */
import { MxArray, bind, isArray, type ArrayLike } from '../array.js';
import { toStream, type StreamOpt, type StreamOrDevice } from '../device.js';
import { broadcastShapes as broadcastShapeList, fmtShape, normAxis, sizeOf, type Shape } from '../shape.js';
import { scalarDtype } from '../dtype.js';
import { asArray } from '../construct.js';
import { optArgs } from './args.js';
import '../primitives/layout.js';

/** @internal Checks an argument is a live array (or converts a scalar) for op `op`. */
export function arr(a: ArrayLike, op: string, stream?: StreamOrDevice): MxArray {
  if (isArray(a)) { a._check(op); return a; }
  if (typeof a === 'number' || typeof a === 'boolean' || typeof a === 'bigint') return asArray(a, scalarDtype(a), stream);
  throw new TypeError(`[${op}] Expected an array or a scalar, got ${a === null ? 'null' : typeof a}.`);
}

type Prefix<P extends unknown[]> = P extends [...infer H, unknown] ? [...P, StreamOpt?] | Prefix<H> : [StreamOpt?];
/**
 * @internal Arguments after the required ones: any prefix of the positional parameters `P`, optionally followed by
 * `{stream}`, or one options object `O` holding everything.
 */
export type PosArgs<P extends unknown[], O> = Prefix<P> | [opts: O];

/**
 * @internal Collects the intermediates a composite op creates, and disposes them once the result is bound: pending
 * consumers keep their data until they run, so this frees memory early without changing results.
 */
export class Scratch {
  private list: MxArray[] = [];
  /** Marks `x` as an intermediate, unless it is one of the caller's own arrays (`user`). */
  t<T extends MxArray>(x: T, user?: unknown): T {
    if (x !== user) this.list.push(x);
    return x;
  }
  /** Disposes the intermediates that are not part of `result`; returns `result`. */
  done<R extends MxArray | MxArray[]>(result: R): R {
    const out = new Set(Array.isArray(result) ? result : [result]);
    for (const x of this.list) if (!out.has(x)) x.dispose();
    this.list = [];
    return result;
  }
}

function intList(x: unknown, op: string, what: string): number[] {
  const list = typeof x === 'number' ? [x] : x;
  if (!Array.isArray(list) || list.some((v) => typeof v !== 'number' || !Number.isInteger(v))) {
    throw new TypeError(`[${op}] ${what} must be an integer or a list of integers, got ${JSON.stringify(x)}.`);
  }
  return list as number[];
}

/** @internal Resolves a requested shape with at most one -1 against `size`; throws MLX-style errors. */
export function inferShape(shape: readonly number[], size: number, op: string): number[] {
  let infer = -1, known = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (d === -1) {
      if (infer >= 0) throw new Error(`[${op}] Reshape can only infer one dimension.`);
      infer = i;
    } else if (d < 0) {
      throw new RangeError(`[${op}] Invalid dimension ${d} in shape ${fmtShape(shape)}.`);
    } else known *= d;
  }
  const out = [...shape];
  if (infer >= 0) {
    if (known === 0) throw new Error(`[${op}] Cannot infer the shape of an empty array with shape ${fmtShape(shape)}.`);
    if (size % known !== 0) throw new Error(`[${op}] Cannot reshape array of size ${size} into shape ${fmtShape(shape)}.`);
    out[infer] = size / known;
  }
  if (sizeOf(out) !== size) throw new Error(`[${op}] Cannot reshape array of size ${size} into shape ${fmtShape(out)}.`);
  return out;
}

/**
 * @internal Reshape without argument parsing (shape already resolved). Like every op here it returns a new handle
 * even when nothing changes, so disposing the result never disposes the input.
 */
export function reshapeTo(a: MxArray, shape: readonly number[], stream: StreamOrDevice | undefined, op = 'reshape'): MxArray {
  return bind('reshape', [a], { shape: [...shape] }, toStream(stream, op));
}

/**
 * Gives the elements a new shape of the same size (one dim may be -1, inferred). Free (a view) when the input's
 * layout allows, otherwise a copy.
 *
 * @example
 * ```ts
 * mx.reshape(mx.arange(6), [2, -1]).shape; // [2, 3]
 * ```
 */
export function reshape(a: MxArray, shape: Shape | number, opts: StreamOpt = {}): MxArray {
  a = arr(a, 'reshape');
  const s = inferShape(intList(shape, 'reshape', 'Shape'), a.size, 'reshape');
  return reshapeTo(a, s, opts.stream);
}

type FlattenArgs = PosArgs<[startAxis: number, endAxis: number], { startAxis?: number; endAxis?: number } & StreamOpt>;

/**
 * Merges axes `startAxis..endAxis` (inclusive; default all) into one. A 0-d array becomes shape [1].
 *
 * @example
 * ```ts
 * mx.flatten(mx.zeros([2, 3, 4]), 1).shape; // [2, 12]
 * ```
 */
export function flatten(a: MxArray, ...rest: FlattenArgs): MxArray {
  a = arr(a, 'flatten');
  const o = optArgs<{ startAxis?: number; endAxis?: number } & StreamOpt>(['startAxis', 'endAxis'], rest, 'flatten');
  const nd = a.ndim;
  if (nd === 0) return reshapeTo(a, [1], o.stream, 'flatten');
  const s = normAxis(o.startAxis ?? 0, nd, 'flatten'), e = normAxis(o.endAxis ?? -1, nd, 'flatten');
  if (s > e) throw new Error(`[flatten] start_axis (${o.startAxis ?? 0}) must be <= end_axis (${o.endAxis ?? -1}).`);
  const shape = [...a.shape.slice(0, s), sizeOf(a.shape.slice(s, e + 1)), ...a.shape.slice(e + 1)];
  return reshapeTo(a, shape, o.stream, 'flatten');
}

/**
 * Splits one axis into several (`shape` may contain one -1).
 *
 * @example
 * ```ts
 * mx.unflatten(mx.zeros([2, 12]), 1, [3, 4]).shape; // [2, 3, 4]
 * ```
 */
export function unflatten(a: MxArray, axis: number, shape: Shape, opts: StreamOpt = {}): MxArray {
  a = arr(a, 'unflatten');
  const ax = normAxis(axis, a.ndim, 'unflatten');
  const list = intList(shape, 'unflatten', 'Shape');
  if (list.length === 0) throw new Error('[unflatten] Shape to unflatten to cannot be empty.');
  const sub = inferShape(list, a.shape[ax]!, 'unflatten');
  return reshapeTo(a, [...a.shape.slice(0, ax), ...sub, ...a.shape.slice(ax + 1)], opts.stream, 'unflatten');
}

/** Normalised axes, sorted; throws on out-of-range or repeated ones. */
function axesOf(axis: number | readonly number[], ndim: number, op: string): number[] {
  const list = intList(axis, op, 'Axis');
  const out = list.map((x) => normAxis(x, ndim, op));
  if (new Set(out).size !== out.length) throw new Error(`[${op}] Received duplicate axes ${JSON.stringify(list)}.`);
  return out.sort((x, y) => x - y);
}

/**
 * Removes size-1 axes: the given ones (each must have size 1) or all of them.
 *
 * @example
 * ```ts
 * mx.squeeze(mx.zeros([1, 3, 1])).shape;    // [3]
 * mx.squeeze(mx.zeros([1, 3, 1]), 0).shape; // [3, 1]
 * ```
 */
export function squeeze(a: MxArray, ...rest: [axis?: number | readonly number[] | null, opts?: StreamOpt] | [opts: { axis?: number | readonly number[] | null } & StreamOpt]): MxArray {
  a = arr(a, 'squeeze');
  const o = optArgs<{ axis?: number | readonly number[] | null } & StreamOpt>(['axis'], rest, 'squeeze');
  let drop: number[];
  if (o.axis === undefined || o.axis === null) drop = a.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  else {
    drop = axesOf(o.axis, a.ndim, 'squeeze');
    for (const x of drop) {
      if (a.shape[x] !== 1) throw new Error(`[squeeze] Cannot squeeze axis ${x} with size ${a.shape[x]} which is not equal to 1.`);
    }
  }
  return reshapeTo(a, a.shape.filter((_, i) => !drop.includes(i)), o.stream, 'squeeze');
}

/**
 * Inserts size-1 axes at the given positions of the result.
 *
 * @example
 * ```ts
 * mx.expandDims(mx.zeros([3]), 0).shape;       // [1, 3]
 * mx.expandDims(mx.zeros([3]), [0, -1]).shape; // [1, 3, 1]
 * ```
 */
export function expandDims(a: ArrayLike, axis: number | readonly number[], opts: StreamOpt = {}): MxArray {
  const tmp = new Scratch();
  const x = tmp.t(arr(a, 'expandDims', opts.stream), a);
  const list = intList(axis, 'expandDims', 'Axis');
  const nd = x.ndim + list.length;
  const at = axesOf(list, nd, 'expandDims');
  const shape: number[] = [];
  for (let i = 0, j = 0; i < nd; i++) shape.push(at.includes(i) ? 1 : x.shape[j++]!);
  return tmp.done(reshapeTo(x, shape, opts.stream, 'expandDims'));
}

/** @internal Transpose by a validated permutation. */
export function permute(a: MxArray, axes: readonly number[], stream: StreamOrDevice | undefined, op = 'transpose'): MxArray {
  return bind('transpose', [a], { axes: [...axes] }, toStream(stream, op));
}

function checkPerm(axes: readonly number[], ndim: number, op: string): number[] {
  const list = intList(axes, op, 'Axes');
  if (list.length !== ndim) {
    throw new Error(`[${op}] Received ${list.length} axes ${JSON.stringify(list)} for array with ${ndim} dimensions.`);
  }
  const out = list.map((x) => normAxis(x, ndim, op));
  // out has ndim entries in [0, ndim): a permutation exactly when no entry repeats
  let seen = 0;
  for (const x of out) {
    const bit = ndim <= 30 ? 1 << x : 0;
    if (bit === 0) {
      if (new Set(out).size !== ndim) throw new Error(`[${op}] Repeat axes not allowed in ${JSON.stringify(list)}.`);
      break;
    }
    if (seen & bit) throw new Error(`[${op}] Repeat axes not allowed in ${JSON.stringify(list)}.`);
    seen |= bit;
  }
  return out;
}

/**
 * Permutes the axes (reverses them when `axes` is omitted). Free: a view.
 *
 * @example
 * ```ts
 * mx.transpose(mx.zeros([2, 3, 4]), [2, 0, 1]).shape; // [4, 2, 3]
 * ```
 */
export function transpose(a: MxArray, ...rest: [axes?: readonly number[] | null, opts?: StreamOpt] | [opts: { axes?: readonly number[] | null } & StreamOpt]): MxArray {
  a = arr(a, 'transpose');
  const o = optArgs<{ axes?: readonly number[] | null } & StreamOpt>(['axes'], rest, 'transpose');
  const axes = o.axes == null ? a.shape.map((_, i) => a.ndim - 1 - i) : checkPerm(o.axes, a.ndim, 'transpose');
  return permute(a, axes, o.stream);
}

/**
 * Same as `transpose` (Array API name).
 *
 * @example
 * ```ts
 * mx.permuteDims(mx.zeros([2, 3]), [1, 0]).shape; // [3, 2]
 * ```
 */
export function permuteDims(a: MxArray, ...rest: [axes?: readonly number[] | null, opts?: StreamOpt] | [opts: { axes?: readonly number[] | null } & StreamOpt]): MxArray {
  return transpose(a, ...rest);
}

/**
 * Swaps two axes. Free: a view.
 *
 * @example
 * ```ts
 * mx.swapaxes(mx.zeros([2, 3, 4]), 0, 2).shape; // [4, 3, 2]
 * ```
 */
export function swapaxes(a: MxArray, axis1: number, axis2: number, opts: StreamOpt = {}): MxArray {
  a = arr(a, 'swapaxes');
  const i = normAxis(axis1, a.ndim, 'swapaxes'), j = normAxis(axis2, a.ndim, 'swapaxes');
  const axes = a.shape.map((_, k) => k);
  axes[i] = j;
  axes[j] = i;
  return permute(a, axes, opts.stream, 'swapaxes');
}

/**
 * Moves one axis to a new position, keeping the others in order. Free: a view.
 *
 * @example
 * ```ts
 * mx.moveaxis(mx.zeros([2, 3, 4]), 0, -1).shape; // [3, 4, 2]
 * ```
 */
export function moveaxis(a: MxArray, source: number, destination: number, opts: StreamOpt = {}): MxArray {
  a = arr(a, 'moveaxis');
  const s = normAxis(source, a.ndim, 'moveaxis'), d = normAxis(destination, a.ndim, 'moveaxis');
  const axes = a.shape.map((_, k) => k).filter((k) => k !== s);
  axes.splice(d, 0, s);
  return permute(a, axes, opts.stream, 'moveaxis');
}

/**
 * The shape several shapes broadcast to (NumPy rules); throws naming the shapes when they do not.
 *
 * @example
 * ```ts
 * mx.broadcastShapes([2, 1], [3]); // [2, 3]
 * ```
 */
export function broadcastShapes(...shapes: Shape[]): number[] {
  if (shapes.length === 0) throw new Error('[broadcastShapes] Must provide at least one shape.');
  return broadcastShapeList(shapes, 'broadcastShapes');
}

/**
 * Broadcasts to `shape` (NumPy rules). Free: a view with zero strides on the expanded axes.
 *
 * @example
 * ```ts
 * mx.broadcastTo(mx.array([1, 2]), [3, 2]).shape; // [3, 2]
 * ```
 */
export function broadcastTo(a: ArrayLike, shape: Shape, opts: StreamOpt = {}): MxArray {
  const tmp = new Scratch();
  const x = tmp.t(arr(a, 'broadcastTo', opts.stream), a);
  const target = intList(shape, 'broadcastTo', 'Shape');
  if (target.some((d) => d < 0)) throw new RangeError(`[broadcastTo] Shape must be non-negative, got ${fmtShape(target)}.`);
  const bad = () => new Error(`[broadcastTo] Cannot broadcast array of shape ${fmtShape(x.shape)} to shape ${fmtShape(target)}.`);
  if (target.length < x.ndim) throw bad();
  const off = target.length - x.ndim;
  for (let i = 0; i < x.ndim; i++) if (x.shape[i] !== 1 && x.shape[i] !== target[off + i]) throw bad();
  return tmp.done(bind('broadcastTo', [x], { shape: target }, toStream(opts.stream, 'broadcastTo')));
}

/**
 * Broadcasts several arrays against each other.
 *
 * @example
 * ```ts
 * const [x, y] = mx.broadcastArrays([mx.zeros([2, 1]), mx.zeros([3])]); // both [2, 3]
 * ```
 */
export function broadcastArrays(arrays: readonly ArrayLike[], opts: StreamOpt = {}): MxArray[] {
  const tmp = new Scratch();
  const xs = arrays.map((a) => tmp.t(arr(a, 'broadcastArrays', opts.stream), a));
  const shape = broadcastShapeList(xs.map((x) => x.shape), 'broadcastArrays');
  return tmp.done(xs.map((x) => broadcastTo(x, shape, opts)));
}

function atleast(nd: number, op: string, args: unknown[]): MxArray | MxArray[] {
  let opts: StreamOpt = {};
  if (args.length > 0 && !isArray(args[args.length - 1]) && typeof args[args.length - 1] === 'object' && !Array.isArray(args[args.length - 1])) {
    opts = args.pop() as StreamOpt;
  }
  const list = args.length === 1 && Array.isArray(args[0]) ? (args[0] as ArrayLike[]) : (args as ArrayLike[]);
  const tmp = new Scratch();
  const outs = list.map((a) => {
    const x = tmp.t(arr(a, op, opts.stream), a);
    if (x.ndim >= nd) return reshapeTo(x, x.shape, opts.stream, op);
    // 1-D becomes [1, n] and then [1, n, 1], as in MLX/NumPy
    const s = [...x.shape];
    if (nd >= 1 && s.length === 0) s.push(1);
    if (nd >= 2 && s.length === 1) s.unshift(1);
    if (nd >= 3 && s.length === 2) s.push(1);
    return reshapeTo(x, s, opts.stream, op);
  });
  tmp.done(outs);
  return args.length === 1 && !Array.isArray(args[0]) ? outs[0]! : outs;
}

/**
 * Makes arrays at least 1-D. One argument gives one array; several (or a list) give a list.
 *
 * @example
 * ```ts
 * mx.atleast1d(mx.array(3)).shape; // [1]
 * ```
 */
export function atleast1d(a: ArrayLike, opts?: StreamOpt): MxArray;
export function atleast1d(arrays: readonly ArrayLike[], opts?: StreamOpt): MxArray[];
export function atleast1d(a: ArrayLike, b: ArrayLike, ...rest: (ArrayLike | StreamOpt)[]): MxArray[];
export function atleast1d(...args: (ArrayLike | StreamOpt)[]): MxArray | MxArray[];
export function atleast1d(...args: unknown[]): MxArray | MxArray[] { return atleast(1, 'atleast1d', args); }

/**
 * Makes arrays at least 2-D (a 1-D array of n becomes [1, n]).
 *
 * @example
 * ```ts
 * mx.atleast2d(mx.zeros([3])).shape; // [1, 3]
 * ```
 */
export function atleast2d(a: ArrayLike, opts?: StreamOpt): MxArray;
export function atleast2d(arrays: readonly ArrayLike[], opts?: StreamOpt): MxArray[];
export function atleast2d(a: ArrayLike, b: ArrayLike, ...rest: (ArrayLike | StreamOpt)[]): MxArray[];
export function atleast2d(...args: (ArrayLike | StreamOpt)[]): MxArray | MxArray[];
export function atleast2d(...args: unknown[]): MxArray | MxArray[] { return atleast(2, 'atleast2d', args); }

/**
 * Makes arrays at least 3-D ([n] becomes [1, n, 1]; [m, n] becomes [m, n, 1]).
 *
 * @example
 * ```ts
 * mx.atleast3d(mx.zeros([2, 3])).shape; // [2, 3, 1]
 * ```
 */
export function atleast3d(a: ArrayLike, opts?: StreamOpt): MxArray;
export function atleast3d(arrays: readonly ArrayLike[], opts?: StreamOpt): MxArray[];
export function atleast3d(a: ArrayLike, b: ArrayLike, ...rest: (ArrayLike | StreamOpt)[]): MxArray[];
export function atleast3d(...args: (ArrayLike | StreamOpt)[]): MxArray | MxArray[];
export function atleast3d(...args: unknown[]): MxArray | MxArray[] { return atleast(3, 'atleast3d', args); }

export * from './layout-join.js';
export * from './layout-misc.js';
import './layout-methods.js';
