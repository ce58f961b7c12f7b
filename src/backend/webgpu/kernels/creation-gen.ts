/**
 * @file An index-driven generator for the creation and random kernels: each output element `e` (its row-major index)
 * is computed by a WGSL expression that may read scalar parameters and inputs at any row-major index of their own
 * (strided) view. Unlike the elementwise generator, the expression sees the element index, which fills (arange, tri,
 * windows, random words) need. One invocation still writes one whole output word (1, 2 or 4 elements).
 */
import type { Dtype } from '../../../core/dtype.js';
import { sizeOf } from '../../../core/shape.js';
import type { ArrayData } from '../../backend.js';
import type { GpuArg, WebGpuBackend } from '../backend.js';
import { PRELUDE, packedMain, PACKED_WG, computeType, lanes, loader } from '../wgsl.js';

const WG = PACKED_WG;

/** The i32 bit pattern of a number rounded to float32 (float parameters travel in the i32 parameter buffer). */
export function f32Bits(x: number): number {
  return new Int32Array(new Float32Array([x]).buffer)[0]!;
}

/** An input read by row-major index of `shape` (which may be the output shape with broadcast, zero, strides). */
export interface IndexedInput { arg: GpuArg; shape: readonly number[]; strides: readonly number[] }

/**
 * WGSL shader: `ld{j}(idx)` loads input j at row-major index `idx` of its view; `pi(k)`/`pf(k)` read extra
 * parameter k as i32/f32; `expr` (using `e: i32`) is the value of output element `e` in the output's compute type.
 */
function genShader(ins: readonly IndexedInput[], out: Dtype, nExtra: number, expr: string, helpers: string): string {
  const lines: string[] = [PRELUDE];
  let at = 1 + nExtra;
  ins.forEach((x, j) => {
    const nd = x.shape.length;
    lines.push(`@group(0) @binding(${j}) var<storage, read> in${j}: array<u32>;`);
    lines.push(loader(`raw${j}`, `in${j}`, x.arg.dtype));
    const body: string[] = [`var rem = idx;`, `var o = prm[${at + 2 * nd}];`];
    for (let d = nd - 1; d >= 0; d--) {
      body.push(`{ let i = ${d ? `rem % prm[${at + d}]` : 'rem'};${d ? ` rem = rem / prm[${at + d}];` : ''} o += i * prm[${at + nd + d}]; }`);
    }
    lines.push(`fn ld${j}(idx: i32) -> ${computeType(x.arg.dtype)} { ${body.join(' ')} return raw${j}(o); }`);
    at += 2 * nd + 1;
  });
  lines.push(`@group(0) @binding(${ins.length}) var<storage, read_write> out: array<u32>;`);
  lines.push(`@group(0) @binding(${ins.length + 1}) var<storage, read> prm: array<i32>;`);
  lines.push(`fn pi(k: i32) -> i32 { return prm[1 + k]; }`);
  lines.push(`fn pf(k: i32) -> f32 { return bitcast<f32>(prm[1 + k]); }`);
  lines.push(helpers);
  lines.push(packedMain(out, `let v = ${expr};`));
  return lines.join('\n');
}

/**
 * Encodes a generated fill of a fresh `out`/`shape` array and returns its data. `extra` are i32 parameters (use
 * `f32Bits` for floats).
 */
export function generate(
  be: WebGpuBackend, out: Dtype, shape: readonly number[], expr: string,
  opts: { ins?: readonly IndexedInput[]; extra?: readonly number[]; helpers?: string } = {},
): ArrayData {
  const ins = opts.ins ?? [], extra = opts.extra ?? [];
  const o = be.output(out, shape);
  const n = sizeOf(shape);
  if (n === 0) return o.data;
  const meta: number[] = [n, ...extra];
  for (const x of ins) meta.push(...x.shape, ...x.strides, x.arg.offset);
  const code = genShader(ins, out, extra.length, expr, opts.helpers ?? '');
  const words = Math.ceil(n / lanes(out));
  be.dispatch(code, [...ins.map((x) => x.arg.buf), o.arg.buf, be.params(meta)], Math.ceil(words / WG));
  return o.data;
}

/** An input read at its own row-major indices. */
export const own = (arg: GpuArg): IndexedInput => ({ arg, shape: arg.shape, strides: arg.strides });

/** An input broadcast (right-aligned) to `shape` and read at the output's row-major indices. */
export function broadcastTo(arg: GpuArg, shape: readonly number[]): IndexedInput {
  const k = shape.length - arg.shape.length;
  return { arg, shape, strides: shape.map((_, d) => (d < k || arg.shape[d - k] === 1 ? 0 : arg.strides[d - k]!)) };
}
