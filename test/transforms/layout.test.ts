/**
 * @file Transform rules of the layout family: gradients against central finite differences (float64), jvp/vjp
 * consistency, and vmap against a loop over the mapped axis, for every layout op and the composites built on them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { checkGrad, checkJvpVjp, checkVmap, f64 } from '../helpers/transforms.js';

type F = (...xs: mx.MxArray[]) => mx.MxArray | mx.MxArray[];
interface Case {
  name: string;
  f: F;
  /** Argument shapes (float64 inputs). */
  shapes: number[][];
  /** in_axes lists to check vmap with; each batch axis gets size 3 inserted into the shape. */
  vmaps: (number | null)[][];
}

const cases: Case[] = [
  { name: 'reshape', f: (x) => x.reshape([3, 2]), shapes: [[2, 3]], vmaps: [[0], [1], [2]] },
  { name: 'reshape -1', f: (x) => mx.reshape(x, [-1]), shapes: [[2, 2, 2]], vmaps: [[2]] },
  { name: 'transpose', f: (x) => mx.transpose(x, [2, 0, 1]), shapes: [[2, 3, 2]], vmaps: [[0], [2]] },
  { name: 'transpose default', f: (x) => mx.transpose(x), shapes: [[2, 3]], vmaps: [[1]] },
  { name: 'broadcastTo', f: (x) => mx.broadcastTo(x, [2, 3, 4]), shapes: [[3, 1]], vmaps: [[0], [1]] },
  { name: 'broadcastTo scalar', f: (x) => mx.broadcastTo(x, [2, 2]), shapes: [[]], vmaps: [[0]] },
  { name: 'expandDims', f: (x) => mx.expandDims(x, [0, 2]), shapes: [[2, 3]], vmaps: [[0], [1]] },
  { name: 'squeeze', f: (x) => mx.squeeze(x, 1), shapes: [[2, 1, 3]], vmaps: [[0], [2]] },
  { name: 'moveaxis', f: (x) => mx.moveaxis(x, 0, 2), shapes: [[2, 3, 2]], vmaps: [[1]] },
  { name: 'swapaxes', f: (x) => mx.swapaxes(x, 0, 1), shapes: [[2, 3]], vmaps: [[0], [1]] },
  { name: 'split sections', f: (x) => mx.split(x, 2, 1), shapes: [[2, 4]], vmaps: [[0], [1]] },
  { name: 'split indices', f: (x) => mx.split(x, [1, 3]), shapes: [[4, 2]], vmaps: [[1]] },
  { name: 'split one piece used', f: (x) => mx.split(x, [1])[1]!, shapes: [[3, 2]], vmaps: [[0]] },
  { name: 'diff (overlapping split)', f: (x) => mx.diff(x, 2, 0), shapes: [[4, 2]], vmaps: [[0], [1]] },
  { name: 'concatenate', f: (a, b) => mx.concatenate([a, b], 1), shapes: [[2, 2], [2, 3]], vmaps: [[0, 0], [null, 0], [1, null], [2, 0]] },
  { name: 'concatenate self', f: (a) => mx.concatenate([a, a.mul(2), a]), shapes: [[2, 2]], vmaps: [[1]] },
  { name: 'stack', f: (a, b) => mx.stack([a, b], 1), shapes: [[2, 3], [2, 3]], vmaps: [[0, 1], [null, 0]] },
  { name: 'pad constant', f: (x) => mx.pad(x, [[1, 0], [2, 1]]), shapes: [[2, 3]], vmaps: [[0], [1]] },
  { name: 'pad constant value', f: (x, c) => mx.pad(x, 1, 'constant', c), shapes: [[2, 2], []], vmaps: [[0, null], [null, 0], [1, 0]] },
  { name: 'pad edge', f: (x) => mx.pad(x, [[2, 1], [0, 2]], 'edge'), shapes: [[2, 3]], vmaps: [[0], [2]] },
  { name: 'pad reflect', f: (x) => mx.pad(x, [[2, 1]], 'reflect'), shapes: [[4]], vmaps: [[0]] },
  { name: 'pad symmetric', f: (x) => mx.pad(x, [[1, 2], [3, 1]], 'symmetric'), shapes: [[3, 2]], vmaps: [[1]] },
  { name: 'flip', f: (x) => mx.flip(x, 1), shapes: [[2, 3]], vmaps: [[0], [1]] },
  { name: 'flip all', f: (x) => mx.flip(x), shapes: [[2, 3]], vmaps: [[2]] },
  { name: 'roll', f: (x) => mx.roll(x, 1, 1), shapes: [[2, 3]], vmaps: [[0], [1]] },
  { name: 'roll flat', f: (x) => mx.roll(x, -2), shapes: [[2, 3]], vmaps: [[1]] },
  { name: 'tile', f: (x) => mx.tile(x, [2, 1, 2]), shapes: [[2, 2]], vmaps: [[0], [1]] },
  { name: 'repeat', f: (x) => mx.repeat(x, 3, 1), shapes: [[2, 2]], vmaps: [[0], [2]] },
  { name: 'repeat flat', f: (x) => mx.repeat(x, 2), shapes: [[2, 2]], vmaps: [[1]] },
  { name: 'diagonal', f: (x) => mx.diagonal(x), shapes: [[3, 3]], vmaps: [[0], [1]] },
  { name: 'diagonal offset axes', f: (x) => mx.diagonal(x, 1, 2, 0), shapes: [[3, 2, 4]], vmaps: [[0], [3]] },
  { name: 'diagonal negative offset', f: (x) => mx.diagonal(x, -1), shapes: [[3, 4]], vmaps: [[2]] },
  { name: 'diag vector', f: (x) => mx.diag(x), shapes: [[3]], vmaps: [[0]] },
  { name: 'diag vector k', f: (x) => mx.diag(x, -2), shapes: [[2]], vmaps: [[1]] },
  { name: 'diag matrix', f: (x) => mx.diag(x, 1), shapes: [[3, 3]], vmaps: [[0]] },
  { name: 'asStrided windows', f: (x) => mx.asStrided(x, [3, 3], [1, 1]), shapes: [[5]], vmaps: [[0], [1]] },
  { name: 'asStrided 2-D', f: (x) => mx.asStrided(x, [2, 2], [3, 1], 1), shapes: [[2, 3]], vmaps: [[2]] },
  { name: 'contiguous', f: (x) => mx.contiguous(mx.transpose(x)), shapes: [[2, 3]], vmaps: [[0], [1]] },
];

/** Inserts the batch size 3 at each mapped axis. */
function batchedShape(shape: number[], ax: number | null): number[] {
  if (ax === null) return shape;
  const s = [...shape];
  s.splice(ax, 0, 3);
  return s;
}

for (const c of cases) {
  test(`layout rules: ${c.name}`, async () => {
    const args = c.shapes.map((s, i) => f64(s, 11 + i));
    await checkGrad(c.f, args);
    await checkJvpVjp(c.f, args);
    for (const axes of c.vmaps) {
      const bargs = c.shapes.map((s, i) => f64(batchedShape(s, axes[i]!), 31 + i));
      await checkVmap(c.f, bargs, axes);
    }
  });
}

test('layout rules: grad of grad through views', async () => {
  // f(x) = sum(pad(x^2 flipped)^2 * w): second derivative along a direction, against finite differences of grad
  const w = f64([4, 5], 7);
  const f = (x: mx.MxArray) => mx.sum(mx.multiply(mx.square(mx.pad(mx.flip(mx.square(x), 0), [[1, 0], [0, 2]], 'edge')), w));
  const g = (x: mx.MxArray) => mx.sum(mx.multiply(mx.grad(f)(x) as mx.MxArray, f64([3, 3], 9)));
  await checkGrad(g, [f64([3, 3], 5)], { rtol: 1e-5, atol: 1e-6 });
});

test('layout rules: view is not differentiable, but batches', async () => {
  const x = mx.array([[1, 2], [3, 4]], mx.float32);
  assert.throws(() => mx.grad((a: mx.MxArray) => mx.sum(mx.view(a, mx.float32)))(x), /\[view\] .*not differentiable/);
  assert.throws(() => mx.jvp((a: mx.MxArray) => mx.view(a, mx.float32), [x], [x]), /\[view\] .*not differentiable/);
  const f = (a: mx.MxArray) => mx.view(a, mx.uint8);
  await checkVmap(f, [mx.array([[1, 2], [3, 4], [5, 6]], mx.float32)], [0]);
  await checkVmap(f, [mx.array([[1, 2], [3, 4], [5, 6]], mx.float32)], [1]);
  await checkVmap((a) => mx.view(a, mx.int16), [mx.array([[1, 2, 3, 4]], mx.int32)], [1]);
});

test('layout rules: unused split outputs get zero cotangents', async () => {
  const x = mx.arange(6, mx.float64);
  const g = mx.grad((a: mx.MxArray) => mx.sum(mx.split(a, 3)[1]!))(x);
  assert.deepEqual(await g.tolist(), [0, 0, 1, 1, 0, 0]);
  const h = mx.grad((a: mx.MxArray) => mx.sum(mx.multiply(mx.asStrided(a, [3, 3], [1, 1]), 1)))(mx.arange(5, mx.float64));
  assert.deepEqual(await h.tolist(), [1, 2, 3, 2, 1]);
});
