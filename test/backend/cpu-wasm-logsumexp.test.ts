/**
 * @file The WebAssembly float32 logsumexp kernel against its TypeScript reference (`logsumexpF32Ref`) on odd lane
 * lengths (1, 7, 63, 65), reversed and non-uniformly spaced lanes, empty lanes, NaN/inf lanes, inputs inside and
 * outside the kernels' memory, and sizes large enough for the worker pool; and `mx.logsumexp` end to end.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { rowMajorStrides } from '../../src/core/shape.js';
import { wasmRuntime } from '../../src/backend/cpu/wasm/runtime.js';
import { wasmLogsumexpF32, wasmLimits } from '../../src/backend/cpu/wasm/elementwise.js';
import { logsumexpF32Ref, denseLanes } from '../../src/backend/cpu/kernels/reduce-f32.js';
import { lanePlan } from '../../src/backend/cpu/kernels/reduce-plan.js';
import { warmPool } from '../../src/backend/cpu/pool/pool.js';
import * as mx from '../../src/index.js';

wasmLimits.min = 0;
const rt = wasmRuntime()!;

before(async () => { warmPool(); await new Promise((r) => setTimeout(r, 300)); });

function data(n: number, inWasm: boolean, seed: number): Float32Array {
  const ptr = inWasm ? rt.alloc(Math.max(n, 1) * 4) : 0;
  const b = inWasm ? new Float32Array(rt.memory.buffer, ptr, n) : new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; b[i] = (s / 2 ** 32 - 0.5) * 20; }
  return b;
}

// [name, buffer shape, view shape, view strides, view offset, poke]
type Case = [string, number[], number[], number[] | null, number, ((b: Float32Array) => void)?];
const CASES: Case[] = [
  ['1x1', [1, 1], [1, 1], null, 0],
  ['7x7', [7, 7], [7, 7], null, 0],
  ['63x65', [63, 65], [63, 65], null, 0],
  ['65x63', [65, 63], [65, 63], null, 0],
  ['reversed rows 7x65', [7, 65], [7, 65], [-65, 1], 6 * 65],
  ['non-uniform lanes (3x2x65 seen as 2x3x65)', [3, 2, 65], [2, 3, 65], [65, 130, 1], 0],
  ['empty lanes', [3, 0], [3, 0], null, 0],
  ['NaN, inf, -inf lanes and large values', [5, 63], [5, 63], null, 0,
    (b) => { b[3] = NaN; b[70] = Infinity; for (let k = 126; k < 189; k++) b[k] = -Infinity; b[200] = 80; b[201] = 88; }],
  ['300x1000 (pool)', [300, 1000], [300, 1000], null, 0],
];

for (const [name, bufShape, shape, strides, offset, poke] of CASES) {
  for (const inWasm of [true, false]) {
    test(`wasm logsumexp_f32 ${name} (${inWasm ? 'in' : 'out of'} wasm memory)`, () => {
      const b = data(bufShape.reduce((a, c) => a * c, 1), inWasm, 7);
      poke?.(b);
      const plan = lanePlan(shape, [shape.length - 1], [strides ?? rowMajorStrides(shape)], [offset]);
      assert.ok(denseLanes(plan, 0));
      const want = new Float32Array(plan.lanes), got = new Float32Array(plan.lanes);
      logsumexpF32Ref(b, plan, want);
      assert.equal(wasmLogsumexpF32(b, plan, got), plan.lanes > 0);
      for (let l = 0; l < plan.lanes; l++) {
        const g = got[l]!, w = want[l]!;
        if (!(Object.is(g, w) || Math.abs(g - w) <= 2e-6 * Math.max(1, Math.abs(w)))) assert.fail(`lane ${l}: ${g} vs ${w}`);
      }
    });
  }
}

test('mx.logsumexp and mx.min on float32 agree with float64 oracles', async () => {
  const rows = 40, cols = 257, n = rows * cols;
  const x = Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 10);
  const a = mx.reshape(mx.array(x, mx.float32), [rows, cols]);
  const lse = (await mx.logsumexp(a, -1).tolist()) as number[];
  const mn = (await mx.min(a, -1).tolist()) as number[];
  for (let r = 0; r < rows; r++) {
    const lane = x.slice(r * cols, (r + 1) * cols).map(Math.fround);
    const m = Math.max(...lane);
    const want = m + Math.log(lane.reduce((s, v) => s + Math.exp(v - m), 0));
    assert.ok(Math.abs(lse[r]! - want) <= 1e-5 * Math.abs(want) + 1e-6, `lse row ${r}: ${lse[r]} vs ${want}`);
    assert.equal(mn[r], Math.min(...lane));
  }
});
