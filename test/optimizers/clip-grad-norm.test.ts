/**
 * @file clipGradNorm over many gradients (more than one op can read under the GPU's storage-binding limit): the
 * global norm and the clipped values against sums computed in JS from the same values, on the CPU and, compiled, on
 * the GPU with no CPU fallback.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import * as optim from '../../src/optimizers/index.js';

let gpuOk = false;
before(async () => { gpuOk = await mx.initGpu({ allowSoftware: true, quiet: true }); });
after(() => mx.shutdown());

/** n gradients of varied shapes with values k·0.01·(i + 1) (tree: a list and a nested object), and their JS norm. */
function grads(n: number, device: mx.Device, dtype = mx.float32): { tree: unknown; values: number[][]; norm: number } {
  const values: number[][] = [];
  const list: mx.MxArray[] = [];
  for (let i = 0; i < n; i++) {
    const size = 1 + (i % 5);
    const v = Array.from({ length: size }, (_, k) => (k % 2 ? -1 : 1) * 0.01 * (k + 1) * (i + 1));
    values.push(v);
    list.push(mx.array(v, dtype, { stream: device }));
  }
  const tree = { layers: list.slice(0, n - 2), head: { weight: list[n - 2]!, bias: list[n - 1]! } };
  const norm = Math.sqrt(values.flat().reduce((s, x) => s + x * x, 0));
  return { tree, values, norm };
}

const leaves = (t: unknown): mx.MxArray[] => {
  const { layers, head } = t as { layers: mx.MxArray[]; head: { weight: mx.MxArray; bias: mx.MxArray } };
  return [...layers, head.weight, head.bias];
};

async function check(clipped: unknown, norm: mx.MxArray, g: ReturnType<typeof grads>, maxNorm: number, tol: number): Promise<void> {
  const got = Number(await norm.item());
  assert.ok(Math.abs(got - g.norm) <= tol * g.norm, `norm ${got} vs ${g.norm}`);
  const f = g.norm > maxNorm ? maxNorm / (g.norm + 1e-6) : 1;
  const out = leaves(clipped);
  for (let i = 0; i < out.length; i++) {
    const v = Array.from(await out[i]!.astype(mx.float32).data() as Float32Array);
    v.forEach((x, k) => assert.ok(Math.abs(x - g.values[i]![k]! * f) <= tol * Math.abs(g.values[i]![k]!) + 1e-7, `grad ${i}[${k}]: ${x}`));
  }
}

for (const n of [1, 2, 7, 40]) {
  test(`CPU: the global norm of ${n} gradients and the clipped values`, async () => {
    const g = grads(Math.max(n, 2), mx.cpu);
    for (const maxNorm of [0.5 * g.norm, 2 * g.norm]) {
      const [clipped, norm] = optim.clipGradNorm(g.tree, maxNorm);
      await check(clipped, norm, g, maxNorm, 1e-6);
    }
  });
}

test('CPU: float16 gradients sum their squares in float32; an empty tree has norm 0', async () => {
  const g = grads(9, mx.cpu, mx.float16);
  const [clipped, norm] = optim.clipGradNorm(g.tree, 0.1);
  assert.equal(norm.dtype, mx.float32);
  await check(clipped, norm, g, 0.1, 2e-3);
  const [, zero] = optim.clipGradNorm({}, 1);
  assert.equal(await zero.item(), 0);
});

test('GPU: compiled clipGradNorm over 40 gradients matches and runs without a CPU fallback', async (t) => {
  if (!gpuOk) { t.skip('no GPU adapter'); return; }
  mx.setDefaultDevice(mx.gpu);
  try {
    const g = grads(40, mx.gpu);
    const maxNorm = 0.5 * g.norm;
    const f = mx.compile((tree: unknown) => optim.clipGradNorm(tree, maxNorm));
    await check(...(f(g.tree) as [unknown, mx.MxArray]), g, maxNorm, 1e-5);
    const stats = (): { dispatches: number; fallbacks: number } => mx.deviceInfo(mx.gpu).stats as { dispatches: number; fallbacks: number };
    const s0 = { ...stats() };
    const [clipped, norm] = f(g.tree) as [unknown, mx.MxArray];
    await mx.eval(clipped, norm);
    assert.equal(stats().fallbacks, s0.fallbacks);
    assert.ok(stats().dispatches > s0.dispatches);
    await check(clipped, norm, g, maxNorm, 1e-5);
  } finally {
    mx.setDefaultDevice(mx.cpu);
  }
});
