/**
 * @file Getting float32 operands into the kernels' memory. A typed array that already lives there (allocated by
 * the backend inside it) is used in place; any other view is copied once as the span of elements it touches
 * (one memcpy, any strides, broadcasts and transposes included), or gathered densely when that span is much
 * larger than the view (a small slice of a big array).
 */
import type { WasmRuntime } from './runtime.js';

/** An operand in wasm memory: the byte address of element (0, ..., 0), its element strides, and what to free. */
export interface Staged { addr: number; strides: number[]; tmp: number }

/** Places the view (`buf`, element `offset`, `shape`, `strides`) where the kernels can read it. */
export function stage(rt: WasmRuntime, buf: Float32Array, offset: number, shape: readonly number[], strides: readonly number[]): Staged {
  if (rt.owns(buf)) return { addr: buf.byteOffset + offset * 4, strides: [...strides], tmp: 0 };
  let lo = offset, hi = offset, n = 1;
  for (let d = 0; d < shape.length; d++) {
    const e = shape[d]!, s = strides[d]!;
    n *= e;
    if (e > 1) { if (s < 0) lo += (e - 1) * s; else hi += (e - 1) * s; }
  }
  if (n === 0) return { addr: 0, strides: [...strides], tmp: 0 };
  const span = hi - lo + 1;
  if (span <= 2 * n + 1024) {
    const ptr = rt.alloc(span * 4);
    rt.f32().set(buf.subarray(lo, hi + 1), ptr >>> 2);
    return { addr: ptr + (offset - lo) * 4, strides: [...strides], tmp: ptr };
  }
  // dense gather, row-major
  const ptr = rt.alloc(n * 4), f = rt.f32();
  const nd = shape.length, idx = new Array<number>(nd).fill(0);
  let o = offset;
  for (let k = 0, d0 = ptr >>> 2; k < n; k++) {
    f[d0 + k] = buf[o]!;
    let d = nd - 1;
    while (d >= 0) {
      idx[d]!++;
      o += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      o -= strides[d]! * shape[d]!;
      idx[d] = 0;
      d--;
    }
  }
  const dense = new Array<number>(nd);
  for (let d = nd - 1, acc = 1; d >= 0; d--) { dense[d] = acc; acc *= shape[d]!; }
  return { addr: ptr, strides: dense, tmp: ptr };
}

/** Frees what `stage` allocated. */
export function unstage(rt: WasmRuntime, s: Staged): void {
  if (s.tmp) rt.free(s.tmp);
}
