/**
 * @file Tests of the indexing ops against NumPy: take, takeAlongAxis, putAlongAxis (negative indices included),
 * the dynamic slice / sliceUpdate, and their errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { numpy, npArg, assertClose, testArray, testDevices, type NpCase } from '../helpers/numpy.js';
import { arr } from './indexing-util.js';
import { useTestDevices } from '../helpers/devices.js';

await useTestDevices();

const i32 = (x: mx.NestedData, d: mx.Dtype = mx.int32): mx.MxArray => mx.array(x, d);

/** Rows: an op over (a, idx[, values]) and the NumPy expression over (a, b[, c]). */
interface Row {
  name: string;
  shape: number[];
  idx: mx.MxArray;
  vshape?: number[];
  op: (a: mx.MxArray, i: mx.MxArray, v: mx.MxArray, s: mx.Device) => mx.MxArray;
  np: string;
}

const ROWS: Row[] = [
  { name: 'take axis 1', shape: [3, 4], idx: i32([0, -1, 2, -4]), op: (a, i, _, s) => mx.take(a, i, 1, { stream: s }), np: 'np.take(a, b, axis=1)' },
  { name: 'take axis -3', shape: [2, 3, 4], idx: i32([[1, 0], [-1, 1]]), op: (a, i, _, s) => mx.take(a, i, { axis: -3, stream: s }), np: 'np.take(a, b, axis=0)' },
  { name: 'take flat', shape: [3, 4], idx: i32([[11, -1], [0, 5]]), op: (a, i, _, s) => mx.take(a, i, { stream: s }), np: 'np.take(a, b)' },
  { name: 'take 0-d index', shape: [3, 4], idx: i32(-2), op: (a, i, _, s) => mx.take(a, i, 0, { stream: s }), np: 'np.take(a, b, axis=0)' },
  { name: 'take int64 index', shape: [5], idx: i32([4, -5, 2], mx.int64), op: (a, i, _, s) => mx.take(a, i, 0, { stream: s }), np: 'np.take(a, b, axis=0)' },
  { name: 'take empty index', shape: [3, 4], idx: arr([0], mx.int32), op: (a, i, _, s) => mx.take(a, i, 1, { stream: s }), np: 'np.take(a, b, axis=1)' },
  { name: 'take from transposed view', shape: [4, 3], idx: i32([2, 0]), op: (a, i, _, s) => mx.take(a.index('::-1, 1:'), i, 0, { stream: s }), np: 'np.take(a[::-1, 1:], b, axis=0)' },
  { name: 'takeAlongAxis axis 1', shape: [3, 4], idx: i32([[0, -1], [3, 3], [-4, 1]]), op: (a, i, _, s) => mx.takeAlongAxis(a, i, 1, { stream: s }), np: 'np.take_along_axis(a, b, axis=1)' },
  { name: 'takeAlongAxis broadcast idx', shape: [3, 4], idx: i32([[2, 0, -1, 1]]), op: (a, i, _, s) => mx.takeAlongAxis(a, i, 0, { stream: s }), np: 'np.take_along_axis(a, b, axis=0)' },
  { name: 'takeAlongAxis broadcast a', shape: [1, 4], idx: i32([[0], [3], [1]]), op: (a, i, _, s) => mx.takeAlongAxis(a, i, -1, { stream: s }), np: 'np.take_along_axis(np.broadcast_to(a, (3, 4)), b, axis=-1)' },
  { name: 'takeAlongAxis 3-d', shape: [2, 3, 4], idx: i32([[[2], [0], [-1]], [[1], [1], [0]]]), op: (a, i, _, s) => mx.takeAlongAxis(a, i, 2, { stream: s }), np: 'np.take_along_axis(a, b, axis=2)' },
  { name: 'takeAlongAxis axis=None', shape: [2, 3], idx: i32([5, -1, 0]), op: (a, i, _, s) => mx.takeAlongAxis(a, i, null, { stream: s }), np: 'np.take_along_axis(a, b, axis=None)' },
  { name: 'putAlongAxis axis 1', shape: [3, 4], idx: i32([[0, -1], [3, 1], [-4, 2]]), vshape: [3, 2], op: (a, i, v, s) => mx.putAlongAxis(a, i, v, 1, { stream: s }), np: 'P(a, b, c, 1)' },
  { name: 'putAlongAxis broadcast values', shape: [3, 4], idx: i32([[1], [0], [-1]]), vshape: [], op: (a, i, v, s) => mx.putAlongAxis(a, i, v, { axis: 1, stream: s }), np: 'P(a, b, c, 1)' },
  { name: 'putAlongAxis broadcast idx', shape: [3, 4], idx: i32([[2, 0, 1, -1]]), vshape: [1, 4], op: (a, i, v, s) => mx.putAlongAxis(a, i, v, 0, { stream: s }), np: 'P(a, b, c, 0)' },
  { name: 'putAlongAxis axis=None', shape: [2, 3], idx: i32([5, -2, 0]), vshape: [3], op: (a, i, v, s) => mx.putAlongAxis(a, i, v, null, { stream: s }), np: 'P(a, b, c, None)' },
];

const PUT = 'def P(a, b, c, ax):\n  r = a.copy()\n  np.put_along_axis(r, b, c, axis=ax)\n  return r\n';

for (const device of testDevices()) {
  test(`take / takeAlongAxis / putAlongAxis match numpy on ${device.type}`, async () => {
    const cases: NpCase[] = [], outs: mx.MxArray[] = [], names: string[] = [];
    let seed = 3;
    for (const row of ROWS) {
      for (const dtype of [mx.float32, mx.int32, mx.bfloat16, mx.bool, mx.uint64, mx.complex64]) {
        const a = testArray(row.shape, dtype, seed++);
        const v = testArray(row.vshape ?? [], dtype, seed++);
        outs.push(row.op(a, row.idx, v, device));
        cases.push({ code: `${PUT}result = ${row.np}`, args: [await npArg(a), await npArg(row.idx), await npArg(v)] });
        names.push(`${row.name} ${dtype.name}`);
      }
    }
    const res = numpy(cases);
    for (let i = 0; i < outs.length; i++) await assertClose(outs[i]!, res[i]!, { msg: names[i] });
  });

  test(`slice and sliceUpdate (dynamic starts) match numpy on ${device.type}`, async () => {
    const a = testArray([4, 5, 3], mx.float32, 21);
    const u = testArray([2, 3], mx.float32, 22);
    const u3 = testArray([1, 2, 3], mx.float32, 23);
    const args = [await npArg(a), await npArg(u), await npArg(u3)];
    const s = { stream: device };
    // the start wraps once when negative, then clamps so the window fits (JAX's dynamic_slice rule)
    const rows: [mx.MxArray, string][] = [
      [mx.slice(a, mx.array(1), [0], [2, 5, 3], s), 'a[1:3]'],
      [mx.slice(a, mx.array([2, 1]), [1, 2], [4, 3, 2], s), 'a[:, 2:5, 1:3]'],
      [mx.slice(a, mx.array([-2, 0]), [1, 0], [1, 2, 3], s), 'a[0:1, 3:5]'],
      [mx.slice(a, mx.array([9]), [0], [3, 1, 3], s), 'a[1:4, 0:1]'],
      [mx.slice(a, [1, 4], [-1, 1], [4, 1, 2], s), 'a[:, 4:5, 1:3]'],
      [mx.slice(a, mx.array(3, mx.uint32), [2], [4, 5, 0], s), 'a[:, :, 0:0]'],
      [mx.slice(a.index('::-1'), mx.array(1), [1], [4, 2, 3], s), 'a[::-1, 1:3]'],
      [mx.sliceUpdate(a, u, mx.array([1, 0]), [0, 2], s), 'r = a.copy(); r[1:2, 0:2, 0:3] = b; result = r'],
      [mx.sliceUpdate(a, u3, mx.array([-1, 3]), [1, 0], s), 'r = a.copy(); r[3:4, 3:5, :] = c; result = r'],
      [mx.sliceUpdate(a, u3, mx.array([7]), [0], s), 'r = a.copy(); r[3:4, 0:2, :] = c; result = r'],
      [mx.sliceUpdate(a, 5, [2, 2, 2], [0, 1, 2], s), 'r = a.copy(); r[2, 2, 2] = 5; result = r'],
      [mx.sliceUpdate(a, u.astype(mx.int32), mx.array(2, mx.int64), [1], s), 'r = a.copy(); r[0:1, 2:4, 0:3] = b.astype(np.int32); result = r'],
    ];
    const res = numpy(rows.map(([, e]) => (e.includes('result') ? { code: e, args } : { expr: e, args })));
    for (let i = 0; i < rows.length; i++) await assertClose(rows[i]![0], res[i]!, { msg: rows[i]![1] });
  });
}

test('dynamic slices are views on the CPU; sliceUpdate leaves its input unchanged', async () => {
  const a = testArray([4, 3], mx.float32, 9);
  await mx.eval(a);
  const s = mx.slice(a, mx.array(1), [0], [2, 3]);
  await mx.eval(s);
  assert.equal(s._data!.storage, a._data!.storage);
  const before = await a.tolist();
  await mx.eval(mx.sliceUpdate(a, testArray([1, 3], mx.float32, 2), mx.array(0), [0]));
  assert.deepEqual(await a.tolist(), before);
});

test('indexing op errors are eager and name the op', () => {
  const a = testArray([2, 3], mx.float32);
  assert.throws(() => mx.take(a, 3, 0), /\[take\] Index 3 is out of bounds for size 2/);
  assert.throws(() => mx.take(a, [0, 6]), /\[take\] Index 6 is out of bounds for size 6/);
  assert.throws(() => mx.take(a, mx.array([0.5]), 0), /\[take\] Index arrays must have an integer dtype, got float32/);
  assert.throws(() => mx.take(a, mx.array([true]), 0), /\[take\] Boolean mask/);
  assert.throws(() => mx.take(a, 0, 2), /\[take\] Axis 2 is out of bounds/);
  assert.throws(() => mx.takeAlongAxis(a, mx.array([0, 1]), 1), /\[takeAlongAxis\] Indices of shape \(2,\) must have as many dims as the array \(2,3\)/);
  assert.throws(() => mx.takeAlongAxis(a, mx.array([[0], [1], [0]]), 1), /do not broadcast/);
  assert.throws(() => mx.takeAlongAxis(a, mx.array([[0]]), null), /axis=None, indices must be 1-D/);
  assert.throws(() => mx.putAlongAxis(a, mx.array([[0], [1]]), testArray([2, 2], mx.float32), 1), /\[putAlongAxis\] Values of shape \(2,2\) cannot be broadcast to \(2,1\)/);
  assert.throws(() => mx.putAlongAxis(testArray([1, 3], mx.float32), mx.array([[0], [1]]), 0, 1), /cannot be broadcast to array \(1,3\)/);
  assert.throws(() => mx.slice(a, mx.array(0), [0], [3, 3]), /\[slice\] Slice size \[3,3\] must give/);
  assert.throws(() => mx.slice(a, mx.array(0), [0], [1]), /\[slice\] Slice size/);
  assert.throws(() => mx.slice(a, mx.array([0, 1, 2]), [0, 1], [1, 1]), /\[slice\] Start indices of shape \(3,\) must give one start per axis \(2 axes\)/);
  assert.throws(() => mx.slice(a, mx.array([0.5]), [0], [1, 1]), /integer dtype/);
  assert.throws(() => mx.slice(a, mx.array([0, 0]), [0, -2], [1, 1]), /Repeated axis/);
  assert.throws(() => mx.sliceUpdate(a, testArray([3], mx.float32).index(null, null), mx.array(0), [0]), /\[sliceUpdate\] Update of shape \(1,1,3\) does not fit/);
  assert.throws(() => mx.sliceUpdate(a, testArray([4], mx.float32), mx.array(0), [0]), /does not fit in array \(2,3\)/);
});
