// The GPU kernel of `fusedReduce` (mx.compile's chains with a reduction epilogue) on whatever adapter exists: the
// paths it takes (one dispatch per row reduction, chunks and a second pass for few long rows, with and without
// subgroups) give the uncompiled function's CPU values without a CPU fallback, and a compiled RMSNorm takes
// fewer dispatches than with the epilogue left a separate reduction. Skips cleanly without an adapter.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { fuseOptions } from '../../src/core/transforms/compile-fuse.js';
import { compiledPlan } from '../../src/core/transforms/compile-plan.js';
import { fusedReduceStats } from '../../src/backend/webgpu/kernels/fused-reduce.js';
import { fusedSoftmaxStats } from '../../src/backend/webgpu/kernels/fused-softmax.js';
import { fusedNormStats } from '../../src/backend/webgpu/kernels/fused-norm.js';
import { setReduceTuning, type ReduceTuning } from '../../src/backend/webgpu/kernels/reduce-tuning.js';

type A = mx.MxArray;

let ok = false;
before(async () => { ok = await mx.initGpu({ allowSoftware: true, quiet: true }); });
after(() => mx.shutdown());

const cpu = { stream: mx.cpu };
const stats = (): { fallbacks: number; dispatches: number } => {
  const s = mx.deviceInfo(mx.gpu).stats as { fallbacks: number; dispatches: number } | undefined;
  return { fallbacks: s?.fallbacks ?? 0, dispatches: s?.dispatches ?? 0 };
};
const randn = (shape: number[], seed: number): A => mx.random.normal(shape, mx.float32, { key: mx.random.key(seed), ...cpu });

async function close(g: A, c: A, rtol: number, atol: number, msg: string): Promise<void> {
  assert.deepEqual([...g.shape], [...c.shape], `${msg}: shape`);
  const gv = (await g.data()) as ArrayLike<number>, cv = (await c.data()) as ArrayLike<number>;
  for (let i = 0; i < cv.length; i++) {
    const a = Number(gv[i]), b = Number(cv[i]);
    if (Number.isNaN(b)) { assert.ok(Number.isNaN(a), `${msg}[${i}]: expected NaN, got ${a}`); continue; }
    assert.ok(Math.abs(a - b) <= atol + rtol * Math.abs(b), `${msg}[${i}]: gpu ${a}, cpu ${b}`);
  }
}

/** Runs a compiled `f` on the GPU (after a warm-up call that traces it): its outputs and what the run cost. */
async function onGpu(f: (...xs: A[]) => A, xs: A[]): Promise<{ y: A; dispatches: number; fallbacks: number; steps: string[] }> {
  const prev = mx.defaultDevice();
  mx.setDefaultDevice(mx.gpu);
  try {
    const cf = mx.compile(f);
    await mx.eval(cf(...xs));
    const s0 = stats();
    const y = cf(...xs);
    await mx.eval(y);
    const s1 = stats();
    return { y, dispatches: s1.dispatches - s0.dispatches, fallbacks: s1.fallbacks - s0.fallbacks, steps: compiledPlan(cf, ...xs).steps };
  } finally {
    mx.setDefaultDevice(prev);
  }
}

const rmsNorm = (x: A, w: A): A => mx.multiply(mx.multiply(x, mx.rsqrt(mx.add(mx.mean(mx.multiply(x, x), -1, true), 1e-5))), w);

test('a compiled RMSNorm takes fewer dispatches with the reduction and its post chain as an epilogue', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const x = randn([8, 256], 1), w = randn([256], 2);
  const fused = await onGpu(rmsNorm, [x, w]);
  fuseOptions.epilogues = false;
  let plain;
  try { plain = await onGpu(rmsNorm, [x, w]); } finally { fuseOptions.epilogues = true; }
  assert.ok(!plain.steps.some((s) => s.startsWith('fusedReduce') || s === 'fusedNorm'), plain.steps.join(','));
  assert.equal(fused.fallbacks + plain.fallbacks, 0);
  assert.ok(fused.dispatches < plain.dispatches, `${fused.dispatches} vs ${plain.dispatches} dispatches`);
  // the statistic with its post chain (+ eps, rsqrt) and the scaling in one fusedNorm dispatch
  assert.deepEqual(fused.steps, ['fusedNorm']);
  assert.equal(fused.dispatches, 1);
  const want = rmsNorm(x, w);
  await close(fused.y, want, 1e-5, 1e-6, 'fused');
  await close(plain.y, want, 1e-5, 1e-6, 'plain');
});

interface PathCase {
  name: string;
  f: (...xs: A[]) => A;
  args: () => A[];
  tuning: Partial<ReduceTuning>;
  /** Dispatches of one call, and whether the kernel took its second pass. */
  dispatches: number;
  twoPass: boolean;
}

const mse = (x: A, b: A): A => mx.sum(mx.square(mx.subtract(x, b)), -1);
const PATHS: PathCase[] = [
  { name: 'rows in one dispatch', f: mse, args: () => [randn([64, 300], 3), randn([300], 4)], tuning: {}, dispatches: 1, twoPass: false },
  { name: 'rows without subgroups', f: mse, args: () => [randn([64, 300], 5), randn([300], 6)], tuning: { subgroups: false }, dispatches: 1, twoPass: false },
  { name: 'a few long rows cut into chunks', f: mse, args: () => [randn([3, 5000], 7), randn([5000], 8)], tuning: { redWg: 64, redPerThread: 4 }, dispatches: 2, twoPass: true },
  {
    name: 'chunked mean and max, no subgroups',
    f: (x, y) => mx.add(mx.mean(mx.multiply(x, y), -1), mx.max(mx.add(x, y), -1)),
    args: () => [randn([5, 4097], 9), randn([5, 4097], 10)], tuning: { redWg: 32, redPerThread: 2, subgroups: false }, dispatches: 5, twoPass: true,
  },
  { name: 'a whole array: chunks and a second pass', f: (x) => mx.sum(mx.exp(mx.multiply(x, 0.1))), args: () => [randn([100, 1000], 11)], tuning: {}, dispatches: 2, twoPass: true },
  {
    name: 'chunks, a second pass and a post chain',
    f: (x, b) => mx.rsqrt(mx.add(mx.mean(mx.square(mx.subtract(x, b)), -1, true), 1e-5)),
    args: () => [randn([3, 5000], 15), randn([5000], 16)], tuning: { redWg: 64, redPerThread: 4 }, dispatches: 2, twoPass: true,
  },
  // one row per workgroup: 70000 workgroups spill into y
  { name: 'rows past 65535 workgroups', f: (x) => mx.max(mx.abs(x), -1), args: () => [randn([70000, 64], 12)], tuning: { redWg: 64, redPerThread: 1 }, dispatches: 1, twoPass: false },
];

for (const c of PATHS) {
  test(`fusedReduce path: ${c.name}`, async (t) => {
    if (!ok) { t.skip('no WebGPU adapter'); return; }
    const xs = c.args();
    const prev = setReduceTuning(c.tuning);
    try {
      const two0 = fusedReduceStats.twoPass;
      const r = await onGpu(c.f, xs);
      assert.ok(r.steps.includes('fusedReduce'), r.steps.join(','));
      assert.equal(r.fallbacks, 0);
      assert.equal(r.dispatches, c.dispatches);
      assert.equal(fusedReduceStats.twoPass > two0, c.twoPass);
      await close(r.y, c.f(...xs), 1e-4, 1e-5, c.name);
    } finally {
      setReduceTuning(prev);
    }
  });
}

const attn = (s: A, m: A): A => mx.softmax(mx.add(mx.multiply(s, 0.125), m), -1);
const SOFTMAX: { name: string; args: () => A[]; tuning: Partial<ReduceTuning> }[] = [
  { name: 'short rows, several per workgroup', args: () => [randn([4, 16, 24], 20), randn([16, 24], 21)], tuning: {} },
  { name: 'short rows without subgroups', args: () => [randn([4, 16, 24], 22), randn([16, 24], 23)], tuning: { subgroups: false } },
  { name: 'long rows, one per workgroup', args: () => [randn([3, 6000], 24), randn([3, 1], 25)], tuning: {} },
  { name: 'long rows without subgroups, small workgroups', args: () => [randn([3, 6000], 26), randn([6000], 27)], tuning: { subgroups: false, redWg: 32 } },
  { name: 'a strided (transposed) input', args: () => [randn([40, 12], 28).T, randn([12, 1], 29)], tuning: {} },
];

for (const c of SOFTMAX) {
  test(`fusedSoftmax: ${c.name}`, async (t) => {
    if (!ok) { t.skip('no WebGPU adapter'); return; }
    const xs = c.args();
    const prev = setReduceTuning(c.tuning);
    try {
      const n0 = fusedSoftmaxStats.launches;
      const r = await onGpu(attn, xs);
      assert.ok(r.steps.includes('fusedSoftmax'), r.steps.join(','));
      assert.equal(r.fallbacks, 0);
      assert.equal(r.dispatches, 1);
      assert.ok(fusedSoftmaxStats.launches > n0);
      await close(r.y, attn(...xs as [A, A]), 1e-5, 1e-7, c.name);
    } finally {
      setReduceTuning(prev);
    }
  });
}

const NORM: { name: string; f: (x: A, w: A) => A; args: () => A[]; tuning: Partial<ReduceTuning> }[] = [
  { name: 'RMSNorm rows', f: rmsNorm, args: () => [randn([16, 1000], 30), randn([1000], 31)], tuning: {} },
  { name: 'RMSNorm without subgroups', f: rmsNorm, args: () => [randn([16, 1000], 32), randn([1000], 33)], tuning: { subgroups: false } },
  { name: 'RMSNorm of one long row, small workgroups', f: rmsNorm, args: () => [randn([1, 5000], 34), randn([5000], 35)], tuning: { redWg: 32, subgroups: false } },
  { name: 'RMSNorm of 70000 short rows (workgroups spill into y)', f: rmsNorm, args: () => [randn([70000, 16], 36), randn([16], 37)], tuning: { redWg: 16, redPerThread: 1 } },
  {
    name: 'a centred statistic over two axes, keepdims',
    f: (x, b) => mx.multiply(x, mx.rsqrt(mx.add(mx.mean(mx.square(mx.subtract(x, b)), [1, 2], true), 1e-3))),
    args: () => [randn([3, 7, 9], 38), randn([9], 39)], tuning: {},
  },
];

for (const c of NORM) {
  test(`fusedNorm: ${c.name}`, async (t) => {
    if (!ok) { t.skip('no WebGPU adapter'); return; }
    const xs = c.args();
    const prev = setReduceTuning(c.tuning);
    try {
      const n0 = fusedNormStats.launches;
      const r = await onGpu(c.f as (...xs: A[]) => A, xs);
      assert.deepEqual(r.steps, ['fusedNorm']);
      assert.equal(r.fallbacks, 0);
      assert.equal(r.dispatches, 1);
      assert.ok(fusedNormStats.launches > n0);
      await close(r.y, c.f(xs[0]!, xs[1]!), 2e-5, 1e-6, c.name);
    } finally {
      setReduceTuning(prev);
    }
  });
}

test('fusedNorm under vmap: over the rows and over the weight only', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const x = randn([3, 5, 8], 40), w = randn([4, 8], 41);
  const prev = mx.defaultDevice();
  mx.setDefaultDevice(mx.gpu);
  try {
    const cf = mx.compile(rmsNorm);
    const a = mx.vmap(cf, [0, null])(x, w.index(0)) as A, b = mx.vmap(cf, [null, 0])(x.index(0), w) as A;
    await mx.eval(a, b);
    mx.setDefaultDevice(prev);
    await close(a, mx.vmap(rmsNorm, [0, null])(x, w.index(0)) as A, 2e-5, 1e-6, 'vmap over x');
    await close(b, mx.vmap(rmsNorm, [null, 0])(x.index(0), w) as A, 2e-5, 1e-6, 'vmap over w');
  } finally {
    mx.setDefaultDevice(prev);
  }
});

test('a float64 chain with an epilogue declines: the CPU kernel computes it', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const x = mx.random.normal([4, 9], mx.float64, { key: mx.random.key(13), ...cpu });
  const y = mx.random.normal([9], mx.float64, { key: mx.random.key(14), ...cpu });
  const f = (a: A, b: A): A => mx.sum(mx.multiply(a, b), -1);
  const r = await onGpu(f, [x, y]);
  assert.ok(r.steps.includes('fusedReduce'));
  assert.equal(r.y.dtype, mx.float64);
  await close(r.y, f(x, y), 1e-12, 1e-12, 'float64');
});
