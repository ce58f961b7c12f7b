/**
 * @file CPU kernel of searchsorted: a binary search per value in the sorted 1-D sequence. Values are compared as
 * numbers (bigints when both inputs are 64-bit integers), with NaN greatest, as in NumPy's sort order.
 */
import * as dt from '../../../core/dtype.js';
import type { CpuKernelTable } from '../kernel.js';
import { isBig, typedArrayFor } from '../view.js';
import { lanePlan, numSource, gatherLane } from './reduce-plan.js';
import type { CpuView } from '../view.js';

/** All elements of a view in row-major order, as numbers or (for 64-bit ints, when `big`) bigints. */
function flat(v: CpuView, big: boolean): Float64Array | BigInt64Array {
  const src = big ? v : numSource(v);
  const p = lanePlan(v.shape, v.shape.map((_, i) => i), [src.strides], [src.offset]);
  const out = big ? typedArrayFor(v.dtype, p.laneSize) as BigInt64Array : new Float64Array(p.laneSize);
  gatherLane(src.buf, p, 0, 0, out);
  return out;
}

export const searchKernels: CpuKernelTable<'searchsorted'> = {
  searchsorted([seq, vals], p, [out], be) {
    const o = be.alloc(dt.uint32, out!.shape);
    // uint64 and int64 disagree past 2^63, so only same-typed 64-bit inputs compare as bigints
    const big = isBig(seq!.dtype) && seq!.dtype === vals!.dtype;
    const s = flat(seq!, big) as unknown as { [i: number]: number }, v = flat(vals!, big) as unknown as { [i: number]: number };
    const n = seq!.shape[0]!, right = p.side === 'right', ob = o.buf as Uint32Array;
    // before(a, x): a sorts strictly before x (left side) or not after it (right side), NaN greatest
    for (let k = 0; k < ob.length; k++) {
      const x = v[k]!, xNaN = x !== x;
      let lo = 0, hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1, a = s[mid]!, aNaN = a !== a;
        const goRight = right ? (xNaN || (!aNaN && a <= x)) : (xNaN ? !aNaN : !aNaN && a < x);
        if (goRight) lo = mid + 1; else hi = mid;
      }
      ob[k] = lo;
    }
    return [o];
  },
};
