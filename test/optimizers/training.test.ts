/**
 * @file Each optimizer trains a small MLP (through nn.valueAndGrad) on a synthetic nonlinear binary problem to a
 * cross-entropy threshold.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import * as optim from '../../src/optimizers/index.js';

/** A two-moons-like binary problem: label = sign of a fixed nonlinear function of two inputs. */
function dataset(n: number): [mx.MxArray, mx.MxArray] {
  const x = mx.random.uniform({ low: -1, high: 1, shape: [n, 2], key: mx.random.key(7) });
  const [a, b] = mx.split(x, 2, 1);
  const y = mx.greater(mx.add(mx.sin(mx.multiply(a!, 3)), b!), 0).astype(mx.int32).reshape([-1]);
  return [x, y];
}

const STEPS = 120;

const trainers: [string, () => optim.Optimizer, number][] = [
  ['SGD momentum', () => new optim.SGD(0.3, 0.9), 0.2],
  ['Adam', () => new optim.Adam(0.03), 0.2],
  ['AdamW cosine schedule', () => new optim.AdamW(optim.cosineDecay(0.03, STEPS)), 0.2],
  ['RMSprop', () => new optim.RMSprop(0.01), 0.25],
  ['Adagrad', () => new optim.Adagrad(0.1), 0.25],
  ['AdaDelta', () => new optim.AdaDelta(10), 0.3],
  ['Adamax', () => new optim.Adamax(0.05), 0.25],
  ['Lion', () => new optim.Lion(0.01), 0.25],
  ['Adafactor', () => new optim.Adafactor({ learningRate: 0.05, relativeStep: false }), 0.25],
  ['Muon + Adam (MultiOptimizer)', () => new optim.MultiOptimizer([new optim.Muon(0.05, 0.9, 0), new optim.Adam(0.03)], [(p, g) => g.ndim === 2 && !p.startsWith('layers.4')]), 0.25],
];

for (const [name, make, threshold] of trainers) {
  test(`training an MLP with ${name} reaches cross-entropy < ${threshold}`, async () => {
    mx.random.seed(3);
    const [x, y] = dataset(128);
    const model = new nn.Sequential(new nn.Linear(2, 24), nn.relu, new nn.Linear(24, 24), nn.relu, new nn.Linear(24, 2));
    const opt = make();
    const step = nn.valueAndGrad(model, (xx: mx.MxArray, yy: mx.MxArray) => nn.losses.crossEntropy(model.forward(xx), yy, { reduction: 'mean' }));
    let last = Infinity;
    for (let i = 0; i < STEPS; i++) {
      const [loss, grads] = step(x, y);
      opt.update(model, grads);
      await mx.eval(model.parameters(), opt.state, loss);
      last = await loss.item() as number;
    }
    assert.ok(last < threshold, `${name}: final loss ${last}`);
  });
}
