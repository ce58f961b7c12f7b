// GPU scan (cumsum/cumprod/cummax/cummin/logcumsumexp, reverse/exclusive) on whatever adapter exists, compared with
// the CPU backend (whose scan tests check NumPy), with no CPU fallback on the GPU side: every dtype of 32 bits or
// fewer, any axis, strided inputs, empty and 0-d arrays, long rows (> 100k), many rows (> 65535 workgroups).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { tolFor } from '../helpers/numpy.js';

let ok = false;
before(async () => { ok = await mx.initGpu({ allowSoftware: true, quiet: true }); });
after(() => mx.shutdown());

const cpu = { stream: mx.cpu };
const fallbacks = (): number => mx.deviceInfo(mx.gpu).stats?.fallbacks ?? 0;

type Mode = 'cumsum' | 'cumprod' | 'cummax' | 'cummin' | 'logcumsumexp';
const MODES: Mode[] = ['cumsum', 'cumprod', 'cummax', 'cummin', 'logcumsumexp'];
const F = [mx.float32, mx.float16, mx.bfloat16];
const I = [mx.int32, mx.int16, mx.int8, mx.uint32, mx.uint16, mx.uint8];
const ALL = [...F, ...I, mx.bool];
const OPTS = [{}, { reverse: true }, { inclusive: false }, { reverse: true, inclusive: false }];

/**
 * Deterministic CPU input of `shape`: quarters in [-2, 2] (sums stay exact in every float dtype, so the float32 GPU
 * accumulator and the CPU's double one agree), integers in [-8, 8] (negative ones wrap in unsigned dtypes), or bools.
 */
function input(shape: number[], d: mx.Dtype, scale = 1): mx.MxArray {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = (((i * 37 + 11) % 17) - 8) * scale;
  const base = mx.reshape(mx.array(v, mx.float32, cpu), shape, cpu);
  if (d === mx.bool) return mx.notEqual(mx.remainder(base, 3, cpu), 0, cpu);
  return mx.astype(d === mx.float32 || d === mx.float16 || d === mx.bfloat16 ? mx.divide(base, 4, cpu) : base, d, cpu);
}

async function same(g: mx.MxArray, c: mx.MxArray, msg: string, ulps: number): Promise<void> {
  assert.deepEqual([...g.shape], [...c.shape], `${msg}: shape`);
  assert.equal(g.dtype, c.dtype, `${msg}: dtype`);
  const { rtol, atol } = tolFor(g.dtype);
  const gv = (await g.data()) as ArrayLike<number>, cv = (await c.data()) as ArrayLike<number>;
  assert.equal(gv.length, cv.length, `${msg}: length`);
  for (let i = 0; i < cv.length; i++) {
    const a = Number(gv[i]), b = Number(cv[i]);
    if (Number.isNaN(b)) { assert.ok(Number.isNaN(a), `${msg}[${i}]: expected NaN, got ${a}`); continue; }
    if (a !== b && !(Math.abs(a - b) <= (atol + rtol * Math.abs(b)) * ulps)) assert.fail(`${msg}[${i}]: gpu ${a}, cpu ${b}`);
  }
}

/** Runs `op` on the CPU and on the GPU (same CPU-built input), asserting no fallback and equal results. */
async function check(name: string, x: mx.MxArray, op: (x: mx.MxArray, s: { stream: mx.Device }) => mx.MxArray, ulps: number): Promise<void> {
  const c = op(x, cpu);
  await mx.eval(c);
  const before = fallbacks();
  const g = op(x, { stream: mx.gpu });
  await mx.eval(g);
  assert.equal(fallbacks(), before, `${name}: fell back to the CPU`);
  await same(g, c, name, ulps);
}

const scanOp = (m: Mode, axis: number | null | undefined, o: object) =>
  (x: mx.MxArray, s: { stream: mx.Device }) => mx[m](x, { ...(axis === undefined ? {} : { axis }), ...o, ...s });
const ulpsOf = (m: Mode): number => (m === 'logcumsumexp' ? 8 : m === 'cumprod' ? 4 : 1);

test('webgpu scan: every mode, dtype and option along the last axis', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  // one option set per (dtype, mode), rotating, so each dtype and each mode meets every option set without 200
  // pipelines (software adapters compile slowly)
  for (const [di, d] of ALL.entries()) {
    const x = input([3, 37], d);
    for (const [mi, m] of MODES.entries()) {
      const o = OPTS[(di + mi) % 4]!;
      await check(`${m} ${d.name} ${JSON.stringify(o)}`, x, scanOp(m, 1, o), ulpsOf(m));
    }
  }
});

/** [name, shape, axis (undefined: flattened), dtypes, modes, input transform]. */
const SHAPES: [string, number[], number | null | undefined, mx.Dtype[], Mode[], ((x: mx.MxArray) => mx.MxArray)?][] = [
  ['1-D odd', [37], 0, [mx.float32, mx.int8, mx.bool], MODES],
  ['axis 0 of [3, 5] (strided rows)', [3, 5], 0, [mx.float32, mx.uint16], MODES],
  ['middle axis of [2, 3, 4]', [2, 3, 4], 1, [mx.float32, mx.int32], MODES],
  ['flattened [3, 5]', [3, 5], undefined, [mx.float32, mx.int16, mx.bool], MODES],
  ['flattened transposed [4, 6]', [4, 6], null, [mx.float32, mx.uint8], ['cumsum', 'cummax'], (x) => mx.transpose(x, cpu)],
  ['last axis of transposed [5, 7]', [5, 7], 1, [mx.float32, mx.float16], ['cumsum', 'cummin'], (x) => mx.transpose(x, cpu)],
  ['sliced rows', [6, 9], 1, [mx.float32, mx.int8], ['cumsum', 'cumprod'], (x) => x.index('1:5', '2::2', cpu)],
  ['reversed rows', [6, 9], 1, [mx.float32, mx.uint16], ['cumsum', 'cummax'], (x) => x.index(':', '::-1', cpu)],
  ['0-d flattened', [], undefined, [mx.float32, mx.int32, mx.bool], MODES],
  ['empty rows [0, 3]', [0, 3], 1, [mx.float32, mx.int8], MODES],
  ['empty axis [4, 0]', [4, 0], 1, [mx.float32], MODES],
  ['empty flattened [3, 0]', [3, 0], undefined, [mx.float32], ['cumsum']],
  ['length-1 axis', [5, 1], 1, [mx.float32, mx.uint8], MODES],
  ['rows spanning chunks [2, 3000]', [2, 3000], 1, [mx.float32, mx.int16, mx.bool], ['cumsum', 'cummax', 'logcumsumexp']],
  ['long row [150001]', [150001], 0, [mx.float32, mx.int32, mx.int8], ['cumsum', 'cummin']],
  ['serial: axis 0 of [3, 1500]', [3, 1500], 0, [mx.float32, mx.int16, mx.bool], MODES],
  ['serial: middle axis of [2, 5, 700]', [2, 5, 700], 1, [mx.float32, mx.uint8], ['cumsum', 'cumprod', 'cummax']],
  ['serial: short rows [2000, 9]', [2000, 9], 1, [mx.float32, mx.int8], ['cumsum', 'logcumsumexp']],
  ['many rows: [65600, 20] (workgroups past 65535)', [65600, 20], 1, [mx.float32], ['cumsum']],
];

for (const [name, shape, axis, dtypes, modes, tf] of SHAPES) {
  test(`webgpu scan: ${name}`, async (t) => {
    if (!ok) { t.skip('no WebGPU adapter'); return; }
    for (const [di, d] of dtypes.entries()) {
      const x = tf ? tf(input(shape, d)) : input(shape, d);
      for (const [mi, m] of modes.entries()) {
        // two option sets per (dtype, mode), rotating; big cases one, to keep software adapters quick
        const ks = x.size > 2000 ? [0] : [0, 2];
        for (const k of ks) {
          const o = OPTS[(di + mi + k) % 4]!;
          await check(`${name} ${m} ${d.name} ${JSON.stringify(o)}`, x, scanOp(m, axis, o), ulpsOf(m));
        }
      }
    }
  });
}

test('webgpu scan: NaN and infinities (NaN sticks in cummax/cummin, as the CPU)', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const v = [1, NaN, 3, -Infinity, Infinity, 2, -1, NaN, 0.5, Infinity, Infinity, -Infinity, -Infinity, -0];
  for (const d of F) {
    const rows = mx.astype(mx.array([v, [...v].reverse(), v.map((u) => (Number.isNaN(u) ? 7 : u))], mx.float32, cpu), d, cpu);
    for (const [mi, m] of MODES.entries()) {
      for (const k of [0, 2]) {
        const o = OPTS[(mi + k) % 4]!;
        await check(`specials ${m} ${d.name} ${JSON.stringify(o)}`, rows, scanOp(m, 1, o), ulpsOf(m));
      }
    }
  }
});

test('webgpu scan: integer sums and products wrap like the CPU', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  for (const d of [mx.int32, mx.uint32, mx.int16, mx.uint8]) {
    const x = mx.astype(input([4, 300], mx.int32, 1_000_003), d, cpu);
    for (const m of ['cumsum', 'cumprod'] as Mode[]) for (const o of [OPTS[0]!, OPTS[3]!]) await check(`wrap ${m} ${d.name} ${JSON.stringify(o)}`, x, scanOp(m, 1, o), 0);
  }
});

test('webgpu scan: GPU-resident input and a chained GPU consumer', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const gpu = { stream: mx.gpu };
  const x = input([4, 33], mx.float32);
  const before = fallbacks();
  const g = mx.multiply(mx.cumsum(mx.add(x, 1, gpu), { axis: 1, ...gpu }), 2, gpu);
  await mx.eval(g);
  assert.equal(fallbacks(), before, 'fell back to the CPU');
  await same(g, mx.multiply(mx.cumsum(mx.add(x, 1, cpu), { axis: 1, ...cpu }), 2, cpu), 'chain', 1);
});
