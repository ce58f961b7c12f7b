/**
 * @file CPU kernels of the lane-wise reductions with their own rules: argmax/argmin, logsumexp, softmax, trace.
 * logsumexp and softmax subtract the lane max before exponentiating, so large inputs do not overflow.
 */
import * as dt from '../../../core/dtype.js';
import type { CpuKernelTable } from '../kernel.js';
import type { TypedArray } from '../../backend.js';
import { writer, isBig, typedArrayFor, type CpuView } from '../view.js';
import { rowMajorStrides } from '../../../core/shape.js';
import { lanePlan, numSource, gatherLane, storeLane } from './reduce-plan.js';
import { denseLanes, softmaxF32, logsumexpF32 } from './reduce-f32.js';
import { wasmArgReduceF32 } from '../wasm/elementwise.js';

type Buf = { readonly [i: number]: number };
const allAxes = (nd: number): number[] => Array.from({ length: nd }, (_, i) => i);

/** The lane max, NaN if the lane holds one, -Infinity for an empty lane. */
function laneMax(v: Float64Array): number {
  let m = -Infinity;
  for (let k = 0; k < v.length; k++) {
    const x = v[k]!;
    if (x > m) m = x;
    else if (x !== x) return NaN;
  }
  return m;
}

export const argReduceKernels: CpuKernelTable<'argReduce' | 'logsumexp' | 'softmax' | 'trace'> = {
  argReduce([x], p, [out], be) {
    const o = be.alloc(dt.uint32, out!.shape);
    // comparisons work on bigints as they are; half floats need decoding
    const src = isBig(x!.dtype) ? x! : numSource(x!);
    const plan = lanePlan(x!.shape, p.axis === null ? allAxes(x!.shape.length) : [p.axis], [src.strides], [src.offset]);
    if (x!.dtype === dt.float32 && wasmArgReduceF32(p.mode === 'argmax', x!.buf as Float32Array, plan, o.buf as Uint32Array)) return [o];
    const b = src.buf as unknown as Buf, rows = plan.rows[0]!, n = plan.n, st = plan.step[0]!, isMax = p.mode === 'argmax';
    const ob = o.buf as Uint32Array;
    for (let l = 0; l < plan.lanes; l++) {
      const base = plan.outer[0]![l]!;
      let best = b[base + rows[0]!]!, at = 0, k = 0;
      scan: for (let r = 0; r < rows.length; r++) {
        for (let j = 0, i = base + rows[r]!; j < n; j++, i += st, k++) {
          const v = b[i]!;
          // the first NaN wins, as in NumPy
          if (v !== v) { at = k; break scan; }
          if (isMax ? v > best : v < best) { best = v; at = k; }
        }
      }
      ob[l] = at;
    }
    return [o];
  },

  logsumexp([x], p, [out], be) {
    const o = be.alloc(out!.dtype, out!.shape);
    const src = numSource(x!);
    const plan = lanePlan(x!.shape, p.axes, [src.strides], [src.offset]);
    if (x!.dtype === dt.float32 && denseLanes(plan, 0)) { logsumexpF32(x!.buf as Float32Array, plan, o.buf as Float32Array); return [o]; }
    const tmp = new Float64Array(plan.laneSize), w = writer(o.dtype);
    for (let l = 0; l < plan.lanes; l++) {
      gatherLane(src.buf, plan, l, 0, tmp);
      const m = laneMax(tmp);
      let r: number;
      if (m !== m || m === Infinity || m === -Infinity) r = m;
      else {
        let s = 0;
        for (let k = 0; k < tmp.length; k++) s += Math.exp(tmp[k]! - m);
        r = m + Math.log(s);
      }
      w(o.buf, l, r);
    }
    return [o];
  },

  softmax([x], p, [out], be) {
    // every lane is stored in full below, so a recycled buffer needs no clearing
    const o = be.alloc(out!.dtype, out!.shape, false);
    const src = numSource(x!);
    const plan = lanePlan(x!.shape, p.axes, [src.strides, rowMajorStrides(x!.shape)], [src.offset, 0]);
    if (x!.dtype === dt.float32 && denseLanes(plan, 0) && denseLanes(plan, 1)) {
      softmaxF32(x!.buf as Float32Array, plan, o.buf as Float32Array);
      return [o];
    }
    const vals = new Float64Array(plan.laneSize), tmp = typedArrayFor(o.dtype, plan.laneSize);
    for (let l = 0; l < plan.lanes; l++) {
      gatherLane(src.buf, plan, l, 0, vals);
      const m = laneMax(vals);
      let s = 0;
      for (let k = 0; k < vals.length; k++) s += vals[k] = Math.exp(vals[k]! - m);
      const inv = 1 / s;
      for (let k = 0; k < vals.length; k++) vals[k] = vals[k]! * inv;
      storeLane(o, plan, l, 1, vals, tmp);
    }
    return [o];
  },

  trace([x], p, [out], be) {
    const o = be.alloc(out!.dtype, out!.shape);
    const big = isBig(x!.dtype);
    const src = big ? x! : numSource(x!);
    const a1 = p.axis1, a2 = p.axis2;
    const plan = lanePlan(x!.shape, [Math.min(a1, a2), Math.max(a1, a2)], [src.strides], [src.offset]);
    const n1 = x!.shape[a1]!, n2 = x!.shape[a2]!, s1 = src.strides[a1]!, s2 = src.strides[a2]!, off = p.offset;
    const len = Math.max(0, off >= 0 ? Math.min(n1, n2 - off) : Math.min(n1 + off, n2));
    const start = off >= 0 ? off * s2 : -off * s1, step = s1 + s2;
    const outer = plan.outer[0]!;
    if (big) {
      const b = src.buf as BigInt64Array;
      const tb = typedArrayFor(dt.int64, 1) as BigInt64Array;
      const wrap = x!.dtype === dt.uint64 ? (v: bigint) => BigInt.asUintN(64, v) : (v: bigint) => BigInt.asIntN(64, v);
      const w = writer(o.dtype);
      for (let l = 0; l < plan.lanes; l++) {
        let acc = 0n;
        for (let k = 0, i = outer[l]! + start; k < len; k++, i += step) acc = wrap(acc + b[i]!);
        if (isBig(o.dtype)) (o.buf as BigInt64Array)[l] = acc;
        else { tb[0] = acc; w(o.buf, l, Number(tb[0])); }
      }
      return [o];
    }
    const b = src.buf as unknown as Buf, w = writer(o.dtype);
    for (let l = 0; l < plan.lanes; l++) {
      let acc = 0;
      for (let k = 0, i = outer[l]! + start; k < len; k++, i += step) acc += b[i]!;
      w(o.buf, l, acc);
    }
    return [o];
  },
};
