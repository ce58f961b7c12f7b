// Every GPU matmul kernel (tiled with several parameter sets, matrix-vector in both layouts, split-K, the plain
// reference) on whatever adapter exists, compared with the CPU backend (whose matmul tests check NumPy). Each row
// pins the tuning, checks that the intended kernel ran and that nothing fell back to the CPU.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { setGpuTuning, type GpuTuningOverride } from '../../src/backend/webgpu/tuning.js';
import { matmulPathCounts, type MatmulPath } from '../../src/backend/webgpu/kernels/matmul.js';

let ok = false;
before(async () => { ok = await mx.initGpu({ allowSoftware: true, quiet: true }); });
after(() => { setGpuTuning(null); mx.shutdown(); });

const gpu = { stream: mx.gpu };
const cpu = { stream: mx.cpu };
const fallbacks = (): number => mx.deviceInfo(mx.gpu).stats?.fallbacks ?? 0;

let seed = 1;
/** Random normal values (no zeros) made on the CPU in dtype `d`. */
const rnd = (shape: number[], d: mx.Dtype = mx.float32): mx.MxArray =>
  mx.astype(mx.random.normal(shape, mx.float32, { key: mx.random.key(seed++), stream: mx.cpu }), d, cpu);
/** A dense copy living in a GPU buffer, so views taken on the GPU stay strided views there. */
const onGpu = (x: mx.MxArray): mx.MxArray => mx.multiply(x, mx.array(1, x.dtype, cpu), gpu);
/** The transpose of a fresh [..., n, m] array as a strided GPU view of shape [..., m, n]. */
const tview = (shape: number[], d: mx.Dtype = mx.float32): mx.MxArray => {
  const s = [...shape];
  [s[s.length - 1], s[s.length - 2]] = [s[s.length - 2]!, s[s.length - 1]!];
  return mx.swapaxes(onGpu(rnd(s, d)), -1, -2, gpu);
};

const EPS: Record<string, number> = { float32: 0, float16: 2 ** -10, bfloat16: 2 ** -7 };

/** GPU result vs the CPU's, within f32 accumulation error (scaled by sum |a||b|) plus the output dtype's rounding. */
async function same(a: mx.MxArray, b: mx.MxArray, msg: string): Promise<void> {
  const g = mx.matmul(a, b, gpu), c = mx.matmul(a, b, cpu);
  const bound = mx.matmul(mx.abs(mx.astype(a, mx.float32, cpu), cpu), mx.abs(mx.astype(b, mx.float32, cpu), cpu), cpu);
  assert.deepEqual([...g.shape], [...c.shape], `${msg}: shape`);
  assert.equal(g.dtype, c.dtype, `${msg}: dtype`);
  const gv = (await mx.astype(g, mx.float32, cpu).data()) as Float32Array;
  const cv = (await mx.astype(c, mx.float32, cpu).data()) as Float32Array;
  const bv = (await bound.data()) as Float32Array;
  const eps = EPS[g.dtype.name]!;
  for (let i = 0; i < cv.length; i++) {
    const tol = 1e-5 * bv[i]! + eps * Math.abs(cv[i]!) + 1e-6;
    assert.ok(Math.abs(gv[i]! - cv[i]!) <= tol, `${msg}[${i}]: gpu ${gv[i]}, cpu ${cv[i]}`);
  }
}

type Row = [name: string, path: MatmulPath, tuning: GpuTuningOverride, a: () => mx.MxArray, b: () => mx.MxArray];

const T64 = { bm: 64, bn: 64, bk: 16, tm: 4, tn: 4, vec4: true };
const TILES: [string, GpuTuningOverride['tiled']][] = [
  ['64x64 4x4', T64],
  ['128x128 8x8', { bm: 128, bn: 128, bk: 16, tm: 8, tn: 8, vec4: true }],
  ['32x64 bk8 4x8 group 3 no prefetch', { bm: 32, bn: 64, bk: 8, tm: 4, tn: 8, vec4: true, group: 3, prefetch: false }],
  ['64x32 bk8 8x4 scalar', { bm: 64, bn: 32, bk: 8, tm: 8, tn: 4, vec4: false }],
];
const tiled = (t: GpuTuningOverride['tiled']): GpuTuningOverride => ({ force: 'tiled', tiled: t, tiledSmall: t, smallBelowGroups: 0 });

const ROWS: Row[] = [
  // each row compiles its own shader (lavapipe compiles slowly): every load mode once per parameter set
  ...TILES.flatMap(([n, t], i): Row[] => [
    [`tiled ${n} odd 67x93x131`, 'tiled', tiled(t), () => rnd([67, 93]), () => rnd([93, 131])],
    [`tiled ${n} x @ W.T aligned`, 'tiled', tiled(t), () => rnd([40, 64]), () => tview([64, 200])],
    // the 8x8 shader is the slowest to compile on software adapters: its vec-outer loads are covered by the others
    ...(i === 1 ? [] : [[`tiled ${n} A^T B^T aligned`, 'tiled', tiled(t), () => tview([64, 96]), () => tview([96, 132])] as Row]),
  ]),
  ['tiled A^T B^T odd', 'tiled', tiled(T64), () => tview([67, 93]), () => tview([93, 131])],
  ['tiled strided slices (offset, step 2)', 'tiled', tiled(T64),
    () => onGpu(rnd([70, 100])).index('3:, 1::2', gpu), () => onGpu(rnd([60, 90])).index('10:, ::3', gpu)],
  ['tiled batched + broadcast', 'tiled', tiled(T64), () => rnd([2, 1, 35, 20]), () => rnd([3, 20, 36])],
  ['tiled batch of transposed views', 'tiled', tiled(T64), () => tview([4, 33, 20]), () => rnd([20, 17])],
  ['tiled non-contiguous batch', 'tiled', tiled(T64),
    () => mx.swapaxes(onGpu(rnd([12, 3, 16])), 0, 1, gpu), () => rnd([3, 16, 8])],
  ['tiled float16', 'tiled', tiled(T64), () => rnd([33, 40], mx.float16), () => rnd([40, 21], mx.float16)],
  ['tiled bfloat16 transposed', 'tiled', tiled(T64), () => tview([33, 40], mx.bfloat16), () => rnd([40, 21], mx.bfloat16)],
  ['plain reference', 'plain', { force: 'plain' }, () => tview([2, 19, 23]), () => rnd([23, 29])],
  ['auto: large -> tiled', 'tiled', {}, () => rnd([96, 70]), () => rnd([70, 100])],
  // matrix-vector, both layouts of the long operand, both reductions
  ...[true, false].flatMap((sub): Row[] => [
    [`matvec x @ W.T (K-contiguous) sub=${sub}`, 'matvec', { matvec: { subgroups: sub } }, () => rnd([1, 300]), () => tview([300, 260])],
    [`matvec 3 rows x @ W.T sub=${sub}`, 'matvec', { matvec: { subgroups: sub } }, () => rnd([3, 256]), () => tview([256, 130])],
    [`matvec N==1 row-major A sub=${sub}`, 'matvec', { matvec: { subgroups: sub } }, () => rnd([130, 77]), () => rnd([77, 1])],
    [`matvec odd K scalar sub=${sub}`, 'matvec', { matvec: { subgroups: sub, rowsPerWg: 4 } }, () => rnd([2, 45]), () => tview([45, 33])],
  ]),
  ['matvec B [K,N] (N-contiguous) aligned', 'matvec', {}, () => rnd([1, 300]), () => rnd([300, 260])],
  ['matvec B [K,N] K chunks', 'matvec', { matvec: { kChunk: 64 } }, () => rnd([4, 300]), () => rnd([300, 132])],
  ['matvec B [K,N] odd N scalar', 'matvec', { matvec: { kChunk: 0, kSlices: 4 } }, () => rnd([2, 50]), () => rnd([50, 37])],
  ['matvec N==1 transposed A', 'matvec', {}, () => tview([140, 64]), () => rnd([64, 1])],
  ['matvec 1-D @ 2-D', 'matvec', {}, () => rnd([96]), () => rnd([96, 70])],
  ['matvec 2-D @ 1-D', 'matvec', {}, () => rnd([70, 96]), () => rnd([96])],
  ['matvec 1-D @ 1-D', 'matvec', {}, () => rnd([96]), () => rnd([96])],
  ['matvec batched broadcast', 'matvec', {}, () => rnd([3, 1, 2, 40]), () => rnd([4, 40, 24])],
  ['matvec float16 weights', 'matvec', {}, () => rnd([1, 64], mx.float16), () => tview([64, 48], mx.float16)],
  ['matvec bfloat16 column', 'matvec', {}, () => rnd([1, 64], mx.bfloat16), () => rnd([64, 48], mx.bfloat16)],
  ['matvec bfloat16 x @ W.T (8 halves per load)', 'matvec', {}, () => rnd([2, 72], mx.bfloat16), () => tview([72, 40], mx.bfloat16)],
  ['matvec float16 x @ W.T, odd K', 'matvec', {}, () => rnd([1, 70], mx.float16), () => tview([70, 40], mx.float16)],
  ['matvec strided x @ W.T', 'matvec', {}, () => onGpu(rnd([2, 128])).index(':, ::2', gpu), () => tview([64, 40])],
  ['matvec > 65535 workgroups', 'matvec', { matvec: { wg: 32, rowsPerWg: 1, subgroups: false } },
    () => rnd([65541, 4]), () => rnd([4, 1])],
  // split-K
  ['split-K auto (small output, long K)', 'splitk', {}, () => rnd([20, 2100]), () => rnd([2100, 24])],
  ['split-K forced, transposed, odd K', 'splitk', { force: 'splitk', splitK: { minChunk: 16, targetGroups: 64 } },
    () => tview([19, 301]), () => tview([301, 23])],
  ['split-K batched', 'splitk', { force: 'splitk', splitK: { minChunk: 32 } }, () => rnd([2, 9, 200]), () => rnd([200, 12])],
  // empty and K = 0 (zeros) on every path
  ...(['plain', 'tiled', 'splitk', 'matvec'] as const).flatMap((p): Row[] => [
    [`empty M ${p}`, p, { force: p }, () => rnd([0, 5]), () => rnd([5, 3])],
    [`K=0 ${p}`, p, { force: p }, () => rnd([4, 0]), () => rnd([0, 3])],
  ]),
];

for (const [name, path, tuning, a, b] of ROWS) {
  test(`matmul on the GPU: ${name}`, async (t) => {
    if (!ok) { t.skip('no WebGPU adapter'); return; }
    setGpuTuning(null);
    setGpuTuning(tuning);
    try {
      const x = a(), y = b();
      await mx.eval(x, y);
      const f0 = fallbacks(), n0 = matmulPathCounts[path];
      const empty = x.size === 0 || y.size === 0;
      await same(x, y, name);
      assert.equal(fallbacks(), f0, 'no CPU fallback');
      const M = x.ndim > 1 ? x.shape[x.ndim - 2]! : 1, N = y.ndim > 1 ? y.shape[y.ndim - 1]! : 1;
      // an empty output launches nothing; K = 0 still writes zeros through the kernel
      if (!(empty && M * N === 0)) assert.equal(matmulPathCounts[path], n0 + 1, `ran the ${path} kernel`);
    } finally {
      setGpuTuning(null);
    }
  });
}
