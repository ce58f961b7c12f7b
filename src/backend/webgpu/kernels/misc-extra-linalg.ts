/**
 * @file GPU `trace`, `linalg.norm` (vector norms of any order over any axes, and the Frobenius, 1, -1, inf and
 * -inf matrix norms; the SVD-based nuclear and 2/-2 norms decline and run on the CPU) and `linalg.cross`.
 *
 * trace and norm use one workgroup per output element: its invocations stride over the reduced elements, then
 * fold in workgroup memory; results go to a 32-bit buffer, narrowed afterwards for half outputs. 2-norms and
 * p-norms (p > 0) divide by the largest magnitude first, so squares of float32 values cannot overflow where the
 * CPU's double sum does not. Float math is f32 where the CPU uses doubles: agreement is to float32 rounding.
 */
import * as dt from '../../../core/dtype.js';
import type { Dtype } from '../../../core/dtype.js';
import type { Node } from '../../../core/array.js';
import type { PrimitiveParams } from '../../../core/primitive.js';
import type { NormOrd } from '../../../core/primitives/linalg.js';
import { sizeOf } from '../../../core/shape.js';
import type { ArrayData } from '../../backend.js';
import type { GpuArg, WebGpuBackend } from '../backend.js';
import { PRELUDE, computeType, convert, loader, storeBits, type ComputeType } from '../wgsl.js';
import type { GpuKernel } from './kernel.js';
import { collapse, narrow, broadcastStrides } from './elementwise.js';
import { gatherLaunch, dot } from './layout-shader.js';
import { f32Lit } from './misc-math.js';

const WG = 64;

/** WGSL lines adding the strided offset of flat index `v` (decoded over `n` dims at prm[shapeAt..]) to `acc`. */
function decode(v: string, n: number, shapeAt: number, strideAt: number, acc: string): string {
  const out: string[] = [];
  for (let d = n - 1; d >= 0; d--) {
    out.push(`{ let i = ${d ? `${v} % prm[${shapeAt + d}]` : v};${d ? ` ${v} = ${v} / prm[${shapeAt + d}];` : ''} ${acc} += i * prm[${strideAt + d}]; }`);
  }
  return out.join('\n  ');
}

/**
 * One workgroup per output: `base` is the offset of the output's lane (kept dims decoded), `elem(r)` the offset of
 * reduced element r (reduced dims decoded in the given order); `body` computes `res` (type `t`) for lane `o`.
 * meta: [nOut, nRed, offset, keptShape[nk], keptStrides[nk], redShape[nr], redStrides[nr], ...extra]
 */
function laneLaunch(be: WebGpuBackend, x: GpuArg, axes: readonly number[], dst: GpuArg, t: ComputeType,
  body: string, extra: readonly number[] = []): void {
  const nOut = sizeOf(dst.shape);
  if (nOut === 0) return;
  const kept = x.shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const [kSh, [kSt]] = collapse(kept.map((d) => x.shape[d]!), [kept.map((d) => x.strides[d]!)]);
  // the reduced dims stay uncollapsed and in order: matrix norms index rows and columns through them
  const rSh = axes.map((d) => x.shape[d]!), rSt = axes.map((d) => x.strides[d]!);
  const nk = kSh.length, nr = rSh.length;
  const ks = 3, kst = 3 + nk, rs = 3 + 2 * nk, rst = rs + nr, ex = rst + nr;
  const code = `${PRELUDE}
@group(0) @binding(0) var<storage, read> in0: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<storage, read> prm: array<i32>;
${loader('ld0', 'in0', x.dtype)}
const EX = ${ex};
var<workgroup> sh: array<${t}, ${WG}>;
var<private> base: i32;
fn elem(r: i32) -> i32 {
  var rr = r;
  var off = base;
  ${decode('rr', nr, rs, rst, 'off')}
  return off;
}
fn val(r: i32) -> ${t} { return ${convert('ld0(elem(r))', computeType(x.dtype)!, t)}; }
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let o = i32(wid.x + wid.y * nwg.x);
  if (o >= prm[0]) { return; }
  let n = prm[1];
  var ko = o;
  base = prm[2];
  ${decode('ko', nk, ks, kst, 'base')}
  var res: ${t};
  ${body}
  if (lid == 0u) { out[o] = ${storeBits('res', dst.dtype)}; }
}`;
  const meta = [nOut, sizeOf(rSh), x.offset, ...kSh, ...kSt!, ...rSh, ...rSt, ...extra];
  be.dispatch(code, [x.buf, dst.buf, be.params(meta)], nOut);
}

/** WGSL folding each invocation's `v` over the workgroup with `op(a, b)`; leaves the result in `sh[0]`. */
function fold(v: string, op: (a: string, b: string) => string): string {
  return `sh[lid] = ${v};
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { sh[lid] = ${op('sh[lid]', 'sh[lid + s]')}; }
    workgroupBarrier();
  }`;
}

/** A 32-bit destination for `y` (its own output when already 32-bit), and how to finish into `y`'s data. */
function dest(be: WebGpuBackend, y: { dtype: Dtype; shape: readonly number[] }, acc: Dtype): [GpuArg, () => ArrayData] {
  if (acc === y.dtype) { const o = be.output(y.dtype, y.shape); return [o.arg, () => o.data]; }
  const tmp = be.tempArg(acc, y.shape);
  return [tmp, () => narrow(be, tmp, y.dtype)];
}

const accOf = (t: ComputeType): Dtype => (t === 'f32' ? dt.float32 : t === 'i32' ? dt.int32 : dt.uint32);

// ---- trace ----------------------------------------------------------------------------------------------

const traceKernel: GpuKernel = {
  ok: (node) => computeType(node.inputs[0]!.dtype) !== null && !!computeType(node.outputs[0]!.dtype)
    && computeType(node.outputs[0]!.dtype) !== 'bool',
  run: (node, be) => {
    const p = node.params as PrimitiveParams['trace'];
    const xa = node.inputs[0]!, y = node.outputs[0]!;
    const ti = computeType(xa.dtype)!, to = computeType(y.dtype)!;
    const t: ComputeType = ti === 'f32' || to === 'f32' ? 'f32' : to;
    const [dst, finish] = dest(be, y, accOf(t));
    const x = be.arg(xa);
    const n1 = x.shape[p.axis1]!, n2 = x.shape[p.axis2]!, s1 = x.strides[p.axis1]!, s2 = x.strides[p.axis2]!, k = p.offset;
    const len = Math.max(0, k >= 0 ? Math.min(n1, n2 - k) : Math.min(n1 + k, n2));
    const start = k >= 0 ? k * s2 : -k * s1;
    // the diagonal as a 1-D strided view: base offset moved to its start, one "reduced" dim of stride s1 + s2
    const diag: GpuArg = {
      ...x, offset: x.offset + (len > 0 ? start : 0),
      shape: [...x.shape.filter((_, d) => d !== p.axis1 && d !== p.axis2), len],
      strides: [...x.strides.filter((_, d) => d !== p.axis1 && d !== p.axis2), s1 + s2],
    };
    const red = [diag.shape.length - 1];
    const body = `var acc = ${t}(0);
  for (var r = i32(lid); r < n; r += ${WG}) { acc += ${convert(`ld0(elem(r))`, ti, t)}; }
  ${fold('acc', (a, b) => `${a} + ${b}`)}
  res = sh[0];`;
    laneLaunch(be, diag, red, dst, t, body);
    return [finish()];
  },
};

// ---- norm -----------------------------------------------------------------------------------------------

const nanMax = (a: string, b: string): string => `select(${b}, ${a}, ${a} > ${b} || is_nan(${a}))`;
const nanMin = (a: string, b: string): string => `select(${b}, ${a}, ${a} < ${b} || is_nan(${a}))`;
const isMatrix = (p: PrimitiveParams['linalgNorm']): boolean => p.axes.length === 2 && p.ord !== null && p.ord !== 'fro' && p.ord !== 'f';

/** The invocation-level and workgroup-level WGSL of a vector norm of order `ord` over the n reduced elements. */
function vectorBody(ord: NormOrd): string {
  const mag = 'abs(val(r))';
  const maxAbs = `var m = 0.0;
  for (var r = i32(lid); r < n; r += ${WG}) { m = ${nanMax('m', mag)}; }
  ${fold('m', nanMax)}
  let top = sh[0];
  workgroupBarrier();`;
  if (ord === null || ord === 2 || ord === 'fro' || ord === 'f' || (typeof ord === 'number' && ord > 0 && ord !== 1 && ord !== Infinity)) {
    const p = ord === null || typeof ord === 'string' ? 2 : ord;
    const term = p === 2 ? 'q * q' : `pow(q, ${f32Lit(p)})`;
    const root = p === 2 ? 'sqrt(sh[0])' : `pow(sh[0], ${f32Lit(1 / p)})`;
    return `${maxAbs}
  var acc = 0.0;
  for (var r = i32(lid); r < n; r += ${WG}) { let q = ${mag} / top; if (q > 0.0) { acc += ${term}; } }
  ${fold('acc', (a, b) => `${a} + ${b}`)}
  res = select(top * ${root}, top, top == 0.0 || is_inf(top) || is_nan(top));`;
  }
  if (ord === 1) {
    return `var acc = 0.0;
  for (var r = i32(lid); r < n; r += ${WG}) { acc += ${mag}; }
  ${fold('acc', (a, b) => `${a} + ${b}`)}
  res = sh[0];`;
  }
  if (ord === 0) {
    return `var acc = 0.0;
  for (var r = i32(lid); r < n; r += ${WG}) { if (val(r) != 0.0) { acc += 1.0; } }
  ${fold('acc', (a, b) => `${a} + ${b}`)}
  res = sh[0];`;
  }
  if (ord === Infinity) return `${maxAbs}\n  res = top;`;
  if (ord === -Infinity) {
    return `var m = f_inf();
  for (var r = i32(lid); r < n; r += ${WG}) { m = ${nanMin('m', mag)}; }
  ${fold('m', nanMin)}
  res = sh[0];`;
  }
  // p < 0: zeros give an infinite term and so a zero norm
  const p = ord as number;
  return `var acc = 0.0;
  for (var r = i32(lid); r < n; r += ${WG}) {
    let q = ${mag};
    acc += select(select(pow(q, ${f32Lit(p)}), 0.0, is_inf(q)), f_inf(), q == 0.0);
  }
  ${fold('acc', (a, b) => `${a} + ${b}`)}
  let s = sh[0];
  res = select(select(pow(s, ${f32Lit(1 / p)}), 0.0, is_inf(s)), f_inf(), s == 0.0);`;
}

/** Matrix 1/-1 (column sums) and inf/-inf (row sums) norms: prm[EX] rows, prm[EX + 1] columns. */
function matrixBody(ord: number): string {
  const byCol = ord === 1 || ord === -1, wantMax = ord > 0;
  const [outer, inner] = byCol ? ['prm[EX + 1]', 'prm[EX]'] : ['prm[EX]', 'prm[EX + 1]'];
  const idx = byCol ? 'i * prm[EX + 1] + c' : 'c * prm[EX + 1] + i';
  const pick = wantMax ? nanMax : nanMin;
  return `var best = ${wantMax ? '-f_inf()' : 'f_inf()'};
  for (var c = i32(lid); c < ${outer}; c += ${WG}) {
    var s = 0.0;
    for (var i = 0; i < ${inner}; i++) { let r = ${idx}; s += abs(val(r)); }
    best = ${pick('best', 's')};
  }
  ${fold('best', pick)}
  res = sh[0];`;
}

const normKernel: GpuKernel = {
  ok: (node) => {
    const p = node.params as PrimitiveParams['linalgNorm'];
    const svd = p.ord === 'nuc' || (p.axes.length === 2 && (p.ord === 2 || p.ord === -2));
    return !svd && computeType(node.inputs[0]!.dtype) !== null && computeType(node.outputs[0]!.dtype) === 'f32';
  },
  run: (node, be) => {
    const p = node.params as PrimitiveParams['linalgNorm'];
    const xa = node.inputs[0]!, y = node.outputs[0]!;
    const [dst, finish] = dest(be, y, dt.float32);
    const x = be.arg(xa);
    const mat = isMatrix(p);
    const body = mat ? matrixBody(p.ord as number) : vectorBody(p.ord);
    const extra = mat ? [x.shape[p.axes[0]!]!, x.shape[p.axes[1]!]!] : [];
    laneLaunch(be, x, p.axes, dst, 'f32', body, extra);
    return [finish()];
  },
};

// ---- cross ----------------------------------------------------------------------------------------------

const crossKernel: GpuKernel = {
  ok: (node: Node) => {
    const to = computeType(node.outputs[0]!.dtype);
    return to !== null && to !== 'bool' && node.inputs.every((x) => computeType(x.dtype) !== null);
  },
  run: (node, be) => {
    const ax = (node.params as PrimitiveParams['linalgCross']).axis;
    const [a, b] = node.inputs, y = node.outputs[0]!;
    const t = computeType(y.dtype)!;
    const ga = be.arg(a!), gb = be.arg(b!);
    const nd = y.shape.length;
    // per input: broadcast strides over the output dims (0 on the cross axis), its stride there, its length there
    const geo = (g: GpuArg): number[] => {
      const full = broadcastStrides({ ...g, shape: g.shape.map((s, d) => (d === ax - (nd - g.shape.length) ? 1 : s)) }, y.shape);
      const k = ax - (nd - g.shape.length);
      return [...full, g.strides[k]!, g.shape[k]!, g.offset];
    };
    const A = 1 + nd, B = A + nd + 3;
    const load = (j: number, at: number, k: number): string =>
      `select(${t}(0), ${convert(`ld${j}(${dot(nd, at)} + prm[${at + nd + 2}] + ${k} * prm[${at + nd}])`, computeType(node.inputs[j]!.dtype)!, t)}, ${k} < prm[${at + nd + 1}])`;
    return [gatherLaunch(be, [ga, gb], y.dtype, y.shape, [...geo(ga), ...geo(gb)], () => {
      const u = [0, 1, 2].map((k) => load(0, A, k)), v = [0, 1, 2].map((k) => load(1, B, k));
      return `let c = idx[${ax}];
    let u0 = ${u[0]}; let u1 = ${u[1]}; let u2 = ${u[2]};
    let v0 = ${v[0]}; let v1 = ${v[1]}; let v2 = ${v[2]};
    if (c == 0) { v = u1 * v2 - u2 * v1; } else if (c == 1) { v = u2 * v0 - u0 * v2; } else { v = u0 * v1 - u1 * v0; }`;
    })];
  },
};

/** trace, norm and cross GPU kernels. */
export const linalgExtraKernels: Record<string, GpuKernel> = { trace: traceKernel, linalgNorm: normKernel, linalgCross: crossKernel };
