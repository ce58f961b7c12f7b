/**
 * @file Transform rules of the creation family: broadcast fills and triangle masks differentiate and batch like
 * the arrays they build; input-free fills (arange, eye/tri, windows, constant full) are constants under every
 * transform.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { primitiveDef, type PrimitiveName } from '../../src/core/primitive.js';
import { defaultStream } from '../../src/core/device.js';
import { checkGrad, checkJvpVjp, checkVmap, f64 } from '../helpers/transforms.js';

type F = (...xs: mx.MxArray[]) => mx.MxArray;

const cases: { name: string; f: F; shapes: number[][]; axes?: number[] }[] = [
  { name: 'full broadcast of a row', f: (x) => mx.full([2, 3], x!), shapes: [[3]] },
  { name: 'full broadcast of a column', f: (x) => mx.full([3, 2], x!), shapes: [[3, 1]], axes: [1] },
  { name: 'full into float32', f: (x) => mx.full([2, 2], x!, mx.float32), shapes: [[2]] },
  { name: 'tril', f: (x) => mx.tril(x!), shapes: [[3, 3]], axes: [2] },
  { name: 'triu k=1 batched', f: (x) => mx.triu(x!, 1), shapes: [[2, 3, 4]] },
  { name: 'meshgrid (xy)', f: (x, y) => mx.meshgrid(x!, y!)[0]!, shapes: [[3], [2]] },
  { name: 'meshgrid (ij), second output', f: (x, y) => mx.meshgrid(x!, y!, { indexing: 'ij' })[1]!, shapes: [[3], [2]] },
  { name: 'matmul with eye and arange constants', f: (x) => mx.matmul(mx.matmul(x!, mx.eye(3, 3, 1, mx.float64)), mx.arange(3, mx.float64)), shapes: [[2, 3]] },
];

for (const c of cases) {
  test(`${c.name}: gradient, jvp/vjp, vmap`, async () => {
    const args = c.shapes.map((s, i) => f64(s, 21 + i));
    const loose = c.name.includes('float32');
    await checkGrad(c.f, args, loose ? { eps: 1e-2, rtol: 1e-4, atol: 1e-5 } : {});
    await checkJvpVjp(c.f, args, loose ? 1e-6 : 1e-9);
    const axes = c.axes ?? c.shapes.map(() => 0);
    await checkVmap(c.f, args.map((a, i) => mx.stack([a, mx.multiply(a, 3)], axes[i]!)), axes);
  });
}

test('fills into integer dtypes carry no gradient', async () => {
  const [, [dx]] = mx.vjp((x) => mx.full([2, 2], x, mx.int32), [f64([2], 3)], [mx.ones([2, 2], mx.int32)]);
  assert.deepEqual(await dx!.tolist(), [0, 0]);
});

test('input-free fills: no cotangents, zero tangents, unbatched under vmap', async () => {
  const s = defaultStream();
  const made: [PrimitiveName, mx.MxArray][] = [
    ['arange', mx.arange(1, 4, 0.5)],
    ['tri', mx.tri(3, 2, 0)],
    ['windowFn', mx.hanning(5)],
    ['full', mx.full([2], 7, mx.float32)],
  ];
  for (const [name, out] of made) {
    const def = primitiveDef(name);
    const node = out._node!;
    assert.equal(node.prim, name);
    assert.deepEqual(def.vjp!([], [mx.onesLike(out)], [out], node.params as never, s), [], `${name} vjp`);
    const [t] = def.jvp!([], [], [out], node.params as never, s);
    assert.deepEqual([...t!.shape], [...out.shape]);
    assert.equal(t!.dtype, out.dtype);
    assert.ok((await t!.astype(mx.float64).tolist() as number[] | number[][]).flat().every((v) => v === 0), `${name} jvp`);
    const [[v], [ax]] = def.vmap!([], [], node.params as never, s);
    assert.equal(ax, null);
    assert.deepEqual(await v!.tolist(), await out.tolist(), `${name} vmap`);
  }
  // a constant output of a vmapped function is broadcast along the batch
  const y = mx.vmap((x: mx.MxArray) => mx.add(x, mx.arange(3, mx.float32)))(mx.ones([2, 3]));
  assert.deepEqual(await y.tolist(), [[1, 2, 3], [1, 2, 3]]);
});

test('every creation primitive declares vjp, jvp and vmap', () => {
  for (const name of ['full', 'arange', 'tri', 'triMask', 'windowFn'] as PrimitiveName[]) {
    const d = primitiveDef(name);
    assert.equal(typeof d.vjp + typeof d.jvp + typeof d.vmap, 'functionfunctionfunction', name);
  }
});
