/**
 * @file GPU `scatter` (`a.at[idx] (op)= v` under an index plan) and `scatterFlat` (`a.flat[idx] (op)= v`): the
 * target of every update is computed on the GPU from the index arrays (wrapped once when negative, then clamped,
 * as the CPU), and indexing-scatter-atomic.ts combines the updates with atomics.
 */
import * as dt from '../../../core/dtype.js';
import type { IndexPlan, ScatterMode } from '../../../core/primitives/indexing.js';
import { planShape } from '../../../core/primitives/indexing.js';
import { rowMajorStrides, sizeOf } from '../../../core/shape.js';
import type { Node } from '../../../core/array.js';
import type { GpuKernel } from './kernel.js';
import { allGpu, copyDense, dot, gatherLaunch, toI32 } from './layout-shader.js';
import { applyScatter, bcastDrop, scatterSupported } from './indexing-scatter-atomic.js';
import { maskScatterKernels } from './indexing-scatter-mask.js';
import { planParams } from './indexing.js';

/** Index arrays one target launch binds: 8 buffers minus the targets and the parameters. */
const MAX_IDX = 6;

const okCommon = (node: Node, mode: ScatterMode, updates: number): boolean => {
  const x = node.inputs[0]!;
  return allGpu(node.inputs) && node.inputs[updates]!.dtype === x.dtype && scatterSupported(mode, x.dtype)
    && x.size < 2 ** 31;
};

const scatter: GpuKernel = {
  ok: (node) => {
    const p = node.params as IndexPlan & { mode: ScatterMode };
    return okCommon(node, p.mode, 1) && node.inputs.length - 2 <= MAX_IDX;
  },
  run: (node, be) => {
    const [x, u, ...ids] = node.inputs, p = node.params as IndexPlan & { mode: ScatterMode };
    const a = be.arg(x!);
    const ushape = planShape(p);
    if (sizeOf(ushape) === 0 || p.advDims.some((i) => x!.shape[p.dims[i]!.axis] === 0)) return [copyDense(be, a)];
    const ia = ids.map((i) => be.arg(i));
    // offsets in the dense output: the gather's plan walk with the output's row-major strides
    const nd = ushape.length;
    const extra = planParams(p, 0, rowMajorStrides(x!.shape), x!.shape, ia, ia.map((g) => bcastDrop(g, p.idxShape)));
    const targets = gatherLaunch(be, ia, dt.int32, ushape, extra, (P) => {
      const lines = [`var o = prm[${P}] + ${dot(nd, P + 1)};`];
      ia.forEach((g, j) => {
        const at = P + 1 + nd + j * (3 + nd);
        lines.push(`o += clampIdx(${toI32(`ld${j}(prm[${at}] + ${dot(nd, at + 3)})`, g.dtype)}, prm[${at + 1}]) * prm[${at + 2}];`);
      });
      lines.push('v = o;');
      return lines.join('\n    ');
    });
    return [applyScatter(be, a, be.arg(u!), ushape, targets, p.mode)];
  },
};

const scatterFlat: GpuKernel = {
  ok: (node) => okCommon(node, (node.params as { mode: ScatterMode }).mode, 2),
  run: (node, be) => {
    const [x, i, u] = node.inputs, p = node.params as { mode: ScatterMode };
    const a = be.arg(x!), n = x!.size, shape = i!.shape;
    if (n === 0 || i!.size === 0) return [copyDense(be, a)];
    const g = be.arg(i!), nd = shape.length;
    const targets = gatherLaunch(be, [g], dt.int32, shape, [n, g.offset, ...g.strides], (P) =>
      `v = clampIdx(${toI32(`ld0(prm[${P + 1}] + ${dot(nd, P + 2)})`, g.dtype)}, prm[${P}]);`);
    return [applyScatter(be, a, be.arg(u!), shape, targets, p.mode)];
  },
};

/** The scatter kernels of these files (atomic scatters and the mask scatter), by primitive name. */
export const scatterNdKernels: Record<string, GpuKernel> = { scatter, scatterFlat, ...maskScatterKernels };
