// The WebGPU backend on whatever adapter exists (lavapipe here and in CI, with allowSoftware). Skips cleanly when
// no adapter can be created. Every op result on mx.gpu is compared with the CPU backend, which the op tests check
// against NumPy; a few rows are also checked against NumPy directly. Shapes stay small: lavapipe is slow.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { numpy, npArg, assertClose, testArray, tolFor } from '../helpers/numpy.js';

let ok = false;
before(async () => { ok = await mx.initGpu({ allowSoftware: true, quiet: true }); });
after(() => mx.shutdown());

const gpu = { stream: mx.gpu };
const cpu = { stream: mx.cpu };

async function same(g: mx.MxArray, c: mx.MxArray, msg: string): Promise<void> {
  assert.deepEqual([...g.shape], [...c.shape], `${msg}: shape`);
  assert.equal(g.dtype, c.dtype, `${msg}: dtype`);
  const { rtol, atol } = tolFor(g.dtype);
  const gv = (await g.data()) as ArrayLike<number>, cv = (await c.data()) as ArrayLike<number>;
  for (let i = 0; i < cv.length; i++) {
    const a = Number(gv[i]), b = Number(cv[i]);
    if (Number.isNaN(b)) { assert.ok(Number.isNaN(a), `${msg}[${i}]: expected NaN, got ${a}`); continue; }
    assert.ok(a === b || Math.abs(a - b) <= atol * 4 + rtol * 8 * Math.abs(b), `${msg}[${i}]: gpu ${a}, cpu ${b}`);
  }
}

type Op = (x: mx.MxArray, y: mx.MxArray, c: mx.MxArray, o: { stream: mx.Device }) => mx.MxArray;
const F = [mx.float32, mx.float16, mx.bfloat16];
const I = [mx.int32, mx.int16, mx.int8, mx.uint32, mx.uint16, mx.uint8];
const ROWS: [string, Op, mx.Dtype[]][] = [
  ['add', (x, y, _c, o) => mx.add(x, y, o), [...F, ...I, mx.bool]],
  ['subtract', (x, y, _c, o) => mx.subtract(x, y, o), [...F, ...I]],
  ['multiply', (x, y, _c, o) => mx.multiply(x, y, o), [...F, ...I, mx.bool]],
  ['divide', (x, y, _c, o) => mx.divide(x, y, o), F],
  ['maximum', (x, y, _c, o) => mx.maximum(x, y, o), [...F, ...I]],
  ['minimum', (x, y, _c, o) => mx.minimum(x, y, o), [...F, ...I]],
  ['less', (x, y, _c, o) => mx.less(x, y, o), [...F, ...I]],
  ['equal', (x, y, _c, o) => mx.equal(x, y, o), [...F, ...I, mx.bool]],
  ['logicalAnd', (x, y, _c, o) => mx.logicalAnd(x, y, o), [mx.bool, mx.float32]],
  ['bitwiseXor', (x, y, _c, o) => mx.bitwiseXor(x, y, o), [...I, mx.bool]],
  ['arctan2', (x, y, _c, o) => mx.arctan2(x, y, o), [mx.float32]],
  ['power', (x, y, _c, o) => mx.power(mx.abs(x, o), y, o), [mx.float32]],
  ['negative', (x, _y, _c, o) => mx.negative(x, o), [...F, mx.int32, mx.int8]],
  ['abs', (x, _y, _c, o) => mx.abs(x, o), [...F, mx.int32, mx.int16]],
  ['exp', (x, _y, _c, o) => mx.exp(x, o), F],
  ['log1p', (x, _y, _c, o) => mx.log1p(mx.abs(x, o), o), [mx.float32]],
  ['sqrt of ints', (x, _y, _c, o) => mx.sqrt(mx.abs(x, o), o), [mx.int32, mx.uint8]],
  ['tanh', (x, _y, _c, o) => mx.tanh(x, o), [mx.float32, mx.float16]],
  ['sigmoid', (x, _y, _c, o) => mx.sigmoid(x, o), [mx.float32]],
  ['floor', (x, _y, _c, o) => mx.floor(x, o), [mx.float32, mx.int8]],
  ['isnan', (x, _y, _c, o) => mx.isnan(mx.divide(x, x, o), o), [mx.float32]],
  ['where', (x, y, c, o) => mx.where(c, x, y, o), [...F, ...I, mx.bool]],
  ['astype f32', (x, _y, _c, o) => mx.astype(x, mx.float32, o), [...F, ...I, mx.bool]],
  ['astype f16', (x, _y, _c, o) => mx.astype(x, mx.float16, o), [mx.float32, mx.int32, mx.uint8, mx.bool]],
  ['astype int8', (x, _y, _c, o) => mx.astype(x, mx.int8, o), [mx.float32, mx.int32, mx.bool]],
  ['astype bool', (x, _y, _c, o) => mx.astype(x, mx.bool, o), [mx.float32, mx.int16]],
  ['sum axis 1', (x, _y, _c, o) => mx.sum(x, 1, o), [...F, ...I, mx.bool]],
  ['sum all', (x, _y, _c, o) => mx.sum(x, o), [mx.float32, mx.int32]],
  ['max axes 0,2', (x, _y, _c, o) => mx.max(x, [0, 2], o), [...F, mx.int8, mx.uint16]],
  ['min keepdims', (x, _y, _c, o) => mx.min(x, -1, true, o), [mx.float32, mx.int32]],
  ['prod', (x, _y, _c, o) => mx.prod(x, 0, o), [mx.float32]],
  ['mean', (x, _y, _c, o) => mx.mean(x, [1, 2], o), [mx.float32, mx.int32]],
  ['all/any', (x, _y, _c, o) => mx.logicalOr(mx.all(x, 2, o), mx.any(x, 2, o), o), [mx.bool]],
  ['softmax last axis', (x, _y, _c, o) => mx.softmax(x, -1, o), F],
  ['strided input (transpose)', (x, y, _c, o) => mx.add(mx.transpose(x, [2, 0, 1], o), mx.transpose(y, [2, 0, 1], o), o), [mx.float32, mx.int8]],
];

test('elementwise, astype and reductions on mx.gpu match the CPU backend', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const shape = [2, 3, 5];
  for (const [name, op, dtypes] of ROWS) {
    for (const d of dtypes) {
      const x = testArray(shape, d, 3), y = testArray([3, 1], d, 7); // y broadcasts
      const yy = name.startsWith('strided') ? testArray(shape, d, 7) : y;
      const c = testArray([5], mx.bool, 11);
      await same(op(x, yy, c, gpu), op(x, yy, c, cpu), `${name} ${d.name}`);
    }
  }
});

test('matmul on mx.gpu matches NumPy (batched, broadcast, 1-D, halves, odd sizes)', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const cases: [number[], number[], mx.Dtype][] = [
    [[17, 9], [9, 21], mx.float32], [[2, 1, 5, 4], [3, 4, 6], mx.float32], [[7], [7, 3], mx.float32],
    [[4, 7], [7], mx.float32], [[5, 0], [0, 3], mx.float32], [[6, 8], [8, 5], mx.float16], [[3, 4], [4, 2], mx.bfloat16],
  ];
  const outs = cases.map(([sa, sb, d], i) => {
    const a = testArray(sa, d, i + 1, -1, 1), b = testArray(sb, d, i + 20, -1, 1);
    return { a, b, y: mx.matmul(a, b, gpu) };
  });
  const res = numpy(await Promise.all(outs.map(async ({ a, b }) => ({ expr: 'np.matmul(a, b)', args: [await npArg(a), await npArg(b)] }))));
  for (let i = 0; i < cases.length; i++) {
    const d = cases[i]![2];
    await assertClose(outs[i]!.y, res[i]!, { msg: `matmul ${cases[i]![0]}x${cases[i]![1]}`, ignoreDtype: d === mx.bfloat16, rtol: d === mx.float32 ? 1e-5 : undefined });
  }
});

test('empty and 0-d arrays', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const e = mx.zeros([0, 3], mx.float32);
  assert.deepEqual((await mx.add(e, 1, gpu).tolist()), []);
  assert.deepEqual(await mx.sum(e, 0, gpu).tolist(), [0, 0, 0]);
  const s = mx.array(2.5, mx.float32);
  assert.equal(await mx.multiply(s, s, gpu).item(), 6.25);
  assert.equal(await mx.sum(s, gpu).item(), 2.5);
  assert.equal(await mx.astype(mx.array(-3, mx.int32), mx.uint8, gpu).item(), 253);
});

test('arrays move between devices lazily, and fallbacks run through the scheduler', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const x = testArray([4, 6], mx.float32, 5);
  const g1 = mx.exp(x, gpu);                       // GPU, CPU input uploaded
  const c1 = mx.sin(g1, cpu);                      // CPU reads a GPU result (async readback)
  const g2 = mx.add(c1, g1, gpu);                  // GPU mixes both
  // float64 is CPU-only (as in MLX): a visible, counted CPU fallback inside a GPU graph
  const f = mx.astype(mx.cumsum(mx.astype(g2, mx.float64, gpu), 1, gpu), mx.float32, gpu);
  const y = mx.sum(mx.multiply(f, 2, gpu), 0, gpu);
  const stats0 = mx.deviceInfo(mx.gpu).stats!.fallbacks!;
  const [r] = numpy([{ expr: '(np.cumsum(np.sin(np.exp(a)) + np.exp(a), 1) * 2).sum(0)', args: [await npArg(x)] }]);
  await assertClose(y, r!, { rtol: 1e-5 });
  assert.ok(mx.deviceInfo(mx.gpu).stats!.fallbacks! > stats0, 'the float64 cumsum ran as a counted fallback');
  await mx.eval(mx.add(mx.sin(mx.exp(x, gpu), cpu), 1, gpu)); // eval across devices
});

test('memory accounting returns to baseline; setMemoryLimit gives a clear OOM, then recovery', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  await mx.eval(mx.add(mx.ones([8]), 1, gpu)); // warm up
  const base = mx.getActiveMemory();
  for (let i = 0; i < 20; i++) {
    mx.tidy(() => { const a = mx.ones([64, 64], mx.float32, gpu); return mx.sum(mx.multiply(a, a, gpu), gpu).dispose(); });
  }
  const a = mx.ones([64, 64], mx.float32, gpu);
  const b = mx.exp(a, gpu);
  await mx.eval(b);
  assert.ok(mx.getActiveMemory() >= base + 2 * 64 * 64 * 4, 'two 16 KiB arrays are active');
  mx.dispose([a, b]);
  await mx.eval();
  assert.equal(mx.getActiveMemory(), base);
  assert.ok(mx.getCacheMemory() > 0, 'freed buffers are cached');
  const prev = mx.setMemoryLimit(mx.getActiveMemory() + 1024);
  try {
    await assert.rejects(async () => { const big = mx.exp(mx.ones([1 << 20], mx.float32), gpu); await mx.eval(big); }, /Out of memory/);
  } finally {
    mx.setMemoryLimit(prev);
  }
  assert.equal(await mx.sum(mx.ones([1 << 10], mx.float32, gpu), gpu).item(), 1024, 'works again after the OOM');
  mx.clearCache();
  await mx.eval();
});

test('deviceInfo reports the adapter, limits and features; a software adapter is not the default', (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const info = mx.deviceInfo(mx.gpu);
  assert.equal(info.available, true);
  assert.ok((info.limits!.maxStorageBufferBindingSize ?? 0) > 0);
  assert.ok(Array.isArray(info.features));
  if (info.software) assert.equal(mx.defaultDevice().type, 'cpu');
});
