// GPU kernels of the creation and random families (full, arange, eye/tri, tril/triu, windows, random bits and
// uniform) on whatever adapter exists, compared with the CPU backend (whose op tests check NumPy). Random results
// must be bit-identical; every row also checks that the GPU ran the op without a CPU fallback.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { tolFor } from '../helpers/numpy.js';

let ok = false;
before(async () => { ok = await mx.initGpu({ allowSoftware: true, quiet: true }); });
after(() => mx.shutdown());

const gpu = { stream: mx.gpu };
const cpu = { stream: mx.cpu };
const fallbacks = (): number => mx.deviceInfo(mx.gpu).stats?.fallbacks ?? 0;

async function same(g: mx.MxArray, c: mx.MxArray, msg: string, exact = false): Promise<void> {
  assert.deepEqual([...g.shape], [...c.shape], `${msg}: shape`);
  assert.equal(g.dtype, c.dtype, `${msg}: dtype`);
  const { rtol, atol } = exact ? { rtol: 0, atol: 0 } : tolFor(g.dtype);
  const gv = (await g.data()) as ArrayLike<number>, cv = (await c.data()) as ArrayLike<number>;
  assert.equal(gv.length, cv.length, `${msg}: size`);
  for (let i = 0; i < cv.length; i++) {
    const a = Number(gv[i]), b = Number(cv[i]);
    if (Number.isNaN(b)) { assert.ok(Number.isNaN(a), `${msg}[${i}]: expected NaN, got ${a}`); continue; }
    assert.ok(a === b || Math.abs(a - b) <= atol * 4 + rtol * 8 * Math.abs(b), `${msg}[${i}]: gpu ${a}, cpu ${b}`);
  }
}

type Make = (o: { stream: mx.Device }) => mx.MxArray;
const F = [mx.float32, mx.float16, mx.bfloat16];
const I = [mx.int32, mx.int16, mx.int8, mx.uint32, mx.uint16, mx.uint8];
const ALL = [...F, ...I, mx.bool];
const X = (d: mx.Dtype, o: { stream: mx.Device }): mx.MxArray =>
  mx.astype(mx.reshape(mx.arange(-5, 7, mx.float32, o), [3, 4], o), d, o);

/** [name, dtypes, make(dtype), bit-exact]. */
const ROWS: [string, mx.Dtype[], (d: mx.Dtype) => Make, boolean][] = [
  ['full scalar', ALL, (d) => (o) => mx.full([3, 5], -2.75, d, o), true],
  ['full zero', ALL, (d) => (o) => mx.zeros([7], d, o), true],
  ['full empty', [mx.float32, mx.int8], (d) => (o) => mx.full([0, 3], 1, d, o), true],
  ['full 0-d', [mx.float16, mx.uint8], (d) => (o) => mx.full([], 3, d, o), true],
  ['full array broadcast', ALL, (d) => (o) => mx.full([2, 3, 4], X(d, cpu), mx.float32, o), true],
  ['full array cast', [mx.float32, mx.int32], (d) => (o) => mx.full([3, 4], X(mx.float32, cpu), d, o), true],
  ['arange int', I, (d) => (o) => mx.arange(-3, 9, 2, d, o), true],
  ['arange float', F, (d) => (o) => mx.arange(0.5, 3, 0.25, d, o), false],
  ['arange empty', [mx.int32, mx.float32], (d) => (o) => mx.arange(3, 3, 1, d, o), true],
  ['eye', ALL, (d) => (o) => mx.eye(3, 4, 1, d, o), true],
  ['tri', [mx.float32, mx.int8, mx.bool], (d) => (o) => mx.tri(4, 3, -1, d, o), true],
  ['tril', ALL, (d) => (o) => mx.tril(X(d, cpu), 0, o), true],
  ['triu k=1', ALL, (d) => (o) => mx.triu(mx.reshape(X(d, cpu), [2, 2, 3], cpu), 1, o), true],
  ['hanning', [mx.float32], () => (o) => mx.hanning(7, o), false],
  ['hamming', [mx.float32], () => (o) => mx.hamming(6, o), false],
  ['blackman', [mx.float32], () => (o) => mx.blackman(9, o), false],
  ['bartlett', [mx.float32], () => (o) => mx.bartlett(5, o), false],
  ['window of 1', [mx.float32], () => (o) => mx.hanning(1, o), true],
  ['bits u32', [mx.uint32], () => (o) => mx.random.bits([5, 3], 4, { key: mx.random.key(7, cpu), ...o }), true],
  ['bits u8 odd', [mx.uint8], () => (o) => mx.random.bits([7], 1, { key: mx.random.key(1, cpu), ...o }), true],
  ['bits u16', [mx.uint16], () => (o) => mx.random.bits([2, 5], 2, { key: mx.random.key(3, cpu), ...o }), true],
  ['split', [mx.uint32], () => (o) => mx.random.split(mx.random.key(5, cpu), 3, o), true],
  ['bits many keys (vmap)', [mx.uint32, mx.uint8], (d) => (o) => mx.vmap((k: mx.MxArray) => mx.random.bits([4], d.size, { key: k, ...o }))(
    mx.random.split(mx.random.key(5, cpu), 3, cpu)) as mx.MxArray, true],
  ['bits empty', [mx.uint32], () => (o) => mx.random.bits([0], { key: mx.random.key(5, cpu), ...o }), true],
  ['uniform', [mx.float32], () => (o) => mx.random.uniform({ shape: [33], key: mx.random.key(11, cpu), ...o }), true],
  ['uniform bounds', [mx.float32], () => (o) => mx.random.uniform(
    mx.array([-2, 0.5], mx.float32, cpu), 3, [4, 2], { key: mx.random.key(2, cpu), ...o }), true],
  ['bernoulli', [mx.bool], () => (o) => mx.random.bernoulli(0.3, [40], { key: mx.random.key(4, cpu), ...o }), true],
  ['bernoulli per-element p', [mx.bool], () => (o) => mx.random.bernoulli(
    mx.array([0.1, 0.5, 0.9], mx.float32, cpu), [6, 3], { key: mx.random.key(4, cpu), ...o }), true],
  ['randint', [mx.int32, mx.int8, mx.uint32, mx.uint8], (d) => (o) => mx.random.randint(-3, 50, [30], d, { key: mx.random.key(9, cpu), ...o }), true],
  ['randint full range', [mx.int32], (d) => (o) => mx.random.randint(-(2 ** 31), 2 ** 31 - 1, [9], d, { key: mx.random.key(9, cpu), ...o }), true],
  ['randint empty interval', [mx.int16], (d) => (o) => mx.random.randint(5, 2, [4], d, { key: mx.random.key(9, cpu), ...o }), true],
  ['normal', [mx.float32], () => (o) => mx.random.normal({ shape: [64], key: mx.random.key(13, cpu), ...o }), false],
  ['normal loc scale', [mx.float32], () => (o) => mx.random.normal({ shape: [2, 3], loc: 1.5, scale: 0.25, key: mx.random.key(13, cpu), ...o }), false],
  ['gumbel', [mx.float32], () => (o) => mx.random.gumbel({ shape: [40], key: mx.random.key(21, cpu), ...o }), false],
  ['laplace', [mx.float32], () => (o) => mx.random.laplace({ shape: [40], loc: 0.5, scale: 2, key: mx.random.key(22, cpu), ...o }), false],
];

for (const [name, dtypes, make, exact] of ROWS) {
  test(`webgpu creation/random: ${name}`, async (t) => {
    if (!ok) { t.skip('no WebGPU adapter'); return; }
    for (const d of dtypes) {
      // inputs are built on the CPU (their ops may lack GPU kernels); only the op under test runs on the GPU
      const c = make(d)(cpu);
      await mx.eval(c);
      const before = fallbacks();
      const g = make(d)(gpu);
      await mx.eval(g);
      assert.equal(fallbacks(), before, `${name} ${d.name}: fell back to the CPU`);
      await same(g, c, `${name} ${d.name}`, exact);
    }
  });
}
