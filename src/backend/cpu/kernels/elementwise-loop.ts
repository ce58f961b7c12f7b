/**
 * @file The strided loop under every elementwise kernel. The output is always a fresh dense array; inputs are any
 * views, broadcast through zero strides. Dimensions that are contiguous for every operand are merged first, so a
 * broadcast row or a transposed block still runs as long inner rows instead of one callback per element.
 */
import * as dt from '../../../core/dtype.js';
import type { Dtype } from '../../../core/dtype.js';
import { broadcastStrides, type CpuView } from '../view.js';
import type { TypedArray } from '../../backend.js';

/**
 * Processes one inner row: `n` elements, output at `io..io+n`, input j starting at `offs[j]` with step `steps[j]`.
 */
export type RowFn = (n: number, offs: Float64Array, steps: Float64Array, io: number) => void;

/** Runs `row` over all of `outShape` for the inputs `xs`, which broadcast to it. */
export function stridedLoop(xs: readonly CpuView[], outShape: readonly number[], row: RowFn): void {
  const m = xs.length;
  let size = 1;
  for (const d of outShape) size *= d;
  if (size === 0) return;
  const offs = new Float64Array(m), steps = new Float64Array(m);
  // every input dense with the output's shape, or a single element: one row
  let dense = true;
  for (let j = 0; j < m; j++) {
    const x = xs[j]!;
    offs[j] = x.offset;
    if (x.contiguous && sameDims(x.shape, outShape)) steps[j] = 1;
    else if (sizeOfShape(x.shape) === 1) steps[j] = 0;
    else dense = false;
  }
  if (dense) { row(size, offs, steps, 0); return; }
  // general case: merge dims that are contiguous for every operand, then an odometer over the outer ones
  const strides = xs.map((x) => broadcastStrides(x, outShape));
  const shape: number[] = [];
  const st: number[][] = xs.map(() => []);
  for (let d = 0; d < outShape.length; d++) {
    const ext = outShape[d]!;
    if (ext === 1) continue;
    const last = shape.length - 1;
    if (last >= 0 && strides.every((s, j) => st[j]![last] === s[d]! * ext)) {
      shape[last] = shape[last]! * ext;
      for (let j = 0; j < m; j++) st[j]![last] = strides[j]![d]!;
    } else {
      shape.push(ext);
      for (let j = 0; j < m; j++) st[j]!.push(strides[j]![d]!);
    }
  }
  const nd = shape.length;
  if (nd === 0) { row(1, offs, steps, 0); return; }
  const inner = shape[nd - 1]!;
  for (let j = 0; j < m; j++) steps[j] = st[j]![nd - 1]!;
  const idx = new Int32Array(nd);
  const base = new Float64Array(m);
  for (let io = 0; io < size; io += inner) {
    base.set(offs);
    row(inner, offs, steps, io);
    offs.set(base);
    let d = nd - 2;
    while (d >= 0) {
      idx[d]!++;
      for (let j = 0; j < m; j++) offs[j] = offs[j]! + st[j]![d]!;
      if (idx[d]! < shape[d]!) break;
      for (let j = 0; j < m; j++) offs[j] = offs[j]! - st[j]![d]! * shape[d]!;
      idx[d] = 0;
      d--;
    }
  }
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sizeOfShape(s: readonly number[]): number {
  let n = 1;
  for (const d of s) n *= d;
  return n;
}

/**
 * How a kernel touches a dtype's storage: 'num' reads and writes plain JS numbers straight from the typed array
 * (ints up to 32 bits, float32, float64), 'half' goes through float16/bfloat16 bits, 'big' is BigInt storage,
 * 'cplx' is interleaved pairs, 'bool' is 0/1 bytes.
 */
export type StorageClass = 'num' | 'half' | 'big' | 'cplx' | 'bool';

export function storageClass(d: Dtype): StorageClass {
  if (d === dt.bool) return 'bool';
  if (d === dt.float16 || d === dt.bfloat16) return 'half';
  if (d === dt.int64 || d === dt.uint64) return 'big';
  if (d === dt.complex64) return 'cplx';
  return 'num';
}

/** Whether integer products in this dtype can pass 2^53 (so they need Math.imul to wrap exactly). */
export const needsImul = (d: Dtype): boolean => d === dt.int32 || d === dt.uint32;

/** Storage typed array as a float array, for plain indexing (the caller knows the real element type). */
export const asF = (b: TypedArray): Float64Array => b as unknown as Float64Array;
