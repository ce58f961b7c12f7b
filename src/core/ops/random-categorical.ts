/**
 * @file The mx.random samplers that work along an axis or compose other ops: categorical, permutation and
 * multivariateNormal.
 */
import { MxArray, bind, isArray } from '../array.js';
import * as dt from '../dtype.js';
import { toDtype, type DtypeLike } from '../dtype.js';
import { cpu, toStream } from '../device.js';
import { broadcastShapes, fmtShape, normAxis, shapesEqual } from '../shape.js';
import { optArgs } from './args.js';
import { reshape, expandDims, squeeze } from './layout.js';
import { add, multiply } from './binary.js';
import { sqrt } from './unary.js';
import { matmul } from './matmul.js';
import { svd } from './linalg.js';
import { normal } from './random.js';
import { resolveKey, shapeOf, type KeyOpt, type ShapeArg } from './random-keys.js';
import '../primitives/random.js';

/** Options of `categorical`. */
export interface CategoricalOpts extends KeyOpt { axis?: number; shape?: ShapeArg; numSamples?: number }

/**
 * Samples category indices (uint32) from unnormalised log-probabilities along `axis` (Gumbel-max, as MLX). With
 * `shape` the samples have that shape (it must broadcast with the logits less `axis`); with `numSamples`, that
 * many samples per distribution are stacked on a new last axis.
 *
 * @example
 * ```ts
 * const logits = mx.log(mx.array([0.1, 0.2, 0.7]));
 * mx.random.categorical(logits, { numSamples: 100, key: mx.random.key(0) }); // shape [100]
 * ```
 */
export function categorical(logits: MxArray, ...rest: (number | ShapeArg | CategoricalOpts | undefined | null)[]): MxArray {
  const op = 'categorical';
  const o = optArgs<CategoricalOpts>(['axis', 'shape', 'numSamples'], rest, op);
  if (!isArray(logits)) throw new TypeError(`[${op}] logits must be an array, got ${typeof logits}.`);
  logits._check(op);
  if (logits.ndim === 0) throw new Error(`[${op}] logits must have at least one dimension.`);
  if (o.shape != null && o.numSamples != null) throw new Error(`[${op}] At most one of shape or numSamples can be specified.`);
  const stream = toStream(o.stream, op);
  const axis = normAxis(o.axis ?? -1, logits.ndim, op);
  let shape: number[];
  let lg = logits;
  if (o.numSamples != null) {
    const ns = o.numSamples;
    if (!Number.isInteger(ns) || ns < 0) throw new RangeError(`[${op}] numSamples must be a non-negative integer, got ${ns}.`);
    lg = reshape(logits, [...logits.shape, 1], { stream });
    shape = lg.shape.filter((_, i) => i !== axis);
    shape[shape.length - 1] = ns;
  } else {
    const reduced = logits.shape.filter((_, i) => i !== axis);
    shape = o.shape == null ? reduced : shapeOf(o.shape, op);
    if (!shapesEqual(broadcastShapes([shape, reduced], op), shape)) {
      throw new Error(`[${op}] Requested shape ${fmtShape(shape)} is not broadcast compatible with reduced logits shape ${fmtShape(reduced)}.`);
    }
  }
  // the category axis sits where the logits' axis lands when aligned to the right of the sample shape
  const offset = axis + shape.length - lg.ndim + 1;
  const gshape = [...shape.slice(0, offset), lg.shape[axis]!, ...shape.slice(offset)];
  return bind('randomCategorical', [resolveKey(o.key, stream, op), lg], { gshape, axis: offset }, stream);
}

/** Options of `permutation`. */
export interface PermutationOpts extends KeyOpt { axis?: number }

/**
 * A random permutation of `0..x-1` (uint32) for a number, or `x` shuffled along `axis` (default 0).
 *
 * @example
 * ```ts
 * mx.random.permutation(5, { key: mx.random.key(0) });
 * mx.random.permutation(mx.arange(10).reshape([5, 2]));
 * ```
 */
export function permutation(x: number | MxArray, ...rest: (number | PermutationOpts | undefined)[]): MxArray {
  const op = 'permutation';
  const o = optArgs<PermutationOpts>(['axis'], rest, op);
  const stream = toStream(o.stream, op);
  if (typeof x === 'number') {
    if (!Number.isInteger(x) || x < 0) throw new RangeError(`[${op}] x must be a non-negative integer or an array, got ${x}.`);
    return bind('randomPermutation', [resolveKey(o.key, stream, op)], { n: x, axis: 0 }, stream);
  }
  if (!isArray(x)) throw new TypeError(`[${op}] x must be a number or an array, got ${typeof x}.`);
  x._check(op);
  if (x.ndim === 0) throw new Error(`[${op}] Cannot permute a 0-d array.`);
  const axis = normAxis(o.axis ?? 0, x.ndim, op);
  return bind('randomPermutation', [resolveKey(o.key, stream, op), x], { n: x.shape[axis]!, axis }, stream);
}

/** Options of `multivariateNormal`. */
export interface MultivariateNormalOpts extends KeyOpt { shape?: ShapeArg; dtype?: DtypeLike }

/**
 * Samples of a multivariate normal with mean `mean` (`[..., n]`) and covariance `cov` (`[..., n, n]`, positive
 * semi-definite). Like MLX it takes the square root of `cov` through its SVD (a CPU-only factorisation), so run it
 * on the CPU stream. Output shape: `broadcast(shape, mean.shape[:-1], cov.shape[:-2]) + [n]`.
 *
 * @example
 * ```ts
 * mx.random.multivariateNormal(mx.zeros([2]), mx.eye(2), [100], { key: mx.random.key(0) }); // [100, 2]
 * ```
 */
export function multivariateNormal(mean: MxArray, cov: MxArray, ...rest: (ShapeArg | DtypeLike | MultivariateNormalOpts | undefined)[]): MxArray {
  const op = 'multivariateNormal';
  const o = optArgs<MultivariateNormalOpts>(['shape', 'dtype'], rest, op);
  const d = o.dtype === undefined ? dt.float32 : toDtype(o.dtype, op);
  if (d !== dt.float32) throw new TypeError(`[${op}] dtype must be float32, got ${d.name}.`);
  if (!isArray(mean) || !isArray(cov)) throw new TypeError(`[${op}] mean and cov must be arrays.`);
  mean._check(op); cov._check(op);
  if (mean.ndim < 1) throw new Error(`[${op}] mean must have at least one dimension.`);
  if (cov.ndim < 2) throw new Error(`[${op}] cov must have at least two dimensions.`);
  const n = mean.shape[mean.ndim - 1]!;
  if (cov.shape[cov.ndim - 1] !== cov.shape[cov.ndim - 2]) throw new Error(`[${op}] Last two dimensions of cov must be equal, got ${fmtShape(cov.shape)}.`);
  if (cov.shape[cov.ndim - 1] !== n) throw new Error(`[${op}] mean ${fmtShape(mean.shape)} and cov ${fmtShape(cov.shape)} must have compatible shapes.`);
  const stream = toStream(o.stream, op);
  const batch = broadcastShapes([cov.shape.slice(0, -2), mean.shape.slice(0, -1), shapeOf(o.shape, op)], op);
  const outShape = [...batch, n];
  // the factorisation runs on the CPU (as in MLX, linalg factorisations have no GPU kernel); the rest on `stream`
  const [u, s, vt] = svd(cov.astype(dt.float32, { stream }), true, { stream: cpu });
  const std = matmul(multiply(u, expandDims(sqrt(s, { stream }), -2, { stream }), { stream }), vt, { stream });
  const z = normal(outShape, d, { key: o.key, stream });
  const scaled = squeeze(matmul(expandDims(z, -2, { stream }), std, { stream }), -2, { stream });
  return add(mean, scaled, { stream });
}
