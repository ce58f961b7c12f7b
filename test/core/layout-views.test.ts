/**
 * @file Layout ops: zero-copy views on the CPU (storage shared with the input), memory ownership of views,
 * array methods, and eager errors naming the offending shapes and axes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { testArray } from '../helpers/numpy.js';

async function storageOf(a: mx.MxArray): Promise<unknown> {
  await mx.eval(a);
  return a._data!.storage;
}

test('view ops share the input storage on the CPU; copies only where strides cannot express the result', async () => {
  const x = testArray([6, 4], mx.float32, 1);
  const sx = await storageOf(x);
  const t = mx.transpose(x);
  const piece = mx.split(x, [1, 4])[1]!;
  const shared: [string, mx.MxArray][] = [
    ['reshape', x.reshape(3, 8)],
    ['transpose', t],
    ['T.T', t.T],
    ['broadcastTo', mx.broadcastTo(x, [2, 6, 4])],
    ['expandDims of T', mx.expandDims(t, 1)],
    ['squeeze of T', mx.squeeze(mx.expandDims(t, 0))],
    ['swapaxes', mx.swapaxes(x, 0, 1)],
    ['moveaxis', mx.moveaxis(x.reshape(2, 3, 4), 2, 0)],
    ['split piece', piece],
    ['reshape of split piece', piece.reshape(-1)],
    ['reshape of T splitting a dim', t.reshape(4, 2, 3)],
    ['flip', mx.flip(x)],
    ['diagonal', mx.diagonal(x, 1)],
    ['asStrided', mx.asStrided(x, [3, 2], [4, 1], 2)],
    ['contiguous of contiguous', mx.contiguous(x)],
    ['contiguous col-major', mx.contiguous(t, true)],
    ['atleast3d', mx.atleast3d(x)],
    ['unflatten', mx.unflatten(x, 0, [2, 3])],
  ];
  for (const [name, v] of shared) assert.equal(await storageOf(v), sx, `${name} should be a view`);
  const copied: [string, mx.MxArray][] = [
    ['reshape of T merging dims', t.reshape(-1)],
    ['contiguous of T', mx.contiguous(t)],
    ['concatenate', mx.concatenate([x, x])],
    ['pad', mx.pad(x, 1)],
  ];
  for (const [name, v] of copied) assert.notEqual(await storageOf(v), sx, `${name} should copy`);
  // row-major flag: views are contiguous exactly when their strides are dense row-major
  assert.equal(piece._data!.contiguous, true);
  assert.equal(t._data!.contiguous, false);
  assert.deepEqual(await t.reshape(-1).tolist(), (await t.tolist() as number[][]).flat());
  assert.deepEqual(await piece.reshape(-1).tolist(), (await x.tolist() as number[][]).slice(1, 4).flat());
});

test('views keep their storage alive after the base is disposed; disposing all frees everything', async () => {
  const before = mx.getActiveMemory();
  const x = mx.array([[1, 2, 3], [4, 5, 6]], mx.float32);
  const t = mx.transpose(x);
  const v = mx.flip(t, 0);
  await mx.eval(v);
  x.dispose();
  t.dispose();
  assert.deepEqual(await v.tolist(), [[3, 6], [2, 5], [1, 4]]);
  const parts = mx.split(v, 3);
  const c = mx.concatenate(parts, 1);
  assert.deepEqual(await c.tolist(), [[3, 6, 2, 5, 1, 4]]);
  v.dispose();
  for (const p of parts) p.dispose();
  c.dispose();
  assert.equal(mx.getActiveMemory(), before);
});

test('composite ops free their intermediates: no tidy needed to get memory back', async () => {
  const x = mx.array([[1, 2, 3], [4, 5, 6]], mx.float32);
  const i = mx.array([1, 2, 3], mx.int32);
  await mx.eval(x, i);
  const before = mx.getActiveMemory();
  const outs = [
    mx.tile(x, [2, 2]), mx.repeat(x, 2, 1), mx.repeat(x, 3), mx.roll(x, 1), mx.roll(x, [1, 1], [0, 1]),
    mx.stack([x, x]), ...mx.unstack(x, 1), mx.concatenate([x, i.reshape(1, 3)]), mx.concatenate([x, x], null),
    mx.pad(x, 1, 'constant', 2.5), mx.pad(x, [1, 0], 'symmetric'), mx.diff(x, 2, 1), mx.broadcastTo(1.5, [3, 3]),
    mx.expandDims(true, 0), ...mx.broadcastArrays([x, 2]), mx.atleast2d(3), mx.flatten(x.T),
  ];
  await mx.eval(outs);
  for (const o of outs) o.dispose();
  assert.equal(mx.getActiveMemory(), before);
});

test('ops return new handles even when nothing changes, so disposing a result spares the input', async () => {
  const x = mx.array([[1, 2], [3, 4]], mx.float32);
  const same = [
    mx.reshape(x, [2, 2]), mx.transpose(x, [0, 1]), mx.broadcastTo(x, [2, 2]), mx.concatenate([x]), mx.pad(x, 0),
    mx.flip(x, []), mx.roll(x, 0), mx.diff(x, 0), mx.atleast2d(x), mx.split(x, 1)[0]!, mx.squeeze(x), mx.contiguous(x),
  ];
  for (const y of same) {
    assert.notEqual(y, x);
    y.dispose();
  }
  assert.deepEqual(await x.tolist(), [[1, 2], [3, 4]]);
});

test('array methods accept varargs and lists', async () => {
  const a = mx.array([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(a.reshape(3, 2).shape, [3, 2]);
  assert.deepEqual(a.reshape([3, -1]).shape, [3, 2]);
  assert.deepEqual(a.reshape(-1, { stream: mx.cpu }).shape, [6]);
  assert.deepEqual(await a.transpose(1, 0).tolist(), [[1, 4], [2, 5], [3, 6]]);
  assert.deepEqual(await a.transpose([1, 0]).tolist(), [[1, 4], [2, 5], [3, 6]]);
  assert.deepEqual(await a.transpose().tolist(), await a.T.tolist());
  assert.deepEqual(a.flatten().shape, [6]);
  assert.deepEqual(a.expandDims(0).squeeze().shape, [2, 3]);
  assert.deepEqual(a.swapaxes(0, 1).shape, [3, 2]);
  assert.deepEqual(a.moveaxis(1, 0).shape, [3, 2]);
  assert.deepEqual(a.split(3, 1).map((p) => p.shape), [[2, 1], [2, 1], [2, 1]]);
  assert.deepEqual(await a.diagonal().tolist(), [1, 5]);
  assert.deepEqual(await a.diag(1).tolist(), [2, 6]);
  assert.deepEqual(mx.broadcastShapes([2, 1], [3], []), [2, 3]);
  const [p, q] = mx.broadcastArrays([a.reshape(2, 3, 1), mx.array([1, 2])]);
  assert.deepEqual([p!.shape, q!.shape], [[2, 3, 2], [2, 3, 2]]);
  const [u, w] = mx.atleast2d([mx.array(1), mx.array([1, 2])], {});
  assert.deepEqual([u!.shape, w!.shape], [[1, 1], [1, 2]]);
  assert.deepEqual(mx.atleast1d(mx.array(1), mx.array([1, 2])).map((z) => z.shape), [[1], [2]]);
  assert.equal(await mx.view(mx.array([1], mx.float32), mx.int32).item(), 0x3f800000);
});

test('layout errors are eager and name shapes and axes', () => {
  const a = mx.array([[1, 2, 3], [4, 5, 6]]);
  const e = mx.array([]).reshape(0, 6);
  const cases: [() => unknown, RegExp][] = [
    [() => mx.reshape(a, [4, 2]), /\[reshape\] Cannot reshape array of size 6 into shape \(4,2\)\.$/],
    [() => a.reshape(4, -1), /\[reshape\] Cannot reshape array of size 6 into shape \(4,-1\)/],
    [() => a.reshape(-1, -1), /\[reshape\] .*only infer one/],
    [() => mx.reshape(e, [0, -1]), /\[reshape\] Cannot infer the shape of an empty array/],
    [() => a.reshape(-2, 3), /\[reshape\] Invalid dimension -2/],
    [() => mx.transpose(a, [0]), /\[transpose\] Received 1 axes \[0\] for array with 2 dimensions/],
    [() => mx.transpose(a, [0, 0]), /\[transpose\] Repeat axes/],
    [() => mx.transpose(a, [0, 2]), /\[transpose\] Axis 2 is out of bounds for array with 2 dimensions/],
    [() => mx.swapaxes(a, 0, -3), /\[swapaxes\] Axis -3 is out of bounds/],
    [() => mx.moveaxis(a, 2, 0), /\[moveaxis\] Axis 2 is out of bounds/],
    [() => mx.expandDims(a, 3), /\[expandDims\] Axis 3 is out of bounds for array with 3 dimensions/],
    [() => mx.expandDims(a, [0, 0]), /\[expandDims\] Received duplicate axes/],
    [() => mx.squeeze(a, 0), /\[squeeze\] Cannot squeeze axis 0 with size 2/],
    [() => mx.flatten(a, 1, 0), /\[flatten\] start_axis/],
    [() => mx.unflatten(a, 1, [2, 2]), /\[unflatten\] Cannot reshape array of size 3 into shape \(2,2\)/],
    [() => mx.broadcastTo(a, [3, 3]), /\[broadcastTo\] Cannot broadcast array of shape \(2,3\) to shape \(3,3\)/],
    [() => mx.broadcastTo(a, [3]), /\[broadcastTo\] Cannot broadcast array of shape \(2,3\) to shape \(3,\)/],
    [() => mx.broadcastShapes([2, 3], [4]), /\[broadcastShapes\] Shapes \(2,3\) and \(4,\) cannot be broadcast/],
    [() => mx.concatenate([a, mx.array([[1, 2]])]), /\[concatenate\] .*except for the concatenation axis 0; got shapes \(2,3\) and \(1,2\)/],
    [() => mx.concatenate([a, mx.array([1, 2, 3])]), /\[concatenate\] .*same number of dimensions, got shapes \(2,3\) and \(3,\)/],
    [() => mx.concatenate([]), /\[concatenate\] No arrays/],
    [() => mx.concatenate([mx.array(1), mx.array(2)]), /\[concatenate\] Zero-dimensional/],
    [() => mx.concatenate([a, a], 2), /\[concatenate\] Axis 2 is out of bounds/],
    [() => mx.stack([a, mx.array([1, 2, 3])]), /\[stack\] All arrays must have the same shape, got \(2,3\) and \(3,\)/],
    [() => mx.stack([a, a], 3), /\[stack\] Axis 3 is out of bounds/],
    [() => mx.split(a, 2, 1), /\[split\] Array of shape \(2,3\) cannot be split into 2 equal parts along axis 1/],
    [() => mx.split(a, 0), /\[split\] Number of sections/],
    [() => mx.split(mx.array(1), 1), /\[split\] Cannot split a zero-dimensional/],
    [() => mx.tile(a, [-1]), /\[tile\] Repetitions must be non-negative/],
    [() => mx.repeat(a, -1), /\[repeat\] Number of repeats/],
    [() => mx.roll(a, [1, 2], [0, 1, 1]), /\[roll\] Got 2 shifts for 3 axes/],
    [() => mx.pad(a, -1), /\[pad\] .*non-negative/],
    [() => mx.pad(a, [[1, 1], [1, 1], [1, 1]]), /\[pad\] Invalid pad_width/],
    [() => mx.pad(a, 1, 'wrap' as mx.PadMode), /\[pad\] Invalid pad mode "wrap"/],
    [() => mx.pad(e, 1, 'reflect'), /\[pad\] Cannot pad the empty axis 0 of shape \(0,6\) in reflect mode/],
    [() => mx.pad(a, 1, 'constant', mx.array([1, 2])), /\[pad\] constant_values must be a scalar/],
    [() => mx.diagonal(mx.array([1, 2])), /\[diagonal\] Array must have at least two dimensions, got shape \(2,\)/],
    [() => mx.diagonal(a, 0, 1, -1), /\[diagonal\] axis1 and axis2 cannot be the same axis/],
    [() => mx.diag(mx.reshape(a, [1, 2, 3])), /\[diag\] Input must be 1- or 2-dimensional, got shape \(1,2,3\)/],
    [() => mx.asStrided(a, [3, 3], [1, 1], 2), /\[asStrided\] .*reach elements \[2, 6\] outside an array of size 6/],
    [() => mx.asStrided(a, [2], [1, 1]), /\[asStrided\] Shape \(2,\) and strides \(1,1\) must have the same length/],
    [() => mx.view(mx.array([1, 2, 3], mx.int8), mx.int16), /\[view\] The last dimension of shape \(3,\)/],
    [() => mx.view(mx.array(1, mx.int32), mx.int8), /\[view\] Changing the type of a scalar/],
    [() => mx.view(a, 'float128' as mx.DtypeName), /\[view\] Unknown dtype "float128"/],
  ];
  for (const [fn, re] of cases) assert.throws(fn, re);
  // every error left the inputs usable
  assert.deepEqual(a.shape, [2, 3]);
});

test('disposed inputs are rejected by name', () => {
  const a = mx.array([1, 2, 3]);
  a.dispose();
  assert.throws(() => mx.reshape(a, [3, 1]), /\[reshape\] Array of shape \(3\) was disposed/);
  assert.throws(() => mx.concatenate([a]), /\[concatenate\] Array of shape \(3\) was disposed/);
});
