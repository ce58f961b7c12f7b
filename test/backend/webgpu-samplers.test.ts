// GPU randomCategorical and randomTruncNormal against the CPU backend for the same keys (categorical: the same
// indices; truncated normal: within float32 ulps, as the other log/erf-based GPU samplers), with no CPU fallback.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';

let ok = false;
before(async () => { ok = await mx.initGpu({ allowSoftware: true, quiet: true }); });
after(() => mx.shutdown());

const gpu = { stream: mx.gpu };
const cpu = { stream: mx.cpu };
const fallbacks = (): number => mx.deviceInfo(mx.gpu).stats?.fallbacks ?? 0;
type S = { stream: mx.Device };

/** Runs `op` on the GPU (asserting no fallback) and the CPU; returns both values. */
async function both(msg: string, op: (o: S) => mx.MxArray): Promise<[ArrayLike<number>, ArrayLike<number>, mx.MxArray]> {
  const before = fallbacks();
  const g = op(gpu);
  await mx.asyncEval(g);
  assert.equal(fallbacks(), before, `${msg}: ran on the CPU`);
  const c = op(cpu);
  assert.deepEqual([...g.shape], [...c.shape], `${msg}: shape`);
  assert.equal(g.dtype, c.dtype, `${msg}: dtype`);
  return [(await g.data()) as ArrayLike<number>, (await c.data()) as ArrayLike<number>, c];
}

const logits = (shape: number[], seed: number, d: mx.Dtype = mx.float32): mx.MxArray =>
  mx.astype(mx.random.normal(shape, mx.float32, { key: mx.random.key(seed), ...cpu }), d, cpu);

/** [name, op]: keys and logits built on the CPU, so only the sampler node runs on the GPU. */
const CATEGORICAL: [string, (o: S) => mx.MxArray][] = [
  ['last axis', (o) => mx.random.categorical(logits([64, 10], 1), { key: mx.random.key(7), ...o })],
  ['axis 0', (o) => mx.random.categorical(logits([5, 40], 2), 0, { key: mx.random.key(8), ...o })],
  ['middle axis of 3-d', (o) => mx.random.categorical(logits([3, 7, 11], 3), 1, { key: mx.random.key(9), ...o })],
  ['numSamples', (o) => mx.random.categorical(logits([4, 6], 4), { numSamples: 300, key: mx.random.key(10), ...o })],
  ['shape broadcast', (o) => mx.random.categorical(logits([6], 5), { shape: [200], key: mx.random.key(11), ...o })],
  ['float16 logits', (o) => mx.random.categorical(logits([50, 8], 6, mx.float16), { key: mx.random.key(12), ...o })],
  ['-inf and NaN logits', (o) => mx.random.categorical(mx.array([[-Infinity, 0, -Infinity], [1, NaN, 2], [NaN, NaN, 0]], mx.float32, cpu), { key: mx.random.key(13), ...o })],
  ['one category', (o) => mx.random.categorical(logits([9, 1], 7), { key: mx.random.key(14), ...o })],
  ['empty', (o) => mx.random.categorical(logits([0, 4], 8), { key: mx.random.key(15), ...o })],
];

test('GPU categorical returns the CPU indices for the same key', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  for (const [name, op] of CATEGORICAL) {
    const [g, c] = await both(name, op);
    assert.deepEqual(Array.from(g), Array.from(c), name);
  }
});

const TRUNC: [string, (o: S) => mx.MxArray][] = [
  ['standard [-2, 2]', (o) => mx.random.truncatedNormal(-2, 2, [1000], { key: mx.random.key(1), ...o })],
  ['one-sided tail [1, 5]', (o) => mx.random.truncatedNormal(1, 5, [500], { key: mx.random.key(2), ...o })],
  ['narrow [0, 0.01]', (o) => mx.random.truncatedNormal(0, 0.01, [200], { key: mx.random.key(3), ...o })],
  ['broadcast bounds', (o) => mx.random.truncatedNormal(mx.array([[-1], [0], [-3]], mx.float32, cpu),
    mx.array([1, 2, 0.5, 3], mx.float32, cpu), [3, 4], { key: mx.random.key(4), ...o })],
  ['int32 bounds', (o) => mx.random.truncatedNormal(mx.array(-1, mx.int32, cpu), mx.array(2, mx.int32, cpu), [64], { key: mx.random.key(5), ...o })],
  ['empty', (o) => mx.random.truncatedNormal(-1, 1, [0, 3], { key: mx.random.key(6), ...o })],
];

test('GPU truncated normal matches the CPU for the same key within float32 ulps', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  for (const [name, op] of TRUNC) {
    const [g, c] = await both(name, op);
    let worst = 0;
    for (let i = 0; i < c.length; i++) {
      const a = g[i]!, b = c[i]!;
      // a few float32 ulps of the value, plus a few ulps of the uniform draw x (near +-1, erf/exp on the GPU may
      // round it differently) carried through x -> sqrt2 * erfinv(x), whose slope is sqrt(pi/2) * exp(v^2 / 2)
      const slope = Math.sqrt(Math.PI / 2) * Math.exp((b * b) / 2);
      // (x = (b - a) * u + a carries the absolute rounding of the erf bounds, at most about 2^-24 each)
      const tol = 8 * 2 ** -23 * Math.max(Math.abs(b), 1e-2) + 8 * 2 ** -24 * slope;
      worst = Math.max(worst, Math.abs(a - b) / tol);
      assert.ok(Math.abs(a - b) <= tol, `${name}[${i}]: gpu ${a}, cpu ${b}`);
    }
    assert.ok(worst <= 1, name);
  }
});
