/**
 * @file The GPU `randomPermutation` kernel. The CPU defines the permutation from the key: the stable argsort of
 * the key's `n` Threefry words (MLX's bits layout). The GPU computes the same words (creation-random.ts), sorts
 * them with the stable (key, index) network, and so yields the identical permutation; shuffling an array then
 * gathers its slices along the axis by raw bits (64-bit and complex elements as two words each).
 */
import * as dt from '../../../core/dtype.js';
import type { PrimitiveParams } from '../../../core/primitive.js';
import { rowMajorStrides } from '../../../core/shape.js';
import type { GpuArg } from '../backend.js';
import type { GpuKernel } from './kernel.js';
import { THREEFRY } from './creation-random.js';
import { MAX_PADDED, gatherOut, lanesOf, padded, rawDtype, sortPairs } from './sort-net.js';

/** Buffer offset of row-major element `i` (0 or 1) of a strided view. */
function elementOffset(a: GpuArg, i: number): number {
  let rem = i, o = a.offset;
  for (let d = a.shape.length - 1; d >= 0; d--) {
    const s = a.shape[d]!;
    o += (rem % s) * a.strides[d]!;
    rem = Math.floor(rem / s);
  }
  return o;
}

/** The array viewed as raw words: 8-byte elements become two uint32 along a new last axis. */
function rawView(a: GpuArg): GpuArg {
  if (a.dtype.size !== 8) return { ...a, dtype: rawDtype(a.dtype) };
  return { ...a, dtype: dt.uint32, shape: [...a.shape, 2], strides: [...a.strides.map((s) => 2 * s), 1], offset: 2 * a.offset };
}

const randomPermutation: GpuKernel = {
  ok: (node) => {
    const p = node.params as PrimitiveParams['randomPermutation'];
    const x = node.inputs[1];
    if (node.inputs[0]!.dtype !== dt.uint32 || node.inputs[0]!.size < 2) return false;
    if (x && ![1, 2, 4, 8].includes(x.dtype.size)) return false;
    return p.n === 0 || padded(1, p.n).total <= MAX_PADDED;
  },
  run: (node, be) => {
    const p = node.params as PrimitiveParams['randomPermutation'];
    const key = be.arg(node.inputs[0]!), out = node.outputs[0]!;
    const xa = node.inputs[1];
    if (p.n === 0 || out.size === 0) return [be.output(out.dtype, out.shape).data];
    const helpers = `${THREEFRY}
fn key_at(r: i32, j: i32) -> u32 { return key_word(src0[u32(prm[4])], src0[u32(prm[5])], u32(prm[6]), u32(j)); }`;
    const { idx } = sortPairs(be, 1, p.n, {
      helpers, buffers: [key.buf], prm: [elementOffset(key, 0), elementOffset(key, 1), p.n],
    });
    const along = { outLane: p.n, rowStride: 0, base: 0 };
    if (!xa) {
      const l = lanesOf({ shape: [p.n], strides: [1], offset: 0 }, 0);
      return [gatherOut(be, key, l, idx, out, { ...along, inner: 1, values: false })];
    }
    const x = rawView(be.arg(xa));
    const wide = xa.dtype.size === 8;
    const shape = wide ? [...out.shape, 2] : out.shape;
    const inner = shape.slice(p.axis + 1).reduce((a, b) => a * b, 1);
    const d = gatherOut(be, x, lanesOf(x, p.axis), idx, { dtype: x.dtype, shape }, { ...along, inner, values: true });
    return [wide ? { ...d, strides: rowMajorStrides(out.shape) } : d];
  },
};

/** The permutation sampler's GPU kernel. */
export const permutationKernels: Record<string, GpuKernel> = { randomPermutation };
