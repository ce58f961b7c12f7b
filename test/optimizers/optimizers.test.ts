/**
 * @file Each optimizer's update against its published formula, recomputed here in float64 JS on a hand-made case
 * (three steps of fixed gradients), plus schedules, clipGradNorm, MultiOptimizer and state save/load.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as mx from '../../src/index.js';
import * as optim from '../../src/optimizers/index.js';
import { assertAllClose } from '../nn/helpers.js';

const P0 = [0.5, -1.2, 2.0, 0.03];
const GS = [[0.1, -0.4, 0.25, 0], [-0.2, 0.3, 0.5, 0.01], [0.05, 0.05, -1.0, -0.02]];

type Ref = (p: number[], g: number[], t: number, s: Record<string, number[]>) => number[];
const zeros = (n: number): number[] => Array(n).fill(0);
const map = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));

/** Runs the JS reference over GS. */
function reference(ref: Ref, p0 = P0, gs = GS): number[] {
  let p = [...p0];
  const s: Record<string, number[]> = {};
  gs.forEach((g, k) => { p = ref(p, g, k + 1, s); });
  return p;
}

async function runOpt(opt: optim.Optimizer, p0 = P0, gs = GS, shape = [p0.length]): Promise<mx.MxArray> {
  let params: any = { w: mx.array(p0, mx.float32).reshape(shape) };
  for (const g of gs) {
    params = opt.applyGradients({ w: mx.array(g, mx.float32).reshape(shape) }, params);
    await mx.eval(params, opt.state);
  }
  return params.w;
}

const lr = 0.1;
const cases: [string, () => optim.Optimizer, Ref][] = [
  ['SGD', () => new optim.SGD(lr), (p, g) => map(p.length, (i) => p[i]! - lr * g[i]!)],
  ['SGD momentum+dampening+wd', () => new optim.SGD(lr, 0.9, 0.01, 0.1), (p, g, _t, s) => {
    const v = (s.v ??= zeros(p.length));
    return map(p.length, (i) => { const gi = g[i]! + 0.01 * p[i]!; v[i] = 0.9 * v[i]! + 0.9 * gi; return p[i]! - lr * v[i]!; });
  }],
  ['SGD nesterov', () => new optim.SGD(lr, 0.9, 0, 0, true), (p, g, _t, s) => {
    const v = (s.v ??= zeros(p.length));
    return map(p.length, (i) => { v[i] = 0.9 * v[i]! + g[i]!; return p[i]! - lr * (g[i]! + 0.9 * v[i]!); });
  }],
  ['RMSprop', () => new optim.RMSprop(lr, 0.9, 1e-8), (p, g, _t, s) => {
    const v = (s.v ??= zeros(p.length));
    return map(p.length, (i) => { v[i] = 0.9 * v[i]! + 0.1 * g[i]! ** 2; return p[i]! - lr * g[i]! / (Math.sqrt(v[i]!) + 1e-8); });
  }],
  ['Adagrad', () => new optim.Adagrad(lr), (p, g, _t, s) => {
    const v = (s.v ??= zeros(p.length));
    return map(p.length, (i) => { v[i] = v[i]! + g[i]! ** 2; return p[i]! - lr * g[i]! / (Math.sqrt(v[i]!) + 1e-8); });
  }],
  ['AdaDelta', () => new optim.AdaDelta(1.0, 0.9, 1e-6), (p, g, _t, s) => {
    const v = (s.v ??= zeros(p.length)), u = (s.u ??= zeros(p.length));
    return map(p.length, (i) => {
      v[i] = 0.9 * v[i]! + 0.1 * g[i]! ** 2;
      const d = Math.sqrt(u[i]! + 1e-6) / Math.sqrt(v[i]! + 1e-6) * g[i]!;
      u[i] = 0.9 * u[i]! + 0.1 * d * d;
      return p[i]! - d;
    });
  }],
  ['Adam', () => new optim.Adam(lr), (p, g, _t, s) => {
    const m = (s.m ??= zeros(p.length)), v = (s.v ??= zeros(p.length));
    return map(p.length, (i) => {
      m[i] = 0.9 * m[i]! + 0.1 * g[i]!; v[i] = 0.999 * v[i]! + 0.001 * g[i]! ** 2;
      return p[i]! - lr * m[i]! / (Math.sqrt(v[i]!) + 1e-8);
    });
  }],
  ['Adam bias correction', () => new optim.Adam(lr, [0.8, 0.99], 1e-8, true), (p, g, t, s) => {
    const m = (s.m ??= zeros(p.length)), v = (s.v ??= zeros(p.length));
    return map(p.length, (i) => {
      m[i] = 0.8 * m[i]! + 0.2 * g[i]!; v[i] = 0.99 * v[i]! + 0.01 * g[i]! ** 2;
      const mh = m[i]! / (1 - 0.8 ** t), vh = v[i]! / (1 - 0.99 ** t);
      return p[i]! - lr * mh / (Math.sqrt(vh) + 1e-8);
    });
  }],
  ['AdamW', () => new optim.AdamW(lr, [0.9, 0.999], 1e-8, 0.05), (p, g, _t, s) => {
    const m = (s.m ??= zeros(p.length)), v = (s.v ??= zeros(p.length));
    return map(p.length, (i) => {
      m[i] = 0.9 * m[i]! + 0.1 * g[i]!; v[i] = 0.999 * v[i]! + 0.001 * g[i]! ** 2;
      return p[i]! * (1 - lr * 0.05) - lr * m[i]! / (Math.sqrt(v[i]!) + 1e-8);
    });
  }],
  ['Adamax', () => new optim.Adamax(lr), (p, g, _t, s) => {
    const m = (s.m ??= zeros(p.length)), v = (s.v ??= zeros(p.length));
    return map(p.length, (i) => {
      m[i] = 0.9 * m[i]! + 0.1 * g[i]!; v[i] = Math.max(0.999 * v[i]!, Math.abs(g[i]!));
      return p[i]! - lr * m[i]! / (v[i]! + 1e-8);
    });
  }],
  ['Lion', () => new optim.Lion(lr, [0.9, 0.99], 0.1), (p, g, _t, s) => {
    const m = (s.m ??= zeros(p.length));
    return map(p.length, (i) => {
      const c = 0.9 * m[i]! + 0.1 * g[i]!;
      m[i] = 0.99 * m[i]! + 0.01 * g[i]!;
      return p[i]! * (1 - lr * 0.1) - lr * Math.sign(c);
    });
  }],
  ['Adafactor (vector, relative step)', () => new optim.Adafactor(), (p, g, t, s) => {
    const v = (s.v ??= zeros(p.length));
    const rmsP = Math.sqrt(p.reduce((a, x) => a + x * x, 0) / p.length);
    const step = Math.max(1e-3, rmsP) * Math.min(1e-2, 1 / Math.sqrt(t));
    const b2 = 1 - t ** -0.8;
    const u = map(p.length, (i) => { v[i] = b2 * v[i]! + (1 - b2) * (g[i]! ** 2 + 1e-30); return g[i]! / Math.sqrt(v[i]!); });
    const rmsU = Math.sqrt(u.reduce((a, x) => a + x * x, 0) / u.length);
    return map(p.length, (i) => p[i]! - step * u[i]! / Math.max(1, rmsU));
  }],
];

for (const [name, make, ref] of cases) {
  test(`${name}: three updates match the formula`, async () => {
    await assertAllClose(await runOpt(make()), reference(ref), 1e-6, 1e-5, name);
  });
}

/** Row-major [r, c] matrix helpers for the factored references. */
const matmul = (a: number[], b: number[], n: number, k: number, m: number): number[] =>
  map(n * m, (ij) => { const i = Math.floor(ij / m), j = ij % m; let s = 0; for (let q = 0; q < k; q++) s += a[i * k + q]! * b[q * m + j]!; return s; });
const T = (a: number[], r: number, c: number): number[] => map(r * c, (ij) => a[(ij % r) * c + Math.floor(ij / r)]!);

test('Adafactor (matrix, factored, fixed lr, beta1, weight decay): formula', async () => {
  const R = 2, C = 3, lr2 = 0.05;
  const p0 = [0.5, -1.2, 2.0, 0.3, 0.7, -0.1];
  const gs = [[0.1, -0.4, 0.25, 0.2, 0.05, -0.3], [-0.2, 0.3, 0.5, 0.01, 0.2, 0.1]];
  const ref: Ref = (p, g, t, s) => {
    const row = (s.row ??= zeros(R)), col = (s.col ??= zeros(C)), ea = (s.ea ??= zeros(R * C));
    const rmsP = Math.sqrt(p.reduce((a, x) => a + x * x, 0) / p.length);
    const step = Math.max(1e-3, rmsP) * lr2;
    const b2 = 1 - t ** -0.8;
    const u2 = g.map((x) => x * x + 1e-30);
    for (let i = 0; i < R; i++) row[i] = b2 * row[i]! + (1 - b2) * (u2[i * C]! + u2[i * C + 1]! + u2[i * C + 2]!) / C;
    for (let j = 0; j < C; j++) col[j] = b2 * col[j]! + (1 - b2) * (u2[j]! + u2[C + j]!) / R;
    const rowMean = (row[0]! + row[1]!) / R;
    // v_ij ≈ row_i col_j / mean(row)
    let u = map(R * C, (ij) => g[ij]! / Math.sqrt(row[Math.floor(ij / C)]! * col[ij % C]! / rowMean));
    const rmsU = Math.sqrt(u.reduce((a, x) => a + x * x, 0) / u.length);
    u = u.map((x) => step * x / Math.max(1, rmsU));
    for (let i = 0; i < R * C; i++) ea[i] = 0.9 * ea[i]! + 0.1 * u[i]!;
    return map(R * C, (i) => p[i]! - step * 0.01 * p[i]! - ea[i]!);
  };
  const opt = new optim.Adafactor({ learningRate: lr2, relativeStep: false, beta1: 0.9, weightDecay: 0.01 });
  await assertAllClose((await runOpt(opt, p0, gs, [R, C])).reshape([-1]), reference(ref, p0, gs), 1e-6, 1e-5, 'Adafactor matrix');
});

test('Muon (matrix and vector): Newton-Schulz orthogonalized momentum', async () => {
  const R = 3, C = 2, lr2 = 0.02, mu = 0.95, wd = 0.01;
  const ns = (G: number[]): number[] => {
    // tall: work on the transpose [C, R]
    let X = T(G, R, C);
    const n = Math.sqrt(X.reduce((a, x) => a + x * x, 0)) + 1e-7;
    X = X.map((x) => x / n);
    for (let k = 0; k < 5; k++) {
      const A = matmul(X, T(X, C, R), C, R, C);
      const AA = matmul(A, A, C, C, C);
      const B = A.map((a, i) => -4.775 * a + 2.0315 * AA[i]!);
      const BX = matmul(B, X, C, C, R);
      X = X.map((x, i) => 3.4445 * x + BX[i]!);
    }
    return T(X, C, R);
  };
  const ref: Ref = (p, g, _t, s) => {
    const v = (s.v ??= zeros(p.length));
    const gd = g.map((x, i) => x + wd * p[i]!);
    for (let i = 0; i < v.length; i++) v[i] = mu * v[i]! + (1 - mu) * gd[i]!;
    const u = ns(gd.map((x, i) => (1 - mu) * x + mu * v[i]!));
    const scale = Math.sqrt(Math.max(1, R / C));
    return p.map((x, i) => x - lr2 * scale * u[i]!);
  };
  const p0 = [0.5, -1.2, 2.0, 0.3, 0.7, -0.1];
  const gs = [[0.1, -0.4, 0.25, 0.2, 0.05, -0.3], [-0.2, 0.3, 0.5, 0.01, 0.2, 0.1]];
  await assertAllClose((await runOpt(new optim.Muon(lr2), p0, gs, [R, C])).reshape([-1]), reference(ref, p0, gs), 2e-5, 1e-4, 'Muon matrix');
  // vectors skip the orthogonalization: plain nesterov momentum
  const vref: Ref = (p, g, _t, s) => {
    const v = (s.v ??= zeros(p.length));
    return p.map((x, i) => { const gi = g[i]! + wd * x; v[i] = mu * v[i]! + (1 - mu) * gi; return x - lr2 * ((1 - mu) * gi + mu * v[i]!); });
  };
  await assertAllClose(await runOpt(new optim.Muon(lr2)), reference(vref), 1e-6, 1e-5, 'Muon vector');
});

test('schedules: step, exponential, cosine, linear, join (warmup)', async () => {
  const at = async (s: optim.Schedule, k: number): Promise<number> => Number(await mx.array(s(mx.array(k, mx.uint64)) as mx.MxArray).item());
  const near = (a: number, b: number): void => assert.ok(Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)), `${a} vs ${b}`);
  for (const k of [0, 3, 10, 25]) {
    near(await at(optim.stepDecay(0.1, 0.9, 10), k), 0.1 * 0.9 ** Math.floor(k / 10));
    near(await at(optim.exponentialDecay(0.1, 0.95), k), 0.1 * 0.95 ** k);
    near(await at(optim.cosineDecay(0.1, 20, 0.01), k), 0.01 + 0.5 * 0.09 * (1 + Math.cos(Math.PI * Math.min(k, 20) / 20)));
    near(await at(optim.linearSchedule(0, 1, 10), k), Math.min(k, 10) / 10);
    const joined = optim.joinSchedules([optim.linearSchedule(0, 0.1, 5), optim.cosineDecay(0.1, 10)], [5]);
    near(await at(joined, k), k < 5 ? 0.1 * k / 5 : 0.05 * (1 + Math.cos(Math.PI * Math.min(k - 5, 10) / 10)));
  }
  assert.throws(() => optim.joinSchedules([optim.exponentialDecay(1, 0.9)], [3]), /expected 0/);
  // a schedule drives the learning rate: step k uses schedule(k - 1), as MLX (the step counts from 0)
  const opt = new optim.SGD(optim.exponentialDecay(1, 0.5));
  let p: any = { w: mx.array([0], mx.float32) };
  for (let k = 0; k < 3; k++) p = opt.applyGradients({ w: mx.array([1], mx.float32) }, p);
  await assertAllClose(p.w, [-(1 + 0.5 + 0.25)], 1e-6, 1e-6, 'scheduled SGD');
  assert.equal(Number(await opt.step.item()), 3);
});

test('clipGradNorm: global norm and scaling', async () => {
  const g = { a: mx.array([3, 0], mx.float32), b: [mx.array([[4]], mx.float32)] };
  const [clipped, norm] = optim.clipGradNorm(g, 1);
  assert.ok(Math.abs(Number(await norm.item()) - 5) < 1e-6);
  await assertAllClose(clipped.a, [3 / 5, 0], 1e-5, 1e-5);
  await assertAllClose(clipped.b[0], [[4 / 5]], 1e-5, 1e-5);
  const [same] = optim.clipGradNorm(g, 10);
  await assertAllClose(same.a, [3, 0], 0, 0);
});

test('MultiOptimizer routes by path; state save/load round trip with snake_case names', async () => {
  const params = { layerNorm: { weight: mx.array([1, 2], mx.float32), bias: mx.array([0.5], mx.float32) } };
  const grads = { layerNorm: { weight: mx.array([0.1, -0.1], mx.float32), bias: mx.array([1], mx.float32) } };
  const multi = new optim.MultiOptimizer([new optim.SGD(0.5), new optim.Adam(0.1)], [(p) => p.endsWith('bias')]);
  const out = multi.applyGradients(grads, params);
  await assertAllClose(out.layerNorm.bias, [0.5 - 0.5], 1e-6, 1e-6, 'bias by SGD');
  await assertAllClose(out.layerNorm.weight, [1 - 0.1 * 0.01 / (Math.sqrt(1e-5) + 1e-8), 2 + 0.1 * 0.01 / (Math.sqrt(1e-5) + 1e-8)], 1e-5, 1e-5, 'weight by Adam');
  assert.equal(multi.state.states.length, 2);

  const dir = mkdtempSync(path.join(tmpdir(), 'optim-'));
  const file = path.join(dir, 'state.safetensors');
  const a = new optim.Adam(0.1);
  let pa: any = a.applyGradients(grads, params);
  await mx.eval(pa, a.state);
  await a.saveState(file);
  const names = Object.keys(await mx.load(file) as Record<string, mx.MxArray>).sort();
  assert.deepEqual(names, ['layer_norm.bias.m', 'layer_norm.bias.v', 'layer_norm.weight.m', 'layer_norm.weight.v', 'learning_rate', 'step']);
  const b = new optim.Adam(0.1);
  await b.loadState(file);
  const pb = b.applyGradients(grads, pa);
  pa = a.applyGradients(grads, pa);
  await assertAllClose(pb.layerNorm.weight, pa.layerNorm.weight, 0, 0, 'resumed');
  assert.equal(Number(await b.step.item()), 2);
});
