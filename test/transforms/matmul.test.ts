/**
 * @file Transform rules of the matmul family (matmul, addmm, and the labelled `contract` behind tensordot, inner,
 * outer, kron, vecdot and einsum): gradients against central finite differences in float64, jvp/vjp consistency,
 * and vmap against a loop over the mapped axis.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { checkGrad, checkJvpVjp, checkVmap, f64 } from '../helpers/transforms.js';

type F = (...xs: mx.MxArray[]) => mx.MxArray;

interface Case { name: string; f: F; shapes: number[][]; vmapAxes?: (number | null)[] }

const mm: F = (a, b) => mx.matmul(a!, b!);

const cases: Case[] = [
  { name: 'matmul 2-d @ 2-d', f: mm, shapes: [[2, 3], [3, 4]], vmapAxes: [0, 1] },
  { name: 'matmul 1-d @ 2-d', f: mm, shapes: [[3], [3, 2]], vmapAxes: [0, 0] },
  { name: 'matmul 2-d @ 1-d', f: mm, shapes: [[2, 3], [3]], vmapAxes: [1, 0] },
  { name: 'matmul 1-d @ 1-d', f: mm, shapes: [[3], [3]], vmapAxes: [0, 0] },
  { name: 'matmul broadcast batch', f: mm, shapes: [[2, 1, 2, 3], [3, 3, 2]], vmapAxes: [1, 2] },
  { name: 'matmul batch @ 1-d', f: mm, shapes: [[2, 2, 3], [3]], vmapAxes: [null, 0] },
  { name: 'addmm', f: (c, a, b) => mx.addmm(c!, a!, b!, 0.5, 2), shapes: [[2, 4], [2, 3], [3, 4]], vmapAxes: [0, null, 1] },
  { name: 'addmm broadcast c, batched', f: (c, a, b) => mx.addmm(c!, a!, b!, 1.5, -1), shapes: [[4], [2, 2, 3], [3, 4]], vmapAxes: [null, 0, 0] },
  { name: 'addmm 1-d a', f: (c, a, b) => mx.addmm(c!, a!, b!, 2, 3), shapes: [[4], [3], [3, 4]], vmapAxes: [0, 0, null] },
  { name: 'addmm 1-d b', f: (c, a, b) => mx.addmm(c!, a!, b!), shapes: [[2], [2, 3], [3]], vmapAxes: [0, null, 0] },
  { name: 'tensordot 2 axes', f: (a, b) => mx.tensordot(a!, b!, 2), shapes: [[2, 3, 2], [3, 2, 2]] },
  { name: 'tensordot explicit axes', f: (a, b) => mx.tensordot(a!, b!, [[0, 2], [2, 0]]), shapes: [[2, 3, 4], [4, 3, 2]], vmapAxes: [1, 1] },
  { name: 'inner', f: (a, b) => mx.inner(a!, b!), shapes: [[2, 3], [4, 3]] },
  { name: 'outer', f: (a, b) => mx.outer(a!, b!), shapes: [[2, 2], [3]] },
  { name: 'kron', f: (a, b) => mx.kron(a!, b!), shapes: [[2, 2], [3, 1, 2]] },
  { name: 'vecdot', f: (a, b) => mx.vecdot(a!, b!), shapes: [[2, 3], [1, 3]] },
  { name: "einsum 'ii' (trace)", f: (a) => mx.einsum('ii', a!), shapes: [[3, 3]] },
  { name: "einsum 'ii->i' (diagonal)", f: (a) => mx.einsum('ii->i', a!), shapes: [[3, 3]], vmapAxes: [1] },
  { name: "einsum 'iij->ji'", f: (a) => mx.einsum('iij->ji', a!), shapes: [[2, 2, 3]] },
  { name: "einsum 'bij,bjk->bik'", f: (a, b) => mx.einsum('bij,bjk->bik', a!, b!), shapes: [[2, 2, 3], [2, 3, 2]] },
  { name: "einsum 'ij,j->' (sum over a label only a has)", f: (a, b) => mx.einsum('ij,j->', a!, b!), shapes: [[2, 3], [3]] },
  { name: "einsum 'ii,ij->j' (diagonal times matrix)", f: (a, b) => mx.einsum('ii,ij->j', a!, b!), shapes: [[3, 3], [3, 2]] },
  { name: "einsum 'ij->ji' transpose", f: (a) => mx.einsum('ij->ji', a!), shapes: [[2, 3]] },
  { name: "einsum '...j,...j->...' broadcast", f: (a, b) => mx.einsum('...j,...j->...', a!, b!), shapes: [[2, 1, 3], [4, 3]] },
  { name: "einsum 'ij,jk,kl->il' (chain)", f: (a, b, c) => mx.einsum('ij,jk,kl->il', a!, b!, c!), shapes: [[2, 3], [3, 2], [2, 2]] },
];

for (const c of cases) {
  test(`${c.name}: gradient, jvp/vjp, vmap`, async () => {
    const args = c.shapes.map((s, i) => f64(s, 11 + i));
    await checkGrad(c.f, args);
    await checkJvpVjp(c.f, args);
    const axes = c.vmapAxes ?? c.shapes.map(() => 0);
    // a mapped axis of size 2 inserted at the given position of each mapped argument
    const vargs = args.map((a, i) => {
      const ax = axes[i];
      if (ax === null || ax === undefined) return a;
      return mx.stack([a, mx.multiply(a, -0.5)], ax);
    });
    await checkVmap(c.f, vargs, axes.map((x) => x ?? null), 1e-12);
  });
}

test('second order: grad of grad through matmul and contract', async (t) => {
  // f(x) = sum((x @ x)^2) composed through einsum; compare the gradient of <grad f, v> with finite differences
  const v = f64([3, 3], 5);
  const g = (x: mx.MxArray) => mx.sum(mx.multiply(mx.grad((y: mx.MxArray) => mx.sum(mx.einsum('ij,jk->ik', y, mx.matmul(y, y))))(x), v));
  try {
    await checkGrad(g, [f64([3, 3], 6)], { rtol: 1e-5, atol: 1e-6 });
  } catch (e) {
    // the rules of the elementwise/layout/reduce families land separately; skip until they exist
    const m = /Primitive "(\w+)" has no (vjp|jvp) rule/.exec(String(e));
    if (m && !['matmul', 'addmm', 'contract'].includes(m[1]!)) t.skip(`needs the ${m[1]} rule`);
    else throw e;
  }
});

test('integer contractions give no gradient', async () => {
  const a = mx.array([[1, 2], [3, 4]], mx.int32);
  const [, [da]] = mx.vjp((x) => mx.einsum('ij->', x), [a], [mx.array(1, mx.int32)]);
  assert.deepEqual(await da!.tolist(), [[0, 0], [0, 0]]);
});
