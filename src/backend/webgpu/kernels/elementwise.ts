/**
 * @file Generated elementwise kernels: unary, binary, where and astype, over any shape, broadcast (zero strides)
 * and strided inputs. One invocation writes one output word (1, 2 or 4 elements, see wgsl.ts); shapes and strides
 * travel in a small i32 parameter buffer, after adjacent dimensions that are contiguous in every input are merged.
 */
import type { Dtype } from '../../../core/dtype.js';
import { sizeOf } from '../../../core/shape.js';
import type { ArrayData } from '../../backend.js';
import type { GpuArg, WebGpuBackend } from '../backend.js';
import { PRELUDE, packedMain, PACKED_WG, computeType, convert, lanes, loader, type ComputeType } from '../wgsl.js';
import type { GpuKernel } from './kernel.js';
import { BINARY_PRELUDE, BINARY_WGSL, UNARY_WGSL } from './elementwise-defs.js';

const WG = PACKED_WG;

/** Merges dims that are contiguous in every stride list and drops size-1 dims: fewer index divisions per element. */
export function collapse(shape: readonly number[], strides: readonly (readonly number[])[]): [number[], number[][]] {
  const sh: number[] = [];
  const st: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = sh.length - 1;
    if (last >= 0 && strides.every((s, j) => st[j]![last] === s[d]! * shape[d]!)) {
      sh[last] = sh[last]! * shape[d]!;
      strides.forEach((s, j) => { st[j]![last] = s[d]!; });
    } else {
      sh.push(shape[d]!);
      strides.forEach((s, j) => st[j]!.push(s[d]!));
    }
  }
  return [sh, st];
}

/** Right-aligned broadcast strides of an input view against the output shape (0 where it broadcasts). */
export function broadcastStrides(x: GpuArg, outShape: readonly number[]): number[] {
  const k = outShape.length - x.shape.length;
  return outShape.map((_, d) => (d < k || x.shape[d - k] === 1 ? 0 : x.strides[d - k]!));
}

/**
 * WGSL of an elementwise kernel over `ins`, writing `out`; `expr` maps the loaded values (WGSL expressions, one per
 * input) to the output value in the output's compute type.
 */
function shader(ins: readonly Dtype[], out: Dtype, nd: number, expr: (v: string[]) => string): string {
  const N = ins.length;
  const lines: string[] = [PRELUDE, BINARY_PRELUDE];
  ins.forEach((d, j) => {
    lines.push(`@group(0) @binding(${j}) var<storage, read> in${j}: array<u32>;`);
    lines.push(loader(`ld${j}`, `in${j}`, d));
  });
  lines.push(`@group(0) @binding(${N}) var<storage, read_write> out: array<u32>;`);
  lines.push(`@group(0) @binding(${N + 1}) var<storage, read> prm: array<i32>;`);
  // meta: [n, shape[nd], (strides[nd], offset) per input]
  const base = (j: number): number => 1 + nd + j * (nd + 1);
  const idx: string[] = [];
  for (let j = 0; j < N; j++) idx.push(`var o${j} = prm[${base(j) + nd}];`);
  for (let d = nd - 1; d >= 0; d--) {
    const i = d === 0 ? 'rem' : `rem % prm[${1 + d}]`;
    idx.push(`{ let i = ${i};${d ? ` rem = rem / prm[${1 + d}];` : ''}${ins.map((_, j) => ` o${j} += i * prm[${base(j) + d}];`).join('')} }`);
  }
  const vals = ins.map((_, j) => `ld${j}(o${j})`);
  lines.push(packedMain(out, `var rem = e;
    ${idx.join('\n    ')}
    let v = ${expr(vals)};`));
  return lines.join('\n');
}

/** Encodes an elementwise launch and returns its dense output's data. */
export function elementwise(
  be: WebGpuBackend, ins: readonly GpuArg[], out: Dtype, shape: readonly number[], expr: (v: string[]) => string,
  into?: { data: ArrayData; arg: GpuArg },
): ArrayData {
  const o = into ?? be.output(out, shape);
  const n = sizeOf(shape);
  if (n === 0) return o.data;
  const [sh, st] = collapse(shape, ins.map((x) => broadcastStrides(x, shape)));
  const meta: number[] = [n, ...sh];
  ins.forEach((x, j) => meta.push(...st[j]!, x.offset));
  const code = shader(ins.map((x) => x.dtype), out, sh.length, expr);
  const words = Math.ceil(n / lanes(out));
  be.dispatch(code, [...ins.map((x) => x.buf), o.arg.buf, be.params(meta)], Math.ceil(words / WG));
  return o.data;
}

const ct = (d: Dtype): ComputeType | null => computeType(d);

function unaryKernel(name: string): GpuKernel {
  const def = UNARY_WGSL[name]!;
  return {
    ok: (node) => {
      const ti = ct(node.inputs[0]!.dtype), to = ct(node.outputs[0]!.dtype);
      return !!ti && !!to && def('x', BOOL_OUT.has(name) ? ti : to) !== null;
    },
    run: (node, be) => {
      const x = node.inputs[0]!, y = node.outputs[0]!;
      const ti = ct(x.dtype)!, to = ct(y.dtype)!;
      // compute in the output's type (integer inputs of float ops are cast first), predicates in the input's
      const t = BOOL_OUT.has(name) ? ti : to;
      const rt: ComputeType = BOOL_OUT.has(name) ? 'bool' : t;
      return [elementwise(be, [be.arg(x)], y.dtype, y.shape, ([v]) => convert(def(convert(v!, ti, t), t)!, rt, to))];
    },
  };
}

const BOOL_OUT = new Set(['isnan', 'isinf', 'isfinite', 'isposinf', 'isneginf', 'logicalNot',
  'equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual', 'logicalAnd', 'logicalOr']);

function binaryKernel(name: string): GpuKernel {
  const def = BINARY_WGSL[name]!;
  return {
    ok: (node) => {
      const [a, b] = node.inputs;
      const t = ct(a!.dtype), to = ct(node.outputs[0]!.dtype);
      return !!t && !!to && a!.dtype === b!.dtype && def('a', 'b', t) !== null;
    },
    run: (node, be) => {
      const [a, b] = node.inputs, y = node.outputs[0]!;
      const t = ct(a!.dtype)!, to = ct(y.dtype)!;
      const rt: ComputeType = BOOL_OUT.has(name) ? 'bool' : t;
      return [elementwise(be, [be.arg(a!), be.arg(b!)], y.dtype, y.shape, ([u, v]) => convert(def(u!, v!, t)!, rt, to))];
    },
  };
}

const whereKernel: GpuKernel = {
  ok: (node) => node.inputs.every((x) => ct(x.dtype)) && node.inputs[1]!.dtype === node.inputs[2]!.dtype,
  run: (node, be) => {
    const [c, x, y] = node.inputs, o = node.outputs[0]!;
    const tc = ct(c!.dtype)!, t = ct(x!.dtype)!, to = ct(o.dtype)!;
    return [elementwise(be, [be.arg(c!), be.arg(x!), be.arg(y!)], o.dtype, o.shape,
      ([p, u, v]) => convert(`select(${v}, ${u}, ${convert(p!, tc, 'bool')})`, t, to))];
  },
};

const astypeKernel: GpuKernel = {
  ok: (node) => !!ct(node.inputs[0]!.dtype) && !!ct(node.outputs[0]!.dtype),
  run: (node, be) => {
    const x = node.inputs[0]!, y = node.outputs[0]!;
    return [elementwise(be, [be.arg(x)], y.dtype, y.shape, ([v]) => convert(v!, ct(x.dtype)!, ct(y.dtype)!))];
  },
  dense: (be, x) => {
    if (!ct(x.dtype)) throw new Error(`[gpu] Cannot make a dense copy of a strided ${x.dtype.name} view on the GPU yet.`);
    return elementwise(be, [x], x.dtype, x.shape, ([v]) => v!);
  },
};

/** Narrows a dense 32-bit temporary into an output of a narrower (or equal) dtype. */
export function narrow(be: WebGpuBackend, tmp: GpuArg, out: Dtype): ArrayData {
  return elementwise(be, [tmp], out, tmp.shape, ([v]) => convert(v!, ct(tmp.dtype)!, ct(out)!));
}

/** The elementwise GPU kernels, by primitive name. */
export const elementwiseKernels: Record<string, GpuKernel> = {
  ...Object.fromEntries(Object.keys(UNARY_WGSL).map((n) => [n, unaryKernel(n)])),
  ...Object.fromEntries(Object.keys(BINARY_WGSL).map((n) => [n, binaryKernel(n)])),
  where: whereKernel,
  astype: astypeKernel,
};
