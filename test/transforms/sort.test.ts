/**
 * @file Transform rules of the sorting primitives: sort/partition/topk values get gradients against central finite
 * differences (float64, CPU, distinct values so no ties), jvp/vjp consistency, vmap against a loop over axes 0
 * and 1; argsort/argpartition/searchsorted give zero gradients.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { checkGrad, checkJvpVjp, checkVmap, checkSecondOrder } from '../helpers/transforms.js';

type F = (...x: mx.MxArray[]) => mx.MxArray;

/** Distinct values (a shuffled ramp plus noise). */
function distinct(shape: number[], seed = 3): mx.MxArray {
  const n = shape.reduce((p, q) => p * q, 1);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = ((i * 7 + seed) % n) / n - 0.5 + 0.01 * Math.sin(i + seed);
  return mx.array(v, mx.float64).reshape(shape);
}

const cases: [string, F, mx.MxArray][] = [
  ['sort last axis', (x) => mx.sort(x), distinct([3, 4])],
  ['sort axis 0', (x) => mx.sort(x, 0), distinct([4, 3])],
  ['sort flattened', (x) => mx.sort(x, null), distinct([2, 3])],
  ['sort 3-d axis 1', (x) => mx.sort(x, 1), distinct([2, 4, 2])],
  ['partition kth 1', (x) => mx.partition(x, 1), distinct([3, 5])],
  ['partition kth -1 axis 0', (x) => mx.partition(x, -1, 0), distinct([4, 3])],
  ['partition flattened', (x) => mx.partition(x, 2, null), distinct([2, 3])],
  ['topk 2', (x) => mx.topk(x, 2), distinct([3, 5])],
  ['topk 1 axis 0', (x) => mx.topk(x, 1, 0), distinct([4, 3])],
  ['topk all', (x) => mx.topk(x, 4), distinct([2, 4])],
  ['topk flattened', (x) => mx.topk(x, 3, null), distinct([2, 3])],
];

test('sort family: gradients against finite differences', async () => {
  for (const [name, f, x] of cases) await assert.doesNotReject(checkGrad(f, [x]), name);
});

test('sort family: jvp/vjp consistency', async () => {
  for (const [name, f, x] of cases) await assert.doesNotReject(checkJvpVjp(f, [x]), name);
});

test('sort family: vmap against a loop over axes 0 and 1', async () => {
  const idx: [string, F, mx.MxArray][] = [
    ['argsort', (x) => mx.argsort(x), distinct([3, 4])],
    ['argsort flattened', (x) => mx.argsort(x, null), distinct([3, 4])],
    ['argpartition axis 0', (x) => mx.argpartition(x, 1, 0), distinct([3, 4])],
    ['argpartition flattened', (x) => mx.argpartition(x, 0, null), distinct([3, 2])],
    ['sort of int32', (x) => mx.sort(x, 0), mx.array([[3, 1], [2, 5], [0, 4]], mx.int32)],
  ];
  for (const [name, f, x] of [...cases, ...idx]) {
    // partition and topk leave the order inside a lane open: compare sorted lanes
    const g: F = name.startsWith('partition') || name.startsWith('topk') ? (a) => mx.sort(f(a), null) : f;
    const xb = mx.stack([x, mx.negative(x), mx.flip(x, 0)], 0);
    await assert.doesNotReject(checkVmap(g, [xb], [0]), `${name} (axis 0)`);
    await assert.doesNotReject(checkVmap(g, [mx.moveaxis(xb, 0, 1)], [1]), `${name} (axis 1)`);
  }
});

test('searchsorted: vmap over the values, the sequences, or both; no gradient', async () => {
  const seqs = mx.array([[0.1, 0.2, 0.2, 0.5, NaN], [-1, 0, 0.3, 0.4, 2]], mx.float64);
  const vals = mx.array([[0.2, -3, NaN, 0.45], [0.3, 2, 0.15, 7]], mx.float64);
  for (const side of ['left', 'right'] as const) {
    const f: F = (s, v) => mx.searchsorted(s, v, side);
    await checkVmap(f, [seqs, vals], [0, 0]);
    await checkVmap(f, [seqs, mx.transpose(vals)], [0, 1]);
    await checkVmap(f, [seqs, mx.array([0.2, NaN, 0.4], mx.float64)], [0, null]);
    await checkVmap(f, [mx.array([0, 0.3, 0.3, 1], mx.float64), vals], [null, 1]);
  }
  const [, [gs, gv]] = mx.vjp((s, v) => mx.searchsorted(s, v).astype(mx.float64), [seqs.index(0), vals.index(0)], [mx.ones([4], mx.float64)]);
  assert.deepEqual(await gs!.tolist(), [0, 0, 0, 0, 0]);
  assert.deepEqual(await gv!.tolist(), [0, 0, 0, 0]);
});

test('sort family: index outputs give zero gradients; known gradients', async () => {
  const x = distinct([2, 3]);
  for (const f of [(a: mx.MxArray) => mx.argsort(a), (a: mx.MxArray) => mx.argpartition(a, 1, 0)]) {
    const g = mx.grad((a: mx.MxArray) => mx.sum(f(a).astype(mx.float64)))(x);
    assert.deepEqual(await g.tolist(), [[0, 0, 0], [0, 0, 0]]);
    const [, [t]] = mx.jvp((a) => f(a), [x], [mx.onesLike(x)]);
    assert.deepEqual(await t!.tolist(), [[0, 0, 0], [0, 0, 0]]);
  }
  // sort [3, 1, 2] = [1, 2, 3]: cotangent [10, 20, 30] goes back to [30, 10, 20]
  const [, [gs]] = mx.vjp((a) => mx.sort(a), [mx.array([3, 1, 2], mx.float64)], [mx.array([10, 20, 30], mx.float64)]);
  assert.deepEqual(await gs!.tolist(), [30, 10, 20]);
  // topk 2 of [5, 1, 4, 2]: only 5 and 4 get gradients, each its own output's cotangent
  const v = mx.array([5, 1, 4, 2], mx.float64);
  const y = mx.topk(v, 2);
  const [, [gt]] = mx.vjp((a) => mx.topk(a, 2), [v], [y]);
  assert.deepEqual(await gt!.tolist(), [5, 0, 4, 0]);
});

test('grad of grad against finite differences, vmap of grad against a loop', async () => {
  for (const [name, f, x] of cases) {
    await checkSecondOrder(f, x, name);
  }
});
