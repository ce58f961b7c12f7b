// GPU kernels of the sort family (sort, argsort, partition, argpartition, topk, searchsorted, randomPermutation)
// compared exactly with the CPU backend (whose op tests check NumPy), with no CPU fallback on the GPU side.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';

let ok = false;
before(async () => { ok = await mx.initGpu({ allowSoftware: true, quiet: true }); });
after(() => mx.shutdown());

type S = { stream: mx.Device };
const gpu: S = { stream: mx.gpu };
const cpu: S = { stream: mx.cpu };
const fallbacks = (): number => mx.deviceInfo(mx.gpu).stats?.fallbacks ?? 0;

/** Element-wise identity: -0 differs from +0 (the value sort orders them), any NaN equals any NaN. */
async function same(g: mx.MxArray, c: mx.MxArray, msg: string): Promise<void> {
  assert.deepEqual([...g.shape], [...c.shape], `${msg}: shape`);
  assert.equal(g.dtype, c.dtype, `${msg}: dtype`);
  const gv = (await g.data()) as ArrayLike<number>, cv = (await c.data()) as ArrayLike<number>;
  for (let i = 0; i < cv.length; i++) {
    const a = gv[i], b = cv[i];
    if (typeof b === 'number' && Number.isNaN(b)) { assert.ok(Number.isNaN(a), `${msg}[${i}]: expected NaN, got ${a}`); continue; }
    if (!Object.is(a, b)) assert.fail(`${msg}[${i}]: gpu ${a}, cpu ${b}`);
  }
}

/** Runs `op` on both streams (input built on the CPU) and checks equality and that the GPU did not fall back. */
async function check(op: (o: S) => mx.MxArray, msg: string, expectFallback = false): Promise<void> {
  const c = op(cpu);
  await mx.eval(c);
  const before = fallbacks();
  const g = op(gpu);
  await mx.eval(g);
  if (expectFallback) assert.ok(fallbacks() > before, `${msg}: expected a visible CPU fallback`);
  else assert.equal(fallbacks(), before, `${msg}: fell back to the CPU`);
  await same(g, c, msg);
}

const FLOATS = [mx.float32, mx.float16, mx.bfloat16];
const INTS = [mx.int32, mx.int16, mx.int8, mx.uint32, mx.uint16, mx.uint8];
const ALL = [...FLOATS, ...INTS, mx.bool];

/**
 * Deterministic values with many duplicates (integers in [-range, range], quarters for floats) and, for float
 * dtypes, NaN, ±inf, -0 and +0 sprinkled in; built on the CPU in float32 and cast to `d`.
 */
function values(shape: number[], d: mx.Dtype, range = 20): mx.MxArray {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  let s = 12345 + n;
  const isFloat = FLOATS.includes(d);
  const specials = [NaN, Infinity, -Infinity, -0, 0, -NaN];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const r = (s >>> 8) % (2 * range + 1) - range;
    v[i] = isFloat ? (i % 7 === 3 ? specials[(s >>> 4) % specials.length]! : r / 4) : r;
  }
  return mx.astype(mx.array(v, mx.float32, cpu).reshape(shape, cpu), d, cpu);
}

/** The five lane ops; topk's order is unspecified, so both results are sorted (on the CPU) before comparing. */
const OPS: [string, (x: mx.MxArray, axis: number | null, o: S) => mx.MxArray][] = [
  ['sort', (x, axis, o) => mx.sort(x, axis, o)],
  ['argsort', (x, axis, o) => mx.argsort(x, axis, o)],
  ['partition', (x, axis, o) => mx.partition(x, 0, axis, o)],
  ['argpartition', (x, axis, o) => mx.argpartition(x, 0, axis, o)],
  ['topk', (x, axis, o) => mx.sort(mx.topk(x, Math.min(3, axis === null ? x.size : x.shape.at(axis)!), axis, o), axis === null ? 0 : axis, cpu)],
];

/** [name, dtypes, input (built on the CPU), axis, ops to run (default all)]. */
const CASES: [string, mx.Dtype[], () => mx.MxArray, number | null, string[]?][] = [
  ['every dtype, rows of 1000', ALL, () => values([3, 1000], mx.float32), -1],
  ['length 0', [mx.float32], () => values([4, 0], mx.float32), -1, ['sort', 'argsort']],
  ['no rows', [mx.float32], () => values([0, 5], mx.float32), -1],
  ['0-d flattened', [mx.float32, mx.int8], () => values([], mx.float32), null],
  ['length 1', [mx.float32], () => values([5, 1], mx.float32), -1],
  ['length 2', [mx.float32, mx.uint8], () => values([7, 2], mx.float32), -1],
  ['length 3', [mx.float32], () => values([4, 3], mx.float32), -1],
  ['length 31', [mx.float32, mx.int16], () => values([3, 31], mx.float32), -1],
  ['length 2049 (past one tile)', [mx.float32, mx.bfloat16], () => values([2, 2049], mx.float32), -1],
  ['length 5000 (global merge steps)', [mx.float32, mx.int32, mx.float16], () => values([2, 5000], mx.float32, 300), -1],
  ['70000 rows of 3 (> 65535 workgroup rows)', [mx.float32], () => values([70000, 3], mx.float32), -1, ['sort', 'argsort']],
  ['axis 0', [mx.float32, mx.uint16], () => values([37, 5], mx.float32), 0],
  ['middle axis', [mx.float32, mx.int8], () => values([3, 50, 4], mx.float32), 1],
  ['flattened', [mx.float32, mx.uint32], () => values([40, 50], mx.float32), null],
  ['transposed input', [mx.float32, mx.float16], () => mx.transpose(values([31, 40], mx.float32), cpu), -1],
  ['strided slice, axis 0', [mx.float32], () => values([60, 9], mx.float32).index(mx.sl(1, 59, 3), mx.sl(null, null, 2), cpu), 0],
];

for (const [name, dtypes, make, axis, ops] of CASES) {
  test(`webgpu sort: ${name}`, async (t) => {
    if (!ok) { t.skip('no WebGPU adapter'); return; }
    for (const d of dtypes) {
      const base = make();
      const x = d === mx.float32 ? base : mx.astype(base, d, cpu);
      for (const [op, f] of OPS) {
        if (ops && !ops.includes(op)) continue;
        await check((o) => f(x, axis, o), `${op} ${d.name} ${name}`);
      }
    }
  });
}

test('webgpu sort: GPU-resident strided input (a transpose view on the GPU)', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const x = values([40, 70], mx.float32);
  await check((o) => mx.argsort(mx.transpose(mx.multiply(x, 1, o), o), -1, o), 'argsort of a GPU transpose');
});

test('webgpu sort: 64-bit dtypes decline visibly (CPU kernel)', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const x = mx.astype(values([3, 40], mx.float32), mx.float64, cpu);
  await check((o) => mx.argsort(x, -1, o), 'argsort float64', true);
});

/** [name, sorted sequence dtype, values dtype, values shape, transposed values, fallback expected]. */
const SEARCH: [string, mx.Dtype, mx.Dtype, number[], boolean, boolean][] = [
  ['float32', mx.float32, mx.float32, [4, 5], false, false],
  ['float16 in float32', mx.float16, mx.float32, [20], false, false],
  ['float32 in bfloat16', mx.float32, mx.bfloat16, [3, 7], true, false],
  ['int32', mx.int32, mx.int32, [6, 5], true, false],
  ['uint8 sequence, int32 values', mx.uint8, mx.int32, [30], false, false],
  ['int16 sequence, float32 values', mx.int16, mx.float32, [30], false, false],
  ['uint32', mx.uint32, mx.uint32, [25], false, false],
  ['bool', mx.bool, mx.bool, [6], false, false],
  ['0-d values', mx.float32, mx.float32, [], false, false],
  ['empty values', mx.float32, mx.float32, [0, 3], false, false],
  ['int32 sequence, float32 values (declined)', mx.int32, mx.float32, [10], false, true],
];

for (const [name, sd, vd, shape, transposed, fb] of SEARCH) {
  test(`webgpu searchsorted: ${name}`, async (t) => {
    if (!ok) { t.skip('no WebGPU adapter'); return; }
    for (const len of [0, 1, 57]) {
      const seq = mx.sort(mx.astype(values([len], mx.float32, 8), sd, cpu), cpu);
      let v = mx.astype(values(shape, mx.float32, 10), vd, cpu);
      if (transposed) v = mx.transpose(v, cpu);
      for (const side of ['left', 'right'] as const) {
        await check((o) => mx.searchsorted(seq, v, side, o), `searchsorted ${name} len ${len} ${side}`, fb);
      }
    }
  });
}

test('webgpu searchsorted: strided sequence', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const seq = mx.sort(values([80], mx.float32), cpu).index(mx.sl(null, null, 3), cpu);
  await check((o) => mx.searchsorted(seq, values([9], mx.float32), 'right', o), 'searchsorted strided');
});

/** [name, make(key, stream)]: permutations must equal the CPU's exactly (both derive them from the key). */
const PERMS: [string, (k: mx.MxArray, o: S) => mx.MxArray][] = [
  ['n = 0', (key, o) => mx.random.permutation(0, { key, ...o })],
  ['n = 1', (key, o) => mx.random.permutation(1, { key, ...o })],
  ['n = 5', (key, o) => mx.random.permutation(5, { key, ...o })],
  ['n = 1000', (key, o) => mx.random.permutation(1000, { key, ...o })],
  ['n = 5000 (global merge steps)', (key, o) => mx.random.permutation(5000, { key, ...o })],
  ['array axis 0', (key, o) => mx.random.permutation(values([6, 4], mx.float32), { key, ...o })],
  ['array axis 1, float16', (key, o) => mx.random.permutation(values([3, 9], mx.float16), { key, axis: 1, ...o })],
  ['array middle axis, int8', (key, o) => mx.random.permutation(values([2, 7, 3], mx.int8), { key, axis: 1, ...o })],
  ['transposed array', (key, o) => mx.random.permutation(mx.transpose(values([5, 8], mx.int32), cpu), { key, ...o })],
  ['float64 array (two words per element)', (key, o) => mx.random.permutation(mx.astype(values([7, 3], mx.float32), mx.float64, cpu), { key, ...o })],
];

for (const [name, make] of PERMS) {
  test(`webgpu permutation: ${name}`, async (t) => {
    if (!ok) { t.skip('no WebGPU adapter'); return; }
    for (const seed of [0, 7]) {
      const key = mx.random.key(seed, { stream: mx.cpu });
      await check((o) => make(key, o), `permutation ${name} seed ${seed}`);
    }
  });
}
