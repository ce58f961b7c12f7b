/**
 * @file nn layers against the PyTorch fixtures (float64 references saved as float32, MLX layouts).
 */
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as mx from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import { FIXTURES, fixtures, assertAllClose } from './helpers.js';

const meta = JSON.parse(readFileSync(path.join(FIXTURES, 'nn.json'), 'utf8')) as Record<string, { layer?: string; fn?: string; args?: unknown[]; mode?: string }>;

/** Loads `k/<name>` for every parameter the layer holds (by checkpoint name) and checks forward(in) against out. */
async function checkLayer(k: string, layer: nn.Module, run: (x: mx.MxArray) => mx.MxArray, atol = 2e-5): Promise<void> {
  const f = await fixtures();
  const weights = Object.keys(layer.namedWeights()).filter((n) => `${k}/${n}` in f).map((n) => [n, f[`${k}/${n}`]!] as const);
  await layer.loadWeights(weights, false);
  await assertAllClose(run(f[`${k}/in`]!), f[`${k}/out`]!, atol, 1e-4, k);
}

const layers: Record<string, (args: any[]) => nn.Module> = {
  Conv1d: (a) => new nn.Conv1d(...(a as [number, number, number])),
  Conv2d: (a) => new nn.Conv2d(...(a as [number, number, number])),
  Conv3d: (a) => new nn.Conv3d(...(a as [number, number, number])),
  ConvTranspose1d: (a) => new nn.ConvTranspose1d(...(a as [number, number, number])),
  ConvTranspose2d: (a) => new nn.ConvTranspose2d(...(a as [number, number, number])),
  RNN: (a) => new nn.RNN(a[0], a[1], a[2]),
  GRU: (a) => new nn.GRU(a[0], a[1], a[2]),
  LSTM: (a) => new nn.LSTM(a[0], a[1], a[2]),
  BatchNorm: (a) => new nn.BatchNorm(a[0]),
  GroupNorm: (a) => new nn.GroupNorm(...(a as [number, number, number, boolean, boolean])),
  InstanceNorm: (a) => new nn.InstanceNorm(...(a as [number, number, boolean])),
  MaxPool2d: (a) => new nn.MaxPool2d(a[0], a[1], a[2]),
  AvgPool2d: (a) => new nn.AvgPool2d(a[0], a[1], a[2]),
  Upsample: (a) => new nn.Upsample(a[0], a[1], a[2] ?? false),
};

for (const [k, m] of Object.entries(meta)) {
  if (!m.layer) continue;
  test(`fixture ${k}: ${m.layer}`, async () => {
    if (m.layer === 'MultiHeadAttention') {
      const mha = new nn.MultiHeadAttention(...(m.args as [number, number]));
      await checkLayer(k, mha, (x) => mha.forward(x, x, x, nn.MultiHeadAttention.createAdditiveCausalMask(x.shape[1]!)));
      return;
    }
    const layer = layers[m.layer!]!(m.args ?? []);
    if (m.mode === 'train') layer.train();
    const run = m.layer === 'LSTM' ? (x: mx.MxArray) => (layer as nn.LSTM).forward(x)[0] : (x: mx.MxArray) => layer.forward(x);
    await checkLayer(k, layer, run, m.layer!.startsWith('Conv') ? 1e-4 : 2e-5);
  });
}

const acts: Record<string, (x: mx.MxArray) => mx.MxArray> = {
  gelu: nn.gelu, gelu_approx: nn.geluApprox, silu: nn.silu, mish: nn.mish, elu: (x) => nn.elu(x), selu: nn.selu,
  softplus: nn.softplus, log_softmax: (x) => nn.logSoftmax(x), hardswish: nn.hardSwish, celu: (x) => nn.celu(x),
  leaky_relu: (x) => nn.leakyRelu(x), relu6: nn.relu6, softsign: nn.softsign, log_sigmoid: nn.logSigmoid,
  glu: (x) => nn.glu(x), hard_tanh: (x) => nn.hardTanh(x),
};

test('fixture activations (16 functions)', async () => {
  const f = await fixtures();
  for (const [k, m] of Object.entries(meta)) {
    if (!m.fn) continue;
    let x = f[`${k}/in`]!;
    if (m.fn === 'glu' && x.shape[1]! % 2) x = x.index(':', ':6');
    await assertAllClose(acts[m.fn]!(x), f[`${k}/out`]!, 2e-6, 1e-5, k);
  }
});
