// Reductions as epilogues of mx.compile's fused chains (`fusedReduce`), on every test device: each compiled
// function gives the uncompiled function's values on the CPU backend (whose ops are NumPy-checked in test/core),
// its plan shows whether the reduction was fused, and on the GPU the fused node runs there (no CPU fallback).
// Softmax epilogues (`fusedSoftmax`) likewise. Gradients, jvp and vmap through compiled functions with epilogues
// match the uncompiled ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { compiledPlan } from '../../src/core/transforms/compile-plan.js';
import { useTestDevices } from '../helpers/devices.js';

type A = mx.MxArray;
type F = (...xs: A[]) => A | A[];

const devices = await useTestDevices();
const cpu = { stream: mx.cpu };
const randn = (shape: number[], seed: number, dtype = mx.float32): A =>
  mx.random.normal(shape, dtype, { key: mx.random.key(seed), ...cpu });
const stats = (): { fallbacks: number; dispatches: number } => {
  const s = mx.deviceInfo(mx.gpu).stats as { fallbacks: number; dispatches: number } | undefined;
  return { fallbacks: s?.fallbacks ?? 0, dispatches: s?.dispatches ?? 0 };
};

async function close(g: A, c: A, rtol: number, atol: number, msg: string): Promise<void> {
  assert.deepEqual([...g.shape], [...c.shape], `${msg}: shape`);
  assert.equal(g.dtype, c.dtype, `${msg}: dtype`);
  const gv = (await g.data()) as ArrayLike<number>, cv = (await c.data()) as ArrayLike<number>;
  for (let i = 0; i < cv.length; i++) {
    const a = Number(gv[i]), b = Number(cv[i]);
    if (Number.isNaN(b)) { assert.ok(Number.isNaN(a), `${msg}[${i}]: expected NaN, got ${a}`); continue; }
    assert.ok(Math.abs(a - b) <= atol + rtol * Math.abs(b), `${msg}[${i}]: compiled ${a}, uncompiled ${b}`);
  }
}

/** Runs `fn` with `device` as the default device (compiled functions trace and place their nodes there). */
async function on<T>(device: mx.Device, fn: () => T | Promise<T>): Promise<T> {
  const prev = mx.defaultDevice();
  mx.setDefaultDevice(device);
  try { return await fn(); } finally { mx.setDefaultDevice(prev); }
}

const sq = (x: A): A => mx.multiply(x, x);
const rmsNorm = (x: A, w: A): A => mx.multiply(mx.multiply(x, mx.rsqrt(mx.add(mx.mean(sq(x), -1, true), 1e-5))), w);

interface Case {
  name: string;
  f: F;
  args: () => A[];
  /** Whether the plan has a fusedReduce (fusedSoftmax) step and, when true, no separate reduce (softmax). */
  fused: boolean;
  softmax?: boolean;
  rtol?: number;
  /** A single elementwise op before the epilogue: fused on the GPU, left to the op's own kernels on the CPU. */
  single?: boolean;
  /** The whole plan, where it is known on every device. */
  steps?: string[];
  /** The whole plan on the GPU (row chains reading a statistic join it there: fusedNorm). */
  gpuSteps?: string[];
  /** CPU only (float64 runs on the CPU by design). */
  cpuOnly?: boolean;
}

const CASES: Case[] = [
  { name: 'sum(x*y) over all axes', f: (x, y) => mx.sum(mx.multiply(x, y)), args: () => [randn([8, 9], 1), randn([8, 9], 2)], fused: true, single: true },
  { name: 'sum over the last axis', f: (x, y) => mx.sum(mx.exp(mx.multiply(x, y)), -1), args: () => [randn([8, 9], 3), randn([8, 9], 4)], fused: true },
  { name: 'sum over the last axis, keepdims', f: (x, y) => mx.sum(mx.tanh(mx.add(x, y)), -1, true), args: () => [randn([5, 33], 5), randn([33], 6)], fused: true },
  { name: 'sum over the last two axes', f: (x, w) => mx.sum(mx.multiply(mx.exp(x), w), [1, 2]), args: () => [randn([3, 4, 5], 7), randn([4, 5], 8)], fused: true },
  { name: 'sum over all axes of a 3-d chain, keepdims', f: (x) => mx.sum(mx.sin(mx.multiply(x, 2)), null, true), args: () => [randn([3, 4, 5], 9)], fused: true },
  { name: 'MSE: sum((a-b)**2)', f: (a, b) => mx.sum(mx.square(mx.subtract(a, b))), args: () => [randn([17, 31], 10), randn([17, 31], 11)], fused: true },
  { name: 'max(abs(x)) over all axes', f: (x) => mx.max(mx.abs(mx.multiply(x, 3))), args: () => [randn([6, 50], 12)], fused: true },
  { name: 'max over the last axis', f: (x, y) => mx.max(mx.subtract(x, y), -1), args: () => [randn([10, 7], 13), randn([10, 1], 14)], fused: true, single: true },
  { name: 'min over the last axis, keepdims', f: (x, y) => mx.min(mx.multiply(mx.add(x, 1), y), -1, true), args: () => [randn([10, 7], 15), randn([7], 16)], fused: true },
  { name: 'min over all axes', f: (x) => mx.min(mx.cos(mx.multiply(x, 2))), args: () => [randn([300], 17)], fused: true },
  { name: 'prod over the last axis', f: (x) => mx.prod(mx.add(mx.multiply(x, 0.01), 1), -1), args: () => [randn([4, 1000], 18)], fused: true },
  { name: 'prod over all axes, keepdims', f: (x) => mx.prod(mx.add(mx.multiply(x, 0.05), 1), null, true), args: () => [randn([3, 40], 19)], fused: true },
  { name: 'mean over the last axis, keepdims (RMSNorm statistic)', f: (x) => mx.mean(sq(x), -1, true), args: () => [randn([6, 64], 20)], fused: true, single: true },
  { name: 'mean over all axes', f: (x, y) => mx.mean(mx.abs(mx.subtract(x, y))), args: () => [randn([9, 11], 21), randn([11], 22)], fused: true },
  { name: 'a [4096] bias against [rows, 4096]', f: (x, b) => mx.sum(mx.square(mx.subtract(x, b)), -1), args: () => [randn([6, 4096], 23), randn([4096], 24)], fused: true },
  { name: '4097 columns', f: (x, y) => mx.sum(mx.multiply(mx.exp(x), y), -1), args: () => [randn([3, 4097], 25), randn([3, 4097], 26)], fused: true },
  { name: '4097 columns, max over all axes', f: (x) => mx.max(mx.exp(mx.multiply(x, 0.5))), args: () => [randn([3, 4097], 27)], fused: true },
  { name: 'one column', f: (x) => mx.sum(mx.exp(x), -1), args: () => [randn([7, 1], 28)], fused: true, single: true },
  { name: 'three columns', f: (x) => mx.max(mx.negative(mx.abs(x)), -1), args: () => [randn([7, 3], 29)], fused: true },
  { name: 'a single element', f: (x) => mx.sum(mx.exp(mx.negative(x))), args: () => [randn([1], 30)], fused: true },
  { name: 'zero rows', f: (x) => mx.sum(mx.exp(mx.negative(x)), -1), args: () => [mx.zeros([0, 5], mx.float32, cpu)], fused: true },
  { name: 'empty rows: sum', f: (x) => mx.sum(mx.exp(mx.negative(x)), -1), args: () => [mx.zeros([4, 0], mx.float32, cpu)], fused: true },
  { name: 'empty rows: prod', f: (x) => mx.prod(mx.exp(mx.negative(x)), -1, true), args: () => [mx.zeros([4, 0], mx.float32, cpu)], fused: true },
  { name: 'empty rows: mean is NaN', f: (x) => mx.mean(mx.exp(mx.negative(x)), -1), args: () => [mx.zeros([4, 0], mx.float32, cpu)], fused: true },
  {
    name: 'a chain of four inputs with where',
    f: (x, y, z, w) => mx.sum(mx.multiply(mx.where(mx.greater(x, y), mx.multiply(x, z), mx.subtract(y, z)), w), -1),
    args: () => [randn([5, 12], 31), randn([5, 12], 32), randn([12], 33), randn([5, 1], 34)], fused: true,
  },
  { name: 'a predicate cast to float32', f: (x, y, w) => mx.sum(mx.multiply(mx.astype(mx.greater(x, y), mx.float32), w), -1), args: () => [randn([6, 10], 67), randn([10], 68), randn([6, 10], 69)], fused: true },
  { name: 'an int32 input cast to float32', f: (i, w) => mx.mean(mx.multiply(mx.astype(i, mx.float32), w), -1), args: () => [mx.astype(mx.multiply(randn([4, 12], 70), 10), mx.int32, cpu), randn([12], 71)], fused: true },
  { name: 'a transposed input', f: (x, y) => mx.sum(mx.multiply(mx.sin(x), y), -1), args: () => [randn([9, 6], 35).T, randn([6, 9], 36)], fused: true },
  { name: 'float64', f: (x, y) => mx.sum(mx.multiply(mx.exp(x), y), -1), args: () => [randn([4, 9], 37, mx.float64), randn([9], 38, mx.float64)], fused: true, cpuOnly: true },
  // not fused: the chain's value is also returned, the reduction is not over trailing axes, an integer chain
  {
    name: 'a chain whose value is also returned',
    f: (x, y) => { const a = mx.multiply(mx.exp(x), y); return [a, mx.sum(a, -1)]; },
    args: () => [randn([4, 6], 39), randn([4, 6], 40)], fused: false,
  },
  { name: 'a reduction over a leading axis', f: (x, y) => mx.sum(mx.multiply(x, y), 0), args: () => [randn([5, 6], 41), randn([5, 6], 42)], fused: false },
  // post chains on the reduced values join the fused node; not when they read other arrays or the result escapes
  {
    name: 'rsqrt(mean(x*x) + eps) as one node', f: (x) => mx.rsqrt(mx.add(mx.mean(mx.square(mx.multiply(x, 2)), -1, true), 1e-5)),
    args: () => [randn([6, 40], 59)], fused: true, steps: ['fusedReduce'],
  },
  { name: 'a lone post op', f: (x, y) => mx.multiply(mx.sum(mx.exp(mx.multiply(x, y)), -1), 0.5), args: () => [randn([5, 9], 60), randn([9], 61)], fused: true, steps: ['fusedReduce'] },
  { name: 'a post chain after a two-pass full reduction', f: (a, b) => mx.sqrt(mx.divide(mx.sum(mx.square(mx.subtract(a, b))), 7)), args: () => [randn([3, 4097], 62), randn([4097], 63)], fused: true, steps: ['fusedReduce'] },
  { name: 'a post chain after an empty mean', f: (x) => mx.add(mx.mean(mx.exp(mx.negative(x)), -1), 1), args: () => [mx.zeros([4, 0], mx.float32, cpu)], fused: true, steps: ['fusedReduce'] },
  { name: 'a post op reading another array', f: (x, y) => mx.add(mx.sum(mx.exp(mx.multiply(x, 2)), -1), y), args: () => [randn([4, 6], 64), randn([4], 65)], fused: true, steps: ['fusedReduce', 'add'] },
  {
    name: 'a reduced value also returned',
    f: (x) => { const r = mx.sum(mx.exp(mx.multiply(x, 2)), -1); return [r, mx.sqrt(mx.add(r, 1))]; },
    args: () => [randn([4, 6], 66)], fused: true, steps: ['fusedReduce', 'fusedElementwise'],
  },
  // a row chain reading a kept-dims statistic joins it on the GPU (fusedNorm)
  { name: 'RMSNorm', f: rmsNorm, args: () => [randn([6, 256], 72), randn([256], 73)], fused: true, single: true, gpuSteps: ['fusedNorm'] },
  { name: 'RMSNorm of 4097 columns', f: rmsNorm, args: () => [randn([3, 4097], 74), randn([4097], 75)], fused: true, single: true, gpuSteps: ['fusedNorm'] },
  { name: 'RMSNorm of one row', f: rmsNorm, args: () => [randn([1, 1000], 76), randn([1000], 77)], fused: true, single: true, gpuSteps: ['fusedNorm'] },
  {
    name: 'a centred statistic and a bias in the row chain',
    f: (x, b, w) => mx.add(mx.multiply(x, mx.rsqrt(mx.add(mx.mean(mx.square(mx.subtract(x, b)), -1, true), 1e-5))), w),
    args: () => [randn([5, 33], 78), randn([33], 79), randn([5, 1], 80)], fused: true, gpuSteps: ['fusedNorm'],
  },
  {
    name: 'LayerNorm: the centred values feed both the variance and the row chain',
    f: (x, w, b) => {
      const xc = mx.subtract(x, mx.mean(x, -1, true));
      return mx.add(mx.multiply(mx.multiply(xc, mx.rsqrt(mx.add(mx.mean(mx.square(xc), -1, true), 1e-5))), w), b);
    },
    args: () => [randn([7, 96], 82), randn([96], 83), randn([96], 84)], fused: false, gpuSteps: ['reduce', 'fusedNorm'],
  },
  {
    name: 'LayerNorm with its row chain also returned: no fusedNorm',
    f: (x) => {
      const xc = mx.subtract(x, mx.mean(x, -1, true));
      const y = mx.multiply(xc, mx.rsqrt(mx.add(mx.mean(mx.square(xc), -1, true), 1e-5)));
      return [y, mx.sum(y, -1)];
    },
    args: () => [randn([7, 96], 85)], fused: false,
  },
  {
    name: 'a statistic without kept dims is not applied back',
    f: (x) => mx.multiply(mx.sum(mx.exp(mx.multiply(x, 2)), -1), mx.sum(mx.abs(mx.multiply(x, 3)), -1)), args: () => [randn([4, 6], 81)],
    fused: true, steps: ['fusedReduce', 'fusedReduce', 'multiply'],
  },
  // softmax epilogues
  { name: 'softmax of scaled scores plus a mask', f: (s, m) => mx.softmax(mx.add(mx.multiply(s, 0.125), m), -1), args: () => [randn([2, 3, 8, 8], 44), randn([8, 8], 45)], fused: true, softmax: true },
  { name: 'softmax over the last two axes', f: (x) => mx.softmax(mx.tanh(mx.multiply(x, 2)), [1, 2]), args: () => [randn([3, 4, 5], 46)], fused: true, softmax: true },
  { name: 'softmax of 4097 columns', f: (x, b) => mx.softmax(mx.multiply(mx.subtract(x, b), 2), -1), args: () => [randn([3, 4097], 47), randn([4097], 48)], fused: true, softmax: true },
  { name: 'softmax of one column', f: (x) => mx.softmax(mx.exp(x), -1), args: () => [randn([5, 1], 49)], fused: true, softmax: true, single: true },
  { name: 'softmax of zero rows', f: (x) => mx.softmax(mx.exp(mx.negative(x)), -1), args: () => [mx.zeros([0, 6], mx.float32, cpu)], fused: true, softmax: true },
  { name: 'softmax of a chain whose value is also returned', f: (x) => { const a = mx.exp(x); return [a, mx.softmax(a, -1)]; }, args: () => [randn([3, 5], 58)], fused: false, softmax: true },
  { name: 'an intermediate used elsewhere', f: (x) => { const e = mx.exp(x); return mx.add(mx.sum(mx.multiply(e, 2), -1), mx.sum(e)); }, args: () => [randn([3, 4], 43)], fused: false },
];

for (const device of devices) {
  const gpu = device === mx.gpu;
  for (const c of CASES) {
    test(`${device}: ${c.name}`, async (t) => {
      if (gpu && c.cpuOnly) { t.skip('float64 runs on the CPU'); return; }
      const xs = c.args();
      const cf = mx.compile(c.f);
      const want = [c.f(...xs)].flat();
      const s0 = gpu ? stats() : null;
      const got = await on(device, async () => { const o = [cf(...xs)].flat(); await mx.eval(...o); return o; });
      if (s0) assert.equal(stats().fallbacks, s0.fallbacks, 'no CPU fallback');
      const steps = await on(device, () => compiledPlan(cf, ...xs).steps);
      const [fusedPrim, plainPrim] = c.softmax ? ['fusedSoftmax', 'softmax'] : ['fusedReduce', 'reduce'];
      if (gpu && c.gpuSteps) {
        assert.deepEqual(steps, c.gpuSteps);
      } else if (c.fused && !(c.single && !gpu)) {
        assert.ok(steps.includes(fusedPrim), steps.join(','));
        assert.ok(!steps.includes(plainPrim), steps.join(','));
      } else {
        assert.ok(!steps.includes(fusedPrim) && steps.includes(plainPrim), steps.join(','));
      }
      if (c.steps) assert.deepEqual(steps, c.steps);
      assert.equal(got.length, want.length);
      for (let k = 0; k < want.length; k++) await close(got[k]!, want[k]!, c.rtol ?? 2e-5, 1e-5, `output ${k}`);
    });
  }

  test(`${device}: grad through a compiled function with epilogues equals the uncompiled grad`, async () => {
    const f = (x: A, w: A, y: A): A => mx.add(
      mx.add(mx.sum(mx.multiply(rmsNorm(x, w), y)), mx.max(mx.abs(mx.subtract(x, y)))),
      mx.sum(mx.multiply(mx.softmax(mx.add(mx.multiply(x, y), 1), -1), w)),
    );
    const x = randn([4, 16], 50), w = randn([16], 51), y = randn([4, 16], 52);
    const cf = mx.compile(f);
    const want = mx.grad(f, [0, 1, 2])(x, w, y);
    const got = await on(device, async () => { const g = mx.grad(cf, [0, 1, 2])(x, w, y); await mx.eval(...g); return g; });
    for (let k = 0; k < 3; k++) await close(got[k]!, want[k]!, 1e-4, 1e-5, `grad ${k}`);
    const steps = compiledPlan(cf, x, w, y).steps;
    assert.ok(steps.includes('fusedReduce') && steps.includes('fusedSoftmax'), steps.join(','));
  });

  test(`${device}: vjp through compiled RMSNorm and LayerNorm (fusedNorm on the GPU) equals the uncompiled vjp`, async () => {
    const layerNorm = (x: A, w: A, b: A): A => {
      const xc = mx.subtract(x, mx.mean(x, -1, true));
      return mx.add(mx.multiply(mx.multiply(xc, mx.rsqrt(mx.add(mx.mean(mx.square(xc), -1, true), 1e-5))), w), b);
    };
    const x = randn([5, 24], 90), w = randn([24], 91), b = randn([24], 92), ct = randn([5, 24], 93);
    for (const [name, f, xs] of [['RMSNorm', rmsNorm, [x, w]], ['LayerNorm', layerNorm, [x, w, b]]] as [string, F, A[]][]) {
      const cf = mx.compile(f);
      const [, want] = mx.vjp((...a: A[]) => [f(...a) as A], xs, [ct]);
      const got = await on(device, async () => { const [, g] = mx.vjp((...a: A[]) => [cf(...a) as A], xs, [ct]); await mx.eval(...g); return g; });
      for (let k = 0; k < xs.length; k++) await close(got[k]!, want[k]!, 1e-4, 1e-5, `${name} vjp ${k}`);
      if (device === mx.gpu) assert.ok((await on(device, () => compiledPlan(cf, ...xs))).steps.includes('fusedNorm'), name);
    }
  });

  test(`${device}: jvp and vmap through a compiled function with an epilogue`, async () => {
    const f = (x: A, b: A): A => mx.mean(mx.square(mx.subtract(x, b)), -1, true);
    const x = randn([3, 5, 7], 53), b = randn([7], 54), tx = randn([3, 5, 7], 55), tb = randn([7], 56);
    const cf = mx.compile(f);
    const [[, jWant]] = [mx.jvp(f, [x.index(0), b], [tx.index(0), tb])];
    const jGot = await on(device, async () => { const [, [t]] = mx.jvp(cf, [x.index(0), b], [tx.index(0), tb]); await mx.eval(t!); return t!; });
    await close(jGot, jWant[0]!, 1e-4, 1e-5, 'jvp');
    const vWant = mx.vmap(f, [0, null])(x, b) as A;
    const vGot = await on(device, async () => { const v = mx.vmap(cf, [0, null])(x, b) as A; await mx.eval(v); return v; });
    await close(vGot, vWant, 2e-5, 1e-6, 'vmap over x');
    const bs = randn([3, 7], 57);
    const vWant2 = mx.vmap(f, [null, 0])(x.index(0), bs) as A;
    const vGot2 = await on(device, async () => { const v = mx.vmap(cf, [null, 0])(x.index(0), bs) as A; await mx.eval(v); return v; });
    await close(vGot2, vWant2, 2e-5, 1e-6, 'vmap over the bias');
    const sm = (x: A, b: A): A => mx.softmax(mx.multiply(x, b), -1);
    const csm = mx.compile(sm);
    const sWant = mx.vmap(sm, [1, null])(x, b) as A;
    const sGot = await on(device, async () => { const v = mx.vmap(csm, [1, null])(x, b) as A; await mx.eval(v); return v; });
    await close(sGot, sWant, 2e-5, 1e-6, 'vmap of a softmax epilogue');
  });
}
