/**
 * @file Simple layers against NumPy: Linear, Bilinear, Embedding, LayerNorm, RMSNorm, GroupNorm (MLX's interleaved
 * groups), RoPE, SinusoidalPositionalEncoding, ALiBi, pooling in 1-D/3-D, Upsample; Dropout statistics; shapes
 * of the transformer stacks; initializer statistics.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import { numpy, npArg, assertClose, testArray } from '../helpers/numpy.js';
import { assertAllClose } from './helpers.js';

const tol = { rtol: 1e-4, atol: 1e-5, ignoreDtype: true };

async function vsNumpy(name: string, got: mx.MxArray, code: string, args: mx.MxArray[]): Promise<void> {
  const [r] = numpy([{ code, args: await Promise.all(args.map(npArg)) }]);
  await assertClose(got, r!, { ...tol, msg: name });
}

test('Linear, Bilinear, Embedding (and asLinear) vs NumPy', async () => {
  const x = testArray([2, 3, 4], mx.float32, 1, -1, 1);
  const lin = new nn.Linear(4, 5);
  await vsNumpy('Linear', lin.forward(x), 'result = a @ b.T + c', [x, lin.weight, lin.bias!]);
  const nob = new nn.Linear(4, 5, false);
  assert.equal(nob.bias, undefined);
  await vsNumpy('Linear no bias', nob.forward(x), 'result = a @ b.T', [x, nob.weight]);
  const bil = new nn.Bilinear(4, 3, 2);
  const x2 = testArray([2, 3, 3], mx.float32, 2, -1, 1);
  await vsNumpy('Bilinear', bil.forward(x, x2), "result = np.einsum('...i,oji,...j->...o', a, c, b) + d", [x, x2, bil.weight, bil.bias!]);
  const emb = new nn.Embedding(10, 4);
  const ids = mx.array([[1, 9, 0], [3, 3, 2]], mx.int32);
  await vsNumpy('Embedding', emb.forward(ids), 'result = b[a]', [ids, emb.weight]);
  await vsNumpy('asLinear', emb.asLinear(x), 'result = a @ b.T', [x, emb.weight]);
});

test('LayerNorm, RMSNorm, GroupNorm (interleaved groups) vs NumPy', async () => {
  const x = testArray([2, 3, 3, 8], mx.float32, 3, -2, 2);
  const ln = new nn.LayerNorm(8, 1e-5);
  ln.update({ weight: testArray([8], mx.float32, 4), bias: testArray([8], mx.float32, 5) });
  await vsNumpy('LayerNorm', ln.forward(x), 'm = a.mean(-1, keepdims=True); v = a.var(-1, keepdims=True); result = (a - m) / np.sqrt(v + 1e-5) * b + c', [x, ln.weight!, ln.bias!]);
  await vsNumpy('LayerNorm no affine', new nn.LayerNorm(8, 1e-5, false).forward(x), 'result = (a - a.mean(-1, keepdims=True)) / np.sqrt(a.var(-1, keepdims=True) + 1e-5)', [x]);
  const rms = new nn.RMSNorm(8, 1e-6);
  rms.update({ weight: testArray([8], mx.float32, 6) });
  await vsNumpy('RMSNorm', rms.forward(x), 'result = a / np.sqrt((a * a).mean(-1, keepdims=True) + 1e-6) * b', [x, rms.weight]);
  const gn = new nn.GroupNorm(2, 8);
  await vsNumpy('GroupNorm', gn.forward(x),
    'r = a.reshape(2, -1, 2); m = r.mean(1, keepdims=True); v = r.var(1, keepdims=True); result = ((r - m) / np.sqrt(v + 1e-5)).reshape(a.shape)', [x]);
});

test('RoPE (default and traditional, partial dims, offset) vs NumPy', async () => {
  const x = testArray([2, 5, 6], mx.float32, 7, -1, 1);
  const code = (trad: boolean, dims: number, offset: number, base: number, scale: number) => `
half = ${dims} // 2
pos = (np.arange(${offset}, ${offset} + a.shape[-2]) * ${scale})[:, None]
theta = pos * ${base} ** (-np.arange(half) * 2.0 / ${dims})
c, s = np.cos(theta), np.sin(theta)
r = a[..., :${dims}].astype(np.float64)
if ${trad ? 'True' : 'False'}:
    x1, x2 = r[..., 0::2], r[..., 1::2]
    out = np.stack([x1 * c - x2 * s, x1 * s + x2 * c], -1).reshape(r.shape)
else:
    x1, x2 = r[..., :half], r[..., half:]
    out = np.concatenate([x1 * c - x2 * s, x1 * s + x2 * c], -1)
result = np.concatenate([out, a[..., ${dims}:]], -1)`;
  await vsNumpy('RoPE', new nn.RoPE(6).forward(x), code(false, 6, 0, 10000, 1), [x]);
  await vsNumpy('RoPE traditional offset', new nn.RoPE(6, true).forward(x, 3), code(true, 6, 3, 10000, 1), [x]);
  await vsNumpy('RoPE partial base scale', new nn.RoPE(4, false, 100, 0.5).forward(x, 2), code(false, 4, 2, 100, 0.5), [x]);
});

test('SinusoidalPositionalEncoding and ALiBi vs NumPy', async () => {
  const p = mx.array([0, 1, 2.5, 7], mx.float32);
  await vsNumpy('Sinusoidal', new nn.SinusoidalPositionalEncoding(8).forward(p), `
sig = np.exp(np.log(1e-4) + (1 - np.arange(4) / 3) * (np.log(1.0) - np.log(1e-4)))
y = a[:, None] * sig
result = np.concatenate([np.sin(y), np.cos(y)], -1) * np.sqrt(2 / 8)`, [p]);
  await vsNumpy('Sinusoidal cosFirst fullTurns scale', new nn.SinusoidalPositionalEncoding(6, 0.01, 2, 1, true, true).forward(p), `
sig = 2 * np.pi * np.exp(np.log(0.01) + (1 - np.arange(3) / 2) * (np.log(2) - np.log(0.01)))
y = a[:, None] * sig
result = np.concatenate([np.cos(y), np.sin(y)], -1)`, [p]);
  const scores = testArray([1, 4, 3, 5], mx.float32, 8);
  await vsNumpy('ALiBi', new nn.ALiBi().forward(scores, 2), `
slopes = (2.0 ** 8) ** (-np.arange(1, 5) / 4)
d = -np.abs(np.arange(2, 5)[:, None] - np.arange(5)[None, :])
result = a + slopes[:, None, None] * d`, [scores]);
});

test('pooling in 1-D and 3-D, Upsample (nearest scale 3, linear without align, cubic on a ramp)', async () => {
  const x1 = testArray([2, 9, 3], mx.float32, 9);
  await vsNumpy('MaxPool1d', new nn.MaxPool1d(3, 2, 1).forward(x1), `
p = np.pad(a, ((0, 0), (1, 1), (0, 0)), constant_values=-np.inf)
result = np.stack([p[:, i:i + 3].max(1) for i in range(0, 9, 2)], 1)`, [x1]);
  const x3 = testArray([1, 4, 4, 6, 2], mx.float32, 10);
  await vsNumpy('AvgPool3d', new nn.AvgPool3d([2, 2, 3]).forward(x3),
    'result = a.reshape(1, 2, 2, 2, 2, 2, 3, 2).mean(axis=(2, 4, 6))', [x3]);
  const img = testArray([1, 3, 4, 2], mx.float32, 11);
  await vsNumpy('Upsample nearest x3', new nn.Upsample(3).forward(img), 'result = a.repeat(3, 1).repeat(3, 2)', [img]);
  await vsNumpy('Upsample linear 1-D', new nn.Upsample(2, 'linear').forward(x1), `
n = 9; src = np.maximum((np.arange(18) + 0.5) / 2 - 0.5, 0)
i0 = np.floor(src).astype(int); i1 = np.minimum(i0 + 1, n - 1); t = (src - i0)[None, :, None]
result = a[:, i0] * (1 - t) + a[:, i1] * t`, [x1]);
  // bicubic as PyTorch documents it: convolution weights with A = -0.75, clamped source indices
  await vsNumpy('Upsample cubic 2-D', new nn.Upsample([2, 1.5], 'cubic').forward(img), `
A = -0.75
def w(t):
    return [((A * (t + 1) - 5 * A) * (t + 1) + 8 * A) * (t + 1) - 4 * A, ((A + 2) * t - (A + 3)) * t * t + 1,
            ((A + 2) * (1 - t) - (A + 3)) * (1 - t) * (1 - t) + 1, ((A * (2 - t) - 5 * A) * (2 - t) + 8 * A) * (2 - t) - 4 * A]
def resize(x, axis, s):
    n = x.shape[axis]; m = int(n * s); out = []
    for i in range(m):
        src = (i + 0.5) / s - 0.5; f = int(np.floor(src)); t = src - f
        acc = 0
        for k, wk in zip(range(-1, 3), w(t)):
            acc = acc + wk * np.take(x, min(max(f + k, 0), n - 1), axis=axis)
        out.append(acc)
    return np.stack(out, axis)
result = resize(resize(a.astype(np.float64), 1, 2), 2, 1.5)`, [img]);
});

test('Dropout: identity in eval, keep rate and scaling in training; channel dropout masks whole channels', async () => {
  const x = mx.ones([200, 50]);
  const d = new nn.Dropout(0.25);
  const y = d.forward(x);
  const vals = Array.from(await y.data() as Float32Array);
  const kept = vals.filter((v) => v !== 0);
  assert.ok(kept.every((v) => Math.abs(v - 1 / 0.75) < 1e-6));
  assert.ok(Math.abs(kept.length / vals.length - 0.75) < 0.02, `keep rate ${kept.length / vals.length}`);
  d.eval();
  assert.ok(d.forward(x) === x);
  const img = mx.ones([4, 5, 5, 16]);
  const z = await new nn.Dropout2d(0.5).forward(img).tolist() as number[][][][];
  for (const n of z) for (let c = 0; c < 16; c++) {
    const ch = n.flatMap((r) => r.map((p) => p[c]!));
    assert.ok(ch.every((v) => v === ch[0]), 'a channel is kept or dropped whole');
  }
  assert.throws(() => new nn.Dropout(1), /not in \[0, 1\)/);
  assert.throws(() => new nn.Dropout3d(0.5).forward(img.reshape([4, 5, 5, 4, 4, 1])), /Expected input with 4 or 5 dimensions/);
});

test('MultiHeadAttention, transformer stacks: shapes, causal mask, eval determinism; RNN/GRU/LSTM shapes', async () => {
  const x = testArray([2, 5, 16], mx.float32, 12, -1, 1);
  const mask = nn.MultiHeadAttention.createAdditiveCausalMask(5);
  assert.deepEqual(await mask.index(1).tolist(), [0, 0, -1e9, -1e9, -1e9]);
  const enc = new nn.TransformerEncoder(2, 16, 4, 32);
  assert.deepEqual(enc.forward(x, mask).shape, [2, 5, 16]);
  const dec = new nn.TransformerDecoder(1, 16, 4);
  assert.deepEqual(dec.forward(x, x, mask).shape, [2, 5, 16]);
  const t = new nn.Transformer({ dims: 16, numHeads: 2, numEncoderLayers: 1, numDecoderLayers: 1, dropout: 0.1, normFirst: false });
  t.eval();
  await assertAllClose(t.forward(x, x, null, mask), t.forward(x, x, null, mask), 0, 0, 'eval is deterministic');
  // causality: changing a later position leaves earlier outputs unchanged
  const mha = new nn.MultiHeadAttention(16, 4);
  const x2 = mx.concatenate([x.index(':', ':4'), mx.zeros([2, 1, 16])], 1);
  await assertAllClose(mha.forward(x, x, x, mask).index(':', ':4'), mha.forward(x2, x2, x2, mask).index(':', ':4'), 1e-6, 1e-5, 'causal');
  assert.deepEqual(new nn.RNN(16, 8).forward(x).shape, [2, 5, 8]);
  assert.deepEqual(new nn.GRU(16, 8).forward(x.index(0)).shape, [5, 8]);
  const [h, c] = new nn.LSTM(16, 8).forward(x);
  assert.deepEqual([h.shape, c.shape], [[2, 5, 8], [2, 5, 8]]);
  assert.throws(() => new nn.MultiHeadAttention(10, 3), /not divisible/);
});

test('init: shapes, dtypes and distribution statistics', async () => {
  const w = mx.zeros([256, 128]);
  const stats = async (a: mx.MxArray): Promise<[number, number]> => {
    const v = Array.from(await a.data() as Float32Array);
    const m = v.reduce((s, x) => s + x, 0) / v.length;
    return [m, Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / v.length)];
  };
  const near = (a: number, b: number, rel = 0.05): void => assert.ok(Math.abs(a - b) <= rel * Math.abs(b) + 0.01 * Math.abs(b || 1) * 0 + 2e-3, `${a} vs ${b}`);
  let [m, s] = await stats(nn.init.normal(0.5, 2)(w)); near(m, 0.5, 0.05); near(s, 2);
  [m, s] = await stats(nn.init.uniform(-1, 3)(w)); near(m, 1, 0.05); near(s, 4 / Math.sqrt(12));
  [, s] = await stats(nn.init.glorotNormal()(w)); near(s, Math.sqrt(2 / 384));
  [, s] = await stats(nn.init.glorotUniform()(w, 2)); near(s, 2 * Math.sqrt(6 / 384) / Math.sqrt(3));
  [, s] = await stats(nn.init.heNormal()(w, 'fan_out')); near(s, 1 / Math.sqrt(256));
  [, s] = await stats(nn.init.heUniform()(w)); near(s, Math.sqrt(3 / 128) / Math.sqrt(3));
  assert.deepEqual(await nn.init.constant(3)(mx.zeros([2])).tolist(), [3, 3]);
  assert.deepEqual(await nn.init.identity()(mx.zeros([2, 2])).tolist(), [[1, 0], [0, 1]]);
  assert.equal(nn.init.normal(0, 1, mx.float16)(w).dtype, mx.float16);
  const sp = Array.from(await nn.init.sparse(0.25)(mx.zeros([8, 3])).data() as Float32Array);
  for (let c = 0; c < 3; c++) assert.equal([0, 1, 2, 3, 4, 5, 6, 7].filter((r) => sp[r * 3 + c] === 0).length, 2);
  const q = nn.init.orthogonal()(mx.zeros([5, 3]));
  await assertAllClose(mx.matmul(mx.transpose(q), q), mx.eye(3), 1e-5, 1e-5, 'orthogonal');
  assert.throws(() => nn.init.glorotNormal()(mx.zeros([3])), /at least 2 dimensions/);
  // fan-in of a conv weight [out, k, k, in] counts the receptive field
  assert.deepEqual(nn.init.fans([8, 3, 3, 4]), [36, 72]);
});
