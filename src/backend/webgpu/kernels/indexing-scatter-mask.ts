/**
 * @file GPU `maskScatter` (`a[mask] (op)= values`): an exclusive prefix sum of the mask (workgroup scans of 256,
 * the block totals scanned recursively) numbers the selected elements in row-major order, then an output-centric
 * pass gives each selected element its value (one value fills all; too few repeat the last, as on the CPU). Every
 * element is hit at most once, so no atomics are needed and the result equals the CPU's.
 */
import * as dt from '../../../core/dtype.js';
import type { ScatterMode } from '../../../core/primitives/indexing.js';
import { sizeOf } from '../../../core/shape.js';
import type { PooledBuffer } from '../allocator.js';
import type { GpuArg, WebGpuBackend } from '../backend.js';
import { computeType, convert } from '../wgsl.js';
import type { GpuKernel } from './kernel.js';
import { allGpu, copyDense } from './layout-shader.js';
import { generate, own } from './creation-gen.js';
import { F16_RNE, RECIP, combineExpr, roundHalf } from './indexing-scatter-atomic.js';

/** Elements one workgroup scans. */
const B = 256;

const BLOCK_SCAN = `@group(0) @binding(0) var<storage, read_write> buf: array<i32>;
@group(0) @binding(1) var<storage, read_write> sums: array<i32>;
@group(0) @binding(2) var<storage, read> prm: array<i32>;
var<workgroup> sh: array<i32, ${B}>;
@compute @workgroup_size(${B})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let blk = i32(wid.x + wid.y * nwg.x);
  let n = prm[0];
  let i = blk * ${B} + i32(lid);
  // no early return past the end: every invocation must reach the barriers
  var v = 0;
  if (i < n) { v = buf[i]; }
  sh[lid] = v;
  workgroupBarrier();
  for (var d = 1u; d < ${B}u; d = d * 2u) {
    var t = 0;
    if (lid >= d) { t = sh[lid - d]; }
    workgroupBarrier();
    sh[lid] = sh[lid] + t;
    workgroupBarrier();
  }
  if (i < n) { buf[i] = sh[lid] - v; }
  if (lid == ${B - 1}u && blk < prm[1]) { sums[blk] = sh[lid]; }
}`;

const ADD_BLOCKS = `@group(0) @binding(0) var<storage, read_write> buf: array<i32>;
@group(0) @binding(1) var<storage, read> sums: array<i32>;
@group(0) @binding(2) var<storage, read> prm: array<i32>;
@compute @workgroup_size(${B})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = i32(wid.x + wid.y * nwg.x) * ${B} + i32(lid);
  if (i < prm[0]) { buf[i] = buf[i] + sums[i / ${B}]; }
}`;

/** Exclusive prefix sum of `n` i32 values of `buf`, in place. */
export function scanInPlace(be: WebGpuBackend, buf: PooledBuffer, n: number): void {
  if (n === 0) return;
  const blocks = Math.ceil(n / B);
  const sums = be.temp(4 * blocks);
  be.dispatch(BLOCK_SCAN, [buf, sums, be.params([n, blocks])], blocks);
  if (blocks === 1) return;
  scanInPlace(be, sums, blocks);
  be.dispatch(ADD_BLOCKS, [buf, sums, be.params([n])], blocks);
}

const maskScatter: GpuKernel = {
  ok: (node) => {
    const [x, , v] = node.inputs, { mode } = node.params as { mode: ScatterMode };
    const t = computeType(x!.dtype);
    return allGpu(node.inputs) && v!.dtype === x!.dtype && t !== null && (mode === 'set' || combineExpr(mode, t, x!.dtype) !== null);
  },
  run: (node, be) => {
    const [x, mask, vals] = node.inputs, { mode } = node.params as { mode: ScatterMode };
    const a = be.arg(x!), nv = vals!.size;
    if (nv === 0 || x!.size === 0) return [copyDense(be, a)];
    const m = be.arg(mask!), M = mask!.size, mt = computeType(mask!.dtype)!;
    const inner = sizeOf(x!.shape.slice(mask!.shape.length));
    // 0/1 per mask element in row-major order, then numbered by the scan
    const counts = generate(be, dt.int32, [M], convert(convert('ld0(e)', mt, 'bool'), 'bool', 'i32'), {
      ins: [own(m)],
    });
    const cbuf = counts.storage.handle as PooledBuffer;
    scanInPlace(be, cbuf, M);
    const t = computeType(x!.dtype)!;
    const comb = mode === 'set' ? 'b' : combineExpr(mode, t, x!.dtype)!;
    const helpers = `${RECIP}
${F16_RNE}
fn comb(a: ${t}, b: ${t}) -> ${t} { return ${comb}; }
fn pick(e: i32) -> ${t} {
  let p = e / pi(0); let q = e % pi(0);
  let a = ld0(e);
  if (!${convert('ld1(p)', mt, 'bool')}) { return a; }
  let k = ld2(p) * pi(0) + q;
  let vi = select(min(k, pi(1) - 1), 0, pi(1) == 1);
  return ${t === 'f32' ? roundHalf('comb(a, ld3(vi))', x!.dtype) : 'comb(a, ld3(vi))'};
}`;
    const scanArg: GpuArg = { buf: cbuf, dtype: dt.int32, shape: [M], strides: [1], offset: 0 };
    const out = generate(be, x!.dtype, x!.shape, 'pick(e)', {
      ins: [own(a), own(m), own(scanArg), own(be.arg(vals!))], extra: [inner, nv], helpers,
    });
    counts.storage.retain(); counts.storage.release();
    return [out];
  },
};

/** The mask scatter kernel, by primitive name. */
export const maskScatterKernels: Record<string, GpuKernel> = { maskScatter };
