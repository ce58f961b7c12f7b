/**
 * @file Transform rules of the FFT primitive. The kernels run in float32/complex64, so gradients are checked against
 * finite differences of a real-valued loss L(x) = sum(Re(y) w1 + Im(y) w2), evaluated in JS float64 from the
 * forward results only, with MLX's complex convention: the vjp of cotangent w1 + i w2 is dL/dRe(x) + i dL/dIm(x).
 * Every transform is linear, so central differences with a unit step are exact up to float32 rounding.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { checkJvpVjp, checkVmap } from '../helpers/transforms.js';
import { randValues } from '../helpers/numpy.js';

type F = (x: mx.MxArray) => mx.MxArray;

/** A complex64 array from real and imaginary parts. */
function cplx(re: number[], im: number[], shape: number[]): mx.MxArray {
  const v = new Float32Array(2 * re.length);
  re.forEach((r, i) => { v[2 * i] = r; v[2 * i + 1] = im[i]!; });
  return mx.view(mx.array(v, mx.float32), mx.complex64).reshape(shape);
}

/** Real and imaginary parts of an array's elements, in row-major order. */
async function parts(a: mx.MxArray): Promise<[number[], number[]]> {
  const d = Array.from(await a.data<Float32Array>());
  if (a.dtype === mx.complex64) return [d.filter((_, i) => i % 2 === 0), d.filter((_, i) => i % 2 === 1)];
  return [d, d.map(() => 0)];
}

async function checkFftGrad(f: F, shape: number[], complexIn: boolean): Promise<void> {
  const n = shape.reduce((a, b) => a * b, 1);
  const re = randValues(n, 3, -1, 1), im = randValues(n, 4, -1, 1);
  const make = (r: number[], i: number[]): mx.MxArray => (complexIn ? cplx(r, i, shape) : mx.array(Float32Array.from(r), mx.float32).reshape(shape));
  const y = f(make(re, im));
  const m = y.size;
  const w1 = randValues(m, 5, -1, 1), w2 = randValues(m, 6, -1, 1);
  const ct = y.dtype === mx.complex64 ? cplx(w1, w2, [...y.shape]) : mx.array(Float32Array.from(w1), mx.float32).reshape([...y.shape]);
  const [, [g]] = mx.vjp((x) => f(x), [make(re, im)], [ct]);
  assert.deepEqual([...g!.shape], shape);
  assert.equal(g!.dtype, complexIn ? mx.complex64 : mx.float32);
  const [gr, gi] = await parts(g!);
  const loss = async (r: number[], i: number[]): Promise<number> => {
    const [yr, yi] = await parts(f(make(r, i)));
    let s = 0;
    for (let k = 0; k < m; k++) s += yr[k]! * w1[k]! + (y.dtype === mx.complex64 ? yi[k]! * w2[k]! : 0);
    return s;
  };
  const close = (num: number, got: number, what: string): void =>
    assert.ok(Math.abs(num - got) <= 2e-3 * (1 + Math.abs(num)), `${what}: finite differences ${num}, vjp ${got}`);
  for (let k = 0; k < n; k++) {
    const bump = (v: number[], d: number): number[] => v.map((x, j) => (j === k ? x + d : x));
    close(((await loss(bump(re, 1), im)) - (await loss(bump(re, -1), im))) / 2, gr[k]!, `d/dRe x[${k}]`);
    if (complexIn) close(((await loss(re, bump(im, 1))) - (await loss(re, bump(im, -1)))) / 2, gi[k]!, `d/dIm x[${k}]`);
  }
}

interface Case { name: string; f: F; shape: number[]; complex: boolean; vmapAxis?: number }

const cases: Case[] = [
  { name: 'fft', f: (x) => mx.fft.fft(x), shape: [5], complex: true },
  { name: 'fft of real input', f: (x) => mx.fft.fft(x), shape: [4], complex: false },
  { name: 'fft padded (n > size)', f: (x) => mx.fft.fft(x, 7), shape: [4], complex: true },
  { name: 'fft truncated (n < size), axis 0', f: (x) => mx.fft.fft(x, 3, 0), shape: [5, 2], complex: true, vmapAxis: 1 },
  { name: 'fft ortho', f: (x) => mx.fft.fft(x, null, -1, 'ortho'), shape: [2, 4], complex: true },
  { name: 'ifft', f: (x) => mx.fft.ifft(x), shape: [6], complex: true },
  { name: 'ifft forward norm, padded', f: (x) => mx.fft.ifft(x, 5, -1, 'forward'), shape: [3], complex: true },
  { name: 'fft2', f: (x) => mx.fft.fft2(x), shape: [3, 4], complex: true },
  { name: 'ifftn with s', f: (x) => mx.fft.ifftn(x, [2, 5], [0, 1]), shape: [3, 4], complex: true },
  { name: 'rfft even n', f: (x) => mx.fft.rfft(x), shape: [6], complex: false },
  { name: 'rfft odd n', f: (x) => mx.fft.rfft(x), shape: [7], complex: false },
  { name: 'rfft padded to odd n', f: (x) => mx.fft.rfft(x, 9), shape: [2, 6], complex: false },
  { name: 'rfft truncated, ortho', f: (x) => mx.fft.rfft(x, 4, -1, 'ortho'), shape: [7], complex: false },
  { name: 'irfft default n', f: (x) => mx.fft.irfft(x), shape: [5], complex: true },
  { name: 'irfft odd n', f: (x) => mx.fft.irfft(x, 7), shape: [4], complex: true },
  { name: 'irfft cut input (n/2+1 < size)', f: (x) => mx.fft.irfft(x, 4), shape: [2, 5], complex: true },
  { name: 'irfft padded input, forward norm', f: (x) => mx.fft.irfft(x, 10, -1, 'forward'), shape: [4], complex: true },
  { name: 'rfft2', f: (x) => mx.fft.rfft2(x), shape: [3, 4], complex: false },
  { name: 'irfft2 odd last', f: (x) => mx.fft.irfft2(x, [3, 5]), shape: [3, 3], complex: true },
  { name: 'rfftn over 3 axes', f: (x) => mx.fft.rfftn(x), shape: [2, 3, 4], complex: false },
];

for (const c of cases) {
  test(`${c.name}: gradient vs finite differences, jvp/vjp, vmap`, async () => {
    await checkFftGrad(c.f, c.shape, c.complex);
    const arg = c.complex
      ? cplx(randValues(c.shape.reduce((a, b) => a * b, 1), 7, -1, 1), randValues(c.shape.reduce((a, b) => a * b, 1), 8, -1, 1), c.shape)
      : mx.array(Float32Array.from(randValues(c.shape.reduce((a, b) => a * b, 1), 7, -1, 1)), mx.float32).reshape(c.shape);
    await checkJvpVjp(c.f, [arg], 1e-4);
    const ax = c.vmapAxis ?? 0;
    await checkVmap(c.f, [mx.stack([arg, mx.multiply(arg, 2)], ax)], [ax], 1e-5);
  });
}

test('second order: grad of a gradient through rfft stays linear', async (t) => {
  // L(x) = sum(|rfft(x)|^2 w) is quadratic; its gradient is linear in x, so grad of <grad L, v> is constant
  try {
    const w = mx.array(Float32Array.from(randValues(4, 9, 0, 1)), mx.float32);
    const v = mx.array(Float32Array.from(randValues(6, 10, -1, 1)), mx.float32);
    const L = (x: mx.MxArray) => mx.sum(mx.multiply(mx.square(mx.abs(mx.fft.rfft(x))), w));
    const G = (x: mx.MxArray) => mx.sum(mx.multiply(mx.grad(L)(x), v));
    const x0 = mx.array(Float32Array.from(randValues(6, 11, -1, 1)), mx.float32);
    const a = await mx.grad(G)(x0).tolist() as number[];
    const b = await mx.grad(G)(mx.multiply(x0, 3)).tolist() as number[];
    a.forEach((ai, i) => assert.ok(Math.abs(ai - b[i]!) < 1e-3 * (1 + Math.abs(ai))));
    assert.ok(a.some((ai) => Math.abs(ai) > 1e-3));
  } catch (e) {
    const m = /Primitive "(\w+)" has no (vjp|jvp) rule/.exec(String(e));
    if (m && m[1] !== 'fft') t.skip(`needs the ${m[1]} rule`);
    else throw e;
  }
});
