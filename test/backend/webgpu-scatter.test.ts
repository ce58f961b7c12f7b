// GPU scatter, scatterFlat and maskScatter with duplicate indices in every mode and dtype, against the CPU backend
// (whose indexing tests check NumPy), with no CPU fallback on the GPU side. Values are small integers (and divisors
// 1, 2, 3: the reciprocal of 3 rounds), so every partial result is exact or rounded alike and the order in which
// the GPU's atomics land cannot change a bit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { bind } from '../../src/core/array.js';
import { toStream } from '../../src/core/device.js';
import type { ScatterMode } from '../../src/core/primitives/indexing.js';

let ok = false;
before(async () => { ok = await mx.initGpu({ allowSoftware: true, quiet: true }); });
after(() => mx.shutdown());

const gpu = { stream: mx.gpu };
const cpu = { stream: mx.cpu };
const fallbacks = (): number => mx.deviceInfo(mx.gpu).stats?.fallbacks ?? 0;

const DTYPES = [mx.float32, mx.float16, mx.bfloat16, mx.int32, mx.uint32, mx.int16, mx.uint16, mx.int8, mx.uint8, mx.bool];
const MODES: ScatterMode[] = ['set', 'add', 'sub', 'mul', 'div', 'max', 'min'];
const supported = (m: ScatterMode, d: mx.Dtype): boolean => !(d === mx.bool && m === 'sub');

/** Small integers of `shape` (cast on the CPU), cycling through `vals`. */
function ints(shape: number[], d: mx.Dtype, vals: number[]): mx.MxArray {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = Array.from({ length: n }, (_, i) => vals[i % vals.length]!);
  return mx.astype(mx.reshape(mx.array(v, mx.float32, cpu), shape, cpu), d, cpu);
}

async function same(g: mx.MxArray, c: mx.MxArray, msg: string): Promise<void> {
  assert.deepEqual([...g.shape], [...c.shape], `${msg}: shape`);
  assert.equal(g.dtype, c.dtype, `${msg}: dtype`);
  const gv = Array.from((await g.data()) as ArrayLike<number>), cv = Array.from((await c.data()) as ArrayLike<number>);
  assert.deepEqual(gv.map(String), cv.map(String), msg);
}

/** Runs `op` on the GPU (asserting no fallback) and on the CPU, and compares bit for bit. */
async function check(msg: string, op: (o: { stream: mx.Device }) => mx.MxArray): Promise<void> {
  const before = fallbacks();
  const g = op(gpu);
  await mx.asyncEval(g);
  assert.equal(fallbacks(), before, `${msg}: ran on the CPU`);
  await same(g, op(cpu), msg);
}

const at = (x: mx.MxArray, m: ScatterMode, items: mx.MxArray[], u: mx.MxArray, o: { stream: mx.Device }): mx.MxArray => {
  const a = x.at(...items);
  switch (m) {
    case 'set': return a.set(u, o);
    case 'add': return a.add(u, o);
    case 'sub': return a.subtract(u, o);
    case 'mul': return a.multiply(u, o);
    case 'div': return a.divide(u, o);
    case 'max': return a.maximum(u, o);
    default: return a.minimum(u, o);
  }
};

test('GPU scatter with duplicate indices matches the CPU in every mode and dtype', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const idx = mx.array([0, 2, 0, 3, 0, 2], mx.int32, cpu);
  for (const d of DTYPES) {
    const x = ints([4, 3], d, [1, 2, 3, 0, 1]);
    const u = ints([6, 3], d, [2, 1, 3, 1, 2]);
    for (const m of MODES) {
      if (!supported(m, d)) continue;
      await check(`scatter ${m} ${d.name}`, (o) => at(x, m, [idx], u, o));
    }
  }
});

test('GPU scatter: two index arrays (negative, clamped), broadcast and scalar updates, many duplicates', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const x = ints([4, 5, 3], mx.float32, [1, -2, 3]);
  const i0 = mx.array([1, -1, 1, 0, 7], mx.int32, cpu), i1 = mx.array([[2], [0]], mx.int16, cpu);
  for (const m of MODES) {
    await check(`2 index arrays ${m}`, (o) => at(x, m, [i0, mx.sl(1, 4) as never, i1], ints([2, 5, 3], mx.float32, [3, -1, 2]), o));
    await check(`scalar update ${m}`, (o) => at(x, m, [i0], mx.array(2, mx.float32, cpu), o));
  }
  // 5000 updates onto 3 targets: integer atomics and float CAS loops under heavy contention
  const many = mx.array(Array.from({ length: 5000 }, (_, i) => (i * 7) % 3), mx.int32, cpu);
  for (const d of [mx.int32, mx.float32, mx.int8, mx.float16]) {
    for (const m of ['set', 'add', 'max', 'min'] as ScatterMode[]) {
      await check(`5000 onto 3 ${m} ${d.name}`, (o) => at(ints([3], d, [0]), m, [many], ints([5000], d, [1, 0, 1, 1, -1, 0, 1]), o));
    }
  }
  const nanX = mx.array([1, NaN, 3, 4], mx.float32, cpu), nanU = mx.array([NaN, 5, 0, 2], mx.float32, cpu);
  const ni = mx.array([0, 1, 2, 0], mx.int32, cpu);
  for (const m of ['max', 'min'] as ScatterMode[]) await check(`NaN wins ${m}`, (o) => at(nanX, m, [ni], nanU, o));
  // divide: the reciprocal rounded to the dtype, then multiplied (zero, signed zero, NaN, inexact reciprocals)
  // (no subnormal reciprocals: WGSL leaves subnormal float32 arithmetic to the implementation)
  const dv = [7, 0.3, 0, -0, NaN, 3, -1, 1e-3, 1e30];
  const di = mx.arange(dv.length, mx.int32, cpu);
  for (const d of [mx.float32, mx.float16, mx.bfloat16, mx.int32, mx.int8]) {
    const u = mx.astype(mx.array(dv, mx.float32, cpu), d, cpu);
    await check(`divide ${d.name}`, (o) => at(ints([dv.length], d, [5, -3, 1]), 'div', [di], u, o));
  }
  await check('empty updates', (o) => at(x, 'add', [mx.zeros([0], mx.int32, cpu)], mx.zeros([0, 5, 3], mx.float32, cpu), o));
});

test('GPU scatterFlat with duplicates in every mode', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const idx = mx.array([[5, -1], [5, 0], [11, 30]], mx.int32, cpu);
  for (const d of [mx.float32, mx.bfloat16, mx.int32, mx.uint8, mx.int16, mx.bool]) {
    for (const m of MODES) {
      if (!supported(m, d)) continue;
      await check(`scatterFlat ${m} ${d.name}`, (o) =>
        bind('scatterFlat', [ints([3, 4], d, [1, 2, 0]), idx, ints([1, 2], d, [3, 1])], { mode: m }, toStream(o.stream, 'test')));
    }
  }
  await check('putAlongAxis flat', (o) => mx.putAlongAxis(ints([6], mx.float32, [0]), mx.array([1, 4, 1], mx.int32, cpu), ints([3], mx.float32, [7, 8, 9]), null, o));
});

test('GPU maskScatter: values in row-major order, one value, too few values, large masks', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const mask = mx.array([true, false, true, true, false], mx.bool, cpu);
  for (const d of [mx.float32, mx.float16, mx.int8, mx.uint16, mx.bool]) {
    const x = ints([5, 3], d, [1, 2, 0, 3]);
    for (const m of ['set', 'add', 'mul', 'div', 'max', 'min'] as ScatterMode[]) {
      const name = `maskScatter ${m} ${d.name}`;
      await check(`${name} full`, (o) => at(x, m, [mask], ints([9], d, [2, 1, 3]), o));
      await check(`${name} scalar`, (o) => at(x, m, [mask], ints([], d, [2]), o));
      await check(`${name} too few`, (o) => at(x, m, [mask], ints([4], d, [3, 1]), o));
    }
  }
  // past one scan block and past one level of block sums (256 * 256)
  for (const n of [300, 70000]) {
    const big = mx.greater(mx.random.uniform(0, 1, [n], mx.float32, { key: mx.random.key(n), ...cpu }), 0.5, cpu);
    await check(`maskScatter mask ${n}`, (o) => at(mx.zeros([n, 2], mx.int32, cpu), 'set', [big], mx.arange(2 * n, mx.int32, cpu), o));
  }
  const m2 = mx.array([[true, false], [false, true]], mx.bool, cpu);
  await check('2-d mask', (o) => at(ints([2, 2, 3], mx.float32, [1, 2]), 'add', [m2], ints([6], mx.float32, [5, 6, 7]), o));
});
