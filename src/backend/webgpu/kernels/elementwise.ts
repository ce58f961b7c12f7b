/**
 * @file Generated elementwise kernels: unary, binary, where and astype, over any shape, broadcast (zero strides)
 * and strided inputs. One invocation writes one output word (1, 2 or 4 elements, see wgsl.ts), or one element of an
 * 8-byte dtype (two words); shapes and strides travel in a small i32 parameter buffer, after adjacent dimensions
 * that are contiguous in every input are merged. int64/uint64/complex64 operands take the expressions of
 * elementwise-64.ts / elementwise-complex.ts (two-word values, wgsl-wide.ts).
 */
import * as dt from '../../../core/dtype.js';
import type { Dtype } from '../../../core/dtype.js';
import { sizeOf } from '../../../core/shape.js';
import type { Node } from '../../../core/array.js';
import type { ArrayData } from '../../backend.js';
import type { GpuArg, WebGpuBackend } from '../backend.js';
import { PRELUDE, packedMain, PACKED_WG, computeType, convert, lanes, loader, type ComputeType } from '../wgsl.js';
import type { GpuKernel } from './kernel.js';
import { BINARY_PRELUDE, BINARY_WGSL, UNARY_WGSL } from './elementwise-defs.js';
import { fastElementwise } from './elementwise-fast.js';
import { convertAny, mantissaBits, valueType, wideMain, WIDE_WG } from '../wgsl-wide.js';
import { C64_PRELUDE, W64_PRELUDE } from '../wgsl-wide-prelude.js';
import { anyWide, wideBinary, wideUnary } from './elementwise-64.js';

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
  if (anyWide([...ins, out])) lines.push(W64_PRELUDE, C64_PRELUDE);
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
  // an expression may ignore an input (isnan of an integer): keep every binding statically used for the layout
  const body = `${ins.map((_, j) => `_ = arrayLength(&in${j});`).join(' ')}
    var rem = e;
    ${idx.join('\n    ')}
    let v = ${expr(vals)};`;
  lines.push(out.size === 8 ? wideMain(valueType(out)!, body) : packedMain(out, body));
  return lines.join('\n');
}

/** Generated sources by memo key, then dtypes and rank as one number (see `elementwise`). */
const memoShaders = new Map<string, Map<number, string>>();

/**
 * Encodes an elementwise launch and returns its dense output's data. `memo`, when given, names what `expr` computes
 * given the dtypes (e.g. `'b:add'`): the WGSL is then generated once per memo, dtypes and rank and looked up by a
 * short key, instead of being rebuilt and hashed per launch (a decode step launches hundreds of these).
 */
export function elementwise(
  be: WebGpuBackend, ins: readonly GpuArg[], out: Dtype, shape: readonly number[], expr: (v: string[]) => string,
  into?: { data: ArrayData; arg: GpuArg }, memo?: string,
): ArrayData {
  if (!into) {
    // dense 32-bit operands: the vec4 kernel (several words per invocation, no index math)
    const fast = fastElementwise(be, ins, out, shape, expr, memo);
    if (fast) return fast;
  }
  const o = into ?? be.output(out, shape);
  const n = sizeOf(shape);
  if (n === 0) return o.data;
  const [sh, st] = collapse(shape, ins.map((x) => broadcastStrides(x, shape)));
  const meta: number[] = [n, ...sh];
  ins.forEach((x, j) => meta.push(...st[j]!, x.offset));
  let code: string | undefined;
  if (memo !== undefined && ins.length <= 4 && sh.length < 64) {
    let key = out.index;
    for (const x of ins) key = key * 16 + x.dtype.index;
    key = (key * 8 + ins.length) * 64 + sh.length;
    let byKey = memoShaders.get(memo);
    if (!byKey) memoShaders.set(memo, (byKey = new Map()));
    code = byKey.get(key);
    if (code === undefined) byKey.set(key, (code = shader(ins.map((x) => x.dtype), out, sh.length, expr)));
  } else code = shader(ins.map((x) => x.dtype), out, sh.length, expr);
  // one invocation per output word, or per element of an 8-byte dtype
  const groups = out.size === 8 ? Math.ceil(n / WIDE_WG) : Math.ceil(Math.ceil(n / lanes(out)) / WG);
  be.dispatch(code, [...ins.map((x) => x.buf), o.arg.buf, be.params(meta)], groups);
  return o.data;
}

const ct = (d: Dtype): ComputeType | null => computeType(d);

/** A kernel for the nodes `narrowOk` rejects but that have a wide (64-bit/complex) expression. */
function withWideUnary(name: string, narrowOk: (n: Node) => boolean, run: GpuKernel['run']): GpuKernel {
  const memo = `wu:${name}`;
  const wide = (n: Node) => wideUnary(name, n.inputs[0]!.dtype, n.outputs[0]!.dtype);
  return {
    ok: (node) => narrowOk(node) || wide(node) !== null,
    run: (node, be) => {
      if (narrowOk(node)) return run(node, be);
      const x = node.inputs[0]!, y = node.outputs[0]!, f = wide(node)!;
      return [elementwise(be, [be.arg(x)], y.dtype, y.shape, ([v]) => f(v!), undefined, memo)];
    },
  };
}

function withWideBinary(name: string, narrowOk: (n: Node) => boolean, run: GpuKernel['run']): GpuKernel {
  const memo = `wb:${name}`;
  const wide = (n: Node) => (n.inputs[0]!.dtype === n.inputs[1]!.dtype
    ? wideBinary(name, n.inputs[0]!.dtype, n.outputs[0]!.dtype) : null);
  return {
    ok: (node) => narrowOk(node) || wide(node) !== null,
    run: (node, be) => {
      if (narrowOk(node)) return run(node, be);
      const [a, b] = node.inputs, y = node.outputs[0]!, f = wide(node)!;
      return [elementwise(be, [be.arg(a!), be.arg(b!)], y.dtype, y.shape, ([u, v]) => f(u!, v!), undefined, memo)];
    },
  };
}

function unaryKernel(name: string): GpuKernel {
  const def = UNARY_WGSL[name]!;
  const memo = `u:${name}`;
  return withWideUnary(name, (node) => {
    const ti = ct(node.inputs[0]!.dtype), to = ct(node.outputs[0]!.dtype);
    return !!ti && !!to && def('x', BOOL_OUT.has(name) ? ti : to) !== null;
  }, (node, be) => {
    const x = node.inputs[0]!, y = node.outputs[0]!;
    const ti = ct(x.dtype)!, to = ct(y.dtype)!;
    // compute in the output's type (integer inputs of float ops are cast first), predicates in the input's
    const t = BOOL_OUT.has(name) ? ti : to;
    const rt: ComputeType = BOOL_OUT.has(name) ? 'bool' : t;
    return [elementwise(be, [be.arg(x)], y.dtype, y.shape, ([v]) => convert(def(convert(v!, ti, t), t)!, rt, to), undefined, memo)];
  });
}

const BOOL_OUT = new Set(['isnan', 'isinf', 'isfinite', 'isposinf', 'isneginf', 'logicalNot',
  'equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual', 'logicalAnd', 'logicalOr']);

function binaryKernel(name: string): GpuKernel {
  const def = BINARY_WGSL[name]!;
  const memo = `b:${name}`;
  return withWideBinary(name, (node) => {
    const [a, b] = node.inputs;
    const t = ct(a!.dtype), to = ct(node.outputs[0]!.dtype);
    return !!t && !!to && a!.dtype === b!.dtype && def('a', 'b', t) !== null;
  }, (node, be) => {
    const [a, b] = node.inputs, y = node.outputs[0]!;
    const t = ct(a!.dtype)!, to = ct(y.dtype)!;
    const rt: ComputeType = BOOL_OUT.has(name) ? 'bool' : t;
    return [elementwise(be, [be.arg(a!), be.arg(b!)], y.dtype, y.shape, ([u, v]) => convert(def(u!, v!, t)!, rt, to), undefined, memo)];
  });
}

const whereKernel: GpuKernel = {
  ok: (node) => node.inputs.every((x) => valueType(x.dtype)) && node.inputs[1]!.dtype === node.inputs[2]!.dtype,
  run: (node, be) => {
    const [c, x, y] = node.inputs, o = node.outputs[0]!;
    const tc = valueType(c!.dtype)!, t = valueType(x!.dtype)!, to = valueType(o.dtype)!;
    return [elementwise(be, [be.arg(c!), be.arg(x!), be.arg(y!)], o.dtype, o.shape,
      ([p, u, v]) => convertAny(`select(${v}, ${u}, ${convertAny(p!, tc, 'bool')})`, t, to, mantissaBits(o.dtype)), undefined, 'where')];
  },
};

const astypeKernel: GpuKernel = {
  ok: (node) => !!valueType(node.inputs[0]!.dtype) && !!valueType(node.outputs[0]!.dtype),
  run: (node, be) => {
    const x = node.inputs[0]!, y = node.outputs[0]!;
    const ti = valueType(x.dtype)!, to = valueType(y.dtype)!;
    return [elementwise(be, [be.arg(x)], y.dtype, y.shape, ([v]) => convertAny(v!, ti, to, mantissaBits(y.dtype)), undefined, 'astype')];
  },
  dense: (be, x) => {
    // float64 never computes on the GPU, but its words can move: copy them as uint64 bits
    if (x.dtype === dt.float64) x = { ...x, dtype: dt.uint64 };
    if (!valueType(x.dtype)) throw new Error(`[gpu] Cannot make a dense copy of a strided ${x.dtype.name} view on the GPU yet.`);
    return elementwise(be, [x], x.dtype, x.shape, ([v]) => v!, undefined, 'copy');
  },
};

/** Narrows a dense 32-bit temporary into an output of a narrower (or equal) dtype. */
export function narrow(be: WebGpuBackend, tmp: GpuArg, out: Dtype): ArrayData {
  return elementwise(be, [tmp], out, tmp.shape, ([v]) => convert(v!, ct(tmp.dtype)!, ct(out)!), undefined, 'narrow');
}

/** The elementwise GPU kernels, by primitive name. */
export const elementwiseKernels: Record<string, GpuKernel> = {
  ...Object.fromEntries(Object.keys(UNARY_WGSL).map((n) => [n, unaryKernel(n)])),
  ...Object.fromEntries(Object.keys(BINARY_WGSL).map((n) => [n, binaryKernel(n)])),
  where: whereKernel,
  astype: astypeKernel,
};

/**
 * Kernels of other families (misc: `imag`, `leftShift`, `rightShift`) extended to int64/uint64/complex64 operands:
 * `base` runs every node it accepts, the wide expressions take the rest.
 */
export function withWideKernels(base: Readonly<Record<string, GpuKernel>>): Record<string, GpuKernel> {
  const out: Record<string, GpuKernel> = {};
  for (const n of ['imag']) if (base[n]) out[n] = withWideUnary(n, (node) => base[n]!.ok(node), base[n]!.run);
  for (const n of ['leftShift', 'rightShift']) if (base[n]) out[n] = withWideBinary(n, (node) => base[n]!.ok(node), base[n]!.run);
  return out;
}
