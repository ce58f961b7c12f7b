/**
 * @file The float32 GEMM on WebAssembly SIMD: both operands are packed from their strided views (transposed and
 * broadcast ones included, no JS-side copies) into 4-row and 8-column panels, a 4x8 register-blocked micro-kernel
 * sweeps cache-sized blocks of them, and the blocks are split over the worker pool when the product is large.
 * The steps are one generator of pool jobs, so the synchronous driver and the async one (which awaits each pooled
 * job and leaves the event loop free) are the same code and give the same bits.
 */
import { wasmRuntime } from './runtime.js';
import { stage, unstage } from './stage.js';
import { parallelFor, parallelForAsync } from '../pool/pool.js';

const MR = 4, NR = 8;
// a chunk of C is 64 rows x 256 columns: its A block (64 x 256 k) and B block (256 k x 256) stay in L2
const MCP = 16, NCP = 32;
// below this many multiply-adds the pool's wake-up costs more than it saves
const POOL_MIN = 1 << 21;

/** One step of the GEMM: a kernel export over `chunks` chunks; `pool` says whether splitting it is worth it. */
interface Job { fn: string; chunks: number; args: number[]; pool: boolean }

/** True when an M x N x K float32 product is large enough for the worker pool (and so for `wasmGemmF32Async`). */
export function gemmPooled(M: number, N: number, K: number): boolean {
  return M * N * K >= POOL_MIN;
}

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
  if (!wasmRuntime()) return false;
  const steps = gemmSteps(M, N, K, A, aB, sam, sak, B, bB, sbk, sbn, C, cB, ldc, scn);
  for (let s = steps.next(); !s.done; s = steps.next()) run(s.value);
  return true;
}

/**
 * `wasmGemmF32` whose pooled steps run on the workers while the caller awaits: the event loop stays free. `C`
 * is written only after the last step (from this thread), so nothing may read it before the promise settles;
 * `A` and `B` must stay alive until then. Rejects where the WebAssembly kernels are unavailable.
 */
export async function wasmGemmF32Async(
  M: number, N: number, K: number,
  A: Float32Array, aB: number, sam: number, sak: number,
  B: Float32Array, bB: number, sbk: number, sbn: number,
  C: Float32Array, cB: number, ldc: number, scn = 1,
): Promise<void> {
  if (!wasmRuntime()) throw new Error('[gemm] no WebAssembly runtime');
  const steps = gemmSteps(M, N, K, A, aB, sam, sak, B, bB, sbk, sbn, C, cB, ldc, scn);
  try {
    for (let s = steps.next(); !s.done; s = steps.next()) {
      if (s.value.pool) await parallelForAsync(s.value.fn, s.value.chunks, s.value.args);
      else run(s.value);
    }
  } finally {
    steps.return(); // a failed job: free the scratch buffers all the same
  }
}

function* gemmSteps(
  M: number, N: number, K: number,
  A: Float32Array, aB: number, sam: number, sak: number,
  B: Float32Array, bB: number, sbk: number, sbn: number,
  C: Float32Array, cB: number, ldc: number, scn: number,
): Generator<Job, void, void> {
  const rt = wasmRuntime()!;
  if (M === 0 || N === 0 || K === 0) return;
  // the one-thread build (plain memory) has no workers
  const threads = rt.shared && gemmPooled(M, N, K);
  const mp = Math.ceil(M / MR), np = Math.ceil(N / NR), ldw = np * NR;
  const sa = stage(rt, A, aB, [M, K], [sam, sak]);
  const sb = stage(rt, B, bB, [K, N], [sbk, sbn]);
  const ap = rt.alloc(mp * MR * K * 4), bp = rt.alloc(np * NR * K * 4), cw = rt.alloc(mp * MR * ldw * 4);
  try {
    const per = (n: number, chunks: number): number => Math.max(1, Math.ceil(n / chunks));
    const pa = threads ? per(mp, 8) : mp, pb = threads ? per(np, 8) : np;
    yield { fn: 'pack_a', chunks: Math.ceil(mp / pa), args: [sa.addr, sa.strides[0]!, sa.strides[1]!, M, K, ap, pa], pool: threads };
    yield { fn: 'pack_b', chunks: Math.ceil(np / pb), args: [sb.addr, sb.strides[0]!, sb.strides[1]!, K, N, bp, pb], pool: threads };
    const chunks = Math.ceil(mp / MCP) * Math.ceil(np / NCP);
    yield { fn: 'gemm_packed', chunks, args: [ap, bp, cw, mp, np, K, ldw, MCP, NCP], pool: threads };
    // after the awaits: the memory may have grown, so take a fresh view
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
}

function run({ fn, chunks, args, pool }: Job): void {
  if (pool) { parallelFor(fn, chunks, args); return; }
  const f = wasmRuntime()!.fns[fn]!;
  for (let c = 0; c < chunks; c++) f(c, ...args);
}
