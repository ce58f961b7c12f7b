/**
 * @file Random primitives. Every one takes a Threefry key (uint32, shape [2], or [..., 2] for `randomBits`) as
 * input 0 and draws its 32-bit words exactly as MLX's `RandomBits` does, then turns them into samples with MLX's
 * arithmetic (see ops/random.ts), so one kernel replaces MLX's chain of elementwise ops.
 */
import * as dt from '../dtype.js';
import type { Dtype } from '../dtype.js';
import { definePrimitives, single } from '../primitive.js';
import { samplerRules, randomBitsRules } from './random-rules.js';

declare module '../primitive.js' {
  interface PrimitiveParams {
    /** Raw bits of `width` bytes per element (uint32/uint16/uint8); keys [..., 2] each fill their share. */
    randomBits: { shape: readonly number[]; width: 1 | 2 | 4 };
    /** Uniform in [lo, hi) (inputs: key, lo, hi broadcast to `shape`). */
    randomUniform: { shape: readonly number[]; dtype: Dtype };
    /**
     * Normal samples of `shape`, times `sqrt(2)·scale`, plus `loc` (inputs: key, then loc and scale when the
     * flags say so); the output has shape `outShape` (`shape` broadcast with loc and scale).
     */
    randomNormal: { shape: readonly number[]; outShape: readonly number[]; dtype: Dtype; hasLoc: boolean; hasScale: boolean };
    /**
     * Integers in [lo, hi) (inputs: key, [key2,] lo, hi). 64-bit dtypes draw two words per element: from the two
     * halves of `split(key)` when `splitKey`, else from key and key2.
     */
    randomInt: { shape: readonly number[]; dtype: Dtype; splitKey: boolean };
    /** `bits < p · nextafter(2^32)` (inputs: key, p). */
    randomBernoulli: { shape: readonly number[] };
    /** Normal truncated to [lower, upper] (inputs: key, lower, upper). */
    randomTruncNormal: { shape: readonly number[]; dtype: Dtype };
    /** `-log(-log(u))`. */
    randomGumbel: { shape: readonly number[]; dtype: Dtype };
    /** Laplace samples with location and scale. */
    randomLaplace: { shape: readonly number[]; dtype: Dtype; loc: number; scale: number };
    /**
     * Index of the max of `gumbel(gshape) + logits` along `axis` of `gshape` (inputs: key, logits broadcast to
     * `gshape`); uint32.
     */
    randomCategorical: { gshape: readonly number[]; axis: number };
    /** A permutation of `0..n-1` (uint32), or, with an input array, that array permuted along `axis`. */
    randomPermutation: { n: number; axis: number };
  }
}

const BITS_DTYPE = { 1: dt.uint8, 2: dt.uint16, 4: dt.uint32 } as const;

definePrimitives({
  randomBits: { outputs: (_, p) => single(p.shape, BITS_DTYPE[p.width]), ...randomBitsRules },
  randomUniform: { outputs: (_, p) => single(p.shape, p.dtype), ...samplerRules('randomUniform') },
  randomNormal: { outputs: (_, p) => single(p.outShape, p.dtype), ...samplerRules('randomNormal') },
  randomInt: { outputs: (_, p) => single(p.shape, p.dtype), ...samplerRules('randomInt') },
  randomBernoulli: { outputs: (_, p) => single(p.shape, dt.bool), ...samplerRules('randomBernoulli') },
  randomTruncNormal: { outputs: (_, p) => single(p.shape, p.dtype), ...samplerRules('randomTruncNormal') },
  randomGumbel: { outputs: (_, p) => single(p.shape, p.dtype), ...samplerRules('randomGumbel') },
  randomLaplace: { outputs: (_, p) => single(p.shape, p.dtype), ...samplerRules('randomLaplace') },
  randomCategorical: { outputs: (_, p) => single(p.gshape.filter((_, i) => i !== p.axis), dt.uint32), ...samplerRules('randomCategorical') },
  randomPermutation: { outputs: (ins, p) => (ins.length > 1 ? single(ins[1]!.shape, ins[1]!.dtype) : single([p.n], dt.uint32)), ...samplerRules('randomPermutation') },
});
