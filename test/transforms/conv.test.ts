/**
 * @file Transform rules of the convolutions: gradients of input and weight against float64 central differences,
 * jvp/vjp consistency, and vmap (batched input, batched weight, both, other axes) against a loop, over stride,
 * padding (also negative and asymmetric), kernel and input dilation, groups, flip and the transposed forms.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { checkGrad, checkJvpVjp, checkVmap, f64 } from '../helpers/transforms.js';

type F2 = (x: mx.MxArray, w: mx.MxArray) => mx.MxArray;
interface Row { note: string; x: number[]; w: number[]; f: F2 }

const ROWS: Row[] = [
  { note: 'conv1d plain', x: [2, 5, 2], w: [3, 3, 2], f: (x, w) => mx.conv1d(x, w) },
  { note: 'conv1d stride/pad/dilation/groups', x: [2, 7, 4], w: [4, 2, 2], f: (x, w) => mx.conv1d(x, w, 2, 1, 2, 2) },
  { note: 'conv1d stride leaves a tail', x: [1, 8, 1], w: [2, 3, 1], f: (x, w) => mx.conv1d(x, w, 3) },
  { note: 'conv2d per-dim', x: [1, 5, 6, 2], w: [2, 2, 3, 2], f: (x, w) => mx.conv2d(x, w, [2, 1], [1, 0], [1, 2]) },
  { note: 'conv2d depthwise', x: [1, 4, 4, 2], w: [2, 2, 2, 1], f: (x, w) => mx.conv2d(x, w, 1, 1, 1, 2) },
  { note: 'conv3d', x: [1, 3, 3, 3, 1], w: [2, 2, 2, 2, 1], f: (x, w) => mx.conv3d(x, w, [1, 2, 1], [0, 1, 0]) },
  {
    note: 'convGeneral input dilation, flip, negative/asymmetric padding', x: [1, 5, 2], w: [2, 3, 2],
    f: (x, w) => mx.convGeneral(x, w, 2, [[-1], [3]], 2, 2, 1, true),
  },
  {
    note: 'convGeneral 2d groups + flip', x: [1, 4, 3, 4], w: [4, 2, 2, 2],
    f: (x, w) => mx.convGeneral(x, w, [1, 2], [[1, 0], [0, 1]], [1, 1], [2, 1], 2, true),
  },
  { note: 'convTranspose1d', x: [1, 4, 2], w: [3, 3, 2], f: (x, w) => mx.convTranspose1d(x, w, 2, 1, 1, 1) },
  { note: 'convTranspose2d groups', x: [1, 3, 2, 2], w: [4, 2, 2, 1], f: (x, w) => mx.convTranspose2d(x, w, [2, 1], 0, [1, 2], 0, 2) },
];

test('conv gradients (input and weight) match finite differences', async () => {
  for (const r of ROWS) {
    await checkGrad(r.f, [f64(r.x, 1), f64(r.w, 2)]).catch((e: Error) => assert.fail(`${r.note}: ${e.message}`));
  }
});

test('conv jvp agrees with vjp', async () => {
  for (const r of ROWS) {
    await checkJvpVjp(r.f, [f64(r.x, 3), f64(r.w, 4)]).catch((e: Error) => assert.fail(`${r.note}: ${e.message}`));
  }
  // a tangent for one argument only (the other is a closed-over constant)
  const w = f64([3, 3, 2], 5);
  await checkJvpVjp((x) => mx.conv1d(x, w, 1, 1), [f64([2, 5, 2], 6)]);
});

test('conv vmap: batched input, batched weight, both, other axes', async () => {
  for (const r of ROWS) {
    const xb = f64([3, ...r.x], 7), wb = f64([3, ...r.w], 8);
    const at = (e: Error) => assert.fail(`${r.note}: ${e.message}`);
    await checkVmap(r.f, [xb, f64(r.w, 9)], [0, null]).catch(at);
    await checkVmap(r.f, [f64(r.x, 10), wb], [null, 0]).catch(at);
    await checkVmap(r.f, [xb, wb], [0, 0]).catch(at);
  }
  // batch axes other than 0
  const f: F2 = (x, w) => mx.conv2d(x, w, 1, 1, 1, 2);
  await checkVmap(f, [f64([1, 4, 3, 4, 4], 11), f64([2, 2, 2, 3, 2], 12)], [2, 3]);
  await checkVmap(f, [f64([1, 4, 4, 4, 3], 13), f64([2, 2, 2, 2], 14)], [4, null]);
});

test('second-order: gradient of a gradient through conv', async () => {
  // d/dw of sum(d/dx sum(conv(x, w)^2)) by finite differences of the first gradient
  const x = f64([1, 5, 2], 15), w = f64([2, 3, 2], 16);
  const gx = (w_: mx.MxArray) => mx.grad((x_: mx.MxArray) => mx.sum(mx.square(mx.conv1d(x_, w_, 1, 1))))(x) as mx.MxArray;
  await checkGrad((w_) => gx(w_), [w]);
});
