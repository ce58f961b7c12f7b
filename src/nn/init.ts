/**
 * @file Parameter initializers (MLX's `nn.init`). Each factory returns a function that takes an array and returns a
 * new array of the same shape (and the factory's dtype) drawn from the distribution.
 */
import type { MxArray } from '../core/array.js';
import { float32, type Dtype } from '../core/dtype.js';
import * as random from '../core/ops/random.js';
import { full, eye, zeros } from '../core/ops/creation.js';
import { qr } from '../core/ops/linalg.js';
import { multiply } from '../core/ops/binary.js';
import { where } from '../core/ops/ternary.js';
import { argsort } from '../core/ops/sort.js';
import { less } from '../core/ops/binary.js';
import { reshape, transpose } from '../core/ops/layout.js';
import { sign } from '../core/ops/unary.js';
import { diag } from '../core/ops/layout-misc.js';
import { astype } from '../core/ops/basic.js';

/** An initializer: shape and dtype from `a`'s shape. */
export type Initializer = (a: MxArray) => MxArray;
/** Which fan the He initializers scale by. */
export type FanMode = 'fan_in' | 'fan_out' | 'fanIn' | 'fanOut';

/** Fan-in and fan-out of a weight of shape `[out, ...receptive, in]` (MLX's convention, channels last). */
export function fans(shape: readonly number[], op = 'init'): [number, number] {
  if (shape.length < 2) throw new Error(`[${op}] Glorot and He initialization need at least 2 dimensions, got ${shape.length}.`);
  let fanIn = shape[shape.length - 1]!, fanOut = shape[0]!;
  const receptive = shape.slice(1, -1).reduce((a, b) => a * b, 1);
  fanIn *= receptive; fanOut *= receptive;
  return [fanIn, fanOut];
}

/**
 * Fills with a constant. @example `nn.init.constant(0.5)(mx.zeros([2, 2]))`
 */
export function constant(value: number, dtype: Dtype = float32): Initializer {
  return (a) => full(a.shape as number[], value, dtype);
}

/**
 * Normal samples with mean `mean` and standard deviation `std`. @example `nn.init.normal(0, 0.02)(w)`
 */
export function normal(mean = 0, std = 1, dtype: Dtype = float32): Initializer {
  return (a) => random.normal({ shape: a.shape as number[], dtype, loc: mean, scale: std });
}

/**
 * Uniform samples in `[low, high)`. @example `nn.init.uniform(-0.1, 0.1)(w)`
 */
export function uniform(low = 0, high = 1, dtype: Dtype = float32): Initializer {
  return (a) => random.uniform({ low, high, shape: a.shape as number[], dtype });
}

/**
 * The identity matrix (square 2-D arrays only). @example `nn.init.identity()(mx.zeros([3, 3]))`
 */
export function identity(dtype: Dtype = float32): Initializer {
  return (a) => {
    if (a.ndim !== 2 || a.shape[0] !== a.shape[1]) throw new Error(`[identity] The input must be a square matrix, got shape (${a.shape.join(',')}).`);
    return eye(a.shape[0]!, { dtype });
  };
}

/**
 * Glorot (Xavier) normal: std = gain * sqrt(2 / (fanIn + fanOut)). @example `nn.init.glorotNormal()(w)`
 */
export function glorotNormal(dtype: Dtype = float32): (a: MxArray, gain?: number) => MxArray {
  return (a, gain = 1) => {
    const [fi, fo] = fans(a.shape, 'glorotNormal');
    return random.normal({ shape: a.shape as number[], dtype, scale: gain * Math.sqrt(2 / (fi + fo)) });
  };
}

/**
 * Glorot (Xavier) uniform: limit = gain * sqrt(6 / (fanIn + fanOut)). @example `nn.init.glorotUniform()(w)`
 */
export function glorotUniform(dtype: Dtype = float32): (a: MxArray, gain?: number) => MxArray {
  return (a, gain = 1) => {
    const [fi, fo] = fans(a.shape, 'glorotUniform');
    const limit = gain * Math.sqrt(6 / (fi + fo));
    return random.uniform({ low: -limit, high: limit, shape: a.shape as number[], dtype });
  };
}

function pickFan(shape: readonly number[], mode: FanMode, op: string): number {
  const [fi, fo] = fans(shape, op);
  if (mode === 'fan_in' || mode === 'fanIn') return fi;
  if (mode === 'fan_out' || mode === 'fanOut') return fo;
  throw new Error(`[${op}] Invalid mode "${String(mode)}" (use fan_in or fan_out).`);
}

/**
 * He (Kaiming) normal: std = gain / sqrt(fan). @example `nn.init.heNormal()(w, 'fan_in', Math.SQRT2)`
 */
export function heNormal(dtype: Dtype = float32): (a: MxArray, mode?: FanMode, gain?: number) => MxArray {
  return (a, mode = 'fan_in', gain = 1) => {
    const fan = pickFan(a.shape, mode, 'heNormal');
    return random.normal({ shape: a.shape as number[], dtype, scale: gain / Math.sqrt(fan) });
  };
}

/**
 * He (Kaiming) uniform: limit = gain * sqrt(3 / fan). @example `nn.init.heUniform()(w)`
 */
export function heUniform(dtype: Dtype = float32): (a: MxArray, mode?: FanMode, gain?: number) => MxArray {
  return (a, mode = 'fan_in', gain = 1) => {
    const limit = gain * Math.sqrt(3 / pickFan(a.shape, mode, 'heUniform'));
    return random.uniform({ low: -limit, high: limit, shape: a.shape as number[], dtype });
  };
}

/**
 * Sparse normal: in each column a fraction `sparsity` of the entries is zero, the rest ~ N(mean, std).
 * @example `nn.init.sparse(0.5)(mx.zeros([4, 3]))`
 */
export function sparse(sparsity: number, mean = 0, std = 1, dtype: Dtype = float32): Initializer {
  return (a) => {
    if (a.ndim !== 2) throw new Error(`[sparse] Only 2-D arrays are supported, got ${a.ndim} dimensions.`);
    const [rows, cols] = a.shape as [number, number];
    const nZeros = Math.ceil(sparsity * rows);
    const w = random.normal({ shape: [rows, cols], dtype, loc: mean, scale: std });
    // rank of each entry within its column under a random order; the lowest nZeros ranks become zero
    const ranks = argsort(argsort(random.uniform({ shape: [rows, cols] }), 0), 0);
    return where(less(ranks, nZeros), zeros([rows, cols], dtype), w);
  };
}

/**
 * Orthogonal: a random orthogonal matrix (rows or columns orthonormal) times `gain`.
 * @example `nn.init.orthogonal()(mx.zeros([3, 3]))`
 */
export function orthogonal(gain = 1, dtype: Dtype = float32): Initializer {
  return (a) => {
    if (a.ndim !== 2) throw new Error(`[orthogonal] Only 2-D arrays are supported, got ${a.ndim} dimensions.`);
    const [rows, cols] = a.shape as [number, number];
    const n = Math.max(rows, cols), k = Math.min(rows, cols);
    const m = random.normal({ shape: [n, k], dtype: float32 });
    const [q, r] = qr(m);
    // fix the signs so the distribution is uniform (Haar)
    const qs = multiply(q, reshape(sign(diag(r)), [1, k]));
    const out = rows >= cols ? qs : transpose(qs);
    return astype(multiply(out, gain), dtype);
  };
}
