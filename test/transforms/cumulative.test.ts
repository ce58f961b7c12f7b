/**
 * @file Transform rules of the scan primitive (cumsum cumprod cummax cummin logcumsumexp, forward/reverse,
 * inclusive/exclusive, one axis or flattened): gradients against central finite differences (float64, CPU),
 * jvp/vjp consistency and vmap against a loop over the mapped axis.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { checkGrad, checkJvpVjp, checkVmap, f64, checkSecondOrder } from '../helpers/transforms.js';

type F = (x: mx.MxArray) => mx.MxArray;

/** Distinct values with no ties, so cummax/cummin are differentiable everywhere. */
function distinct(shape: number[], seed = 3): mx.MxArray {
  const n = shape.reduce((p, q) => p * q, 1);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = ((i * 7 + seed) % n) / n - 0.5 + 0.01 * Math.sin(i + seed);
  return mx.array(v, mx.float64).reshape(shape);
}

const ops: [string, (x: mx.MxArray, axis: number | null, o: mx.CumulativeOpts) => mx.MxArray, (shape: number[]) => mx.MxArray][] = [
  ['cumsum', (x, a, o) => mx.cumsum(x, a, o), (s) => f64(s)],
  ['cumprod', (x, a, o) => mx.cumprod(x, a, o), (s) => f64(s, 2, 0.5, 1.5)],
  ['cummax', (x, a, o) => mx.cummax(x, a, o), (s) => distinct(s)],
  ['cummin', (x, a, o) => mx.cummin(x, a, o), (s) => distinct(s, 5)],
  ['logcumsumexp', (x, a, o) => mx.logcumsumexp(x, a, o), (s) => f64(s, 4, -2, 2)],
];
const variants: [string, number | null, number[], mx.CumulativeOpts][] = [
  ['axis 1', 1, [3, 4], {}],
  ['axis 0 reverse', 0, [4, 3], { reverse: true }],
  ['axis -1 exclusive', -1, [2, 5], { inclusive: false }],
  ['axis 1 reverse exclusive', 1, [2, 4, 2], { reverse: true, inclusive: false }],
  ['flattened', null, [2, 3], {}],
  ['flattened reverse exclusive', null, [3, 2], { reverse: true, inclusive: false }],
];
const cases: [string, F, mx.MxArray][] = [];
for (const [op, f, input] of ops) {
  for (const [v, axis, shape, o] of variants) cases.push([`${op} ${v}`, (x) => f(x, axis, o), input(shape)]);
}
// zeros in cumprod: one zero, two zeros, a zero first and last, each direction
const zs = mx.array([[0.5, 0, 1.5, 2, -1], [0, 2, 0, 0.5, 3], [1.2, 0.7, 2, 0.9, 0]], mx.float64);
for (const [v, , , o] of variants.slice(0, 4)) cases.push([`cumprod with zeros ${v}`, (x) => mx.cumprod(x, 1, o), zs]);
cases.push(['cumprod with zeros flattened', (x) => mx.cumprod(x, null, { reverse: true }), zs]);
cases.push(['logcumsumexp large values', (x) => mx.logcumsumexp(x, 1), mx.multiply(f64([2, 4], 7), 800)]);

test('scan: gradients against finite differences', async () => {
  for (const [name, f, x] of cases) {
    // exclusive cummax/cummin/logcumsumexp start at -inf/+inf, where finite differences are undefined (tested below)
    if (/(cumm..|logcumsumexp) .*exclusive/.test(name)) continue;
    const big = name.includes('large');
    await assert.doesNotReject(checkGrad(f, [x], big ? { eps: 1e-4 } : {}), name);
  }
});

test('scan: jvp/vjp consistency', async () => {
  for (const [name, f, x] of cases) await assert.doesNotReject(checkJvpVjp(f, [x]), name);
});

test('scan: vmap against a loop over axes 0 and 1', async () => {
  const ints: [string, F, mx.MxArray][] = [
    ['cumsum of int32', (x) => mx.cumsum(x, 0), mx.array([[1, 2, 3], [4, 5, 6]], mx.int32)],
    ['cummax of bool', (x) => mx.cummax(x, null, { reverse: true }), mx.array([[true, false, false], [false, true, false]])],
  ];
  for (const [name, f, x] of [...cases, ...ints]) {
    const xb = mx.stack([x, mx.flip(x, 0), x], 0);
    await assert.doesNotReject(checkVmap(f, [xb], [0]), `${name} (axis 0)`);
    await assert.doesNotReject(checkVmap(f, [mx.moveaxis(xb, 0, 1)], [1]), `${name} (axis 1)`);
  }
});

test('scan: known gradients', async () => {
  const g = (f: F, v: number[]) => mx.grad((a: mx.MxArray) => mx.sum(f(a)))(mx.array(v, mx.float64)).tolist();
  // d/dx sum(cumsum(x)) = [n, n-1, ..., 1]
  assert.deepEqual(await g((a) => mx.cumsum(a), [1, 2, 3]), [3, 2, 1]);
  // cummax [1, 3, 2, 5] = [1, 3, 3, 5]: element 1 produces two outputs
  assert.deepEqual(await g((a) => mx.cummax(a), [1, 3, 2, 5]), [1, 2, 0, 1]);
  // exclusive cummax [1, 3, 2, 5] = [-inf, 1, 3, 3]; reverse exclusive cummin [4, 1, 3, 2] = [1, 2, 2, inf]
  const ones = mx.ones([4], mx.float64);
  const [, [ex]] = mx.vjp((a) => mx.cummax(a, 0, { inclusive: false }), [mx.array([1, 3, 2, 5], mx.float64)], [ones]);
  assert.deepEqual(await ex!.tolist(), [1, 2, 0, 0]);
  const [, [rx]] = mx.vjp((a) => mx.cummin(a, 0, { inclusive: false, reverse: true }), [mx.array([4, 1, 3, 2], mx.float64)], [ones]);
  assert.deepEqual(await rx!.tolist(), [0, 1, 0, 2]);
  const [, [jx]] = mx.jvp((a) => mx.cummax(a, 0, { inclusive: false }), [mx.array([1, 3, 2, 5], mx.float64)], [mx.array([10, 20, 30, 40], mx.float64)]);
  assert.deepEqual(await jx!.tolist(), [0, 10, 20, 20]);
  // exclusive logcumsumexp of x is the inclusive one of x[:-1] moved one place: compare with its (tested) vjp
  const x = mx.array([0.3, -1.2, 2, 0.5], mx.float64);
  const [, [ge]] = mx.vjp((a) => mx.logcumsumexp(a, 0, { inclusive: false }), [x], [mx.array([0, 1, -2, 3], mx.float64)]);
  const [, [gl]] = mx.vjp((a) => mx.logcumsumexp(a, 0), [mx.array([0.3, -1.2, 2], mx.float64)], [mx.array([1, -2, 3], mx.float64)]);
  const want = [...(await gl!.tolist() as number[]), 0];
  (await ge!.tolist() as number[]).forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-12, `exclusive logcumsumexp ${i}`));
  // -inf inputs (masked entries) get zero gradient and leave the others finite
  const y2 = Math.log(Math.exp(0.5) + Math.exp(1));
  const gm = await g((a) => mx.logcumsumexp(a), [-Infinity, 0.5, 1]) as number[];
  [0, 1 + Math.exp(0.5 - y2), Math.exp(1 - y2)].forEach((v, i) => assert.ok(Math.abs(gm[i]! - v) < 1e-12, `masked logcumsumexp ${i}: ${gm[i]}`));
  const [, [jm]] = mx.jvp((a) => mx.logcumsumexp(a), [mx.array([-Infinity, -Infinity, 1], mx.float64)], [mx.array([1, 2, 3], mx.float64)]);
  (await jm!.tolist() as number[]).forEach((v, i) => assert.ok(Math.abs(v - [0, 0, 3][i]!) < 1e-12, `masked jvp ${i}: ${v}`));
  // cumprod [2, 0, 3] = [2, 0, 0]: d/dx0 = 1, d/dx1 = 2 + 2*3, d/dx2 = 0
  assert.deepEqual(await g((a) => mx.cumprod(a), [2, 0, 3]), [1, 8, 0]);
  // integer inputs get zero gradients
  const gi = mx.grad((a: mx.MxArray) => mx.sum(mx.cumsum(a.astype(mx.int32)).astype(mx.float64)))(mx.array([1.5, 2], mx.float64));
  assert.deepEqual(await gi.tolist(), [0, 0]);
});

test('grad of grad against finite differences, vmap of grad against a loop', async () => {
  for (const [name, f, x] of cases) {
    await checkSecondOrder(f, x, name);
  }
});
