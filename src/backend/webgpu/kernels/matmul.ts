/**
 * @file Tiled matmul on the GPU: 16x16 output tiles per workgroup, A and B tiles staged in workgroup memory, f32
 * accumulation for float32/float16/bfloat16 (halves are read through their loaders and narrowed afterwards).
 * Batch dimensions broadcast through zero strides; 1-D operands are a row (a) or a column (b).
 */
import * as dt from '../../../core/dtype.js';
import type { Dtype } from '../../../core/dtype.js';
import { broadcastShapes, sizeOf } from '../../../core/shape.js';
import type { GpuArg } from '../backend.js';
import { PRELUDE, computeType, loader } from '../wgsl.js';
import type { GpuKernel } from './kernel.js';
import { narrow } from './elementwise.js';

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

/** Matrix view of an operand: rows, cols and their strides, plus its batch dims and strides. */
function matView(x: GpuArg, isA: boolean): { rows: number; cols: number; sr: number; sc: number; bShape: number[]; bStr: number[] } {
  const n = x.shape.length;
  if (n === 1) {
    return isA
      ? { rows: 1, cols: x.shape[0]!, sr: 0, sc: x.strides[0]!, bShape: [], bStr: [] }
      : { rows: x.shape[0]!, cols: 1, sr: x.strides[0]!, sc: 0, bShape: [], bStr: [] };
  }
  return {
    rows: x.shape[n - 2]!, cols: x.shape[n - 1]!, sr: x.strides[n - 2]!, sc: x.strides[n - 1]!,
    bShape: x.shape.slice(0, -2), bStr: x.strides.slice(0, -2),
  };
}

const matmulKernel: GpuKernel = {
  ok: (node) => node.inputs.every((x) => computeType(x.dtype) === 'f32' && x.ndim >= 1),
  run: (node, be) => {
    const a = be.arg(node.inputs[0]!), b = be.arg(node.inputs[1]!), y = node.outputs[0]!;
    const A = matView(a, true), B = matView(b, false);
    const batch = broadcastShapes([A.bShape, B.bShape]);
    const bstr = (v: typeof A): number[] => {
      const k = batch.length - v.bShape.length;
      return batch.map((_, d) => (d < k || v.bShape[d - k] === 1 ? 0 : v.bStr[d - k]!));
    };
    const M = A.rows, N = B.cols, K = A.cols;
    const direct = y.dtype === dt.float32;
    const o = direct ? be.output(y.dtype, y.shape) : null;
    const dst: GpuArg = o ? o.arg : be.tempArg(dt.float32, y.shape);
    const groups = sizeOf(batch) * Math.ceil(M / T) * Math.ceil(N / T);
    if (groups > 0) {
      const meta = [M, N, K, A.sr, A.sc, B.sr, B.sc, a.offset, b.offset, ...batch, ...bstr(A), ...bstr(B), groups];
      be.dispatch(shader(a.dtype, b.dtype, batch.length), [a.buf, b.buf, dst.buf, be.params(meta)], groups);
    }
    return [o ? o.data : narrow(be, dst, y.dtype)];
  },
};

/** Matmul-family GPU kernels. */
export const matmulKernels: Record<string, GpuKernel> = { matmul: matmulKernel };
