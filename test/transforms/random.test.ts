/**
 * @file Transform rules of the random family: samplers are not differentiated (zero cotangents for bounds, means
 * and scales, zero tangents), and vmap over keys or parameters gives each batch member exactly the samples a
 * separate call would draw.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { primitiveDef, type PrimitiveName } from '../../src/core/primitive.js';
import { checkVmap } from '../helpers/transforms.js';

type F = (...xs: mx.MxArray[]) => mx.MxArray;

const keys = (n: number): mx.MxArray => mx.random.split(mx.random.key(42), n);
const k0 = mx.random.key(7);

const cases: { name: string; f: F; args: () => mx.MxArray[]; axes: (number | null)[] }[] = [
  { name: 'bits over keys', f: (k) => mx.random.bits([2, 3], { key: k! }), args: () => [keys(3)], axes: [0] },
  { name: 'uniform over keys', f: (k) => mx.random.uniform(0, 1, [4], mx.float32, { key: k! }), args: () => [keys(3)], axes: [0] },
  { name: 'uniform over keys (axis 1)', f: (k) => mx.random.uniform(-2, 3, [2, 2], mx.float32, { key: k! }), args: () => [keys(3).T], axes: [1] },
  { name: 'uniform over bounds, fixed key', f: (lo, hi) => mx.random.uniform(lo!, hi!, [3], mx.float32, { key: k0 }), args: () => [mx.array([[0, 0, 0], [1, 1, 1]], mx.float32), mx.array([1, 5], mx.float32)], axes: [0, 0] },
  { name: 'normal over keys and loc', f: (k, loc) => mx.random.normal([3], mx.float32, loc!, 2, { key: k! }), args: () => [keys(2), mx.array([[0, 1, 2], [3, 4, 5]], mx.float32)], axes: [0, 0] },
  { name: 'randint over keys', f: (k) => mx.random.randint(0, 100, [5], mx.int32, { key: k! }), args: () => [keys(3)], axes: [0] },
  { name: 'bernoulli over p', f: (p) => mx.random.bernoulli(p!, [6], { key: k0 }), args: () => [mx.array([0.1, 0.5, 0.9], mx.float32)], axes: [0] },
  { name: 'truncatedNormal over keys', f: (k) => mx.random.truncatedNormal(-1, 1, [4], mx.float32, { key: k! }), args: () => [keys(2)], axes: [0] },
  { name: 'gumbel over keys', f: (k) => mx.random.gumbel([3], mx.float32, { key: k! }), args: () => [keys(2)], axes: [0] },
  { name: 'laplace over keys', f: (k) => mx.random.laplace([3], mx.float32, 1, 2, { key: k! }), args: () => [keys(2)], axes: [0] },
  { name: 'categorical over logits', f: (l) => mx.random.categorical(l!, { key: k0, numSamples: 4 }), args: () => [mx.log(mx.array([[[0.1, 0.9], [0.5, 0.5]], [[0.9, 0.1], [0.3, 0.7]]], mx.float32))], axes: [0] },
  { name: 'permutation over keys', f: (k) => mx.random.permutation(6, { key: k! }), args: () => [keys(3)], axes: [0] },
  { name: 'permutation of a batched array', f: (x) => mx.random.permutation(x!, { key: k0 }), args: () => [mx.arange(12, mx.float32).reshape([2, 6])], axes: [0] },
];

for (const c of cases) {
  test(`vmap ${c.name} matches a loop`, async () => {
    await checkVmap(c.f, c.args(), c.axes, 0);
  });
}

test('samplers give zero gradients and zero tangents', async () => {
  const loc = mx.array([0.5, -1], mx.float32);
  const g = mx.grad((m: mx.MxArray) => mx.sum(mx.random.normal([2], mx.float32, m, 1, { key: k0 })))(loc);
  assert.deepEqual(await g.tolist(), [0, 0]);
  const [, [t]] = mx.jvp((lo: mx.MxArray) => mx.random.uniform(lo, 2, [2], mx.float32, { key: k0 }), [mx.zeros([2])], [mx.ones([2])]);
  assert.deepEqual(await t!.tolist(), [0, 0]);
  const [, [dx]] = mx.vjp((x: mx.MxArray) => mx.random.permutation(x, { key: k0 }), [mx.ones([3])], [mx.ones([3])]);
  assert.deepEqual(await dx!.tolist(), [0, 0, 0]);
});

test('every random primitive declares vjp, jvp and vmap', () => {
  const names = ['randomBits', 'randomUniform', 'randomNormal', 'randomInt', 'randomBernoulli', 'randomTruncNormal',
    'randomGumbel', 'randomLaplace', 'randomCategorical', 'randomPermutation'] as PrimitiveName[];
  for (const n of names) {
    const d = primitiveDef(n);
    assert.equal(typeof d.vjp + typeof d.jvp + typeof d.vmap, 'functionfunctionfunction', n);
  }
});
