/**
 * @file Cumulative (scan) primitive: running sum, product, max, min or log-add-exp along one axis. Its transform
 * rules live in transforms/rules-cumulative.ts.
 */
import * as dt from '../dtype.js';
import type { Dtype } from '../dtype.js';
import { definePrimitives, single } from '../primitive.js';
import { scanRules } from '../transforms/rules-cumulative.js';

/** The running folds of `scan`. */
export type ScanMode = 'sum' | 'prod' | 'max' | 'min' | 'logaddexp';

declare module '../primitive.js' {
  interface PrimitiveParams {
    /**
     * Running fold along `axis` (null: over the row-major flattened input, giving a 1-D output). `reverse` scans
     * from the end; an exclusive scan (`inclusive` false) starts from the fold's identity.
     */
    scan: { mode: ScanMode; axis: number | null; reverse: boolean; inclusive: boolean };
  }
}

/**
 * Output dtype of a scan, as MLX (mlx/ops.cpp cumsum/cumprod): bool sums count in int32, bool products stay bool
 * (a running logical and); logaddexp needs a float.
 */
export function scanDtype(mode: ScanMode, d: Dtype): Dtype {
  if (mode === 'logaddexp') return dt.atLeastFloat(d);
  if (mode === 'sum' && d === dt.bool) return dt.int32;
  return d;
}

definePrimitives({
  scan: {
    outputs: ([x], p) => single(p.axis === null ? [x!.size] : x!.shape, scanDtype(p.mode, x!.dtype)),
    ...scanRules,
  },
});
