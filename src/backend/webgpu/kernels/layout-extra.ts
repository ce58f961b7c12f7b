/**
 * @file GPU `asStrided` and `diagMatrix`. asStrided's strides count in the row-major input (as in MLX), so a dense
 * GPU input becomes a view of its buffer and a strided one is made dense first. diagMatrix is output-centric:
 * element (i, j) reads the vector where j - i = k and is zero elsewhere.
 */
import { isRowContiguous } from '../../cpu/view.js';
import { computeType, convert } from '../wgsl.js';
import type { GpuKernel } from './kernel.js';
import { allGpu, copyDense, gatherLaunch } from './layout-shader.js';

export const asStrided: GpuKernel = {
  ok: (node) => allGpu(node.inputs),
  run: (node, be) => {
    const x = node.inputs[0]!, a = be.arg(x);
    const p = node.params as { shape: readonly number[]; strides: readonly number[]; offset: number };
    const contiguous = isRowContiguous(p.shape, p.strides);
    if (x._data!.storage.backend === be && isRowContiguous(a.shape, a.strides)) {
      return [{ storage: x._data!.storage, offset: a.offset + p.offset, strides: p.strides, contiguous }];
    }
    const d = copyDense(be, a);
    return [{ storage: d.storage, offset: p.offset, strides: p.strides, contiguous }];
  },
};

export const diagMatrix: GpuKernel = {
  ok: (node) => allGpu(node.inputs),
  run: (node, be) => {
    const x = node.inputs[0]!, out = node.outputs[0]!, { k } = node.params as { k: number };
    const a = be.arg(x), to = computeType(out.dtype)!;
    const r0 = k >= 0 ? 0 : -k;
    return [gatherLaunch(be, [a], out.dtype, out.shape, [k, r0, a.offset, a.strides[0] ?? 0], (P) =>
      `if (idx[1] - idx[0] == prm[${P}]) { v = ${convert(`ld0(prm[${P + 2}] + (idx[0] - prm[${P + 1}]) * prm[${P + 3}])`, computeType(a.dtype)!, to)}; }`
      + ` else { v = ${convert('0', 'i32', to)}; }`)];
  },
};
