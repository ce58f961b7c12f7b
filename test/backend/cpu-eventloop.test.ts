/**
 * @file The event loop keeps turning while `mx.eval` runs heavy CPU work: a 5 ms interval timer fires throughout a
 * large float32 matmul (its pooled steps run on the workers while the main thread awaits) and through a long chain
 * of medium nodes (the scheduler yields between them). The async results equal the synchronous path's bit for bit,
 * on plain, transposed and broadcast-batched operands.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { materialize } from '../../src/core/eval.js';
import { wasmRuntime } from '../../src/backend/cpu/wasm/runtime.js';
import { warmPool } from '../../src/backend/cpu/pool/pool.js';

const skip = !wasmRuntime();

/** Runs `f` while a 5 ms interval ticks; returns f's duration and the largest gap between ticks (or f's start). */
async function withTicks(f: () => Promise<void>): Promise<{ ms: number; gap: number; ticks: number }> {
  let last = performance.now(), gap = 0, ticks = 0;
  const h = setInterval(() => { const t = performance.now(); gap = Math.max(gap, t - last); last = t; ticks++; }, 5);
  await new Promise((r) => setTimeout(r, 20)); // let the interval settle
  last = performance.now(); gap = 0; ticks = 0;
  const t0 = performance.now();
  await f();
  const ms = performance.now() - t0;
  gap = Math.max(gap, performance.now() - last);
  clearInterval(h);
  return { ms, gap, ticks };
}

async function waitWorkers(): Promise<void> {
  for (let i = 0; i < 100 && warmPool() === 0; i++) await new Promise((r) => setTimeout(r, 10));
}

test('a 2048 float32 matmul under mx.eval leaves the event loop free', { skip }, async () => {
  await waitWorkers();
  const a = mx.random.normal([2048, 2048]), b = mx.random.normal([2048, 2048]);
  await mx.eval(a, b);
  const c = mx.matmul(a, b);
  const r = await withTicks(() => mx.eval(c));
  // the kernel takes ~0.4-1 s on two (shared) cores; a blocked loop shows one gap of that whole size. Idle, the
  // largest gap is ~10-25 ms; a loaded CI machine can deschedule the main thread for longer, hence the margin
  assert.ok(r.ms > 150, `matmul took only ${r.ms.toFixed(0)} ms: too small to tell`);
  assert.ok(r.gap < Math.max(50, r.ms / 4), `largest gap between 5 ms ticks ${r.gap.toFixed(1)} ms while the eval took ${r.ms.toFixed(0)} ms`);
  assert.ok(r.ticks >= r.ms / 20, `only ${r.ticks} ticks in ${r.ms.toFixed(0)} ms`);
});

test('a chain of medium CPU nodes under mx.eval yields between them', { skip }, async () => {
  const x0 = mx.random.normal([1 << 20]);
  await mx.eval(x0);
  let x = x0;
  for (let i = 0; i < 300; i++) x = mx.tanh(mx.multiply(x, mx.array(1.0001)));
  const r = await withTicks(() => mx.eval(x));
  assert.ok(r.gap < Math.max(60, r.ms / 3), `largest gap ${r.gap.toFixed(1)} ms while the eval took ${r.ms.toFixed(0)} ms`);
});

const cases: { name: string; a: number[]; b: number[]; ta?: boolean; tb?: boolean }[] = [
  { name: '1024 x 1024 @ 1024 x 1024', a: [1024, 1024], b: [1024, 1024] },
  { name: 'odd 333 x 517 @ 517 x 129', a: [333, 517], b: [517, 129] },
  { name: 'transposed operands', a: [300, 700], b: [200, 300], ta: true, tb: true },
  { name: 'batched, broadcast B', a: [3, 2, 200, 160], b: [1, 160, 250] },
];

for (const c of cases) {
  test(`async matmul equals the synchronous path bit for bit: ${c.name}`, { skip }, async () => {
    const A0 = mx.random.normal(c.a), B0 = mx.random.normal(c.b);
    await mx.eval(A0, B0);
    const A = c.ta ? mx.transpose(A0) : A0, B = c.tb ? mx.transpose(B0) : B0;
    const sync = mx.matmul(A, B);
    materialize([sync]); // the synchronous kernel (run), as compile and deep chains use it
    assert.ok(sync.isEvaluated);
    const asy = mx.matmul(A, B);
    await mx.eval(asy);
    const s = await sync.data(), y = await asy.data();
    assert.deepEqual(asy.shape, sync.shape);
    assert.ok(Buffer.from(s.buffer, s.byteOffset, s.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength)));
  });
}

test('concurrent evaluations of one large matmul run it once and agree', { skip }, async () => {
  const a = mx.random.normal([700, 800]), b = mx.random.normal([800, 600]);
  await mx.eval(a, b);
  const c = mx.matmul(a, b);
  const d = mx.sum(c);
  const p1 = mx.asyncEval(c);
  const p2 = mx.eval(d);
  c.dispose(); // disposing while in flight must not free what the workers read or write
  await Promise.all([p1, p2]);
  const ref = mx.sum(mx.matmul(a, b));
  materialize([ref]);
  assert.equal((await d.data())[0], (await ref.data())[0]);
});
