/**
 * @file Transform rules of the linalg family: gradients against central finite differences (float64, CPU) for the
 * smooth maps (inverse, solve, Cholesky, symmetric eigenvalues, singular values, det, slogdet, norm, cross),
 * jvp/vjp consistency, vmap against a loop, and clear errors for the maps without a derivative.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { checkGrad, checkJvpVjp, checkVmap, f64 } from '../helpers/transforms.js';

type F = (...xs: mx.MxArray[]) => mx.MxArray | mx.MxArray[];
const L = mx.linalg;

/** A well-conditioned n x n matrix: random plus 3·I. */
const wellCond = (n: number, seed: number, batch: number[] = []): mx.MxArray => mx.add(f64([...batch, n, n], seed), mx.multiply(mx.eye(n, n, 0, mx.float64), 3));
/** A symmetric positive-definite matrix with distinct eigenvalues. */
function spd(n: number, seed: number, batch: number[] = []): mx.MxArray {
  const a = f64([...batch, n, n], seed);
  return mx.add(mx.matmul(a, mx.swapaxes(a, -1, -2)), mx.multiply(mx.eye(n, n, 0, mx.float64), 1 + 0.5 * n));
}

const cases: { name: string; f: F; args: () => mx.MxArray[]; vmap?: boolean }[] = [
  { name: 'inv', f: (a) => L.inv(a!), args: () => [wellCond(3, 1)] },
  { name: 'inv batched', f: (a) => L.inv(a!), args: () => [wellCond(2, 2, [2])] },
  { name: 'triInv lower', f: (a) => L.triInv(a!, false), args: () => [mx.tril(wellCond(3, 3))] },
  { name: 'solve matrix rhs', f: (a, b) => L.solve(a!, b!), args: () => [wellCond(3, 4), f64([3, 2], 5)] },
  { name: 'solve vector rhs, batched a', f: (a, b) => L.solve(a!, b!), args: () => [wellCond(3, 6, [2]), f64([3], 7)] },
  { name: 'solve broadcast batch', f: (a, b) => L.solve(a!, b!), args: () => [wellCond(2, 8), f64([2, 2, 3], 9)] },
  { name: 'solveTriangular upper', f: (a, b) => L.solveTriangular(a!, b!, true), args: () => [mx.triu(wellCond(3, 10)), f64([3, 2], 11)] },
  { name: 'cholesky lower', f: (a) => L.cholesky(a!), args: () => [spd(3, 12)] },
  { name: 'cholesky upper, batched', f: (a) => L.cholesky(a!, true), args: () => [spd(3, 13, [2])] },
  { name: 'eigvalsh', f: (a) => L.eigvalsh(a!), args: () => [spd(3, 14)] },
  { name: 'eigvalsh upper, batched', f: (a) => L.eigvalsh(a!, 'U'), args: () => [spd(3, 15, [2])] },
  { name: 'singular values (tall)', f: (a) => L.svd(a!, false), args: () => [f64([4, 3], 16)] },
  { name: 'singular values (wide, batched)', f: (a) => L.svd(a!, false), args: () => [f64([2, 2, 3], 17)] },
  { name: 'det', f: (a) => L.det(a!), args: () => [wellCond(3, 18, [2])] },
  { name: 'slogdet', f: (a) => L.slogdet(a!)[1]!, args: () => [mx.multiply(wellCond(3, 19), -1)] },
  { name: 'cross 3-vectors', f: (a, b) => L.cross(a!, b!), args: () => [f64([2, 3], 20), f64([3], 21)] },
  { name: 'cross with a 2-vector, axis 0', f: (a, b) => L.cross(a!, b!, 0), args: () => [f64([2, 2], 22), f64([3, 2], 23)] },
  { name: 'norm (2, vector)', f: (a) => L.norm(a!), args: () => [f64([4], 24)] },
  { name: 'norm (1, axis 0)', f: (a) => L.norm(a!, 1, 0), args: () => [f64([3, 2], 25)] },
  { name: 'norm (3, axis -1, keepdims)', f: (a) => L.norm(a!, 3, -1, true), args: () => [f64([2, 3], 26)] },
  { name: 'norm (inf, vector)', f: (a) => L.norm(a!, Infinity), args: () => [f64([5], 27)] },
  { name: 'norm (fro)', f: (a) => L.norm(a!, 'fro'), args: () => [f64([2, 3], 28)] },
  { name: 'norm (nuc)', f: (a) => L.norm(a!, 'nuc'), args: () => [f64([3, 2], 29)] },
  { name: 'norm (matrix 1, axes [1, 0])', f: (a) => L.norm(a!, 1, [1, 0]), args: () => [f64([3, 3], 30)] },
  { name: 'norm (matrix -inf)', f: (a) => L.norm(a!, -Infinity, [0, 1]), args: () => [f64([3, 3], 31)] },
  { name: 'norm (matrix 2)', f: (a) => L.norm(a!, 2, [0, 1]), args: () => [f64([3, 2], 32)] },
];

for (const c of cases) {
  test(`${c.name}: gradient, jvp/vjp, vmap`, async (t) => {
    const args = c.args();
    try {
      await checkGrad(c.f, args, { eps: 1e-6, rtol: 1e-5, atol: 1e-7 });
      await checkJvpVjp(c.f, args, 1e-8);
    } catch (e) {
      // norm's rules go through reductions and abs, whose rules land with their families
      const m = /Primitive "(\w+)" has no (vjp|jvp) rule/.exec(String(e));
      if (m && c.name.startsWith('norm')) { t.skip(`needs the ${m[1]} rule`); return; }
      throw e;
    }
    await checkVmap(c.f, args.map((a) => mx.stack([a, mx.multiply(a, 1.5)], 0)), args.map(() => 0), 1e-9);
  });
}

test('vmap of factorizations without derivatives matches a loop', async () => {
  const a = mx.stack([wellCond(3, 40), wellCond(3, 41)], 1);
  await checkVmap((x) => L.qr(x!), [a], [1], 1e-9);
  await checkVmap((x) => L.lu(x!), [a], [1], 1e-9);
  await checkVmap((x) => L.svd(x!), [a], [1], 1e-9);
  await checkVmap((x) => L.pinv(x!), [a], [1], 1e-9);
  await checkVmap((x) => L.eigh(x!), [mx.stack([spd(3, 42), spd(3, 43)], 2)], [2], 1e-9);
  await checkVmap((x, b) => L.solve(x!, b!), [a, f64([3], 44)], [1, null], 1e-9);
  await checkVmap((x, b) => L.solve(x!, b!), [wellCond(3, 45), f64([2, 3], 46)], [null, 0], 1e-9);
});

test('maps without a derivative raise clear errors', () => {
  const a = wellCond(3, 50);
  const cases: [F, RegExp][] = [
    [(x) => L.qr(x!)[0]!, /\[vjp\] linalg\.qr is not differentiable/],
    [(x) => L.lu(x!)[1]!, /\[vjp\] linalg\.lu is not differentiable/],
    [(x) => L.luFactor(x!)[0]!, /\[vjp\] linalg\.luFactor is not differentiable/],
    [(x) => L.pinv(x!), /\[vjp\] linalg\.pinv is not differentiable/],
    [(x) => L.svd(x!)[0]!, /\[vjp\] linalg\.svd is not differentiable with respect to U and Vt/],
    [(x) => L.eigh(x!)[0]!, /\[vjp\] linalg\.eigh is not differentiable with respect to its eigenvectors/],
    [(x) => L.choleskyInv(x!), /\[vjp\] linalg\.choleskyInv is not differentiable/],
    [(x) => mx.real(L.eigvals(x!)), /\[vjp\] linalg\.eig is not differentiable/],
  ];
  for (const [f, re] of cases) assert.throws(() => mx.grad((x: mx.MxArray) => mx.sum(f(x) as mx.MxArray))(a), re);
  assert.throws(() => mx.jvp((x) => L.qr(x)[0]!, [a], [a]), /\[jvp\] linalg\.qr is not differentiable/);
});
