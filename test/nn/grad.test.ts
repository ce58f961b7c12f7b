/**
 * @file Layer gradients against central finite differences (float64), nn.valueAndGrad over trainable parameters,
 * and training small models to a loss threshold with each optimizer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import { treeFlatten, treeUnflatten } from '../../src/utils/index.js';
import { checkGrad, f64 } from '../helpers/transforms.js';

const isArr = (x: unknown): boolean => x instanceof mx.MxArray;
const grad = { eps: 1e-6, rtol: 1e-5, atol: 1e-7 };

/** Checks d forward / d (input, every trainable parameter) of a float64 copy of `layer` at `x`. */
async function layerGrad(layer: nn.Module, x: mx.MxArray, run: (m: any, x: mx.MxArray) => mx.MxArray = (m, v) => m.forward(v), inputGrad = true): Promise<void> {
  layer.setDtype(mx.float64);
  const named = treeFlatten(layer.trainableParameters(), '', isArr) as [string, mx.MxArray][];
  const f = (xx: mx.MxArray, ...ps: mx.MxArray[]): mx.MxArray => {
    layer.update(treeUnflatten(named.map(([n], i) => [n, ps[i]!] as [string, unknown])));
    return run(layer, xx);
  };
  const args = [x, ...named.map(([, p]) => p)];
  await checkGrad(f, args, { ...grad, argnums: args.map((_, i) => i).filter((i) => i > 0 || inputGrad) });
}

const cases: [string, () => nn.Module, number[], ((m: any, x: mx.MxArray) => mx.MxArray)?][] = [
  ['Linear', () => new nn.Linear(3, 2), [2, 3]],
  ['Bilinear', () => new nn.Bilinear(3, 3, 2), [2, 3], (m, x) => m.forward(x, mx.sin(x))],
  ['LayerNorm', () => new nn.LayerNorm(4), [2, 4]],
  ['RMSNorm', () => new nn.RMSNorm(4), [2, 4]],
  ['GroupNorm', () => new nn.GroupNorm(2, 4), [2, 3, 4]],
  ['GroupNorm pytorch', () => new nn.GroupNorm(2, 4, 1e-5, true, true), [2, 3, 4]],
  ['InstanceNorm', () => new nn.InstanceNorm(2, 1e-5, true), [2, 3, 2]],
  ['BatchNorm', () => new nn.BatchNorm(3), [4, 3]],
  ['PReLU', () => new nn.PReLU(1, 0.2), [2, 3]],
  ['Conv1d', () => new nn.Conv1d(2, 3, 3, 2, 1), [1, 6, 2]],
  ['Conv2d groups', () => new nn.Conv2d(2, 2, 2, 1, 1, 1, 2), [1, 3, 3, 2]],
  ['ConvTranspose1d', () => new nn.ConvTranspose1d(2, 2, 3, 2, 1), [1, 4, 2]],
  ['RNN', () => new nn.RNN(2, 3), [1, 3, 2]],
  ['GRU', () => new nn.GRU(2, 2), [1, 3, 2]],
  ['LSTM', () => new nn.LSTM(2, 2), [1, 3, 2], (m, x) => { const [h, c] = m.forward(x); return mx.add(h, c); }],
  ['MultiHeadAttention', () => new nn.MultiHeadAttention(4, 2, null, null, null, null, null, true), [1, 3, 4],
    (m, x) => m.forward(x, x, x, nn.MultiHeadAttention.createAdditiveCausalMask(3, mx.float64))],
  ['MaxPool2d', () => new nn.MaxPool2d(2, 1, 1), [1, 3, 3, 1]],
  ['AvgPool1d', () => new nn.AvgPool1d(2, 1), [1, 4, 2]],
  ['Upsample linear', () => new nn.Upsample(2, 'linear'), [1, 3, 2, 1]],
  ['Upsample cubic', () => new nn.Upsample(2, 'cubic', true), [1, 3, 1]],
  ['RoPE', () => new nn.RoPE(4), [1, 3, 4], (m, x) => m.forward(x, 1)],
  ['SinusoidalPositionalEncoding', () => new nn.SinusoidalPositionalEncoding(4), [3]],
];

for (const [name, make, shape, run] of cases) {
  test(`gradient of ${name} (finite differences)`, async () => {
    await layerGrad(make(), f64(shape, shape.length + name.length), run);
  });
}

test('gradients of the activations and losses (finite differences)', async () => {
  const acts: ((x: mx.MxArray) => mx.MxArray)[] = [
    nn.gelu, nn.geluApprox, nn.geluFastApprox, nn.silu, nn.mish, nn.elu, nn.selu, nn.celu, nn.softplus, nn.softsign,
    nn.logSigmoid, nn.hardSwish, (x) => nn.leakyRelu(x, 0.1), (x) => nn.logSoftmax(x), (x) => nn.softmin(x), (x) => nn.glu(x),
  ];
  for (const a of acts) await checkGrad(a, [f64([2, 4], 3)], grad);
  const L = nn.losses;
  const t = mx.array([1, 0], mx.int32), y = f64([2, 3], 9);
  const fns: ((x: mx.MxArray) => mx.MxArray)[] = [
    (x) => L.crossEntropy(x, t, { labelSmoothing: 0.1, reduction: 'mean' }),
    (x) => L.crossEntropy(x, nn.softmax(y), { reduction: 'sum' }),
    (x) => L.binaryCrossEntropy(x, mx.greater(y, 0).astype(mx.float64)),
    (x) => L.mseLoss(x, y), (x) => L.l1Loss(x, y), (x) => L.smoothL1Loss(x, y, 0.5), (x) => L.huberLoss(x, y, 0.3, 'sum'),
    (x) => L.logCoshLoss(x, y, 'mean'), (x) => L.klDivLoss(nn.logSoftmax(x), nn.logSoftmax(y), -1, 'sum'),
    (x) => L.nllLoss(nn.logSoftmax(x), t, -1, 'mean'), (x) => L.cosineSimilarityLoss(x, y, { reduction: 'mean' }),
    (x) => L.tripletLoss(x, y, mx.cos(y), { reduction: 'mean' }), (x) => L.hingeLoss(x, y, 'mean'),
    (x) => L.marginRankingLoss(x, y, mx.sign(y), 0.1, 'mean'), (x) => L.gaussianNllLoss(x, y, mx.add(mx.square(y), 0.5)),
  ];
  for (const f of fns) await checkGrad(f, [f64([2, 3], 5)], grad);
});

test('nn.valueAndGrad: gradients w.r.t. trainable parameters only; the model keeps its arrays', async () => {
  const model = new nn.Sequential(new nn.Linear(3, 4), nn.relu, new nn.Linear(4, 1));
  (model.layers[0] as nn.Linear).freeze({ keys: ['bias'] });
  const before = model.parameters();
  const x = mx.random.normal([5, 3]), y = mx.random.normal([5, 1]);
  const lossFn = (xx: mx.MxArray, yy: mx.MxArray): mx.MxArray => nn.losses.mseLoss(model.forward(xx), yy);
  const [loss, grads] = nn.valueAndGrad(model, lossFn)(x, y);
  assert.deepEqual(treeFlatten(grads, '', isArr).map(([p]) => p).filter((p) => p), ['layers.0.weight', 'layers.2.weight', 'layers.2.bias']);
  assert.ok(model.parameters().layers[0].weight === before.layers[0].weight);
  // the last layer's bias gradient is d mean((o - y)^2)/d b = 2 mean(o - y)
  const o = model.forward(x);
  const want = await mx.multiply(mx.mean(mx.subtract(o, y)), 2).item() as number;
  assert.ok(Math.abs((await grads.layers[2].bias.index(0).item() as number) - want) < 1e-5);
  assert.ok(Math.abs((await loss.item() as number) - (await lossFn(x, y).item() as number)) < 1e-6);
});
