/**
 * @file Helpers shared by the CPU gather and scatter kernels: index normalisation, element copy, and the offsets an
 * index plan selects.
 */
import * as dt from '../../../core/dtype.js';
import type { IndexPlan } from '../../../core/primitives/indexing.js';
import { rowMajorStrides, sizeOf } from '../../../core/shape.js';
import { broadcastStrides, forEachOffset, reader, type CpuView } from '../view.js';
import type { TypedArray } from '../../backend.js';

/**
 * An index wrapped once when negative (NumPy), then clamped into [0, n-1]. MLX leaves out-of-bounds indices
 * undefined; clamping keeps every read and write inside the buffer.
 */
export function clampIndex(v: number, n: number): number {
  v = Math.trunc(v);
  if (v < 0) v += n;
  if (v < 0 || v !== v) return 0;
  return v >= n ? n - 1 : v;
}

/** Copies element `i` of `src` into element `k` of `dst` (same dtype storage; complex takes two floats). */
export type Copy = (dst: TypedArray, k: number, src: TypedArray, i: number) => void;

/** The element copy of a dtype (storage elements are copied bit for bit). */
export function copier(d: dt.Dtype): Copy {
  if (d === dt.complex64) {
    return (dst, k, src, i) => { dst[2 * k] = src[2 * i]!; dst[2 * k + 1] = src[2 * i + 1]!; };
  }
  return (dst, k, src, i) => { dst[k] = src[i]!; };
}

/** Normalised indices of an index view, broadcast to `shape`, in row-major order. */
export function indexValues(idx: CpuView, shape: readonly number[], n: number): Float64Array {
  const out = new Float64Array(sizeOf(shape));
  const rd = reader(idx.dtype), b = idx.buf;
  if (idx.contiguous && idx.shape.length === shape.length && sizeOf(idx.shape) === out.length) {
    for (let k = 0; k < out.length; k++) out[k] = clampIndex(rd(b, idx.offset + k), n);
    return out;
  }
  forEachOffset(shape, [broadcastStrides(idx, shape)], [idx.offset], (k, o) => { out[k] = clampIndex(rd(b, o[0]!), n); });
  return out;
}

/**
 * The element offsets a plan selects in a buffer whose axes have `strides` and whose origin is `offset`, in the
 * row-major order of the plan's output shape `outShape`. Index arrays are `idx` (one per `advDims` entry).
 */
export function planOffsets(
  p: IndexPlan, shape: readonly number[], strides: readonly number[], offset: number, idx: readonly CpuView[],
  outShape: readonly number[],
): Float64Array {
  let base = offset;
  for (let ax = 0; ax < p.starts.length; ax++) base += p.starts[ax]! * strides[ax]!;
  // per position in the index shape: the summed offset of every index array there
  const nIdx = sizeOf(p.idxShape);
  const idxOff = new Float64Array(nIdx);
  for (let j = 0; j < idx.length; j++) {
    const ax = p.dims[p.advDims[j]!]!.axis;
    const vals = indexValues(idx[j]!, p.idxShape, shape[ax]!);
    const s = strides[ax]!;
    for (let k = 0; k < nIdx; k++) idxOff[k] = idxOff[k]! + vals[k]! * s;
  }
  // output dims are either index dims (walk idxOff) or view dims (walk the buffer)
  const idxStrides = rowMajorStrides(p.idxShape);
  const sIdx: number[] = [], sBuf: number[] = [];
  const adv = new Set(p.advDims);
  const pushIdx = (): void => { for (const s of idxStrides) { sIdx.push(s); sBuf.push(0); } };
  for (let i = 0; i < p.dims.length; i++) {
    if (i === p.insertAt && p.advDims.length) pushIdx();
    if (adv.has(i)) continue;
    const d = p.dims[i]!;
    sIdx.push(0);
    sBuf.push(d.axis < 0 ? 0 : strides[d.axis]! * d.step);
  }
  if (p.advDims.length && p.insertAt >= p.dims.length) pushIdx();
  const out = new Float64Array(sizeOf(outShape));
  forEachOffset(outShape, [sIdx, sBuf], [0, base], (k, o) => { out[k] = o[1]! + idxOff[o[0]!]!; });
  return out;
}

/** Whether any axis indexed by an array is empty (then no index is valid; outputs stay zero / unchanged). */
export function emptyIndexedAxis(p: IndexPlan, shape: readonly number[]): boolean {
  for (const i of p.advDims) if (shape[p.dims[i]!.axis] === 0) return true;
  return false;
}

/** A dynamic start: wrapped once when negative, then clamped so the window fits (as JAX's dynamic_slice). */
export function dynamicStart(v: number, n: number, size: number): number {
  v = Math.trunc(v);
  if (v < 0) v += n;
  if (!(v > 0)) return 0;
  return Math.min(v, n - size);
}
