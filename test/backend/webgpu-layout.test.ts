// The GPU layout and indexing kernels (views, contiguous, concatenate, dynamic slices, gathers) on whatever adapter
// exists (lavapipe here, with allowSoftware); skips cleanly without one. Every result on mx.gpu is compared exactly
// with the same op on mx.cpu (which the op tests check against NumPy), for GPU-resident, strided (transposed) and
// CPU-resident inputs, and the fallback counter proves the GPU kernels ran. Shapes stay tiny: lavapipe is slow.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { testArray, tolFor } from '../helpers/numpy.js';
import { bind } from '../../src/core/array.js';
import { toStream } from '../../src/core/device.js';

let ok = false;
before(async () => { ok = await mx.initGpu({ allowSoftware: true, quiet: true }); });
after(() => mx.shutdown());

type S = { stream: mx.Device };
const gpu: S = { stream: mx.gpu };
const cpu: S = { stream: mx.cpu };

async function same(g: mx.MxArray, c: mx.MxArray, msg: string): Promise<void> {
  assert.deepEqual([...g.shape], [...c.shape], `${msg}: shape`);
  assert.equal(g.dtype, c.dtype, `${msg}: dtype`);
  const gv = Array.from((await g.data()) as ArrayLike<number>).map(Number);
  const cv = Array.from((await c.data()) as ArrayLike<number>).map(Number);
  if (g.dtype !== mx.float16 && g.dtype !== mx.bfloat16) { assert.deepEqual(gv, cv, msg); return; }
  // half floats: accumulating scatters round each step through f32 (the CPU through f64), so allow a few ulps
  const { rtol, atol } = tolFor(g.dtype);
  gv.forEach((a, i) => assert.ok(Math.abs(a - cv[i]!) <= atol + rtol * 4 * Math.abs(cv[i]!), `${msg}[${i}]: gpu ${a}, cpu ${cv[i]}`));
}

const fallbacks = (): number => mx.deviceInfo(mx.gpu).stats!.fallbacks as number;

/** Op rows: name, op over an input x (shape [3, 4] or an empty / 0-d variant), applied with the given stream. */
type Op = (x: mx.MxArray, o: S) => mx.MxArray | mx.MxArray[];
const idx = (_o: S): mx.MxArray => mx.array([2, -1, 0, 1, 1], mx.int32);
const ROWS: [string, Op][] = [
  ['reshape', (x, o) => mx.reshape(x, [x.size], o)],
  ['reshape 3d', (x, o) => mx.reshape(x, [1, ...x.shape, 1], o)],
  ['transpose', (x, o) => mx.transpose(x, o)],
  ['broadcastTo', (x, o) => mx.broadcastTo(x, [2, ...x.shape], o)],
  ['indexView', (x, o) => x.index('1:, ::-2', o)],
  ['indexView newaxis', (x, o) => x.index(null, '...', mx.sl(0, 2), o)],
  ['split', (x, o) => mx.split(x, 2, 1, o)],
  ['flip', (x, o) => mx.flip(x, o)],
  ['diagonal', (x, o) => mx.diagonal(x, 1, 0, 1, o)],
  ['contiguous', (x, o) => mx.contiguous(x, o)],
  ['concatenate 0', (x, o) => mx.concatenate([x, x, x], 0, o)],
  ['concatenate 1', (x, o) => mx.concatenate([x, mx.flip(x, 1, o)], 1, o)],
  ['slice', (x, o) => mx.slice(x, mx.array([1], mx.int32), [0], [x.shape[0]! > 1 ? 2 : 0, x.shape[1]!], o)],
  ['pad constant', (x, o) => mx.pad(x, [[1, 2], [0, 1]], { constantValues: 7, stream: o.stream })],
  ['pad edge', (x, o) => mx.pad(x, [[2, 0], [1, 3]], { mode: 'edge', stream: o.stream })],
  ['pad reflect', (x, o) => mx.pad(x, [[2, 2], [3, 3]], { mode: 'reflect', stream: o.stream })],
  ['pad symmetric', (x, o) => mx.pad(x, [[4, 1], [5, 2]], { mode: 'symmetric', stream: o.stream })],
  ['sliceUpdate', (x, o) => mx.sliceUpdate(x, mx.flip(x.index(mx.sl(0, 2), mx.sl(0, 3), o), 0, o), mx.array([-1, 1], mx.int32), [0, 1], o)],
  ['sliceUpdate broadcast', (x, o) => mx.sliceUpdate(x, x.index(1, mx.sl(1, 3), o), mx.array([5], mx.int32), [1], o)],
  ['asStrided', (x, o) => mx.asStrided(x, [2, 3], [1, 2], 3, o)],
  ['diag of row', (x, o) => mx.diag(x.index(1, o), 1, o)],
  ['diag of column', (x, o) => mx.diag(x.index(mx.sl(), 2, o), -2, o)],
  ['putAlongAxis', (x, o) => mx.putAlongAxis(x, mx.array([[0, 0, 2], [3, -1, 1], [1, 1, 1]], mx.int32), x.index(mx.sl(), mx.sl(1), o), 1, o)],
  ['take axis', (x, o) => mx.take(x, mx.array([1, 0, -1], mx.int32), 1, o)],
  ['take flat', (x, o) => mx.take(x, idx(o), o)],
  ['takeAlongAxis', (x, o) => mx.takeAlongAxis(x, mx.array([[0], [3], [-1]], mx.int32), 1, o)],
  ['gather', (x, o) => x.index(mx.array([1, 0], mx.int32), mx.sl(null, null, 2), o)],
  ['gather 2', (x, o) => x.index(mx.array([[0], [1]], mx.int32), mx.array([2, 3, 0], mx.uint8), o)],
];
const DTYPES = [mx.float32, mx.float16, mx.int8, mx.uint16, mx.int32, mx.bool];

/** Inputs: [label, make(on cpu), place on the GPU first] */
const INPUTS: [string, (d: mx.Dtype) => mx.MxArray, 'gpu' | 'strided' | 'cpu'][] = [
  ['gpu', (d) => testArray([3, 4], d, 3), 'gpu'],
  ['strided', (d) => testArray([4, 3], d, 5), 'strided'],
  ['cpu-resident', (d) => testArray([3, 4], d, 7), 'cpu'],
];

test('webgpu layout/indexing kernels match the CPU backend without falling back', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  for (const [name, op] of ROWS) {
    for (const d of DTYPES) {
      for (const [label, make, place] of INPUTS) {
        const x = make(d);
        const xc = place === 'strided' ? mx.transpose(x, cpu) : x;
        const xg = place === 'gpu' ? mx.contiguous(x, gpu) : place === 'strided' ? mx.transpose(mx.contiguous(x, gpu), gpu) : x;
        const before = fallbacks();
        const g = op(xg, gpu), c = op(xc, cpu);
        const gs = Array.isArray(g) ? g : [g], cs = Array.isArray(c) ? c : [c];
        await mx.eval(...gs);
        assert.equal(fallbacks(), before, `${name} ${d.name} ${label}: fell back`);
        for (let i = 0; i < cs.length; i++) await same(gs[i]!, cs[i]!, `${name} ${d.name} ${label} [${i}]`);
      }
    }
  }
});

test('webgpu layout/indexing kernels on empty and 0-d arrays', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const e = mx.zeros([0, 4], mx.float32);
  const z = mx.array(2.5, mx.float32);
  const cases: [string, (o: S) => mx.MxArray | mx.MxArray[]][] = [
    ['reshape empty', (o) => mx.reshape(mx.contiguous(e, o), [4, 0], o)],
    ['transpose empty', (o) => mx.transpose(mx.contiguous(e, o), o)],
    ['concatenate empty', (o) => mx.concatenate([mx.contiguous(e, o), testArray([2, 4], mx.float32)], 0, o)],
    ['take empty index', (o) => mx.take(testArray([3, 4], mx.float32), mx.array([], mx.int32), 0, o)],
    ['reshape 0-d', (o) => mx.reshape(mx.contiguous(z, o), [1, 1], o)],
    ['broadcast 0-d', (o) => mx.broadcastTo(mx.contiguous(z, o), [2, 3], o)],
    ['index to 0-d', (o) => mx.contiguous(testArray([3, 4], mx.int16), o).index(1, -1, o)],
    ['flat take 0-d', (o) => mx.take(testArray([3, 4], mx.uint8), mx.array(5, mx.int32), o)],
  ];
  for (const [name, f] of cases) {
    const before = fallbacks();
    const g = f(gpu), c = f(cpu);
    const gs = Array.isArray(g) ? g : [g], cs = Array.isArray(c) ? c : [c];
    await mx.eval(...gs);
    assert.equal(fallbacks(), before, `${name}: fell back`);
    for (let i = 0; i < cs.length; i++) await same(gs[i]!, cs[i]!, name);
  }
});

test('webgpu views share the input buffer', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const x = mx.contiguous(testArray([3, 4], mx.float32), gpu);
  await mx.eval(x);
  const before = mx.deviceInfo(mx.gpu).stats!.dispatches as number;
  const v = mx.transpose(x.index(mx.sl(1), mx.sl(null, null, -1), gpu), gpu);
  await mx.eval(v);
  assert.equal(mx.deviceInfo(mx.gpu).stats!.dispatches, before, 'a view launches nothing');
  await same(v, mx.transpose(testArray([3, 4], mx.float32).index(mx.sl(1), mx.sl(null, null, -1))), 'view');
});

test('webgpu scatterAxis combines duplicate indices in the CPU order for every mode', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const idx = mx.array([[0, 0, 2, 0], [3, -1, 1, 3], [1, 1, 1, 1]], mx.int32);
  for (const mode of ['set', 'add', 'sub', 'mul', 'max', 'min'] as const) {
    for (const d of [mx.float32, mx.float16, mx.bfloat16, mx.int8, mx.uint16, mx.int32, mx.bool]) {
      if (d === mx.bool && (mode === 'sub')) continue;
      const x = testArray([3, 4], d, 11), u = testArray([3, 4], d, 13);
      const run = (o: S): mx.MxArray =>
        bind('scatterAxis', [mx.contiguous(x, o), idx, u], { axis: 1, shape: [3, 4], mode }, toStream(o.stream, 'test'));
      const before = fallbacks();
      const g = run(gpu);
      await mx.eval(g);
      assert.equal(fallbacks(), before, `scatterAxis ${mode} ${d.name}: fell back`);
      await same(g, run(cpu), `scatterAxis ${mode} ${d.name}`);
    }
  }
});
