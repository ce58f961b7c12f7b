/**
 * @file CPU kernels of the sort family. Lanes are gathered into a scratch typed array and sorted there: values
 * with the native numeric typed-array sort (NaN last, as NumPy), indices with a comparator that breaks ties by
 * position (stable). partition and argpartition return a full sort, which is one valid partition; topk selects
 * with a partial quickselect.
 */
import * as dt from '../../../core/dtype.js';
import type { CpuKernelTable } from '../kernel.js';
import type { CpuView } from '../view.js';
import type { TypedArray } from '../../backend.js';
import type { CpuBackend } from '../index.js';
import type { MxArray } from '../../../core/array.js';
import { rowMajorStrides } from '../../../core/shape.js';
import { isBig, typedArrayFor } from '../view.js';
import { lanePlan, numSource, gatherLane, scatterLane, storeLane, type LanePlan } from './reduce-plan.js';
import { selectTop } from './sort-select.js';
import { searchKernels } from './sort-search.js';

/** Plans of the input lanes and the (dense) output lanes, with a scratch lane of the input's values. */
function plans(x: CpuView, axis: number | null, o: CpuView): { ip: LanePlan; op: LanePlan; src: { buf: TypedArray }; lane: Float64Array | BigInt64Array } {
  const inAxes = axis === null ? x.shape.map((_, i) => i) : [axis];
  const op = lanePlan(o.shape, axis === null ? [0] : inAxes, [rowMajorStrides(o.shape)], [0]);
  const big = isBig(x.dtype);
  const src = big ? x : numSource(x);
  const ip = lanePlan(x.shape, inAxes, [src.strides], [src.offset]);
  const lane = big ? typedArrayFor(x.dtype, ip.laneSize) as BigInt64Array : new Float64Array(ip.laneSize);
  return { ip, op, src, lane };
}

/** Ascending with NaNs last; ties keep their positions. */
function argsortLane(v: Float64Array | BigInt64Array, idx: Uint32Array): void {
  for (let k = 0; k < idx.length; k++) idx[k] = k;
  const a = v as unknown as { [i: number]: number };
  idx.sort((i, j) => {
    const x = a[i]!, y = a[j]!;
    if (x < y) return -1;
    if (x > y) return 1;
    if (x === y) return i - j;
    const xn = x !== x, yn = y !== y;
    return xn === yn ? i - j : xn ? 1 : -1;
  });
}

function sortValues(x: CpuView, axis: number | null, out: MxArray, be: CpuBackend): CpuView[] {
  const o = be.alloc(out.dtype, out.shape);
  const { ip, op, src, lane } = plans(x, axis, o);
  const tmp = typedArrayFor(o.dtype, ip.laneSize);
  for (let l = 0; l < ip.lanes; l++) {
    gatherLane(src.buf, ip, l, 0, lane);
    lane.sort();
    if (lane instanceof Float64Array) storeLane(o, op, l, 0, lane, tmp);
    else scatterLane(o.buf, op, l, 0, lane);
  }
  return [o];
}

function argsortValues(x: CpuView, axis: number | null, out: MxArray, be: CpuBackend): CpuView[] {
  const o = be.alloc(dt.uint32, out.shape);
  const { ip, op, src, lane } = plans(x, axis, o);
  const idx = new Uint32Array(ip.laneSize);
  for (let l = 0; l < ip.lanes; l++) {
    gatherLane(src.buf, ip, l, 0, lane);
    argsortLane(lane, idx);
    scatterLane(o.buf, op, l, 0, idx);
  }
  return [o];
}

export const sortKernels: CpuKernelTable<'sort' | 'argsort' | 'partition' | 'argpartition' | 'topk' | 'searchsorted'> = {
  ...searchKernels,
  sort: ([x], p, [out], be) => sortValues(x!, p.axis, out!, be),
  argsort: ([x], p, [out], be) => argsortValues(x!, p.axis, out!, be),
  partition: ([x], p, [out], be) => sortValues(x!, p.axis, out!, be),
  argpartition: ([x], p, [out], be) => argsortValues(x!, p.axis, out!, be),
  topk([x], p, [out], be) {
    const o = be.alloc(out!.dtype, out!.shape);
    const { ip, op, src, lane } = plans(x!, p.axis, o);
    const top = lane instanceof Float64Array ? new Float64Array(p.k) : typedArrayFor(x!.dtype, p.k) as BigInt64Array;
    const tmp = typedArrayFor(o.dtype, p.k);
    for (let l = 0; l < ip.lanes; l++) {
      gatherLane(src.buf, ip, l, 0, lane);
      selectTop(lane, p.k);
      top.set(lane.subarray(lane.length - p.k) as never);
      if (top instanceof Float64Array) storeLane(o, op, l, 0, top, tmp);
      else scatterLane(o.buf, op, l, 0, top);
    }
    return [o];
  },
};
