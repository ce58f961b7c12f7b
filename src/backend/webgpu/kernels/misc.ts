/**
 * @file GPU kernels of cheap primitives outside the shared elementwise table: `erf`, `erfinv` (Juffa's float32
 * polynomials, the ones the CPU samplers use; the CPU `erf`/`erfinv` ops compute in double, so results agree within
 * a few float32 ulp), `round` (half to even, MLX's scaled form for decimals), `nanToNum`, `imag` of real arrays
 * (zeros) and integer `leftShift`/`rightShift` with NumPy's out-of-range rules. They reuse the elementwise
 * generator with their own WGSL expressions.
 */
import * as dt from '../../../core/dtype.js';
import type { Node } from '../../../core/array.js';
import type { PrimitiveParams } from '../../../core/primitive.js';
import { finfo } from '../../../core/dtype.js';
import { computeType, convert } from '../wgsl.js';
import type { GpuKernel } from './kernel.js';
import { elementwise } from './elementwise.js';
import { fillConstant } from './creation.js';
import { argReduceKernels } from './misc-reduce.js';

/** A WGSL f32 expression of exactly the float32 value nearest `v` (NaN and infinities through the prelude). */
export function f32Lit(v: number): string {
  if (Number.isNaN(v)) return 'f_nan()';
  if (v === Infinity) return 'f_inf()';
  if (v === -Infinity) return '(-f_inf())';
  const bits = new Uint32Array(new Float32Array([v]).buffer)[0]!;
  if (!Number.isFinite(Math.fround(v))) return bits >>> 31 ? '(-f_inf())' : 'f_inf()';
  return `bitcast<f32>(0x${bits.toString(16)}u)`;
}

const poly = (x: string, cs: number[]): string => cs.slice(1).reduce((p, c) => `fma(${p}, ${x}, ${f32Lit(c)})`, f32Lit(cs[0]!));

/** Juffa's float32 erfinv of `a`, as one WGSL expression of a (used once, so `a` may be any expression). */
export function erfinvWgsl(a: string): string {
  const t = `log(fma(${a}, -${a}, 1.0))`;
  const big = [3.03697567e-10, 2.93243101e-8, 1.22150334e-6, 2.84108955e-5, 3.93552968e-4, 3.02698812e-3,
    4.83185798e-3, -2.64646143e-1, 8.40016484e-1];
  const small = [5.43877832e-9, 1.43285448e-7, 1.22774793e-6, 1.12963626e-7, -5.6153076e-5, -1.47697632e-4,
    2.31468678e-3, 1.15392581e-2, -2.32015476e-1, 8.86226892e-1];
  return `(${a} * select(${poly(t, small)}, ${poly(t, big)}, abs(${t}) > 6.125))`;
}

function erfWgsl(a: string): string {
  const t = `abs(${a})`, s = `(${a} * ${a})`;
  // |a| > 0.927734375: 1 - exp(poly), sign restored; else a + a * poly(a^2)
  const r0 = `fma(fma(-1.7285347e-5, ${t}, 3.83197126e-4), ${s}, fma(-3.88396438e-3, ${t}, 2.42546219e-2))`;
  const r = `fma(fma(fma(fma(${r0}, ${t}, -1.06777877e-1), ${t}, -6.34846687e-1), ${t}, -1.28717512e-1), ${t}, -${t})`;
  const far = `sign(${a}) * (1.0 - exp(${r}))`;
  const near = `fma(${poly(s, [-5.96761703e-4, 4.99119423e-3, -2.67681349e-2, 1.12819925e-1, -3.76125336e-1, 1.28379166e-1])}, ${a}, ${a})`;
  return `select(${near}, ${far}, ${t} > 0.927734375)`;
}

/** A float-output unary kernel: integer inputs are cast to f32 first, the result narrowed to the output dtype. */
function floatUnary(f: (x: string) => string): GpuKernel {
  return {
    ok: (node) => !!computeType(node.inputs[0]!.dtype) && computeType(node.outputs[0]!.dtype) === 'f32',
    run: (node, be) => {
      const x = node.inputs[0]!, y = node.outputs[0]!;
      return [elementwise(be, [be.arg(x)], y.dtype, y.shape, ([v]) => f(convert(v!, computeType(x.dtype)!, 'f32')))];
    },
  };
}

const copy = (node: Node, be: Parameters<GpuKernel['run']>[1]) =>
  elementwise(be, [be.arg(node.inputs[0]!)], node.outputs[0]!.dtype, node.outputs[0]!.shape, ([v]) => v!);

const roundKernel: GpuKernel = {
  ok: (node) => {
    const d = node.inputs[0]!.dtype, p = node.params as PrimitiveParams['round'];
    const t = computeType(d);
    // scaled rounding in float16/bfloat16 or of integers rounds each step in another type: CPU
    return t !== null && (p.decimals === 0 || d === dt.float32);
  },
  run: (node, be) => {
    const p = node.params as PrimitiveParams['round'];
    const x = node.inputs[0]!, y = node.outputs[0]!;
    if (computeType(x.dtype) !== 'f32') return [copy(node, be)];
    if (p.decimals === 0) return [elementwise(be, [be.arg(x)], y.dtype, y.shape, ([v]) => `round(${v})`)];
    const scale = Math.fround(10 ** p.decimals), inv = Math.fround(1 / scale);
    return [elementwise(be, [be.arg(x)], y.dtype, y.shape, ([v]) => `(round(${v} * ${f32Lit(scale)}) * ${f32Lit(inv)})`)];
  },
};

const nanToNumKernel: GpuKernel = {
  ok: (node) => computeType(node.inputs[0]!.dtype) !== null,
  run: (node, be) => {
    const p = node.params as PrimitiveParams['nanToNum'];
    const x = node.inputs[0]!, y = node.outputs[0]!;
    if (computeType(x.dtype) !== 'f32') return [copy(node, be)];
    const lim = finfo(x.dtype);
    const pos = f32Lit(p.posinf ?? lim.max), neg = f32Lit(p.neginf ?? lim.min), nan = f32Lit(p.nan);
    return [elementwise(be, [be.arg(x)], y.dtype, y.shape,
      ([v]) => `select(select(select(${v}, ${neg}, is_inf(${v}) && ${v} < 0.0), ${pos}, is_inf(${v}) && ${v} > 0.0), ${nan}, is_nan(${v}))`)];
  },
};

const imagKernel: GpuKernel = {
  // a real input has a zero imaginary part; complex inputs stay on the CPU
  ok: (node) => computeType(node.inputs[0]!.dtype) !== null && computeType(node.outputs[0]!.dtype) !== null,
  run: (node, be) => [fillConstant(be, node.outputs[0]!.dtype, node.outputs[0]!.shape, 0)],
};

function shiftKernel(left: boolean): GpuKernel {
  return {
    ok: (node) => {
      const [a, b] = node.inputs;
      const t = computeType(a!.dtype);
      return a!.dtype === b!.dtype && (t === 'i32' || t === 'u32') && node.outputs[0]!.dtype === a!.dtype;
    },
    run: (node, be) => {
      const [a, b] = node.inputs, y = node.outputs[0]!;
      const t = computeType(a!.dtype)!, bits = a!.dtype.size * 8;
      return [elementwise(be, [be.arg(a!), be.arg(b!)], y.dtype, y.shape, ([u, v]) => {
        // out-of-range counts give 0 (or -1 for negative signed right shifts), as the CPU and NumPy do
        const inRange = t === 'u32' ? `(${v} < ${bits}u)` : `(${v} >= 0 && ${v} < ${bits})`;
        const shifted = `(${u} ${left ? '<<' : '>>'} u32(${v}))`;
        const out = left || t === 'u32' ? `${t}(0)` : `select(0, -1, ${u} < 0)`;
        return `select(${out}, ${shifted}, ${inRange})`;
      })];
    },
  };
}

/** Misc-family GPU kernels. */
export const miscKernels: Record<string, GpuKernel> = {
  erf: floatUnary(erfWgsl), erfinv: floatUnary(erfinvWgsl), round: roundKernel, nanToNum: nanToNumKernel,
  imag: imagKernel, leftShift: shiftKernel(true), rightShift: shiftKernel(false), ...argReduceKernels,
};
