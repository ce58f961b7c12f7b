/**
 * @file The CPU backend's data view and the loops every CPU kernel is built from. Storage is one typed array per
 * allocation, in the dtype's natural JS form: bool as Uint8Array, float16/bfloat16 as Uint16Array bits, int64 and
 * uint64 as BigInt64Array/BigUint64Array, complex64 as interleaved Float32Array (re, im).
 */
import * as dt from '../../core/dtype.js';
import type { Dtype } from '../../core/dtype.js';
import { reader } from '../../core/host.js';
import { rowMajorStrides, sizeOf } from '../../core/shape.js';
import type { ArrayData, Storage, TypedArray } from '../backend.js';

/** A CPU array view handed to kernels: the typed array plus shape, strides and offset in elements. */
export interface CpuView {
  buf: TypedArray;
  storage: Storage;
  dtype: Dtype;
  shape: readonly number[];
  strides: readonly number[];
  offset: number;
  contiguous: boolean;
}

export { typedArrayFor, reader, writer, type Reader, type Writer } from '../../core/host.js';

/** Wraps a fresh typed array (length = size) as a dense view. */
export function denseView(storage: Storage, dtype: Dtype, shape: readonly number[]): CpuView {
  return {
    buf: storage.handle as TypedArray, storage, dtype, shape,
    strides: rowMajorStrides(shape), offset: 0, contiguous: true,
  };
}

/** The data record an output view becomes. */
export function toArrayData(v: CpuView): ArrayData {
  return { storage: v.storage, offset: v.offset, strides: v.strides, contiguous: v.contiguous };
}

/** Whether strides describe a dense row-major layout of `shape` (size-1 dims may have any stride). */
export function isRowContiguous(shape: readonly number[], strides: readonly number[]): boolean {
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] === 1) continue;
    if (strides[i] !== acc) return false;
    acc *= shape[i]!;
  }
  return true;
}

/**
 * Calls `fn(k, o0, o1, ...)` for every element of `shape` in row-major order, with `k` the linear index and `oj`
 * the element offset in input j (given its strides and offset). Broadcasting is a stride of 0.
 */
export function forEachOffset(
  shape: readonly number[], strides: readonly (readonly number[])[], offsets: readonly number[],
  fn: (k: number, offs: Int32Array | Float64Array) => void,
): void {
  const n = sizeOf(shape);
  if (n === 0) return;
  const nd = shape.length, m = strides.length;
  const offs = new Float64Array(offsets);
  if (nd === 0) { fn(0, offs); return; }
  const idx = new Int32Array(nd);
  const last = nd - 1, inner = shape[last]!;
  const base = new Float64Array(m);
  for (let k = 0; k < n;) {
    // inner loop over the last dimension
    base.set(offs);
    for (let j = 0; j < inner; j++, k++) {
      fn(k, offs);
      for (let q = 0; q < m; q++) offs[q] = offs[q]! + strides[q]![last]!;
    }
    for (let q = 0; q < m; q++) offs[q] = base[q]!;
    // odometer over the outer dimensions
    let d = last - 1;
    while (d >= 0) {
      idx[d]!++;
      for (let q = 0; q < m; q++) offs[q] = offs[q]! + strides[q]![d]!;
      if (idx[d]! < shape[d]!) break;
      for (let q = 0; q < m; q++) offs[q] = offs[q]! - strides[q]![d]! * shape[d]!;
      idx[d] = 0;
      d--;
    }
  }
}

/** Strides of `v` as seen from an output of `outShape` it broadcasts to (0 on broadcast dims). */
export function broadcastStrides(v: { shape: readonly number[]; strides: readonly number[] }, outShape: readonly number[]): number[] {
  const nd = outShape.length, off = nd - v.shape.length;
  const s = new Array<number>(nd).fill(0);
  for (let i = 0; i < v.shape.length; i++) s[off + i] = v.shape[i] === 1 ? 0 : v.strides[i]!;
  return s;
}

/** Element offsets of every element of `v` in row-major order (handy for gathers over any view). */
export function offsetsOf(v: CpuView): Float64Array {
  const out = new Float64Array(sizeOf(v.shape));
  if (v.contiguous) { for (let k = 0; k < out.length; k++) out[k] = v.offset + k; return out; }
  forEachOffset(v.shape, [v.strides], [v.offset], (k, o) => { out[k] = o[0]!; });
  return out;
}

/** Reads a whole view as float64 numbers in row-major order (complex: real parts). */
export function toFloat64(v: CpuView): Float64Array {
  const out = new Float64Array(sizeOf(v.shape));
  const rd = reader(v.dtype), b = v.buf;
  if (v.contiguous) { for (let k = 0; k < out.length; k++) out[k] = rd(b, v.offset + k); return out; }
  forEachOffset(v.shape, [v.strides], [v.offset], (k, o) => { out[k] = rd(b, o[0]!); });
  return out;
}

/** Whether a dtype's JS storage is BigInt-based. */
export const isBig = (d: Dtype): boolean => d === dt.int64 || d === dt.uint64;
