/**
 * @file The real-valued GEMM routines of the CPU backend, on Float32Array (float32 and the half types, converted
 * first) or Float64Array. Each accumulates `C += A @ B` over strided A and a B whose rows are unit-stride (or,
 * for `gemmDot`, whose columns are). They are the one place a faster implementation plugs in: float32 products of
 * at least `WASM_MIN` multiply-adds run on the WebAssembly SIMD kernels (wasm/gemm.ts) and these loops stay the
 * reference and the fallback.
 */
import { wasmGemmF32 } from '../wasm/gemm.js';

/** A float buffer the GEMMs run on. */
export type FloatBuf = Float32Array | Float64Array;

// B block of KB x NB elements stays in L2 while every row of A sweeps over it
const NB = 512;
const KB = 256;
// below this many multiply-adds packing for the WASM kernel costs more than it saves
const WASM_MIN = 1 << 15;

/**
 * `C[i*ldc + j] += sum_k A[i*sam + k*sak] * B[k*ldb + j]` for i < M, j < N, k < K (all offsets from the bases).
 * Loop order i-k-j over blocks of B; two rows of A and four k at a time, so each B element loaded serves two
 * rows and each C element is loaded and stored once per four products.
 */
export function gemm(
  M: number, N: number, K: number,
  A: FloatBuf, aB: number, sam: number, sak: number,
  B: FloatBuf, bB: number, ldb: number,
  C: FloatBuf, cB: number, ldc: number,
): void {
  if (C instanceof Float32Array && M * N * K >= WASM_MIN &&
    wasmGemmF32(M, N, K, A as Float32Array, aB, sam, sak, B as Float32Array, bB, ldb, 1, C, cB, ldc)) return;
  gemmRef(M, N, K, A, aB, sam, sak, B, bB, ldb, C, cB, ldc);
}

/** The TypeScript `gemm` (the reference the WASM kernel is tested against). */
export function gemmRef(
  M: number, N: number, K: number,
  A: FloatBuf, aB: number, sam: number, sak: number,
  B: FloatBuf, bB: number, ldb: number,
  C: FloatBuf, cB: number, ldc: number,
): void {
  for (let j0 = 0; j0 < N; j0 += NB) {
    const jn = Math.min(N, j0 + NB) - j0;
    for (let k0 = 0; k0 < K; k0 += KB) {
      const k1 = Math.min(K, k0 + KB);
      let i = 0;
      for (; i + 1 < M; i += 2) {
        const c0 = cB + i * ldc + j0, c1 = c0 + ldc, r0 = aB + i * sam, r1 = r0 + sam;
        let k = k0;
        for (; k + 3 < k1; k += 4) {
          const o0 = k * sak, o1 = o0 + sak, o2 = o1 + sak, o3 = o2 + sak;
          const x0 = A[r0 + o0]!, x1 = A[r0 + o1]!, x2 = A[r0 + o2]!, x3 = A[r0 + o3]!;
          const y0 = A[r1 + o0]!, y1 = A[r1 + o1]!, y2 = A[r1 + o2]!, y3 = A[r1 + o3]!;
          const b0 = bB + k * ldb + j0, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
          for (let j = 0; j < jn; j++) {
            const p0 = B[b0 + j]!, p1 = B[b1 + j]!, p2 = B[b2 + j]!, p3 = B[b3 + j]!;
            C[c0 + j] += x0 * p0 + x1 * p1 + x2 * p2 + x3 * p3;
            C[c1 + j] += y0 * p0 + y1 * p1 + y2 * p2 + y3 * p3;
          }
        }
        for (; k < k1; k++) {
          const x0 = A[r0 + k * sak]!, y0 = A[r1 + k * sak]!, b0 = bB + k * ldb + j0;
          for (let j = 0; j < jn; j++) { const p = B[b0 + j]!; C[c0 + j] += x0 * p; C[c1 + j] += y0 * p; }
        }
      }
      if (i < M) {
        const c0 = cB + i * ldc + j0, r0 = aB + i * sam;
        let k = k0;
        for (; k + 3 < k1; k += 4) {
          const x0 = A[r0 + k * sak]!, x1 = A[r0 + (k + 1) * sak]!, x2 = A[r0 + (k + 2) * sak]!, x3 = A[r0 + (k + 3) * sak]!;
          const b0 = bB + k * ldb + j0, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
          for (let j = 0; j < jn; j++) C[c0 + j] += x0 * B[b0 + j]! + x1 * B[b1 + j]! + x2 * B[b2 + j]! + x3 * B[b3 + j]!;
        }
        for (; k < k1; k++) {
          const x0 = A[r0 + k * sak]!, b0 = bB + k * ldb + j0;
          for (let j = 0; j < jn; j++) C[c0 + j] += x0 * B[b0 + j]!;
        }
      }
    }
  }
}

/**
 * `C[i*ldc + j*scn] = sum_k A[i*sam + k*sak] * B[j*sbn + k]`: dot products along unit-stride columns of B. The
 * fast form of `x @ W.T` for few rows of x (LLM decode), where packing W would cost as much as the product.
 */
export function gemmDot(
  M: number, N: number, K: number,
  A: FloatBuf, aB: number, sam: number, sak: number,
  B: FloatBuf, bB: number, sbn: number,
  C: FloatBuf, cB: number, ldc: number, scn: number,
): void {
  // one row of A would use a quarter of the WASM micro-kernel's tile after packing all of B: stay here
  if (C instanceof Float32Array && M >= 4 && M * N * K >= WASM_MIN &&
    wasmGemmF32(M, N, K, A as Float32Array, aB, sam, sak, B as Float32Array, bB, 1, sbn, C, cB, ldc, scn)) return;
  for (let i = 0; i < M; i++) {
    const ai = aB + i * sam;
    for (let j = 0; j < N; j++) {
      const bj = bB + j * sbn;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let k = 0;
      if (sak === 1) {
        for (; k + 3 < K; k += 4) {
          s0 += A[ai + k]! * B[bj + k]!;
          s1 += A[ai + k + 1]! * B[bj + k + 1]!;
          s2 += A[ai + k + 2]! * B[bj + k + 2]!;
          s3 += A[ai + k + 3]! * B[bj + k + 3]!;
        }
      }
      for (; k < K; k++) s0 += A[ai + k * sak]! * B[bj + k]!;
      C[cB + i * ldc + j * scn] = C[cB + i * ldc + j * scn]! + ((s0 + s1) + (s2 + s3));
    }
  }
}

/** Copies a K x N operand given by offset tables into a dense row-major panel (the packed B of `gemm`). */
export function packPanel(
  src: FloatBuf, base: number, rowOffs: Float64Array, colOffs: Float64Array, dst: FloatBuf,
): void {
  const R = rowOffs.length, Cn = colOffs.length;
  for (let r = 0; r < R; r++) {
    const o = base + rowOffs[r]!, d = r * Cn;
    for (let c = 0; c < Cn; c++) dst[d + c] = src[o + colOffs[c]!]!;
  }
}
