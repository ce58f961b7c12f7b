/**
 * @file GPU kernels of the indexing family. Basic slicing (`indexView`) is a view sharing the input's buffer, as on
 * the CPU. Gathers and dynamic slices copy with the generated offset shader of layout-shader.ts: the indices (and a
 * dynamic slice's start) are read on the GPU, so nothing is read back. Indices wrap once when negative and then
 * clamp, exactly as the CPU kernels do.
 */
import type { IndexPlan, BasicPlan } from '../../../core/primitives/indexing.js';
import { computeType, convert } from '../wgsl.js';
import type { GpuArg } from '../backend.js';
import type { GpuKernel } from './kernel.js';
import { allGpu, dot, gatherLaunch, toI32, viewOut } from './layout-shader.js';
import { dynamicSliceUpdate } from './indexing-update.js';
import { scatterAxis } from './indexing-scatter.js';

/** Right-aligned broadcast strides of a view against `shape` (0 on broadcast dims). */
function bcast(a: GpuArg, shape: readonly number[]): number[] {
  const k = shape.length - a.shape.length;
  return shape.map((_, d) => (d < k || a.shape[d - k] === 1 ? 0 : a.strides[d - k]!));
}

/**
 * Launch parameters of an index plan walked over data with `strides` (from `offset`): the start offset, the data
 * stride of each output dim (0 on index dims), then per index array its offset, the size and data stride of the axis
 * it indexes, and its own stride per output dim (`idxSt`: broadcast against the plan's index shape; 0 on view dims).
 * Gathers walk the input's view; nd-scatters walk the dense output.
 */
export function planParams(
  p: IndexPlan, offset: number, strides: readonly number[], xShape: readonly number[], ia: readonly GpuArg[],
  idxSt: readonly (readonly number[])[],
): number[] {
  let base = offset;
  for (let ax = 0; ax < p.starts.length; ax++) base += p.starts[ax]! * strides[ax]!;
  const sBuf: number[] = [], sIdx: number[][] = ia.map(() => []);
  const adv = new Set(p.advDims);
  const pushIdx = (): void => {
    for (let k = 0; k < p.idxShape.length; k++) { sBuf.push(0); idxSt.forEach((s, j) => sIdx[j]!.push(s[k]!)); }
  };
  for (let i = 0; i < p.dims.length; i++) {
    if (i === p.insertAt && p.advDims.length) pushIdx();
    if (adv.has(i)) continue;
    const d = p.dims[i]!;
    sBuf.push(d.axis < 0 ? 0 : strides[d.axis]! * d.step);
    sIdx.forEach((s) => s.push(0));
  }
  if (p.advDims.length && p.insertAt >= p.dims.length) pushIdx();
  const extra = [base, ...sBuf];
  ia.forEach((g, j) => {
    const ax = p.dims[p.advDims[j]!]!.axis;
    extra.push(g.offset, xShape[ax]!, strides[ax]!, ...sIdx[j]!);
  });
  return extra;
}

const load = (j: number, a: GpuArg, to: GpuArg['dtype'], off: string): string =>
  convert(`ld${j}(${off})`, computeType(a.dtype)!, computeType(to)!);

const indexView: GpuKernel = {
  ok: (node) => allGpu(node.inputs),
  run: (node, be) => {
    const x = node.inputs[0]!, a = be.arg(x), p = node.params as BasicPlan;
    let off = a.offset;
    for (let ax = 0; ax < p.starts.length; ax++) off += p.starts[ax]! * a.strides[ax]!;
    const strides = p.dims.map((d) => (d.axis < 0 ? 0 : a.strides[d.axis]! * d.step));
    return [viewOut(be, x, a, p.dims.map((d) => d.size), strides, off)];
  },
};

/** Index arrays one gather launch binds: 8 buffers minus data, output and parameters. */
const MAX_IDX = 5;

const gather: GpuKernel = {
  ok: (node) => {
    const p = node.params as IndexPlan, x = node.inputs[0]!;
    return allGpu(node.inputs) && node.inputs.length - 1 <= MAX_IDX
      && p.advDims.every((i) => x.shape[p.dims[i]!.axis]! > 0);
  },
  run: (node, be) => {
    const [x, ...ids] = node.inputs, out = node.outputs[0]!, p = node.params as IndexPlan;
    const a = be.arg(x!), ia = ids.map((i) => be.arg(i));
    const nd = out.shape.length;
    const extra = planParams(p, a.offset, a.strides, x!.shape, ia, ia.map((g) => bcast(g, p.idxShape)));
    return [gatherLaunch(be, [a, ...ia], out.dtype, out.shape, extra, (P) => {
      const lines = [`var o = prm[${P}] + ${dot(nd, P + 1)};`];
      ia.forEach((g, j) => {
        const at = P + 1 + nd + j * (3 + nd);
        const iv = toI32(`ld${j + 1}(prm[${at}] + ${dot(nd, at + 3)})`, g.dtype);
        lines.push(`o += clampIdx(${iv}, prm[${at + 1}]) * prm[${at + 2}];`);
      });
      lines.push(`v = ${load(0, a, out.dtype, 'o')};`);
      return lines.join('\n    ');
    })];
  },
};

const gatherAxis: GpuKernel = {
  ok: (node) => allGpu(node.inputs) && node.inputs[0]!.shape[(node.params as { axis: number }).axis]! > 0,
  run: (node, be) => {
    const [x, i] = node.inputs, out = node.outputs[0]!, { axis } = node.params as { axis: number };
    const a = be.arg(x!), g = be.arg(i!), nd = out.shape.length;
    const xs = bcast(a, out.shape);
    xs[axis] = 0;
    const extra = [a.offset, a.strides[axis]!, x!.shape[axis]!, g.offset, ...xs, ...bcast(g, out.shape)];
    return [gatherLaunch(be, [a, g], out.dtype, out.shape, extra, (P) => {
      const t = `clampIdx(${toI32(`ld1(prm[${P + 3}] + ${dot(nd, P + 4 + nd)})`, g.dtype)}, prm[${P + 2}])`;
      return `v = ${load(0, a, out.dtype, `prm[${P}] + ${dot(nd, P + 4)} + ${t} * prm[${P + 1}]`)};`;
    })];
  },
};

const gatherFlat: GpuKernel = {
  ok: (node) => allGpu(node.inputs) && node.inputs[0]!.size > 0,
  run: (node, be) => {
    const [x, i] = node.inputs, out = node.outputs[0]!;
    const a = be.arg(x!), g = be.arg(i!), nd = out.shape.length, xn = a.shape.length;
    // the index array has the output's shape; its own strides walk it
    const extra = [x!.size, a.offset, g.offset, ...bcast(g, out.shape), ...a.shape, ...a.strides];
    return [gatherLaunch(be, [a, g], out.dtype, out.shape, extra, (P) => {
      const lines = [`var t = clampIdx(${toI32(`ld1(prm[${P + 2}] + ${dot(nd, P + 3)})`, g.dtype)}, prm[${P}]);`,
        `var o = prm[${P + 1}];`];
      const sh = P + 3 + nd, st = sh + xn;
      // unravel the flat index over the data's shape, then apply its strides
      for (let d = xn - 1; d >= 0; d--) lines.push(`o += (t % prm[${sh + d}]) * prm[${st + d}]; t = t / prm[${sh + d}];`);
      lines.push(`v = ${load(0, a, out.dtype, 'o')};`);
      return lines.join('\n    ');
    })];
  },
};

const dynamicSlice: GpuKernel = {
  ok: (node) => allGpu(node.inputs),
  run: (node, be) => {
    const [x, s] = node.inputs, out = node.outputs[0]!;
    const p = node.params as { axes: readonly number[]; sizes: readonly number[] };
    const a = be.arg(x!), g = be.arg(s!), nd = out.shape.length;
    const step = g.shape.length && g.shape[0]! > 1 ? g.strides[0]! : 0;
    const extra = [a.offset, ...a.strides, g.offset, step];
    for (const ax of p.axes) extra.push(x!.shape[ax]!, p.sizes[ax]!, a.strides[ax]!);
    return [gatherLaunch(be, [a, g], out.dtype, out.shape, extra, (P) => {
      const lines = [`var o = prm[${P}] + ${dot(nd, P + 1)};`];
      p.axes.forEach((_, k) => {
        const at = P + 3 + nd + 3 * k;
        lines.push(`{ var t = ${toI32(`ld1(prm[${P + 1 + nd}] + ${k} * prm[${P + 2 + nd}])`, g.dtype)};`
          + ` if (t < 0) { t += prm[${at}]; } if (t < 0) { t = 0; } t = min(t, prm[${at}] - prm[${at + 1}]);`
          + ` o += t * prm[${at + 2}]; }`);
      });
      lines.push(`v = ${load(0, a, out.dtype, 'o')};`);
      return lines.join('\n    ');
    })];
  },
};

/** The indexing GPU kernels, by primitive name. */
export const indexingKernels: Record<string, GpuKernel> = {
  indexView, gather, gatherAxis, gatherFlat, dynamicSlice, dynamicSliceUpdate, scatterAxis,
};
