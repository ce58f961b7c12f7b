/**
 * @file Reduction primitives. One `reduce` primitive covers the folds a lane can be computed with in one kernel
 * (sum, prod, max, min, all, any, mean, var, std, median, countNonzero); `argReduce`, `logsumexp`, `softmax` and
 * `trace` have their own rules. Doing mean/var/std in the kernel keeps them one node (LLM decode runs many small
 * ops) and lets var use the two-pass formula, which is accurate where sum(x^2)-sum(x)^2 is not. The transform
 * rules live in transforms/rules-reduce.ts.
 */
import * as dt from '../dtype.js';
import type { Dtype } from '../dtype.js';
import { definePrimitives, single } from '../primitive.js';
import { reduceRules, argReduceRules, logsumexpRules, softmaxRules, traceRules } from '../transforms/rules-reduce.js';

/** The folds of the `reduce` primitive. */
export type ReduceMode =
  | 'sum' | 'prod' | 'max' | 'min' | 'all' | 'any' | 'mean' | 'var' | 'std' | 'median' | 'countNonzero';

declare module '../primitive.js' {
  interface PrimitiveParams {
    /** Folds `axes` (sorted, unique, non-negative) of the input. `ddof` is used by var/std. */
    reduce: { mode: ReduceMode; axes: readonly number[]; keepdims: boolean; ddof: number };
    /** Index of the max/min along one axis, or of the row-major flattened array when `axis` is null. */
    argReduce: { mode: 'argmax' | 'argmin'; axis: number | null; keepdims: boolean };
    /** log(sum(exp(x))) over `axes`, computed after subtracting the lane max. */
    logsumexp: { axes: readonly number[]; keepdims: boolean };
    /** exp(x - max) / sum(exp(x - max)) over `axes`; same shape as the input. */
    softmax: { axes: readonly number[]; precise: boolean };
    /** Sum of the diagonal `offset` of the planes (axis1, axis2), cast to `dtype`. */
    trace: { offset: number; axis1: number; axis2: number; dtype: Dtype };
  }
}

/** MLX's accumulator type for sum and prod: small ints widen to (u)int32, bool to int32, 64-bit ints stay. */
export function sumDtype(d: Dtype): Dtype {
  if (d === dt.bool) return dt.int32;
  if (dt.isSignedInt(d)) return d.size <= 4 ? dt.int32 : dt.int64;
  if (dt.isUnsigned(d)) return d.size <= 4 ? dt.uint32 : dt.uint64;
  return d;
}

/** Output dtype of a `reduce` mode. */
export function reduceDtype(mode: ReduceMode, d: Dtype): Dtype {
  switch (mode) {
    case 'sum': case 'prod': return sumDtype(d);
    case 'max': case 'min': return d;
    case 'all': case 'any': return dt.bool;
    case 'countNonzero': return dt.int32;
    default: return dt.atLeastFloat(d);
  }
}

/** The shape left after reducing `axes` (sorted), with 1s in their place when `keepdims`. */
export function reducedShape(shape: readonly number[], axes: readonly number[], keepdims: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (axes.includes(i)) { if (keepdims) out.push(1); } else out.push(shape[i]!);
  }
  return out;
}

definePrimitives({
  reduce: {
    outputs: ([x], p) => single(reducedShape(x!.shape, p.axes, p.keepdims), reduceDtype(p.mode, x!.dtype)),
    ...reduceRules,
  },
  argReduce: {
    outputs: ([x], p) => {
      const axes = p.axis === null ? x!.shape.map((_, i) => i) : [p.axis];
      return single(reducedShape(x!.shape, axes, p.keepdims), dt.uint32);
    },
    ...argReduceRules,
  },
  logsumexp: {
    outputs: ([x], p) => single(reducedShape(x!.shape, p.axes, p.keepdims), dt.atLeastFloat(x!.dtype)),
    ...logsumexpRules,
  },
  softmax: { outputs: ([x]) => single(x!.shape, dt.atLeastFloat(x!.dtype)), ...softmaxRules },
  trace: {
    outputs: ([x], p) => single(x!.shape.filter((_, i) => i !== p.axis1 && i !== p.axis2), p.dtype),
    ...traceRules,
  },
});
