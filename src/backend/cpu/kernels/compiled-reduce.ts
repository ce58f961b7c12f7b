/**
 * @file CPU kernels of `fusedReduce` and `fusedSoftmax` (mx.compile's elementwise chains with a reduction or
 * softmax epilogue). On the CPU the win of fusing is small: the float32 folds and softmax run on the WASM SIMD
 * kernels, on several threads for large inputs, which a single-threaded JS fold does not match (measured: a JS
 * softmax epilogue took twice the unfused time). So a float32 sum/mean/max/min chain is computed by its
 * generated row function (compiled-codegen.ts) into a temporary and folded by the `reduce` kernel's float32
 * path, and a float32 softmax chain is computed into the output and normalised there in place: the unfused
 * results exactly, one node fewer. Other folds (prod, float64) run the chain block by block into a small scratch
 * that is folded at once, accumulating in doubles in lane order and rounding once, as the reference loops do.
 * A post chain (rsqrt(mean + eps)) then runs over the reduced values. `fusedNorm` computes its statistic so
 * and then its row chain as the fused elementwise kernel does.
 */
import * as dt from '../../../core/dtype.js';
import { broadcastShapes, sizeOf } from '../../../core/shape.js';
import { normStat, type FusedNormParams, type FusedReduceParams, type FusedSoftmaxParams } from '../../../core/primitives/compiled.js';
import { reducedShape } from '../../../core/primitives/reduce.js';
import { rowMajorStrides } from '../../../core/shape.js';
import type { TypedArray } from '../../backend.js';
import type { CpuBackend } from '../index.js';
import { broadcastStrides, type CpuView } from '../view.js';
import { fusedRow } from './compiled-codegen.js';
import { lanePlan, scatterLane } from './reduce-plan.js';
import { stridedLoop } from './elementwise-loop.js';
import { denseLanes, reduceF32, softmaxF32 } from './reduce-f32.js';

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
  if (p.post) {
    // the reduction into a temporary (of the chain's float dtype, which sum/prod/max/min/mean keep), then the
    // post chain over it
    const r = fusedReduceCpu(xs, { ...p, post: undefined }, { dtype: p.chain.ops[p.chain.outs[0]!]!.dtype, shape: out.shape }, be);
    try {
      const o = be.alloc(out.dtype, out.shape, false);
      fusedRow(p.post)([r.buf], [o.buf], sizeOf(out.shape), new Float64Array(1), new Float64Array([1]), 0);
      return o;
    } finally {
      r.storage.release();
    }
  }
  const o = be.alloc(out.dtype, out.shape, false);
  const ob = o.buf as Float32Array | Float64Array;
  const shape = broadcastShapes(xs.map((x) => x.shape));
  const m = xs.length;
  const valDtype = p.chain.ops[p.chain.outs[0]!]!.dtype;
  if (valDtype === dt.float32 && p.reduce.mode !== 'prod') {
    const tmp = be.alloc(dt.float32, shape, false);
    try {
      const row = fusedRow(p.chain), B: TypedArray[] = xs.map((x) => x.buf), T: TypedArray[] = [tmp.buf];
      stridedLoop(xs, shape, (n, offs, steps, io) => row(B, T, n, offs, steps, io));
      const plan = lanePlan(shape, p.reduce.axes, [rowMajorStrides(shape)], [0]);
      if (reduceF32(p.reduce.mode, tmp.buf as Float32Array, plan, ob as Float32Array)) return o;
    } finally {
      tmp.storage.release();
    }
  }
  const plan = lanePlan(shape, p.reduce.axes, xs.map((x) => broadcastStrides(x, shape)), xs.map((x) => x.offset));
  const { mode } = p.reduce, fold = FOLDS[mode];
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
  if (out.dtype === dt.float32) {
    const dense = lanePlan(shape, p.softmax.axes, [rowMajorStrides(shape), rowMajorStrides(shape)], [0, 0]);
    if (denseLanes(dense, 0)) {
      // the chain into the output, then the softmax kernel's float32 path in place (each lane is read before
      // it is written)
      const row = fusedRow(p.chain), B: TypedArray[] = xs.map((x) => x.buf), O: TypedArray[] = [o.buf];
      stridedLoop(xs, shape, (n, offs, steps, io) => row(B, O, n, offs, steps, io));
      softmaxF32(o.buf as Float32Array, dense, o.buf as Float32Array);
      return o;
    }
  }
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

/**
 * Runs a `fusedNorm` node on the CPU: the statistic into a small temporary, then the row chain over the full
 * shape reading it through broadcasting.
 *
 * @example
 * ```ts
 * const [y] = fusedNormCpu(inputs, params, outputs, be);
 * ```
 */
export function fusedNormCpu(xs: CpuView[], p: FusedNormParams, out: { dtype: dt.Dtype; shape: readonly number[] }, be: CpuBackend): CpuView {
  const sx = p.statIns.map((i) => xs[i]!);
  const sShape = broadcastShapes(sx.map((x) => x.shape));
  const stat = normStat(p, sShape.length);
  const sd = stat.post ? stat.post.ops[stat.post.outs[0]!]!.dtype : stat.chain.ops[stat.chain.outs[0]!]!.dtype;
  const s = fusedReduceCpu(sx, stat, { dtype: sd, shape: reducedShape(sShape, stat.reduce.axes, true) }, be);
  try {
    const o = be.alloc(out.dtype, out.shape, false);
    const ins = p.thenIns.map((i) => (i < 0 ? s : xs[i]!));
    const row = fusedRow(p.then), B: TypedArray[] = ins.map((x) => x.buf), O: TypedArray[] = [o.buf];
    stridedLoop(ins, out.shape, (n, offs, steps, io) => row(B, O, n, offs, steps, io));
    return o;
  } finally {
    s.storage.release();
  }
}
