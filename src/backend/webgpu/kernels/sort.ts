/**
 * @file GPU kernels of the sort family: sort, argsort, partition, argpartition and topk through the bitonic
 * network of sort-net.ts, then one output-centric gather writing the dense result (values are copied as raw bits,
 * so -0, infinities and every integer survive exactly). partition/argpartition return the full sort, as the CPU
 * kernel does (a sorted lane is a valid partition); topk returns the last k sorted elements (the k largest, in
 * ascending order: the contract leaves the order unspecified). 64-bit and complex inputs decline (CPU kernel).
 */
import * as dt from '../../../core/dtype.js';
import type { Dtype } from '../../../core/dtype.js';
import type { Node } from '../../../core/array.js';
import { sizeOf } from '../../../core/shape.js';
import type { ArrayData } from '../../backend.js';
import type { PooledBuffer } from '../allocator.js';
import type { GpuArg, WebGpuBackend } from '../backend.js';
import { PRELUDE, PACKED_WG, computeType, lanes as perWord, loader, packedMain } from '../wgsl.js';
import type { GpuKernel } from './kernel.js';
import { MAX_PADDED, keyExpr, laneOffsetFn, lanesOf, padded, rawDtype, sortPairs, type KeySource, type Lanes } from './sort-net.js';

/** The CPU's NaN bits when it stores a sorted NaN in a half dtype (it converts through a JS number). */
const HALF_NAN: Record<string, [number, number]> = { float16: [0x7c00, 0x7e00], bfloat16: [0x7f80, 0x7fc0] };

/** Keys read from the strided input: the order-preserving key of each element's raw bits. */
export function inputKeys(x: GpuArg, l: Lanes, zeroEqual: boolean): KeySource {
  const off = laneOffsetFn('src_off', l, 4);
  const helpers = `${loader('raw0', 'src0', rawDtype(x.dtype))}
${off.wgsl}
fn key_at(r: i32, j: i32) -> u32 { let h = raw0(src_off(r, j)); return ${keyExpr('h', x.dtype, zeroEqual)}; }`;
  return { helpers, buffers: [x.buf], prm: off.prm };
}

/**
 * Writes the dense output `out` (lanes of `outLane` along the axis with `inner` elements after it): position j of
 * lane r takes sorted slot `r * rowStride + base + j` of `idx`; `values` copies that input element's bits (else the
 * index itself, as uint32).
 */
export function gatherOut(
  be: WebGpuBackend, x: GpuArg, l: Lanes, idx: PooledBuffer, out: { dtype: Dtype; shape: readonly number[] },
  o: { outLane: number; inner: number; rowStride: number; base: number; values: boolean },
): ArrayData {
  const res = be.output(out.dtype, out.shape);
  const count = sizeOf(out.shape);
  if (count === 0) return res.data;
  const raw = o.values ? rawDtype(x.dtype) : dt.uint32;
  const off = laneOffsetFn('src_off', l, 5);
  const nan = HALF_NAN[x.dtype.name];
  // the phony read keeps binding 0 in the pipeline's layout when only indices are written
  const val = !o.values ? '_ = arrayLength(&src0); let v = u32(s);'
    : nan ? `var v = raw0(src_off(r, s)); if ((v & 0x7fffu) > ${nan[0]}u) { v = ${nan[1]}u; }`
      : 'let v = raw0(src_off(r, s));';
  const code = `${PRELUDE}
@group(0) @binding(0) var<storage, read> src0: array<u32>;
@group(0) @binding(1) var<storage, read> sidx: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(3) var<storage, read> prm: array<i32>;
${loader('raw0', 'src0', rawDtype(x.dtype))}
${off.wgsl}
${packedMain(raw, `let lane = prm[1] * prm[2]; let outer = e / lane; let rem = e % lane;
    let j = rem / prm[2]; let r = outer * prm[2] + rem % prm[2];
    let s = i32(sidx[u32(r * prm[3] + prm[4] + j)]);
    ${val}`)}`;
  const prm = [count, o.outLane, o.inner, o.rowStride, o.base, ...off.prm];
  const words = Math.ceil(count / perWord(raw));
  be.dispatch(code, [x.buf, idx, res.arg.buf, be.params(prm)], Math.ceil(words / PACKED_WG));
  return res.data;
}

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

/** Sort-family GPU kernels. */
export const sortKernels: Record<string, GpuKernel> = {
  sort: sortKernel(true, all),
  partition: sortKernel(true, all),
  argsort: sortKernel(false, all),
  argpartition: sortKernel(false, all),
  topk: sortKernel(true, (p) => p['k'] as number),
};
