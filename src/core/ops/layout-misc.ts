/**
 * @file Layout ops over element positions: pad, flip, diagonal, diag, asStrided, contiguous, view (bit
 * reinterpretation), diff.
 */
import { MxArray, bind, isArray, type ArrayLike } from '../array.js';
import { toStream, type StreamOpt } from '../device.js';
import { fmtShape, normAxis, sizeOf, rowMajorStrides } from '../shape.js';
import { toDtype, bool, type DtypeLike } from '../dtype.js';
import { asArray } from '../construct.js';
import { astype } from './basic.js';
import { optArgs } from './args.js';
import { arr, reshapeTo, Scratch, type PosArgs } from './layout.js';
import { splitAt } from './layout-join.js';
import { subtract, notEqual } from './binary.js';
import type { PadMode } from '../primitives/layout.js';

export type { PadMode };

/** Pad widths: one int for every side, `[lo, hi]` for every axis, or one `[lo, hi]` per axis. */
export type PadWidth = number | readonly number[] | readonly (readonly number[])[];

function padPairs(w: PadWidth, ndim: number): [number, number][] {
  const bad = () => new Error(`[pad] Invalid pad_width ${JSON.stringify(w)} for array with ${ndim} dimensions.`);
  let pairs: [number, number][];
  const pair = (p: unknown): [number, number] => {
    if (typeof p === 'number') return [p, p];
    if (Array.isArray(p) && p.length === 1 && typeof p[0] === 'number') return [p[0], p[0]];
    if (Array.isArray(p) && p.length === 2 && typeof p[0] === 'number' && typeof p[1] === 'number') return [p[0], p[1]];
    throw bad();
  };
  if (typeof w === 'number') pairs = new Array(ndim).fill(0).map(() => [w, w]);
  else if (!Array.isArray(w)) throw bad();
  else if (w.every((x) => typeof x === 'number')) {
    const p = pair(w);
    pairs = new Array(ndim).fill(0).map(() => [...p] as [number, number]);
  } else {
    const list = w.map(pair);
    if (list.length === 1) pairs = new Array(ndim).fill(0).map(() => [...list[0]!] as [number, number]);
    else if (list.length === ndim) pairs = list;
    else throw bad();
  }
  for (const [lo, hi] of pairs) {
    if (!Number.isInteger(lo) || !Number.isInteger(hi)) throw bad();
    if (lo < 0 || hi < 0) throw new RangeError(`[pad] Invalid padding ${JSON.stringify(w)}: widths must be non-negative.`);
  }
  return pairs;
}

type PadOpts = { mode?: PadMode; constantValues?: ArrayLike } & StreamOpt;

/**
 * Pads with a constant (default 0), the edge values, or a mirror of the interior (`reflect` skips the edge,
 * `symmetric` repeats it).
 *
 * @example
 * ```ts
 * await mx.pad(mx.array([1, 2, 3]), [1, 2], 'reflect').tolist(); // [2, 1, 2, 3, 2, 1]
 * ```
 */
export function pad(
  a: MxArray, padWidth: PadWidth,
  ...rest: [mode?: PadMode, constantValues?: ArrayLike, opts?: StreamOpt] | [mode: PadMode, opts: StreamOpt] | [opts: PadOpts]
): MxArray {
  a = arr(a, 'pad');
  const o = optArgs<PadOpts>(['mode', 'constantValues'], rest, 'pad');
  const mode = o.mode ?? 'constant';
  if (!['constant', 'edge', 'reflect', 'symmetric'].includes(mode)) {
    throw new Error(`[pad] Invalid pad mode "${mode}"; expected constant, edge, reflect or symmetric.`);
  }
  const pairs = padPairs(padWidth, a.ndim);
  if (mode !== 'constant') {
    pairs.forEach(([lo, hi], i) => {
      if (a.shape[i] === 0 && lo + hi > 0) throw new Error(`[pad] Cannot pad the empty axis ${i} of shape ${fmtShape(a.shape)} in ${mode} mode.`);
    });
  }
  let cv = o.constantValues ?? 0;
  if (isArray(cv)) {
    cv._check('pad');
    if (cv.size !== 1) throw new Error(`[pad] constant_values must be a scalar, got shape ${fmtShape(cv.shape)}.`);
  }
  if (pairs.every(([lo, hi]) => lo === 0 && hi === 0)) return reshapeTo(a, a.shape, o.stream, 'pad');
  const tmp = new Scratch();
  let c = tmp.t(asArray(cv, a.dtype, o.stream), cv);
  if (c.dtype !== a.dtype) c = tmp.t(astype(c, a.dtype, { stream: o.stream }));
  if (c.ndim !== 0) c = tmp.t(reshapeTo(c, [], o.stream, 'pad'));
  return tmp.done(bind('pad', [a, c], { lo: pairs.map((p) => p[0]), hi: pairs.map((p) => p[1]), mode }, toStream(o.stream, 'pad')));
}

/**
 * Reverses the order of elements along the given axes (all when omitted). Free: a view with negative strides.
 *
 * @example
 * ```ts
 * await mx.flip(mx.array([1, 2, 3])).tolist(); // [3, 2, 1]
 * ```
 */
export function flip(a: MxArray, ...rest: [axis?: number | readonly number[] | null, opts?: StreamOpt] | [opts: { axis?: number | readonly number[] | null } & StreamOpt]): MxArray {
  a = arr(a, 'flip');
  const o = optArgs<{ axis?: number | readonly number[] | null } & StreamOpt>(['axis'], rest, 'flip');
  let axes: number[];
  if (o.axis == null) axes = a.shape.map((_, i) => i);
  else {
    axes = (typeof o.axis === 'number' ? [o.axis] : [...o.axis]).map((x) => normAxis(x, a.ndim, 'flip'));
    if (new Set(axes).size !== axes.length) throw new Error(`[flip] Received duplicate axes ${JSON.stringify(o.axis)}.`);
    axes.sort((x, y) => x - y);
  }
  axes = axes.filter((x) => a.shape[x]! > 1);
  if (axes.length === 0) return reshapeTo(a, a.shape, o.stream, 'flip');
  return bind('flip', [a], { axes }, toStream(o.stream, 'flip'));
}

type DiagonalOpts = { offset?: number; axis1?: number; axis2?: number } & StreamOpt;

/**
 * The diagonal (or an off-diagonal) of the plane `axis1` × `axis2` (default 0, 1), as the last axis. Free: a view.
 *
 * @example
 * ```ts
 * await mx.diagonal(mx.array([[1, 2], [3, 4]])).tolist(); // [1, 4]
 * ```
 */
export function diagonal(a: MxArray, ...rest: PosArgs<[offset: number, axis1: number, axis2: number], DiagonalOpts>): MxArray {
  a = arr(a, 'diagonal');
  const o = optArgs<DiagonalOpts>(['offset', 'axis1', 'axis2'], rest, 'diagonal');
  if (a.ndim < 2) throw new Error(`[diagonal] Array must have at least two dimensions, got shape ${fmtShape(a.shape)}.`);
  const offset = o.offset ?? 0;
  if (!Number.isInteger(offset)) throw new TypeError(`[diagonal] Offset must be an integer, got ${offset}.`);
  const axis1 = normAxis(o.axis1 ?? 0, a.ndim, 'diagonal'), axis2 = normAxis(o.axis2 ?? 1, a.ndim, 'diagonal');
  if (axis1 === axis2) throw new Error(`[diagonal] axis1 and axis2 cannot be the same axis (${axis1}).`);
  return bind('diagonal', [a], { offset, axis1, axis2 }, toStream(o.stream, 'diagonal'));
}

/**
 * From a 1-D array, the square matrix with it on diagonal `k`; from a 2-D array, its diagonal `k`.
 *
 * @example
 * ```ts
 * mx.diag(mx.array([1, 2])).shape; // [2, 2]
 * ```
 */
export function diag(a: MxArray, ...rest: [k?: number, opts?: StreamOpt] | [opts: { k?: number } & StreamOpt]): MxArray {
  a = arr(a, 'diag');
  const o = optArgs<{ k?: number } & StreamOpt>(['k'], rest, 'diag');
  const k = o.k ?? 0;
  if (!Number.isInteger(k)) throw new TypeError(`[diag] k must be an integer, got ${k}.`);
  if (a.ndim === 1) return bind('diagMatrix', [a], { k }, toStream(o.stream, 'diag'));
  if (a.ndim === 2) return diagonal(a, k, 0, 1, { stream: o.stream });
  throw new Error(`[diag] Input must be 1- or 2-dimensional, got shape ${fmtShape(a.shape)}.`);
}

type StridedOpts = { shape?: readonly number[]; strides?: readonly number[]; offset?: number } & StreamOpt;

/**
 * A view with arbitrary shape and strides (in elements) over the row-major elements of `a`. Unlike MLX, every
 * reachable element is checked to lie inside `a`, so a bad stride throws instead of reading garbage.
 *
 * @example
 * ```ts
 * // sliding windows of 3 over 5 elements
 * mx.asStrided(mx.arange(5), [3, 3], [1, 1]).shape; // [3, 3]
 * ```
 */
export function asStrided(a: MxArray, ...rest: PosArgs<[shape: readonly number[], strides: readonly number[], offset: number], StridedOpts>): MxArray {
  a = arr(a, 'asStrided');
  const o = optArgs<StridedOpts>(['shape', 'strides', 'offset'], rest, 'asStrided');
  const shape = [...(o.shape ?? a.shape)];
  const strides = [...(o.strides ?? rowMajorStrides(shape))];
  const offset = o.offset ?? 0;
  const ints = (l: number[]) => l.every((v) => Number.isInteger(v));
  if (!ints(shape) || shape.some((d) => d < 0)) throw new RangeError(`[asStrided] Shape must be non-negative integers, got ${fmtShape(shape)}.`);
  if (!ints(strides) || !Number.isInteger(offset)) throw new TypeError('[asStrided] Strides and offset must be integers.');
  if (strides.length !== shape.length) {
    throw new Error(`[asStrided] Shape ${fmtShape(shape)} and strides (${strides.join(',')}) must have the same length.`);
  }
  if (sizeOf(shape) > 0) {
    let lo = offset, hi = offset;
    shape.forEach((d, i) => { const s = strides[i]! * (d - 1); if (s < 0) lo += s; else hi += s; });
    if (lo < 0 || hi >= a.size) {
      throw new RangeError(`[asStrided] Shape ${fmtShape(shape)}, strides (${strides.join(',')}) and offset ${offset} ` +
        `reach elements [${lo}, ${hi}] outside an array of size ${a.size}.`);
    }
  }
  return bind('asStrided', [a], { shape, strides, offset }, toStream(o.stream, 'asStrided'));
}

/**
 * The array with a row-major layout (a copy only when the input is a non-contiguous view). With
 * `allowColMajor`, a column-major layout is accepted too.
 *
 * @example
 * ```ts
 * mx.contiguous(mx.transpose(x));
 * ```
 */
export function contiguous(a: MxArray, ...rest: [allowColMajor?: boolean, opts?: StreamOpt] | [opts: { allowColMajor?: boolean } & StreamOpt]): MxArray {
  a = arr(a, 'contiguous');
  const o = optArgs<{ allowColMajor?: boolean } & StreamOpt>(['allowColMajor'], rest, 'contiguous');
  return bind('contiguous', [a], { allowColMajor: !!o.allowColMajor }, toStream(o.stream, 'contiguous'));
}

/**
 * Reinterprets the bytes as another dtype. When item sizes differ the last axis scales by their ratio (it must
 * divide evenly); complex64 counts as 8 bytes (real, imaginary).
 *
 * @example
 * ```ts
 * mx.view(mx.array([1], mx.float32), mx.uint8).shape; // [4]
 * ```
 */
export function view(a: MxArray, dtype: DtypeLike, opts: StreamOpt = {}): MxArray {
  a = arr(a, 'view');
  const t = toDtype(dtype, 'view');
  if (t.size !== a.dtype.size) {
    if (a.ndim === 0) throw new Error(`[view] Changing the type of a scalar (${a.dtype.name} to ${t.name}) is only allowed for types of the same size.`);
    const last = a.shape[a.ndim - 1]!;
    if ((last * a.dtype.size) % t.size !== 0) {
      throw new Error(`[view] The last dimension of shape ${fmtShape(a.shape)} (${last} × ${a.dtype.size} bytes) is not divisible by ` +
        `the size of ${t.name} (${t.size} bytes).`);
    }
  }
  return bind('view', [a], { dtype: t }, toStream(opts.stream, 'view'));
}

/**
 * The n-th discrete difference along `axis` (default the last): `a[1:] - a[:-1]`, applied n times. Booleans use
 * inequality (as NumPy), other dtypes subtraction.
 *
 * @example
 * ```ts
 * await mx.diff(mx.array([1, 4, 9, 16])).tolist(); // [3, 5, 7]
 * ```
 */
export function diff(a: MxArray, ...rest: PosArgs<[n: number, axis: number], { n?: number; axis?: number } & StreamOpt>): MxArray {
  a = arr(a, 'diff');
  const o = optArgs<{ n?: number; axis?: number } & StreamOpt>(['n', 'axis'], rest, 'diff');
  const n = o.n ?? 1;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`[diff] Order n must be a non-negative integer, got ${n}.`);
  if (a.ndim === 0) throw new Error('[diff] Input must be at least one-dimensional.');
  const ax = normAxis(o.axis ?? -1, a.ndim, 'diff');
  const tmp = new Scratch();
  let x = a;
  for (let i = 0; i < n; i++) {
    const len = x.shape[ax]!;
    if (len === 0) break;
    // two overlapping views: x[1:] and x[:-1]
    const [hi, lo] = splitAt(x, [1, 0], [len - 1, len - 1], ax, o, 'diff') as [MxArray, MxArray];
    tmp.t(hi);
    tmp.t(lo);
    x = tmp.t(x.dtype === bool ? notEqual(hi, lo, { stream: o.stream }) : subtract(hi, lo, { stream: o.stream }));
  }
  return tmp.done(x === a ? reshapeTo(a, a.shape, o.stream, 'diff') : x);
}
