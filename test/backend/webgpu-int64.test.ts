// int64/uint64 on the GPU (two-word emulation) compared with the CPU backend's BigInt kernels, bit for bit, with
// no CPU fallback: values around 2^31, 2^32, 2^53, 2^63, negatives, broadcasting, astype to and from every dtype.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { gpuBackend } from '../../src/backend/webgpu/index.js';
import { fromValues } from '../../src/core/construct.js';

let ok = false;
before(async () => { ok = await mx.initGpu({ allowSoftware: true, quiet: true }); });
after(() => mx.shutdown());

const gpu = { stream: mx.gpu };
const cpu = { stream: mx.cpu };
const fallbacks = (): number => mx.deviceInfo(mx.gpu).stats?.fallbacks ?? 0;
type O = { stream: mx.Device };

const P31 = 2n ** 31n, P32 = 2n ** 32n, P53 = 2n ** 53n, P63 = 2n ** 63n;
/** Edge values (wrapped to the dtype when built). */
const EDGE = [0n, 1n, -1n, 7n, -7n, 3n, P31 - 1n, P31, -P31, P32 - 1n, P32, P32 + 5n, P53, P53 + 1n, -(P53 + 3n),
  P63 - 1n, -P63, -12345678901234n, 987654321987654321n, 2n ** 40n + 2n ** 16n + 1n, 255n, -(P32 * 3n + 1n), 1n << 62n, 12n];
/** A second operand: divisors/shift partners with zeros, ones, negatives and large values. */
const EDGE2 = [3n, -1n, 0n, 2n, -7n, P31, 5n, -3n, 65n, 1n, P32 + 1n, -2n, 64n, 63n, 17n, -1n, 2n, 1000000007n,
  -P53, 31n, 32n, 33n, -P63, 7n];
const SHIFTS = [0n, 1n, 31n, 32n, 33n, 63n, 64n, 65n, -1n, 5n, 16n, 48n, 2n, 100n, P32, 3n, 4n, 7n, 8n, 62n, 61n, 9n, 10n, 11n];
const POW = [0n, 1n, 2n, 3n, 5n, 7n, 63n, 64n, -1n, 4n, 10n, 13n, 2n, 1n, 0n, 3n, 2n, 21n, 2n, 3n, 4n, 5n, 2n, 31n];

const W = [mx.int64, mx.uint64];
const arr = (vals: bigint[], d: mx.Dtype, shape = [vals.length]): mx.MxArray =>
  mx.reshape(mx.array(vals, d, cpu), shape, cpu);
const A = (d: mx.Dtype): mx.MxArray => arr(EDGE, d);
const B = (d: mx.Dtype): mx.MxArray => arr(EDGE2, d);

async function same(g: mx.MxArray, c: mx.MxArray, msg: string, rtol = 0): Promise<void> {
  assert.deepEqual([...g.shape], [...c.shape], `${msg}: shape`);
  assert.equal(g.dtype, c.dtype, `${msg}: dtype`);
  const gv = (await g.data()) as ArrayLike<number | bigint>, cv = (await c.data()) as ArrayLike<number | bigint>;
  assert.equal(gv.length, cv.length, `${msg}: length`);
  for (let i = 0; i < cv.length; i++) {
    const a = gv[i]!, b = cv[i]!;
    if (rtol === 0 || typeof b === 'bigint') { assert.ok(Object.is(a, b) || a === b, `${msg}[${i}]: gpu ${a}, cpu ${b}`); continue; }
    if (a === b) continue;
    if (Number.isNaN(b)) { assert.ok(Number.isNaN(a as number), `${msg}[${i}]: expected NaN, got ${a}`); continue; }
    assert.ok(Math.abs((a as number) - b) <= rtol * Math.abs(b), `${msg}[${i}]: gpu ${a}, cpu ${b}`);
  }
}

/** Runs `op` on the CPU and on the GPU (inputs built on the CPU, uploaded by the GPU kernel) and compares. */
async function check(name: string, op: (o: O) => mx.MxArray, rtol = 0): Promise<void> {
  const c = op(cpu);
  await mx.eval(c);
  const before = fallbacks();
  const g = op(gpu);
  await mx.eval(g);
  assert.equal(fallbacks(), before, `${name}: fell back to the CPU`);
  await same(g, c, name, rtol);
}

const BIN: [string, (a: mx.MxArray, b: mx.MxArray, o: O) => mx.MxArray, (d: mx.Dtype) => mx.MxArray][] = [
  ['add', (a, b, o) => mx.add(a, b, o), B],
  ['subtract', (a, b, o) => mx.subtract(a, b, o), B],
  ['multiply', (a, b, o) => mx.multiply(a, b, o), B],
  ['multiply big', (a, b, o) => mx.multiply(a, b, o), A],
  ['floorDivide', (a, b, o) => mx.floorDivide(a, b, o), B],
  ['remainder', (a, b, o) => mx.remainder(a, b, o), B],
  ['power', (a, b, o) => mx.power(a, b, o), (d) => arr(POW, d)],
  ['maximum', (a, b, o) => mx.maximum(a, b, o), B],
  ['minimum', (a, b, o) => mx.minimum(a, b, o), B],
  ['bitwiseAnd', (a, b, o) => mx.bitwiseAnd(a, b, o), B],
  ['bitwiseOr', (a, b, o) => mx.bitwiseOr(a, b, o), B],
  ['bitwiseXor', (a, b, o) => mx.bitwiseXor(a, b, o), B],
  ['leftShift', (a, b, o) => mx.leftShift(a, b, o), (d) => arr(SHIFTS, d)],
  ['rightShift', (a, b, o) => mx.rightShift(a, b, o), (d) => arr(SHIFTS, d)],
  ['equal', (a, b, o) => mx.equal(a, b, o), (d) => arr(EDGE.map((v, i) => (i % 3 ? v : EDGE2[i]!)), d)],
  ['notEqual', (a, b, o) => mx.notEqual(a, b, o), (d) => arr(EDGE.map((v, i) => (i % 3 ? v : EDGE2[i]!)), d)],
  ['less', (a, b, o) => mx.less(a, b, o), B],
  ['lessEqual', (a, b, o) => mx.lessEqual(a, b, o), (d) => arr(EDGE.slice().reverse(), d)],
  ['greater', (a, b, o) => mx.greater(a, b, o), B],
  ['greaterEqual', (a, b, o) => mx.greaterEqual(a, b, o), (d) => arr(EDGE.slice().reverse(), d)],
  ['logicalAnd', (a, b, o) => mx.logicalAnd(a, b, o), B],
  ['logicalOr', (a, b, o) => mx.logicalOr(a, b, o), B],
];

for (const [name, op, second] of BIN) {
  test(`webgpu int64: ${name}`, async (t) => {
    if (!ok) { t.skip('no WebGPU adapter'); return; }
    for (const d of W) {
      await check(`${name} ${d.name}`, (o) => op(A(d), second(d), o));
      // broadcast: [4, 6] against [1, 6] and [4, 1]
      await check(`${name} ${d.name} broadcast`, (o) => op(mx.reshape(A(d), [4, 6], cpu), mx.reshape(mx.take(mx.reshape(second(d), [4, 6], cpu), 0, 0, cpu), [1, 6], cpu), o));
      await check(`${name} ${d.name} broadcast column`, (o) => op(mx.reshape(mx.take(mx.reshape(A(d), [4, 6], cpu), 0, 1, cpu), [4, 1], cpu), mx.reshape(second(d), [4, 6], cpu), o));
    }
  });
}

const UN: [string, (a: mx.MxArray, o: O) => mx.MxArray, number][] = [
  ['abs', (a, o) => mx.abs(a, o), 0],
  ['negative', (a, o) => mx.negative(a, o), 0],
  ['sign', (a, o) => mx.sign(a, o), 0],
  ['square', (a, o) => mx.square(a, o), 0],
  ['bitwiseInvert', (a, o) => mx.bitwiseInvert(a, o), 0],
  ['logicalNot', (a, o) => mx.logicalNot(mx.multiply(a, mx.astype(mx.array(EDGE.map((_, i) => i % 3)), a.dtype, cpu), cpu), o), 0],
  ['isnan', (a, o) => mx.isnan(a, o), 0],
  ['isfinite', (a, o) => mx.isfinite(a, o), 0],
  ['floor', (a, o) => mx.floor(a, o), 0],
  ['imag', (a, o) => mx.imag(a, o), 0],
  ['sqrt (float32 out)', (a, o) => mx.sqrt(mx.abs(a, cpu), o), 1e-6],
  ['exp (float32 out)', (a, o) => mx.exp(mx.astype(mx.array([0, 1, -1, 5, 30, -30]), a.dtype, cpu), o), 1e-5],
];

for (const [name, op, rtol] of UN) {
  test(`webgpu int64: ${name}`, async (t) => {
    if (!ok) { t.skip('no WebGPU adapter'); return; }
    for (const d of W) await check(`${name} ${d.name}`, (o) => op(A(d), o), rtol);
  });
}

const ALL = [mx.bool, mx.int8, mx.int16, mx.int32, mx.uint8, mx.uint16, mx.uint32, mx.int64, mx.uint64,
  mx.float16, mx.bfloat16, mx.float32, mx.complex64];

test('webgpu int64: astype from 64-bit to every dtype', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  // 2^53 + 1 and friends round twice on the CPU (to a double, then to float32): the GPU must match that
  const vals = [...EDGE, P53 + 1n, P53 + 3n, 2n ** 54n + 2n ** 30n + 1n, (1n << 63n) + (1n << 39n) + 1n, 16777217n, 2n ** 64n - 1n, 33554435n];
  for (const from of W) for (const to of ALL) {
    await check(`astype ${from.name} -> ${to.name}`, (o) => mx.astype(arr(vals, from), to, o));
  }
});

test('webgpu int64: astype from every dtype to 64-bit', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const f = [0, -0, 1.5, -1.5, 2.9, -2.9, 2 ** 31, -(2 ** 31), 2 ** 32 + 512, 2 ** 53, -(2 ** 62), 2 ** 63, -(2 ** 63),
    2 ** 64, 2 ** 70 + 2 ** 50, -(2 ** 80), 3.4e38, NaN, Infinity, -Infinity, 123456789, -7, 65504, 0.25];
  for (const from of ALL) for (const to of W) {
    const src = (): mx.MxArray => (from === mx.complex64
      ? fromValues(new Float32Array(f.flatMap((v, i) => [v, f[f.length - 1 - i]!])), from, [f.length], mx.cpu)
      : mx.astype(mx.array(f, mx.float32, cpu), from, cpu));
    await check(`astype ${from.name} -> ${to.name}`, (o) => mx.astype(src(), to, o));
  }
});

test('webgpu int64: where, chains on the GPU, empty and 0-d', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  for (const d of W) {
    const cond = (): mx.MxArray => mx.greater(mx.array(EDGE2.map(Number), mx.float32, cpu), 0, cpu);
    await check(`where ${d.name}`, (o) => mx.where(cond(), A(d), B(d), o));
    await check(`where ${d.name} broadcast`, (o) => mx.where(mx.reshape(mx.take(mx.reshape(cond(), [4, 6], cpu), 0, 0, cpu), [1, 6], cpu), mx.reshape(A(d), [4, 6], cpu), mx.array(5n, d, cpu), o));
    // a chain whose intermediates stay on the GPU
    await check(`chain ${d.name}`, (o) => mx.remainder(mx.multiply(mx.add(A(d), B(d), o), A(d), o), mx.array(1000003n, d, cpu), o));
    await check(`empty ${d.name}`, (o) => mx.add(mx.zeros([0, 3], d, cpu), mx.zeros([0, 3], d, cpu), o));
    await check(`0-d ${d.name}`, (o) => mx.multiply(mx.array(P63 - 1n, d, cpu), mx.array(-3n, d, cpu), o));
  }
});

test('webgpu int64: readback of strided 8-byte views copies densely on the GPU', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const be = gpuBackend()!;
  for (const d of [mx.int64, mx.uint64, mx.complex64, mx.float64]) {
    const host = d === mx.int64 ? BigInt64Array.from(EDGE.slice(0, 12)) : d === mx.uint64 ? BigUint64Array.from(EDGE.slice(0, 12), (v) => BigInt.asUintN(64, v))
      : d === mx.complex64 ? Float32Array.from({ length: 24 }, (_, i) => i * 1.5 - 7) : Float64Array.from({ length: 12 }, (_, i) => i / 3 - 1e300 * (i % 2));
    // a GPU kernel's output is a GPU buffer whatever the upload policy for small host arrays (float64 has no kernel)
    const x = d === mx.float64 ? fromValues(host, d, [3, 4], mx.gpu) : mx.negative(mx.negative(fromValues(host, d, [3, 4], mx.cpu), gpu), gpu);
    await mx.eval(x);
    const data = x._data!;
    if (data.storage.backend !== be) { assert.equal(d, mx.float64, `${d.name}: on the GPU`); continue; }
    // a [3, 3] view with strides [1, 4] from offset 1: element (i, j) is flat element 1 + i + 4 j
    const got = await be.read({ ...data, strides: [1, 4], offset: 1, contiguous: false }, d, [3, 3]);
    const w = d === mx.complex64 ? 2 : 1, want: unknown[] = [];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < w; k++) want.push(host[(1 + i + 4 * j) * w + k]);
    assert.deepEqual(Array.from(got as ArrayLike<unknown>), want, `${d.name} strided read`);
  }
});
