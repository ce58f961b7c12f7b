/**
 * @file Tests of the array core: construction, dtype inference, astype against NumPy, readback, memory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { numpy, npArg, assertClose, testArray, testDevices, EDGE_FLOATS } from '../helpers/numpy.js';
import { useTestDevices } from '../helpers/devices.js';

await useTestDevices();

test('array infers shape and dtype like MLX', async () => {
  assert.equal(mx.array([1, 2]).dtype, mx.int32);
  assert.equal(mx.array([1, 2.5]).dtype, mx.float32);
  assert.equal(mx.array([true, false]).dtype, mx.bool);
  assert.equal(mx.array(3).ndim, 0);
  assert.equal(mx.array(new Float32Array(3)).dtype, mx.float32);
  assert.deepEqual(mx.array([[1, 2, 3], [4, 5, 6]]).shape, [2, 3]);
  assert.deepEqual(mx.array([]).shape, [0]);
  assert.throws(() => mx.array([[1, 2], [3]]), /non-uniform/);
  const a = mx.array([[1, 2], [3, 4]], mx.float16);
  assert.equal(a.itemsize, 2);
  assert.equal(a.nbytes, 8);
  assert.deepEqual(await a.tolist(), [[1, 2], [3, 4]]);
  assert.equal(await mx.array(7).item(), 7);
  assert.equal(await mx.array(true).item(), true);
});

const CAST_DTYPES = [mx.bool, mx.uint8, mx.uint16, mx.uint32, mx.uint64, mx.int8, mx.int16, mx.int32, mx.int64,
  mx.float16, mx.float32, mx.float64, mx.complex64];

for (const device of testDevices()) {
  test(`astype matches numpy casts on ${device.type}`, async () => {
    const cases = [];
    const outs: mx.MxArray[] = [];
    const src = [testArray([2, 3], mx.float32, 3, -100, 100), testArray([4], mx.int32, 5), testArray([3], mx.int64, 7),
      mx.array([-0, 0.5, 1.5, 2.5, -1.5, 65519, 65520])];
    for (const x of src) {
      for (const d of CAST_DTYPES) {
        // out-of-range float -> int is undefined behaviour in C and NumPy; compare in-range values only
        if (mx.isInteger(d) && mx.isFloating(x.dtype)) continue;
        outs.push(mx.astype(x, d, { stream: device }));
        cases.push({ expr: `a.astype(np.${d === mx.bool ? 'bool_' : d.name})`, args: [await npArg(x)] });
      }
    }
    const res = numpy(cases);
    for (let i = 0; i < outs.length; i++) await assertClose(outs[i]!, res[i]!, { msg: `${cases[i]!.expr} of ${outs[i]!.dtype.name}` });
  });
}

test('float16 and bfloat16 round to nearest even, with edge values', async () => {
  const x = mx.array(EDGE_FLOATS, mx.float32);
  const res = numpy([{ expr: 'a.astype(np.float16)', args: [await npArg(x)] }]);
  await assertClose(x.astype(mx.float16), res[0]!, { signedZeros: true });
  const b = await x.astype(mx.bfloat16).tolist();
  assert.deepEqual((b as number[]).slice(1, 9), [Infinity, -Infinity, -0, 0, 1, -1, 0.5, -2.5]);
  assert.ok(Number.isNaN((b as number[])[0]));
});

test('tidy disposes intermediates and keeps results; pending inputs survive', async () => {
  const before = mx.getActiveMemory();
  const x = mx.array([1, 2, 3], mx.float32);
  const y = mx.tidy(() => x.astype(mx.int32).astype(mx.float16));
  assert.deepEqual(await y.tolist(), [1, 2, 3]);
  y.dispose();
  x.dispose();
  assert.equal(mx.getActiveMemory(), before);
  assert.throws(() => x.astype(mx.int8), /disposed/);
});

test('async tidy and using', async () => {
  const before = mx.getActiveMemory();
  const v = await mx.tidy(async () => {
    const a = mx.array([1, 2, 3]);
    await mx.eval(a);
    return a.astype(mx.float32).item<number>().catch(() => 0);
  });
  assert.equal(typeof v, 'number');
  {
    using a = mx.array([5]);
    assert.equal(await a.item(), 5);
  }
  assert.equal(mx.getActiveMemory(), before);
});

test('long unevaluated chains are materialised as they grow', async () => {
  let a = mx.array([1], mx.float32);
  for (let i = 0; i < 10000; i++) a = a.astype(i % 2 ? mx.float32 : mx.float64);
  assert.ok(a._depth < 5000);
  assert.equal(await a.item(), 1);
});

test('memory limit gives a clear error and the library keeps working', async () => {
  const src = mx.array(new Float32Array(1000));
  const small = mx.array(new Float32Array(10));
  const prev = mx.setMemoryLimit(mx.getActiveMemory() + 1000);
  try {
    await assert.rejects(mx.eval(src.astype(mx.float64)), /Out of memory/);
    await mx.eval(small.astype(mx.float64));
  } finally {
    mx.setMemoryLimit(prev);
  }
  assert.equal(await mx.array([2]).astype(mx.float32).item(), 2);
});
