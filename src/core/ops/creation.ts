/**
 * @file Creation ops (MLX's `zeros ones full zeros_like ones_like arange linspace eye identity tri tril triu
 * meshgrid asarray` and the window functions). Each builds a primitive that fills its output, so it runs on the
 * device its stream names and stays lazy like every other op.
 */
import { MxArray, bind, isArray } from '../array.js';
import * as dt from '../dtype.js';
import { toDtype, type Dtype, type DtypeLike } from '../dtype.js';
import { toStream, type StreamOpt, type StreamOrDevice } from '../device.js';
import { broadcastShapes, checkShape, fmtShape, shapesEqual } from '../shape.js';
import { array } from '../construct.js';
import { optArgs } from './args.js';
import '../primitives/creation.js';
import type { WindowKind } from '../primitives/creation.js';

/** A shape argument: a list of extents, or one extent for a 1-D array. */
export type ShapeLike = number | readonly number[];
/** A fill value: a JS scalar or an array broadcast to the shape. */
export type FillValue = number | boolean | bigint | MxArray;

function optDtype(d: DtypeLike | undefined, fallback: Dtype, op: string): Dtype {
  return d === undefined || d === null ? fallback : toDtype(d, op);
}

/** @internal `full` with a scalar, validated shape and resolved dtype. */
export function fullScalar(shape: readonly number[], value: number | boolean | bigint, dtype: Dtype, stream?: StreamOrDevice, op = 'full'): MxArray {
  return bind('full', [], { shape, dtype, value }, toStream(stream, op));
}

/**
 * An array of zeros (float32 unless `dtype` is given).
 *
 * @example
 * ```ts
 * mx.zeros([2, 3]);           // float32 [[0, 0, 0], [0, 0, 0]]
 * mx.zeros(4, mx.int32);      // [0, 0, 0, 0]
 * ```
 */
export function zeros(shape: ShapeLike, dtype?: DtypeLike | StreamOpt, opts: StreamOpt = {}): MxArray {
  if (dtype !== undefined && !isDtypeLike(dtype)) { opts = dtype; dtype = undefined; }
  return fullScalar(checkShape(shape, 'zeros'), 0, optDtype(dtype as DtypeLike | undefined, dt.float32, 'zeros'), opts.stream, 'zeros');
}

/**
 * An array of ones (float32 unless `dtype` is given).
 *
 * @example
 * ```ts
 * mx.ones([2, 2], mx.float16);
 * ```
 */
export function ones(shape: ShapeLike, dtype?: DtypeLike | StreamOpt, opts: StreamOpt = {}): MxArray {
  if (dtype !== undefined && !isDtypeLike(dtype)) { opts = dtype; dtype = undefined; }
  return fullScalar(checkShape(shape, 'ones'), 1, optDtype(dtype as DtypeLike | undefined, dt.float32, 'ones'), opts.stream, 'ones');
}

function isDtypeLike(x: unknown): x is DtypeLike {
  return x instanceof dt.Dtype || typeof x === 'string';
}

/**
 * An array of `shape` filled with `value`. An array value is broadcast to `shape`. Without `dtype` the value's
 * dtype is kept (a JS integer gives int32, a fractional number float32, a boolean bool).
 *
 * @example
 * ```ts
 * mx.full([2, 3], 7);                          // int32
 * mx.full([2, 3], mx.array([1, 2, 3]), mx.float32); // each row [1, 2, 3]
 * ```
 */
export function full(shape: ShapeLike, value: FillValue, dtype?: DtypeLike | StreamOpt, opts: StreamOpt = {}): MxArray {
  if (dtype !== undefined && !isDtypeLike(dtype)) { opts = dtype; dtype = undefined; }
  const s = checkShape(shape, 'full');
  const stream = toStream(opts.stream, 'full');
  if (isArray(value)) {
    value._check('full');
    const out = broadcastShapes([value.shape, s], 'full');
    if (!shapesEqual(out, s)) {
      throw new Error(`[full] Value of shape ${fmtShape(value.shape)} cannot be broadcast to shape ${fmtShape(s)}.`);
    }
    return bind('full', [value], { shape: s, dtype: optDtype(dtype as DtypeLike | undefined, value.dtype, 'full') }, stream);
  }
  checkScalar(value, 'full');
  return bind('full', [], { shape: s, dtype: optDtype(dtype as DtypeLike | undefined, dt.scalarDtype(value), 'full'), value }, stream);
}

function checkScalar(v: unknown, op: string): void {
  if (typeof v !== 'number' && typeof v !== 'boolean' && typeof v !== 'bigint') {
    throw new TypeError(`[${op}] Fill value must be a number, boolean, bigint or array, got ${typeof v}.`);
  }
}

/**
 * Zeros with the shape and dtype of `a` (or `dtype`).
 *
 * @example
 * ```ts
 * mx.zerosLike(mx.array([[1, 2]])); // int32 [[0, 0]]
 * ```
 */
export function zerosLike(a: MxArray, dtype?: DtypeLike | StreamOpt, opts: StreamOpt = {}): MxArray {
  return fullLike(a, 0, dtype, opts);
}

/**
 * Ones with the shape and dtype of `a` (or `dtype`).
 *
 * @example
 * ```ts
 * mx.onesLike(mx.zeros([3], mx.float16)); // float16 [1, 1, 1]
 * ```
 */
export function onesLike(a: MxArray, dtype?: DtypeLike | StreamOpt, opts: StreamOpt = {}): MxArray {
  return fullLike(a, 1, dtype, opts);
}

/**
 * `value` (a scalar or an array broadcast to the shape) with the shape and dtype of `a` (or `dtype`).
 *
 * @example
 * ```ts
 * mx.fullLike(mx.zeros([2, 2]), 3.5); // float32 [[3.5, 3.5], [3.5, 3.5]]
 * ```
 */
export function fullLike(a: MxArray, value: FillValue, dtype?: DtypeLike | StreamOpt, opts: StreamOpt = {}): MxArray {
  if (dtype !== undefined && !isDtypeLike(dtype)) { opts = dtype; dtype = undefined; }
  const op = 'fullLike';
  if (!isArray(a)) throw new TypeError(`[${op}] Expected an array, got ${typeof a}.`);
  a._check(op);
  return full(a.shape, value, optDtype(dtype as DtypeLike | undefined, a.dtype, op), opts);
}

/** Options of `arange`. */
export interface ArangeOpts extends StreamOpt { start?: number; stop?: number; step?: number; dtype?: DtypeLike }

/**
 * Evenly spaced values in `[start, stop)`. With one number it is `stop` (start 0). Without `dtype` the result is
 * int32 when every given argument is an integer, float32 otherwise (JS cannot tell `1.0` from `1`: pass a float dtype
 * where Python would pass float literals). Values are `start + i * step`, computed in float64 then cast.
 *
 * @example
 * ```ts
 * mx.arange(5);            // int32 [0, 1, 2, 3, 4]
 * mx.arange(1, 2, 0.25);   // float32 [1, 1.25, 1.5, 1.75]
 * mx.arange(5, 0, -2);     // [5, 3, 1]
 * mx.arange(3, mx.float16);
 * ```
 */
export function arange(...args: (number | DtypeLike | ArangeOpts | undefined)[]): MxArray {
  const op = 'arange';
  let o: ArangeOpts = {};
  const pos: (number | undefined)[] = [];
  let dtype: DtypeLike | undefined;
  for (const a of args) {
    if (typeof a === 'number' || a === undefined) { if (dtype !== undefined) throw new TypeError(`[${op}] dtype must come last.`); pos.push(a); }
    else if (isDtypeLike(a)) dtype = a;
    else if (typeof a === 'object') o = a as ArangeOpts;
    else throw new TypeError(`[${op}] Unexpected argument ${String(a)}.`);
  }
  while (pos.length && pos[pos.length - 1] === undefined) pos.pop();
  if (pos.length > 3) throw new TypeError(`[${op}] Too many positional arguments (${pos.length}; at most 3).`);
  let start: number, stop: number | undefined, step: number | undefined;
  if (pos.length === 1 && o.stop === undefined) { start = o.start ?? 0; stop = pos[0]; step = o.step; }
  else { start = pos[0] ?? o.start ?? 0; stop = pos[1] ?? o.stop; step = pos[2] ?? o.step; }
  if (dtype !== undefined && o.dtype !== undefined) throw new TypeError(`[${op}] dtype given both positionally and in options.`);
  dtype ??= o.dtype;
  if (stop === undefined) throw new TypeError(`[${op}] Missing stop.`);
  const explicitStep = step !== undefined;
  step ??= 1;
  for (const [n, v] of [['start', start], ['stop', stop], ['step', step]] as const) {
    if (typeof v !== 'number') throw new TypeError(`[${op}] ${n} must be a number, got ${typeof v}.`);
  }
  const allInt = Number.isInteger(start) && Number.isInteger(stop) && (!explicitStep || Number.isInteger(step));
  const d = optDtype(dtype, allInt ? dt.int32 : dt.float32, op);
  if (d === dt.bool) throw new TypeError(`[${op}] Cannot use bool dtype.`);
  if (d === dt.complex64) throw new TypeError(`[${op}] Cannot use complex64 dtype.`);
  if (step === 0) throw new RangeError(`[${op}] step must be non-zero.`);
  if (!Number.isFinite(start) || !Number.isFinite(stop) || Number.isNaN(step)) {
    throw new RangeError(`[${op}] Cannot compute length for start=${start}, stop=${stop}, step=${step}.`);
  }
  let n: number;
  if (!Number.isFinite(step)) n = (step > 0 ? start < stop : start > stop) ? 1 : 0;
  else n = Math.max(Math.ceil((stop - start) / step), 0);
  if (n > 2 ** 31 - 1) throw new RangeError(`[${op}] Maximum size exceeded (${n} elements).`);
  return bind('arange', [], { n, start, step: Number.isFinite(step) ? step : 0, dtype: d }, toStream(o.stream, op));
}

/** Options of `linspace`. */
export interface LinspaceOpts extends StreamOpt { num?: number; endpoint?: boolean; dtype?: DtypeLike }

/**
 * `num` evenly spaced values from `start` to `stop` (float32 unless `dtype`); with `endpoint` false, `stop` is
 * left out (the step is (stop - start) / num). Positional order as MLX: `(start, stop, num, endpoint, dtype)`; a
 * dtype may also come right after `num`. Values follow MLX's formula bit for bit: `t = i / (num - 1)` and
 * `(1 - t) * start + t * stop` in float32 (float64 for a float64 result), then cast (integers truncate).
 *
 * @example
 * ```ts
 * mx.linspace(0, 1, 5); // [0, 0.25, 0.5, 0.75, 1]
 * mx.linspace(0, 1, 4, false); // [0, 0.25, 0.5, 0.75]
 * ```
 */
export function linspace(start: number, stop: number, ...rest: (number | boolean | DtypeLike | LinspaceOpts | undefined)[]): MxArray {
  const op = 'linspace';
  // `linspace(a, b, n, dtype)` (a dtype in the endpoint slot) stays accepted
  if (rest.length >= 2 && isDtypeLike(rest[1]) && typeof rest[1] !== 'boolean') rest = [rest[0], undefined, ...rest.slice(1)];
  const { num = 50, endpoint = true, dtype, stream } = optArgs<LinspaceOpts>(['num', 'endpoint', 'dtype'], rest, op);
  if (typeof start !== 'number' || typeof stop !== 'number') throw new TypeError(`[${op}] start and stop must be numbers.`);
  if (!Number.isInteger(num) || num < 0) throw new RangeError(`[${op}] Number of samples, ${num}, must be a non-negative integer.`);
  if (typeof endpoint !== 'boolean') throw new TypeError(`[${op}] endpoint must be a boolean, got ${String(endpoint)}.`);
  const d = optDtype(dtype, dt.float32, op);
  if (d === dt.bool || d === dt.complex64) throw new TypeError(`[${op}] Cannot use ${d.name} dtype.`);
  const den = endpoint ? num - 1 : num;
  return bind('arange', [], { n: num, start, step: 0, dtype: d, lin: { stop, den } }, toStream(stream, op));
}

/** Options of `eye` and `tri`. */
export interface EyeOpts extends StreamOpt { m?: number; k?: number; dtype?: DtypeLike }

function checkDim(v: unknown, name: string, op: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new RangeError(`[${op}] ${name} must be a non-negative integer, got ${String(v)}.`);
  return v;
}

function triLike(op: string, lower: boolean, n: number, rest: unknown[]): MxArray {
  // a dtype may follow fewer numbers (`eye(3, mx.int32)`), as in arange
  const di = rest.findIndex((x) => isDtypeLike(x));
  if (di >= 0 && di < 2) rest = [...rest.slice(0, di), ...new Array(2 - di).fill(undefined), ...rest.slice(di)];
  const { m, k = 0, dtype, stream } = optArgs<EyeOpts>(['m', 'k', 'dtype'], rest, op);
  checkDim(n, 'n', op);
  const mm = m === undefined || m === null ? n : checkDim(m, 'm', op);
  if (!Number.isInteger(k)) throw new TypeError(`[${op}] k must be an integer, got ${k}.`);
  return bind('tri', [], { n, m: mm, k, dtype: optDtype(dtype, dt.float32, op), lower }, toStream(stream, op));
}

/**
 * An `[n, m]` matrix with ones on diagonal `k` (0 main, >0 above, <0 below), float32 unless `dtype`.
 *
 * @example
 * ```ts
 * mx.eye(3);                  // 3x3 identity
 * mx.eye(2, 3, 1, mx.int32);  // [[0, 1, 0], [0, 0, 1]]
 * ```
 */
export function eye(n: number, ...rest: (number | DtypeLike | EyeOpts | undefined | null)[]): MxArray {
  return triLike('eye', false, n, rest);
}

/**
 * The `n x n` identity matrix.
 *
 * @example
 * ```ts
 * mx.identity(4, mx.float16);
 * ```
 */
export function identity(n: number, dtype?: DtypeLike | StreamOpt, opts: StreamOpt = {}): MxArray {
  if (dtype !== undefined && !isDtypeLike(dtype)) { opts = dtype; dtype = undefined; }
  return triLike('identity', false, n, [undefined, 0, dtype, opts]);
}

/**
 * An `[n, m]` matrix with ones on and below diagonal `k`, zeros above.
 *
 * @example
 * ```ts
 * mx.tri(3, 3, 0); // [[1, 0, 0], [1, 1, 0], [1, 1, 1]]
 * ```
 */
export function tri(n: number, ...rest: (number | DtypeLike | EyeOpts | undefined | null)[]): MxArray {
  return triLike('tri', true, n, rest);
}

function triMask(op: string, upper: boolean, x: MxArray, rest: unknown[]): MxArray {
  const { k = 0, stream } = optArgs<{ k?: number; stream?: StreamOrDevice }>(['k'], rest, op);
  if (!isArray(x)) throw new TypeError(`[${op}] Expected an array, got ${typeof x}.`);
  x._check(op);
  if (x.ndim < 2) throw new Error(`[${op}] Array must be at least 2-D, got shape ${fmtShape(x.shape)}.`);
  if (!Number.isInteger(k)) throw new TypeError(`[${op}] k must be an integer, got ${k}.`);
  return bind('triMask', [x], { k, upper }, toStream(stream, op));
}

/**
 * The lower triangle (on and below diagonal `k`) of the last two axes; other elements become zero.
 *
 * @example
 * ```ts
 * mx.tril(mx.ones([3, 3]), -1); // [[0, 0, 0], [1, 0, 0], [1, 1, 0]]
 * ```
 */
export function tril(x: MxArray, k?: number | (StreamOpt & { k?: number }), opts?: StreamOpt): MxArray {
  return triMask('tril', false, x, [k, opts]);
}

/**
 * The upper triangle (on and above diagonal `k`) of the last two axes; other elements become zero.
 *
 * @example
 * ```ts
 * mx.triu(mx.ones([3, 3]), 1); // [[0, 1, 1], [0, 0, 1], [0, 0, 0]]
 * ```
 */
export function triu(x: MxArray, k?: number | (StreamOpt & { k?: number }), opts?: StreamOpt): MxArray {
  return triMask('triu', true, x, [k, opts]);
}

/** Options of `meshgrid`. */
export interface MeshgridOpts extends StreamOpt {
  /** Return arrays of shape [1, .., n_i, .., 1] instead of full grids. */
  sparse?: boolean;
  /** `'xy'` (Cartesian, default: the first two outputs' axes swapped) or `'ij'` (matrix). */
  indexing?: 'xy' | 'ij';
}

/**
 * Coordinate grids from 1-D coordinate arrays (inputs of more dimensions are flattened).
 *
 * @example
 * ```ts
 * const [X, Y] = mx.meshgrid(mx.arange(3), mx.arange(2)); // both shape [2, 3]
 * const [I, J] = mx.meshgrid(a, b, { indexing: 'ij' });    // shapes [a.size, b.size]
 * ```
 */
export function meshgrid(...args: (MxArray | MeshgridOpts)[]): MxArray[] {
  const op = 'meshgrid';
  let o: MeshgridOpts = {};
  if (args.length && !isArray(args[args.length - 1])) o = args.pop() as MeshgridOpts;
  const xs = args as MxArray[];
  for (const x of xs) { if (!isArray(x)) throw new TypeError(`[${op}] Expected arrays, got ${typeof x}.`); x._check(op); }
  const indexing = o.indexing ?? 'xy';
  if (indexing !== 'xy' && indexing !== 'ij') throw new Error(`[${op}] indexing must be 'xy' or 'ij', got ${String(indexing)}.`);
  const stream = toStream(o.stream, op);
  const nd = xs.length;
  const sizes = xs.map((x) => x.size);
  // 'xy' swaps the roles of the first two axes
  const axisOf = (i: number): number => (indexing === 'xy' && nd >= 2 && i < 2 ? 1 - i : i);
  const full = new Array<number>(nd);
  for (let i = 0; i < nd; i++) full[axisOf(i)] = sizes[i]!;
  return xs.map((x, i) => {
    const ax = axisOf(i);
    const shape = o.sparse ? full.map((s, j) => (j === ax ? s : 1)) : full;
    return bind('full', [x], { shape, dtype: x.dtype, axis: ax }, stream);
  });
}

/**
 * Same as `mx.array` (MLX's `asarray`).
 *
 * @example
 * ```ts
 * mx.asarray([1, 2, 3], mx.float32);
 * ```
 */
export const asarray = array;

function windowOp(kind: WindowKind, m: number, opts: StreamOpt): MxArray {
  if (typeof m !== 'number' || !Number.isInteger(m)) throw new TypeError(`[${kind}] M must be an integer, got ${String(m)}.`);
  // NumPy (and MLX) give an empty window for M < 1
  return bind('windowFn', [], { kind, m: Math.max(m, 0) }, toStream(opts.stream, kind));
}

/**
 * The Bartlett (triangular) window of `M` points, float32.
 *
 * @example
 * ```ts
 * mx.bartlett(5); // [0, 0.5, 1, 0.5, 0]
 * ```
 */
export function bartlett(M: number, opts: StreamOpt = {}): MxArray { return windowOp('bartlett', M, opts); }
/**
 * The Blackman window of `M` points, float32.
 *
 * @example
 * ```ts
 * mx.blackman(8);
 * ```
 */
export function blackman(M: number, opts: StreamOpt = {}): MxArray { return windowOp('blackman', M, opts); }
/**
 * The Hamming window of `M` points, float32.
 *
 * @example
 * ```ts
 * mx.hamming(8);
 * ```
 */
export function hamming(M: number, opts: StreamOpt = {}): MxArray { return windowOp('hamming', M, opts); }
/**
 * The Hann window of `M` points, float32.
 *
 * @example
 * ```ts
 * mx.hanning(8);
 * ```
 */
export function hanning(M: number, opts: StreamOpt = {}): MxArray { return windowOp('hanning', M, opts); }
