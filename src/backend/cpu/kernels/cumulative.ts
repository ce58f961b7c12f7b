/**
 * @file CPU kernel of the cumulative family: `scan` (cumsum, cumprod, cummax, cummin, logcumsumexp). Each lane
 * is gathered, scanned in place in doubles (BigInt for 64-bit integers, wrapping int32 arithmetic for the other
 * integers, as MLX's accumulators wrap) and stored back.
 */
import * as dt from '../../../core/dtype.js';
import { iinfo } from '../../../core/dtype.js';
import type { ScanMode } from '../../../core/primitives/cumulative.js';
import type { CpuKernelTable } from '../kernel.js';
import { rowMajorStrides } from '../../../core/shape.js';
import { isBig, typedArrayFor } from '../view.js';
import { lanePlan, numSource, gatherLane, scatterLane, storeLane } from './reduce-plan.js';

type Step<T> = (acc: T, v: T) => T;

const logaddexp: Step<number> = (a, b) => {
  if (a === b) return a + Math.LN2; // also keeps ±Infinity as is
  const m = a > b ? a : b;
  if (m !== m) return NaN;
  return m + Math.log1p(Math.exp(-Math.abs(a - b)));
};

// once a NaN enters a running max/min it stays, as with NumPy's maximum.accumulate
const maxStep: Step<number> = (a, v) => (v > a || v !== v ? v : a);
const minStep: Step<number> = (a, v) => (v < a || v !== v ? v : a);

function numberStep(mode: ScanMode, d: dt.Dtype): { step: Step<number>; init: number } {
  const int = dt.isInteger(d);
  switch (mode) {
    case 'sum': return { step: int ? (a, v) => (a + v) | 0 : (a, v) => a + v, init: 0 };
    case 'prod': return { step: int ? Math.imul : (a, v) => a * v, init: 1 };
    case 'max': return { step: maxStep, init: d === dt.bool ? 0 : int ? (iinfo(d).min as number) : -Infinity };
    case 'min': return { step: minStep, init: d === dt.bool ? 1 : int ? (iinfo(d).max as number) : Infinity };
    case 'logaddexp': return { step: logaddexp, init: -Infinity };
  }
}

function bigStep(mode: ScanMode, d: dt.Dtype): { step: Step<bigint>; init: bigint } {
  const wrap = d === dt.uint64 ? (v: bigint) => BigInt.asUintN(64, v) : (v: bigint) => BigInt.asIntN(64, v);
  const lim = iinfo(d);
  switch (mode) {
    case 'sum': return { step: (a, v) => wrap(a + v), init: 0n };
    case 'prod': return { step: (a, v) => wrap(a * v), init: 1n };
    case 'max': return { step: (a, v) => (v > a ? v : a), init: lim.min as bigint };
    default: return { step: (a, v) => (v < a ? v : a), init: lim.max as bigint };
  }
}

/** Scans `v` in place: inclusive or exclusive, forward or reverse. */
function scanLane<T>(v: { [i: number]: T; length: number }, step: Step<T>, init: T, reverse: boolean, inclusive: boolean): void {
  const n = v.length;
  let acc = init;
  for (let j = 0; j < n; j++) {
    const k = reverse ? n - 1 - j : j;
    const x = v[k]!;
    if (inclusive) v[k] = acc = j === 0 ? x : step(acc, x);
    else { v[k] = acc; acc = j === 0 ? step(init, x) : step(acc, x); }
  }
}

export const cumulativeKernels: CpuKernelTable<'scan'> = {
  scan([x], p, [out], be) {
    const o = be.alloc(out!.dtype, out!.shape);
    const inAxes = p.axis === null ? x!.shape.map((_, i) => i) : [p.axis];
    const outAxes = p.axis === null ? [0] : inAxes;
    const op = lanePlan(o.shape, outAxes, [rowMajorStrides(o.shape)], [0]);
    if (isBig(x!.dtype) && p.mode !== 'logaddexp') {
      const ip = lanePlan(x!.shape, inAxes, [x!.strides], [x!.offset]);
      const lane = typedArrayFor(x!.dtype, ip.laneSize) as BigInt64Array;
      const { step, init } = bigStep(p.mode, x!.dtype);
      for (let l = 0; l < ip.lanes; l++) {
        gatherLane(x!.buf, ip, l, 0, lane);
        scanLane(lane, step, init, p.reverse, p.inclusive);
        scatterLane(o.buf, op, l, 0, lane);
      }
      return [o];
    }
    const src = numSource(x!);
    const ip = lanePlan(x!.shape, inAxes, [src.strides], [src.offset]);
    const lane = new Float64Array(ip.laneSize), tmp = typedArrayFor(o.dtype, ip.laneSize);
    const { step, init } = numberStep(p.mode, o.dtype);
    for (let l = 0; l < ip.lanes; l++) {
      gatherLane(src.buf, ip, l, 0, lane);
      scanLane(lane, step, init, p.reverse, p.inclusive);
      storeLane(o, op, l, 0, lane, tmp);
    }
    return [o];
  },
};
