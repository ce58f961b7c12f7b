/**
 * @file The one-thread WebAssembly build (plain, non-shared memory: what a page without cross-origin isolation
 * gets), forced with `MLX_CPU_WASM_SHARED=0`. Its kernels are checked against the TypeScript references (reductions
 * incl. min, logsumexp, softmax, argmax, gemm) on odd shapes and sizes past the pool threshold, across growth of
 * the plain memory (which detaches its buffer), and through `mx` ops end to end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';

// before the runtime is first created: the imports below are dynamic so that nothing creates it earlier
process.env.MLX_CPU_WASM_SHARED = '0';
const { wasmRuntime } = await import('../../src/backend/cpu/wasm/runtime.js');
const { wasmReduceF32, wasmLogsumexpF32, wasmSoftmaxF32, wasmArgReduceF32, wasmLimits } = await import('../../src/backend/cpu/wasm/elementwise.js');
const { wasmGemmF32 } = await import('../../src/backend/cpu/wasm/gemm.js');
const { reduceF32Ref, logsumexpF32Ref, softmaxF32Ref } = await import('../../src/backend/cpu/kernels/reduce-f32.js');
const { lanePlan } = await import('../../src/backend/cpu/kernels/reduce-plan.js');
const { rowMajorStrides } = await import('../../src/core/shape.js');
const mx = await import('../../src/index.js');

wasmLimits.min = 0;

function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; out[i] = (s / 2 ** 32 - 0.5) * 8; }
  return out;
}

const close = (g: number, w: number, tol: number): boolean => Object.is(g, w) || Math.abs(g - w) <= tol * Math.max(1, Math.abs(w));

test('the runtime is the plain-memory build: not shared, no resident arrays', () => {
  const rt = wasmRuntime();
  assert.ok(rt);
  assert.equal(rt.shared, false);
  assert.ok(!(rt.memory.buffer instanceof SharedArrayBuffer));
});

// [name, shape, reduced axes]; the last is past the pool threshold and grows the memory when staged
const SHAPES: [string, number[], number[]][] = [
  ['1', [1], [0]], ['7', [7], [0]], ['63x65 last', [63, 65], [1]], ['65x63 first (strided)', [65, 63], [0]],
  ['empty lanes', [3, 0], [1]], ['1<<22', [1 << 22], [0]],
];
for (const [name, shape, axes] of SHAPES) {
  test(`one-thread reductions ${name} match the TypeScript reference`, () => {
    const n = shape.reduce((a, b) => a * b, 1), b = rand(n, 5);
    if (n > 100) { b[77] = NaN; }
    const plan = lanePlan(shape, axes, [rowMajorStrides(shape)], [0]);
    for (const mode of ['sum', 'mean', 'max', 'min']) {
      const want = new Float32Array(plan.lanes), got = new Float32Array(plan.lanes);
      reduceF32Ref(mode, b, plan, want);
      assert.ok(wasmReduceF32(mode, b, plan, got));
      for (let l = 0; l < plan.lanes; l++) assert.ok(close(got[l]!, want[l]!, 1e-6), `${mode} lane ${l}: ${got[l]} vs ${want[l]}`);
    }
    if (axes[0] === shape.length - 1 && plan.lanes > 0 && plan.n > 0) {
      const want = new Float32Array(plan.lanes), got = new Float32Array(plan.lanes);
      logsumexpF32Ref(b, plan, want);
      assert.ok(wasmLogsumexpF32(b, plan, got));
      for (let l = 0; l < plan.lanes; l++) assert.ok(close(got[l]!, want[l]!, 2e-6), `logsumexp lane ${l}`);
      const am = new Uint32Array(plan.lanes), wantAm = new Uint32Array(plan.lanes);
      assert.ok(wasmArgReduceF32(true, b, plan, am));
      for (let l = 0; l < plan.lanes; l++) {
        let best = -Infinity, at = 0;
        for (let k = 0; k < plan.n; k++) { const v = b[plan.outer[0]![l]! + k]!; if (v !== v) { at = k; break; } if (v > best) { best = v; at = k; } }
        wantAm[l] = at;
      }
      assert.deepEqual(am, wantAm);
    }
  });
}

test('one-thread softmax declines (its output cannot live in the plain memory) and the reference runs', () => {
  const b = rand(63 * 65, 9), plan = lanePlan([63, 65], [1], [rowMajorStrides([63, 65]), rowMajorStrides([63, 65])], [0, 0]);
  const out = new Float32Array(63 * 65);
  if (!wasmSoftmaxF32(b, plan, out)) softmaxF32Ref(b, plan, out);
  for (let l = 0; l < 63; l++) {
    let s = 0;
    for (let k = 0; k < 65; k++) s += out[l * 65 + k]!;
    assert.ok(Math.abs(s - 1) < 1e-5);
  }
});

for (const [M, N, K] of [[1, 1, 1], [7, 7, 7], [63, 65, 67], [130, 129, 300]] as const) {
  test(`one-thread gemm ${M}x${K} @ ${K}x${N} matches a float64 loop`, () => {
    const A = rand(M * K, 1), B = rand(K * N, 2), C = new Float32Array(M * N);
    assert.ok(wasmGemmF32(M, N, K, A, 0, K, 1, B, 0, N, 1, C, 0, N));
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += A[i * K + k]! * B[k * N + j]!;
        assert.ok(Math.abs(C[i * N + j]! - s) <= 1e-4 * Math.max(1, Math.abs(s)), `C[${i},${j}]`);
      }
    }
  });
}

test('mx ops on large float32 arrays give the float64 answers under the one-thread build', async () => {
  const rows = 64, cols = 4099, n = rows * cols;
  const x = Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i * 0.37) * 10));
  const a = mx.reshape(mx.array(x, mx.float32), [rows, cols]);
  const [sum, mn, lse, sel] = await Promise.all([
    mx.sum(a, -1).tolist(), mx.min(a, -1).tolist(), mx.logsumexp(a, -1).tolist(),
    mx.where(mx.greater(a, 0), a, mx.negative(a)).tolist(),
  ]) as [number[], number[], number[], number[][]];
  for (let r = 0; r < rows; r++) {
    const lane = x.slice(r * cols, (r + 1) * cols);
    const m = Math.max(...lane);
    assert.ok(Math.abs(sum[r]! - lane.reduce((s, v) => s + v, 0)) < 1e-3);
    assert.equal(mn[r], Math.min(...lane));
    assert.ok(Math.abs(lse[r]! - (m + Math.log(lane.reduce((s, v) => s + Math.exp(v - m), 0)))) < 1e-4);
    for (let c = 0; c < cols; c += 97) assert.equal(sel[r]![c], lane[c]! > 0 ? lane[c]! : -lane[c]!);
  }
  assert.equal(wasmRuntime()!.shared, false);
});
