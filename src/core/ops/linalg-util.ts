/**
 * @file Argument checks shared by the `mx.linalg` ops (MLX's rules: factorizations need float32/float64 input,
 * at least 2 dimensions, square matrices where the math needs them, and a CPU stream).
 */
import type { MxArray } from '../array.js';
import type { Stream } from '../device.js';
import { fmtShape } from '../shape.js';

/** Throws unless the stream is a CPU stream: MLX runs factorizations on the CPU only. */
export function checkCpu(s: Stream, op: string): Stream {
  if (s.device.type !== 'cpu') {
    throw new Error(`[linalg.${op}] This op is not yet supported on the GPU. Explicitly pass a CPU stream to run it.`);
  }
  return s;
}

/** Throws unless `a` is float32 or float64. */
export function checkFloat(a: MxArray, op: string): void {
  const n = a.dtype.name;
  if (n !== 'float32' && n !== 'float64') {
    throw new TypeError(`[linalg.${op}] Arrays must have type float32 or float64. Received array with type ${n}.`);
  }
}

/** Throws unless `a` has at least 2 dimensions (and, with `square`, square trailing matrices). */
export function checkMatrix(a: MxArray, op: string, square: boolean): void {
  a._check(`linalg.${op}`);
  if (a.ndim < 2) {
    throw new Error(`[linalg.${op}] Arrays must have >= 2 dimensions. Received array with ${a.ndim} dimensions.`);
  }
  if (square && a.shape[a.ndim - 1] !== a.shape[a.ndim - 2]) {
    throw new Error(`[linalg.${op}] Only defined for square matrices; received shape ${fmtShape(a.shape)}.`);
  }
}
