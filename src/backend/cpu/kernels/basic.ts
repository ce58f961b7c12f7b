/**
 * @file CPU kernels of the basic family (astype).
 */
import * as dt from '../../../core/dtype.js';
import type { CpuKernelTable } from '../kernel.js';
import { forEachOffset, reader, writer, type CpuView } from '../view.js';
import { wasmAstype } from '../wasm/convert.js';

type Conv = (src: CpuView['buf'], i: number, dst: CpuView['buf'], k: number) => void;

function converter(from: dt.Dtype, to: dt.Dtype): Conv {
  const toBig = to === dt.int64 || to === dt.uint64;
  const fromBig = from === dt.int64 || from === dt.uint64;
  if (from === dt.complex64 && to === dt.complex64) {
    return (s, i, d, k) => { (d as Float32Array)[2 * k] = (s as Float32Array)[2 * i]!; (d as Float32Array)[2 * k + 1] = (s as Float32Array)[2 * i + 1]!; };
  }
  if (fromBig && toBig) {
    const wrap = to === dt.int64 ? (v: bigint) => BigInt.asIntN(64, v) : (v: bigint) => BigInt.asUintN(64, v);
    return (s, i, d, k) => { (d as BigInt64Array)[k] = wrap((s as BigInt64Array)[i]!); };
  }
  if (fromBig && dt.isInteger(to)) {
    // exact wrap-around into narrower integers
    const bits = to.size * 8, signed = dt.isSignedInt(to);
    return (s, i, d, k) => {
      const v = (s as BigInt64Array)[i]!;
      (d as Int32Array)[k] = Number(signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v));
    };
  }
  if (fromBig && to === dt.bool) return (s, i, d, k) => { (d as Uint8Array)[k] = (s as BigInt64Array)[i] !== 0n ? 1 : 0; };
  const rd = reader(from), wr = writer(to);
  if (from === dt.complex64 && to === dt.bool) {
    return (s, i, d, k) => { (d as Uint8Array)[k] = (s as Float32Array)[2 * i] !== 0 || (s as Float32Array)[2 * i + 1] !== 0 ? 1 : 0; };
  }
  return (s, i, d, k) => wr(d, k, rd(s, i));
}

export const basicKernels: CpuKernelTable<'astype'> = {
  astype([x], p, [out], be) {
    const o = be.alloc(p.dtype, out!.shape);
    // float32 <-> float16/bfloat16 of dense inputs on the WASM SIMD kernels; the converter below is the reference
    if (wasmAstype(x!, o)) return [o];
    const conv = converter(x!.dtype, p.dtype);
    const src = x!.buf, dst = o.buf;
    if (x!.contiguous) for (let k = 0, n = out!.size; k < n; k++) conv(src, x!.offset + k, dst, k);
    else forEachOffset(x!.shape, [x!.strides], [x!.offset], (k, off) => conv(src, off[0]!, dst, k));
    return [o];
  },
};
