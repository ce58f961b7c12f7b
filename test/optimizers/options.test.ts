/**
 * @file Optimizer constructors take MLX's keyword parameters positionally or in an options object.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import * as optim from '../../src/optimizers/index.js';

async function stepWith(opt: optim.Optimizer): Promise<number[]> {
  const model = new nn.Linear(3, 2);
  model.update({ weight: mx.array([[1, 2, 3], [4, 5, 6]], mx.float32), bias: mx.array([1, -1], mx.float32) });
  const grads = { weight: mx.array([[0.5, -1, 2], [1, 1, -3]], mx.float32), bias: mx.array([0.25, -0.5], mx.float32) };
  opt.update(model, grads);
  opt.update(model, grads);
  return [...(await (model.parameters() as { weight: mx.MxArray }).weight.data<Float32Array>())];
}

test('options form equals the positional form', async () => {
  assert.deepEqual(await stepWith(new optim.AdamW({ learningRate: 0.1, weightDecay: 0.2, eps: 1e-6 })),
    await stepWith(new optim.AdamW(0.1, [0.9, 0.999], 1e-6, 0.2)));
  assert.deepEqual(await stepWith(new optim.SGD(0.1, { momentum: 0.9, nesterov: true })),
    await stepWith(new optim.SGD(0.1, 0.9, 0, 0, true)));
  assert.deepEqual(await stepWith(new optim.Lion({ learningRate: 0.01, betas: [0.8, 0.95] })),
    await stepWith(new optim.Lion(0.01, [0.8, 0.95])));
  // defaults stay defaults; the result differs from a different setting (the test can fail)
  assert.notDeepEqual(await stepWith(new optim.AdamW({ learningRate: 0.1 })), await stepWith(new optim.AdamW(0.1, [0.9, 0.999], 1e-8, 0.5)));
  assert.ok(new optim.Adam({ learningRate: 1e-3 }) instanceof optim.Optimizer);
});

test('options errors name the optimizer', () => {
  assert.throws(() => new optim.AdamW({ learningRate: 1e-3, weightDecy: 0.1 } as never), /\[AdamW\] Unknown option "weightDecy"/);
  assert.throws(() => new optim.SGD({ momentum: 0.9 } as never), /\[SGD\] A learning rate is required/);
});
