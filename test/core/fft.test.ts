/**
 * @file mx.fft against numpy.fft. MLX rules checked: every transform returns complex64 (real and float64 inputs are
 * cast first), irfft* return float32; `s` without `axes` is an error for the n-d transforms.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { numpy, npArg, assertClose, testDevices, type NpCase } from '../helpers/numpy.js';
import { operand } from './matmul-helpers.js';
import { useTestDevices } from '../helpers/devices.js';

await useTestDevices();

interface Row { f: (x: mx.MxArray, s: { stream: mx.Device }) => mx.MxArray; np: string; shape: number[]; dtype?: mx.Dtype; view?: (x: mx.MxArray) => mx.MxArray }

const C = mx.complex64;
const ROWS: Row[] = [
  ...[1, 2, 8, 7, 12, 100].flatMap((n): Row[] => [
    { f: (x, s) => mx.fft.fft(x, s), np: 'np.fft.fft(a)', shape: [n] },
    { f: (x, s) => mx.fft.fft(x, s), np: 'np.fft.fft(a)', shape: [n], dtype: C },
    { f: (x, s) => mx.fft.ifft(x, s), np: 'np.fft.ifft(a)', shape: [n], dtype: C },
    { f: (x, s) => mx.fft.rfft(x, s), np: 'np.fft.rfft(a)', shape: [n] },
  ]),
  ...[2, 8, 7, 12, 100].map((n): Row => ({ f: (x, s) => mx.fft.irfft(x, s), np: 'np.fft.irfft(a)', shape: [n], dtype: C })),
  { f: (x, s) => mx.fft.fft(x, 16, s), np: 'np.fft.fft(a, 16)', shape: [5] },
  { f: (x, s) => mx.fft.fft(x, 3, s), np: 'np.fft.fft(a, 3)', shape: [8], dtype: C },
  { f: (x, s) => mx.fft.fft(x, 5, 0, s), np: 'np.fft.fft(a, 5, 0)', shape: [3, 4], dtype: C },
  { f: (x, s) => mx.fft.ifft(x, { n: 9, axis: 0, ...s }), np: 'np.fft.ifft(a, 9, 0)', shape: [12, 2], dtype: C },
  { f: (x, s) => mx.fft.rfft(x, 11, s), np: 'np.fft.rfft(a, 11)', shape: [2, 6] },
  { f: (x, s) => mx.fft.irfft(x, 9, s), np: 'np.fft.irfft(a, 9)', shape: [3, 4], dtype: C },
  { f: (x, s) => mx.fft.irfft(x, 4, 0, s), np: 'np.fft.irfft(a, 4, 0)', shape: [7, 2], dtype: C },
  { f: (x, s) => mx.fft.fft(x, { norm: 'ortho', ...s }), np: "np.fft.fft(a, norm='ortho')", shape: [6], dtype: C },
  { f: (x, s) => mx.fft.ifft(x, { norm: 'forward', ...s }), np: "np.fft.ifft(a, norm='forward')", shape: [6], dtype: C },
  { f: (x, s) => mx.fft.irfft(x, { norm: 'ortho', ...s }), np: "np.fft.irfft(a, norm='ortho')", shape: [5], dtype: C },
  { f: (x, s) => mx.fft.fft2(x, s), np: 'np.fft.fft2(a)', shape: [4, 6], dtype: C },
  { f: (x, s) => mx.fft.fft2(x, s), np: 'np.fft.fft2(a)', shape: [2, 3, 5] },
  { f: (x, s) => mx.fft.ifft2(x, [3, 8], [0, 2], s), np: 'np.fft.ifft2(a, [3, 8], [0, 2])', shape: [4, 2, 5], dtype: C },
  { f: (x, s) => mx.fft.rfft2(x, s), np: 'np.fft.rfft2(a)', shape: [6, 7] },
  { f: (x, s) => mx.fft.irfft2(x, s), np: 'np.fft.irfft2(a)', shape: [6, 4], dtype: C },
  { f: (x, s) => mx.fft.irfft2(x, [5, 7], s), np: 'np.fft.irfft2(a, [5, 7])', shape: [4, 3], dtype: C },
  { f: (x, s) => mx.fft.fftn(x, s), np: 'np.fft.fftn(a)', shape: [2, 3, 4], dtype: C },
  { f: (x, s) => mx.fft.ifftn(x, [4, 3], [2, 0], s), np: 'np.fft.ifftn(a, [4, 3], [2, 0])', shape: [2, 3, 5], dtype: C },
  { f: (x, s) => mx.fft.rfftn(x, s), np: 'np.fft.rfftn(a)', shape: [3, 4, 5] },
  { f: (x, s) => mx.fft.rfftn(x, { s: [4, 6], axes: [0, 1], ...s }), np: 'np.fft.rfftn(a, [4, 6], [0, 1])', shape: [3, 4, 2] },
  { f: (x, s) => mx.fft.irfftn(x, s), np: 'np.fft.irfftn(a)', shape: [3, 4, 3], dtype: C },
  { f: (x, s) => mx.fft.irfftn(x, [2, 6], [1, 0], s), np: 'np.fft.irfftn(a, [2, 6], [1, 0])', shape: [5, 3], dtype: C },
  { f: (x, s) => mx.fft.fft(x, s), np: 'np.fft.fft(a)', shape: [0, 4], dtype: C },
  { f: (x, s) => mx.fft.fft(x, s), np: 'np.fft.fft(a)', shape: [3, 5], dtype: mx.float64 },
  { f: (x, s) => mx.fft.rfft(x, s), np: 'np.fft.rfft(a)', shape: [6], dtype: mx.float16 },
  { f: (x, s) => mx.fft.fft(x, s), np: 'np.fft.fft(a)', shape: [4], dtype: mx.int32 },
  { f: (x, s) => mx.fft.fft(x, s), np: 'np.fft.fft(a)', shape: [5, 3], dtype: C, view: (x) => mx.transpose(x) },
  { f: (x, s) => mx.fft.rfft(x, { axis: 0, ...s }), np: 'np.fft.rfft(a, axis=0)', shape: [8, 3], view: (x) => x.index('::-1, 1:') },
  { f: (x, s) => mx.fft.fft(x, s), np: 'np.fft.fft(a)', shape: [4, 3], dtype: C, view: (x) => mx.broadcastTo(x.index('0:1'), [2, 3]) },
];

for (const device of testDevices()) {
  test(`fft transforms match numpy on ${device.type}`, async () => {
    const cases: NpCase[] = [], outs: mx.MxArray[] = [];
    for (const [i, r] of ROWS.entries()) {
      let x = operand(r.shape, r.dtype ?? mx.float32, i + 1);
      if (r.view) x = r.view(x);
      const out = r.f(x, { stream: device });
      outs.push(out);
      // MLX computes in single precision: the oracle's input is cast as MLX casts it
      const cast = out.dtype === mx.float32 || x.dtype === C ? 'np.complex64' : 'np.float32';
      const back = out.dtype === mx.float32 ? 'np.float32' : 'np.complex64';
      cases.push({ code: `a = a.astype(${cast})\nresult = ${r.np}.astype(${back})`, args: [await npArg(x)] });
    }
    const res = numpy(cases);
    for (let i = 0; i < outs.length; i++) {
      // sums of up to ~100 terms in [-3, 3]: absolute error of the float32 rounding of the inputs and outputs
      await assertClose(outs[i]!, res[i]!, { rtol: 2e-5, atol: 2e-5, msg: `${ROWS[i]!.np} shape (${ROWS[i]!.shape})` });
    }
  });

  test(`fftfreq, rfftfreq, fftshift and ifftshift match numpy on ${device.type}`, async () => {
    const s = { stream: device };
    const x = operand([5, 4], mx.float32, 9);
    const outs = [
      mx.fft.fftfreq(1, s), mx.fft.fftfreq(8, s), mx.fft.fftfreq(7, 0.1, s), mx.fft.rfftfreq(8, s), mx.fft.rfftfreq(7, { d: 2, ...s }),
      mx.fft.fftshift(x, s), mx.fft.ifftshift(x, s), mx.fft.fftshift(x, 0, s), mx.fft.ifftshift(x, [1], s),
      mx.fft.fftshift(mx.fft.fftfreq(5, s), s),
    ];
    const xa = await npArg(x);
    const res = numpy([
      { expr: 'np.fft.fftfreq(1)', args: [] }, { expr: 'np.fft.fftfreq(8)', args: [] }, { expr: 'np.fft.fftfreq(7, 0.1)', args: [] },
      { expr: 'np.fft.rfftfreq(8)', args: [] }, { expr: 'np.fft.rfftfreq(7, 2)', args: [] },
      { expr: 'np.fft.fftshift(a)', args: [xa] }, { expr: 'np.fft.ifftshift(a)', args: [xa] },
      { expr: 'np.fft.fftshift(a, 0)', args: [xa] }, { expr: 'np.fft.ifftshift(a, [1])', args: [xa] },
      { expr: 'np.fft.fftshift(np.fft.fftfreq(5))', args: [] },
    ]);
    for (let i = 0; i < outs.length; i++) {
      assert.equal(outs[i]!.dtype, mx.float32);
      await assertClose(outs[i]!, res[i]!, { ignoreDtype: true, rtol: 1e-6, atol: 1e-7, msg: `case ${i}` });
    }
  });
}

test('fft output dtypes and round trips', async () => {
  const x = operand([3, 8], mx.float32, 4);
  assert.equal(mx.fft.fft(x).dtype, mx.complex64);
  assert.equal(mx.fft.rfft(mx.astype(x, mx.float64)).dtype, mx.complex64);
  assert.equal(mx.fft.irfft(mx.fft.rfft(x)).dtype, mx.float32);
  const back = await mx.fft.irfftn(mx.fft.rfftn(x), [3, 8], [0, 1]).tolist() as number[][];
  const orig = await x.tolist() as number[][];
  for (let i = 0; i < 3; i++) for (let j = 0; j < 8; j++) assert.ok(Math.abs(back[i]![j]! - orig[i]![j]!) < 1e-5);
});

test('fft errors', () => {
  const x = mx.zeros([4, 4], mx.float32);
  assert.throws(() => mx.fft.fft(mx.array(1.5)), /\[fft\] Requires array with at least one dimension/);
  assert.throws(() => mx.fft.fft(x, 0), /\[fft\] Invalid FFT output size requested \[0\]/);
  assert.throws(() => mx.fft.irfft(mx.zeros([1], mx.complex64)), /\[irfft\] Invalid FFT output size requested \[0\]/);
  assert.throws(() => mx.fft.fft(x, 4, 2), /\[fft\] Invalid axis 2 received for array with 2 dimensions/);
  assert.throws(() => mx.fft.fft2(x, null, [0, 0]), /\[fft2\] Duplicated axis received \[0, 0\]/);
  assert.throws(() => mx.fft.fftn(x, [4, 4]), /\[fftn\] `axes` should not be `None` if `s` is not `None`/);
  assert.throws(() => mx.fft.fft2(x, [4], [0, 1]), /\[fft2\] Shape and axes have different sizes/);
  assert.throws(() => mx.fft.fft(x, { norm: 'none' as 'ortho' }), /\[fft\] Invalid norm/);
  assert.throws(() => mx.fft.fftfreq(0), /\[fftfreq\] `n` must be greater than 0/);
  assert.throws(() => mx.fft.rfftfreq(4, 0), /\[rfftfreq\] `d` must be non-zero/);
  assert.throws(() => mx.fft.fftshift(x, 2), /\[fftshift\] Invalid axis 2 for array with 2 dimensions/);
});
