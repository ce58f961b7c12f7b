/**
 * @file customFunction (vjp/jvp/vmap overrides) and checkpoint.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { f64 } from '../helpers/transforms.js';

async function close(a: mx.MxArray, b: mx.MxArray, tol = 1e-9): Promise<void> {
  const x = await a.astype(mx.float64).data<Float64Array>(), y = await b.astype(mx.float64).data<Float64Array>();
  assert.equal(x.length, y.length);
  x.forEach((v, i) => assert.ok(Math.abs(v - y[i]!) <= tol * Math.max(1, Math.abs(y[i]!)), `[${i}] ${v} vs ${y[i]}`));
}

test('customFunction without rules is transparent to grad, jvp and vmap', async () => {
  const f = mx.customFunction((x: mx.MxArray) => mx.exp(mx.sin(x)));
  const g = (x: mx.MxArray) => mx.exp(mx.sin(x));
  const x = f64([4]);
  await close(mx.grad((v: mx.MxArray) => mx.sum(f(v)))(x), mx.grad((v: mx.MxArray) => mx.sum(g(v)))(x));
  const [, [t1]] = mx.jvp((v) => f(v), [x], [mx.onesLike(x)]);
  const [, [t2]] = mx.jvp((v) => g(v), [x], [mx.onesLike(x)]);
  await close(t1!, t2!);
  await close(mx.vmap(f)(f64([3, 2])), g(f64([3, 2])));
});

test('customFunction overrides are used', async () => {
  const f = mx.customFunction((x: mx.MxArray) => mx.exp(x));
  f.vjp((_p, [ct]) => [ct!.mul(3)]);
  f.jvp((_p, [t]) => [t!.mul(5)]);
  const x = f64([3]);
  assert.deepEqual(await mx.grad((v: mx.MxArray) => mx.sum(f(v)))(x).tolist(), [3, 3, 3]);
  const [, [t]] = mx.jvp((v) => f(v), [x], [mx.onesLike(x)]);
  assert.deepEqual(await t!.tolist(), [5, 5, 5]);
  let called = 0;
  const h = mx.customFunction((x: mx.MxArray) => mx.exp(x)).vmap(([x], [ax]) => { called++; return [[mx.exp(x!)], [ax!]]; });
  await close(mx.vmap(h)(f64([2, 3])), mx.exp(f64([2, 3])));
  assert.equal(called, 1);
});

test('checkpoint gives the same gradients as the plain function', async () => {
  const w = f64([3, 3], 7);
  const block = (x: mx.MxArray) => mx.tanh(mx.matmul(x, w));
  const ck = mx.checkpoint(block);
  const x = f64([2, 3], 9);
  const a = mx.grad((v: mx.MxArray) => mx.sum(block(block(v))))(x);
  const b = mx.grad((v: mx.MxArray) => mx.sum(ck(ck(v))))(x);
  await close(a, b);
});
