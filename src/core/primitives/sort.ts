/**
 * @file Sorting primitives: sort, argsort, partition, argpartition and topk along one axis (null: the row-major
 * flattened input). NaNs order last, as in NumPy; argsort is stable; indices are uint32, as in MLX. Transform rules
 * live in transforms/rules-sort.ts.
 */
import * as dt from '../dtype.js';
import { definePrimitives, single } from '../primitive.js';
import { sortRules, argsortRules, partitionRules, argpartitionRules, topkRules, searchsortedRules } from '../transforms/rules-sort.js';

declare module '../primitive.js' {
  interface PrimitiveParams {
    /** Sorted copy along `axis`. */
    sort: { axis: number | null };
    /** Stable sorting permutation along `axis` (uint32). */
    argsort: { axis: number | null };
    /** Element `kth` (non-negative) of each lane in its sorted place, smaller ones before, larger after. */
    partition: { kth: number; axis: number | null };
    /** Indices that partition each lane around `kth` (uint32). */
    argpartition: { kth: number; axis: number | null };
    /** The `k` largest elements of each lane along `axis`, in unspecified order. */
    topk: { k: number; axis: number | null };
    /** Insertion points (uint32) of the values (input 1) in the ascending 1-D sequence (input 0). */
    searchsorted: { side: 'left' | 'right' };
  }
}

const laneShape = (shape: readonly number[], axis: number | null): number[] => {
  if (axis === null) return [shape.reduce((a, b) => a * b, 1)];
  return [...shape];
};

definePrimitives({
  sort: { outputs: ([x], p) => single(laneShape(x!.shape, p.axis), x!.dtype), ...sortRules },
  argsort: { outputs: ([x], p) => single(laneShape(x!.shape, p.axis), dt.uint32), ...argsortRules },
  partition: { outputs: ([x], p) => single(laneShape(x!.shape, p.axis), x!.dtype), ...partitionRules },
  argpartition: { outputs: ([x], p) => single(laneShape(x!.shape, p.axis), dt.uint32), ...argpartitionRules },
  topk: {
    outputs: ([x], p) => {
      const s = laneShape(x!.shape, p.axis);
      s[p.axis === null ? 0 : p.axis] = p.k;
      return single(s, x!.dtype);
    },
    ...topkRules,
  },
  searchsorted: { outputs: ([, v]) => single(v!.shape, dt.uint32), ...searchsortedRules },
});
