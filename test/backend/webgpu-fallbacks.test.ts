// The placement table names every primitive, its 'gpu' entries are exactly the kernel table, and 'cpu' (by design,
// as in MLX) is kept to the fixed list below so a gap cannot hide there. The last tests need a WebGPU adapter (any,
// software included) and skip without one: a 'cpu' primitive and a float64 op on mx.gpu run on the CPU visibly.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { primitiveNames } from '../../src/core/primitive.js';
import { GPU_PLACEMENT } from '../../src/backend/webgpu/fallbacks.js';
import { gpuKernels } from '../../src/backend/webgpu/kernels/index.js';

/** Primitives MLX itself runs on the CPU (linalg factorizations), file reads, and the never-evaluated placeholder. */
const CPU_BY_DESIGN = [
  'cholesky', 'det', 'eig', 'eigh', 'inverse', 'lu', 'luf', 'pinv', 'qrf', 'slogdet', 'solve', 'svd',
  'load', 'loadQuantized', 'compilePlaceholder',
].sort();

test('every registered primitive is in the GPU placement table', () => {
  const missing = primitiveNames().filter((n) => !(n in GPU_PLACEMENT));
  assert.deepEqual(missing, [], `add these to src/backend/webgpu/fallbacks.ts: ${missing.join(', ')}`);
  const stale = Object.keys(GPU_PLACEMENT).filter((n) => !primitiveNames().includes(n));
  assert.deepEqual(stale, [], 'entries for primitives that no longer exist');
});

test("'gpu' entries match the GPU kernel table", () => {
  for (const [name, where] of Object.entries(GPU_PLACEMENT)) {
    assert.ok(['gpu', 'cpu', 'cpu-fallback'].includes(where), `${name}: unknown placement '${where}'`);
    assert.equal(where === 'gpu', name in gpuKernels, `${name} is '${where}' but ${name in gpuKernels ? 'has' : 'lacks'} a kernel`);
  }
  const stray = Object.keys(gpuKernels).filter((n) => !(n in GPU_PLACEMENT));
  assert.deepEqual(stray, [], 'kernels of primitives missing from the placement table');
});

test("'cpu' (by design) is exactly MLX's CPU-only set, not a place for gaps", () => {
  const cpu = Object.entries(GPU_PLACEMENT).filter(([, w]) => w === 'cpu').map(([n]) => n).sort();
  assert.deepEqual(cpu, CPU_BY_DESIGN);
});

let ok = false;
before(async () => { ok = await mx.initGpu({ allowSoftware: true, quiet: true }); });
after(() => mx.shutdown());
const fallbacks = (): number => mx.deviceInfo(mx.gpu).stats?.fallbacks ?? 0;

/** [name, op on a stream]: nodes that must run on the CPU when asked for on mx.gpu, counted as fallbacks. */
const ON_CPU: [string, (s: { stream: mx.Device }) => mx.MxArray][] = [
  ['float64 add', (s) => mx.add(mx.array([1.5, 2.25], mx.float64), mx.array([1e-12, 3], mx.float64), s)],
  ['float64 sum', (s) => mx.sum(mx.array([[1, 2], [3, 1e-15]], mx.float64), s)],
  ['float64 cumsum', (s) => mx.cumsum(mx.array([1, 1e-15, 2], mx.float64), s)],
];

for (const [name, op] of ON_CPU) {
  test(`webgpu placement: ${name} (float64 is CPU-only) runs on the CPU, visibly`, async (t) => {
    if (!ok) { t.skip('no WebGPU adapter'); return; }
    const c = op({ stream: mx.cpu });
    const before = fallbacks();
    const g = op({ stream: mx.gpu });
    await mx.eval(g);
    assert.ok(fallbacks() > before, `${name}: not counted in stats.fallbacks`);
    assert.equal(g.dtype, c.dtype);
    assert.deepEqual(await g.tolist(), await c.tolist());
  });
}

test("webgpu placement: 'cpu' linalg asks for a CPU stream, as MLX, and takes GPU inputs through the scheduler", async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const a = mx.add(mx.array([[4, 1], [2, 3]], mx.float32), 0, { stream: mx.gpu });
  assert.throws(() => mx.linalg.inv(a, { stream: mx.gpu }), /not yet supported on the GPU/);
  const g = mx.linalg.inv(a, { stream: mx.cpu });
  const c = mx.linalg.inv(mx.array([[4, 1], [2, 3]], mx.float32), { stream: mx.cpu });
  assert.deepEqual(await g.tolist(), await c.tolist());
});
