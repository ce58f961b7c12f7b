/**
 * @file GPU reductions (`reduce` in modes sum/prod/max/min/all/any/mean over any axes) and softmax along the last
 * axis. The common layouts (contiguous rows, columns, the whole array; softmax rows) take the fast paths of
 * reduce-fast.ts and reduce-softmax.ts; everything else runs the generic kernels here: one workgroup per output
 * element, whose invocations stride over the reduced elements, then fold in workgroup memory. Results are
 * computed into a 32-bit buffer; narrower output dtypes are narrowed by a second, elementwise pass (so no two
 * workgroups write one word).
 */
import * as dt from '../../../core/dtype.js';
import type { Dtype } from '../../../core/dtype.js';
import type { Node } from '../../../core/array.js';
import type { PrimitiveParams } from '../../../core/primitive.js';
import { sizeOf } from '../../../core/shape.js';
import type { ArrayData } from '../../backend.js';
import type { GpuArg, WebGpuBackend } from '../backend.js';
import { PRELUDE, computeType, convert, loader, storeBits } from '../wgsl.js';
import type { GpuKernel } from './kernel.js';
import { collapse, narrow } from './elementwise.js';
import { MODES, accDtype, combine, identity, type Mode } from './reduce-ops.js';
import { fastReduce } from './reduce-fast.js';
import { fastSoftmax } from './reduce-softmax.js';
import { reduceTuning } from './reduce-tuning.js';

const WG = 64;

function reduceShader(mode: Mode, inp: Dtype, acc: Dtype, nk: number, nr: number): string {
  const t = computeType(acc)!, ti = computeType(inp)!;
  const load = mode === 'all' || mode === 'any'
    ? `select(0u, 1u, ${convert('ld0(off)', ti, 'bool')})` : convert('ld0(off)', ti, t);
  // meta: [nOut, nRed, keptShape[nk], keptStrides[nk], redShape[nr], redStrides[nr], offset]
  const ks = 2, kst = 2 + nk, rs = 2 + 2 * nk, rst = 2 + 2 * nk + nr, off = 2 + 2 * nk + 2 * nr;
  const dec = (v: string, shapeAt: number, strideAt: number, n: number, acc: string): string => {
    const out: string[] = [];
    for (let d = n - 1; d >= 0; d--) {
      out.push(`{ let i = ${d ? `${v} % prm[${shapeAt + d}]` : v};${d ? ` ${v} = ${v} / prm[${shapeAt + d}];` : ''} ${acc} += i * prm[${strideAt + d}]; }`);
    }
    return out.join('\n    ');
  };
  const fin = mode === 'mean' ? `sh[0] / f32(prm[1])` : 'sh[0]';
  return `${PRELUDE}
@group(0) @binding(0) var<storage, read> in0: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<storage, read> prm: array<i32>;
${loader('ld0', 'in0', inp)}
var<workgroup> sh: array<${t}, ${WG}>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let o = i32(wid.x + wid.y * nwg.x);
  let valid = o < prm[0];
  var ko = o;
  var base = prm[${off}];
  ${dec('ko', ks, kst, nk, 'base')}
  var acc = ${identity(mode, t)};
  for (var r = i32(lid); r < prm[1]; r += ${WG}) {
    var rr = r;
    var off = base;
    ${dec('rr', rs, rst, nr, 'off')}
    acc = ${combine(mode, t, 'acc', load)};
  }
  sh[lid] = acc;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { sh[lid] = ${combine(mode, t, 'sh[lid]', 'sh[lid + s]')}; }
    workgroupBarrier();
  }
  if (lid == 0u && valid) { out[o] = ${storeBits(fin, acc)}; }
}`;
}

const reduceKernel: GpuKernel = {
  ok: (node) => {
    const p = node.params as PrimitiveParams['reduce'];
    return MODES.has(p.mode) && !!computeType(node.inputs[0]!.dtype) && !!computeType(node.outputs[0]!.dtype);
  },
  run: (node, be) => {
    const p = node.params as PrimitiveParams['reduce'];
    const mode = p.mode as Mode;
    const x = be.arg(node.inputs[0]!), y = node.outputs[0]!;
    const acc = accDtype(mode, y.dtype);
    const keptAxes = x.shape.map((_, d) => d).filter((d) => !p.axes.includes(d));
    const [kSh, [kSt]] = collapse(keptAxes.map((d) => x.shape[d]!), [keptAxes.map((d) => x.strides[d]!)]);
    const [rSh, [rSt]] = collapse(p.axes.map((d) => x.shape[d]!), [p.axes.map((d) => x.strides[d]!)]);
    const nOut = sizeOf(y.shape), nRed = sizeOf(rSh);
    const direct = acc === y.dtype;
    const o = direct ? be.output(y.dtype, y.shape) : null;
    const dst: GpuArg = o ? o.arg : be.tempArg(acc, y.shape);
    if (nOut > 0 && !(reduceTuning().fastPaths && fastReduce(be, x, mode, p.axes, dst))) {
      const meta = [nOut, nRed, ...kSh, ...kSt!, ...rSh, ...rSt!, x.offset];
      be.dispatch(reduceShader(mode, x.dtype, acc, kSh.length, rSh.length), [x.buf, dst.buf, be.params(meta)], nOut);
    }
    return [o ? o.data : narrow(be, dst, y.dtype)];
  },
};

function softmaxShader(inp: Dtype): string {
  // meta: [rows, len, outerShape..., outerStrides..., lastStride, offset] with the outer dims collapsed to one
  return `${PRELUDE}
@group(0) @binding(0) var<storage, read> in0: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<storage, read> prm: array<i32>;
${loader('ld0', 'in0', inp)}
var<workgroup> sh: array<f32, ${WG}>;
fn row_base(row: i32) -> i32 {
  var rem = row;
  var b = prm[5];
  let nd = prm[2];
  for (var d = nd - 1; d >= 0; d--) {
    let i = rem % prm[6 + d];
    rem = rem / prm[6 + d];
    b += i * prm[6 + nd + d];
  }
  return b;
}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = i32(wid.x + wid.y * nwg.x);
  let valid = row < prm[0];
  let len = prm[1];
  let ls = prm[3];
  let base = row_base(row);
  var m = -f_inf();
  for (var j = i32(lid); j < len; j += ${WG}) { let v = ld0(base + j * ls); m = select(m, v, v > m || is_nan(v)); }
  sh[lid] = m;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { let a = sh[lid]; let b = sh[lid + s]; sh[lid] = select(b, a, a > b || is_nan(a)); }
    workgroupBarrier();
  }
  let mx = sh[0];
  workgroupBarrier();
  var acc = 0.0;
  for (var j = i32(lid); j < len; j += ${WG}) { acc += exp(ld0(base + j * ls) - mx); }
  sh[lid] = acc;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { sh[lid] = sh[lid] + sh[lid + s]; }
    workgroupBarrier();
  }
  let total = sh[0];
  if (valid) {
    for (var j = i32(lid); j < len; j += ${WG}) { out[row * len + j] = bitcast<u32>(exp(ld0(base + j * ls) - mx) / total); }
  }
}`;
}

const softmaxKernel: GpuKernel = {
  ok: (node) => {
    const x = node.inputs[0]!, p = node.params as PrimitiveParams['softmax'];
    return computeType(x.dtype) === 'f32' && x.ndim > 0 && p.axes.length === 1 && p.axes[0] === x.ndim - 1;
  },
  run: (node, be) => {
    const x = be.arg(node.inputs[0]!), y = node.outputs[0]!;
    const nd = x.shape.length, len = x.shape[nd - 1]!;
    const rows = len === 0 ? 0 : sizeOf(y.shape) / len;
    const direct = y.dtype === dt.float32;
    const o = direct ? be.output(y.dtype, y.shape) : null;
    const dst: GpuArg = o ? o.arg : be.tempArg(dt.float32, y.shape);
    if (rows > 0 && !(reduceTuning().fastPaths && fastSoftmax(be, x, dst))) {
      const [oSh, [oSt]] = collapse(x.shape.slice(0, -1), [x.strides.slice(0, -1)]);
      const meta = [rows, len, oSh.length, x.strides[nd - 1]!, 0, x.offset, ...oSh, ...oSt!];
      be.dispatch(softmaxShader(x.dtype), [x.buf, dst.buf, be.params(meta)], rows);
    }
    return [o ? o.data : narrow(be, dst, y.dtype)];
  },
};

/** Reduction-family GPU kernels. */
export const reduceKernels: Record<string, GpuKernel> = { reduce: reduceKernel, softmax: softmaxKernel };
export type { ArrayData };
