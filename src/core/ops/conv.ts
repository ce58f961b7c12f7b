/**
 * @file Convolution ops, channels-last as in MLX: `conv1d`, `conv2d`, `conv3d`, `convTranspose1d/2d/3d` and
 * `convGeneral`. Every one binds the single `conv` primitive (primitives/conv.ts); a transposed convolution is a
 * convolution of the stride-dilated input with the flipped kernel, exactly as MLX builds it.
 */
import { MxArray, bind, type ArrayLike } from '../array.js';
import * as dt from '../dtype.js';
import { toStream, type Stream, type StreamOpt } from '../device.js';
import { optArgs } from './args.js';
import { toArr, cast, fmt } from './matmul.js';
import { convOutSpatial, dilatedSize, type ConvParams } from '../primitives/conv.js';

/** A per-dimension parameter: one number for every spatial dimension, or one per dimension. */
export type ConvTuple = number | readonly number[];

/** Options of `conv1d`/`conv2d`/`conv3d` (also accepted positionally, in this order). */
export interface ConvOpts extends StreamOpt { stride?: ConvTuple; padding?: ConvTuple; dilation?: ConvTuple; groups?: number }
/** Options of the transposed convolutions (also accepted positionally, in this order). */
export interface ConvTransposeOpts extends ConvOpts { outputPadding?: ConvTuple }
/** Padding of `convGeneral`: symmetric (a number or one per dimension) or `[lo, hi]`, two lists. */
export type ConvPadding = ConvTuple | readonly [readonly number[], readonly number[]];
/** Options of `convGeneral` (also accepted positionally, in this order). */
export interface ConvGeneralOpts extends StreamOpt {
  stride?: ConvTuple; padding?: ConvPadding; kernelDilation?: ConvTuple; inputDilation?: ConvTuple; groups?: number; flip?: boolean;
}

type ConvRest = [ConvTuple?, ConvTuple?, ConvTuple?, number?, ConvOpts?] | [ConvOpts];
type ConvTRest = [ConvTuple?, ConvTuple?, ConvTuple?, ConvTuple?, number?, ConvTransposeOpts?] | [ConvTransposeOpts];
type ConvGRest = [ConvTuple?, ConvPadding?, ConvTuple?, ConvTuple?, number?, boolean?, ConvGeneralOpts?] | [ConvGeneralOpts];

/** @internal Binds the conv primitive on already validated, same-dtype operands (used by the transform rules). */
export function convCore(x: MxArray, w: MxArray, p: ConvParams, stream: Stream): MxArray {
  return bind('conv', [x, w], p, stream);
}

/** Expands a per-dimension parameter to `nd` integers of at least `min`. */
function perDim(v: ConvTuple | undefined, dflt: number, nd: number, name: string, op: string, min: number): number[] {
  const list = v === undefined ? new Array<number>(nd).fill(dflt) : typeof v === 'number' ? new Array<number>(nd).fill(v) : [...v];
  if (list.length !== nd) {
    throw new Error(`[${op}] ${name} must have one entry per spatial dimension (${nd}), got [${list.join(', ')}].`);
  }
  for (const x of list) {
    if (!Number.isInteger(x) || x < min) {
      throw new RangeError(`[${op}] ${name} must be integers${min > -Infinity ? ` >= ${min}` : ''}, got [${list.join(', ')}].`);
    }
  }
  return list;
}

/** Checks operand ranks, dtype and channels; returns the number of spatial dimensions. */
function checkOperands(op: string, x: MxArray, w: MxArray, groups: number, nd?: number): number {
  if (!dt.isFloating(x.dtype)) {
    throw new TypeError(`[${op}] Invalid input array with type ${x.dtype.name}. Convolution only supports floating point types.`);
  }
  const n = nd ?? x.ndim - 2;
  if (n < 1 || n > 3) {
    throw new Error(`[${op}] Only inputs with 1-3 spatial dimensions are supported, in the format [N, ..., C_in]; got ${fmt(x.shape)}.`);
  }
  if (x.ndim !== n + 2) {
    throw new Error(`[${op}] Invalid input array with ${x.ndim} dimensions for ${n}D convolution. Expected an array with ${n + 2} ` +
      `dimensions following the format [N, ..., C_in], got ${fmt(x.shape)}.`);
  }
  if (w.ndim !== n + 2) {
    throw new Error(`[${op}] Invalid weight array with ${w.ndim} dimensions for ${n}D convolution. Expected an array with ${n + 2} ` +
      `dimensions following the format [C_out, ..., C_in], got ${fmt(w.shape)}.`);
  }
  if (!Number.isInteger(groups) || groups < 1) throw new RangeError(`[${op}] groups must be a positive integer, got ${groups}.`);
  const cin = x.shape[n + 1]!, cout = w.shape[0]!;
  if (cin % groups !== 0) {
    throw new Error(`[${op}] The input channels must be divisible by the number of groups. Got input with shape ${fmt(x.shape)} and ${groups} groups.`);
  }
  if (cout % groups !== 0) {
    throw new Error(`[${op}] The output channels must be divisible by the number of groups. Got weight with shape ${fmt(w.shape)} (${cout} output channels) and ${groups} groups.`);
  }
  if (cin !== groups * w.shape[n + 1]!) {
    throw new Error(groups === 1
      ? `[${op}] Expect the input channels in the input and weight array to match but got shapes - input: ${fmt(x.shape)} and weight: ${fmt(w.shape)}.`
      : `[${op}] Given groups=${groups} and weights of shape ${fmt(w.shape)}, expected ${groups * w.shape[n + 1]!} input channels but got input of shape ${fmt(x.shape)}.`);
  }
  return n;
}

/** Validates the window fits, promotes the operands and binds. */
function finish(op: string, x: MxArray, w: MxArray, p: ConvParams, s: Stream): MxArray {
  const out = convOutSpatial(x.shape, w.shape, p);
  out.forEach((o, d) => {
    if (o < 1) {
      const span = dilatedSize(x.shape[d + 1]!, p.inputDilation[d]!) + p.padLo[d]! + p.padHi[d]!;
      throw new Error(`[${op}] The dilated kernel (extent ${dilatedSize(w.shape[d + 1]!, p.kernelDilation[d]!)}) is larger than the ` +
        `padded input (extent ${span}) along spatial dimension ${d}; input ${fmt(x.shape)}, weight ${fmt(w.shape)}.`);
    }
  });
  const t = dt.promoteTypes(x.dtype, w.dtype);
  if (!dt.isFloating(t)) {
    throw new TypeError(`[${op}] Input ${x.dtype.name} and weight ${w.dtype.name} promote to ${t.name}, which is not a real floating type.`);
  }
  return convCore(cast(x, t, s), cast(w, t, s), p, s);
}

function convN(op: string, nd: number, input: ArrayLike, weight: ArrayLike, rest: unknown[]): MxArray {
  const o = optArgs<ConvOpts>(['stride', 'padding', 'dilation', 'groups'], rest, op);
  const s = toStream(o.stream, op);
  const x = toArr(input, op, s), w = toArr(weight, op, s);
  const groups = o.groups ?? 1;
  checkOperands(op, x, w, groups, nd);
  const pad = perDim(o.padding, 0, nd, 'padding', op, 0);
  return finish(op, x, w, {
    stride: perDim(o.stride, 1, nd, 'stride', op, 1), padLo: pad, padHi: [...pad],
    kernelDilation: perDim(o.dilation, 1, nd, 'dilation', op, 1), inputDilation: new Array<number>(nd).fill(1), groups, flip: false,
  }, s);
}

/**
 * 1-D convolution (cross-correlation, as in every deep learning framework) over `input` `[N, L, C_in]` with
 * `weight` `[C_out, K, C_in/groups]`; returns `[N, L_out, C_out]`.
 *
 * @example
 * ```ts
 * mx.conv1d(mx.ones([1, 8, 4]), mx.ones([6, 3, 4]), 1, 1).shape; // [1, 8, 6]
 * ```
 */
export function conv1d(input: ArrayLike, weight: ArrayLike, ...rest: ConvRest): MxArray {
  return convN('conv1d', 1, input, weight, rest);
}

/**
 * 2-D convolution of `input` `[N, H, W, C_in]` with `weight` `[C_out, KH, KW, C_in/groups]`; stride, padding and
 * dilation are a number or a pair.
 *
 * @example
 * ```ts
 * mx.conv2d(mx.ones([1, 8, 8, 3]), mx.ones([4, 3, 3, 3]), [2, 2], 1).shape; // [1, 4, 4, 4]
 * ```
 */
export function conv2d(input: ArrayLike, weight: ArrayLike, ...rest: ConvRest): MxArray {
  return convN('conv2d', 2, input, weight, rest);
}

/**
 * 3-D convolution of `input` `[N, D, H, W, C_in]` with `weight` `[C_out, KD, KH, KW, C_in/groups]`.
 *
 * @example
 * ```ts
 * mx.conv3d(mx.ones([1, 4, 4, 4, 2]), mx.ones([3, 2, 2, 2, 2])).shape; // [1, 3, 3, 3, 3]
 * ```
 */
export function conv3d(input: ArrayLike, weight: ArrayLike, ...rest: ConvRest): MxArray {
  return convN('conv3d', 3, input, weight, rest);
}

function convTransposeN(op: string, nd: number, input: ArrayLike, weight: ArrayLike, rest: unknown[]): MxArray {
  const o = optArgs<ConvTransposeOpts>(['stride', 'padding', 'dilation', 'outputPadding', 'groups'], rest, op);
  const s = toStream(o.stream, op);
  const x = toArr(input, op, s), w = toArr(weight, op, s);
  const groups = o.groups ?? 1;
  checkOperands(op, x, w, groups, nd);
  const stride = perDim(o.stride, 1, nd, 'stride', op, 1), pad = perDim(o.padding, 0, nd, 'padding', op, 0);
  const dil = perDim(o.dilation, 1, nd, 'dilation', op, 1), outPad = perDim(o.outputPadding, 0, nd, 'outputPadding', op, 0);
  const padLo: number[] = [], padHi: number[] = [];
  for (let d = 0; d < nd; d++) {
    const k = dilatedSize(w.shape[d + 1]!, dil[d]!);
    const size = (x.shape[d + 1]! - 1) * stride[d]! - 2 * pad[d]! + k + outPad[d]!;
    if (size < 1) {
      throw new Error(`[${op}] The output would have extent ${size} along spatial dimension ${d}: padding ${pad[d]} is too large ` +
        `for input ${fmt(x.shape)} and weight ${fmt(w.shape)}.`);
    }
    // the transposed conv reads the stride-dilated input through a full-width window, cropped by `padding`
    padLo.push(k - 1 - pad[d]!);
    padHi.push(k - 1 - pad[d]! + outPad[d]!);
  }
  return finish(op, x, w, {
    stride: new Array<number>(nd).fill(1), padLo, padHi, kernelDilation: dil, inputDilation: stride, groups, flip: true,
  }, s);
}

/**
 * 1-D transposed convolution (the gradient of `conv1d` with respect to its input) of `input` `[N, L, C_in]` with
 * `weight` `[C_out, K, C_in/groups]` (MLX's layout); the output length is
 * `(L - 1) * stride - 2 * padding + dilation * (K - 1) + outputPadding + 1`.
 *
 * @example
 * ```ts
 * mx.convTranspose1d(mx.ones([1, 7, 3]), mx.ones([5, 3, 3]), 2, 1, 1, 1).shape; // [1, 14, 5]
 * ```
 */
export function convTranspose1d(input: ArrayLike, weight: ArrayLike, ...rest: ConvTRest): MxArray {
  return convTransposeN('convTranspose1d', 1, input, weight, rest);
}

/**
 * 2-D transposed convolution of `input` `[N, H, W, C_in]` with `weight` `[C_out, KH, KW, C_in/groups]`.
 *
 * @example
 * ```ts
 * mx.convTranspose2d(mx.ones([1, 7, 7, 2]), mx.ones([3, 3, 3, 2]), 2).shape; // [1, 15, 15, 3]
 * ```
 */
export function convTranspose2d(input: ArrayLike, weight: ArrayLike, ...rest: ConvTRest): MxArray {
  return convTransposeN('convTranspose2d', 2, input, weight, rest);
}

/**
 * 3-D transposed convolution of `input` `[N, D, H, W, C_in]` with `weight` `[C_out, KD, KH, KW, C_in/groups]`.
 *
 * @example
 * ```ts
 * mx.convTranspose3d(mx.ones([1, 2, 2, 2, 1]), mx.ones([1, 2, 2, 2, 1]), 2).shape; // [1, 4, 4, 4, 1]
 * ```
 */
export function convTranspose3d(input: ArrayLike, weight: ArrayLike, ...rest: ConvTRest): MxArray {
  return convTransposeN('convTranspose3d', 3, input, weight, rest);
}

/**
 * The general convolution every other conv op is built on: `input` is dilated by `inputDilation`, padded by
 * `padding` (symmetric, or `[lo, hi]` lists; negative values crop), then correlated with `weight` dilated by
 * `kernelDilation` (convolved, i.e. flipped, when `flip`), moving by `stride`. 1 to 3 spatial dimensions; groups
 * work for all three (MLX limits them to 1-D and 2-D). Negative padding crops positions of the dilated input (the
 * same as MLX, which crops input elements, whenever `inputDilation` is 1).
 *
 * @example
 * ```ts
 * mx.convGeneral(mx.ones([1, 5, 2]), mx.ones([3, 3, 2]), 1, [[0], [2]], 1, 2, 1, true).shape; // [1, 9, 3]
 * ```
 */
export function convGeneral(input: ArrayLike, weight: ArrayLike, ...rest: ConvGRest): MxArray {
  const op = 'convGeneral';
  const o = optArgs<ConvGeneralOpts>(['stride', 'padding', 'kernelDilation', 'inputDilation', 'groups', 'flip'], rest, op);
  const s = toStream(o.stream, op);
  const x = toArr(input, op, s), w = toArr(weight, op, s);
  const groups = o.groups ?? 1;
  const nd = checkOperands(op, x, w, groups);
  let padLo: number[], padHi: number[];
  const pad = o.padding ?? 0;
  if (Array.isArray(pad) && pad.length === 2 && pad.every((p) => Array.isArray(p))) {
    padLo = perDim(pad[0] as number[], 0, nd, 'padding (lo)', op, -Infinity);
    padHi = perDim(pad[1] as number[], 0, nd, 'padding (hi)', op, -Infinity);
  } else {
    padLo = perDim(pad as ConvTuple, 0, nd, 'padding', op, -Infinity);
    padHi = [...padLo];
  }
  return finish(op, x, w, {
    stride: perDim(o.stride, 1, nd, 'stride', op, 1), padLo, padHi,
    kernelDilation: perDim(o.kernelDilation, 1, nd, 'kernelDilation', op, 1),
    inputDilation: perDim(o.inputDilation, 1, nd, 'inputDilation', op, 1), groups, flip: o.flip ?? false,
  }, s);
}
