// GPU kernels of the misc family (erf, erfinv, round, nanToNum, imag, shifts, argmax/argmin, logsumexp) on whatever
// adapter exists, compared with the CPU backend (whose op tests check NumPy), with no CPU fallback on the GPU side.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { tolFor } from '../helpers/numpy.js';

let ok = false;
before(async () => { ok = await mx.initGpu({ allowSoftware: true, quiet: true }); });
after(() => mx.shutdown());

const gpu = { stream: mx.gpu };
const cpu = { stream: mx.cpu };
const fallbacks = (): number => mx.deviceInfo(mx.gpu).stats?.fallbacks ?? 0;

async function same(g: mx.MxArray, c: mx.MxArray, msg: string, ulps: number): Promise<void> {
  assert.deepEqual([...g.shape], [...c.shape], `${msg}: shape`);
  assert.equal(g.dtype, c.dtype, `${msg}: dtype`);
  const { rtol, atol } = tolFor(g.dtype);
  const gv = (await g.data()) as ArrayLike<number>, cv = (await c.data()) as ArrayLike<number>;
  for (let i = 0; i < cv.length; i++) {
    const a = Number(gv[i]), b = Number(cv[i]);
    if (Number.isNaN(b)) { assert.ok(Number.isNaN(a), `${msg}[${i}]: expected NaN, got ${a}`); continue; }
    assert.ok(a === b || Math.abs(a - b) <= (atol + rtol * Math.abs(b)) * ulps, `${msg}[${i}]: gpu ${a}, cpu ${b}`);
  }
}

const F = [mx.float32, mx.float16, mx.bfloat16];
const I = [mx.int32, mx.int16, mx.int8, mx.uint32, mx.uint16, mx.uint8];
/** Inputs built on the CPU: values with halves, specials, and a [3, 4] shape. */
const vals = (d: mx.Dtype): mx.MxArray => mx.astype(mx.array(
  [[-2.5, -1.5, -0.5, 0.5], [1.5, 2.5, 0.25, -0.75], [3.75, -3, 1, 0]], mx.float32, cpu), d, cpu);
const specials = (d: mx.Dtype): mx.MxArray => mx.astype(mx.array([NaN, Infinity, -Infinity, 1.5, -0, 7], mx.float32, cpu), d, cpu);
const unit = (d: mx.Dtype): mx.MxArray => mx.astype(mx.array([-0.999, -0.5, -0.1, 0, 0.3, 0.75, 0.99], mx.float32, cpu), d, cpu);
const shiftBy = (d: mx.Dtype): mx.MxArray => mx.astype(mx.array([[0, 1, 3, 7], [8, 15, 31, 33], [-1, 2, 0, 16]], mx.int32, cpu), d, cpu);

/** [name, dtypes, op(dtype, stream), tolerance multiple]. */
const ROWS: [string, mx.Dtype[], (d: mx.Dtype, o: { stream: mx.Device }) => mx.MxArray, number][] = [
  ['erf', [...F, mx.int32], (d, o) => mx.erf(vals(d), o), 4],
  ['erfinv', F, (d, o) => mx.erfinv(unit(d), o), 8],
  ['round', [...F, mx.int16], (d, o) => mx.round(vals(d), o), 0],
  ['round decimals', [mx.float32], (d, o) => mx.round(mx.multiply(vals(d), mx.array(1.2345, mx.float32, cpu), cpu), 2, o), 0],
  ['round negative decimals', [mx.float32], (d, o) => mx.round(mx.multiply(vals(d), mx.array(123, mx.float32, cpu), cpu), -1, o), 0],
  ['nanToNum', [...F, mx.int8], (d, o) => mx.nanToNum(specials(d), o), 0],
  ['nanToNum values', [mx.float32], (d, o) => mx.nanToNum(specials(d), 1, 2, -3, o), 0],
  ['imag of reals', [mx.float32, mx.int32], (d, o) => mx.imag(vals(d), o), 0],
  ['leftShift', I, (d, o) => mx.leftShift(vals(d === mx.uint32 || d === mx.uint16 || d === mx.uint8 ? mx.int32 : d).astype(d, cpu), shiftBy(d), o), 0],
  ['rightShift', I, (d, o) => mx.rightShift(mx.astype(mx.multiply(vals(mx.float32), 1000, cpu), d, cpu), shiftBy(d), o), 0],
  ['argmax axis 1', [...F, ...I, mx.bool], (d, o) => mx.argmax(vals(d), 1, o), 0],
  ['argmin axis 0', [...F, mx.int8, mx.uint16], (d, o) => mx.argmin(vals(d), 0, o), 0],
  ['argmax flat', [mx.float32, mx.int32], (d, o) => mx.argmax(vals(d), o), 0],
  ['argmax NaN first', [mx.float32], (d, o) => mx.argmax(specials(d), o), 0],
  ['argmin strided', [mx.float32], (d, o) => mx.argmin(mx.transpose(vals(d), cpu), 1, o), 0],
  ['logsumexp last', F, (d, o) => mx.logsumexp(vals(d), -1, o), 4],
  ['logsumexp axis 0 keepdims', [mx.float32], (d, o) => mx.logsumexp(vals(d), 0, { keepdims: true, ...o }), 4],
  ['logsumexp all', [mx.float32], (d, o) => mx.logsumexp(vals(d), o), 4],
  ['logsumexp specials', [mx.float32], (d, o) => mx.logsumexp(mx.reshape(specials(d), [3, 2], cpu), 1, o), 4],
  ['logsumexp empty lanes', [mx.float32], (d, o) => mx.logsumexp(mx.zeros([2, 0], d, cpu), 1, o), 0],
  ['empty', [mx.float32], (d, o) => mx.erf(mx.zeros([0, 3], d, cpu), o), 0],
];

for (const [name, dtypes, op, ulps] of ROWS) {
  test(`webgpu misc: ${name}`, async (t) => {
    if (!ok) { t.skip('no WebGPU adapter'); return; }
    for (const d of dtypes) {
      const c = op(d, cpu);
      await mx.eval(c);
      const before = fallbacks();
      const g = op(d, gpu);
      await mx.eval(g);
      assert.equal(fallbacks(), before, `${name} ${d.name}: fell back to the CPU`);
      await same(g, c, `${name} ${d.name}`, ulps);
    }
  });
}
