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
import { erfWgsl, erfinvWgsl, f32Lit } from './misc-math.js';

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
