/**
 * @file Losses against the PyTorch fixtures (mean reductions) and, for the rest, against their formulas computed
 * here in float64 JS; reductions and argument errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import { fixtures, assertAllClose } from './helpers.js';

const L = nn.losses;

test('losses vs PyTorch fixtures', async () => {
  const f = await fixtures();
  const logits = f['loss/logits']!, t = f['loss/targets']!, probs = f['loss/probs']!, bin = f['loss/binary']!;
  const a = f['loss/a']!, b = f['loss/b']!;
  const want = (k: string): mx.MxArray => f[`loss/${k}`]!;
  const rows: [string, mx.MxArray, string][] = [
    ['crossEntropy', L.crossEntropy(logits, t, { reduction: 'mean' }), 'cross_entropy_mean'],
    ['crossEntropy ls', L.crossEntropy(logits, t, { labelSmoothing: 0.1, reduction: 'mean' }), 'cross_entropy_ls0.1_mean'],
    ['binaryCrossEntropy probs', L.binaryCrossEntropy(probs, bin, { withLogits: false }), 'binary_cross_entropy_probs_mean'],
    ['mseLoss', L.mseLoss(a, b), 'mse_mean'],
    ['l1Loss', L.l1Loss(a, b), 'l1_mean'],
    ['smoothL1Loss', L.smoothL1Loss(a, b, 1), 'smooth_l1_beta1_mean'],
    ['huberLoss', L.huberLoss(a, b, 1, 'mean'), 'huber_delta1_mean'],
    ['klDivLoss', L.klDivLoss(nn.logSoftmax(a), nn.logSoftmax(b), -1, 'sum'), 'kl_div_logprob_sum'],
    ['nllLoss', L.nllLoss(nn.logSoftmax(logits), t, -1, 'mean'), 'nll_mean'],
    // the fixture is PyTorch's cosine embedding loss (1 - similarity); MLX's loss is the similarity itself
    ['cosineSimilarityLoss', mx.subtract(1, L.cosineSimilarityLoss(a, b, { reduction: 'mean' })), 'cosine_similarity_loss_mean'],
  ];
  for (const [name, got, key] of rows) await assertAllClose(got, want(key), 1e-5, 1e-5, name);
  // class probabilities: one-hot targets give the index result
  const onehot = mx.equal(mx.reshape(t, [-1, 1]), mx.reshape(mx.arange(5), [1, -1])).astype(mx.float32);
  await assertAllClose(L.crossEntropy(logits, onehot, { reduction: 'mean' }), want('cross_entropy_mean'), 1e-5, 1e-5, 'probs');
});

const xs = [0.3, -1.2, 2.5, 0.0, -0.4, 1.1];
const ys = [1, -1, 1, -1, 1, 1];
const zs = [0.1, -0.9, 0.5, 0.7, -2.0, 1.0];
const arr = (v: number[]): mx.MxArray => mx.array(v, mx.float32);

test('elementwise losses vs formulas; reductions', async () => {
  const cases: [string, mx.MxArray, number[]][] = [
    ['hinge', L.hingeLoss(arr(xs), arr(ys)), xs.map((x, i) => Math.max(1 - x * ys[i]!, 0))],
    ['huber delta 0.5', L.huberLoss(arr(xs), arr(zs), 0.5), xs.map((x, i) => { const d = Math.abs(x - zs[i]!); return d <= 0.5 ? 0.5 * d * d : 0.5 * (d - 0.25); })],
    ['logCosh', L.logCoshLoss(arr(xs), arr(zs)), xs.map((x, i) => Math.log(Math.cosh(x - zs[i]!)))],
    ['marginRanking', L.marginRankingLoss(arr(xs), arr(zs), arr(ys), 0.2), xs.map((x, i) => Math.max(-ys[i]! * (x - zs[i]!) + 0.2, 0))],
    ['smoothL1 beta 2', L.smoothL1Loss(arr(xs), arr(zs), 2, 'none'), xs.map((x, i) => { const d = Math.abs(x - zs[i]!); return d < 2 ? 0.25 * d * d : d - 1; })],
    ['bce logits', L.binaryCrossEntropy(arr(xs), arr(ys.map((y) => (y + 1) / 2)), { reduction: 'none' }),
      xs.map((x, i) => { const y = (ys[i]! + 1) / 2; return Math.log1p(Math.exp(x)) - x * y; })],
    ['gaussianNll full', L.gaussianNllLoss(arr(xs), arr(zs), arr(xs.map((x) => x * x)), { full: true, reduction: 'none' }),
      xs.map((x, i) => { const v = Math.max(x * x, 1e-6); return 0.5 * (Math.log(v) + (zs[i]! - x) ** 2 / v) + 0.5 * Math.log(2 * Math.PI); })],
  ];
  for (const [name, got, want] of cases) await assertAllClose(got, want, 1e-5, 1e-5, name);
  const mse = xs.map((x, i) => (x - zs[i]!) ** 2);
  await assertAllClose(L.mseLoss(arr(xs), arr(zs), 'sum'), mse.reduce((p, q) => p + q), 1e-5, 1e-5, 'sum');
  await assertAllClose(L.mseLoss(arr(xs), arr(zs), 'none'), mse, 1e-5, 1e-5, 'none');
  assert.throws(() => L.mseLoss(arr(xs), arr(zs), 'avg' as never), /Invalid reduction "avg"/);
  assert.throws(() => L.mseLoss(arr(xs), arr([1, 2])), /\[mseLoss\] Predictions shape \(6\) does not match \(2\)/);
});

test('crossEntropy weights/axis, tripletLoss, cosine similarity along an axis', async () => {
  const logits = mx.array([[1, 2, 0.5], [0.1, -1, 3]], mx.float32);
  const lse = (r: number[]): number => Math.log(r.reduce((s, v) => s + Math.exp(v), 0));
  const rows = [[1, 2, 0.5], [0.1, -1, 3]];
  const ce = [lse(rows[0]!) - 2, lse(rows[1]!) - 0.1];
  await assertAllClose(L.crossEntropy(logits, mx.array([1, 0]), { weights: arr([2, 0.5]) }), [2 * ce[0]!, 0.5 * ce[1]!], 1e-5, 1e-5, 'weights');
  await assertAllClose(L.crossEntropy(mx.transpose(logits), mx.array([1, 0]), { axis: 0 }), ce, 1e-5, 1e-5, 'axis 0');
  const A = [[1, 2], [0, 1]], P = [[1, 1], [2, 2]], N = [[3, 2], [0, -1]];
  const d = (u: number[], v: number[]): number => Math.sqrt((u[0]! - v[0]!) ** 2 + (u[1]! - v[1]!) ** 2 + 1e-6);
  const m2 = (x: number[][]): mx.MxArray => mx.array(x, mx.float32);
  await assertAllClose(L.tripletLoss(m2(A), m2(P), m2(N)), A.map((a, i) => Math.max(d(a, P[i]!) - d(a, N[i]!) + 1, 0)), 1e-5, 1e-5, 'triplet');
  const cos = A.map((a, i) => (a[0]! * N[i]![0]! + a[1]! * N[i]![1]!) / Math.hypot(...a) / Math.hypot(...N[i]!));
  await assertAllClose(L.cosineSimilarityLoss(m2(A), m2(N)), cos, 1e-5, 1e-5, 'cosine');
  assert.throws(() => L.crossEntropy(logits, mx.array([[[1]]])), /fit neither class indices nor probabilities/);
});
