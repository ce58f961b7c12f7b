/**
 * @file Tests of the index API against NumPy: `a.index(...)` (the same subscript string is given to NumPy as
 * `a[...]`), advanced indexing with index arrays, `a.at(...)` scatters against NumPy's `ufunc.at` and item
 * assignment, and the error cases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { numpy, npArg, assertClose, testArray, testDevices, type NpCase } from '../helpers/numpy.js';
import { arr } from './indexing-util.js';
import { useTestDevices } from '../helpers/devices.js';

await useTestDevices();

/** Basic index strings per shape; NumPy evaluates `a[<idx>]`. */
const BASIC: [number[], string[]][] = [
  [[5], ['1:', '::2', '::-1', '-2', '-1:0:-2', '1:100', '-100:2', '3:1', 'None, 2:', '...', '4', '::-3', '10:', '-10::-1', '4:-6:-1']],
  [[3, 4], ['1:, ::2', '::-1, -1', '1, None, ...', '..., 1', 'None, ..., None', '2:0:-1, 1:3', ':, -1', '0:0', '-1, ::-1']],
  [[2, 3, 4], ['1:, ::2, None, ...', '..., ::-2', '-1, :, 1:3', 'None, 1, ..., 0', ':, :, :', '0, 2, 3', '::-1, ::-1, ::-1', '..., None, 1:']],
  [[0], [':', '::-1', 'None', '5:']],
  [[0, 3], [':, 1', '..., ::2', '::-1, -1']],
  [[2, 0, 3], ['1, :, ::-1', ':, 1:, 0']],
  [[], ['...', 'None', '..., None', 'None, ..., None']],
];

const DTYPES = [mx.float32, mx.int32, mx.float16, mx.bool, mx.int64, mx.uint8];

for (const device of testDevices()) {
  test(`index with basic subscripts matches numpy on ${device.type}`, async () => {
    const cases: NpCase[] = [], outs: mx.MxArray[] = [], names: string[] = [];
    let seed = 1;
    for (const [shape, exprs] of BASIC) {
      for (const dtype of DTYPES) {
        const a = arr(shape, dtype, seed++);
        const arg = await npArg(a);
        for (const e of exprs) {
          outs.push(a.index(e, { stream: device }));
          cases.push({ expr: `a[${e}]`, args: [arg] });
          names.push(`${dtype.name}${JSON.stringify(shape)}[${e}]`);
        }
      }
    }
    const res = numpy(cases);
    for (let i = 0; i < outs.length; i++) await assertClose(outs[i]!, res[i]!, { msg: names[i] });
  });
}

test('slice objects, numbers and null give the same result as the string form', async () => {
  const a = testArray([4, 5, 6], mx.float32, 7);
  const rows: [mx.IndexItem[], string][] = [
    [[mx.sl(1), mx.sl(null, null, 2), null, '...'], '1:, ::2, None, ...'],
    [[mx.sl(null, null, -1), -1], '::-1, -1'],
    [[new mx.Slice(3, 0, -2), '...', 2], '3:0:-2, ..., 2'],
    [['1', ':-1'], '1, :-1'],
    [[mx.newaxis, 0, mx.sl(-3)], 'None, 0, -3:'],
  ];
  const cases: NpCase[] = rows.map(([, s]) => ({ expr: `a[${s}]`, args: [] }));
  const arg = await npArg(a);
  for (const c of cases) c.args.push(arg);
  const r = numpy(cases);
  for (let i = 0; i < rows.length; i++) await assertClose(a.index(...rows[i]![0]), r[i]!, { msg: rows[i]![1] });
});

test('basic indexing is a view sharing storage on the CPU', async () => {
  const a = testArray([4, 6], mx.float32, 3);
  await mx.eval(a);
  const v = a.index('1:, ::-2');
  await mx.eval(v);
  assert.equal(v._data!.storage, a._data!.storage);
  const g = a.index(mx.array([0, 1]));
  await mx.eval(g);
  assert.notEqual(g._data!.storage, a._data!.storage);
});

/** Advanced-index rows: items built from the index arrays b, c; NumPy evaluates `np` with the same b, c. */
interface AdvRow { shape: number[]; idx: mx.MxArray[]; items: (b: mx.MxArray[]) => mx.IndexItem[]; np: string; }
const i32 = (x: mx.NestedData, d: mx.Dtype = mx.int32): mx.MxArray => mx.array(x, d);

const ADV: AdvRow[] = [
  { shape: [5], idx: [i32([0, -1, 3, 3])], items: ([b]) => [b!], np: 'a[b]' },
  { shape: [3, 4], idx: [i32([[0, 1], [2, 0]])], items: ([b]) => [b!], np: 'a[b]' },
  { shape: [3, 4], idx: [i32([0, 2]), i32([1, -1])], items: ([b, c]) => [b!, c!], np: 'a[b, c]' },
  { shape: [3, 4], idx: [i32([[2], [0]]), i32([3, 0, 1])], items: ([b, c]) => [b!, c!], np: 'a[b, c]' },
  { shape: [2, 3, 4], idx: [i32([2, 0, 1]), i32([3, -4, 0])], items: ([b, c]) => [':', b!, c!], np: 'a[:, b, c]' },
  { shape: [2, 3, 4], idx: [i32([1, 0]), i32([3, 2])], items: ([b, c]) => [b!, ':', c!], np: 'a[b, :, c]' },
  { shape: [2, 3, 4], idx: [i32([[1, 0, 2]])], items: ([b]) => [0, ':', b!], np: 'a[0, :, b]' },
  { shape: [2, 3, 4], idx: [i32([1, 0, 3])], items: ([b]) => [':', 1, b!], np: 'a[:, 1, b]' },
  { shape: [2, 3, 4], idx: [i32([2, 0])], items: ([b]) => ['1:', b!], np: 'a[1:, b]' },
  { shape: [2, 3, 4], idx: [i32([2, 0])], items: ([b]) => [mx.sl(null, null, -1), b!, null], np: 'a[::-1, b, None]' },
  { shape: [2, 3, 4], idx: [i32([[3], [1]])], items: ([b]) => ['...', b!], np: 'a[..., b]' },
  { shape: [2, 3, 4], idx: [i32(1)], items: ([b]) => [b!], np: 'a[b]' },
  { shape: [2, 3, 4], idx: [i32(1), i32([2, 1])], items: ([b, c]) => [':', b!, c!], np: 'a[:, b, c]' },
  { shape: [2, 3, 4], idx: [mx.array([], mx.int32)], items: ([b]) => [b!], np: 'a[b]' },
  { shape: [2, 3, 4], idx: [i32([0, 2], mx.uint8), i32([-1, 1], mx.int64)], items: ([b, c]) => [1, b!, c!], np: 'a[1, b, c]' },
  { shape: [3, 4], idx: [], items: () => [[0, 2, -1]], np: 'a[[0, 2, -1]]' },
  { shape: [3, 4], idx: [], items: () => [':', [0, 2, -1], null], np: 'a[:, [0, 2, -1], None]' },
  { shape: [0, 4], idx: [i32([1, 3])], items: ([b]) => [':', b!], np: 'a[:, b]' },
  // a new axis between index arrays separates them; an ellipsis that expands to nothing does not
  { shape: [3, 4], idx: [i32([0, 2]), i32([1, 3])], items: ([b, c]) => [b!, null, c!], np: 'a[b, None, c]' },
  { shape: [2, 3, 4], idx: [i32([0, 2]), i32([1, 3])], items: ([b, c]) => [':', b!, '...', c!], np: 'a[:, b, ..., c]' },
  { shape: [2, 3, 4], idx: [i32([1, 0]), i32([1, 3])], items: ([b, c]) => [b!, '...', c!], np: 'a[b, ..., c]' },
];

for (const device of testDevices()) {
  test(`index with integer arrays matches numpy advanced indexing on ${device.type}`, async () => {
    const cases: NpCase[] = [], outs: mx.MxArray[] = [], names: string[] = [];
    let seed = 11;
    for (const row of ADV) {
      for (const dtype of [mx.float32, mx.int16, mx.complex64]) {
        const a = arr(row.shape, dtype, seed++);
        outs.push(a.index(...row.items(row.idx), { stream: device }));
        cases.push({ expr: row.np, args: [await npArg(a), ...(await Promise.all(row.idx.map((x) => npArg(x))))] });
        names.push(`${dtype.name}${JSON.stringify(row.shape)} ${row.np}`);
      }
    }
    const res = numpy(cases);
    for (let i = 0; i < outs.length; i++) await assertClose(outs[i]!, res[i]!, { msg: names[i] });
  });
}

test('out-of-range index arrays never crash: wrap once, then clamp', async () => {
  const a = testArray([4, 3], mx.float32, 5);
  const b = i32([7, -1, -9, 2]);
  const r = numpy([{ code: 'i = np.where(b < 0, b + 4, b); result = a[np.clip(i, 0, 3)]', args: [await npArg(a), await npArg(b)] }]);
  await assertClose(a.index(b), r[0]!);
  await assertClose(a.at(b).add(1), numpy([{
    code: 'r = a.copy(); i = np.where(b < 0, b + 4, b); np.add.at(r, np.clip(i, 0, 3), 1); result = r',
    args: [await npArg(a), await npArg(b)],
  }])[0]!);
});

/** Scatter rows: `at(items).method(v)` against NumPy code on a copy `r` of `a`, with b, c the index arrays and v. */
interface AtRow { shape: number[]; idx: mx.MxArray[]; items: (b: mx.MxArray[]) => mx.IndexItem[]; vshape: number[]; np: string; }
const UFUNC: Record<string, string> = { add: 'add', subtract: 'subtract', multiply: 'multiply', divide: 'divide', maximum: 'maximum', minimum: 'minimum' };
type AtMethod = 'set' | 'add' | 'subtract' | 'multiply' | 'divide' | 'maximum' | 'minimum';

const AT: AtRow[] = [
  // duplicates accumulate (np.<ufunc>.at)
  { shape: [5], idx: [i32([0, 0, 1, 4, -1, 0])], items: ([b]) => [b!], vshape: [6], np: 'b' },
  { shape: [5], idx: [i32([2, 2, 2])], items: ([b]) => [b!], vshape: [], np: 'b' },
  { shape: [3, 4], idx: [i32([2, 0, 2])], items: ([b]) => [b!, ':'], vshape: [3, 4], np: '(b, slice(None))' },
  { shape: [3, 4], idx: [i32([1, 1, 0]), i32([3, 3, -1])], items: ([b, c]) => [b!, c!], vshape: [3], np: '(b, c)' },
  { shape: [2, 3, 4], idx: [i32([[0], [2]]), i32([1, 1, 3])], items: ([b, c]) => [':', b!, c!], vshape: [2, 2, 3], np: '(slice(None), b, c)' },
  { shape: [2, 3, 4], idx: [i32([3, 0])], items: ([b]) => [1, ':', b!], vshape: [2, 3], np: '(1, slice(None), b)' },
  // basic indices only
  { shape: [3, 4], idx: [], items: () => ['1:, ::2'], vshape: [2, 2], np: '(slice(1, None), slice(None, None, 2))' },
  { shape: [3, 4], idx: [], items: () => [-1], vshape: [4], np: '-1' },
  { shape: [3, 4], idx: [], items: () => ['::-1, 1'], vshape: [3], np: '(slice(None, None, -1), 1)' },
  { shape: [2, 3], idx: [], items: () => ['...'], vshape: [], np: 'Ellipsis' },
];

const AT_DTYPES = [mx.float32, mx.int32, mx.float16, mx.int64, mx.uint8];

for (const device of testDevices()) {
  test(`at(...) scatters match numpy ufunc.at and item assignment on ${device.type}`, async () => {
    const cases: NpCase[] = [], outs: mx.MxArray[] = [], names: string[] = [];
    let seed = 31;
    for (const row of AT) {
      for (const dtype of AT_DTYPES) {
        for (const m of ['set', 'add', 'subtract', 'multiply', 'divide', 'maximum', 'minimum'] as AtMethod[]) {
          const a = testArray(row.shape, dtype, seed++, 1, 4);
          // positive values keep integer division and uint8 arithmetic well defined in both
          const v = testArray(row.vshape, dtype, seed++, 1, 3);
          outs.push(a.at(...row.items(row.idx))[m](v, { stream: device }));
          const vName = 'abcdefgh'[1 + row.idx.length];
          // MLX rule (python/src/indexing.cpp): divide is scatter_prod with the reciprocal cast to the array's dtype
          const recip = mx.isInteger(dtype)
            ? `np.trunc(np.float32(1) / ${vName}.astype(np.float32)).astype(r.dtype)`
            : `(r.dtype.type(1) / ${vName}.astype(r.dtype)).astype(r.dtype)`;
          const code = m === 'set'
            ? `r = a.copy(); r[${row.np}] = ${vName}.astype(r.dtype); result = r`
            : m === 'divide'
              ? `r = a.copy(); np.multiply.at(r, ${row.np}, ${recip}); result = r`
              : `r = a.copy(); np.${UFUNC[m]}.at(r, ${row.np}, ${vName}.astype(r.dtype)); result = r`;
          cases.push({ code, args: [await npArg(a), ...(await Promise.all(row.idx.map((x) => npArg(x)))), await npArg(v)] });
          names.push(`${dtype.name}${JSON.stringify(row.shape)}.at[${row.np}].${m}`);
        }
      }
    }
    const res = numpy(cases);
    for (let i = 0; i < outs.length; i++) await assertClose(outs[i]!, res[i]!, { msg: names[i] });
  });
}

test('at(...) on a strided view writes a fresh dense array', async () => {
  const a = testArray([4, 5], mx.float32, 51);
  const b = i32([0, 2, 0]);
  const r = numpy([{ code: 'r = a[::-1, 1::2].copy(); np.add.at(r, (b, slice(None)), 1); result = r', args: [await npArg(a), await npArg(b)] }]);
  await assertClose(a.index('::-1, 1::2').at(b, ':').add(1), r[0]!);
});

test('at(...).divide multiplies by the reciprocal cast to the dtype (MLX); float values are cast to the array dtype', async () => {
  // MLX: a.at[i].divide(v) = scatter_prod(a, i, reciprocal(v)) with the updates cast to a's dtype
  // (python/src/indexing.cpp mlx_divide_item, mlx/ops.cpp scatter): for int32, trunc(1/2) = 0 and 1/-1 = -1
  const a = mx.array([7, -7, 9, 5], mx.int32);
  assert.deepEqual(await a.at(mx.array([0, 1, 2, 2])).divide(mx.array([2, -1, 1, 1], mx.int32)).tolist(), [0, 7, 9, 5]);
  assert.deepEqual(await mx.array([6n, 6n], mx.int64).at(mx.array([0, 1])).divide(mx.array([1n, -1n], mx.int64)).tolist(), [6, -6]);
  // float32: x * float32(1/3), which is not float32(x / 3) for x = 5 (5/3 rounds to 1.6666666, 5 * 0.33333334 to 1.6666667)
  const f3 = (await mx.array([5], mx.float32).at(0).divide(3).tolist()) as number[];
  assert.deepEqual(f3, [Math.fround(5 * Math.fround(1 / 3))]);
  assert.notEqual(Math.fround(5 * Math.fround(1 / 3)), Math.fround(5 / 3));
  // bool: a * bool(1 / v) keeps a; subtract has no bool negative in MLX
  assert.deepEqual(await mx.array([true, false]).at(mx.array([0, 1])).divide(false).tolist(), [true, false]);
  assert.throws(() => mx.array([true]).at(0).subtract(true), /\[at.subtract\] Not supported for bool/);
  // MLX casts the update to the array's dtype before scattering: 2.7 -> 2
  assert.deepEqual(await a.at(3).add(2.7).tolist(), [7, -7, 9, 7]);
  const f = mx.array([1, NaN, 3], mx.float32);
  const r = await f.at(mx.array([0, 1, 2, 2])).maximum(mx.array([NaN, 0, 5, 4], mx.float32)).tolist() as number[];
  assert.ok(Number.isNaN(r[0]!) && Number.isNaN(r[1]!));
  assert.equal(r[2], 5);
});

test('boolean masks assign (NumPy a[mask] = v) but are rejected for reads', async () => {
  const a = testArray([3, 4], mx.float32, 41);
  const mask = testArray([3, 4], mx.bool, 42);
  const rows = testArray([3], mx.bool, 43);
  const n = (await mask.tolist() as boolean[][]).flat().filter(Boolean).length;
  const nr = (await rows.tolist() as boolean[]).filter(Boolean).length;
  const vals = arr([n], mx.float32, 44);
  const rvals = arr([nr, 4], mx.float32, 45);
  const args = [await npArg(a), await npArg(mask), await npArg(vals), await npArg(rows), await npArg(rvals)];
  const res = numpy([
    { code: 'r = a.copy(); r[b] = 0; result = r', args },
    { code: 'r = a.copy(); r[b] = c; result = r', args },
    { code: 'r = a.copy(); r[d] = e; result = r', args },
    { code: 'r = a.copy(); r[b] += 2; result = r', args },
  ]);
  await assertClose(a.at(mask).set(0), res[0]!);
  await assertClose(a.at(mask).set(vals), res[1]!);
  await assertClose(a.at(rows).set(rvals), res[2]!);
  await assertClose(a.at(mask).add(2), res[3]!);
  // NumPy assignment also drops leading size-1 dims of the value
  const v14 = testArray([1, 4], mx.float32, 46);
  await assertClose(a.at(-1).set(v14), numpy([{ code: 'r = a.copy(); r[-1] = b; result = r', args: [args[0]!, await npArg(v14)] }])[0]!);
  assert.throws(() => a.index(mask), /\[index\] Boolean mask indexing is not supported for reads/);
  assert.throws(() => a.at(testArray([4], mx.bool)).set(0), /\[at.set\] Boolean mask of shape \(4,\) does not match/);
});

test('index errors are eager and clear', () => {
  const a = testArray([2, 3], mx.float32);
  assert.throws(() => a.index(0, 1, 2), /\[index\] Too many indices for array of shape \(2,3\): 3 given, 2 dimensions/);
  assert.throws(() => a.index('0, 1, ::2'), /Too many indices/);
  assert.throws(() => mx.array(3).index(0), /Too many indices/);
  assert.throws(() => a.index(2), /\[index\] Index 2 is out of bounds for axis 0 with size 2/);
  assert.throws(() => a.index(':, -4'), /Index -4 is out of bounds for axis 1 with size 3/);
  assert.throws(() => a.index(mx.array([0.5, 1])), /\[index\] Index arrays must have an integer dtype, got float32/);
  assert.throws(() => a.index(1.5), /Indices must be integers, got 1.5/);
  assert.throws(() => a.index('...', '...'), /single ellipsis/);
  assert.throws(() => a.index('::0'), /step cannot be zero/);
  assert.throws(() => a.index('1:2:3:4'), /Cannot parse slice/);
  assert.throws(() => a.index('x'), /Cannot parse "x"/);
  assert.throws(() => a.index('1,,2'), /Empty index item/);
  assert.throws(() => a.index(mx.array([0, 1]), mx.array([0, 1, 2])), /cannot be broadcast/);
  assert.throws(() => a.at(0).set(testArray([2], mx.float32)), /\[at.set\] Cannot broadcast update of shape \(2,\) to the indexed shape \(3,\)/);
  assert.throws(() => a.at(mx.array([0, 1])).add(testArray([3, 3], mx.float32)), /Cannot broadcast update of shape \(3,3\) to the indexed shape \(2,3\)/);
  assert.throws(() => mx.array([1, 2], mx.complex64).at(0).maximum(1), /no ordering/);
  assert.throws(() => a.index(undefined as unknown as number), /undefined/);
});
