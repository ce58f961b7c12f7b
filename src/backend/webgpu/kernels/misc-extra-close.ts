/**
 * @file GPU closeness tests and `divmod`. `isclose` is elementwise; `allclose` and `arrayEqual` start from "true"
 * and let any failing element clear the flag with an atomic store (no reduction pass: the answer is one bool).
 * Floats compare in f32 where the CPU uses doubles, so an `isclose` decision within float32 rounding of
 * `atol + rtol * |b|` may differ. `divmod` gives NumPy/Python floor division and remainder: integer quotients
 * and remainders exactly (0 for division by zero, as the CPU kernel), float quotients as `floor` of the quotient
 * rounded to the dtype (the f32 division refined by one residual step where `fma` is fused, as on hardware GPUs,
 * since an approximate GPU divide may be an ulp off; lavapipe's `fma` is not fused, so there the plain
 * division stands), and float remainders by an exact fmod (scaled subtraction) before moving into the
 * divisor's sign.
 */
import * as dt from '../../../core/dtype.js';
import type { Dtype } from '../../../core/dtype.js';
import type { CloseParams } from '../../../core/primitives/binary.js';
import { sizeOf } from '../../../core/shape.js';
import type { ArrayData } from '../../backend.js';
import type { GpuArg, WebGpuBackend } from '../backend.js';
import { PRELUDE, PACKED_WG, computeType, convert, lanes, loader, packedMain, type ComputeType } from '../wgsl.js';
import type { GpuKernel } from './kernel.js';
import { broadcastStrides, collapse, elementwise } from './elementwise.js';
import { f32Lit } from './misc-math.js';

const WG = 256;

/** WGSL `fn close(a, b) -> bool` of the CPU's rule, with a, b in compute type `t`. */
function closeFn(p: CloseParams, t: ComputeType): string {
  const f = (v: string): string => convert(v, t, 'f32');
  return `fn close(a: ${t}, b: ${t}) -> bool {
  if (a == b) { return true; }
  let x = ${f('a')}; let y = ${f('b')};
  let an = is_nan(x); let bn = is_nan(y);
  if (an || bn) { return ${p.equalNan ? 'an && bn' : 'false'}; }
  if (is_inf(x) || is_inf(y)) { return false; }
  return abs(x - y) <= ${f32Lit(p.atol)} + ${f32Lit(p.rtol)} * abs(y);
}`;
}

/** WGSL `fn close(a, b) -> bool` of arrayEqual: equal values, or NaN on both sides with equalNan. */
function equalFn(equalNan: boolean, t: ComputeType): string {
  const nan = t === 'f32' && equalNan ? ' || (is_nan(a) && is_nan(b))' : '';
  return `fn close(a: ${t}, b: ${t}) -> bool { return a == b${nan}; }`;
}

const supported = (d: Dtype): boolean => computeType(d) !== null && computeType(d) !== 'bool';

/** Whether `close(a, b)` holds for every broadcast pair of `a` and `b`: a 0-d bool. */
function allOf(be: WebGpuBackend, a: GpuArg, b: GpuArg, shape: readonly number[], fn: string): ArrayData {
  const o = be.output(dt.bool, []);
  be.dispatch(`@group(0) @binding(0) var<storage, read_write> out: array<u32>;
@compute @workgroup_size(1) fn main() { out[0] = 1u; }`, [o.arg.buf], 1);
  const n = sizeOf(shape);
  if (n === 0) return o.data;
  const [sh, [sa, sb]] = collapse(shape, [broadcastStrides(a, shape), broadcastStrides(b, shape)]);
  const nd = sh.length;
  // meta: [n, shape[nd], strides of a[nd], offset a, strides of b[nd], offset b]
  const A = 1 + nd, B = 2 + 2 * nd;
  const idx: string[] = [];
  for (let d = nd - 1; d >= 0; d--) {
    const i = d === 0 ? 'rem' : `rem % prm[${1 + d}]`;
    idx.push(`{ let i = ${i};${d ? ` rem = rem / prm[${1 + d}];` : ''} oa += i * prm[${A + d}]; ob += i * prm[${B + d}]; }`);
  }
  const code = `${PRELUDE}
@group(0) @binding(0) var<storage, read> in0: array<u32>;
@group(0) @binding(1) var<storage, read> in1: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<atomic<u32>>;
@group(0) @binding(3) var<storage, read> prm: array<i32>;
${loader('ld0', 'in0', a.dtype)}
${loader('ld1', 'in1', b.dtype)}
${fn}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let e = i32((wid.x + wid.y * nwg.x) * ${WG}u + lid);
  if (e >= prm[0]) { return; }
  var rem = e;
  var oa = prm[${A + nd}];
  var ob = prm[${B + nd}];
  ${idx.join('\n  ')}
  if (!close(ld0(oa), ld1(ob))) { atomicStore(&out[0], 0u); }
}`;
  be.dispatch(code, [a.buf, b.buf, o.arg.buf, be.params([n, ...sh, ...sa!, a.offset, ...sb!, b.offset])], Math.ceil(n / WG));
  return o.data;
}

const sameNumeric = (node: Parameters<GpuKernel['ok']>[0]): boolean =>
  node.inputs[0]!.dtype === node.inputs[1]!.dtype && supported(node.inputs[0]!.dtype);

const iscloseKernel: GpuKernel = {
  ok: sameNumeric,
  run: (node, be) => {
    const [a, b] = node.inputs, y = node.outputs[0]!;
    const t = computeType(a!.dtype)!, p = node.params as CloseParams;
    return [elementwise(be, [be.arg(a!), be.arg(b!)], y.dtype, y.shape, ([u, v]) => closeExpr(p, t, u!, v!))];
  },
};

/** The closeness rule as one WGSL expression (elementwise shaders take expressions, not helper functions). */
function closeExpr(p: CloseParams, t: ComputeType, a: string, b: string): string {
  const x = convert(a, t, 'f32'), y = convert(b, t, 'f32');
  const nanCase = p.equalNan ? `(is_nan(${x}) && is_nan(${y}))` : 'false';
  const finite = `!(is_nan(${x}) || is_nan(${y}) || is_inf(${x}) || is_inf(${y}))`;
  const within = `(abs(${x} - ${y}) <= ${f32Lit(p.atol)} + ${f32Lit(p.rtol)} * abs(${y}))`;
  return `((${a} == ${b}) || ${nanCase} || (${finite} && ${within}))`;
}

const allcloseKernel: GpuKernel = {
  ok: sameNumeric,
  run: (node, be) => {
    const [a, b] = node.inputs;
    const ga = be.arg(a!), gb = be.arg(b!);
    const shape = broadcastShape(a!.shape, b!.shape);
    return [allOf(be, ga, gb, shape, closeFn(node.params as CloseParams, computeType(a!.dtype)!))];
  },
};

const arrayEqualKernel: GpuKernel = {
  ok: (node) => node.inputs[0]!.dtype === node.inputs[1]!.dtype && computeType(node.inputs[0]!.dtype) !== null,
  run: (node, be) => {
    const [a, b] = node.inputs;
    const t = computeType(a!.dtype)!;
    const eq = t === 'bool' ? equalFn(false, 'u32').replace(/u32/g, 'bool') : equalFn((node.params as { equalNan: boolean }).equalNan, t);
    return [allOf(be, be.arg(a!), be.arg(b!), a!.shape, eq)];
  },
};

function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const nd = Math.max(a.length, b.length), out: number[] = [];
  for (let i = 0; i < nd; i++) {
    const x = a[a.length - nd + i] ?? 1, y = b[b.length - nd + i] ?? 1;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** WGSL helpers of divmod: a correctly rounded f32 quotient, exact fmod, rounding to a half dtype. */
const DIVMOD_PRELUDE = `
// whether fma rounds once: (1 + 2^-12)^2 - (1 + 2^-11) is 2^-24 fused and 0 when split into a rounded multiply
fn fma_fused() -> bool { var x = 1.000244140625; var y = -1.00048828125; return fma(x, x, y) != 0.0; }
fn div_rn(a: f32, b: f32) -> f32 {
  let q = a / b;
  if (is_nan(q) || is_inf(q) || is_inf(b) || q == 0.0 || !fma_fused()) { return q; }
  return q + fma(-q, b, a) / b;
}
fn fmod_exact(a: f32, b: f32) -> f32 {
  if (is_nan(a) || is_nan(b) || is_inf(a) || b == 0.0) { return f_nan(); }
  if (is_inf(b)) { return a; }
  var r = abs(a);
  let bb = abs(b);
  for (var i = 0; i < 400 && r >= bb; i++) {
    // subtract the largest bb * 2^k not above r: exact (Sterbenz), so the result is exactly fmod
    var s = ldexp(bb, frexp(r).exp - frexp(bb).exp);
    if (s > r) { s = s * 0.5; }
    r = r - s;
  }
  return select(r, -r, a < 0.0 || (a == 0.0 && bitcast<u32>(a) != 0u));
}
fn py_rem(a: f32, b: f32) -> f32 {
  let r = fmod_exact(a, b);
  if (r != 0.0 && ((r < 0.0) != (b < 0.0))) { return r + b; }
  if (r == 0.0) { return select(0.0, bitcast<f32>(0x80000000u), b < 0.0); }
  return r;
}
`;

/** Rounds f32 `v` to dtype `d` (the CPU rounds the quotient to the dtype before flooring). */
function roundTo(v: string, d: Dtype): string {
  if (d === dt.float16) return `unpack2x16float(pack2x16float(vec2f(${v}, 0.0))).x`;
  if (d === dt.bfloat16) return `bitcast<f32>(bf16_bits(${v}) << 16u)`;
  return v;
}

function intQuot(t: ComputeType, a: string, b: string): string {
  if (t === 'u32') return `select(${a} / max(${b}, 1u), 0u, ${b} == 0u)`;
  // trunc division moved down when the signs differ and there is a remainder; /0 gives 0
  return `select((${a} / select(${b}, 1, ${b} == 0)) - select(0, 1, (${a} % select(${b}, 1, ${b} == 0)) != 0 && ((${a} < 0) != (${b} < 0))), 0, ${b} == 0)`;
}

function intRem(t: ComputeType, a: string, b: string): string {
  if (t === 'u32') return `select(${a} % max(${b}, 1u), 0u, ${b} == 0u)`;
  const r = `(${a} % select(${b}, 1, ${b} == 0))`;
  return `select(select(${r}, ${r} + ${b}, ${r} != 0 && ((${r} < 0) != (${b} < 0))), 0, ${b} == 0)`;
}

/**
 * An elementwise launch whose expression may call the helpers in `extra` (elementwise.ts takes none): one output
 * word per invocation, inputs broadcast and strided as there.
 */
function ewise(be: WebGpuBackend, ins: readonly GpuArg[], out: Dtype, shape: readonly number[], expr: (v: string[]) => string, extra: string): ArrayData {
  const o = be.output(out, shape);
  const n = sizeOf(shape);
  if (n === 0) return o.data;
  const [sh, st] = collapse(shape, ins.map((x) => broadcastStrides(x, shape)));
  const nd = sh.length, N = ins.length;
  const base = (j: number): number => 1 + nd + j * (nd + 1);
  const lines = [PRELUDE, extra];
  ins.forEach((x, j) => lines.push(`@group(0) @binding(${j}) var<storage, read> in${j}: array<u32>;`, loader(`ld${j}`, `in${j}`, x.dtype)));
  lines.push(`@group(0) @binding(${N}) var<storage, read_write> out: array<u32>;`, `@group(0) @binding(${N + 1}) var<storage, read> prm: array<i32>;`);
  const idx = ins.map((_, j) => `var o${j} = prm[${base(j) + nd}];`);
  for (let d = nd - 1; d >= 0; d--) {
    const i = d === 0 ? 'rem' : `rem % prm[${1 + d}]`;
    idx.push(`{ let i = ${i};${d ? ` rem = rem / prm[${1 + d}];` : ''}${ins.map((_, j) => ` o${j} += i * prm[${base(j) + d}];`).join('')} }`);
  }
  lines.push(packedMain(out, `var rem = e;\n    ${idx.join('\n    ')}\n    let v = ${expr(ins.map((_, j) => `ld${j}(o${j})`))};`));
  const meta = [n, ...sh];
  ins.forEach((x, j) => meta.push(...st[j]!, x.offset));
  be.dispatch(lines.join('\n'), [...ins.map((x) => x.buf), o.arg.buf, be.params(meta)], Math.ceil(Math.ceil(n / lanes(out)) / PACKED_WG));
  return o.data;
}

const divmodKernel: GpuKernel = {
  ok: sameNumeric,
  run: (node, be) => {
    const [a, b] = node.inputs, [q, r] = node.outputs;
    const t = computeType(a!.dtype)!, ga = be.arg(a!), gb = be.arg(b!);
    if (t === 'f32') {
      const quot = ewise(be, [ga, gb], q!.dtype, q!.shape, ([u, v]) => `floor(${roundTo(`div_rn(${u}, ${v})`, a!.dtype)})`, DIVMOD_PRELUDE);
      const rem = ewise(be, [ga, gb], r!.dtype, r!.shape, ([u, v]) => `py_rem(${u}, ${v})`, DIVMOD_PRELUDE);
      return [quot, rem];
    }
    return [
      elementwise(be, [ga, gb], q!.dtype, q!.shape, ([u, v]) => intQuot(t, u!, v!)),
      elementwise(be, [ga, gb], r!.dtype, r!.shape, ([u, v]) => intRem(t, u!, v!)),
    ];
  },
};

/** Closeness and divmod GPU kernels. */
export const closeKernels: Record<string, GpuKernel> = {
  isclose: iscloseKernel, allclose: allcloseKernel, arrayEqual: arrayEqualKernel, divmod: divmodKernel,
};
