// The GPU addmm and contract kernels (tiled GEMM over the contraction plan's offset tables) on whatever adapter
// exists, compared with the CPU backend (whose matmul-family ops are tested against NumPy): broadcast, batched,
// 1-d, strided and transposed operands, diagonals, K = 0, matrix-vector shapes, float32/float16/bfloat16, with no
// CPU fallback on the GPU side.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { tolFor } from '../helpers/numpy.js';

let ok = false;
before(async () => { ok = await mx.initGpu({ allowSoftware: true, quiet: true }); });
after(() => mx.shutdown());

type S = { stream: mx.Device };
const gpu: S = { stream: mx.gpu };
const cpu: S = { stream: mx.cpu };
const fallbacks = (): number => mx.deviceInfo(mx.gpu).stats?.fallbacks ?? 0;

/** Deterministic values in [-1, 1) on the CPU. */
function rand(shape: number[], seed: number, d: mx.Dtype): mx.MxArray {
  const n = shape.reduce((a, b) => a * b, 1), v = new Float32Array(n);
  let s = seed * 2654435761 >>> 0;
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; v[i] = s / 2 ** 31 - 1; }
  return mx.astype(mx.reshape(mx.array(v, mx.float32, cpu), shape, cpu), d, cpu);
}

/** Agreement within the dtype's tolerance, the absolute part scaled by the largest output (different sum orders). */
async function same(g: mx.MxArray, c: mx.MxArray, msg: string): Promise<void> {
  assert.deepEqual([...g.shape], [...c.shape], `${msg}: shape`);
  assert.equal(g.dtype, c.dtype, `${msg}: dtype`);
  const { rtol } = tolFor(g.dtype);
  const gv = (await g.data()) as ArrayLike<number>, cv = (await c.data()) as ArrayLike<number>;
  let big = 0;
  for (let i = 0; i < cv.length; i++) big = Math.max(big, Math.abs(Number(cv[i])));
  for (let i = 0; i < cv.length; i++) {
    const a = Number(gv[i]), b = Number(cv[i]);
    assert.ok(Math.abs(a - b) <= 2 * rtol * (Math.abs(b) + big), `${msg}[${i}]: gpu ${a}, cpu ${b}`);
  }
}

type Op = (xs: mx.MxArray[], s: S) => mx.MxArray;
const F = [mx.float32], H = [mx.float32, mx.float16, mx.bfloat16];
/** [name, operand shapes, op, dtypes] (halves on a few rows only: every dtype and tile is a pipeline to compile). */
const ROWS: [string, number[][], Op, mx.Dtype[]?][] = [
  ['addmm alpha/beta', [[5, 9], [5, 7], [7, 9]], ([c, a, b], s) => mx.addmm(c!, a!, b!, { alpha: 1.5, beta: -0.5, ...s }), H],
  ['addmm c row broadcast', [[9], [5, 7], [7, 9]], ([c, a, b], s) => mx.addmm(c!, a!, b!, { ...s })],
  ['addmm c column broadcast', [[5, 1], [5, 7], [7, 9]], ([c, a, b], s) => mx.addmm(c!, a!, b!, { beta: 2, ...s })],
  ['addmm batched, b broadcast', [[3], [2, 5, 7], [7, 3]], ([c, a, b], s) => mx.addmm(c!, a!, b!, { ...s }), H],
  ['addmm batch broadcast both ways', [[2, 1, 6], [4, 1, 3, 5], [2, 5, 6]], ([c, a, b], s) => mx.addmm(c!, a!, b!, { ...s })],
  ['addmm 1-d a', [[4], [7], [7, 4]], ([c, a, b], s) => mx.addmm(c!, a!, b!, { ...s })],
  ['addmm 1-d b', [[3], [3, 7], [7]], ([c, a, b], s) => mx.addmm(c!, a!, b!, { ...s })],
  ['addmm several tiles and k-stages', [[66], [70, 130], [130, 66]], ([c, a, b], s) => mx.addmm(c!, a!, b!, { ...s })],
  ['addmm transposed operands', [[5, 9], [7, 5], [9, 7]],
    ([c, a, b], s) => mx.addmm(c!, mx.transpose(a!, s), mx.transpose(b!, s), { alpha: 0.5, ...s })],
  ['addmm K = 0', [[3, 4], [3, 0], [0, 4]], ([c, a, b], s) => mx.addmm(c!, a!, b!, { beta: 3, ...s })],
  ['addmm empty output', [[0, 4], [0, 5], [5, 4]], ([c, a, b], s) => mx.addmm(c!, a!, b!, { ...s })],
  ['tensordot 2 axes', [[3, 4, 5], [4, 5, 6]], ([a, b], s) => mx.tensordot(a!, b!, 2, s)],
  ['einsum batched bij,bkj->bik', [[3, 5, 7], [3, 6, 7]], ([a, b], s) => mx.einsum('bij,bkj->bik', a!, b!, s), H],
  ['einsum diagonal ii->i', [[6, 6]], ([a], s) => mx.einsum('ii->i', a!, s)],
  ['einsum trace and sum', [[5, 5]], ([a], s) => mx.einsum('ii', a!, s)],
  ['einsum sum over one axis ij->j', [[7, 300]], ([a], s) => mx.einsum('ij->j', a!, s)],
  ['einsum matrix-vector', [[300, 9], [9]], ([a, b], s) => mx.einsum('ij,j->i', a!, b!, s), H],
  ['einsum vector-matrix', [[9], [9, 300]], ([a, b], s) => mx.einsum('i,ij->j', a!, b!, s)],
  ['einsum permuted output', [[4, 5], [5, 3, 2]], ([a, b], s) => mx.einsum('ij,jkl->lki', a!, b!, s)],
  ['outer', [[5], [7]], ([a, b], s) => mx.outer(a!, b!, s)],
  ['inner', [[2, 3, 4], [5, 4]], ([a, b], s) => mx.inner(a!, b!, s)],
  ['kron', [[2, 3], [3, 2]], ([a, b], s) => mx.kron(a!, b!, s)],
  ['vecdot', [[4, 6], [4, 6]], ([a, b], s) => mx.vecdot(a!, b!, s)],
  ['tensordot of a flipped view', [[6, 5], [5, 4]], ([a, b], s) => mx.tensordot(mx.flip(a!, [0], s), b!, 1, s)],
];

for (const [name, shapes, op, dtypes = F] of ROWS) {
  test(`webgpu contract: ${name}`, async (t) => {
    if (!ok) { t.skip('no WebGPU adapter'); return; }
    for (const d of dtypes) {
      const xs = shapes.map((sh, i) => rand(sh, i + 1, d));
      const c = op(xs, cpu);
      await mx.eval(c);
      const before = fallbacks();
      const g = op(xs, gpu);
      await mx.eval(g);
      assert.equal(fallbacks(), before, `${name} ${d.name}: fell back to the CPU`);
      await same(g, c, `${name} ${d.name}`);
    }
  });
}

test('webgpu contract: gradient of an addmm and einsum loss matches the CPU', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const [c, a, b] = [[4, 6], [4, 5], [5, 6]].map((sh, i) => rand(sh, 10 + i, mx.float32)) as [mx.MxArray, mx.MxArray, mx.MxArray];
  const run = (s: S): mx.MxArray[] => mx.grad((x: mx.MxArray, y: mx.MxArray, z: mx.MxArray) => mx.sum(
    mx.einsum('ij,ij->i', mx.addmm(x, y, z, { alpha: 2, beta: 0.5, ...s }), x, s), s), [0, 1, 2])(c, a, b) as mx.MxArray[];
  const want = run(cpu);
  await mx.eval(...want);
  const before = fallbacks();
  const got = run(gpu);
  await mx.eval(...got);
  assert.equal(fallbacks(), before, 'the gradient fell back to the CPU');
  for (let i = 0; i < 3; i++) await same(got[i]!, want[i]!, `d/d${'cab'[i]}`);
});
