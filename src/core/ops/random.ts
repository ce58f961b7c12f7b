/**
 * @file `mx.random`: MLX's explicit-key PRNG. A key is a uint32 array of shape [2]; `split` derives new keys;
 * every sampler takes `{ key }` and is deterministic given it. Without a key, the implicit global key
 * (`mx.random.state`, random-state.ts) is split and advances, so consecutive calls differ; `seed` resets it. Pass
 * `mx.random.state` as implicit input and output of `mx.compile` to draw fresh numbers in every compiled call.
 *
 * Bits are Threefry-2x32-20 with MLX's counter layout, and the samplers reproduce MLX's arithmetic step by step
 * (float32 rounding of the words, division by 2^32 - 1 taken as float32, clamp below 1, `low + range · u` in the
 * output dtype), so `mx.random.uniform(..., { key: mx.random.key(0) })` gives MLX's numbers. Normal, truncated
 * normal and Laplace use the same float32 erf/erfinv/log polynomials as MLX and agree to within an ulp or two of
 * those functions; randint follows MLX's integer-space sampling (random word modulo the width). Not
 * differentiated: gradients through samplers are zero (MLX's composite uniform would pass `1 - u`/`u` to its
 * bounds, and its permutation of an array would pass cotangents through the gather). Unlike MLX, float64 samples
 * are allowed (on the CPU).
 */
import { MxArray, bind } from '../array.js';
import * as dt from '../dtype.js';
import { toDtype, type Dtype, type DtypeLike } from '../dtype.js';
import { toStream, type StreamOrDevice } from '../device.js';
import { broadcastShapes, fmtShape, shapesEqual } from '../shape.js';
import { asArray, fromValues } from '../construct.js';
import { isArray } from '../array.js';
import { optArgs } from './args.js';
import {
  checkBroadcast, floatDtype, nextKey, num, resolveKey, seedWords, setState, shapeOf,
  type KeyOpt, type Num, type ShapeArg,
} from './random-keys.js';
import '../primitives/random.js';

export type { KeyOpt, Num, ShapeArg };
export { state } from './random-state.js';

/**
 * Seeds the implicit global key (`mx.random.state`): later keyless draws start from `mx.random.key(s)`.
 *
 * @example
 * ```ts
 * mx.random.seed(0);
 * ```
 */
export function seed(s: number | bigint): void {
  setState(seedWords(s));
}

/**
 * A PRNG key from a seed: uint32 `[seed >> 32, seed & 0xffffffff]`.
 *
 * @example
 * ```ts
 * const k = mx.random.key(0); // uint32 [0, 0]
 * ```
 */
export function key(s: number | bigint, opts: { stream?: StreamOrDevice } = {}): MxArray {
  const [a, b] = seedWords(s);
  return fromValues(new Uint32Array([a, b]), dt.uint32, [2], opts.stream);
}

/**
 * Raw random bits: uint32 (`width` 4), uint16 (2) or uint8 (1).
 *
 * @example
 * ```ts
 * mx.random.bits([4], 4, { key: mx.random.key(0) });
 * ```
 */
export function bits(...rest: (ShapeArg | KeyOpt | undefined)[]): MxArray {
  const op = 'bits';
  const o = optArgs<KeyOpt & { shape?: ShapeArg; width?: number }>(['shape', 'width'], rest, op);
  const width = o.width ?? 4;
  if (width !== 1 && width !== 2 && width !== 4) throw new RangeError(`[${op}] Bit width must be in {1, 2, 4} but got ${width}.`);
  const stream = toStream(o.stream, op);
  return bind('randomBits', [resolveKey(o.key, stream, op)], { shape: shapeOf(o.shape, op), width }, stream);
}

/**
 * Splits a key into `num` new keys (shape [num, 2]).
 *
 * @example
 * ```ts
 * const keys = mx.random.split(mx.random.key(0), 3); // [3, 2]
 * const k1 = keys.index(0);
 * ```
 */
export function split(k: MxArray, num: number | { stream?: StreamOrDevice } = 2, opts: { stream?: StreamOrDevice } = {}): MxArray {
  const op = 'split';
  if (typeof num !== 'number') { opts = num; num = 2; }
  if (!Number.isInteger(num) || num < 0) throw new RangeError(`[${op}] num must be a non-negative integer, got ${num}.`);
  const stream = toStream(opts.stream, op);
  if (k === undefined) throw new TypeError(`[${op}] A key is required.`);
  return bind('randomBits', [resolveKey(k, stream, op)], { shape: [num, 2], width: 4 }, stream);
}

/** Options of `uniform`. */
export interface UniformOpts extends KeyOpt { low?: Num; high?: Num; shape?: ShapeArg; dtype?: DtypeLike }

/**
 * Uniform samples in `[low, high)` (bounds broadcast to `shape`). Matches MLX's numbers for the same key.
 *
 * @example
 * ```ts
 * mx.random.uniform(0, 1, [2, 3], mx.float32, { key: mx.random.key(0) });
 * mx.random.uniform({ shape: [4] });
 * ```
 */
export function uniform(...rest: (Num | ShapeArg | DtypeLike | UniformOpts | undefined)[]): MxArray {
  const op = 'uniform';
  const o = optArgs<UniformOpts>(['low', 'high', 'shape', 'dtype'], rest, op);
  const d = uniformDtype(o.dtype, op);
  const stream = toStream(o.stream, op);
  const lo = num(o.low ?? 0, d, op, stream), hi = num(o.high ?? 1, d, op, stream);
  const shape = shapeOf(o.shape, op);
  checkBroadcast(shape, [lo.shape, hi.shape], op);
  return bind('randomUniform', [resolveKey(o.key, stream, op), lo, hi], { shape, dtype: d }, stream);
}

/**
 * The dtype of ops that sample `uniform` in their own dtype (uniform, truncatedNormal, gumbel). MLX refuses float64
 * there (mlx/random.cpp uniform knows the largest value below 1 only for float32, float16 and bfloat16), while
 * normal and laplace sample in float32 and cast, so they accept float64.
 */
function uniformDtype(d: DtypeLike | undefined, op: string): Dtype {
  const t = floatDtype(d, op);
  if (t === dt.float64) {
    throw new TypeError(`[${op}] float64 is not supported (as in MLX): sample float32, float16 or bfloat16 and cast with astype.`);
  }
  return t;
}

/** Options of `normal`. */
export interface NormalOpts extends KeyOpt { shape?: ShapeArg; dtype?: DtypeLike; loc?: Num | null; scale?: Num | null }

/**
 * Normal samples with mean `loc` (default 0) and standard deviation `scale` (default 1).
 *
 * @example
 * ```ts
 * mx.random.normal([3], mx.float32, { key: mx.random.key(1) });
 * mx.random.normal([2], mx.float32, 5, 0.1);
 * ```
 */
export function normal(...rest: (ShapeArg | DtypeLike | Num | NormalOpts | null | undefined)[]): MxArray {
  const op = 'normal';
  const o = optArgs<NormalOpts>(['shape', 'dtype', 'loc', 'scale'], rest, op);
  const d = floatDtype(o.dtype, op);
  const stream = toStream(o.stream, op);
  const shape = shapeOf(o.shape, op);
  const inputs = [resolveKey(o.key, stream, op)];
  const hasLoc = o.loc !== undefined && o.loc !== null && o.loc !== 0;
  const hasScale = o.scale !== undefined && o.scale !== null && o.scale !== 1;
  const others: (readonly number[])[] = [];
  if (hasLoc) { const a = num(o.loc!, d, op, stream); inputs.push(a); others.push(a.shape); }
  if (hasScale) { const a = num(o.scale!, d, op, stream); inputs.push(a); others.push(a.shape); }
  const outShape = broadcastShapes([shape, ...others], op);
  return bind('randomNormal', inputs, { shape, outShape, dtype: d, hasLoc, hasScale }, stream);
}

/** Options of `randint`. */
export interface RandintOpts extends KeyOpt { shape?: ShapeArg; dtype?: DtypeLike }

/**
 * Random integers in `[low, high)` (int32 unless `dtype`), sampled exactly in integer space as MLX does (a random
 * word, two for 64-bit dtypes, modulo the width). An empty interval gives `low`.
 *
 * @example
 * ```ts
 * mx.random.randint(0, 10, [5], { key: mx.random.key(0) });
 * ```
 */
export function randint(low: Num | bigint, high: Num | bigint, ...rest: (ShapeArg | DtypeLike | RandintOpts | undefined)[]): MxArray {
  const op = 'randint';
  const o = optArgs<RandintOpts>(['shape', 'dtype'], rest, op);
  const d = o.dtype === undefined ? dt.int32 : toDtype(o.dtype, op);
  if (dt.isInexact(d)) throw new TypeError(`[${op}] randint only accepts integer dtypes and bool, got ${d.name}.`);
  const stream = toStream(o.stream, op);
  const toArr = (x: Num | bigint): MxArray => (isArray(x) ? num(x, d, op, stream) : asArray(x, dt.scalarDtype(x), stream.device));
  const lo = toArr(low), hi = toArr(high);
  const shape = shapeOf(o.shape, op);
  checkBroadcast(shape, [lo.shape, hi.shape], op);
  const big = dt.is64BitInt(d);
  const keys = o.key !== undefined ? [resolveKey(o.key, stream, op)] : big ? [nextKey(stream), nextKey(stream)] : [nextKey(stream)];
  return bind('randomInt', [...keys, lo, hi], { shape, dtype: d, splitKey: big && o.key !== undefined }, stream);
}

/** Options of `bernoulli`. */
export interface BernoulliOpts extends KeyOpt { p?: Num; shape?: ShapeArg }

/**
 * Booleans that are true with probability `p` (default 0.5; a float array broadcast to `shape`).
 *
 * @example
 * ```ts
 * mx.random.bernoulli(0.3, [100], { key: mx.random.key(0) });
 * ```
 */
export function bernoulli(...rest: (Num | ShapeArg | BernoulliOpts | undefined)[]): MxArray {
  const op = 'bernoulli';
  const o = optArgs<BernoulliOpts>(['p', 'shape'], rest, op);
  const stream = toStream(o.stream, op);
  const p = num(o.p ?? 0.5, dt.float32, op, stream);
  if (!dt.isFloating(p.dtype)) throw new TypeError(`[${op}] bernoulli probability \`p\` must be a float type, got ${p.dtype.name}.`);
  const shape = o.shape === undefined ? [...p.shape] : shapeOf(o.shape, op);
  let ok = false;
  try { ok = shapesEqual(broadcastShapes([shape, p.shape], op), shape); } catch { /* reported below */ }
  if (!ok) {
    throw new Error(`[${op}] Shape of \`p\` ${fmtShape(p.shape)} is incompatible with argument \`shape\` ${fmtShape(shape)}.`);
  }
  return bind('randomBernoulli', [resolveKey(o.key, stream, op), p], { shape }, stream);
}

/** Options of `truncatedNormal`. */
export interface TruncNormalOpts extends KeyOpt { shape?: ShapeArg; dtype?: DtypeLike }

/**
 * Normal samples truncated to `[lower, upper]` (bounds broadcast; the shape defaults to theirs).
 *
 * @example
 * ```ts
 * mx.random.truncatedNormal(-1, 1, [10], { key: mx.random.key(0) });
 * ```
 */
export function truncatedNormal(lower: Num, upper: Num, ...rest: (ShapeArg | DtypeLike | TruncNormalOpts | undefined)[]): MxArray {
  const op = 'truncatedNormal';
  const o = optArgs<TruncNormalOpts>(['shape', 'dtype'], rest, op);
  const d = uniformDtype(o.dtype, op);
  const stream = toStream(o.stream, op);
  const lo = num(lower, d, op, stream), hi = num(upper, d, op, stream);
  const both = broadcastShapes([lo.shape, hi.shape], op);
  const shape = o.shape === undefined ? both : shapeOf(o.shape, op);
  checkBroadcast(shape, [both], op);
  return bind('randomTruncNormal', [resolveKey(o.key, stream, op), lo, hi], { shape, dtype: d }, stream);
}

/** Options of `gumbel`. */
export interface GumbelOpts extends KeyOpt { shape?: ShapeArg; dtype?: DtypeLike }

/**
 * Samples of the standard Gumbel distribution, `-log(-log(u))`.
 *
 * @example
 * ```ts
 * mx.random.gumbel([4], { key: mx.random.key(0) });
 * ```
 */
export function gumbel(...rest: (ShapeArg | DtypeLike | GumbelOpts | undefined)[]): MxArray {
  const op = 'gumbel';
  const o = optArgs<GumbelOpts>(['shape', 'dtype'], rest, op);
  const d = uniformDtype(o.dtype, op);
  const stream = toStream(o.stream, op);
  return bind('randomGumbel', [resolveKey(o.key, stream, op)], { shape: shapeOf(o.shape, op), dtype: d }, stream);
}

/** Options of `laplace`. */
export interface LaplaceOpts extends KeyOpt { shape?: ShapeArg; dtype?: DtypeLike; loc?: number; scale?: number }

/**
 * Samples of the Laplace distribution with location `loc` and scale `scale`.
 *
 * @example
 * ```ts
 * mx.random.laplace([4], mx.float32, 0, 2, { key: mx.random.key(0) });
 * ```
 */
export function laplace(...rest: (ShapeArg | DtypeLike | number | LaplaceOpts | undefined)[]): MxArray {
  const op = 'laplace';
  const o = optArgs<LaplaceOpts>(['shape', 'dtype', 'loc', 'scale'], rest, op);
  const d = floatDtype(o.dtype, op);
  const loc = o.loc ?? 0, scale = o.scale ?? 1;
  if (typeof loc !== 'number' || typeof scale !== 'number') throw new TypeError(`[${op}] loc and scale must be numbers.`);
  const stream = toStream(o.stream, op);
  return bind('randomLaplace', [resolveKey(o.key, stream, op)], { shape: shapeOf(o.shape, op), dtype: d, loc, scale }, stream);
}

export { categorical, permutation, multivariateNormal } from './random-categorical.js';
export type { CategoricalOpts, PermutationOpts, MultivariateNormalOpts } from './random-categorical.js';
