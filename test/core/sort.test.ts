/**
 * @file Sorting ops against NumPy: sort/argsort (stable, NaN last) over shapes [], [0], [7], [3,4], [2,3,4],
 * axes -1, 0 and null (flattened) and nine dtypes; partition/argpartition/topk checked by their defining
 * properties (their element order is unspecified in MLX), edge values and errors. MLX rule: argsort and
 * argpartition return uint32.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { numpy, npArg, assertClose, testArray, testDevices, type NpCase } from '../helpers/numpy.js';
import { useTestDevices } from '../helpers/devices.js';

await useTestDevices();

const DTYPES = [mx.bool, mx.int8, mx.int32, mx.uint8, mx.int64, mx.float16, mx.bfloat16, mx.float32, mx.float64];
const SHAPES: number[][] = [[], [0], [7], [3, 4], [2, 3, 4]];
const AXES: (number | null | undefined)[] = [undefined, 0, null];
const pyAxis = (a: number | null | undefined): string => (a === undefined ? '-1' : a === null ? 'None' : `${a}`);

for (const device of testDevices()) {
  test(`sort and argsort match numpy (stable) on ${device.type}`, async () => {
    const cases: NpCase[] = [];
    const outs: [mx.MxArray, string][] = [];
    for (const dtype of DTYPES) {
      for (const shape of SHAPES) {
        // a narrow integer range gives ties, which checks stability
        const a = testArray(shape, dtype, 31 + shape.length, -0.4, 0.4);
        const arg = await npArg(a);
        for (const axis of AXES) {
          if (axis !== null && shape.length === 0) continue;
          outs.push([mx.sort(a, axis, { stream: device }), `sort(${dtype.name}[${shape}], ${pyAxis(axis)})`]);
          cases.push({ expr: `np.sort(a, axis=${pyAxis(axis)}, kind='stable')`, args: [arg] });
          outs.push([mx.argsort(a, axis, { stream: device }), `argsort(${dtype.name}[${shape}], ${pyAxis(axis)})`]);
          cases.push({ expr: `np.argsort(a, axis=${pyAxis(axis)}, kind='stable').astype(np.uint32)`, args: [arg] });
        }
      }
    }
    const res = numpy(cases);
    for (let i = 0; i < outs.length; i++) await assertClose(outs[i]![0], res[i]!, { msg: outs[i]![1] });
  });
}

test('sort puts NaNs last and orders infinities; argsort is stable with NaN ties', async () => {
  const cases: NpCase[] = [];
  const outs: mx.MxArray[] = [];
  for (const dtype of [mx.float32, mx.float16, mx.float64]) {
    const a = mx.array([[NaN, 1, -Infinity, NaN, Infinity, -0, 0, 1], [3, 3, 3, NaN, -1, -1, 2, 2]], dtype);
    const arg = await npArg(a);
    outs.push(mx.sort(a), mx.argsort(a), mx.sort(a, 0), mx.argsort(a, null));
    cases.push({ expr: 'np.sort(a, axis=-1)', args: [arg] }, { expr: "np.argsort(a, axis=-1, kind='stable').astype(np.uint32)", args: [arg] },
      { expr: 'np.sort(a, axis=0)', args: [arg] }, { expr: "np.argsort(a, axis=None, kind='stable').astype(np.uint32)", args: [arg] });
  }
  const res = numpy(cases);
  for (let i = 0; i < outs.length; i++) await assertClose(outs[i]!, res[i]!, { msg: `edge case ${i}` });
});

// NumPy checks a partition by its definition: same multiset, kth in its sorted place, no larger element before
// it and no smaller one after it (NaN sorts greatest).
const CHECK_PART = `
import warnings
warnings.simplefilter('ignore')
def check(a, vals, k, axis):
    if axis is None:
        a = a.reshape(-1); axis = 0
    s = np.sort(a, axis=axis)
    if not np.array_equal(np.sort(vals, axis=axis), s, equal_nan=True): return 'not a permutation'
    kth = np.take(s, [k], axis=axis)
    if not np.array_equal(np.take(vals, [k], axis=axis), kth, equal_nan=True): return 'kth misplaced'
    n = a.shape[axis]
    lo, hi = np.take(vals, list(range(k)), axis=axis), np.take(vals, list(range(k + 1, n)), axis=axis)
    key = lambda x: np.where(np.isnan(x), np.inf, x) if x.dtype.kind == 'f' else x
    nan_k = np.isnan(kth) if kth.dtype.kind == 'f' else np.zeros(kth.shape, bool)
    if lo.size and np.any((key(lo) > key(kth)) | (np.isnan(lo) & ~nan_k if lo.dtype.kind == 'f' else False)): return 'larger before kth'
    if hi.size and np.any((key(hi) < key(kth)) & ~nan_k): return 'smaller after kth'
    return 'ok'
`;

test('partition and argpartition satisfy the partition property', async () => {
  const cases: NpCase[] = [];
  const labels: string[] = [];
  const specs: [number[], mx.Dtype, number, number | null | undefined][] = [
    [[7], mx.float32, 3, undefined], [[7], mx.int32, 0, undefined], [[7], mx.int8, -1, undefined],
    [[3, 4], mx.float16, 2, undefined], [[3, 4], mx.int64, 1, 0], [[2, 3, 4], mx.float32, 5, null],
    [[2, 3, 4], mx.uint8, 2, 1], [[2, 3, 4], mx.bfloat16, -2, -1], [[2, 3, 4], mx.bool, 1, 0], [[50], mx.float64, 17, undefined],
  ];
  for (const [shape, dtype, k, axis] of specs) {
    const a = testArray(shape, dtype, 41 + k, -0.5, 0.5);
    const p = mx.partition(a, k, axis);
    const ip = mx.argpartition(a, k, axis);
    assert.equal(ip.dtype, mx.uint32);
    const n = axis === null ? a.size : shape[axis === undefined ? shape.length - 1 : (axis + shape.length) % shape.length]!;
    const kk = k < 0 ? k + n : k;
    const ax = pyAxis(axis);
    cases.push({ code: `${CHECK_PART}\nresult = np.array(check(a, b, ${kk}, ${ax}) == 'ok') if True else 0`, args: [await npArg(a), await npArg(p)] });
    labels.push(`partition(${dtype.name}[${shape}], ${k}, ${ax})`);
    const gather = axis === null ? 'a.reshape(-1)[b]' : `np.take_along_axis(a, b.astype(np.int64), axis=${ax})`;
    cases.push({ code: `${CHECK_PART}\nresult = np.array(check(a, ${gather}, ${kk}, ${ax}) == 'ok' and np.array_equal(np.sort(b, axis=${ax === 'None' ? 0 : ax}), np.broadcast_to(np.arange(b.shape[${ax === 'None' ? 0 : ax}]).reshape([-1] + [1] * (b.ndim - 1 - ((${ax === 'None' ? 0 : ax}) % b.ndim))), b.shape)))`, args: [await npArg(a), await npArg(ip)] });
    labels.push(`argpartition(${dtype.name}[${shape}], ${k}, ${ax})`);
  }
  const res = numpy(cases);
  for (let i = 0; i < res.length; i++) {
    assert.ok(!res[i]!.error, `${labels[i]}: ${res[i]!.error}`);
    assert.deepEqual(res[i]!.values, [true], labels[i]);
  }
});

test('topk returns the k largest (as a set) along an axis', async () => {
  const cases: NpCase[] = [];
  const outs: [mx.MxArray, string][] = [];
  const specs: [number[], mx.Dtype, number, number | null | undefined][] = [
    [[7], mx.float32, 3, undefined], [[7], mx.int32, 7, undefined], [[7], mx.int64, 1, undefined], [[3, 4], mx.float16, 2, undefined],
    [[3, 4], mx.uint8, 2, 0], [[2, 3, 4], mx.bfloat16, 3, 1], [[2, 3, 4], mx.float32, 5, null], [[200], mx.float64, 17, -1],
    [[3, 4], mx.int8, 0, -1],
  ];
  for (const [shape, dtype, k, axis] of specs) {
    const a = testArray(shape, dtype, 51 + k);
    const t = mx.topk(a, k, axis);
    const ax = axis === null ? 'None' : axis === undefined ? '-1' : `${axis}`;
    outs.push([mx.sort(t, axis === null ? 0 : axis), `topk(${dtype.name}[${shape}], ${k}, ${ax})`]);
    const lane = axis === null ? '0' : ax;
    cases.push({ code: `s = np.sort(a, axis=${ax})\nresult = np.take(s, list(range(s.shape[${lane}] - ${k}, s.shape[${lane}])), axis=${lane})`, args: [await npArg(a)] });
  }
  const withNan = mx.array([1, NaN, 3, 2, NaN], mx.float32);
  outs.push([mx.sort(mx.topk(withNan, 3)), 'topk with NaN']);
  cases.push({ code: 'result = np.sort(a)[-3:]', args: [await npArg(withNan)] });
  const res = numpy(cases);
  for (let i = 0; i < outs.length; i++) await assertClose(outs[i]![0], res[i]!, { msg: outs[i]![1] });
});

test('sort family errors name the op and the bad argument', () => {
  const a = testArray([3, 4], mx.float32, 2);
  assert.throws(() => mx.sort(a, 2), /\[sort\] Axis 2 is out of bounds for array with 2 dimensions/);
  assert.throws(() => mx.argsort(a, -3), /\[argsort\] Axis -3 is out of bounds/);
  assert.throws(() => mx.sort(mx.array(3)), /\[sort\] Axis -1 is out of bounds for array with 0 dimensions/);
  assert.throws(() => mx.partition(a, 4), /\[partition\] kth 4 is out of range for axis of size 4/);
  assert.throws(() => mx.argpartition(a, -5), /\[argpartition\] kth -5 is out of range/);
  assert.throws(() => mx.partition(a, 1.5), /\[partition\] kth must be an integer/);
  assert.throws(() => mx.topk(a, 5), /\[topk\] k 5 is out of range for axis of size 4/);
  assert.throws(() => mx.topk(a, 2, 3), /\[topk\] Axis 3 is out of bounds/);
  assert.throws(() => mx.sort(a, [0, 1] as unknown as number), /\[sort\] axis must be a single integer or null/);
});

test('sort shapes: flattened output is 1-D, lanes keep shape', () => {
  const a = testArray([2, 3, 4], mx.int32, 3);
  assert.deepEqual(mx.sort(a, null).shape, [24]);
  assert.deepEqual(mx.argsort(a, 1).shape, [2, 3, 4]);
  assert.deepEqual(mx.topk(a, 2, 1).shape, [2, 2, 4]);
  assert.deepEqual(mx.topk(a, 2, null).shape, [2]);
  assert.equal(mx.argsort(a).dtype, mx.uint32);
});

test('searchsorted matches numpy for both sides, NaN, scalars and mixed dtypes', async () => {
  const seqs: mx.MxArray[] = [mx.array([1, 2, 2, 4, NaN], mx.float32), mx.array([-3, 0, 0, 5, 9], mx.int32), mx.array([0.5, 1.5], mx.float16), mx.array([], mx.float32)];
  const vals: mx.MxArray[] = [mx.array([[0, 2, 3], [5, NaN, 4]], mx.float32), mx.array([-4, 0, 5, 10, 2], mx.int8), mx.array([1.5, 0, 2], mx.float32), mx.array([1, 2], mx.float32)];
  const cases: NpCase[] = [];
  const outs: mx.MxArray[] = [];
  for (let i = 0; i < seqs.length; i++) {
    for (const side of ['left', 'right'] as const) {
      outs.push(mx.searchsorted(seqs[i]!, vals[i]!, side));
      cases.push({ expr: `np.searchsorted(a, b, side='${side}').astype(np.uint32)`, args: [await npArg(seqs[i]!), await npArg(vals[i]!)] });
    }
  }
  outs.push(mx.searchsorted(seqs[1]!, 0, { side: 'right' }));
  cases.push({ expr: "np.uint32(np.searchsorted(a, 0, side='right'))", args: [await npArg(seqs[1]!)] });
  const res = numpy(cases);
  for (let i = 0; i < outs.length; i++) await assertClose(outs[i]!, res[i]!, { msg: `searchsorted case ${i}` });
  assert.throws(() => mx.searchsorted(mx.array([[1, 2]]), mx.array([1])), /\[searchsorted\] sorted_sequence must be 1-D/);
  assert.throws(() => mx.searchsorted(mx.array([1, 2]), mx.array([1]), 'middle' as 'left'), /\[searchsorted\] side must be/);
});
