/**
 * @file `where` and `clip` against NumPy: broadcasting triples, every dtype (values copied exactly, including int64
 * beyond 2^53, half bits and complex pairs), scalars, null bounds, and errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { numpy, npArg, assertClose, testArray, testDevices, EDGE_FLOATS, type NpCase } from '../helpers/numpy.js';
import { useTestDevices } from '../helpers/devices.js';

await useTestDevices();

const DTYPES = [mx.bool, mx.uint8, mx.int8, mx.int32, mx.int64, mx.uint32, mx.float16, mx.bfloat16, mx.float32, mx.float64];
const TRIPLES: [number[], number[], number[]][] = [
  [[], [], []], [[5], [5], [5]], [[3, 4], [3, 4], [3, 4]], [[3, 1], [4], [3, 4]], [[2, 3, 4], [3, 1], []],
  [[1], [2, 3], [3]], [[0], [0], [0]], [[4], [], [2, 1]],
];

for (const device of testDevices()) {
  test(`where matches numpy over dtypes and broadcasting on ${device.type}`, async () => {
    const outs: mx.MxArray[] = [], cases: NpCase[] = [], labels: string[] = [];
    let seed = 21;
    for (const d of DTYPES) {
      const triples = d === mx.float32 ? TRIPLES : TRIPLES.slice(2, 5);
      for (const [sc, sx, sy] of triples) {
        const c = testArray(sc, mx.bool, seed++), x = testArray(sx, d, seed++), y = testArray(sy, d, seed++);
        outs.push(mx.where(c, x, y, { stream: device }));
        cases.push({ expr: 'np.where(a, b, c)', args: [await npArg(c), await npArg(x), await npArg(y)] });
        labels.push(`where(${d.name} ${JSON.stringify([sc, sx, sy])})`);
      }
    }
    // a non-bool condition is cast to bool; edge floats are copied bit for bit (signed zeros kept)
    const ci = testArray([13], mx.int32, 5), e = mx.array(EDGE_FLOATS, mx.float32);
    outs.push(mx.where(ci, e, mx.negative(e), { stream: device }));
    cases.push({ expr: 'np.where(a, b, -b)', args: [await npArg(ci), await npArg(e)] });
    labels.push('where(int cond, edges)');
    const res = numpy(cases);
    for (let i = 0; i < outs.length; i++) await assertClose(outs[i]!, res[i]!, { msg: labels[i], signedZeros: true });
  });

  test(`clip matches numpy on ${device.type}`, async () => {
    const a = testArray([3, 4], mx.float32, 31), lo = testArray([4], mx.float32, 32, -2, 0), hi = testArray([3, 1], mx.float32, 33, 0, 2);
    const ai = testArray([3, 4], mx.int32, 34), e = mx.array(EDGE_FLOATS, mx.float16);
    const s = { stream: device };
    const outs = [mx.clip(a, -1, 1, s), mx.clip(a, lo, hi, s), mx.clip(a, null, 0.5, s), mx.clip(a, lo, null, s),
      mx.clip(ai, -5, 5, s), mx.clip(e, -1, 1, s), mx.clip(mx.array([]), 0, 1, s)];
    const A = await npArg(a);
    const res = numpy([
      { expr: 'np.clip(a, -1, 1)', args: [A] }, { expr: 'np.clip(a, b, c)', args: [A, await npArg(lo), await npArg(hi)] },
      { expr: 'np.clip(a, None, 0.5)', args: [A] }, { expr: 'np.clip(a, b, None)', args: [A, await npArg(lo)] },
      { expr: 'np.clip(a, -5, 5)', args: [await npArg(ai)] }, { expr: 'np.clip(a, -1, 1)', args: [await npArg(e)] },
      { expr: 'np.clip(np.array([], np.float32), 0, 1)', args: [] },
    ]);
    for (let i = 0; i < outs.length; i++) await assertClose(outs[i]!, res[i]!, { msg: `clip case ${i}` });
  });
}

test('where promotes x and y like MLX and copies int64/complex exactly', async () => {
  const c = mx.array([true, false, true]);
  // MLX: x and y promote (int32 with a float16 array gives float16; weak scalars keep the array dtype)
  assert.equal(mx.where(c, mx.array([1, 2, 3], mx.int32), mx.array([1, 2, 3], mx.float16)).dtype, mx.float16);
  assert.equal(mx.where(c, mx.array([1, 2, 3], mx.int8), 0).dtype, mx.int8);
  assert.equal(mx.where(c, mx.array([1, 2, 3], mx.int8), 0.5).dtype, mx.float32);
  assert.equal(mx.where(c, 1, 2).dtype, mx.int32);
  const big = mx.array([2n ** 62n + 1n, -(2n ** 62n) - 1n, 9007199254740993n], mx.int64);
  assert.deepEqual(await mx.where(c, big, mx.array(0n, mx.int64)).tolist(), [2n ** 62n + 1n, 0, 9007199254740993n]);
  const z = mx.multiply(mx.astype(mx.array([1, 2, 3]), mx.complex64), mx.sqrt(mx.astype(mx.array(-1), mx.complex64)));
  const got = (await mx.where(c, z, 5).tolist()) as mx.Complex[];
  assert.deepEqual(got.map((v) => [v.re, v.im]), [[0, 1], [5, 0], [0, 3]]);
});

test('ternary errors', () => {
  assert.throws(() => mx.where(mx.array([true, false]), mx.array([1, 2, 3]), 0), /\[where\] Shapes \(2,\) and \(3,\)/);
  assert.throws(() => mx.clip(mx.array([1, 2]), null, null), /\[clip\]/);
  assert.throws(() => mx.clip(mx.array([1, 2]), mx.array([0, 0, 0]), 1), /\[clip\] Shapes/);
});
