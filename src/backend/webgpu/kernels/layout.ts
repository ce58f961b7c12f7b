/**
 * @file GPU kernels of the layout family. As on the CPU, reshape (when strides allow), transpose, broadcastTo,
 * split, flip and diagonal return views sharing the input's GPU buffer: only shape, strides and offset change, and
 * later kernels read the strided view directly (readback makes it dense on the GPU). Contiguous, a reshape that
 * cannot be a view, and concatenate copy.
 */
import type { Node } from '../../../core/array.js';
import { rowMajorStrides, sizeOf } from '../../../core/shape.js';
import { diagonalShape } from '../../../core/primitives/layout.js';
import { isRowContiguous } from '../../cpu/view.js';
import { reshapeStrides } from '../../cpu/kernels/layout.js';
import { computeType, convert } from '../wgsl.js';
import type { GpuKernel } from './kernel.js';
import { allGpu, copyDense, dot, gatherLaunch, viewOut } from './layout-shader.js';
import { pad } from './layout-pad.js';
import { asStrided, diagMatrix } from './layout-extra.js';

/** A kernel accepting any node whose inputs and outputs have GPU dtypes. */
const gpuOk = (node: Node): boolean => allGpu(node.inputs) && allGpu(node.outputs);
/**
 * Pure views (transpose, broadcast, split, flip, and reshapes the strides allow) copy nothing, so they also take 64-bit, complex and float64 arrays
 * that already live on the GPU; only a CPU-resident input (which needs a dense copy kernel) needs a GPU dtype.
 */
const viewOk = (node: Node): boolean => gpuOk(node) || node.inputs.every((x) => x._data?.storage.backend.type === 'gpu');

const reshape: GpuKernel = {
  // any GPU-resident dtype when the reshape is a view; a copy needs a GPU dtype
  ok: (node) => gpuOk(node) || (viewOk(node) && reshapeStrides(node.inputs[0]!.shape, node.inputs[0]!._data!.strides, node.outputs[0]!.shape) !== null),
  run: (node, be) => {
    const x = node.inputs[0]!, shape = node.outputs[0]!.shape, a = be.arg(x);
    const st = reshapeStrides(a.shape, a.strides, shape);
    if (st) return [viewOut(be, x, a, shape, st, a.offset)];
    const d = copyDense(be, a);
    return [{ ...d, strides: rowMajorStrides(shape) }];
  },
};

const transpose: GpuKernel = {
  ok: viewOk,
  run: (node, be) => {
    const x = node.inputs[0]!, a = be.arg(x), { axes } = node.params as { axes: readonly number[] };
    return [viewOut(be, x, a, axes.map((i) => a.shape[i]!), axes.map((i) => a.strides[i]!), a.offset)];
  },
};

const broadcastTo: GpuKernel = {
  ok: viewOk,
  run: (node, be) => {
    const x = node.inputs[0]!, a = be.arg(x), shape = node.outputs[0]!.shape;
    const k = shape.length - a.shape.length;
    const st = shape.map((_, d) => (d < k || a.shape[d - k] === 1 ? 0 : a.strides[d - k]!));
    return [viewOut(be, x, a, shape, st, a.offset)];
  },
};

const split: GpuKernel = {
  ok: viewOk,
  run: (node, be) => {
    const x = node.inputs[0]!, a = be.arg(x);
    const p = node.params as { axis: number; sizes: readonly number[]; starts: readonly number[] };
    const st = a.strides[p.axis]!;
    return p.sizes.map((n, i) => {
      const shape = [...a.shape];
      shape[p.axis] = n;
      return viewOut(be, x, a, shape, a.strides, a.offset + p.starts[i]! * st);
    });
  },
};

const flip: GpuKernel = {
  ok: viewOk,
  run: (node, be) => {
    const x = node.inputs[0]!, a = be.arg(x), { axes } = node.params as { axes: readonly number[] };
    const strides = [...a.strides];
    let offset = a.offset;
    if (sizeOf(a.shape) > 0) {
      for (const ax of axes) {
        offset += (a.shape[ax]! - 1) * strides[ax]!;
        strides[ax] = -strides[ax]!;
      }
    }
    return [viewOut(be, x, a, a.shape, strides, offset)];
  },
};

const diagonal: GpuKernel = {
  ok: gpuOk,
  run: (node, be) => {
    const x = node.inputs[0]!, a = be.arg(x);
    const p = node.params as { offset: number; axis1: number; axis2: number };
    const shape = diagonalShape(a.shape, p);
    const strides: number[] = [];
    for (let i = 0; i < a.shape.length; i++) if (i !== p.axis1 && i !== p.axis2) strides.push(a.strides[i]!);
    const s1 = a.strides[p.axis1]!, s2 = a.strides[p.axis2]!;
    strides.push(s1 + s2);
    const offset = a.offset + (p.offset >= 0 ? p.offset * s2 : -p.offset * s1);
    return [viewOut(be, x, a, shape, strides, offset)];
  },
};

const contiguous: GpuKernel = {
  ok: gpuOk,
  run: (node, be) => {
    const x = node.inputs[0]!, a = be.arg(x), { allowColMajor } = node.params as { allowColMajor: boolean };
    const rowOk = isRowContiguous(a.shape, a.strides);
    const colOk = allowColMajor && isRowContiguous([...a.shape].reverse(), [...a.strides].reverse());
    if (rowOk || colOk) return [viewOut(be, x, a, a.shape, a.strides, a.offset)];
    return [copyDense(be, a)];
  },
};

/** Inputs one concatenate launch can bind: 8 storage buffers per stage minus the output and the parameters. */
const MAX_CONCAT = 6;

const concatenate: GpuKernel = {
  ok: (node) => gpuOk(node) && node.inputs.filter((x) => x.size > 0).length <= MAX_CONCAT,
  run: (node, be) => {
    const out = node.outputs[0]!, { axis } = node.params as { axis: number };
    const nd = out.shape.length, to = computeType(out.dtype)!;
    let start = 0;
    const parts: { arg: ReturnType<typeof be.arg>; end: number; base: number }[] = [];
    for (const x of node.inputs) {
      const n = x.shape[axis]!;
      if (x.size > 0) {
        const a = be.arg(x);
        // element offset = base + sum idx[d] * strides[d], with idx[axis] still counted from the output's origin
        parts.push({ arg: a, end: start + n, base: a.offset - start * a.strides[axis]! });
      }
      start += n;
    }
    if (out.size === 0 || parts.length === 0) return [be.output(out.dtype, out.shape).data];
    const extra: number[] = [];
    for (const p of parts) extra.push(p.end, p.base, ...p.arg.strides);
    return [gatherLaunch(be, parts.map((p) => p.arg), out.dtype, out.shape, extra, (P) => {
      const w = 2 + nd;
      const branch = parts.map((p, j) => {
        const at = P + j * w;
        const load = convert(`ld${j}(prm[${at + 1}] + ${dot(nd, at + 2)})`, computeType(p.arg.dtype)!, to);
        return `${j ? 'else ' : ''}if (c < prm[${at}]) { v = ${load}; }`;
      });
      return `let c = idx[${axis}];\n    ${branch.join(' ')}`;
    })];
  },
};

/** The layout GPU kernels, by primitive name. */
export const layoutKernels: Record<string, GpuKernel> = {
  reshape, transpose, broadcastTo, split, flip, diagonal, contiguous, concatenate, pad, asStrided, diagMatrix,
};
