/**
 * @file Transforms composed with each other, as MLX allows: grad of vmap, vmap of grad (per-example gradients),
 * jvp of a vjp (forward-over-reverse Hessian-vector products), vjp of a jvp, and compile around them. Oracles:
 * finite differences of the inner transform and loops over the batch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { f64 } from '../helpers/transforms.js';

type A = mx.MxArray;

async function close(a: A, b: A, tol = 1e-6): Promise<void> {
  const x = await a.astype(mx.float64).data<Float64Array>(), y = await b.astype(mx.float64).data<Float64Array>();
  assert.deepEqual([...a.shape], [...b.shape]);
  x.forEach((v, i) => assert.ok(Math.abs(v - y[i]!) <= tol * Math.max(1, Math.abs(y[i]!)), `[${i}] ${v} vs ${y[i]}`));
}

/** A small non-linear loss of a weight matrix on one example. */
const w = f64([3, 2], 11);
const lossOne = (x: A, wt: A = w): A => mx.sum(mx.tanh(mx.matmul(x, wt)).square());

test('vmap of grad gives per-example gradients (vs a loop)', async () => {
  const xs = f64([4, 3], 5);
  const perEx = mx.vmap((x: A) => mx.grad((wt: A) => lossOne(x, wt))(w))(xs) as A;
  const loop = mx.stack([0, 1, 2, 3].map((i) => mx.grad((wt: A) => lossOne(mx.take(xs, i, 0), wt))(w) as A));
  await close(perEx, loop, 1e-12);
});

test('grad of vmap equals grad of the batched sum (vs finite differences)', async () => {
  const xs = f64([4, 3], 6);
  const viaVmap = (wt: A) => mx.sum(mx.vmap((x: A) => lossOne(x, wt))(xs) as A);
  const g = mx.grad(viaVmap)(w) as A;
  const base = await w.data<Float64Array>();
  const eps = 1e-6;
  const num: number[] = [];
  for (let i = 0; i < base.length; i++) {
    const at = async (d: number) => {
      const v = Float64Array.from(base);
      v[i] = v[i]! + d;
      return viaVmap(mx.array(v, mx.float64).reshape([3, 2])).item<number>();
    };
    num.push(((await at(eps)) - (await at(-eps))) / (2 * eps));
  }
  await close(g, mx.array(new Float64Array(num), mx.float64).reshape([3, 2]), 1e-6);
});

test('jvp of grad is a Hessian-vector product (vs finite differences of the gradient)', async () => {
  const x = f64([3], 7), v = f64([3], 8);
  const f = (z: A) => mx.sum(mx.multiply(mx.sin(z), mx.exp(z.mul(0.5))));
  const gradF = mx.grad(f);
  const [, [hv]] = mx.jvp((z: A) => gradF(z) as A, [x], [v]);
  const eps = 1e-5;
  const fd = mx.divide(mx.subtract(gradF(x.add(v.mul(eps))) as A, gradF(x.sub(v.mul(eps))) as A), 2 * eps);
  await close(hv!, fd, 1e-6);
});

test('vjp of jvp (reverse over forward) matches the Hessian-vector product', async () => {
  const x = f64([3], 9), v = f64([3], 10);
  const f = (z: A) => mx.sum(mx.multiply(mx.cos(z), z.square()));
  // d/dx <grad f(x), v> = H v for symmetric H
  const dirDeriv = (z: A) => mx.jvp((u: A) => f(u), [z], [v])[1][0]!;
  const [, [hv1]] = mx.vjp((z: A) => dirDeriv(z), [x], [mx.array(1, mx.float64)]);
  const [, [hv2]] = mx.jvp((z: A) => mx.grad(f)(z) as A, [x], [v]);
  await close(hv1!, hv2!, 1e-10);
});

test('compile around composed transforms', async () => {
  const xs = f64([4, 3], 12);
  const perEx = (wt: A) => mx.vmap((x: A) => mx.grad((u: A) => lossOne(x, u))(wt))(xs) as A;
  await close(mx.compile(perEx)(w), perEx(w), 1e-12);
  const hvp = (z: A, v: A) => mx.jvp((u: A) => mx.grad((q: A) => mx.sum(mx.exp(q).mul(q)))(u) as A, [z], [v])[1][0]!;
  await close(mx.compile(hvp)(f64([3], 13), f64([3], 14)), hvp(f64([3], 13), f64([3], 14)), 1e-12);
});
