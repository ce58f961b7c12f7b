// The GPU conv kernel (implicit GEMM) on whatever adapter exists, compared with the CPU backend (whose conv is
// tested against PyTorch fixtures): every parameter the primitive has, float32/float16/bfloat16, strided operands,
// and gradients (both are convolutions again), with no CPU fallback on the GPU side.
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

/** Deterministic values in [-1, 1) on the CPU (a small LCG, so rows do not depend on the random module). */
function rand(shape: number[], seed: number, d: mx.Dtype = mx.float32): mx.MxArray {
  const n = shape.reduce((a, b) => a * b, 1), v = new Float32Array(n);
  let s = seed * 2654435761 >>> 0;
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; v[i] = s / 2 ** 31 - 1; }
  return mx.astype(mx.reshape(mx.array(v, mx.float32, cpu), shape, cpu), d, cpu);
}

/**
 * GPU and CPU results agree within the dtype's tolerance, scaled by the largest output magnitude for the absolute
 * part: both accumulate in float32 but in different orders, so cancellation leaves absolute, not relative, error.
 */
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

type Op = (x: mx.MxArray, w: mx.MxArray, s: S) => mx.MxArray;
const F = [mx.float32], H = [mx.float32, mx.float16, mx.bfloat16];
/** [name, input shape, weight shape, op, dtypes] (halves on a few rows only: each dtype and tile is a pipeline). */
const ROWS: [string, number[], number[], Op, mx.Dtype[]?][] = [
  ['conv1d stride 2 pad 1', [3, 11, 5], [7, 3, 5], (x, w, s) => mx.conv1d(x, w, { stride: 2, padding: 1, ...s })],
  ['conv1d groups 2 dilation 2', [1, 9, 6], [4, 3, 3], (x, w, s) => mx.conv1d(x, w, { dilation: 2, groups: 2, ...s })],
  ['conv2d pad 1', [3, 9, 7, 3], [8, 3, 3, 3], (x, w, s) => mx.conv2d(x, w, { padding: 1, ...s }), H],
  ['conv2d stride/pad/dilation per dim', [1, 13, 11, 4], [6, 3, 2, 4], (x, w, s) => mx.conv2d(x, w, { stride: [2, 3], padding: [1, 0], dilation: [2, 1], ...s })],
  ['conv2d depthwise', [2, 8, 8, 6], [6, 3, 3, 1], (x, w, s) => mx.conv2d(x, w, { padding: 1, groups: 6, ...s })],
  ['conv2d pointwise, 70 channels', [3, 5, 5, 16], [70, 1, 1, 16], (x, w, s) => mx.conv2d(x, w, { ...s })],
  ['conv2d several k-stages', [1, 12, 10, 33], [65, 3, 3, 33], (x, w, s) => mx.conv2d(x, w, { padding: 1, ...s })],
  ['conv3d', [3, 5, 6, 4, 2], [4, 3, 2, 3, 2], (x, w, s) => mx.conv3d(x, w, { stride: [1, 2, 1], padding: 1, ...s }), H],
  ['conv3d groups dilation', [1, 7, 7, 7, 4], [6, 2, 3, 2, 2], (x, w, s) => mx.conv3d(x, w, { dilation: 2, groups: 2, ...s })],
  ['convTranspose1d', [3, 7, 3], [5, 3, 3], (x, w, s) => mx.convTranspose1d(x, w, { stride: 2, padding: 1, outputPadding: 1, ...s })],
  ['convTranspose2d stride 2', [1, 5, 6, 4], [3, 3, 3, 4], (x, w, s) => mx.convTranspose2d(x, w, { stride: 2, ...s }), H],
  ['convTranspose2d groups', [3, 4, 5, 4], [6, 2, 3, 2], (x, w, s) => mx.convTranspose2d(x, w, { stride: [2, 1], padding: [1, 0], groups: 2, ...s })],
  ['convTranspose3d', [1, 3, 3, 2, 2], [3, 2, 3, 2, 2], (x, w, s) => mx.convTranspose3d(x, w, { stride: 2, padding: 1, ...s })],
  ['convGeneral asymmetric/negative pad, input dilation, flip', [2, 9, 3], [4, 3, 3],
    (x, w, s) => mx.convGeneral(x, w, { padding: [[2], [-1]], kernelDilation: 2, inputDilation: 3, flip: true, ...s }), H],
  ['convGeneral 2d mixed', [1, 6, 7, 2], [3, 2, 3, 2],
    (x, w, s) => mx.convGeneral(x, w, { stride: [1, 2], padding: [[1, -1], [0, 2]], kernelDilation: [1, 2], inputDilation: [2, 1], ...s })],
  ['strided operands', [3, 9, 7, 3], [8, 3, 3, 3], (x, w, s) => mx.conv2d(
    mx.transpose(mx.transpose(x, [0, 3, 1, 2], s), [0, 2, 3, 1], s), mx.flip(w, [1], s), { padding: 1, ...s })],
  ['conv2d split reduction (576 columns, one tile)', [1, 4, 4, 64], [8, 3, 3, 64], (x, w, s) => mx.conv2d(x, w, { padding: 1, ...s })],
  ['conv1d long, weight gradient split', [2, 300, 2], [3, 3, 2], (x, w, s) => mx.conv1d(x, w, { padding: 1, ...s })],
  ['convTranspose2d depthwise (direct kernel, flipped, dilated input)', [2, 5, 4, 4], [4, 3, 3, 1],
    (x, w, s) => mx.convTranspose2d(x, w, { stride: 2, padding: 1, groups: 4, ...s }), H],
  ['conv2d two output channels (direct kernel)', [2, 6, 6, 40], [2, 3, 3, 40], (x, w, s) => mx.conv2d(x, w, { padding: 1, ...s })],
  ['empty batch', [0, 5, 3], [2, 2, 3], (x, w, s) => mx.conv1d(x, w, { ...s })],
];

for (const [name, xs, ws, op, dtypes = F] of ROWS) {
  test(`webgpu conv: ${name}`, async (t) => {
    if (!ok) { t.skip('no WebGPU adapter'); return; }
    for (const d of dtypes) {
      const x = rand(xs, 1, d), w = rand(ws, 2, d);
      const c = op(x, w, cpu);
      await mx.eval(c);
      const before = fallbacks();
      const g = op(x, w, gpu);
      await mx.eval(g);
      assert.equal(fallbacks(), before, `${name} ${d.name}: fell back to the CPU`);
      await same(g, c, `${name} ${d.name}`);
    }
  });
}

// gradients w.r.t. input and weight of sum(conv(x, w) * r): the vjp rules build convolutions with input dilation,
// swapped channel roles and flips, all of which must run on the GPU kernel too
const GRAD_ROWS = [0, 1, 3, 4, 7, 8, 9, 11, 12, 13, 14, 17, 18, 19];
for (const i of GRAD_ROWS) {
  const [name, xs, ws, op] = ROWS[i]!;
  test(`webgpu conv grad: ${name}`, async (t) => {
    if (!ok) { t.skip('no WebGPU adapter'); return; }
    const x = rand(xs, 3), w = rand(ws, 4);
    const run = (s: S): mx.MxArray[] => {
      const y = op(x, w, s);
      const r = rand(y.shape as number[], 5);
      const loss = (a: mx.MxArray, b: mx.MxArray): mx.MxArray => mx.sum(mx.multiply(op(a, b, s), r, s), s);
      return mx.grad(loss, [0, 1])(x, w) as mx.MxArray[];
    };
    const c = run(cpu);
    await mx.eval(...c);
    const before = fallbacks();
    const g = run(gpu);
    await mx.eval(...g);
    assert.equal(fallbacks(), before, `${name}: the gradient fell back to the CPU`);
    await same(g[0]!, c[0]!, `${name} dx`);
    await same(g[1]!, c[1]!, `${name} dw`);
  });
}
