/**
 * @file CPU kernels of the layout family. Reshape (when strides allow), transpose, broadcastTo, split, flip,
 * diagonal and asStrided return views sharing the input's storage: only shape, strides and offset change. The
 * copying kernels live in layout-copy.ts.
 */
import type { CpuKernel, CpuKernelTable } from '../kernel.js';
import { broadcastStrides, isRowContiguous, type CpuView } from '../view.js';
import { rowMajorStrides, sizeOf } from '../../../core/shape.js';
import { diagonalShape } from '../../../core/primitives/layout.js';
import { copyStrided, denseCopy, layoutCopyKernels } from './layout-copy.js';

/** A view of `x`'s storage with new geometry. */
function viewOf(x: CpuView, shape: readonly number[], strides: readonly number[], offset: number): CpuView {
  return {
    buf: x.buf, storage: x.storage, dtype: x.dtype, shape, strides, offset,
    contiguous: isRowContiguous(shape, strides),
  };
}

/**
 * Strides that present `shape`/`strides` as `newShape` without moving data, or null when the elements of some
 * merged group of dims are not evenly spaced (then reshape must copy).
 */
export function reshapeStrides(shape: readonly number[], strides: readonly number[], newShape: readonly number[]): number[] | null {
  if (sizeOf(shape) === 0) return rowMajorStrides(newShape);
  const os: number[] = [], ost: number[] = [];
  for (let i = 0; i < shape.length; i++) if (shape[i] !== 1) { os.push(shape[i]!); ost.push(strides[i]!); }
  const nn = newShape.length;
  const ns = new Array<number>(nn).fill(0);
  let oi = 0, ni = 0;
  while (ni < nn) {
    if (newShape[ni] === 1) { ni++; continue; }
    // the smallest run of new dims and old dims covering the same number of elements
    let np = newShape[ni]!, op = os[oi]!, nj = ni + 1, oj = oi + 1;
    while (np !== op) {
      if (np < op) np *= newShape[nj++]!;
      else op *= os[oj++]!;
    }
    for (let k = oi; k < oj - 1; k++) if (ost[k] !== ost[k + 1]! * os[k + 1]!) return null;
    let st = ost[oj - 1]!;
    for (let k = nj - 1; k >= ni; k--) { ns[k] = st; st *= newShape[k]!; }
    ni = nj;
    oi = oj;
  }
  return ns;
}

const reshape: CpuKernel<'reshape'> = ([x], p, _o, be) => {
  if (x!.contiguous) {
    return [{ ...x!, shape: p.shape, strides: rowMajorStrides(p.shape), contiguous: true }];
  }
  const st = reshapeStrides(x!.shape, x!.strides, p.shape);
  if (st) return [viewOf(x!, p.shape, st, x!.offset)];
  const o = be.alloc(x!.dtype, p.shape);
  copyStrided(x!, o.buf, rowMajorStrides(x!.shape), 0);
  return [o];
};

const transpose: CpuKernel<'transpose'> = ([x], p) => {
  const shape = p.axes.map((a) => x!.shape[a]!), strides = p.axes.map((a) => x!.strides[a]!);
  return [viewOf(x!, shape, strides, x!.offset)];
};

const broadcastTo: CpuKernel<'broadcastTo'> = ([x], p) => [viewOf(x!, p.shape, broadcastStrides(x!, p.shape), x!.offset)];

const split: CpuKernel<'split'> = ([x], p) => {
  const st = x!.strides[p.axis]!;
  return p.sizes.map((n, i) => {
    const shape = [...x!.shape];
    shape[p.axis] = n;
    return viewOf(x!, shape, x!.strides, n === 0 ? x!.offset : x!.offset + p.starts[i]! * st);
  });
};

const flip: CpuKernel<'flip'> = ([x], p) => {
  if (sizeOf(x!.shape) === 0) return [x!];
  const strides = [...x!.strides];
  let offset = x!.offset;
  for (const a of p.axes) {
    offset += (x!.shape[a]! - 1) * strides[a]!;
    strides[a] = -strides[a]!;
  }
  return [viewOf(x!, x!.shape, strides, offset)];
};

const diagonal: CpuKernel<'diagonal'> = ([x], p) => {
  const shape = diagonalShape(x!.shape, p);
  const strides: number[] = [];
  for (let i = 0; i < x!.shape.length; i++) if (i !== p.axis1 && i !== p.axis2) strides.push(x!.strides[i]!);
  const s1 = x!.strides[p.axis1]!, s2 = x!.strides[p.axis2]!;
  strides.push(s1 + s2);
  const empty = sizeOf(shape) === 0;
  const offset = x!.offset + (empty ? 0 : p.offset >= 0 ? p.offset * s2 : -p.offset * s1);
  return [viewOf(x!, shape, strides, offset)];
};

const asStrided: CpuKernel<'asStrided'> = ([x], p, _o, be) => {
  // strides are in terms of the row-major input, as in MLX
  const base = denseCopy(x!, be);
  return [viewOf(base, p.shape, p.strides, base.offset + p.offset)];
};

export const layoutKernels: CpuKernelTable<
  'reshape' | 'transpose' | 'broadcastTo' | 'split' | 'flip' | 'diagonal' | 'asStrided'
  | 'concatenate' | 'pad' | 'diagMatrix' | 'view' | 'contiguous'
> = {
  reshape, transpose, broadcastTo, split, flip, diagonal, asStrided, ...layoutCopyKernels,
};
