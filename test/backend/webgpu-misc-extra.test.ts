// GPU kernels of trace, isclose/allclose/arrayEqual, divmod, view, linalg.cross, linalg.norm and the pass-through
// depends, on whatever adapter exists, compared with the CPU backend (whose op tests check NumPy), with no CPU
// fallback on the GPU side.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { tolFor } from '../helpers/numpy.js';

let ok = false;
before(async () => { ok = await mx.initGpu({ allowSoftware: true, quiet: true }); });
after(() => mx.shutdown());

type S = { stream: mx.Device };
const gpu: S = { stream: mx.gpu };
const cpu: S = { stream: mx.cpu };
const stats = () => mx.deviceInfo(mx.gpu).stats!;

async function same(g: mx.MxArray, c: mx.MxArray, msg: string, ulps: number): Promise<void> {
  assert.deepEqual([...g.shape], [...c.shape], `${msg}: shape`);
  assert.equal(g.dtype, c.dtype, `${msg}: dtype`);
  const { rtol, atol } = tolFor(g.dtype);
  const gv = (await g.data()) as ArrayLike<number | bigint>, cv = (await c.data()) as ArrayLike<number | bigint>;
  assert.equal(gv.length, cv.length, `${msg}: length`);
  for (let i = 0; i < cv.length; i++) {
    const a = Number(gv[i]), b = Number(cv[i]);
    if (typeof cv[i] === 'bigint') { assert.equal(gv[i], cv[i], `${msg}[${i}]`); continue; }
    if (Number.isNaN(b)) { assert.ok(Number.isNaN(a), `${msg}[${i}]: expected NaN, got ${a}`); continue; }
    assert.ok(a === b || Math.abs(a - b) <= (atol + rtol * Math.abs(b)) * ulps, `${msg}[${i}]: gpu ${a}, cpu ${b}`);
  }
}

const F = [mx.float32, mx.float16, mx.bfloat16];
/** Deterministic CPU input of `shape` and dtype: quarters in [-2, 2] for floats, integers in [-8, 8] otherwise. */
function input(shape: number[], d: mx.Dtype, seed = 0): mx.MxArray {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = ((i * 37 + 11 + seed * 5) % 17) - 8;
  const base = mx.reshape(mx.array(v, mx.float32, cpu), shape, cpu);
  if (d === mx.bool) return mx.notEqual(mx.remainder(base, 3, cpu), 0, cpu);
  return mx.astype(F.includes(d) ? mx.divide(base, 4, cpu) : base, d, cpu);
}
const specials = (d: mx.Dtype): mx.MxArray => mx.astype(mx.array([NaN, Infinity, -Infinity, 1.5, -0, 7, 1e-3, 100], mx.float32, cpu), d, cpu);

type Op = (d: mx.Dtype, s: S) => mx.MxArray | mx.MxArray[];
/** [name, dtypes, op, tolerance multiple]. */
const ROWS: [string, mx.Dtype[], Op, number][] = [
  ['trace', [...F, mx.int32, mx.int8, mx.uint8, mx.bool], (d, s) => mx.trace(input([3, 4], d), s), 2],
  ['trace offsets', [mx.float32, mx.int16], (d, s) => [1, -2, 5, -3].map((k) => mx.trace(input([4, 3], d), k, s)), 2],
  ['trace of 3-D over (2, 0) to float32', [mx.int32, mx.float16], (d, s) => mx.trace(input([5, 2, 4], d), 1, 2, 0, mx.float32, s), 2],
  ['trace strided, many lanes', [mx.float32], (d, s) => mx.trace(mx.transpose(input([6, 70, 6], d), [2, 1, 0], cpu), 0, 0, 2, s), 4],
  ['trace empty', [mx.float32], (d, s) => [mx.trace(input([0, 3], d), s), mx.trace(input([2, 0, 3], d), 0, 1, 2, s)], 0],
  ['isclose', [...F, mx.int32, mx.uint8], (d, s) => mx.isclose(input([3, 5], d), mx.add(input([3, 5], d), mx.astype(mx.array(0.5), d, cpu), cpu), s), 0],
  ['isclose near', [mx.float32], (d, s) => mx.isclose(mx.multiply(input([40], d), 1.0001, cpu), input([40], d), { rtol: 1e-3, ...s }), 0],
  ['isclose specials', F, (d, s) => [false, true].map((equalNan) => mx.isclose(specials(d), mx.flip(specials(d), 0, cpu), { equalNan, ...s })), 0],
  ['isclose self specials', [mx.float32], (d, s) => [false, true].map((equalNan) => mx.isclose(specials(d), specials(d), { equalNan, ...s })), 0],
  ['isclose broadcast', [mx.float32], (d, s) => mx.isclose(input([3, 1], d), input([4], d, 1), s), 0],
  ['allclose', [...F, mx.int32], (d, s) => [mx.allclose(input([3, 5], d), input([3, 5], d), s),
    mx.allclose(input([3, 5], d), input([3, 5], d, 1), s), mx.allclose(input([3, 1], d), input([1, 5], d), s)], 0],
  ['allclose NaN', [mx.float32], (d, s) => [false, true].map((equalNan) => mx.allclose(specials(d), specials(d), { equalNan, ...s })), 0],
  ['allclose tolerance', [mx.float32], (d, s) => [1e-5, 1e-3].map((rtol) => mx.allclose(mx.multiply(input([100], d), 1.0001, cpu), input([100], d), { rtol, ...s })), 0],
  ['allclose empty and large', [mx.float32], (d, s) => [mx.allclose(input([0, 2], d), input([0, 2], d), s),
    mx.allclose(input([300, 301], d), mx.add(input([300, 301], d), 1e-9, cpu), s)], 0],
  ['arrayEqual', [...F, mx.int32, mx.int8, mx.uint16, mx.bool], (d, s) => [mx.arrayEqual(input([3, 5], d), input([3, 5], d), s),
    mx.arrayEqual(input([3, 5], d), input([3, 5], d, 1), s), mx.arrayEqual(input([3, 5], d), mx.transpose(input([5, 3], d), cpu), s)], 0],
  ['arrayEqual NaN', [mx.float32, mx.float16], (d, s) => [false, true].map((equalNan) => mx.arrayEqual(specials(d), specials(d), { equalNan, ...s })), 0],
  ['arrayEqual shapes differ', [mx.float32], (d, s) => mx.arrayEqual(input([3], d), input([4], d), s), 0],
  ['divmod', [...F, mx.int32, mx.int16, mx.int8, mx.uint32, mx.uint8], (d, s) => mx.divmod(input([6, 7], d), input([6, 7], d, 3), s), 0],
  ['divmod broadcast, exact remainders', [mx.float32], (d, s) =>
    mx.divmod(mx.array([7.5, -7.5, 1e10, -1e10, 3e-5, 5, -0, 1, Infinity, NaN], d, cpu), mx.array([[2], [-0.3], [0], [Infinity]], d, cpu), s), 0],
  ['divmod int extremes', [mx.int32], (d, s) =>
    mx.divmod(mx.array([-2147483648, 2147483647, -7, 7, 0, -1], d, cpu), mx.array([[-1], [2], [-3], [0]], d, cpu), s), 0],
  ['view same size', [mx.float32], (_d, s) => [mx.view(input([3, 4], mx.float32), mx.int32, s), mx.view(input([3, 4], mx.float32), mx.uint32, s)], 0],
  ['view narrower and wider', [mx.float32], (_d, s) => [mx.view(input([3, 4], mx.float32), mx.uint8, s),
    mx.view(input([3, 4], mx.int8), mx.int16, s), mx.view(input([2, 8], mx.uint8), mx.float32, s), mx.view(input([3, 2], mx.float16), mx.bfloat16, s)], 0],
  ['view to 64-bit', [mx.float32], (_d, s) => [mx.view(input([3, 4], mx.float32), mx.float64, s), mx.view(input([3, 4], mx.int32), mx.int64, s)], 0],
  ['view of strided', [mx.float32], (_d, s) => [mx.view(mx.transpose(input([3, 4], mx.float32), cpu), mx.uint8, s),
    mx.view(input([4, 6], mx.int8).index(':', '1:5'), mx.int16, s), mx.view(mx.transpose(input([2, 4], mx.float32), cpu), mx.float64, s)], 0],
  ['view empty and 0-d', [mx.float32], (_d, s) => [mx.view(input([0, 4], mx.float32), mx.uint8, s), mx.view(mx.array(1.5, mx.float32, cpu), mx.int32, s)], 0],
  ['cross', [mx.float32, mx.float16, mx.int32, mx.int8], (d, s) => mx.linalg.cross(input([4, 3], d), input([4, 3], d, 2), s), 4],
  ['cross axis 0, length 2, broadcast', [mx.float32], (d, s) => [mx.linalg.cross(input([3, 5], d), input([3, 1], d, 1), 0, s),
    mx.linalg.cross(input([2, 1, 2], d), input([4, 3], d, 1), s), mx.linalg.cross(input([5, 2], d), input([5, 2], d, 3), s)], 4],
  ['cross mixed dtypes', [mx.int32], (d, s) => mx.linalg.cross(input([4, 3], d), input([4, 3], mx.float32, 1), s), 4],
  ['norm vector orders', [...F, mx.int32], (d, s) => [null, 1, 2, Infinity, -Infinity, 0, 3, -1, 0.5].map((ord) => mx.linalg.norm(input([3, 5], d), ord, 1, s)), 8],
  ['norm all axes, keepdims, strided', [mx.float32], (d, s) => [mx.linalg.norm(input([2, 3, 4], d), s),
    mx.linalg.norm(mx.transpose(input([2, 3, 4], d), cpu), null, [0, 2], true, s)], 8],
  ['norm matrix orders', [mx.float32, mx.float16], (d, s) => ['fro', 1, -1, Infinity, -Infinity].map((ord) =>
    mx.linalg.norm(input([2, 3, 4], d), ord as mx.linalg.NormOpts['ord'], [1, 2], s)), 8],
  ['norm matrix, swapped axes', [mx.float32], (d, s) => [1, Infinity].map((ord) => mx.linalg.norm(input([3, 2, 4], d), ord, [2, 0], s)), 8],
  ['norm large and special values', [mx.float32], (_d, s) => [null, 3, 1, Infinity].map((ord) =>
    mx.linalg.norm(mx.array([[1e20, -3e19, 0], [NaN, 1, 2], [0, 0, 0], [Infinity, 1, 0]], mx.float32, cpu), ord, 1, s)), 8],
  ['norm long vector', [mx.float32], (d, s) => mx.linalg.norm(input([100003], d), s), 8],
];

for (const [name, dtypes, op, ulps] of ROWS) {
  test(`webgpu misc-extra: ${name}`, async (t) => {
    if (!ok) { t.skip('no WebGPU adapter'); return; }
    for (const d of dtypes) {
      const c = [op(d, cpu)].flat();
      await mx.eval(c);
      const before = stats().fallbacks;
      const g = [op(d, gpu)].flat();
      await mx.eval(g);
      assert.equal(stats().fallbacks, before, `${name} ${d.name}: fell back to the CPU`);
      for (let i = 0; i < c.length; i++) await same(g[i]!, c[i]!, `${name} ${d.name} #${i}`, ulps);
    }
  });
}

test('webgpu misc-extra: view of a dense GPU array is an alias (no dispatch), depends passes GPU data through', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const x = mx.add(input([4, 6], mx.float32), 1, gpu);
  await mx.eval(x);
  const before = { ...stats() };
  const v = mx.view(x, mx.uint8, gpu);
  const w = mx.view(x.index('1:3', gpu), mx.int16, gpu);
  await mx.eval(v, w);
  assert.equal(stats().dispatches, before.dispatches, 'a view of dense bytes needs no kernel');
  assert.equal(stats().fallbacks, before.fallbacks);
  const xc = mx.add(input([4, 6], mx.float32), 1, cpu);
  await same(v, mx.view(xc, mx.uint8, cpu), 'alias uint8', 0);
  await same(w, mx.view(xc.index('1:3'), mx.int16, cpu), 'alias sliced int16', 0);
  const [y] = mx.depends([x], [mx.multiply(x, 2, gpu)]);
  await mx.eval(y!);
  assert.equal(stats().fallbacks, before.fallbacks, 'depends fell back');
  await same(y!, xc, 'depends', 0);
});

test('webgpu misc-extra: nuclear and spectral norms decline to the CPU, visibly', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const before = stats().fallbacks;
  const g = mx.linalg.norm(input([3, 3], mx.float32), 'nuc', [0, 1], gpu);
  await mx.eval(g);
  assert.equal(stats().fallbacks, before + 1);
  await same(g, mx.linalg.norm(input([3, 3], mx.float32), 'nuc', [0, 1], cpu), 'nuc', 2);
});
