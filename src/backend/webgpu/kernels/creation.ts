/**
 * @file GPU kernels of the creation family: `full` (a scalar fill, or an array broadcast/cast into the shape),
 * `arange` (not linspace), `tri` (eye/tri), `triMask` (tril/triu) and `windowFn`. Scalar fills are converted on the
 * host with the CPU backend's C-cast writer, so a fill is bit-identical to the CPU's in every dtype up to 32 bits.
 */
import type { Node } from '../../../core/array.js';
import type { PrimitiveParams } from '../../../core/primitive.js';
import { sizeOf } from '../../../core/shape.js';
import { typedArrayFor, writer } from '../../../core/host.js';
import type { Dtype } from '../../../core/dtype.js';
import type { GpuArg, WebGpuBackend } from '../backend.js';
import type { ArrayData } from '../../backend.js';
import { computeType, convert, gpuDtype, lanes } from '../wgsl.js';
import type { GpuKernel } from './kernel.js';
import { elementwise } from './elementwise.js';
import { broadcastTo, f32Bits, generate, own } from './creation-gen.js';
import { randomKernels } from './creation-random.js';
import { samplerKernels } from './creation-sampler.js';

const WG = 64;
const FILL = `@group(0) @binding(0) var<storage, read_write> out: array<u32>;
@group(0) @binding(1) var<storage, read> prm: array<i32>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let word = i32((wid.x + wid.y * nwg.x) * ${WG}u + lid);
  if (word < prm[0]) { out[word] = bitcast<u32>(prm[1]); }
}`;

/** The 32-bit word holding `lanes(d)` copies of `v` stored as `d` (converted as the CPU backend converts). */
function fillWord(v: number, d: Dtype): number {
  const one = typedArrayFor(d, 1);
  writer(d)(one, 0, v);
  const bytes = new Uint8Array(one.buffer, one.byteOffset, d.size);
  const word = new Uint8Array(4);
  for (let i = 0; i < 4; i++) word[i] = bytes[i % d.size]!;
  return new Int32Array(word.buffer)[0]!;
}

/** A dense `d` array of `shape` filled with `v`, one word per invocation. */
export function fillConstant(be: WebGpuBackend, d: Dtype, shape: readonly number[], v: number): ArrayData {
  const o = be.output(d, shape);
  const words = Math.ceil(sizeOf(shape) / lanes(d));
  if (words > 0) be.dispatch(FILL, [o.arg.buf, be.params([words, fillWord(v, d)])], Math.ceil(words / WG));
  return o.data;
}

const fullKernel: GpuKernel = {
  ok: (node) => {
    const p = node.params as PrimitiveParams['full'];
    if (!gpuDtype(p.dtype)) return false;
    const x = node.inputs[0];
    if (!x) return true;
    // the axis form reads the input as one flat run: a strided multi-dim view would need its row-major order
    return gpuDtype(x.dtype) && (p.axis === undefined || x.ndim <= 1 || !!x._data?.contiguous);
  },
  run: (node, be) => {
    const p = node.params as PrimitiveParams['full'];
    const x = node.inputs[0];
    if (!x) return [fillConstant(be, p.dtype, p.shape, p.value === undefined ? 0 : Number(p.value))];
    const a = be.arg(x);
    let src: GpuArg;
    if (p.axis !== undefined) {
      const step = x.ndim === 1 ? a.strides[0]! : 1;
      src = { ...a, shape: p.shape, strides: p.shape.map((_, i) => (i === p.axis ? step : 0)) };
    } else {
      src = { ...a, shape: p.shape, strides: broadcastTo(a, p.shape).strides };
    }
    const ti = computeType(x.dtype)!, to = computeType(p.dtype)!;
    return [elementwise(be, [src], p.dtype, p.shape, ([v]) => convert(v!, ti, to))];
  },
};

const isInt32 = (v: number): boolean => Number.isInteger(v) && Math.abs(v) < 2 ** 31;

/** Splits a double into float32 high and low parts, so `hi + lo` carries about 48 bits of it. */
function split(v: number): [number, number] {
  const hi = Math.fround(v);
  return [f32Bits(hi), f32Bits(v - hi)];
}

const arangeKernel: GpuKernel = {
  ok: (node) => {
    const p = node.params as PrimitiveParams['arange'];
    const t = computeType(p.dtype);
    if (p.lin || !t || t === 'bool') return false;
    // integer outputs are computed exactly in 32 bits; fractional steps into integers stay on the CPU
    return t === 'f32' || (isInt32(p.start) && isInt32(p.step) && (p.last === undefined || Number.isInteger(p.last)));
  },
  run: (node, be) => {
    const p = node.params as PrimitiveParams['arange'];
    const t = computeType(p.dtype)!;
    const hasLast = p.last !== undefined && p.n > 1;
    let expr: string, extra: number[];
    if (t === 'f32') {
      // (start_hi + e * step_hi) + (start_lo + e * step_lo): close to the CPU's double arithmetic then rounding
      extra = [...split(p.start), ...split(p.step), f32Bits(p.last ?? 0)];
      expr = `(fma(f32(e), pf(2), pf(0)) + fma(f32(e), pf(3), pf(1)))`;
      if (hasLast) expr = `select(${expr}, pf(4), e == ${p.n - 1})`;
    } else {
      extra = [p.start | 0, p.step | 0, (p.last ?? 0) | 0];
      expr = `(pi(0) + e * pi(1))`;
      if (hasLast) expr = `select(${expr}, pi(2), e == ${p.n - 1})`;
      if (t === 'u32') expr = `bitcast<u32>(${expr})`;
    }
    return [generate(be, p.dtype, [p.n], expr, { extra })];
  },
};

const triKernel: GpuKernel = {
  ok: (node) => gpuDtype((node.params as PrimitiveParams['tri']).dtype),
  run: (node, be) => {
    const p = node.params as PrimitiveParams['tri'];
    const d = `((e % pi(0)) - (e / pi(0)))`;
    const cond = p.lower ? `(${d} <= pi(1))` : `(${d} == pi(1))`;
    return [generate(be, p.dtype, [p.n, p.m], convert(cond, 'bool', computeType(p.dtype)!), { extra: [p.m, p.k] })];
  },
};

const triMaskKernel: GpuKernel = {
  ok: (node) => gpuDtype(node.inputs[0]!.dtype) && node.inputs[0]!.ndim >= 2,
  run: (node, be) => {
    const p = node.params as PrimitiveParams['triMask'];
    const x = node.inputs[0]!, nd = x.ndim, t = computeType(x.dtype)!;
    const n = x.shape[nd - 2]!, m = x.shape[nd - 1]!;
    const d = `((e % pi(1)) - ((e / pi(1)) % pi(0)))`;
    const keep = p.upper ? `(${d} >= pi(2))` : `(${d} <= pi(2))`;
    const zero = convert('false', 'bool', t);
    const expr = `select(${zero}, ld0(e), ${keep})`;
    return [generate(be, x.dtype, x.shape, expr, { ins: [own(be.arg(x))], extra: [n, Math.max(m, 1), p.k] })];
  },
};

const windowKernel: GpuKernel = {
  ok: () => true,
  run: (node: Node, be) => {
    const p = node.params as PrimitiveParams['windowFn'];
    const y = node.outputs[0]!;
    if (p.m === 1) return [fillConstant(be, y.dtype, [1], 1)];
    const a = `(pf(0) * f32(e))`;
    const expr = {
      hanning: `(0.5 - 0.5 * cos(${a}))`,
      hamming: `(0.54 - 0.46 * cos(${a}))`,
      blackman: `(0.42 - 0.5 * cos(${a}) + 0.08 * cos(2.0 * ${a}))`,
      bartlett: `(1.0 - abs(2.0 * f32(e) / f32(pi(1)) - 1.0))`,
    }[p.kind];
    return [generate(be, y.dtype, [p.m], expr, { extra: [f32Bits((2 * Math.PI) / (p.m - 1)), p.m - 1] })];
  },
};

/** Creation-family GPU kernels (and the random ones, which are fills from a key). */
export const creationKernels: Record<string, GpuKernel> = {
  full: fullKernel, arange: arangeKernel, tri: triKernel, triMask: triMaskKernel, windowFn: windowKernel,
  ...randomKernels, ...samplerKernels,
};
