/**
 * @file CPU kernels of the indexing family. Basic slicing and static or dynamic slices return views sharing the
 * input's storage; gathers copy; scatters (indexing-scatter.ts) copy the input and combine updates into the copy.
 */
import type { CpuKernelTable } from '../kernel.js';
import { broadcastStrides, forEachOffset, isRowContiguous, offsetsOf, reader, type CpuView } from '../view.js';
import { sizeOf } from '../../../core/shape.js';
import * as dt from '../../../core/dtype.js';
import type { IndexPlan } from '../../../core/primitives/indexing.js';
import { clampIndex, copier, dynamicStart, emptyIndexedAxis, indexValues, planOffsets } from './indexing-common.js';
import { scatterKernels, type ScatterPrims } from './indexing-scatter.js';

type GatherPrims = 'indexView' | 'gather' | 'gatherFlat' | 'gatherAxis' | 'dynamicSlice';

/** Whether a plan is `a[idx]` on axis 0 with every other axis whole (then each index picks one contiguous row). */
function isRowGather(p: IndexPlan, shape: readonly number[]): boolean {
  if (p.advDims.length !== 1 || p.advDims[0] !== 0 || p.insertAt !== 0 || p.dims.length !== shape.length) return false;
  for (let i = 0; i < shape.length; i++) {
    const d = p.dims[i]!;
    if (p.starts[i] !== 0 || d.axis !== i || d.step !== 1 || d.size !== shape[i]) return false;
  }
  return true;
}

/** A view of `x` with new shape, strides and offset (shares storage). */
function viewOf(x: CpuView, shape: readonly number[], strides: readonly number[], offset: number): CpuView {
  return { ...x, shape, strides, offset, contiguous: isRowContiguous(shape, strides) };
}

const gatherKernels: CpuKernelTable<GatherPrims> = {
  indexView([x], p) {
    let off = x!.offset;
    for (let ax = 0; ax < p.starts.length; ax++) off += p.starts[ax]! * x!.strides[ax]!;
    const strides = p.dims.map((d) => (d.axis < 0 ? 0 : x!.strides[d.axis]! * d.step));
    return [viewOf(x!, p.dims.map((d) => d.size), strides, sizeOf(p.dims.map((d) => d.size)) === 0 ? 0 : off)];
  },

  gather([x, ...idx], p, [out], be) {
    const o = be.alloc(x!.dtype, out!.shape);
    if (out!.size === 0 || emptyIndexedAxis(p, x!.shape)) return [o];
    if (x!.contiguous && isRowGather(p, x!.shape)) {
      // embedding lookups: whole contiguous rows, copied as blocks
      const n = x!.shape[0]!, inner = out!.size / sizeOf(p.idxShape), w = x!.dtype === dt.complex64 ? 2 : 1;
      const vals = indexValues(idx[0]!, p.idxShape, n);
      const src = x!.buf as Float32Array, dst = o.buf as Float32Array, b = inner * w;
      for (let k = 0; k < vals.length; k++) {
        const from = (x!.offset * w) + vals[k]! * b;
        dst.set(src.subarray(from, from + b), k * b);
      }
      return [o];
    }
    const offs = planOffsets(p, x!.shape, x!.strides, x!.offset, idx, out!.shape);
    const cp = copier(x!.dtype), src = x!.buf, dst = o.buf;
    for (let k = 0; k < offs.length; k++) cp(dst, k, src, offs[k]!);
    return [o];
  },

  gatherFlat([x, idx], _p, [out], be) {
    const o = be.alloc(x!.dtype, out!.shape);
    const n = x!.shape.reduce((a, b) => a * b, 1);
    if (out!.size === 0 || n === 0) return [o];
    const vals = indexValues(idx!, idx!.shape, n);
    const cp = copier(x!.dtype), src = x!.buf, dst = o.buf;
    if (x!.contiguous) for (let k = 0; k < vals.length; k++) cp(dst, k, src, x!.offset + vals[k]!);
    else {
      const offs = offsetsOf(x!);
      for (let k = 0; k < vals.length; k++) cp(dst, k, src, offs[vals[k]!]!);
    }
    return [o];
  },

  gatherAxis([x, idx], p, [out], be) {
    const o = be.alloc(x!.dtype, p.shape);
    const n = x!.shape[p.axis]!;
    if (out!.size === 0 || n === 0) return [o];
    const xs = broadcastStrides(x!, p.shape);
    xs[p.axis] = 0;
    const sAx = x!.strides[p.axis]!;
    const rd = reader(idx!.dtype), ib = idx!.buf;
    const cp = copier(x!.dtype), src = x!.buf, dst = o.buf;
    forEachOffset(p.shape, [xs, broadcastStrides(idx!, p.shape)], [x!.offset, idx!.offset], (k, off) => {
      cp(dst, k, src, off[0]! + clampIndex(rd(ib, off[1]!), n) * sAx);
    });
    return [o];
  },

  dynamicSlice([x, start], p) {
    const rd = reader(start!.dtype);
    const step = start!.shape.length && start!.shape[0]! > 1 ? start!.strides[0]! : 0;
    let off = x!.offset;
    for (let i = 0; i < p.axes.length; i++) {
      const ax = p.axes[i]!;
      off += dynamicStart(rd(start!.buf, start!.offset + i * step), x!.shape[ax]!, p.sizes[ax]!) * x!.strides[ax]!;
    }
    return [viewOf(x!, p.sizes, x!.strides, sizeOf(p.sizes) === 0 ? 0 : off)];
  },
};

/** Every CPU kernel of the indexing family. */
export const indexingKernels: CpuKernelTable<GatherPrims | ScatterPrims> = {
  ...gatherKernels,
  ...scatterKernels,
};
