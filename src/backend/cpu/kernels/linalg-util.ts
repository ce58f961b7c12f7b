/**
 * @file Shared helpers of the linalg CPU kernels: reading inputs as float64 matrix batches and storing results.
 */
import { toFloat64, writer, type CpuView } from '../view.js';
import { sizeOf } from '../../../core/shape.js';

/** An input as a batch of dense float64 m×n matrices. */
export function matrices(v: CpuView): { x: Float64Array; batch: number; m: number; n: number } {
  const s = v.shape, m = s[s.length - 2]!, n = s[s.length - 1]!;
  return { x: toFloat64(v), batch: sizeOf(s.slice(0, -2)), m, n };
}

/** Stores float64 values at element offset `at` of a fresh dense output (rounding to its dtype). */
export function store(o: CpuView, at: number, vals: ArrayLike<number>): void {
  const name = o.dtype.name;
  if (name === 'float32' || name === 'float64') { (o.buf as Float64Array).set(vals, at); return; }
  const wr = writer(o.dtype);
  for (let i = 0; i < vals.length; i++) wr(o.buf, at + i, vals[i]!);
}
