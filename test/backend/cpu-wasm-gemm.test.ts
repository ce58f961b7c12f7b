/**
 * @file The WebAssembly float32 GEMM against its TypeScript reference (`gemmRef`) on odd shapes, strided,
 * transposed, reversed and broadcast operands, empty extents, and products large enough to use the worker pool;
 * and mx.matmul on a batched transposed product against a float64 triple loop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { wasmGemmF32 } from '../../src/backend/cpu/wasm/gemm.js';
import { gemmRef } from '../../src/backend/cpu/kernels/matmul-gemm.js';
import { wasmRuntime } from '../../src/backend/cpu/wasm/runtime.js';
import { warmPool } from '../../src/backend/cpu/pool/pool.js';

function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; out[i] = s / 2 ** 32 - 0.5; }
  return out;
}

interface Layout { off: number; sr: number; sc: number; len: number }
// element strides of an R x C operand stored as given ('row', 'col'-major, 'rev'ersed rows, 'gap' of 3, 'bcast' rows)
function layout(kind: string, R: number, C: number): Layout {
  switch (kind) {
    case 'col': return { off: 0, sr: 1, sc: R, len: R * C };
    case 'rev': return { off: (R - 1) * C, sr: -C, sc: 1, len: R * C };
    case 'gap': return { off: 2, sr: 3 * C + 1, sc: 3, len: 2 + (3 * C + 1) * R + 3 * C };
    case 'bcast': return { off: 0, sr: 0, sc: 1, len: C };
    default: return { off: 0, sr: C, sc: 1, len: R * C };
  }
}

const SHAPES: [number, number, number][] = [
  [1, 1, 1], [7, 7, 7], [1, 65, 63], [63, 1, 65], [65, 63, 1], [63, 65, 7], [7, 63, 65], [65, 7, 63],
  [0, 5, 3], [4, 0, 3], [4, 5, 0], [130, 250, 300],
];
const KINDS: [string, string][] = [['row', 'row'], ['col', 'row'], ['row', 'col'], ['rev', 'gap'], ['gap', 'rev'], ['bcast', 'col']];

test('wasm runtime loads', () => {
  assert.ok(wasmRuntime(), 'WebAssembly SIMD with shared memory should be available in Node 20');
});

for (const [M, N, K] of SHAPES) {
  for (const [ka, kb] of KINDS) {
    test(`gemm ${M}x${K} (${ka}) @ ${K}x${N} (${kb}) matches the TypeScript reference`, () => {
      const la = layout(ka, M, K), lb = layout(kb, K, N);
      const A = rand(la.len, M * 31 + K), B = rand(lb.len, N * 17 + K);
      // C with a row pitch wider than N and a non-zero start: the kernel must accumulate into the right cells
      const ldc = N + 3, C1 = rand(2 + M * ldc, 5), C2 = C1.slice();
      gemmRef(M, N, K, A, la.off, la.sr, la.sc, transposedRows(B, lb, K, N), 0, N, C1, 2, ldc);
      assert.ok(wasmGemmF32(M, N, K, A, la.off, la.sr, la.sc, B, lb.off, lb.sr, lb.sc, C2, 2, ldc));
      const tol = 4 * K * 2 ** -24 + 1e-7;
      for (let i = 0; i < C1.length; i++) {
        if (!(Math.abs(C1[i]! - C2[i]!) <= tol)) assert.fail(`C[${i}]: ${C2[i]} vs reference ${C1[i]}`);
      }
    });
  }
}

// gemmRef reads B with unit column stride: hand it a dense copy
function transposedRows(B: Float32Array, l: Layout, K: number, N: number): Float32Array {
  const out = new Float32Array(K * N);
  for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) out[k * N + j] = B[l.off + k * l.sr + j * l.sc]!;
  return out;
}

test('large products split over the worker pool give the same result as one thread', async () => {
  warmPool();
  // give the worker time to come up so the split really happens
  await new Promise((r) => setTimeout(r, 300));
  const M = 257, N = 259, K = 263;
  const A = rand(M * K, 1), B = rand(K * N, 2), C1 = new Float32Array(M * N), C2 = new Float32Array(M * N);
  gemmRef(M, N, K, A, 0, K, 1, B, 0, N, C1, 0, N);
  wasmGemmF32(M, N, K, A, 0, K, 1, B, 0, N, 1, C2, 0, N);
  let worst = 0;
  for (let i = 0; i < C1.length; i++) worst = Math.max(worst, Math.abs(C1[i]! - C2[i]!));
  assert.ok(worst <= 4 * K * 2 ** -24, `max abs difference ${worst}`);
});

test('mx.matmul: batched, transposed b, odd sizes, against a float64 loop', async () => {
  const Bt = 3, M = 65, K = 63, N = 67;
  const a = rand(Bt * M * K, 3), b = rand(N * K, 4);
  const x = mx.array(a, mx.float32).reshape([Bt, M, K]);
  const w = mx.array(b, mx.float32).reshape([N, K]);
  const y = mx.matmul(x, mx.transpose(w));
  const got = (await y.data()) as Float32Array;
  for (let t = 0; t < Bt; t++) for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += a[t * M * K + i * K + k]! * b[j * K + k]!;
    const g = got[(t * M + i) * N + j]!;
    if (!(Math.abs(g - s) <= 1e-5)) assert.fail(`y[${t},${i},${j}] = ${g}, expected ${s}`);
  }
});
