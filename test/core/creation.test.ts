/**
 * @file Creation ops against NumPy: fills, arange/linspace (empty, negative steps, num 0/1), eye/tri with k
 * offsets, tril/triu over batches and dtypes, meshgrid in both indexings, the windows; MLX's dtype rules where they
 * differ from NumPy's (integral arange is int32, full keeps a JS scalar's MLX dtype); argument errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { numpy, npArg, assertClose, testArray, testDevices, type NpResult } from '../helpers/numpy.js';
import { useTestDevices } from '../helpers/devices.js';

await useTestDevices();

type S = { stream: mx.Device };
type Out = mx.MxArray | mx.MxArray[];
/** A row: an mlx-ts builder (given the stream option and the input arrays) and the NumPy expression over a, b, c. */
interface Row { name: string; mx: (s: S, ...xs: mx.MxArray[]) => Out; np: string; inputs?: () => mx.MxArray[] }

/** A deterministic test array of any shape (empty ones included: built flat, then reshaped). */
function mk(shape: number[], dtype: mx.Dtype, seed = 1): mx.MxArray {
  return testArray([shape.reduce((p, q) => p * q, 1)], dtype, seed).reshape(shape);
}

async function runRows(rows: Row[], device: mx.Device): Promise<void> {
  const s = { stream: device };
  const outs: Out[] = [];
  const cases = [];
  for (const r of rows) {
    const xs = r.inputs ? r.inputs() : [];
    outs.push(r.mx(s, ...xs));
    cases.push({ expr: r.np, args: await Promise.all(xs.map((x) => npArg(x))) });
  }
  const res = numpy(cases);
  for (let i = 0; i < rows.length; i++) {
    const out = outs[i]!, exp = res[i]!, msg = `${rows[i]!.name} on ${device.type}`;
    if (exp.error) assert.fail(`${msg}: numpy raised ${exp.error}`);
    if (Array.isArray(out)) {
      assert.equal(out.length, exp.list!.length, `${msg}: list length`);
      for (let j = 0; j < out.length; j++) await assertClose(out[j]!, exp.list![j] as NpResult, { msg: `${msg}[${j}]`, signedZeros: true });
    } else {
      await assertClose(out, exp, { msg, signedZeros: true });
    }
  }
}

const FILL_ROWS: Row[] = [
  { name: 'zeros([2,3])', mx: (s) => mx.zeros([2, 3], s), np: 'np.zeros((2,3), np.float32)' },
  { name: 'zeros(4, int32)', mx: (s) => mx.zeros(4, mx.int32, s), np: 'np.zeros(4, np.int32)' },
  { name: 'zeros 0-d float16', mx: (s) => mx.zeros([], mx.float16, s), np: 'np.zeros((), np.float16)' },
  { name: 'zeros empty', mx: (s) => mx.zeros([0, 3], s), np: 'np.zeros((0,3), np.float32)' },
  { name: 'zeros complex64', mx: (s) => mx.zeros([2], mx.complex64, s), np: 'np.zeros(2, np.complex64)' },
  { name: 'ones([2,2], bool)', mx: (s) => mx.ones([2, 2], mx.bool, s), np: 'np.ones((2,2), np.bool_)' },
  { name: 'ones int64', mx: (s) => mx.ones([3], mx.int64, s), np: 'np.ones(3, np.int64)' },
  { name: 'ones bfloat16', mx: (s) => mx.ones([2, 1, 2], mx.bfloat16, s), np: 'np.ones((2,1,2), np.float32)' },
  { name: 'ones complex64', mx: (s) => mx.ones([2], mx.complex64, s), np: 'np.ones(2, np.complex64)' },
  // MLX: a JS integer fill is int32, a fractional one float32, a boolean bool
  { name: 'full(7) is int32', mx: (s) => mx.full([2, 3], 7, s), np: 'np.full((2,3), 7, np.int32)' },
  { name: 'full(2.5) is float32', mx: (s) => mx.full([2], 2.5, s), np: 'np.full(2, 2.5, np.float32)' },
  { name: 'full(true) is bool', mx: (s) => mx.full([3], true, s), np: 'np.full(3, True)' },
  { name: 'full(-0.0)', mx: (s) => mx.full([2], -0, mx.float32, s), np: 'np.full(2, -0.0, np.float32)' },
  { name: 'full(NaN, float16)', mx: (s) => mx.full([2], NaN, mx.float16, s), np: 'np.full(2, np.nan, np.float16)' },
  { name: 'full(-1, uint8) wraps', mx: (s) => mx.full([3], -1, mx.uint8, s), np: 'np.full(3, np.array(-1).astype(np.uint8))' },
  { name: 'full(2^40, int64)', mx: (s) => mx.full([2], 2 ** 40, mx.int64, s), np: 'np.full(2, 2**40, np.int64)' },
  { name: 'full(bigint, uint64)', mx: (s) => mx.full([2], 2n ** 63n + 5n, mx.uint64, s), np: 'np.full(2, 2**63+5, np.uint64)' },
  { name: 'full(3.7, int16) truncates', mx: (s) => mx.full([2], -3.7, mx.int16, s), np: 'np.full(2, -3, np.int16)' },
  { name: 'full(0.1, float64)', mx: (s) => mx.full([2], 0.1, mx.float64, s), np: 'np.full(2, 0.1, np.float64)' },
  { name: 'full(5, complex64)', mx: (s) => mx.full([2], 5, mx.complex64, s), np: 'np.full(2, 5, np.complex64)' },
  {
    name: 'full broadcasts an array row', inputs: () => [testArray([3], mx.float32, 2)],
    mx: (s, a) => mx.full([2, 3], a!, mx.float16, s), np: 'np.broadcast_to(a, (2,3)).astype(np.float16)',
  },
  {
    name: 'full broadcasts a column, keeps its dtype', inputs: () => [testArray([3, 1], mx.int8, 3)],
    mx: (s, a) => mx.full([2, 3, 4], a!, s), np: 'np.broadcast_to(a, (2,3,4))',
  },
  {
    name: 'full from a strided view', inputs: () => [testArray([4, 3], mx.int32, 4)],
    mx: (s, a) => mx.full([2, 3, 4], a!.T, s), np: 'np.broadcast_to(a.T, (2,3,4))',
  },
  {
    name: 'full complex array', inputs: () => [mx.array([1, 2]).astype(mx.complex64)],
    mx: (s, a) => mx.full([3, 2], a!, s), np: 'np.broadcast_to(a, (3,2))',
  },
  { name: 'zerosLike', inputs: () => [testArray([2, 3], mx.float16)], mx: (s, a) => mx.zerosLike(a!, s), np: 'np.zeros_like(a)' },
  { name: 'onesLike int8', inputs: () => [testArray([4], mx.int8)], mx: (s, a) => mx.onesLike(a!, s), np: 'np.ones_like(a)' },
  { name: 'onesLike 0-d bool', inputs: () => [mx.array(false)], mx: (s, a) => mx.onesLike(a!, s), np: 'np.ones_like(a)' },
  { name: 'onesLike with dtype', inputs: () => [testArray([2], mx.int8)], mx: (s, a) => mx.onesLike(a!, mx.float32, s), np: 'np.ones_like(a, np.float32)' },
  { name: 'fullLike 3.5 float', inputs: () => [testArray([2, 2], mx.float32)], mx: (s, a) => mx.fullLike(a!, 3.5, s), np: 'np.full_like(a, 3.5)' },
  { name: 'fullLike 3.5 int32 truncates', inputs: () => [testArray([3], mx.int32)], mx: (s, a) => mx.fullLike(a!, 3.5, s), np: 'np.full_like(a, 3)' },
  { name: 'asarray', mx: () => mx.asarray([[1, 2], [3, 4]], mx.float32), np: 'np.array([[1,2],[3,4]], np.float32)' },
];

const RANGE_ROWS: Row[] = [
  // MLX: all-integer arguments give int32 (NumPy would say int64)
  { name: 'arange(5)', mx: (s) => mx.arange(5, s), np: 'np.arange(5, dtype=np.int32)' },
  { name: 'arange(0) empty', mx: (s) => mx.arange(0, s), np: 'np.arange(0, dtype=np.int32)' },
  { name: 'arange(-3) empty', mx: (s) => mx.arange(-3, s), np: 'np.arange(-3, dtype=np.int32)' },
  { name: 'arange(2,10,3)', mx: (s) => mx.arange(2, 10, 3, s), np: 'np.arange(2,10,3, dtype=np.int32)' },
  { name: 'arange(5,0,-2)', mx: (s) => mx.arange(5, 0, -2, s), np: 'np.arange(5,0,-2, dtype=np.int32)' },
  { name: 'arange(10,0,1) empty', mx: (s) => mx.arange(10, 0, 1, s), np: 'np.arange(10,0,1, dtype=np.int32)' },
  { name: 'arange(0,-10,-3)', mx: (s) => mx.arange(0, -10, -3, s), np: 'np.arange(0,-10,-3, dtype=np.int32)' },
  { name: 'arange(0,1,0.1) float32', mx: (s) => mx.arange(0, 1, 0.1, s), np: 'np.arange(0,1,0.1).astype(np.float32)' },
  { name: 'arange(1,2,0.25)', mx: (s) => mx.arange(1, 2, 0.25, s), np: 'np.arange(1,2,0.25).astype(np.float32)' },
  { name: 'arange(-1.5,1.5,0.5)', mx: (s) => mx.arange(-1.5, 1.5, 0.5, s), np: 'np.arange(-1.5,1.5,0.5).astype(np.float32)' },
  { name: 'arange(2.5) float', mx: (s) => mx.arange(2.5, s), np: 'np.arange(2.5).astype(np.float32)' },
  { name: 'arange(1,-1,-0.3)', mx: (s) => mx.arange(1, -1, -0.3, s), np: 'np.arange(1,-1,-0.3).astype(np.float32)' },
  { name: 'arange(3, float16)', mx: (s) => mx.arange(3, mx.float16, s), np: 'np.arange(3, dtype=np.float16)' },
  { name: 'arange int64', mx: (s) => mx.arange(0, 5, 1, mx.int64, s), np: 'np.arange(0,5,1, dtype=np.int64)' },
  { name: 'arange uint8', mx: (s) => mx.arange(250, 255, mx.uint8, s), np: 'np.arange(250,255, dtype=np.uint8)' },
  { name: 'arange float64', mx: (s) => mx.arange(0, 1, 0.1, mx.float64, s), np: 'np.arange(0,1,0.1)' },
  { name: 'arange({start,stop})', mx: (s) => mx.arange({ start: 2, stop: 6, ...s }), np: 'np.arange(2,6, dtype=np.int32)' },
  { name: 'arange(stop, {step})', mx: (s) => mx.arange(6, { step: 2, ...s }), np: 'np.arange(0,6,2, dtype=np.int32)' },
  { name: 'arange(Infinity step)', mx: (s) => mx.arange(0, 5, Infinity, s), np: 'np.array([0.], np.float32)' },
  { name: 'linspace(0,1,5)', mx: (s) => mx.linspace(0, 1, 5, s), np: 'np.linspace(0,1,5, dtype=np.float32)' },
  { name: 'linspace default num=50', mx: (s) => mx.linspace(-1, 1, s), np: 'np.linspace(-1,1).astype(np.float32)' },
  { name: 'linspace num=0', mx: (s) => mx.linspace(0, 1, 0, s), np: 'np.linspace(0,1,0).astype(np.float32)' },
  { name: 'linspace num=1', mx: (s) => mx.linspace(3, 7, 1, s), np: 'np.linspace(3,7,1).astype(np.float32)' },
  { name: 'linspace decreasing', mx: (s) => mx.linspace(5, 0, 4, s), np: 'np.linspace(5,0,4).astype(np.float32)' },
  { name: 'linspace 0.1..0.7 exact end', mx: (s) => mx.linspace(0.1, 0.7, 7, s), np: 'np.linspace(0.1,0.7,7).astype(np.float32)' },
  { name: 'linspace float16', mx: (s) => mx.linspace(0, 10, 7, mx.float16, s), np: 'np.linspace(0,10,7).astype(np.float16)' },
  { name: 'linspace {num, dtype}', mx: (s) => mx.linspace(0, 1, { num: 3, dtype: mx.float64, ...s }), np: 'np.linspace(0,1,3)' },
];

const MATRIX_ROWS: Row[] = [
  { name: 'eye(3)', mx: (s) => mx.eye(3, s), np: 'np.eye(3, dtype=np.float32)' },
  { name: 'eye(2,3,1,int32)', mx: (s) => mx.eye(2, 3, 1, mx.int32, s), np: 'np.eye(2,3,1, dtype=np.int32)' },
  { name: 'eye(3,4,-1)', mx: (s) => mx.eye(3, 4, -1, s), np: 'np.eye(3,4,-1, dtype=np.float32)' },
  { name: 'eye(4,2,-3)', mx: (s) => mx.eye(4, 2, -3, s), np: 'np.eye(4,2,-3, dtype=np.float32)' },
  { name: 'eye k past the edge', mx: (s) => mx.eye(3, 3, 5, s), np: 'np.eye(3,3,5, dtype=np.float32)' },
  { name: 'eye(0)', mx: (s) => mx.eye(0, s), np: 'np.eye(0, dtype=np.float32)' },
  { name: 'eye {k, dtype bool}', mx: (s) => mx.eye(3, { k: -2, dtype: mx.bool, ...s }), np: 'np.eye(3, k=-2, dtype=np.bool_)' },
  { name: 'eye complex64', mx: (s) => mx.eye(2, mx.complex64, s), np: 'np.eye(2, dtype=np.complex64)' },
  { name: 'eye int64', mx: (s) => mx.eye(2, 3, mx.int64, s), np: 'np.eye(2,3, dtype=np.int64)' },
  { name: 'identity(4, float16)', mx: (s) => mx.identity(4, mx.float16, s), np: 'np.identity(4, np.float16)' },
  { name: 'tri(3)', mx: (s) => mx.tri(3, s), np: 'np.tri(3, dtype=np.float32)' },
  { name: 'tri(3,4,1)', mx: (s) => mx.tri(3, 4, 1, s), np: 'np.tri(3,4,1, dtype=np.float32)' },
  { name: 'tri(4,3,-1,int32)', mx: (s) => mx.tri(4, 3, -1, mx.int32, s), np: 'np.tri(4,3,-1, dtype=np.int32)' },
  { name: 'tri k far below', mx: (s) => mx.tri(2, { k: -5, ...s }), np: 'np.tri(2, k=-5, dtype=np.float32)' },
  { name: 'tri k far above', mx: (s) => mx.tri(2, 3, 9, s), np: 'np.tri(2, 3, 9, dtype=np.float32)' },
];

function triRows(): Row[] {
  const rows: Row[] = [];
  const shapes = [[4, 5], [3, 3], [2, 3, 4], [0, 3], [3, 0], [1, 1]];
  const dtypes = [mx.float32, mx.int64, mx.bool, mx.float16, mx.uint8];
  for (const [fn, np] of [['tril', 'np.tril'], ['triu', 'np.triu']] as const) {
    for (const shape of shapes) {
      for (const k of [0, -1, 2]) {
        for (const d of dtypes) {
          rows.push({
            name: `${fn}(${shape}, k=${k}, ${d.name})`, inputs: () => [mk(shape, d, shape.length + k)],
            mx: (s, a) => mx[fn](a!, k, s), np: `${np}(a, ${k})`,
          });
        }
      }
    }
    rows.push({ name: `${fn} of a transposed view`, inputs: () => [testArray([3, 5], mx.float32, 9)], mx: (s, a) => mx[fn](a!.T, { k: 1, ...s }), np: `${np}(a.T, 1)` });
    rows.push({ name: `${fn} complex64`, inputs: () => [mx.array([[1, 2], [3, 4]]).astype(mx.complex64)], mx: (s, a) => mx[fn](a!, s), np: `${np}(a)` });
  }
  return rows;
}

const GRID_ROWS: Row[] = [
  {
    name: 'meshgrid xy', inputs: () => [testArray([3], mx.float32, 1), testArray([2], mx.float32, 2)],
    mx: (s, a, b) => mx.meshgrid(a!, b!, s), np: 'np.meshgrid(a, b)',
  },
  {
    name: 'meshgrid ij', inputs: () => [testArray([3], mx.int32, 1), testArray([2], mx.int32, 2)],
    mx: (s, a, b) => mx.meshgrid(a!, b!, { indexing: 'ij', ...s }), np: 'np.meshgrid(a, b, indexing="ij")',
  },
  {
    name: 'meshgrid 3 inputs xy', inputs: () => [testArray([2], mx.float16, 1), testArray([3], mx.float16, 2), testArray([4], mx.float16, 3)],
    mx: (s, a, b, c) => mx.meshgrid(a!, b!, c!, s), np: 'np.meshgrid(a, b, c)',
  },
  {
    name: 'meshgrid sparse xy', inputs: () => [testArray([3], mx.float32, 1), testArray([2], mx.float32, 2), testArray([4], mx.float32, 3)],
    mx: (s, a, b, c) => mx.meshgrid(a!, b!, c!, { sparse: true, ...s }), np: 'np.meshgrid(a, b, c, sparse=True)',
  },
  {
    name: 'meshgrid sparse ij', inputs: () => [testArray([3], mx.float32, 1), testArray([2], mx.float32, 2)],
    mx: (s, a, b) => mx.meshgrid(a!, b!, { sparse: true, indexing: 'ij', ...s }), np: 'np.meshgrid(a, b, sparse=True, indexing="ij")',
  },
  { name: 'meshgrid one input', inputs: () => [testArray([3], mx.int8, 1)], mx: (s, a) => mx.meshgrid(a!, s), np: 'np.meshgrid(a)' },
  {
    name: 'meshgrid flattens 2-D and strided inputs', inputs: () => [testArray([2, 2], mx.float32, 1), testArray([3, 2], mx.float32, 2)],
    mx: (s, a, b) => mx.meshgrid(a!, b!.T, s), np: 'np.meshgrid(a, b.T)',
  },
  {
    name: 'meshgrid with an empty input', inputs: () => [testArray([0], mx.float32, 1), testArray([2], mx.float32, 2)],
    mx: (s, a, b) => mx.meshgrid(a!, b!, s), np: 'np.meshgrid(a, b)',
  },
];

function windowRows(): Row[] {
  const rows: Row[] = [];
  for (const w of ['bartlett', 'blackman', 'hamming', 'hanning'] as const) {
    for (const m of [0, 1, 2, 5, 12, -3]) {
      // float64 math rounded once, so compare at float32 tolerance; blackman's ends are ~1e-17 in NumPy
      rows.push({ name: `${w}(${m})`, mx: (s) => mx[w](m, s), np: `np.${w}(${m}).astype(np.float32)` });
    }
  }
  return rows;
}

for (const device of testDevices()) {
  test(`fills and like-ops match numpy on ${device.type}`, async () => { await runRows(FILL_ROWS, device); });
  test(`arange and linspace match numpy on ${device.type}`, async () => { await runRows(RANGE_ROWS, device); });
  test(`eye, identity and tri match numpy on ${device.type}`, async () => { await runRows(MATRIX_ROWS, device); });
  test(`tril and triu match numpy on ${device.type}`, async () => { await runRows(triRows(), device); });
  test(`meshgrid matches numpy on ${device.type}`, async () => { await runRows(GRID_ROWS, device); });
  test(`window functions match numpy on ${device.type}`, async () => {
    // blackman's end points are -1.4e-17 in NumPy: absolute tolerance covers them (signed zeros aside)
    const rows = windowRows();
    const outs = rows.map((r) => r.mx({ stream: device }) as mx.MxArray);
    const res = numpy(rows.map((r) => ({ expr: r.np, args: [] })));
    for (let i = 0; i < rows.length; i++) await assertClose(outs[i]!, res[i]!, { msg: rows[i]!.name, atol: 1e-6 });
  });
}

test('creation ops are lazy and dtype rules follow MLX', async () => {
  const z = mx.zeros([1000]);
  assert.equal(z.isEvaluated, false);
  assert.equal(mx.arange(3).dtype, mx.int32);
  assert.equal(mx.arange(0, 3, 0.5).dtype, mx.float32);
  assert.equal(mx.arange(0.5, 3).dtype, mx.float32);
  assert.equal(mx.linspace(0, 1, 3).dtype, mx.float32);
  assert.equal(mx.eye(2).dtype, mx.float32);
  assert.equal(mx.full([1], 1n).dtype, mx.int64);
  assert.equal(mx.full([1], mx.array([1], mx.uint16)).dtype, mx.uint16);
  assert.deepEqual(mx.meshgrid(mx.arange(3), mx.arange(2)).map((g) => g.shape), [[2, 3], [2, 3]]);
  assert.deepEqual(await mx.arange(1, 2, 0.25).tolist(), [1, 1.25, 1.5, 1.75]);
  // linspace's last value is (1 - 1) * start + 1 * stop = stop exactly
  const l = (await mx.linspace(0, 0.3, 4, mx.float64).tolist()) as number[];
  assert.equal(l[3], 0.3);
  assert.equal(await mx.zeros([]).item(), 0);
});

test('linspace is bit-exact with MLX: t = i / den and (1 - t) * start + t * stop in float32, then cast', async () => {
  // MLX rule (mlx/ops.cpp linspace): inner type float32 (float64 only for a float64 result), every step rounded to
  // it, one cast to the dtype at the end (ints truncate); endpoint=false divides by num; num=1 gives [start]
  const specs: [number, number, number, boolean, mx.Dtype][] = [
    [0.1, 1.3, 7, true, mx.float32], [-3.3, 17.9, 13, true, mx.float16], [-3.3, 17.9, 13, true, mx.int32],
    [0, 1, 5, false, mx.float32], [2.5, -7.25, 50, false, mx.float32], [0.1, 0.7, 61, true, mx.float64],
    [2.7, 10, 1, true, mx.int32], [1e-3, 123.456, 999, true, mx.float32],
  ];
  const outs = specs.map(([a, b, n, ep, d]) => mx.linspace(a, b, n, ep, d));
  const inner = (d: mx.Dtype): string => (d === mx.float64 ? 'np.float64' : 'np.float32');
  const res = numpy(specs.map(([a, b, n, ep, d]) => ({
    code: `f = ${inner(d)}\nt = np.arange(${n}, dtype=f) / f(${ep ? n - 1 : n})\n` +
      `r = ((f(1) - t) * f(${a}) + t * f(${b})) if ${n} != 1 else np.array([${a}])\nresult = r.astype(np.${d.name})`,
    args: [],
  })));
  for (let i = 0; i < outs.length; i++) await assertClose(outs[i]!, res[i]!, { rtol: 0, atol: 0, msg: `linspace ${JSON.stringify(specs[i])}` });
  // the float32 rule differs from the exactly rounded value: element 5 of linspace(0.1, 1.3, 7) is 1.0999999f
  assert.equal(((await outs[0]!.tolist()) as number[])[5], Math.fround(1.0999999));
  // positional endpoint and the older (num, dtype) order agree with the options form
  assert.deepEqual(await mx.linspace(0, 1, 4, false).tolist(), [0, 0.25, 0.5, 0.75]);
  assert.equal(mx.linspace(0, 1, 4, mx.float16).dtype, mx.float16);
  assert.deepEqual(await mx.linspace(0, 1, { num: 4, endpoint: false, dtype: mx.float64 }).tolist(), [0, 0.25, 0.5, 0.75]);
  assert.throws(() => mx.linspace(0, 1, 3, 1 as unknown as boolean), /\[linspace\] endpoint must be a boolean/);
});

test('creation ops reject bad arguments with the op name', () => {
  assert.throws(() => mx.zeros([-1]), /\[zeros\].*non-negative/);
  assert.throws(() => mx.ones([2.5]), /\[ones\]/);
  assert.throws(() => mx.zeros([2], 'float8' as never), /\[zeros\] Unknown dtype/);
  assert.throws(() => mx.full([2], mx.ones([3])), /\[full\].*\(3,\).*\(2,\)/);
  assert.throws(() => mx.full([2], mx.ones([2, 2])), /\[full\]/);
  assert.throws(() => mx.full([2], 'x' as never), /\[full\] Fill value/);
  assert.throws(() => mx.arange(0, 5, 0), /\[arange\] step must be non-zero/);
  assert.throws(() => mx.arange(3, mx.bool), /\[arange\] Cannot use bool/);
  assert.throws(() => mx.arange(0, Infinity), /\[arange\] Cannot compute length/);
  assert.throws(() => mx.arange(0, 5, NaN), /\[arange\] Cannot compute length/);
  assert.throws(() => mx.arange(), /\[arange\] Missing stop/);
  assert.throws(() => mx.linspace(0, 1, -1), /\[linspace\].*-1/);
  assert.throws(() => mx.linspace(0, 1, 2.5), /\[linspace\]/);
  assert.throws(() => mx.eye(-1), /\[eye\] n must be a non-negative integer/);
  assert.throws(() => mx.eye(2, 3, 0.5), /\[eye\] k must be an integer/);
  assert.throws(() => mx.tri(2, -2), /\[tri\] m must be/);
  assert.throws(() => mx.tril(mx.ones([3])), /\[tril\].*at least 2-D.*\(3,\)/);
  assert.throws(() => mx.triu(mx.ones([])), /\[triu\].*at least 2-D/);
  assert.throws(() => mx.triu(mx.ones([2, 2]), 1.5), /\[triu\] k must be an integer/);
  assert.throws(() => mx.meshgrid(mx.ones([2]), { indexing: 'ab' as never }), /\[meshgrid\] indexing/);
  assert.throws(() => mx.hanning(2.5), /\[hanning\]/);
  assert.throws(() => mx.zeros([2], { stream: 'cpu' as never }), /\[zeros\] The stream option/);
});

test('transform rules: full, meshgrid and tril under vjp and vmap', async () => {
  const { vjp, jvp } = await import('../../src/core/transforms/autodiff.js');
  const { vmap } = await import('../../src/core/transforms/vmap.js');
  const x = mx.array([1, 2, 3], mx.float32);
  // d/dx sum(w * full([2,3], x)) = column sums of w
  const w = testArray([2, 3], mx.float32, 5);
  const [, [dx]] = vjp((a: mx.MxArray) => mx.full([2, 3], a), [x], [w]);
  const [, [dcol]] = vjp((a: mx.MxArray) => mx.full([3, 2], a), [mx.array([[1], [2], [3]], mx.float32)], [mx.ones([3, 2])]);
  const [, [dg]] = vjp((a: mx.MxArray) => mx.meshgrid(a, mx.arange(4))[0]!, [x], [mx.ones([4, 3])]);
  const w3 = testArray([3, 3], mx.float32, 7);
  const [, [dt]] = vjp((a: mx.MxArray) => mx.triu(a, 1), [mx.ones([3, 3])], [w3]);
  const [, [tt]] = jvp((a: mx.MxArray) => mx.tril(a), [mx.ones([2, 2])], [mx.full([2, 2], 3, mx.float32)]);
  const m = [mx.array([[1, 2, 3], [4, 5, 6]], mx.float32), mx.ones([2, 3, 3])];
  const vf = vmap((a: mx.MxArray) => mx.full([2, 3], a))(m[0]);
  const vf1 = vmap((a: mx.MxArray) => mx.full([2, 3], a), 1)(m[0]!.T);
  const vt = vmap((a: mx.MxArray) => mx.tril(a, -1), 2)(testArray([3, 3, 2], mx.float32, 6));
  const vg = vmap((a: mx.MxArray, b: mx.MxArray) => mx.meshgrid(a, b))(m[0], mx.array([[7, 8], [9, 10]], mx.float32));
  const res = numpy([
    { expr: 'a.sum(0)', args: [await npArg(w)] },
    { expr: 'np.array([[2.],[2.],[2.]], np.float32)', args: [] },
    { expr: 'np.full(3, 4, np.float32)', args: [] },
    { expr: 'np.triu(a, 1)', args: [await npArg(w3)] },
    { expr: 'np.tril(np.full((2,2), 3, np.float32))', args: [] },
    { expr: 'np.broadcast_to(a[:, None, :], (2, 2, 3))', args: [await npArg(m[0]!)] },
    { expr: 'np.broadcast_to(a[:, None, :], (2, 2, 3))', args: [await npArg(m[0]!)] },
    { expr: 'np.stack([np.tril(a[:, :, i], -1) for i in range(2)])', args: [await npArg(testArray([3, 3, 2], mx.float32, 6))] },
    { code: 'result = [np.stack(g) for g in zip(*[np.meshgrid(a[i], b[i]) for i in range(2)])]', args: [await npArg(m[0]!), await npArg(mx.array([[7, 8], [9, 10]], mx.float32))] },
  ]);
  await assertClose(dx!, res[0]!, { msg: 'vjp full row' });
  await assertClose(dcol!, res[1]!, { msg: 'vjp full column' });
  await assertClose(dg!, res[2]!, { msg: 'vjp meshgrid' });
  await assertClose(dt!, res[3]!, { msg: 'vjp triu' });
  await assertClose(tt!, res[4]!, { msg: 'jvp tril' });
  await assertClose(vf as mx.MxArray, res[5]!, { msg: 'vmap full' });
  await assertClose(vf1 as mx.MxArray, res[6]!, { msg: 'vmap full in_axes=1' });
  await assertClose(vt as mx.MxArray, res[7]!, { msg: 'vmap tril over axis 2' });
  for (let i = 0; i < 2; i++) await assertClose((vg as mx.MxArray[])[i]!, res[8]!.list![i]!, { msg: `vmap meshgrid[${i}]` });
});
