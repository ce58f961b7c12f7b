/**
 * @file Transform drivers (vjp, jvp, grad, vmap) on the basic family, and their argument errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { checkGrad, checkJvpVjp, checkVmap, f64 } from '../helpers/transforms.js';

test('astype rules: gradients, jvp/vjp consistency, vmap', async () => {
  const f = (x: mx.MxArray) => x.astype(mx.float32).astype(mx.float64);
  await checkGrad(f, [f64([3, 2])], { eps: 1e-2, rtol: 1e-4, atol: 1e-5 });
  await checkJvpVjp(f, [f64([4])], 1e-6);
  await checkVmap((x) => x.astype(mx.float16), [f64([3, 2])], [1]);
  // an integer cast stops the gradient
  const g = mx.grad((x: mx.MxArray) => mx.sum(x.astype(mx.int32).astype(mx.float64)))(f64([3]));
  assert.deepEqual(await g.tolist(), [0, 0, 0]);
});

test('grad: pytrees, argnums, aux outputs, clear errors', async () => {
  const loss = (p: { w: mx.MxArray; b: mx.MxArray[] }, x: mx.MxArray) =>
    mx.sum(mx.multiply(mx.multiply(p.w, x), p.b[0]!));
  const p = { w: mx.array([1, 2], mx.float32), b: [mx.array([3, 4], mx.float32)] };
  const x = mx.array([5, 6], mx.float32);
  const g = mx.grad(loss)(p, x) as typeof p;
  assert.deepEqual(await g.w.tolist(), [15, 24]);
  assert.deepEqual(await g.b[0]!.tolist(), [5, 12]);
  const [[val, aux], gx] = mx.valueAndGrad((a: mx.MxArray, b: mx.MxArray) => [mx.sum(mx.multiply(a, b)), a.mul(2)], 1)(x, x);
  assert.equal(await val.item(), 61);
  assert.deepEqual(await aux.tolist(), [10, 12]);
  assert.deepEqual(await gx.tolist(), [5, 6]);
  const both = mx.grad((a: mx.MxArray, b: mx.MxArray) => mx.sum(mx.multiply(a, b)), [0, 1])(x, p.w) as mx.MxArray[];
  assert.deepEqual(await both[1]!.tolist(), [5, 6]);
  assert.throws(() => mx.grad((a: mx.MxArray) => a.mul(2))(x), /must return a scalar array, got shape \(2,\)/);
  assert.throws(() => mx.grad((a: mx.MxArray) => mx.sum(a), 2)(x), /argument index 2/);
  assert.throws(() => mx.vjp((a) => a, [x], [mx.ones([3])]), /Cotangent 0 has shape \(3,\)/);
});

test('vmap: axes, unmapped arguments, errors', async () => {
  const x = mx.array([[1, 2, 3], [4, 5, 6]], mx.float32);
  const y = mx.vmap((r: mx.MxArray) => r.astype(mx.int32))(x);
  assert.deepEqual(await y.tolist(), [[1, 2, 3], [4, 5, 6]]);
  const z = mx.vmap((r: mx.MxArray) => r.astype(mx.int32), 1, 1)(x);
  assert.deepEqual(await z.tolist(), [[1, 2, 3], [4, 5, 6]]);
  const c = mx.vmap((_r: mx.MxArray, k: mx.MxArray) => k, [0, null])(x, mx.array([7, 8]));
  assert.deepEqual(await c.tolist(), [[7, 8], [7, 8]]);
  assert.throws(() => mx.vmap((a: mx.MxArray, b: mx.MxArray) => a, [0, 0])(x, mx.ones([3])), /Inconsistent sizes along mapped axes: found 2 and 3/);
  assert.throws(() => mx.vmap((a: mx.MxArray) => a, 2)(x), /Axis 2 is out of bounds/);
});

test('every registered primitive declares vjp, jvp and vmap', async () => {
  const { primitiveNames, primitiveDef } = await import('../../src/core/primitive.js');
  const missing: string[] = [];
  for (const n of primitiveNames()) {
    const d = primitiveDef(n as never) as unknown as Record<string, unknown>;
    for (const k of ['vjp', 'jvp', 'vmap']) if (typeof d[k] !== 'function') missing.push(`${n}.${k}`);
  }
  assert.deepEqual(missing, []);
  assert.ok(primitiveNames().length > 100);
});
