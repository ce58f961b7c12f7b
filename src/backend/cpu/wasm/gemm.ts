/**
 * @file The float32 GEMM on WebAssembly SIMD: both operands are packed from their strided views (transposed and
 * broadcast ones included, no JS-side copies) into 4-row and 8-column panels, a 4x8 register-blocked micro-kernel
 * sweeps cache-sized blocks of them, and the blocks are split over the worker pool when the product is large.
 */
import { wasmRuntime } from './runtime.js';
import { stage, unstage } from './stage.js';
import { parallelFor } from '../pool/pool.js';

const MR = 4, NR = 8;
// a chunk of C is 64 rows x 256 columns: its A block (64 x 256 k) and B block (256 k x 256) stay in L2
const MCP = 16, NCP = 32;
// below this many multiply-adds the pool's wake-up costs more than it saves
const POOL_MIN = 1 << 21;

/**
 * `C[cB + i*ldc + j*scn] += sum_k A[aB + i*sam + k*sak] * B[bB + k*sbk + j*sbn]`. Returns false (nothing done)
 * where the WebAssembly kernels are unavailable.
 * @example wasmGemmF32(2, 2, 2, a, 0, 2, 1, b, 0, 2, 1, c, 0, 2, 1)
 */
export function wasmGemmF32(
  M: number, N: number, K: number,
  A: Float32Array, aB: number, sam: number, sak: number,
  B: Float32Array, bB: number, sbk: number, sbn: number,
  C: Float32Array, cB: number, ldc: number, scn = 1,
): boolean {
  const rt = wasmRuntime();
  if (!rt) return false;
  if (M === 0 || N === 0 || K === 0) return true;
  const threads = M * N * K >= POOL_MIN;
  const mp = Math.ceil(M / MR), np = Math.ceil(N / NR), ldw = np * NR;
  const sa = stage(rt, A, aB, [M, K], [sam, sak]);
  const sb = stage(rt, B, bB, [K, N], [sbk, sbn]);
  const ap = rt.alloc(mp * MR * K * 4), bp = rt.alloc(np * NR * K * 4), cw = rt.alloc(mp * MR * ldw * 4);
  try {
    const per = (n: number, chunks: number): number => Math.max(1, Math.ceil(n / chunks));
    const pa = threads ? per(mp, 8) : mp, pb = threads ? per(np, 8) : np;
    run('pack_a', Math.ceil(mp / pa), [sa.addr, sa.strides[0]!, sa.strides[1]!, M, K, ap, pa], threads);
    run('pack_b', Math.ceil(np / pb), [sb.addr, sb.strides[0]!, sb.strides[1]!, K, N, bp, pb], threads);
    const chunks = Math.ceil(mp / MCP) * Math.ceil(np / NCP);
    run('gemm_packed', chunks, [ap, bp, cw, mp, np, K, ldw, MCP, NCP], threads);
    const f = rt.f32(), w0 = cw >>> 2;
    for (let i = 0; i < M; i++) {
      const src = w0 + i * ldw, dst = cB + i * ldc;
      if (scn === 1) for (let j = 0; j < N; j++) C[dst + j] += f[src + j]!;
      else for (let j = 0; j < N; j++) C[dst + j * scn] += f[src + j]!;
    }
  } finally {
    rt.free(cw); rt.free(bp); rt.free(ap);
    unstage(rt, sb); unstage(rt, sa);
  }
  return true;
}

function run(fn: string, chunks: number, args: number[], threads: boolean): void {
  if (threads) { parallelFor(fn, chunks, args); return; }
  const f = wasmRuntime()!.fns[fn]!;
  for (let c = 0; c < chunks; c++) f(c, ...args);
}
