/**
 * @file CPU kernels of the reduce family: the `reduce` folds here, `argReduce`, `logsumexp`, `softmax` and
 * `trace` in reduce-lanes.ts. Every fold accumulates in doubles (exact BigInt for 64-bit integer sums, products
 * and extrema; wrapping int32 arithmetic where MLX's int32 accumulator wraps) and rounds once to the output dtype.
 */
import * as dt from '../../../core/dtype.js';
import type { ReduceMode } from '../../../core/primitives/reduce.js';
import type { CpuKernelTable } from '../kernel.js';
import type { TypedArray } from '../../backend.js';
import { writer, isBig, type CpuView } from '../view.js';
import { lanePlan, numSource, gatherLane, type LanePlan } from './reduce-plan.js';
import { argReduceKernels } from './reduce-lanes.js';
import { reduceF32 } from './reduce-f32.js';

type Buf = { readonly [i: number]: number };
/** Folds one lane: base offset, row offsets, innermost run length and stride, lane size, ddof. */
type Fold = (b: Buf, base: number, rows: Int32Array, n: number, st: number, size: number, ddof: number) => number;

const sum: Fold = (b, base, rows, n, st) => {
  let acc = 0;
  for (let r = 0; r < rows.length; r++) for (let j = 0, i = base + rows[r]!; j < n; j++, i += st) acc += b[i]!;
  return acc;
};
// int32/uint32 accumulators wrap modulo 2^32 as in MLX; `| 0` keeps the running value exact
const sumInt: Fold = (b, base, rows, n, st) => {
  let acc = 0;
  for (let r = 0; r < rows.length; r++) for (let j = 0, i = base + rows[r]!; j < n; j++, i += st) acc = (acc + b[i]!) | 0;
  return acc;
};
const prod: Fold = (b, base, rows, n, st) => {
  let acc = 1;
  for (let r = 0; r < rows.length; r++) for (let j = 0, i = base + rows[r]!; j < n; j++, i += st) acc *= b[i]!;
  return acc;
};
const prodInt: Fold = (b, base, rows, n, st) => {
  let acc = 1;
  for (let r = 0; r < rows.length; r++) for (let j = 0, i = base + rows[r]!; j < n; j++, i += st) acc = Math.imul(acc, b[i]!);
  return acc;
};
// NaN wins, as in NumPy: once seen it is returned at once
const max: Fold = (b, base, rows, n, st) => {
  let acc = -Infinity;
  for (let r = 0; r < rows.length; r++) {
    for (let j = 0, i = base + rows[r]!; j < n; j++, i += st) {
      const v = b[i]!;
      if (v > acc) acc = v;
      else if (v !== v) return NaN;
    }
  }
  return acc;
};
const min: Fold = (b, base, rows, n, st) => {
  let acc = Infinity;
  for (let r = 0; r < rows.length; r++) {
    for (let j = 0, i = base + rows[r]!; j < n; j++, i += st) {
      const v = b[i]!;
      if (v < acc) acc = v;
      else if (v !== v) return NaN;
    }
  }
  return acc;
};
const all: Fold = (b, base, rows, n, st) => {
  for (let r = 0; r < rows.length; r++) for (let j = 0, i = base + rows[r]!; j < n; j++, i += st) if (b[i] === 0) return 0;
  return 1;
};
const any: Fold = (b, base, rows, n, st) => {
  for (let r = 0; r < rows.length; r++) for (let j = 0, i = base + rows[r]!; j < n; j++, i += st) if (b[i] !== 0) return 1;
  return 0;
};
const count: Fold = (b, base, rows, n, st) => {
  let c = 0;
  for (let r = 0; r < rows.length; r++) for (let j = 0, i = base + rows[r]!; j < n; j++, i += st) if (b[i] !== 0) c++;
  return c;
};
const mean: Fold = (b, base, rows, n, st, size) => sum(b, base, rows, n, st, size, 0) / size;
// two passes: the mean, then squared deviations from it
const variance: Fold = (b, base, rows, n, st, size, ddof) => {
  const m = mean(b, base, rows, n, st, size, 0);
  let acc = 0;
  for (let r = 0; r < rows.length; r++) {
    for (let j = 0, i = base + rows[r]!; j < n; j++, i += st) { const d = b[i]! - m; acc += d * d; }
  }
  return acc / Math.max(size - ddof, 0);
};
const std: Fold = (...a) => Math.sqrt(variance(...a));

const FOLDS: Record<Exclude<ReduceMode, 'median'>, Fold> = {
  sum, prod, max, min, all, any, countNonzero: count, mean, var: variance, std,
};

type BigBuf = { readonly [i: number]: bigint };
function bigFold(mode: ReduceMode, b: BigBuf, base: number, rows: Int32Array, n: number, st: number, wrap: (v: bigint) => bigint): bigint {
  let acc: bigint | null = mode === 'sum' ? 0n : mode === 'prod' ? 1n : null;
  for (let r = 0; r < rows.length; r++) {
    for (let j = 0, i = base + rows[r]!; j < n; j++, i += st) {
      const v = b[i]!;
      if (mode === 'sum') acc = wrap(acc! + v);
      else if (mode === 'prod') acc = wrap(acc! * v);
      else if (acc === null || (mode === 'max' ? v > acc : v < acc)) acc = v;
    }
  }
  return acc ?? 0n;
}

function medianOf(buf: TypedArray, p: LanePlan, l: number, tmp: Float64Array): number {
  if (tmp.length === 0) return NaN;
  gatherLane(buf, p, l, 0, tmp);
  tmp.sort(); // numeric, NaNs last
  if (tmp[tmp.length - 1] !== tmp[tmp.length - 1]) return NaN;
  const h = tmp.length >> 1;
  return tmp.length % 2 ? tmp[h]! : (tmp[h - 1]! + tmp[h]!) / 2;
}

function reduceKernel(x: CpuView, mode: ReduceMode, axes: readonly number[], ddof: number, o: CpuView): void {
  const outBuf = o.buf, odt = o.dtype;
  if (isBig(x.dtype) && (mode === 'sum' || mode === 'prod' || mode === 'max' || mode === 'min')) {
    const p = lanePlan(x.shape, axes, [x.strides], [x.offset]);
    const wrap = odt === dt.uint64 ? (v: bigint) => BigInt.asUintN(64, v) : (v: bigint) => BigInt.asIntN(64, v);
    const ob = outBuf as BigInt64Array;
    for (let l = 0; l < p.lanes; l++) ob[l] = bigFold(mode, x.buf as BigInt64Array, p.outer[0]![l]!, p.rows[0]!, p.n, p.step[0]!, wrap);
    return;
  }
  const src = numSource(x);
  const p = lanePlan(x.shape, axes, [src.strides], [src.offset]);
  if (x.dtype === dt.float32 && reduceF32(mode, x.buf as Float32Array, p, outBuf as Float32Array)) return;
  const w = writer(odt);
  if (mode === 'median') {
    const tmp = new Float64Array(p.laneSize);
    for (let l = 0; l < p.lanes; l++) w(outBuf, l, medianOf(src.buf, p, l, tmp));
    return;
  }
  const intAcc = dt.isInteger(odt) && (mode === 'sum' || mode === 'prod');
  const fold = intAcc ? (mode === 'sum' ? sumInt : prodInt) : FOLDS[mode];
  const b = src.buf as unknown as Buf, outer = p.outer[0]!, rows = p.rows[0]!, n = p.n, st = p.step[0]!;
  if (odt === dt.float32 || odt === dt.float64 || odt === dt.int32) {
    // direct stores: the typed array does the rounding or wrapping
    const ob = outBuf as Float64Array;
    for (let l = 0; l < p.lanes; l++) ob[l] = fold(b, outer[l]!, rows, n, st, p.laneSize, ddof);
  } else {
    for (let l = 0; l < p.lanes; l++) w(outBuf, l, fold(b, outer[l]!, rows, n, st, p.laneSize, ddof));
  }
}

export const reduceKernels: CpuKernelTable<'reduce' | 'argReduce' | 'logsumexp' | 'softmax' | 'trace'> = {
  reduce([x], p, [out], be) {
    const o = be.alloc(out!.dtype, out!.shape);
    reduceKernel(x!, p.mode, p.axes, p.ddof, o);
    return [o];
  },
  ...argReduceKernels,
};
