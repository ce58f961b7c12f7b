/**
 * @file Transform rules of the elementwise primitives (unary, binary, where): gradients against central finite
 * differences in float64, jvp/vjp consistency, vmap against a loop over the mapped axis, broadcasting cotangents,
 * second derivatives, and the zero gradients of the non-differentiable ops.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { checkGrad, checkJvpVjp, checkVmap, f64 } from '../helpers/transforms.js';

type A = mx.MxArray;
type Dom = [number, number];

/** Differentiable unary ops and the interval their inputs are drawn from. */
const UNARY: [string, (x: A) => A, Dom][] = [
  ['abs', mx.abs, [-1, 1]], ['negative', mx.negative, [-1, 1]], ['square', mx.square, [-1, 1]],
  ['sqrt', mx.sqrt, [0.5, 2]], ['rsqrt', mx.rsqrt, [0.5, 2]], ['reciprocal', mx.reciprocal, [0.5, 2]],
  ['exp', mx.exp, [-1, 1]], ['expm1', mx.expm1, [-1, 1]], ['log', mx.log, [0.5, 2]], ['log2', mx.log2, [0.5, 2]],
  ['log10', mx.log10, [0.5, 2]], ['log1p', mx.log1p, [-0.5, 1]], ['sin', mx.sin, [-2, 2]], ['cos', mx.cos, [-2, 2]],
  ['tan', mx.tan, [-1, 1]], ['arcsin', mx.arcsin, [-0.9, 0.9]], ['arccos', mx.arccos, [-0.9, 0.9]],
  ['arctan', mx.arctan, [-2, 2]], ['sinh', mx.sinh, [-1, 1]], ['cosh', mx.cosh, [-1, 1]], ['tanh', mx.tanh, [-1, 1]],
  ['arcsinh', mx.arcsinh, [-2, 2]], ['arccosh', mx.arccosh, [1.2, 3]], ['arctanh', mx.arctanh, [-0.9, 0.9]],
  ['sigmoid', mx.sigmoid, [-2, 2]], ['erf', mx.erf, [-1.5, 1.5]], ['erfinv', mx.erfinv, [-0.9, 0.9]],
  ['conj', mx.conj, [-1, 1]], ['real', mx.real, [-1, 1]], ['nanToNum', (x) => mx.nanToNum(x), [-1, 1]],
  ['degrees', mx.degrees, [-1, 1]],
];

/** Differentiable binary ops and the intervals of their two inputs. */
const BINARY: [string, (a: A, b: A) => A, Dom, Dom][] = [
  ['add', mx.add, [-1, 1], [-1, 1]], ['subtract', mx.subtract, [-1, 1], [-1, 1]],
  ['multiply', mx.multiply, [-1, 1], [-1, 1]], ['divide', mx.divide, [-1, 1], [0.5, 2]],
  ['remainder', mx.remainder, [-3, 3], [0.6, 1.4]], ['power', mx.power, [0.5, 2], [-1.5, 2.5]],
  ['maximum', mx.maximum, [-1, 1], [-1, 1]], ['minimum', mx.minimum, [-1, 1], [-1, 1]],
  ['arctan2', mx.arctan2, [-1, 1], [-1, 1]], ['logaddexp', mx.logaddexp, [-2, 2], [-2, 2]],
  ['where', (a, b) => mx.where(mx.greater(a, 0), a, b), [-1, 1], [-1, 1]],
];

/** Shape pairs: equal, [3,1]x[4] (both broadcast), [2,3]x[] (scalar). */
const PAIRS: [number[], number[]][] = [[[3, 4], [3, 4]], [[3, 1], [4]], [[2, 3], []]];

async function assertAll(a: A, pred: (v: number) => boolean, what: string): Promise<void> {
  const v = Array.from(await a.astype(mx.float64).data<Float64Array>());
  assert.ok(v.every(pred), `${what}: ${v.join(', ')}`);
}

test('unary: gradients vs finite differences, jvp/vjp, vmap over axes 0 and 1', async () => {
  let seed = 1;
  for (const [name, f, [lo, hi]] of UNARY) {
    const x = f64([3, 4], seed++, lo, hi);
    await checkGrad(f, [x]).catch((e) => { throw new Error(`${name}: ${e.message}`); });
    await checkJvpVjp(f, [x]).catch((e) => { throw new Error(`${name}: ${e.message}`); });
    await checkVmap(f, [x], [0]).catch((e) => { throw new Error(`${name}: ${e.message}`); });
    await checkVmap(f, [x], [1]).catch((e) => { throw new Error(`${name}: ${e.message}`); });
  }
});

test('binary: gradients with broadcasting ([3,1]x[4], [2,3]x[]), jvp/vjp, cotangent shapes and dtypes', async () => {
  let seed = 50;
  for (const [name, f, da, db] of BINARY) {
    for (const [sa, sb] of PAIRS) {
      const a = f64(sa, seed++, ...da), b = f64(sb, seed++, ...db);
      const tag = `${name} ${JSON.stringify(sa)}x${JSON.stringify(sb)}`;
      await checkGrad(f, [a, b]).catch((e) => { throw new Error(`${tag}: ${e.message}`); });
      await checkJvpVjp(f, [a, b]).catch((e) => { throw new Error(`${tag}: ${e.message}`); });
      // float32: cotangents keep each input's shape and dtype
      const a32 = a.astype(mx.float32), b32 = b.astype(mx.float32);
      const y = f(a32, b32);
      const [, [ga, gb]] = mx.vjp((p: A, q: A) => f(p, q), [a32, b32], [mx.onesLike(y)]);
      assert.deepEqual([ga!.shape, gb!.shape], [sa, sb], `${tag}: cotangent shapes`);
      assert.deepEqual([ga!.dtype, gb!.dtype], [mx.float32, mx.float32], `${tag}: cotangent dtypes`);
    }
  }
});

test('binary: vmap with inAxes [0,0], [1,1], [0,null] and batched inputs of different ranks', async () => {
  let seed = 200;
  for (const [name, f, da, db] of BINARY) {
    const a = f64([3, 4], seed++, ...da), b = f64([3, 4], seed++, ...db);
    const tag = (ax: unknown) => (e: Error) => { throw new Error(`${name} ${JSON.stringify(ax)}: ${e.message}`); };
    await checkVmap(f, [a, b], [0, 0]).catch(tag([0, 0]));
    await checkVmap(f, [a, b], [1, 1]).catch(tag([1, 1]));
    await checkVmap(f, [a, f64([4], seed++, ...db)], [0, null]).catch(tag([0, null]));
    // per-example shapes [4] and [2, 1] broadcast to [2, 4]; the batch axis of b is last
    await checkVmap(f, [a, f64([2, 1, 3], seed++, ...db)], [0, 2]).catch(tag([0, 2]));
    // an unbatched input of higher rank than the batched one's examples
    await checkVmap(f, [f64([3], seed++, ...da), f64([2, 1], seed++, ...db)], [0, null]).catch(tag('rank'));
  }
});

test('non-differentiable ops: zero cotangents for float inputs, zero tangents, vmap', async () => {
  const rows: [string, (a: A, b: A) => A | A[]][] = [
    ['floor', (a) => mx.floor(a)], ['ceil', (a) => mx.ceil(a)], ['trunc', (a) => mx.trunc(a)],
    ['sign', (a) => mx.sign(a)], ['round', (a) => mx.round(a, 1)], ['isnan', (a) => mx.isnan(a)],
    ['isinf', (a) => mx.isinf(a)], ['isfinite', (a) => mx.isfinite(a)], ['isposinf', (a) => mx.isposinf(a)],
    ['isneginf', (a) => mx.isneginf(a)], ['logicalNot', (a) => mx.logicalNot(a)], ['imag', (a) => mx.imag(a)],
    ['stopGradient', (a) => mx.stopGradient(a)], ['floorDivide', mx.floorDivide], ['divmod', (a, b) => mx.divmod(a, b)],
    ['equal', mx.equal], ['notEqual', mx.notEqual], ['greater', mx.greater], ['greaterEqual', mx.greaterEqual],
    ['less', mx.less], ['lessEqual', mx.lessEqual], ['logicalAnd', mx.logicalAnd], ['logicalOr', mx.logicalOr],
    ['isclose', (a, b) => mx.isclose(a, b, 0.5, 0.1)],
  ];
  const a = f64([3, 4], 7, -3, 3), b = f64([4], 8, 0.5, 2);
  for (const [name, f] of rows) {
    const ys = [f(a, b)].flat();
    const [, vj] = mx.vjp((p: A, q: A) => [f(p, q)].flat(), [a, b], ys.map((y) => mx.onesLike(y)));
    for (const g of vj) {
      assert.equal(g!.dtype, mx.float64, `${name}: cotangent dtype`);
      await assertAll(g!, (v) => v === 0, `${name}: vjp`);
    }
    const [, jv] = mx.jvp((p: A, q: A) => [f(p, q)].flat(), [a, b], [mx.onesLike(a), mx.onesLike(b)]);
    for (const t of jv) await assertAll(t!, (v) => v === 0, `${name}: jvp`);
    await checkVmap((p, q) => f(p, q), [a, b], [0, null]).catch((e) => { throw new Error(`${name}: ${e.message}`); });
    await checkVmap((p, q) => f(p, q), [a, f64([3], 9, 0.5, 2)], [1, null]).catch((e) => { throw new Error(`${name}: ${e.message}`); });
    await checkVmap((p, q) => f(p, q), [a, mx.broadcastTo(b, [3, 4])], [0, 0]).catch((e) => { throw new Error(`${name}: ${e.message}`); });
  }
});

test('integer and bool ops: vmap, and no gradient reaches integer inputs', async () => {
  const i = mx.array([[5, -3, 12], [7, 0, -8]], mx.int32), j = mx.array([[1, 2, 3], [3, 1, 2]], mx.int32);
  const rows: [string, (a: A, b: A) => A | A[]][] = [
    ['bitwiseAnd', mx.bitwiseAnd], ['bitwiseOr', mx.bitwiseOr], ['bitwiseXor', mx.bitwiseXor],
    ['leftShift', mx.leftShift], ['rightShift', mx.rightShift], ['bitwiseInvert', (a) => mx.bitwiseInvert(a)],
    ['logicalXor', mx.logicalXor], ['remainder', mx.remainder], ['divmod', (a, b) => mx.divmod(a, b)],
    ['add', mx.add], ['power', (a, b) => mx.power(mx.abs(a), b)], ['exp', (a) => mx.exp(a)],
  ];
  for (const [name, f] of rows) {
    for (const axes of [[0, 0], [1, 1], [0, null]] as (number | null)[][]) {
      const args = axes[1] === null ? [i, mx.array([1, 2, 3], mx.int32)] : [i, j];
      await checkVmap((p, q) => f(p, q), args, axes).catch((e) => { throw new Error(`${name} ${axes}: ${e.message}`); });
    }
    const ys = [f(i, j)].flat();
    const [, vj] = mx.vjp((p: A, q: A) => [f(p, q)].flat(), [i, j], ys.map((y) => mx.onesLike(y)));
    for (const g of vj) await assertAll(g!, (v) => v === 0, `${name}: vjp into integers`);
  }
});

test('ties and pieces follow MLX: abs at 0, maximum/minimum ties go to b, clip, where, nanToNum', async () => {
  const ones = (x: A) => mx.onesLike(x);
  const x = mx.array([-1, 0, 2], mx.float32);
  assert.deepEqual(await mx.vjp((p: A) => mx.abs(p), [x], [ones(x)])[1][0]!.tolist(), [-1, 0, 1]);
  const t = mx.array([1, 2, 3], mx.float32);
  for (const [f, wa, wb] of [[mx.maximum, [0, 0, 1], [1, 1, 0]], [mx.minimum, [1, 0, 0], [0, 1, 1]]] as const) {
    const [, [ga, gb]] = mx.vjp((p: A, q: A) => f(p, q), [x, mx.array([0, 0, 0], mx.float32)], [ones(x)]);
    assert.deepEqual([await ga!.tolist(), await gb!.tolist()], [wa, wb]);
  }
  const c = mx.array([-2, -0.5, 0.25, 0.5, 3], mx.float32);
  assert.deepEqual(await mx.vjp((p: A) => mx.clip(p, -0.5, 0.5), [c], [ones(c)])[1][0]!.tolist(), [0, 0, 1, 0, 0]);
  // where: the condition broadcasts; cotangents split between x and y and sum over broadcast axes
  const cond = mx.array([true, false, true]);
  const [, [gx, gy]] = mx.vjp((p: A, q: A) => mx.where(cond, p, q), [mx.zeros([2, 3]), mx.zeros([1])], [mx.ones([2, 3])]);
  assert.deepEqual([await gx!.tolist(), await gy!.tolist()], [[[1, 0, 1], [1, 0, 1]], [2]]);
  const n = mx.array([1, NaN, Infinity, -Infinity, -2], mx.float32);
  assert.deepEqual(await mx.vjp((p: A) => mx.nanToNum(p), [n], [ones(n)])[1][0]!.tolist(), [1, 0, 0, 0, 1]);
  // 0^b: the b-gradient log(0) * 0 is taken as 0 (MLX)
  const [, [, gb0]] = mx.vjp((p: A, q: A) => mx.power(p, q), [mx.array([0, 2], mx.float32), mx.array([2, 3], mx.float32)], [mx.ones([2])]);
  const want = 8 * Math.log(2);
  const got = await gb0!.tolist() as number[];
  assert.equal(got[0], 0);
  assert.ok(Math.abs(got[1]! - want) < 1e-5, `power b-gradient ${got[1]} vs ${want}`);
});

test('stopGradient blocks gradients; jvp gives zeros', async () => {
  const x = f64([4], 3);
  const [, [g]] = mx.vjp((p: A) => mx.multiply(p, mx.stopGradient(p)), [x], [mx.onesLike(x)]);
  const xv = Array.from(await x.data<Float64Array>());
  const gv = Array.from(await g!.data<Float64Array>());
  assert.deepEqual(gv, xv);  // d(x * c)/dx = c, not 2x
  const [, [t]] = mx.jvp((p: A) => mx.stopGradient(p), [x], [mx.onesLike(x)]);
  await assertAll(t!, (v) => v === 0, 'stopGradient jvp');
});

test('second derivatives: grad(grad(f)) vs finite differences of grad(f), and grad(grad(sin)) = -sin', async () => {
  const rows: [string, (x: A) => A, number][] = [
    ['sin', mx.sin, 0.7], ['exp', mx.exp, 0.3], ['tanh', mx.tanh, 0.4], ['sigmoid', mx.sigmoid, -0.6],
    ['log', mx.log, 1.7], ['arctan', mx.arctan, 0.9], ['sqrt', mx.sqrt, 1.3], ['erf', mx.erf, 0.5],
    ['x^3', (x) => mx.power(x, 3), 1.1], ['1/x', (x) => mx.divide(1, x), 0.8], ['x*x', (x) => mx.multiply(x, x), -0.4],
    ['logaddexp(x, 2x)', (x) => mx.logaddexp(x, mx.multiply(x, 2)), 0.2], ['arctan2(x, 1+x^2)', (x) => mx.arctan2(x, mx.add(1, mx.square(x))), 0.6],
  ];
  for (const [name, f, x0] of rows) {
    const g1 = mx.grad(f) as (x: A) => A, g2 = mx.grad(g1) as (x: A) => A;
    const h = 1e-5;
    const at = (v: number) => g1(mx.array(v, mx.float64)).item<number>();
    const num = ((await at(x0 + h)) - (await at(x0 - h))) / (2 * h);
    const got = await g2(mx.array(x0, mx.float64)).item<number>();
    assert.ok(Math.abs(got - num) <= 1e-6 * Math.max(1, Math.abs(num)), `${name}: grad(grad) ${got}, finite differences ${num}`);
  }
  const xs = [-1.3, 0, 0.5, 2];
  const d2 = mx.vmap(mx.grad(mx.grad(mx.sin))) as (x: A) => A;
  const got = Array.from(await d2(mx.array(xs, mx.float64)).data<Float64Array>());
  got.forEach((v, i) => assert.ok(Math.abs(v + Math.sin(xs[i]!)) < 1e-12, `grad(grad(sin))(${xs[i]}) = ${v}`));
});

test('complex: real, imag, conj, abs and a broadcast product follow MLX', async () => {
  const i = mx.sqrt(mx.astype(mx.array(-1), mx.complex64));
  const cplx = (re: number[], im: number[]) => mx.add(mx.astype(mx.array(re), mx.complex64), mx.multiply(mx.astype(mx.array(im), mx.complex64), i));
  const z = cplx([3, -1], [4, 2]);
  const ct = mx.array([2, 5], mx.float32);
  const c = (a: A) => a.tolist() as Promise<{ re: number; im: number }[]>;
  assert.deepEqual(await c(mx.vjp((p: A) => mx.real(p), [z], [ct])[1][0]!), [{ re: 2, im: 0 }, { re: 5, im: 0 }]);
  assert.deepEqual(await c(mx.vjp((p: A) => mx.imag(p), [z], [ct])[1][0]!), [{ re: 0, im: 2 }, { re: 0, im: 5 }]);
  const ca = await c(mx.vjp((p: A) => mx.abs(p), [z], [ct])[1][0]!);  // ct * z / |z|
  const r1 = Math.hypot(-1, 2);
  const want = [{ re: 2 * 3 / 5, im: 2 * 4 / 5 }, { re: 5 * -1 / r1, im: 5 * 2 / r1 }];
  ca.forEach((v, k) => assert.ok(Math.abs(v.re - want[k]!.re) < 1e-5 && Math.abs(v.im - want[k]!.im) < 1e-5, `abs vjp ${JSON.stringify(v)}`));
  // jvp of |z| is real: Re(conj(z) dz) / |z|
  const [, [ja]] = mx.jvp((p: A) => mx.abs(p), [z], [cplx([1, 1], [0, 1])]);
  const jv = await ja!.tolist() as number[];
  assert.ok(Math.abs(jv[0]! - 3 / 5) < 1e-6 && Math.abs(jv[1]! - (-1 + 2) / r1) < 1e-6, `abs jvp ${jv}`);
  assert.deepEqual(await c(mx.vjp((p: A) => mx.conj(p), [z], [cplx([1, 0], [1, 1])])[1][0]!), [{ re: 1, im: -1 }, { re: 0, im: -1 }]);
  // complex multiply broadcast [2,1] x [3]: the [2,1] cotangent sums b over the broadcast axis (no conjugation, MLX)
  const a = mx.reshape(cplx([1, 2], [0, 1]), [2, 1]), b = cplx([1, 0, 2], [1, 1, 0]);
  const [, [ga, gb]] = mx.vjp((p: A, q: A) => mx.multiply(p, q), [a, b], [mx.astype(mx.ones([2, 3]), mx.complex64)]);
  assert.deepEqual(ga!.shape, [2, 1]);
  assert.deepEqual(await c(mx.reshape(ga!, [2])), [{ re: 3, im: 2 }, { re: 3, im: 2 }]);
  assert.deepEqual(await c(gb!), [{ re: 3, im: 1 }, { re: 3, im: 1 }, { re: 3, im: 1 }]);
});

test('whole-array tests: allclose and arrayEqual give zero gradients and vmap per example', async () => {
  const a = mx.array([[1, 2], [3, 4], [5, NaN]], mx.float32);
  const b = mx.array([[1, 2], [3, 5], [5, NaN]], mx.float32);
  const cases: [string, (p: A, q: A) => A][] = [
    ['allclose', (p, q) => mx.allclose(p, q)], ['allclose equalNan', (p, q) => mx.allclose(p, q, { equalNan: true })],
    ['arrayEqual', (p, q) => mx.arrayEqual(p, q)], ['arrayEqual equalNan', (p, q) => mx.arrayEqual(p, q, true)],
  ];
  for (const [name, f] of cases) {
    for (const axes of [[0, 0], [1, 1], [0, null]] as (number | null)[][]) {
      const args = axes[1] === null ? [a, mx.array([3, 4], mx.float32)] : [a, b];
      await checkVmap(f, args, axes).catch((e) => { throw new Error(`${name} ${axes}: ${e.message}`); });
    }
    const [, vj] = mx.vjp((p: A, q: A) => f(p, q), [a, b], [mx.array(true)]);
    for (const g of vj) await assertAll(g!, (v) => v === 0, `${name}: vjp`);
  }
  const got = await mx.vmap((p: A, q: A) => mx.arrayEqual(p, q, true))(a, b).tolist();
  assert.deepEqual(got, [true, false, true]);
});

test('every unary, binary and ternary primitive declares vjp, jvp and vmap rules', async () => {
  const { primitiveDef } = await import('../../src/core/primitive.js');
  const un = await import('../../src/core/primitives/unary.js');
  const bi = await import('../../src/core/primitives/binary.js');
  const names: string[] = [
    ...un.SAME_DTYPE_UNARY, ...un.FLOAT_UNARY, ...un.BOOL_UNARY, 'real', 'imag', 'round', 'nanToNum',
    ...bi.ARITH_BINARY, ...bi.BOOL_BINARY, 'divmod', 'isclose', 'allclose', 'arrayEqual', 'where',
  ];
  for (const n of names) {
    const d = primitiveDef(n as never) as { vjp?: unknown; jvp?: unknown; vmap?: unknown };
    assert.ok(d.vjp && d.jvp && d.vmap, `${n} lacks a rule`);
  }
});
