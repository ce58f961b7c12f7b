/**
 * @file The shared machinery of the GPU layout and indexing kernels: views that share an input's buffer (no copy),
 * and one generated "read element from computed offset" shader used by every copying layout/indexing kernel
 * (concatenate, gathers, dynamic slices). Each invocation writes one whole output word (1, 2 or 4 elements, see
 * wgsl.ts), so narrow dtypes never race on a word.
 */
import type { Dtype } from '../../../core/dtype.js';
import type { MxArray } from '../../../core/array.js';
import { sizeOf } from '../../../core/shape.js';
import type { ArrayData } from '../../backend.js';
import type { GpuArg, WebGpuBackend } from '../backend.js';
import { isRowContiguous } from '../../cpu/view.js';
import { PRELUDE, packedMain, PACKED_WG, computeType, convert, lanes, loader } from '../wgsl.js';
import { elementwise } from './elementwise.js';

const WG = PACKED_WG;

/** Whether every input and output of a node has a dtype GPU kernels read and write (no 64-bit/complex). */
export const allGpu = (xs: readonly MxArray[]): boolean => xs.every((x) => computeType(x.dtype) !== null);

/**
 * The output of a view op over `a` (= `be.arg(x)`, whose strides/offset the new geometry was computed from):
 * shares `x`'s GPU buffer. When `x` still lives on the CPU, `a` is a launch temporary, so the view is copied densely.
 */
export function viewOut(
  be: WebGpuBackend, x: MxArray, a: GpuArg, shape: readonly number[], strides: readonly number[], offset: number,
): ArrayData {
  const empty = sizeOf(shape) === 0;
  if (x._data!.storage.backend === be) {
    return { storage: x._data!.storage, offset: empty ? 0 : offset, strides, contiguous: isRowContiguous(shape, strides) };
  }
  return copyDense(be, { ...a, shape, strides, offset: empty ? 0 : offset });
}

/** A dense copy of any GpuArg view (contiguous, reshape that needs a copy). */
export function copyDense(be: WebGpuBackend, a: GpuArg): ArrayData {
  return elementwise(be, [a], a.dtype, a.shape, ([v]) => v!);
}

/**
 * Encodes a gather-like launch writing a dense `out` of `shape`. For every output element the generated code has
 * `idx: array<i32, ND>` (its multi-index over `shape`) and `prm` (the i32 parameters: `[n, ...shape, ...extra]`,
 * extra starting at index `P` = 1 + ndim), and `body(P)` must assign the output value (in the output's compute
 * type) to `var v`. Inputs are bound as `in0..`, each with a loader `ldJ(elementIndex)`.
 */
export function gatherLaunch(
  be: WebGpuBackend, ins: readonly GpuArg[], out: Dtype, shape: readonly number[], extra: readonly number[],
  body: (P: number) => string,
): ArrayData {
  const o = be.output(out, shape);
  const n = sizeOf(shape);
  if (n === 0) return o.data;
  const nd = shape.length, L = lanes(out), P = 1 + nd;
  const lines: string[] = [PRELUDE];
  ins.forEach((x, j) => {
    lines.push(`@group(0) @binding(${j}) var<storage, read> in${j}: array<u32>;`);
    lines.push(loader(`ld${j}`, `in${j}`, x.dtype));
  });
  lines.push(`@group(0) @binding(${ins.length}) var<storage, read_write> out: array<u32>;`);
  lines.push(`@group(0) @binding(${ins.length + 1}) var<storage, read> prm: array<i32>;`);
  lines.push(`fn clampIdx(x: i32, n: i32) -> i32 { var t = x; if (t < 0) { t += n; } if (t < 0) { return 0; } return min(t, n - 1); }`);
  lines.push(packedMain(out, `var idx: array<i32, ${Math.max(1, nd)}>;
    var rem = e;
    for (var d = ${nd - 1}; d >= 0; d--) { idx[d] = rem % prm[1 + d]; rem = rem / prm[1 + d]; }
    var v: ${computeType(out)};
    ${body(P)}`));
  const code = lines.join('\n');
  const meta = [n, ...shape, ...extra];
  be.dispatch(code, [...ins.map((x) => x.buf), o.arg.buf, be.params(meta)], Math.ceil(Math.ceil(n / L) / WG));
  return o.data;
}

/** WGSL: `sum_d idx[d] * prm[at + d]` over `nd` dims (a strided offset from per-output-dim strides in prm). */
export function dot(nd: number, at: number): string {
  let s = '0';
  for (let d = 0; d < nd; d++) s += ` + idx[${d}] * prm[${at + d}]`;
  return `(${s})`;
}

/** WGSL converting index value `v` of dtype `d` to i32. */
export const toI32 = (v: string, d: Dtype): string => convert(v, computeType(d)!, 'i32');
