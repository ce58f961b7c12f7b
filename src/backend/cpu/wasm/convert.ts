/**
 * @file float32 <-> float16/bfloat16 conversion on WebAssembly SIMD (round to nearest even, NaN kept), for dense
 * runs of elements. Buffers in the kernels' memory are used in place; others are copied in or out once.
 */
import { wasmRuntime, type WasmRuntime } from './runtime.js';
import { parallelFor } from '../pool/pool.js';

const POOL_MIN = 1 << 18, CHUNK = 1 << 16;

function run(rt: WasmRuntime, fn: string, n: number, args: number[]): void {
  if (n >= POOL_MIN && rt.shared) parallelFor(fn, Math.ceil(n / CHUNK), [...args, CHUNK]);
  else rt.fns[fn]!(0, ...args, n);
}

/** Address of elements [off, off+n) of `a` in wasm memory, copying them in when `copyIn` (else scratch). */
function place(rt: WasmRuntime, a: Float32Array | Uint16Array, off: number, n: number, copyIn: boolean): { addr: number; tmp: number } {
  if (rt.owns(a)) return { addr: a.byteOffset + off * a.BYTES_PER_ELEMENT, tmp: 0 };
  const tmp = rt.alloc(n * a.BYTES_PER_ELEMENT);
  if (copyIn) {
    const dst = a instanceof Float32Array ? new Float32Array(rt.memory.buffer, tmp, n) : new Uint16Array(rt.memory.buffer, tmp, n);
    dst.set(a.subarray(off, off + n) as never);
  }
  return { addr: tmp, tmp };
}

function finish(rt: WasmRuntime, a: Float32Array | Uint16Array, off: number, n: number, p: { tmp: number }): void {
  if (!p.tmp) return;
  const src = a instanceof Float32Array ? new Float32Array(rt.memory.buffer, p.tmp, n) : new Uint16Array(rt.memory.buffer, p.tmp, n);
  a.set(src as never, off);
}

/**
 * `dst[dOff + k] = half(src[sOff + k])` for k < n; false when the kernels are unavailable.
 * @example wasmF32ToHalf('float16', f32, 0, u16, 0, f32.length)
 */
export function wasmF32ToHalf(kind: 'float16' | 'bfloat16', src: Float32Array, sOff: number, dst: Uint16Array, dOff: number, n: number): boolean {
  const rt = wasmRuntime();
  if (!rt) return false;
  if (n === 0) return true;
  const s = place(rt, src, sOff, n, true), d = place(rt, dst, dOff, n, false);
  try {
    run(rt, 'f32_to_half', n, [kind === 'float16' ? 0 : 1, s.addr, d.addr, n]);
    finish(rt, dst, dOff, n, d);
  } finally {
    if (d.tmp) rt.free(d.tmp);
    if (s.tmp) rt.free(s.tmp);
  }
  return true;
}

/**
 * `dst[dOff + k] = float32(src[sOff + k])` for 16-bit float bits; false when the kernels are unavailable.
 * @example wasmHalfToF32('bfloat16', u16, 0, f32, 0, u16.length)
 */
export function wasmHalfToF32(kind: 'float16' | 'bfloat16', src: Uint16Array, sOff: number, dst: Float32Array, dOff: number, n: number): boolean {
  const rt = wasmRuntime();
  if (!rt) return false;
  if (n === 0) return true;
  const s = place(rt, src, sOff, n, true), d = place(rt, dst, dOff, n, false);
  try {
    run(rt, 'half_to_f32', n, [kind === 'float16' ? 0 : 1, s.addr, d.addr, n]);
    finish(rt, dst, dOff, n, d);
  } finally {
    if (d.tmp) rt.free(d.tmp);
    if (s.tmp) rt.free(s.tmp);
  }
  return true;
}

/**
 * astype between float32 and float16/bfloat16 for a contiguous input into a fresh dense output; false when it
 * does not apply (other dtypes, strided input, no runtime) and the TypeScript converter should run.
 * @example if (x.contiguous && wasmAstype(x, o)) return [o];
 */
export function wasmAstype(
  x: { dtype: { name: string }; buf: unknown; offset: number; contiguous: boolean },
  o: { dtype: { name: string }; buf: unknown },
): boolean {
  // a few elements convert faster in JS than through a call and a copy
  if (!x.contiguous || (o.buf as ArrayLike<number>).length < 256) return false;
  const from = x.dtype.name, to = o.dtype.name;
  if (from === 'float32' && (to === 'float16' || to === 'bfloat16')) {
    const d = o.buf as Uint16Array;
    return wasmF32ToHalf(to, x.buf as Float32Array, x.offset, d, 0, d.length);
  }
  if ((from === 'float16' || from === 'bfloat16') && to === 'float32') {
    const d = o.buf as Float32Array;
    return wasmHalfToF32(from, x.buf as Uint16Array, x.offset, d, 0, d.length);
  }
  return false;
}
