// complex64 on the GPU (vec2<f32> values) compared with the CPU backend (NumPy-tested; it computes in double and
// rounds), with no CPU fallback: exact for +, -, negation, conj, parts and comparisons, within float32 rounding
// (relative to the value's magnitude) for the transcendental functions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { fromValues } from '../../src/core/construct.js';

let ok = false;
before(async () => { ok = await mx.initGpu({ allowSoftware: true, quiet: true }); });
after(() => mx.shutdown());

const gpu = { stream: mx.gpu };
const cpu = { stream: mx.cpu };
const fallbacks = (): number => mx.deviceInfo(mx.gpu).stats?.fallbacks ?? 0;
type O = { stream: mx.Device };

/** A complex64 array on the CPU from (re, im) pairs. */
const cplx = (pairs: readonly (readonly [number, number])[], shape = [pairs.length]): mx.MxArray =>
  fromValues(new Float32Array(pairs.flat()), mx.complex64, shape, mx.cpu);

// deterministic values in [-3, 3] for both parts (4 x 6), plus zeros and exact integers
const Z: [number, number][] = Array.from({ length: 24 }, (_, i) => [
  Math.round(Math.sin(i * 1.7 + 0.3) * 3000) / 1000, Math.round(Math.cos(i * 2.3 + 1.1) * 3000) / 1000]);
Z[0] = [0, 0]; Z[5] = [2, 0]; Z[11] = [0, -1.5]; Z[17] = [-1, 0];
const W: [number, number][] = Z.map(([a, b], i) => (i % 4 === 0 ? [a, b] : [b * 0.7 - 0.2, a * 1.3 + 0.4]));
W[3] = [0, 0];
const SPECIAL: [number, number][] = [[NaN, 0], [0, NaN], [Infinity, 1], [1, -Infinity], [-0, 0], [0, -0], [1.5, -2.5],
  [-Infinity, -Infinity], [3, 4], [1e-30, 0], [NaN, NaN], [2, 2]];
const SPECIAL2: [number, number][] = [[1, 0], [0, NaN], [Infinity, 1], [1, 2], [0, 0], [0, 0], [1.5, -2.6],
  [-Infinity, 0], [3, 4], [1e-30, 1], [0, 0], [2, 1]];

async function same(g: mx.MxArray, c: mx.MxArray, msg: string, rtol: number): Promise<void> {
  assert.deepEqual([...g.shape], [...c.shape], `${msg}: shape`);
  assert.equal(g.dtype, c.dtype, `${msg}: dtype`);
  const gv = (await g.data()) as ArrayLike<number>, cv = (await c.data()) as ArrayLike<number>;
  const w = c.dtype === mx.complex64 ? 2 : 1;
  assert.equal(gv.length, cv.length, `${msg}: length`);
  for (let i = 0; i < cv.length; i++) {
    const a = Number(gv[i]), b = Number(cv[i]);
    if (Object.is(a, b) || (rtol > 0 && a === b)) continue;
    if (Number.isNaN(b)) { assert.ok(Number.isNaN(a), `${msg}[${i}]: expected NaN, got ${a}`); continue; }
    // a component is judged against the magnitude of its whole complex value (cancellation in the other part)
    const k = i - (i % w), mag = w === 2 ? Math.abs(Number(cv[k])) + Math.abs(Number(cv[k + 1])) : Math.abs(b);
    assert.ok(rtol > 0 && Math.abs(a - b) <= rtol * mag + 1e-30, `${msg}[${i}]: gpu ${a}, cpu ${b}`);
  }
}

async function check(name: string, op: (o: O) => mx.MxArray, rtol: number): Promise<void> {
  const c = op(cpu);
  await mx.eval(c);
  const before = fallbacks();
  const g = op(gpu);
  await mx.eval(g);
  assert.equal(fallbacks(), before, `${name}: fell back to the CPU`);
  await same(g, c, name, rtol);
}

const T = 4e-6; // transcendental tolerance, relative to |re| + |im|
const UN: [string, (z: mx.MxArray, o: O) => mx.MxArray, number][] = [
  ['negative', (z, o) => mx.negative(z, o), 0],
  ['conj', (z, o) => mx.conj(z, o), 0],
  ['real', (z, o) => mx.real(z, o), 0],
  ['imag', (z, o) => mx.imag(z, o), 0],
  ['stopGradient', (z, o) => mx.stopGradient(z, o), 0],
  ['square', (z, o) => mx.square(z, o), T],
  ['abs', (z, o) => mx.abs(z, o), T],
  ['sign', (z, o) => mx.sign(z, o), T],
  ['sqrt', (z, o) => mx.sqrt(z, o), T],
  ['rsqrt', (z, o) => mx.rsqrt(z, o), T],
  ['reciprocal', (z, o) => mx.reciprocal(z, o), T],
  ['exp', (z, o) => mx.exp(z, o), T],
  ['expm1', (z, o) => mx.expm1(z, o), T],
  ['log', (z, o) => mx.log(z, o), T],
  ['log2', (z, o) => mx.log2(z, o), T],
  ['log10', (z, o) => mx.log10(z, o), T],
  ['log1p', (z, o) => mx.log1p(z, o), T],
  ['sin', (z, o) => mx.sin(z, o), T],
  ['cos', (z, o) => mx.cos(z, o), T],
  ['tan', (z, o) => mx.tan(z, o), T],
  ['sinh', (z, o) => mx.sinh(z, o), T],
  ['cosh', (z, o) => mx.cosh(z, o), T],
  ['tanh', (z, o) => mx.tanh(z, o), T],
];

for (const [name, op, rtol] of UN) {
  test(`webgpu complex: ${name}`, async (t) => {
    if (!ok) { t.skip('no WebGPU adapter'); return; }
    await check(name, (o) => op(cplx(Z), o), rtol);
    await check(`${name} [4, 6]`, (o) => op(cplx(Z, [4, 6]), o), rtol);
  });
}

const PRED: [string, (z: mx.MxArray, o: O) => mx.MxArray][] = [
  ['isnan', (z, o) => mx.isnan(z, o)],
  ['isinf', (z, o) => mx.isinf(z, o)],
  ['isfinite', (z, o) => mx.isfinite(z, o)],
  ['logicalNot', (z, o) => mx.logicalNot(z, o)],
  ['negative specials', (z, o) => mx.negative(z, o)],
  ['conj specials', (z, o) => mx.conj(z, o)],
  ['abs specials', (z, o) => mx.abs(z, o)],
];

for (const [name, op] of PRED) {
  test(`webgpu complex: ${name}`, async (t) => {
    if (!ok) { t.skip('no WebGPU adapter'); return; }
    await check(name, (o) => op(cplx(SPECIAL), o), 0);
  });
}

const BIN: [string, (a: mx.MxArray, b: mx.MxArray, o: O) => mx.MxArray, number][] = [
  ['add', (a, b, o) => mx.add(a, b, o), 0],
  ['subtract', (a, b, o) => mx.subtract(a, b, o), 0],
  ['multiply', (a, b, o) => mx.multiply(a, b, o), T],
  ['divide', (a, b, o) => mx.divide(a, b, o), T],
  ['power', (a, b, o) => mx.power(a, b, o), 2e-5],
  ['maximum', (a, b, o) => mx.maximum(a, b, o), 0],
  ['minimum', (a, b, o) => mx.minimum(a, b, o), 0],
  ['equal', (a, b, o) => mx.equal(a, b, o), 0],
  ['notEqual', (a, b, o) => mx.notEqual(a, b, o), 0],
  ['less', (a, b, o) => mx.less(a, b, o), 0],
  ['lessEqual', (a, b, o) => mx.lessEqual(a, b, o), 0],
  ['greater', (a, b, o) => mx.greater(a, b, o), 0],
  ['greaterEqual', (a, b, o) => mx.greaterEqual(a, b, o), 0],
];

for (const [name, op, rtol] of BIN) {
  test(`webgpu complex: ${name}`, async (t) => {
    if (!ok) { t.skip('no WebGPU adapter'); return; }
    await check(name, (o) => op(cplx(Z), cplx(W), o), rtol);
    await check(`${name} broadcast`, (o) => op(cplx(Z, [4, 6]), cplx(W.slice(0, 6), [1, 6]), o), rtol);
    if (rtol === 0) await check(`${name} specials`, (o) => op(cplx(SPECIAL), cplx(SPECIAL2), o), 0);
  });
}

test('webgpu complex: where, astype to and from real dtypes, chains, empty and 0-d', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const cond = (): mx.MxArray => mx.greater(mx.real(cplx(W), cpu), 0, cpu);
  await check('where', (o) => mx.where(cond(), cplx(Z), cplx(W), o), 0);
  await check('where broadcast scalar', (o) => mx.where(cond(), cplx(Z), cplx([[1, -1]], []), o), 0);
  for (const d of [mx.bool, mx.int8, mx.uint16, mx.int32, mx.uint32, mx.float16, mx.bfloat16, mx.float32]) {
    await check(`astype complex64 -> ${d.name}`, (o) => mx.astype(cplx([...Z, ...SPECIAL.slice(4)]), d, o), 0);
    await check(`astype ${d.name} -> complex64`, (o) => mx.astype(mx.astype(mx.array([-2.5, -1, 0, 0.5, 3, 200, 7.25], mx.float32, cpu), d, cpu), mx.complex64, o), 0);
  }
  await check('chain', (o) => mx.abs(mx.multiply(mx.add(cplx(Z), cplx(W), o), mx.conj(cplx(Z), o), o), o), 3 * T);
  await check('empty', (o) => mx.multiply(cplx([], [0, 3]), cplx([], [0, 3]), o), 0);
  await check('0-d', (o) => mx.divide(cplx([[3, 4]], []), cplx([[1, -2]], []), o), T);
});

test('webgpu complex: NaN is truthy and unequal for float32 too (compares tested by bits on the GPU)', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const x = (): mx.MxArray => mx.array([NaN, 0, 1, -0, Infinity], mx.float32, cpu);
  await check('astype float32 -> bool', (o) => mx.astype(x(), mx.bool, o), 0);
  await check('notEqual float32', (o) => mx.notEqual(x(), mx.array([1, NaN, 1, 0, NaN], mx.float32, cpu), o), 0);
  // atan2 where WGSL leaves it undefined: signed zeros and infinities
  const ys = [0, -0, 0, -0, Infinity, -Infinity, Infinity, -Infinity, 1, NaN], xs = [0, 0, -0, -0, Infinity, Infinity, -Infinity, -Infinity, -0, 1];
  await check('arctan2 float32 zeros and infinities', (o) => mx.arctan2(mx.array(ys, mx.float32, cpu), mx.array(xs, mx.float32, cpu), o), 1e-7);
  await check('logicalOr float32', (o) => mx.logicalOr(x(), mx.array([0, 0, 0, 0, 0], mx.float32, cpu), o), 0);
  // float to integer: truncate and wrap modulo 2^32 (then to the width), NaN/Inf give 0, as the CPU's typed arrays
  const big = (): mx.MxArray => mx.array([NaN, -Infinity, 3e9, -3e9, 2 ** 31, -(2 ** 31), 1e20, -2.7, 65537.9, 300.5, -129.5, 2 ** 32 + 2 ** 9], mx.float32, cpu);
  for (const d of [mx.int32, mx.uint32, mx.int16, mx.uint8, mx.int8]) await check(`astype float32 -> ${d.name}`, (o) => mx.astype(big(), d, o), 0);
});
