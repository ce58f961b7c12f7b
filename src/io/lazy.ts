/**
 * @file Builds the lazy arrays the readers return: a `load` node per tensor, bound to a CPU stream (reads happen on
 * the host; an op on another device moves the data as it does for any CPU array).
 */
import { bind, bindMulti, type MxArray } from '../core/array.js';
import type { Dtype } from '../core/dtype.js';
import type { Stream } from '../core/device.js';
import type { ByteSource } from './source.js';
import '../core/primitives/io.js';

/** A pending array whose evaluation reads `shape`·`dtype` bytes at `offset` of `src`. */
export function lazyArray(
  src: ByteSource, offset: number, shape: number[], dtype: Dtype, stream: Stream,
  opts: { swap?: number; fortran?: boolean; verify?: (b: Uint8Array) => void } = {},
): MxArray {
  return bind('load', [], {
    src, offset, shape, dtype, swap: opts.swap ?? 0, fortran: opts.fortran ?? false, verify: opts.verify,
  }, stream);
}

/** Pending (weight, scales, biases) of a GGML quantized tensor, or its float16 dequantization. */
export function lazyQuantized(
  src: ByteSource, offset: number, nbytes: number, type: string, shape: number[], mode: 'affine' | 'float16',
  bits: number, stream: Stream,
): MxArray[] {
  return bindMulti('loadQuantized', [], { src, offset, nbytes, type, shape, mode, bits }, stream);
}
