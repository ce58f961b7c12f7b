/**
 * @file GPU `argReduce` (argmax/argmin along one axis or over the flattened array, uint32 out; the first NaN wins
 * and ties keep the first index, as in NumPy and the CPU kernel) and `logsumexp` over any axes (max subtracted
 * first; a NaN or infinite max is the result). logsumexp over contiguous rows takes the fast path of
 * reduce-softmax.ts; otherwise one workgroup per output element, as in reduce.ts: its invocations stride over the
 * lane, then fold in workgroup memory.
 */
import * as dt from '../../../core/dtype.js';
import type { Dtype } from '../../../core/dtype.js';
import type { PrimitiveParams } from '../../../core/primitive.js';
import { sizeOf } from '../../../core/shape.js';
import type { GpuArg, WebGpuBackend } from '../backend.js';
import type { ArrayData } from '../../backend.js';
import { PRELUDE, computeType, convert, loader } from '../wgsl.js';
import type { GpuKernel } from './kernel.js';
import { collapse, narrow } from './elementwise.js';
import { fastLogsumexp } from './reduce-softmax.js';
import { reduceTuning } from './reduce-tuning.js';

const WG = 64;

/**
 * Shader skeleton: `lane_off(r)` is the element offset of reduced index r (row-major over the reduced dims) of
 * this workgroup's lane; `body` computes and stores the result for output `o` with `valid`.
 */
function laneShader(inp: Dtype, nk: number, nr: number, shared: string, body: string): string {
  // meta: [nOut, nRed, keptShape[nk], keptStrides[nk], redShape[nr], redStrides[nr], offset]
  const ks = 2, kst = 2 + nk, rs = 2 + 2 * nk, rst = 2 + 2 * nk + nr, off = 2 + 2 * nk + 2 * nr;
  const dec = (v: string, shapeAt: number, strideAt: number, n: number, acc: string): string => {
    const out: string[] = [];
    for (let d = n - 1; d >= 0; d--) {
      out.push(`{ let i = ${d ? `${v} % prm[${shapeAt + d}]` : v};${d ? ` ${v} = ${v} / prm[${shapeAt + d}];` : ''} ${acc} += i * prm[${strideAt + d}]; }`);
    }
    return out.join('\n  ');
  };
  return `${PRELUDE}
@group(0) @binding(0) var<storage, read> in0: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<storage, read> prm: array<i32>;
${loader('ld0', 'in0', inp)}
${shared}
var<private> base: i32;
fn lane_off(r: i32) -> i32 {
  var rr = r;
  var off = base;
  ${dec('rr', rs, rst, nr, 'off')}
  return off;
}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let o = i32(wid.x + wid.y * nwg.x);
  let valid = o < prm[0];
  let n = prm[1];
  var ko = o;
  base = prm[${off}];
  ${dec('ko', ks, kst, nk, 'base')}
  ${body}
}`;
}

/** Encodes a lane reduction of `x` over `axes` into `dst` (one 32-bit word per output). */
function launch(be: WebGpuBackend, x: GpuArg, axes: readonly number[], nOut: number, dst: GpuArg,
  code: (nk: number, nr: number) => string): void {
  const kept = x.shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const [kSh, [kSt]] = collapse(kept.map((d) => x.shape[d]!), [kept.map((d) => x.strides[d]!)]);
  const [rSh, [rSt]] = collapse(axes.map((d) => x.shape[d]!), [axes.map((d) => x.strides[d]!)]);
  if (nOut === 0) return;
  const meta = [nOut, sizeOf(axes.map((d) => x.shape[d]!)), ...kSh, ...kSt!, ...rSh, ...rSt!, x.offset];
  be.dispatch(code(kSh.length, rSh.length), [x.buf, dst.buf, be.params(meta)], nOut);
}

function argShader(inp: Dtype, isMax: boolean, nk: number, nr: number): string {
  const t = computeType(inp) === 'bool' ? 'u32' : computeType(inp)!;
  const isF = t === 'f32';
  const nan = (v: string): string => (isF ? `is_nan(${v})` : 'false');
  const shared = `var<workgroup> sv: array<${t}, ${WG}>;
var<workgroup> sk: array<i32, ${WG}>;
// whether (v1, k1) beats (v2, k2): a missing index loses, the first NaN wins, ties keep the lower index
fn beats(v1: ${t}, k1: i32, v2: ${t}, k2: i32) -> bool {
  if (k2 < 0) { return k1 >= 0; }
  if (k1 < 0) { return false; }
  let n1 = ${nan('v1')}; let n2 = ${nan('v2')};
  if (n1 || n2) { return n1 && (!n2 || k1 < k2); }
  return v1 ${isMax ? '>' : '<'} v2 || (v1 == v2 && k1 < k2);
}`;
  const body = `var bv = ${t}(0);
  var bk = -1;
  for (var r = i32(lid); r < n; r += ${WG}) {
    let v = ${convert('ld0(lane_off(r))', computeType(inp)!, t)};
    if (beats(v, r, bv, bk)) { bv = v; bk = r; }
  }
  sv[lid] = bv; sk[lid] = bk;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s && beats(sv[lid + s], sk[lid + s], sv[lid], sk[lid])) { sv[lid] = sv[lid + s]; sk[lid] = sk[lid + s]; }
    workgroupBarrier();
  }
  if (lid == 0u && valid) { out[o] = u32(max(sk[0], 0)); }`;
  return laneShader(inp, nk, nr, shared, body);
}

const argReduceKernel: GpuKernel = {
  ok: (node) => computeType(node.inputs[0]!.dtype) !== null && node.inputs[0]!.size > 0,
  run: (node, be) => {
    const p = node.params as PrimitiveParams['argReduce'];
    const xa = node.inputs[0]!, y = node.outputs[0]!;
    const x = be.arg(xa);
    const axes = p.axis === null ? x.shape.map((_, d) => d) : [p.axis];
    const o = be.output(dt.uint32, y.shape);
    launch(be, x, axes, sizeOf(y.shape), o.arg, (nk, nr) => argShader(xa.dtype, p.mode === 'argmax', nk, nr));
    return [o.data];
  },
};

function lseShader(inp: Dtype, nk: number, nr: number): string {
  const shared = `var<workgroup> sh: array<f32, ${WG}>;
fn mx(a: f32, b: f32) -> f32 { return select(b, a, a > b || is_nan(a)); }`;
  const fold = (op: string): string => `workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { sh[lid] = ${op}; }
    workgroupBarrier();
  }`;
  const body = `var m = -f_inf();
  for (var r = i32(lid); r < n; r += ${WG}) { m = mx(m, ld0(lane_off(r))); }
  sh[lid] = m;
  ${fold('mx(sh[lid], sh[lid + s])')}
  let top = sh[0];
  workgroupBarrier();
  var acc = 0.0;
  for (var r = i32(lid); r < n; r += ${WG}) { acc += exp(ld0(lane_off(r)) - top); }
  sh[lid] = acc;
  ${fold('sh[lid] + sh[lid + s]')}
  let res = select(top + log(sh[0]), top, is_nan(top) || is_inf(top));
  if (lid == 0u && valid) { out[o] = bitcast<u32>(res); }`;
  return laneShader(inp, nk, nr, shared, body);
}

const logsumexpKernel: GpuKernel = {
  ok: (node) => computeType(node.inputs[0]!.dtype) === 'f32' && computeType(node.outputs[0]!.dtype) === 'f32',
  run: (node, be) => {
    const p = node.params as PrimitiveParams['logsumexp'];
    const xa = node.inputs[0]!, y = node.outputs[0]!;
    const x = be.arg(xa);
    const direct = y.dtype === dt.float32;
    const o = direct ? be.output(y.dtype, y.shape) : null;
    const dst: GpuArg = o ? o.arg : be.tempArg(dt.float32, y.shape);
    if (!(reduceTuning().fastPaths && fastLogsumexp(be, x, p.axes, dst))) {
      launch(be, x, p.axes, sizeOf(y.shape), dst, (nk, nr) => lseShader(xa.dtype, nk, nr));
    }
    const data: ArrayData = o ? o.data : narrow(be, dst, y.dtype);
    return [data];
  },
};

/** Lane-reduction GPU kernels of the misc family. */
export const argReduceKernels: Record<string, GpuKernel> = { argReduce: argReduceKernel, logsumexp: logsumexpKernel };
