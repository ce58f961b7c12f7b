/**
 * @file Matmul on the GPU: kernel selection by shape (matrix-vector, split-K, register-blocked tiles, or the plain
 * reference kernel defined here) with parameters from tuning.ts. Every path accumulates in f32 for
 * float32/float16/bfloat16 (halves are read through their loaders and narrowed afterwards); batch dimensions
 * broadcast through zero strides; 1-D operands are a row (a) or a column (b).
 */
import * as dt from '../../../core/dtype.js';
import type { Dtype } from '../../../core/dtype.js';
import type { GpuArg, WebGpuBackend } from '../backend.js';
import { PRELUDE, computeType, loader } from '../wgsl.js';
import { DEFAULT_TUNING, gpuTuning, type GpuTuning, type TiledParams } from '../tuning.js';
import type { GpuKernel } from './kernel.js';
import { narrow } from './elementwise.js';
import { matProblem, metaOf, type MatProblem } from './matmul-common.js';
import { tiledMatmul, tiledValid } from './matmul-tiled.js';
import { matvec, matvecValid } from './matmul-vec.js';
import { splitCount, splitKMatmul } from './matmul-splitk.js';
import { sgMatrixMatmul, sgMatrixReady } from './matmul-sgmatrix.js';

const T = 16;

function shader(a: Dtype, b: Dtype, nb: number): string {
  // meta: [M, N, K, sam, sak, sbk, sbn, aoff, boff, batchShape[nb], aBatchStrides[nb], bBatchStrides[nb], total]
  const bs = 9, as_ = 9 + nb, bst = 9 + 2 * nb, tot = 9 + 3 * nb;
  const dec: string[] = [];
  for (let d = nb - 1; d >= 0; d--) {
    dec.push(`{ let i = ${d ? `rem % prm[${bs + d}]` : 'rem'};${d ? ` rem = rem / prm[${bs + d}];` : ''} ao += i * prm[${as_ + d}]; bo += i * prm[${bst + d}]; }`);
  }
  return `${PRELUDE}
@group(0) @binding(0) var<storage, read> in0: array<u32>;
@group(0) @binding(1) var<storage, read> in1: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(3) var<storage, read> prm: array<i32>;
${loader('lda', 'in0', a)}
${loader('ldb', 'in1', b)}
var<workgroup> As: array<f32, ${T * T}>;
var<workgroup> Bs: array<f32, ${T * T}>;
@compute @workgroup_size(${T}, ${T})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let M = prm[0]; let N = prm[1]; let K = prm[2];
  let tm = (M + ${T - 1}) / ${T}; let tn = (N + ${T - 1}) / ${T};
  let g = i32(wid.x + wid.y * nwg.x);
  let valid = g < prm[${tot}];
  let batch = g / (tm * tn);
  let t = g % (tm * tn);
  let r = (t / tn) * ${T} + i32(lid.y);
  let c = (t % tn) * ${T} + i32(lid.x);
  var ao = prm[7]; var bo = prm[8];
  var rem = batch;
  ${dec.join('\n  ')}
  var acc = 0.0;
  for (var k0 = 0; k0 < K; k0 += ${T}) {
    let ka = k0 + i32(lid.x);
    var va = 0.0;
    if (valid && r < M && ka < K) { va = lda(ao + r * prm[3] + ka * prm[4]); }
    As[lid.y * ${T}u + lid.x] = va;
    let kb = k0 + i32(lid.y);
    var vb = 0.0;
    if (valid && kb < K && c < N) { vb = ldb(bo + kb * prm[5] + c * prm[6]); }
    Bs[lid.y * ${T}u + lid.x] = vb;
    workgroupBarrier();
    for (var kk = 0u; kk < ${T}u; kk++) { acc += As[lid.y * ${T}u + kk] * Bs[kk * ${T}u + lid.x]; }
    workgroupBarrier();
  }
  if (valid && r < M && c < N) { out[(batch * M + r) * N + c] = bitcast<u32>(acc); }
}`;
}

/**
 * The reference kernel: 16x16 outputs per workgroup, one per thread. Slow but simple; the tests and the sweep check
 * the fast kernels against it, and the selection falls back to it when tuned parameters do not fit the device.
 */
export function plainMatmul(be: WebGpuBackend, p: MatProblem, dst: GpuArg): void {
  const groups = p.nbatch * Math.ceil(p.M / T) * Math.ceil(p.N / T);
  if (groups === 0) return;
  be.dispatch(shader(p.a.dtype, p.b.dtype, p.batch.length), [p.a.buf, p.b.buf, dst.buf, be.params(metaOf(p, [groups]))], groups);
}

/** Which kernel a problem gets. */
export type MatmulPath = 'plain' | 'tiled' | 'splitk' | 'matvec' | 'sgmatrix';

/** How often each path ran (tests assert the intended one did; the sweep reports it). */
export const matmulPathCounts: Record<MatmulPath, number> = { plain: 0, tiled: 0, splitk: 0, matvec: 0, sgmatrix: 0 };

/** The kernel and tile parameters for a problem on this device under the tuning in force. */
export function selectMatmul(be: WebGpuBackend, p: MatProblem, t: GpuTuning = gpuTuning()): { path: MatmulPath; tiles: TiledParams } {
  const lim = be.device.limits;
  const valid = (tp: TiledParams): boolean => tiledValid(tp, lim.maxComputeInvocationsPerWorkgroup, lim.maxComputeWorkgroupStorageSize);
  const big = Math.ceil(p.M / t.tiled.bm) * Math.ceil(p.N / t.tiled.bn) * p.nbatch;
  let tiles = big < t.smallBelowGroups ? t.tiledSmall : t.tiled;
  if (!valid(tiles)) tiles = valid(t.tiledSmall) ? t.tiledSmall : DEFAULT_TUNING.tiledSmall;
  const few = Math.min(p.M, p.N);
  const mvOk = matvecValid(t.matvec, lim.maxComputeInvocationsPerWorkgroup);
  if (t.force === 'plain') return { path: 'plain', tiles };
  if (t.force === 'matvec' && mvOk && few <= 16) return { path: 'matvec', tiles };
  if (t.force === 'splitk') return { path: 'splitk', tiles };
  if (t.force === 'tiled') return { path: 'tiled', tiles };
  if (mvOk && few <= t.matvec.maxRows) return { path: 'matvec', tiles };
  if ((t.subgroupMatrix || t.force === 'sgmatrix') && sgMatrixReady(be, p)) return { path: 'sgmatrix', tiles };
  if (splitCount(p, t.splitK, tiles) > 1) return { path: 'splitk', tiles };
  return { path: 'tiled', tiles };
}

const matmulKernel: GpuKernel = {
  ok: (node) => node.inputs.every((x) => computeType(x.dtype) === 'f32' && x.ndim >= 1),
  run: (node, be) => {
    const p = matProblem(node, be), y = node.outputs[0]!;
    const direct = y.dtype === dt.float32;
    const o = direct ? be.output(y.dtype, y.shape) : null;
    const dst: GpuArg = o ? o.arg : be.tempArg(dt.float32, y.shape);
    if (p.nbatch * p.M * p.N > 0) {
      const t = gpuTuning();
      const { path, tiles } = selectMatmul(be, p, t);
      matmulPathCounts[path]++;
      if (path === 'plain') plainMatmul(be, p, dst);
      else if (path === 'matvec') matvec(be, p, t.matvec, dst);
      else if (path === 'sgmatrix') sgMatrixMatmul(be, p, dst);
      else if (path === 'splitk') splitKMatmul(be, p, tiles, Math.max(2, splitCount(p, { ...t.splitK, maxOutputs: Infinity, minK: 0 }, tiles)), dst);
      else tiledMatmul(be, p, tiles, dst);
    }
    return [o ? o.data : narrow(be, dst, y.dtype)];
  },
};

/** Matmul-family GPU kernels. */
export const matmulKernels: Record<string, GpuKernel> = { matmul: matmulKernel };
