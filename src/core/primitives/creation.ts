/**
 * @file Creation primitives: arrays whose kernel fills the output from params (and, for `full` with an array
 * value or `triMask`, from one input). Being primitives, they run on whichever device the op's stream names.
 */
import { float32, type Dtype } from '../dtype.js';
import { definePrimitives, single } from '../primitive.js';
import { fullRules, triMaskRules, constantRules } from './creation-rules.js';

/** The window functions `windowFn` can fill. */
export type WindowKind = 'bartlett' | 'blackman' | 'hamming' | 'hanning';

declare module '../primitive.js' {
  interface PrimitiveParams {
    /**
     * Fills `shape` with `value` (no input), or with input 0 cast to `dtype` and broadcast to `shape`. With
     * `axis`, input 0 is read flat (row-major) and laid along output axis `axis` (meshgrid's building block).
     */
    full: { shape: readonly number[]; dtype: Dtype; value?: number | bigint | boolean; axis?: number };
    /**
     * `out[i] = start + i * step` for `i < n`; with `last`, the final element is exactly `last`. With `lin`
     * (linspace), MLX's formula instead: `t = i / den`, `(1 - t) * start + t * stop` in float32 (float64 for a
     * float64 output), then cast to `dtype`.
     */
    arange: { n: number; start: number; step: number; dtype: Dtype; last?: number; lin?: { stop: number; den: number } };
    /** A `[n, m]` matrix: ones on diagonal `k` (`eye`) or on and below it (`tri`), zeros elsewhere. */
    tri: { n: number; m: number; k: number; dtype: Dtype; lower: boolean };
    /** Keeps the elements of the last two axes on/below (`upper` false) or on/above diagonal `k`; zeros the rest. */
    triMask: { k: number; upper: boolean };
    /** A symmetric window of `m` points, float32. */
    windowFn: { kind: WindowKind; m: number };
  }
}

definePrimitives({
  full: { outputs: (_, p) => single(p.shape, p.dtype), ...fullRules },
  arange: { outputs: (_, p) => single([p.n], p.dtype), ...constantRules('arange') },
  tri: { outputs: (_, p) => single([p.n, p.m], p.dtype), ...constantRules('tri') },
  triMask: { outputs: ([x]) => single(x!.shape, x!.dtype), ...triMaskRules },
  windowFn: { outputs: (_, p) => single([p.m], float32), ...constantRules('windowFn') },
});
