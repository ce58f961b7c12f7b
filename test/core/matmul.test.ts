/**
 * @file matmul, addmm, tensordot, inner, outer, vecdot and kron against NumPy. MLX rules checked here: matmul,
 * addmm, tensordot and inner need inputs that promote to an inexact dtype (integers raise); outputs keep the
 * promoted dtype (float16 stays float16, NumPy is only the oracle of the values, computed in double precision).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { numpy, npArg, assertClose, testDevices, type NpCase } from '../helpers/numpy.js';
import { operand, sumTol, exactCase } from './matmul-helpers.js';
import { useTestDevices } from '../helpers/devices.js';

await useTestDevices();

type View = (x: mx.MxArray) => mx.MxArray;
interface MmRow { a: number[]; b: number[]; va?: View; vb?: View; note?: string; only?: mx.Dtype[] }

const T: View = (x) => mx.swapaxes(x, -1, -2);
const MM_ROWS: MmRow[] = [
  { a: [2, 3], b: [3, 4] },
  { a: [3], b: [3, 4], note: '1-d @ 2-d' },
  { a: [2, 3], b: [3], note: '2-d @ 1-d' },
  { a: [5], b: [5], note: '1-d @ 1-d' },
  { a: [2, 1, 3, 4], b: [5, 4, 2], note: 'batch broadcast' },
  { a: [4, 3, 4], b: [4, 2], note: 'batched a, 2-d b' },
  { a: [3], b: [2, 3, 4], note: '1-d @ batched' },
  { a: [1, 1], b: [1, 1] },
  { a: [7, 7], b: [7, 7] },
  { a: [63, 65], b: [65, 63] },
  { a: [2, 65], b: [65, 70] },
  { a: [2, 260], b: [260, 520], note: 'several cache blocks', only: [mx.float32, mx.float64] },
  { a: [2, 0], b: [0, 3], note: 'K = 0 gives zeros' },
  { a: [0, 3], b: [3, 2] },
  { a: [2, 3], b: [3, 0] },
  { a: [3, 2], b: [4, 3], va: T, vb: T, note: 'transposed views' },
  { a: [5, 3], b: [4, 3], vb: T, note: 'b transposed, few rows (dot kernel)' },
  { a: [40, 3], b: [30, 40], va: T, vb: T, note: 'b transposed, many rows (packed)' },
  { a: [2, 3, 4], b: [2, 5, 4], vb: T, note: 'batched transposed b' },
  { a: [3], b: [2, 3, 4], va: (x) => mx.broadcastTo(x, [2, 4, 3]), note: 'broadcast view' },
  { a: [4, 6], b: [6, 4], va: (x) => x.index(':, 1::2'), vb: (x) => x.index('::2, ::-1'), note: 'strided and reversed slices' },
];
const DTYPES = [mx.float32, mx.float16, mx.bfloat16, mx.float64, mx.complex64];

for (const device of testDevices()) {
  test(`matmul matches numpy on ${device.type}`, async () => {
    const cases: NpCase[] = [], outs: mx.MxArray[] = [], ks: number[] = [], labels: string[] = [];
    for (const dtype of DTYPES) {
      for (const [i, r] of MM_ROWS.entries()) {
        if (r.only && !r.only.includes(dtype)) continue;
        let a = operand(r.a, dtype, 3 * i + 1), b = operand(r.b, dtype, 3 * i + 2);
        if (r.va) a = r.va(a);
        if (r.vb) b = r.vb(b);
        outs.push(mx.matmul(a, b, { stream: device }));
        cases.push(exactCase('np.matmul(a, b)', dtype, [await npArg(a), await npArg(b)]));
        ks.push(a.shape[a.ndim - 1]!);
        labels.push(`${dtype.name} ${r.note ?? ''} (${a.shape})@(${b.shape})`);
      }
    }
    const res = numpy(cases);
    for (let i = 0; i < outs.length; i++) {
      await assertClose(outs[i]!, res[i]!, { ...sumTol(outs[i]!.dtype, ks[i]!), msg: labels[i] });
    }
  });

  test(`addmm matches numpy on ${device.type}`, async () => {
    const rows: { c: number[]; a: number[]; b: number[]; alpha?: number; beta?: number }[] = [
      { c: [2, 4], a: [2, 3], b: [3, 4] },
      { c: [4], a: [2, 3], b: [3, 4], alpha: 2, beta: 0.5 },
      { c: [], a: [3, 2, 3], b: [3, 4], alpha: -1, beta: 3 },
      { c: [1, 4], a: [1, 2, 3], b: [5, 3, 4], alpha: 0.25 },
      { c: [2], a: [2, 3], b: [3], beta: 2 },
      { c: [3], a: [3], b: [3, 3, 3] },
      { c: [2, 2], a: [2, 0], b: [0, 2], alpha: 5, beta: -1 },
    ];
    const cases: NpCase[] = [], outs: mx.MxArray[] = [];
    for (const dtype of [mx.float32, mx.float16, mx.float64, mx.complex64]) {
      for (const [i, r] of rows.entries()) {
        const c = operand(r.c, dtype, 7 * i + 1), a = operand(r.a, dtype, 7 * i + 2), b = operand(r.b, dtype, 7 * i + 3);
        const alpha = r.alpha ?? 1, beta = r.beta ?? 1;
        outs.push(r.alpha === undefined && r.beta === undefined ? mx.addmm(c, a, b, { stream: device }) : mx.addmm(c, a, b, alpha, beta, { stream: device }));
        cases.push(exactCase(`${beta} * a + ${alpha} * (b @ c)`, dtype, [await npArg(c), await npArg(a), await npArg(b)]));
      }
    }
    const res = numpy(cases);
    for (let i = 0; i < outs.length; i++) await assertClose(outs[i]!, res[i]!, { ...sumTol(outs[i]!.dtype, 6), msg: `addmm row ${i} ${outs[i]!.dtype.name}` });
    assert.deepEqual(await mx.addmm(mx.array([1], mx.float32), mx.array([[1, 2]], mx.float32), mx.array([[3], [4]], mx.float32), { alpha: 2, beta: 3 }).tolist(), [[25]]);
  });

  test(`tensordot, inner, outer, vecdot and kron match numpy on ${device.type}`, async () => {
    const s = { stream: device };
    type Row = { f: (a: mx.MxArray, b: mx.MxArray) => mx.MxArray; np: string; a: number[]; b: number[]; dtypes: mx.Dtype[]; k: number };
    const F = [mx.float32, mx.float64, mx.complex64];
    const ALL = [mx.float32, mx.float16, mx.int32, mx.complex64];
    const rows: Row[] = [
      { f: (a, b) => mx.tensordot(a, b, s), np: 'np.tensordot(a, b)', a: [2, 3, 4], b: [3, 4, 5], dtypes: F, k: 12 },
      { f: (a, b) => mx.tensordot(a, b, 1, s), np: 'np.tensordot(a, b, 1)', a: [2, 3], b: [3, 4], dtypes: F, k: 3 },
      { f: (a, b) => mx.tensordot(a, b, 0, s), np: 'np.tensordot(a, b, 0)', a: [2, 3], b: [4], dtypes: F, k: 1 },
      { f: (a, b) => mx.tensordot(a, b, [[0, 2], [2, 1]], s), np: 'np.tensordot(a, b, ([0, 2], [2, 1]))', a: [3, 4, 5], b: [2, 5, 3], dtypes: F, k: 15 },
      { f: (a, b) => mx.tensordot(a, b, { axes: [1, 0], ...s }), np: 'np.tensordot(a, b, (1, 0))', a: [2, 3], b: [3, 2], dtypes: F, k: 3 },
      { f: (a, b) => mx.inner(a, b, s), np: 'np.inner(a, b)', a: [2, 3, 4], b: [5, 4], dtypes: F, k: 4 },
      { f: (a, b) => mx.inner(a, b, s), np: 'np.inner(a, b)', a: [], b: [3], dtypes: [mx.float32, mx.int32], k: 1 },
      { f: (a, b) => mx.outer(a, b, s), np: 'np.outer(a, b)', a: [2, 3], b: [4], dtypes: ALL, k: 1 },
      { f: (a, b) => mx.outer(a, b, s), np: 'np.outer(a, b)', a: [], b: [0], dtypes: ALL, k: 1 },
      { f: (a, b) => mx.vecdot(a, b, s), np: 'np.vecdot(a, b)', a: [2, 3], b: [2, 3], dtypes: ALL, k: 3 },
      { f: (a, b) => mx.vecdot(a, b, 0, s), np: 'np.vecdot(a, b, axis=0)', a: [3, 4], b: [3, 1], dtypes: ALL, k: 3 },
      { f: (a, b) => mx.kron(a, b, s), np: 'np.kron(a, b)', a: [2, 3], b: [3, 2], dtypes: ALL, k: 1 },
      { f: (a, b) => mx.kron(a, b, s), np: 'np.kron(a, b)', a: [2], b: [2, 2, 3], dtypes: ALL, k: 1 },
      { f: (a, b) => mx.kron(a, b, s), np: 'np.kron(a, b)', a: [], b: [3], dtypes: [mx.float32], k: 1 },
    ];
    const cases: NpCase[] = [], outs: mx.MxArray[] = [], ks: number[] = [];
    for (const [i, r] of rows.entries()) {
      for (const dtype of r.dtypes) {
        const a = operand(r.a, dtype, 5 * i + 1), b = operand(r.b, dtype, 5 * i + 2);
        const out = r.f(a, b);
        outs.push(out);
        ks.push(r.k);
        cases.push(exactCase(r.np, out.dtype, [await npArg(a), await npArg(b)]));
      }
    }
    const res = numpy(cases);
    for (let i = 0; i < outs.length; i++) {
      await assertClose(outs[i]!, res[i]!, { ...sumTol(outs[i]!.dtype, ks[i]!), msg: `${cases[i]!.code} (${outs[i]!.dtype.name})` });
    }
  });
}

test('MLX dtype rules of the matmul family', () => {
  const i32 = mx.array([[1, 2], [3, 4]]);
  const f16 = mx.array([[1, 2], [3, 4]], mx.float16);
  assert.equal(mx.matmul(f16, f16).dtype, mx.float16);
  assert.equal(mx.matmul(f16, mx.array([[1], [2]], mx.bfloat16)).dtype, mx.float32);
  assert.equal(mx.matmul(i32, f16).dtype, mx.float16);
  assert.equal(mx.outer(i32, i32).dtype, mx.int32);
  // vecdot sums like mx.sum: bool counts as int32, small ints widen to int32
  assert.equal(mx.vecdot(mx.array([true, true]), mx.array([true, false])).dtype, mx.int32);
  assert.equal(mx.vecdot(mx.array([1, 2], mx.int8), mx.array([1, 2], mx.int8)).dtype, mx.int32);
});

test('matmul family errors', () => {
  const f = (shape: number[]) => mx.zeros(shape, mx.float32);
  assert.throws(() => mx.matmul(f([2, 3]), f([4, 5])),
    /^Error: \[matmul\] Last dimension of first input with shape \(2,3\) must match second to last dimension of second input with shape \(4,5\)\.$/);
  assert.throws(() => mx.matmul(f([3]), f([4])), /\[matmul\] Last dimension of first input with shape \(1,3\).*\(4,1\)/);
  assert.throws(() => mx.matmul(f([2, 2, 3]), f([3, 3, 4])), /\[matmul\] Batch dimensions.*\(2,2,3\) and \(3,3,4\)/);
  assert.throws(() => mx.matmul(f([]), f([3])), /\[matmul\] Got 0 dimension input/);
  assert.throws(() => mx.matmul(mx.array([[1]]), mx.array([[1]])), /\[matmul\] Only inexact types are supported but int32 and int32/);
  assert.throws(() => mx.addmm(f([3, 3]), f([2, 3]), f([3, 4])), /\[addmm\] Input c with shape \(3,3\) must broadcast to the output shape \(2,4\)/);
  assert.throws(() => mx.addmm(mx.array([2]), mx.array([[1]]), mx.array([[1]])), /\[addmm\] Only real floating point types/);
  assert.throws(() => mx.tensordot(f([2, 3]), f([4, 5]), 1), /\[tensordot\] a and b must have the same shape on the contracted axes/);
  assert.throws(() => mx.tensordot(f([2, 3]), f([3]), 3), /\[tensordot\] axis 3 must be at most/);
  assert.throws(() => mx.tensordot(f([2, 3]), f([3]), [[0, 1], [0]]), /\[tensordot\] axes must have the same size/);
  assert.throws(() => mx.inner(f([2, 3]), f([2])), /\[inner\] a and b must have the same last dimension/);
  assert.throws(() => mx.vecdot(f([2, 3]), f([2, 4])), /\[vecdot\] a and b must have the same size along axis/);
  assert.throws(() => mx.vecdot(f([]), f([2])), /\[vecdot\] inputs must be at least 1D/);
  assert.throws(() => mx.kron(f([0]), f([2])), /\[kron\] Input arrays cannot be empty/);
});

test('matmul of special values propagates NaN and Inf', async () => {
  const a = mx.array([[NaN, 1], [Infinity, 0], [1, 1]], mx.float32);
  const b = mx.array([[1, 0], [0, 1]], mx.float32);
  const res = numpy([{ expr: 'a @ b', args: [await npArg(a), await npArg(b)] }]);
  await assertClose(mx.matmul(a, b), res[0]!);
});
