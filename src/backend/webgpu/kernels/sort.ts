/**
 * @file GPU kernels of the sort family: sort, argsort, partition, argpartition and topk through the bitonic
 * network of sort-net.ts, then one output-centric gather writing the dense result (values are copied as raw bits,
 * so -0, infinities and every integer survive exactly). partition/argpartition return the full sort, as the CPU
 * kernel does (a sorted lane is a valid partition); topk returns the last k sorted elements (the k largest, in
 * ascending order: the contract leaves the order unspecified). 64-bit and complex inputs decline (CPU kernel).
 */
import type { Node } from '../../../core/array.js';
import { sizeOf } from '../../../core/shape.js';
import { computeType } from '../wgsl.js';
import type { GpuKernel } from './kernel.js';
import { MAX_PADDED, gatherOut, inputKeys, lanesOf, padded, sortPairs } from './sort-net.js';
import { searchKernels } from './sort-search.js';
import { permutationKernels } from './sort-perm.js';

/** Whether the GPU sorts lanes of this node's input: 32-bit-or-narrower dtypes, padded pairs within one binding. */
function sortable(node: Node, axis: number | null): boolean {
  const x = node.inputs[0]!;
  if (computeType(x.dtype) === null) return false;
  const n = axis === null ? x.size : x.shape[axis]!;
  const rows = n === 0 ? 0 : x.size / n;
  return rows * n === 0 || padded(rows, n).total <= MAX_PADDED;
}

const innerOf = (shape: readonly number[], axis: number | null): number =>
  axis === null ? 1 : sizeOf(shape.slice(axis + 1));

/** A kernel sorting each lane and writing the last `keep(n)` sorted positions (values or indices). */
function sortKernel(values: boolean, keep: (p: Record<string, unknown>, n: number) => number): GpuKernel {
  return {
    ok: (node) => sortable(node, (node.params as { axis: number | null }).axis),
    run: (node, be) => {
      const p = node.params as { axis: number | null }, xa = node.inputs[0]!, out = node.outputs[0]!;
      const x = be.arg(xa), l = lanesOf(x, p.axis);
      if (l.rows * l.n === 0 || out.size === 0) return [be.output(out.dtype, out.shape).data];
      // the value sort orders -0 before +0 (as the CPU's typed-array sort); index sorts treat them as equal
      const { idx, P } = sortPairs(be, l.rows, l.n, inputKeys(x, l, !values));
      const k = keep(p as Record<string, unknown>, l.n);
      return [gatherOut(be, x, l, idx, out, { outLane: k, inner: innerOf(xa.shape, p.axis), rowStride: P, base: l.n - k, values })];
    },
  };
}

const all = (_p: Record<string, unknown>, n: number): number => n;

/** Sort-family GPU kernels (with searchsorted and the permutation sampler, which reuse the network). */
export const sortKernels: Record<string, GpuKernel> = {
  ...searchKernels, ...permutationKernels,
  sort: sortKernel(true, all),
  partition: sortKernel(true, all),
  argsort: sortKernel(false, all),
  argpartition: sortKernel(false, all),
  topk: sortKernel(true, (p) => p['k'] as number),
};
