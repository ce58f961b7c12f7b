/**
 * @file Reductions against NumPy: every op over shapes [], [0], [7], [3,4], [2,3,4], axis variants, keepdims and
 * nine dtypes, plus edge values (NaN, ±Inf), empty arrays and error rows. MLX's dtype rules differ from NumPy's
 * (sum of int8 is int32 in MLX, int64 in NumPy; mean of ints is float32, not float64; argmax is uint32): each
 * NumPy expression names the MLX output dtype explicitly, so the dtype check tests the MLX rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { numpy, npArg, assertClose, testArray, testDevices, type NpCase } from '../helpers/numpy.js';
import { useTestDevices } from '../helpers/devices.js';

await useTestDevices();

const DTYPES = [mx.bool, mx.int8, mx.int32, mx.uint8, mx.int64, mx.float16, mx.bfloat16, mx.float32, mx.float64];
const SHAPES: number[][] = [[], [0], [7], [3, 4], [2, 3, 4]];
type Ax = number | number[] | undefined;
const AXES: [Ax, boolean][] = [[undefined, false], [undefined, true], [0, false], [-1, true], [[0, 2], false], [[0, 2], true], [[], false]];

/** NumPy spelling of a dtype (bfloat16 arrives in NumPy as float32). */
const np = (d: mx.Dtype): string => (d === mx.bool ? 'np.bool_' : d === mx.bfloat16 ? 'np.float32' : `np.${d.name}`);
const pyAxis = (a: Ax): string => (a === undefined ? 'None' : typeof a === 'number' ? `${a}` : `(${a.join(',')}${a.length === 1 ? ',' : ''})`);
const axisOk = (a: Ax, nd: number): boolean =>
  a === undefined || (typeof a === 'number' ? a >= -nd && a < nd : a.every((x) => x >= -nd && x < nd));

/** MLX: bool and ints up to 32 bits sum in int32/uint32, 64-bit ints stay. */
function sumType(d: mx.Dtype): mx.Dtype {
  if (d === mx.bool) return mx.int32;
  if (mx.isInteger(d)) return d.size === 8 ? d : mx.isUnsigned(d) ? mx.uint32 : mx.int32;
  return d;
}
/** MLX: floating results of integer inputs are float32. */
const floatType = (d: mx.Dtype): mx.Dtype => (mx.isFloating(d) ? d : mx.float32);

interface Row {
  name: string;
  op: (a: mx.MxArray, axis: Ax, kd: boolean, s: mx.Device) => mx.MxArray;
  /** NumPy expression over `a` with AX (axis) and KD (keepdims) substituted; OUT is the MLX output dtype. */
  np: string;
  out: (d: mx.Dtype) => mx.Dtype;
  skip?: (d: mx.Dtype, shape: number[], axis: Ax) => boolean;
  tol?: { rtol?: number; atol?: number };
}

const F64 = 'a.astype(np.float64)';
const empty = (s: number[]): boolean => s.includes(0);
const ROWS: Row[] = [
  { name: 'sum', op: (a, ax, kd, s) => mx.sum(a, ax, kd, { stream: s }), out: sumType,
    np: 'np.sum(a, axis=AX, keepdims=KD, dtype=OUT) if OUT_INT else np.sum(F64, axis=AX, keepdims=KD).astype(OUT)' },
  { name: 'prod', op: (a, ax, kd, s) => mx.prod(a, { axis: ax, keepdims: kd, stream: s }), out: sumType,
    np: 'np.prod(a, axis=AX, keepdims=KD, dtype=OUT) if OUT_INT else np.prod(F64, axis=AX, keepdims=KD).astype(OUT)' },
  { name: 'max', op: (a, ax, kd, s) => mx.max(a, ax, kd, { stream: s }), out: (d) => d, np: 'np.max(a, axis=AX, keepdims=KD)',
    skip: (_d, sh) => empty(sh) },
  { name: 'min', op: (a, ax, kd, s) => a.min(ax, kd, { stream: s }), out: (d) => d, np: 'np.min(a, axis=AX, keepdims=KD)',
    skip: (_d, sh) => empty(sh) },
  { name: 'all', op: (a, ax, kd, s) => mx.all(a, ax, kd, { stream: s }), out: () => mx.bool, np: 'np.all(a, axis=AX, keepdims=KD)' },
  { name: 'any', op: (a, ax, kd, s) => a.any(ax, kd, { stream: s }), out: () => mx.bool, np: 'np.any(a, axis=AX, keepdims=KD)' },
  { name: 'mean', op: (a, ax, kd, s) => a.mean(ax, kd, { stream: s }), out: floatType,
    np: 'np.mean(F64, axis=AX, keepdims=KD).astype(OUT)' },
  { name: 'var', op: (a, ax, kd, s) => mx.var(a, ax, kd, { stream: s }), out: floatType,
    np: 'np.var(F64, axis=AX, keepdims=KD).astype(OUT)' },
  { name: 'var ddof=1', op: (a, ax, kd, s) => mx.var(a, ax, kd, 1, { stream: s }), out: floatType,
    np: 'np.var(F64, axis=AX, keepdims=KD, ddof=1).astype(OUT)' },
  { name: 'std ddof=1', op: (a, ax, kd, s) => a.std({ axis: ax, keepdims: kd, ddof: 1, stream: s }), out: floatType,
    np: 'np.std(F64, axis=AX, keepdims=KD, ddof=1).astype(OUT)' },
  { name: 'logsumexp', op: (a, ax, kd, s) => mx.logsumexp(a, ax, kd, { stream: s }), out: floatType,
    np: 'lse(F64, AX, KD).astype(OUT)' },
  { name: 'median', op: (a, ax, kd, s) => mx.median(a, ax, kd, { stream: s }), out: floatType,
    np: 'np.median(F64, axis=AX, keepdims=KD).astype(OUT)', skip: (_d, _s, ax) => Array.isArray(ax) && ax.length === 0 },
  { name: 'countNonzero', op: (a, ax, kd, s) => mx.countNonzero(a, ax, kd, { stream: s }), out: () => mx.int32,
    np: 'np.count_nonzero(a, axis=AX, keepdims=KD).astype(np.int32)', skip: (_d, _s, ax) => Array.isArray(ax) && ax.length === 0 },
  { name: 'softmax', op: (a, ax, _kd, s) => mx.softmax(a, ax, { stream: s }), out: floatType,
    np: 'smax(F64, AX).astype(OUT)' },
  { name: 'argmax', op: (a, ax, kd, s) => mx.argmax(a, ax as number | undefined, kd, { stream: s }), out: () => mx.uint32,
    np: 'np.argmax(a, axis=AX, keepdims=KD).astype(np.uint32)', skip: (_d, sh, ax) => Array.isArray(ax) || empty(sh) },
  { name: 'argmin', op: (a, ax, kd, s) => a.argmin({ axis: ax as number | undefined, keepdims: kd, stream: s }), out: () => mx.uint32,
    np: 'np.argmin(a, axis=AX, keepdims=KD).astype(np.uint32)', skip: (_d, sh, ax) => Array.isArray(ax) || empty(sh) },
];

const PRELUDE = `
import warnings
warnings.simplefilter('ignore')
def lse(x, axis, kd):
    m = np.max(x, axis=axis, keepdims=True, initial=-np.inf)
    m = np.where(np.isfinite(m), m, 0)
    r = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return r if kd else np.squeeze(r, axis=axis if axis is not None else tuple(range(x.ndim)))
def smax(x, axis):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True, initial=-np.inf))
    return e / np.sum(e, axis=axis, keepdims=True)
`;

function npCode(row: Row, dtype: mx.Dtype, axis: Ax, kd: boolean): string {
  const out = row.out(dtype);
  // NumPy needs a tuple for an empty axis list, and () reduces nothing, as in MLX
  const expr = row.np.replaceAll('F64', F64).replaceAll('AX', pyAxis(axis)).replaceAll('KD', kd ? 'True' : 'False')
    .replaceAll('OUT_INT', mx.isInteger(out) ? 'True' : 'False').replaceAll('OUT', np(out));
  return `${PRELUDE}\nresult = ${expr}`;
}

for (const device of testDevices()) {
  test(`reductions match numpy over shapes, axes and dtypes on ${device.type}`, async () => {
    const cases: NpCase[] = [];
    const outs: { got: mx.MxArray; msg: string; tol?: Row['tol'] }[] = [];
    for (const dtype of DTYPES) {
      for (const shape of SHAPES) {
        const a = testArray(shape, dtype, 11 + shape.length);
        const arg = await npArg(a);
        for (const row of ROWS) {
          for (const [axis, kd] of AXES) {
            if (!axisOk(axis, shape.length) || row.skip?.(dtype, shape, axis)) continue;
            if (row.name === 'softmax' && kd) continue;
            outs.push({ got: row.op(a, axis, kd, device), msg: `${row.name}(${dtype.name}[${shape}], axis=${pyAxis(axis)}, keepdims=${kd})`, tol: row.tol });
            cases.push({ code: npCode(row, dtype, axis, kd), args: [arg] });
          }
        }
      }
    }
    const res = numpy(cases);
    for (let i = 0; i < outs.length; i++) await assertClose(outs[i]!.got, res[i]!, { msg: outs[i]!.msg, ...outs[i]!.tol });
    assert.ok(outs.length > 1500, `ran ${outs.length} cases`);
  });
}

test('edge values: NaN and infinities propagate as in numpy', async () => {
  const vals = [[1, NaN, 2, 3], [Infinity, 1, -Infinity, 0], [-Infinity, -Infinity, -Infinity, -Infinity], [Infinity, 5, Infinity, -0]];
  const cases: NpCase[] = [];
  const outs: [mx.MxArray, string][] = [];
  for (const dtype of [mx.float32, mx.float16, mx.bfloat16, mx.float64]) {
    const a = mx.array(vals, dtype);
    const arg = await npArg(a);
    for (const row of ROWS) {
      for (const axis of [1, 0, undefined] as Ax[]) {
        const kd = false;
        outs.push([row.op(a, axis, kd, mx.cpu), `${row.name}(${dtype.name}, axis=${pyAxis(axis)})`]);
        cases.push({ code: npCode(row, dtype, axis, kd), args: [arg] });
      }
    }
  }
  const res = numpy(cases);
  for (let i = 0; i < outs.length; i++) await assertClose(outs[i]![0], res[i]!, { msg: outs[i]![1] });
});

test('logsumexp and softmax are stable for large inputs', async () => {
  const a = mx.array([[1000, 1000], [-1000, -1001]], mx.float32);
  const l = (await mx.logsumexp(a, 1).tolist()) as number[];
  assert.ok(Math.abs(l[0]! - (1000 + Math.LN2)) < 1e-3 && Math.abs(l[1]! - (-1000 + Math.log1p(Math.exp(-1)))) < 1e-3);
  assert.deepEqual(await mx.softmax(a, -1).tolist(), [[0.5, 0.5], [1 / (1 + Math.exp(-1)), Math.exp(-1) / (1 + Math.exp(-1))].map(Math.fround)]);
  // precise only changes accumulation precision for half floats; the CPU always accumulates in float64
  assert.equal(mx.softmax(mx.array([1, 2], mx.float16), { precise: true }).dtype, mx.float16);
});

test('empty reductions: identities, NaN mean, errors for max/min/argmax', async () => {
  const e = mx.array([], mx.float32);
  assert.equal(await mx.sum(e).item(), 0);
  assert.equal(await mx.prod(e).item(), 1);
  assert.ok(Number.isNaN(await mx.mean(e).item<number>()));
  assert.equal(await mx.all(e).item(), true);
  assert.equal(await mx.any(e).item(), false);
  assert.throws(() => mx.max(e), /\[max\] Cannot max reduce over axis 0 with size 0/);
  assert.throws(() => mx.min(e, 0), /\[min\] Cannot min reduce over axis 0 with size 0/);
  assert.throws(() => mx.argmax(e), /\[argmax\] Cannot argmax reduce zero size array/);
  // MLX rule (mlx/ops.cpp compute_reduce_shape): max/min fail only when a folded axis has length 0; reducing a
  // non-empty axis of an empty array gives an empty result, and an empty axis list is a no-op. argmax/argmin
  // refuse any zero-size input.
  const e03 = mx.zeros([0, 3], mx.int32);
  const m1 = mx.max(e03, 1), m2 = mx.min(e03, 1, true), m3 = mx.max(e, []);
  assert.deepEqual([m1.shape, m1.dtype, m2.shape, m3.shape], [[0], mx.int32, [0, 1], [0]]);
  assert.deepEqual([await m1.tolist(), await m2.tolist(), await m3.tolist()], [[], [], []]);
  assert.throws(() => mx.max(e03, 0), /\[max\] Cannot max reduce over axis 0 with size 0/);
  assert.throws(() => mx.min(mx.zeros([3, 0]), [0, 1]), /\[min\] Cannot min reduce over axis 1 with size 0/);
  assert.throws(() => mx.argmax(e03, 1), /\[argmax\] Cannot argmax reduce zero size array/);
});

test('integer accumulators: int64 sums are exact, int32 sums wrap as in MLX', async () => {
  const big = mx.array([2n ** 62n, 2n ** 62n - 1n, -5n]);
  assert.equal(await mx.sum(big).item(), 2n ** 63n - 6n);
  assert.equal(await mx.max(big).item(), 2n ** 62n);
  const i32 = mx.array([2 ** 31 - 1, 1], mx.int32);
  assert.equal(await mx.sum(i32).item(), -(2 ** 31));
  assert.equal(mx.sum(mx.array([1, 2], mx.uint16)).dtype, mx.uint32);
  assert.equal(mx.prod(mx.array([true])).dtype, mx.int32);
});

test('trace matches numpy (offsets, axes, dtype)', async () => {
  const a = testArray([3, 4, 5], mx.float32, 3);
  const b = testArray([4, 3], mx.int32, 4);
  const specs: [mx.MxArray, number, number, number][] = [[a, 0, 0, 1], [a, 1, 0, 2], [a, -2, 2, 1], [b, 0, 0, 1], [b, 2, 0, 1], [b, -1, 1, 0], [b, 7, 0, 1]];
  const cases: NpCase[] = [];
  const outs: mx.MxArray[] = [];
  for (const [x, off, a1, a2] of specs) {
    // MLX keeps the input dtype unless one is given
    outs.push(mx.trace(x, off, a1, a2));
    cases.push({ expr: `np.trace(a, ${off}, ${a1}, ${a2}).astype(a.dtype)`, args: [await npArg(x)] });
  }
  outs.push(mx.trace(b, { dtype: mx.float32 }));
  cases.push({ expr: 'np.trace(a).astype(np.float32)', args: [await npArg(b)] });
  // MLX rule (mlx/ops.cpp trace = sum(astype(diagonal, dtype))): the diagonal is cast first, then summed with sum's
  // dtype rule, so bool/int8/uint8 traces are int32/uint32 and a float trace with dtype=int32 truncates each element
  const c = testArray([4, 4], mx.int8, 5), u = testArray([3, 3], mx.uint8, 6), t = mx.array([[true, false], [true, true]]);
  const h = mx.array([[1.5, 9], [9, 1.75]], mx.float32);
  outs.push(mx.trace(c), mx.trace(u, 1), mx.trace(t), mx.trace(h, 0, 0, 1, mx.int32), mx.trace(h, { dtype: mx.uint8 }));
  cases.push(
    { expr: 'np.trace(a, dtype=np.int32)', args: [await npArg(c)] },
    { expr: 'np.trace(a, 1, dtype=np.uint32)', args: [await npArg(u)] },
    { expr: 'np.trace(a, dtype=np.int32)', args: [await npArg(t)] },
    { expr: 'np.trace(a.astype(np.int32), dtype=np.int32)', args: [await npArg(h)] },
    { expr: 'np.trace(a.astype(np.uint8), dtype=np.uint32)', args: [await npArg(h)] },
  );
  const res = numpy(cases);
  for (let i = 0; i < outs.length; i++) await assertClose(outs[i]!, res[i]!, { msg: `trace case ${i}` });
});

test('reductions on non-contiguous and broadcast views', async () => {
  if (!('transpose' in mx) || !('broadcastTo' in mx)) return;
  const m = mx as unknown as { transpose: (a: mx.MxArray, ax?: number[]) => mx.MxArray; broadcastTo: (a: mx.MxArray, s: number[]) => mx.MxArray };
  const a = testArray([2, 3, 4], mx.float32, 5);
  const t = m.transpose(a, [2, 0, 1]);
  const b = m.broadcastTo(testArray([3, 1], mx.int32, 6), [3, 5]);
  const cases: NpCase[] = [];
  const outs: mx.MxArray[] = [];
  const arg = await npArg(a), barg = await npArg(testArray([3, 1], mx.int32, 6));
  for (const ax of [0, 1, 2, [0, 2], undefined] as Ax[]) {
    outs.push(mx.sum(t, ax), mx.max(t, ax), mx.var(t, ax), mx.softmax(t, ax));
    cases.push(
      { code: `${PRELUDE}\nresult = np.sum(np.transpose(a, (2, 0, 1)), axis=${pyAxis(ax)})`, args: [arg] },
      { code: `${PRELUDE}\nresult = np.max(np.transpose(a, (2, 0, 1)), axis=${pyAxis(ax)})`, args: [arg] },
      { code: `${PRELUDE}\nresult = np.var(np.transpose(a, (2, 0, 1)).astype(np.float64), axis=${pyAxis(ax)}).astype(np.float32)`, args: [arg] },
      { code: `${PRELUDE}\nresult = smax(np.transpose(a, (2, 0, 1)).astype(np.float64), ${pyAxis(ax)}).astype(np.float32)`, args: [arg] },
    );
  }
  outs.push(mx.sum(b, 1), mx.argmax(m.transpose(a, [1, 0, 2]), 1), mx.argmax(t));
  cases.push({ expr: 'np.sum(np.broadcast_to(a, (3, 5)), axis=1, dtype=np.int32)', args: [barg] },
    { expr: 'np.argmax(np.transpose(a, (1, 0, 2)), axis=1).astype(np.uint32)', args: [arg] },
    { expr: 'np.argmax(np.transpose(a, (2, 0, 1))).astype(np.uint32)', args: [arg] });
  const res = numpy(cases);
  for (let i = 0; i < outs.length; i++) await assertClose(outs[i]!, res[i]!, { msg: `view case ${i}` });
});

test('argument errors name the op, axes and shapes', () => {
  const a = mx.array([[1, 2], [3, 4]], mx.float32);
  assert.throws(() => mx.sum(a, 3), /\[sum\] Axis 3 is out of bounds for array with 2 dimensions/);
  assert.throws(() => mx.mean(a, -3), /\[mean\] Axis -3 is out of bounds/);
  assert.throws(() => mx.max(a, [0, 0]), /\[max\] Received duplicate axis 0/);
  assert.throws(() => mx.sum(a, [1, -1]), /duplicate axis/);
  assert.throws(() => mx.argmax(a, [0, 1] as unknown as number), /\[argmax\] axis must be a single integer/);
  assert.throws(() => mx.argmin(a, 2), /\[argmin\] Axis 2 is out of bounds/);
  assert.throws(() => mx.var(a, 0, false, 0.5), /\[var\] ddof must be an integer/);
  assert.throws(() => mx.sum(a, 0, 'yes' as unknown as boolean), /\[sum\] keepdims must be a boolean/);
  assert.throws(() => mx.sum(a, 0, { axis: 1 }), /given both positionally and in options/);
  assert.throws(() => mx.trace(mx.array([1, 2])), /\[trace\] Input must have at least 2 dimensions/);
  assert.throws(() => mx.trace(a, 0, 1, -1), /\[trace\] axis1 and axis2 must differ/);
  assert.throws(() => mx.softmax(a, 2), /\[softmax\] Axis 2 is out of bounds/);
  assert.throws(() => mx.sum(mx.array([1, 2], mx.complex64)), /\[sum\] complex64/);
});

test('reduction positional and options forms agree; scalars are accepted', async () => {
  const a = testArray([2, 3], mx.float32, 9);
  assert.deepEqual(await mx.sum(a, 1, true).tolist(), await mx.sum(a, { axis: 1, keepdims: true }).tolist());
  assert.deepEqual(await a.sum(1, { keepdims: true }).tolist(), await mx.sum(a, { axis: 1, keepdims: true }).tolist());
  assert.deepEqual(mx.sum(a, null, true).shape, [1, 1]);
  assert.equal(await mx.sum(5).item(), 5);
  assert.equal(mx.mean(true).dtype, mx.float32);
});
