/**
 * @file The asynchronous float32 matmul of the CPU backend's `runAsync`: the same WebAssembly GEMM as the
 * synchronous kernel (so the same bits), with its pooled steps awaited instead of waited for, so an evaluation of
 * a large product leaves the event loop free. Only products the pool would split take this path.
 */
import type { Dtype } from '../../../core/dtype.js';
import { float32 } from '../../../core/dtype.js';
import type { CpuView } from '../view.js';
import { wasmRuntime } from '../wasm/runtime.js';
import { gemmPooled, wasmGemmF32Async } from '../wasm/gemm.js';

/** What the backend lends: a dense, zero-filled output of a dtype and shape. */
interface Allocator { alloc(dtype: Dtype, shape: readonly number[], zero?: boolean): CpuView }

/**
 * `a @ b` for float32 operands of rank >= 2 (batch dims broadcast) into a fresh output, or null where this path
 * does not apply (other dtypes, vectors, products too small for the pool, no WebAssembly): the caller runs the
 * synchronous kernel then. The output is not touched until the last pooled step has finished.
 */
export function matmulAsync(be: Allocator, a: CpuView, b: CpuView, dtype: Dtype, shape: readonly number[]): Promise<CpuView> | null {
  if (dtype !== float32 || a.dtype !== float32 || b.dtype !== float32 || a.shape.length < 2 || b.shape.length < 2) return null;
  const ra = a.shape.length, rb = b.shape.length, ro = shape.length;
  const M = a.shape[ra - 2]!, K = a.shape[ra - 1]!, N = b.shape[rb - 1]!;
  if (!wasmRuntime() || !gemmPooled(M, N, K) || M < 4) return null;
  const o = be.alloc(dtype, shape, true);
  return run(a, b, o, M, N, K, ro).then(() => o);
}

async function run(a: CpuView, b: CpuView, o: CpuView, M: number, N: number, K: number, ro: number): Promise<void> {
  const ra = a.shape.length, rb = b.shape.length;
  const batch = o.shape.slice(0, ro - 2);
  // a broadcast batch dim of an operand has stride 0
  const bs = (v: CpuView, r: number): number[] =>
    batch.map((_, i) => { const d = i - (ro - r); return d < 0 || v.shape[d] === 1 ? 0 : v.strides[d]!; });
  const sa = bs(a, ra), sb = bs(b, rb);
  const nb = batch.reduce((p, x) => p * x, 1);
  const idx = batch.map(() => 0);
  for (let t = 0; t < nb; t++) {
    let aO = a.offset, bO = b.offset;
    for (let i = 0; i < idx.length; i++) { aO += idx[i]! * sa[i]!; bO += idx[i]! * sb[i]!; }
    await wasmGemmF32Async(
      M, N, K, a.buf as Float32Array, aO, a.strides[ra - 2]!, a.strides[ra - 1]!,
      b.buf as Float32Array, bO, b.strides[rb - 2]!, b.strides[rb - 1]!, o.buf as Float32Array, o.offset + t * M * N, N,
    );
    for (let i = idx.length - 1; i >= 0; i--) { if (++idx[i]! < batch[i]!) break; idx[i] = 0; }
  }
}
