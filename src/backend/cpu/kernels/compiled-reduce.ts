/**
 * @file CPU kernel of `fusedReduce` (mx.compile's elementwise chain with a reduction epilogue). The chain runs
 * through its generated row function (compiled-codegen.ts) into a small scratch block, which is folded at once:
 * the chain's values never make a full-size array, and each one is the float32 (or float64) value the unfused
 * chain would have stored. The fold accumulates in doubles in lane order and rounds once, as the `reduce`
 * kernel's reference loops do, so fused and unfused results agree to the last bits but for the order of the WASM
 * kernels' partial sums on large inputs. `fusedSoftmax` computes each lane's chain values once into a lane-sized
 * scratch, then the softmax of the `softmax` kernel's generic loop.
 */
import * as dt from '../../../core/dtype.js';
import { broadcastShapes } from '../../../core/shape.js';
import type { FusedReduceParams, FusedSoftmaxParams } from '../../../core/primitives/compiled.js';
import { rowMajorStrides } from '../../../core/shape.js';
import type { TypedArray } from '../../backend.js';
import type { CpuBackend } from '../index.js';
import { broadcastStrides, type CpuView } from '../view.js';
import { fusedRow } from './compiled-codegen.js';
import { lanePlan, scatterLane } from './reduce-plan.js';

/** Elements per scratch block: small enough to stay in the L1 cache between the chain and the fold. */
const BLOCK = 2048;

type Fold = (s: TypedArray, n: number, acc: number) => number;

const FOLDS: Record<FusedReduceParams['reduce']['mode'], Fold> = {
  sum: (s, n, acc) => { for (let k = 0; k < n; k++) acc += s[k] as number; return acc; },
  mean: (s, n, acc) => { for (let k = 0; k < n; k++) acc += s[k] as number; return acc; },
  prod: (s, n, acc) => { for (let k = 0; k < n; k++) acc *= s[k] as number; return acc; },
  // a NaN sticks: nothing compares greater or smaller than it afterwards
  max: (s, n, acc) => {
    for (let k = 0; k < n; k++) { const v = s[k] as number; if (v > acc) acc = v; else if (v !== v) acc = NaN; }
    return acc;
  },
  min: (s, n, acc) => {
    for (let k = 0; k < n; k++) { const v = s[k] as number; if (v < acc) acc = v; else if (v !== v) acc = NaN; }
    return acc;
  },
};
const IDENTITY = { sum: 0, mean: 0, prod: 1, max: -Infinity, min: Infinity };

/**
 * Runs a `fusedReduce` node on the CPU: any reduced axes (the fusion pass only makes trailing ones), broadcast
 * and strided inputs.
 *
 * @example
 * ```ts
 * const [y] = fusedReduceCpu(inputs, params, outputs, be);
 * ```
 */
export function fusedReduceCpu(xs: CpuView[], p: FusedReduceParams, out: { dtype: dt.Dtype; shape: readonly number[] }, be: CpuBackend): CpuView {
  const o = be.alloc(out.dtype, out.shape, false);
  const ob = o.buf as Float32Array | Float64Array;
  const shape = broadcastShapes(xs.map((x) => x.shape));
  const m = xs.length;
  const plan = lanePlan(shape, p.reduce.axes, xs.map((x) => broadcastStrides(x, shape)), xs.map((x) => x.offset));
  const { mode } = p.reduce, fold = FOLDS[mode];
  const valDtype = p.chain.ops[p.chain.outs[0]!]!.dtype;
  const scratch = valDtype === dt.float32 ? new Float32Array(BLOCK) : new Float64Array(BLOCK);
  const row = fusedRow(p.chain);
  const B: TypedArray[] = xs.map((x) => x.buf), O: TypedArray[] = [scratch];
  const offs = new Float64Array(m), steps = new Float64Array(m);
  for (let j = 0; j < m; j++) steps[j] = plan.step[j]!;
  const size = plan.laneSize, n = plan.n;
  for (let l = 0; l < plan.lanes; l++) {
    let acc = IDENTITY[mode];
    if (size > 0) {
      for (let r = 0; r < plan.rows[0]!.length; r++) {
        for (let j = 0; j < m; j++) offs[j] = plan.outer[j]![l]! + plan.rows[j]![r]!;
        for (let k = 0; k < n; k += BLOCK) {
          const c = Math.min(BLOCK, n - k);
          row(B, O, c, offs, steps, 0);
          acc = fold(scratch, c, acc);
          for (let j = 0; j < m; j++) offs[j] = offs[j]! + c * steps[j]!;
        }
      }
    }
    // the reference mean multiplies by the reciprocal in float32 and divides in float64; an empty lane is NaN
    if (mode === 'mean') acc = size === 0 ? NaN : valDtype === dt.float32 ? acc * (1 / size) : acc / size;
    ob[l] = acc;
  }
  return o;
}

/**
 * Runs a `fusedSoftmax` node on the CPU (any softmax axes; broadcast and strided inputs).
 *
 * @example
 * ```ts
 * const [y] = fusedSoftmaxCpu(inputs, params, outputs, be);
 * ```
 */
export function fusedSoftmaxCpu(xs: CpuView[], p: FusedSoftmaxParams, out: { dtype: dt.Dtype; shape: readonly number[] }, be: CpuBackend): CpuView {
  // every lane is stored in full, so a recycled buffer needs no clearing
  const o = be.alloc(out.dtype, out.shape, false);
  const shape = out.shape, m = xs.length;
  const strides = [...xs.map((x) => broadcastStrides(x, shape)), rowMajorStrides(shape)];
  const plan = lanePlan(shape, p.softmax.axes, strides, [...xs.map((x) => x.offset), 0]);
  const size = plan.laneSize, n = plan.n;
  const vals = out.dtype === dt.float32 ? new Float32Array(size) : new Float64Array(size);
  const acc = new Float64Array(size);
  const row = fusedRow(p.chain);
  const B: TypedArray[] = xs.map((x) => x.buf), O: TypedArray[] = [vals];
  const offs = new Float64Array(m), steps = new Float64Array(m);
  for (let j = 0; j < m; j++) steps[j] = plan.step[j]!;
  for (let l = 0; l < plan.lanes; l++) {
    for (let r = 0; r < plan.rows[0]!.length; r++) {
      for (let j = 0; j < m; j++) offs[j] = plan.outer[j]![l]! + plan.rows[j]![r]!;
      row(B, O, n, offs, steps, r * n);
    }
    // the lane max (NaN if the lane holds one), exp(v - max) and their sum, then the scaled values
    let mx = -Infinity;
    for (let k = 0; k < size; k++) { const v = vals[k]!; if (v > mx) mx = v; else if (v !== v) { mx = NaN; break; } }
    let s = 0;
    for (let k = 0; k < size; k++) s += acc[k] = Math.exp(vals[k]! - mx);
    const inv = 1 / s;
    for (let k = 0; k < size; k++) acc[k] = acc[k]! * inv;
    scatterLane(o.buf, plan, l, m, acc);
  }
  return o;
}
