/**
 * @file Transform rules of the reduction family: gradients against central finite differences (float64, CPU),
 * jvp/vjp consistency and vmap against a loop, over several axes / keepdims variants; integer outputs give zero
 * gradients.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { checkGrad, checkJvpVjp, checkVmap, f64, checkSecondOrder } from '../helpers/transforms.js';

type F = (x: mx.MxArray) => mx.MxArray;

/** Distinct values (a shuffled ramp plus noise) so max/min/median have no ties. */
function distinct(shape: number[], seed = 3): mx.MxArray {
  const n = shape.reduce((p, q) => p * q, 1);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = ((i * 7 + seed) % n) / n - 0.5 + 0.01 * Math.sin(i + seed);
  return mx.array(v, mx.float64).reshape(shape);
}

/** [name, fn, input, finite-difference tolerance scale] */
const cases: [string, F, mx.MxArray][] = [
  ['sum all', (x) => mx.sum(x), f64([2, 3])],
  ['sum axis 1', (x) => mx.sum(x, 1), f64([2, 3, 2])],
  ['sum axes [0,2] keepdims', (x) => mx.sum(x, [0, 2], true), f64([2, 3, 2])],
  ['mean axis -1', (x) => mx.mean(x, -1), f64([3, 4])],
  ['mean axes [0,1] keepdims', (x) => mx.mean(x, [0, 1], true), f64([2, 3, 2])],
  ['prod axis 1', (x) => mx.prod(x, 1), f64([3, 4], 5, 0.5, 1.5)],
  ['prod with a zero', (x) => mx.prod(x, 1), mx.array([[0.5, 0, 1.5, 2], [1, 2, 3, 0.5]], mx.float64)],
  ['prod with two zeros', (x) => mx.prod(x, 0), mx.array([[0, 2], [0, 3], [1.5, 4]], mx.float64)],
  ['prod axes [0,2]', (x) => mx.prod(x, [0, 2]), mx.array([[[1, 2], [0, -1]], [[0.5, 3], [2, 1.5]]], mx.float64)],
  ['max all', (x) => mx.max(x), distinct([3, 4])],
  ['max axis 0 keepdims', (x) => mx.max(x, 0, true), distinct([3, 4])],
  ['min axis 1', (x) => mx.min(x, 1), distinct([3, 4], 5)],
  ['min axes [1,2]', (x) => mx.min(x, [1, 2]), distinct([2, 3, 2])],
  ['var axis 1', (x) => mx.var(x, 1), f64([3, 4])],
  ['var ddof 1 keepdims', (x) => mx.var(x, 0, true, 1), f64([4, 2])],
  ['std all', (x) => mx.std(x), f64([2, 3])],
  ['std axis 0 ddof 1', (x) => mx.std(x, 0, false, 1), f64([4, 3])],
  ['median odd', (x) => mx.median(x, 1), distinct([2, 5])],
  ['median even', (x) => mx.median(x, 0), distinct([4, 3])],
  ['median axes [0,2]', (x) => mx.median(x, [0, 2]), distinct([3, 2, 2])],
  ['logsumexp all', (x) => mx.logsumexp(x), f64([2, 3])],
  ['logsumexp axis 1 keepdims', (x) => mx.logsumexp(x, 1, true), f64([3, 4])],
  ['softmax axis -1', (x) => mx.softmax(x, -1), f64([3, 4])],
  ['softmax axes [0,1]', (x) => mx.softmax(x, [0, 1]), f64([2, 3])],
  ['trace', (x) => mx.trace(x), f64([3, 3])],
  ['trace offset 1 axes (2,0)', (x) => mx.trace(x, 1, 2, 0), f64([3, 2, 4])],
  ['trace offset -1 axes (1,2)', (x) => mx.trace(x, -1, 1, 2), f64([2, 3, 3])],
];

test('reduce family: gradients against finite differences', async () => {
  for (const [name, f, x] of cases) {
    await assert.doesNotReject(checkGrad(f, [x]), name);
  }
});

test('reduce family: jvp/vjp consistency', async () => {
  for (const [name, f, x] of cases) await assert.doesNotReject(checkJvpVjp(f, [x]), name);
});

test('reduce family: vmap against a loop over axes 0 and 1', async () => {
  const more: [string, F, mx.MxArray][] = [
    ['all', (x) => mx.all(x, 0), mx.greater(f64([3, 4, 2]), 0)],
    ['any keepdims', (x) => mx.any(x, [0, 1], true), mx.greater(f64([3, 4, 2]), 0.5)],
    ['countNonzero', (x) => mx.countNonzero(x, 1), mx.greater(f64([3, 4, 2]), 0)],
    ['argmax axis 1', (x) => mx.argmax(x, 1), distinct([3, 4, 2])],
    ['argmin flat', (x) => mx.argmin(x), distinct([3, 4, 2])],
    ['argmax flat keepdims', (x) => mx.argmax(x, null, true), distinct([3, 4, 2])],
  ];
  for (const [name, f, x] of [...cases, ...more]) {
    // add a leading mapped axis of size 3 so each case maps over axis 0 and over axis 1
    const xb = x.dtype === mx.bool ? mx.stack([x, mx.logicalNot(x), x], 0) : mx.stack([x, mx.multiply(x, 1.5), mx.add(x, 0.25)], 0);
    await assert.doesNotReject(checkVmap(f, [xb], [0]), `${name} (axis 0)`);
    await assert.doesNotReject(checkVmap(f, [mx.moveaxis(xb, 0, 1)], [1]), `${name} (axis 1)`);
  }
});

test('reduce family: integer outputs give zero gradients', async () => {
  const x = distinct([3, 4]);
  const ints: [string, F][] = [
    ['argmax', (a) => mx.argmax(a, 1).astype(mx.float64)],
    ['argmin flat', (a) => mx.argmin(a).astype(mx.float64)],
    ['all', (a) => mx.all(a, 1).astype(mx.float64)],
    ['any', (a) => mx.any(a).astype(mx.float64)],
    ['countNonzero', (a) => mx.countNonzero(a, 0).astype(mx.float64)],
    ['sum of ints', (a) => mx.sum(a.astype(mx.int32)).astype(mx.float64)],
  ];
  for (const [name, f] of ints) {
    const g = mx.grad((a: mx.MxArray) => mx.sum(f(a)))(x);
    assert.deepEqual(await g.tolist(), [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]], name);
    const [, [t]] = mx.jvp((a) => f(a), [x], [mx.onesLike(x)]);
    assert.ok(((await mx.all(mx.equal(t!, 0)).item()) as boolean), `${name} jvp`);
  }
});

test('reduce family: ties share the gradient, prod at zeros', async () => {
  // max shares the cotangent among tied maxima (MLX)
  const g = mx.grad((a: mx.MxArray) => mx.max(a))(mx.array([1, 3, 3, 2], mx.float64));
  assert.deepEqual(await g.tolist(), [0, 0.5, 0.5, 0]);
  // prod with one zero: only the zero gets a gradient, the product of the others
  const gp = mx.grad((a: mx.MxArray) => mx.prod(a))(mx.array([2, 0, 3], mx.float64));
  assert.deepEqual(await gp.tolist(), [0, 6, 0]);
});

test('reduce family: grad of grad against finite differences, vmap of grad against a loop', async () => {
  for (const [name, f, x] of cases) {
    await checkSecondOrder(f, x, name);
  }
});
