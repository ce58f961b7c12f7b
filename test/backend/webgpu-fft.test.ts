// The GPU fft kernel (Stockham in workgroup memory and multi-pass, direct DFT, Bluestein, real variants, any axis)
// against the CPU backend (whose fft tests check numpy.fft), with no CPU fallback on the GPU side.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';

let ok = false;
before(async () => { ok = await mx.initGpu({ allowSoftware: true, quiet: true }); });
after(() => mx.shutdown());

const gpu = { stream: mx.gpu };
const cpu = { stream: mx.cpu };
const fallbacks = (): number => mx.deviceInfo(mx.gpu).stats?.fallbacks ?? 0;
const C = mx.complex64;

/** Inputs built on the CPU (complex64 from float pairs), so only the fft node runs on the GPU. */
function input(shape: number[], dtype: mx.Dtype, seed: number): mx.MxArray {
  const key = mx.random.key(seed);
  if (dtype !== C) return mx.random.uniform(-1, 1, shape, mx.float32, { key, ...cpu });
  const pairs = mx.random.uniform(-1, 1, [...shape, 2], mx.float32, { key, ...cpu });
  return mx.reshape(mx.view(pairs, C, cpu), shape, cpu);
}

/** Max abs difference against the CPU result, relative to its largest magnitude (float32 FFT accuracy). */
async function close(g: mx.MxArray, c: mx.MxArray, msg: string, rel = 2e-5): Promise<void> {
  assert.deepEqual([...g.shape], [...c.shape], `${msg}: shape`);
  assert.equal(g.dtype, c.dtype, `${msg}: dtype`);
  const gv = (await g.data()) as Float32Array, cv = (await c.data()) as Float32Array;
  assert.equal(gv.length, cv.length, `${msg}: length`);
  let big = 0, err = 0, at = -1;
  for (let i = 0; i < cv.length; i++) big = Math.max(big, Math.abs(cv[i]!));
  for (let i = 0; i < cv.length; i++) {
    const d = Math.abs(gv[i]! - cv[i]!);
    if (!(d <= err)) { err = d; at = i; }
  }
  assert.ok(err <= rel * Math.max(big, 1e-30), `${msg}: max error ${err} at ${at} (gpu ${gv[at]}, cpu ${cv[at]}), scale ${big}`);
}

type Op = (x: mx.MxArray, o: { stream: mx.Device }) => mx.MxArray;
/** [name, input shape, input dtype, op]. */
const ROWS: [string, number[], mx.Dtype, Op][] = [];
for (const n of [1, 2, 3, 5, 8, 17, 64, 100, 1024, 4096, 5000]) {
  ROWS.push([`fft ${n}`, [n], C, (x, o) => mx.fft.fft(x, o)]);
  ROWS.push([`ifft ${n}`, [n], C, (x, o) => mx.fft.ifft(x, o)]);
  ROWS.push([`rfft ${n}`, [n], mx.float32, (x, o) => mx.fft.rfft(x, o)]);
  ROWS.push([`irfft ${n}`, [Math.floor(n / 2) + 1], C, (x, o) => mx.fft.irfft(x, n, o)]);
}
ROWS.push(
  ['fft batch rows 2048 (workgroup lines past the first)', [3, 2048], C, (x, o) => mx.fft.fft(x, o)],
  ['fft axis 0', [16, 3], C, (x, o) => mx.fft.fft(x, { axis: 0, ...o })],
  ['fft axis 1 of 3-d, 100 (Bluestein strided)', [2, 100, 3], C, (x, o) => mx.fft.fft(x, { axis: 1, ...o })],
  ['fft axis 0 of 4096 x 2 (multi-pass strided)', [4096, 2], C, (x, o) => mx.fft.fft(x, { axis: 0, ...o })],
  ['fft pad to 16', [5], C, (x, o) => mx.fft.fft(x, 16, o)],
  ['fft truncate to 3', [8], C, (x, o) => mx.fft.fft(x, 3, o)],
  ['ifft n 9 axis 0', [12, 2], C, (x, o) => mx.fft.ifft(x, { n: 9, axis: 0, ...o })],
  ['fft2', [4, 6], C, (x, o) => mx.fft.fft2(x, o)],
  ['ifft2 axes 0,2', [4, 2, 5], C, (x, o) => mx.fft.ifft2(x, [3, 8], [0, 2], o)],
  ['fftn', [2, 3, 4], C, (x, o) => mx.fft.fftn(x, o)],
  ['rfft2', [6, 7], mx.float32, (x, o) => mx.fft.rfft2(x, o)],
  ['rfft axis 0', [8, 3], mx.float32, (x, o) => mx.fft.rfft(x, { axis: 0, ...o })],
  ['irfft2', [6, 4], C, (x, o) => mx.fft.irfft2(x, o)],
  ['irfft2 s 5,7', [4, 3], C, (x, o) => mx.fft.irfft2(x, [5, 7], o)],
  ['irfft axis 0', [7, 2], C, (x, o) => mx.fft.irfft(x, 4, 0, o)],
  ['irfftn axes 1,0', [5, 3], C, (x, o) => mx.fft.irfftn(x, [2, 6], [1, 0], o)],
  ['fft ortho', [6], C, (x, o) => mx.fft.fft(x, { norm: 'ortho', ...o })],
  ['irfft ortho', [5], C, (x, o) => mx.fft.irfft(x, { norm: 'ortho', ...o })],
  ['empty batch', [0, 4], C, (x, o) => mx.fft.fft(x, o)],
);

test('GPU fft matches the CPU backend without fallbacks', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  for (const [i, [name, shape, dtype, op]] of ROWS.entries()) {
    const x = input(shape, dtype, i + 1);
    mx.eval(x);
    const before = fallbacks();
    const g = op(x, gpu);
    await mx.asyncEval(g);
    assert.equal(fallbacks(), before, `${name}: ran on the CPU`);
    await close(g, op(x, cpu), name);
  }
});

test('GPU rfft reads strided and flipped GPU views', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const x = input([6, 8], mx.float32, 99);
  const views: [string, (v: mx.MxArray, o: { stream: mx.Device }) => mx.MxArray][] = [
    ['transpose', (v, o) => mx.transpose(v, o)],
    ['reversed rows, sliced columns', (v) => v.index('::-1, 1:')],
    ['broadcast row', (v, o) => mx.broadcastTo(v.index('0:1'), [3, 8], o)],
  ];
  for (const [name, view] of views) {
    // a GPU-resident view (the strided load reads it in place)
    const gx = view(mx.multiply(x, 1, gpu), gpu);
    await mx.asyncEval(gx);
    const before = fallbacks();
    const g = mx.fft.rfft(gx, gpu);
    await mx.asyncEval(g);
    assert.equal(fallbacks(), before, `${name}: ran on the CPU`);
    await close(g, mx.fft.rfft(view(x, cpu), cpu), name);
  }
});
