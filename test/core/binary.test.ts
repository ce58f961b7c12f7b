/**
 * @file Binary elementwise ops against NumPy: one row per op over dtypes, same-shape and broadcasting shape pairs,
 * the edge floats (all pairs), MLX's promotion rules (checked explicitly where NumPy's differ), exact 64-bit integer
 * arithmetic, and error cases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { numpy, npArg, assertClose, testArray, testDevices, EDGE_FLOATS, type NpCase } from '../helpers/numpy.js';
import { useTestDevices, gpuKnownFailure } from '../helpers/devices.js';

await useTestDevices();

type Op = (a: mx.MxArray | number | boolean, b: mx.MxArray | number | boolean, opts: mx.StreamOpt) => mx.MxArray;
interface Row {
  name: string;
  op: Op;
  np: string;
  /** 'float': integer/bool inputs compute in float32 (MLX), so NumPy sees float32 too. */
  kind: 'same' | 'float' | 'bool';
  dtypes: mx.Dtype[];
  complex?: boolean;
  /** Range of the second operand's random values (ints get ten times it). */
  rangeB?: [number, number];
}

const INTS = [mx.uint8, mx.int8, mx.int32, mx.int64, mx.uint32];
const FLOATS = [mx.float16, mx.bfloat16, mx.float32, mx.float64];
const ALL = [mx.bool, ...INTS, ...FLOATS];
const NUMERIC = [...INTS, ...FLOATS];
const b2 = (name: keyof typeof mx): Op => (a, b, o) => (mx[name] as Op)(a, b, o);

const ROWS: Row[] = [
  { name: 'add', op: b2('add'), np: 'np.add(a, b)', kind: 'same', dtypes: ALL, complex: true },
  { name: 'subtract', op: b2('subtract'), np: 'np.subtract(a, b)', kind: 'same', dtypes: NUMERIC, complex: true },
  { name: 'multiply', op: b2('multiply'), np: 'np.multiply(a, b)', kind: 'same', dtypes: ALL, complex: true },
  { name: 'divide', op: b2('divide'), np: 'np.divide(a, b)', kind: 'float', dtypes: ALL, complex: true },
    // MLX rule: float floor division is floor(a / b) in the dtype (NumPy's floor_divide differs at inf and near ties)
  { name: 'floorDivide', op: b2('floorDivide'), np: "np.floor(a / b) if a.dtype.kind == 'f' else np.floor_divide(a, b)", kind: 'same', dtypes: NUMERIC },
  { name: 'remainder', op: b2('remainder'), np: 'np.remainder(a, b)', kind: 'same', dtypes: NUMERIC },
  { name: 'power', op: b2('power'), np: 'np.power(a, b)', kind: 'same', dtypes: NUMERIC, complex: true, rangeB: [0, 0.6] },
  { name: 'maximum', op: b2('maximum'), np: 'np.maximum(a, b)', kind: 'same', dtypes: ALL, complex: true },
  { name: 'minimum', op: b2('minimum'), np: 'np.minimum(a, b)', kind: 'same', dtypes: ALL, complex: true },
  { name: 'arctan2', op: b2('arctan2'), np: 'np.arctan2(a, b)', kind: 'float', dtypes: ALL },
  { name: 'logaddexp', op: b2('logaddexp'), np: 'np.logaddexp(a, b)', kind: 'float', dtypes: ALL },
  { name: 'equal', op: b2('equal'), np: 'np.equal(a, b)', kind: 'bool', dtypes: ALL, complex: true },
  { name: 'notEqual', op: b2('notEqual'), np: 'np.not_equal(a, b)', kind: 'bool', dtypes: ALL, complex: true },
  { name: 'greater', op: b2('greater'), np: 'np.greater(a, b)', kind: 'bool', dtypes: ALL, complex: true },
  { name: 'greaterEqual', op: b2('greaterEqual'), np: 'np.greater_equal(a, b)', kind: 'bool', dtypes: ALL, complex: true },
  { name: 'less', op: b2('less'), np: 'np.less(a, b)', kind: 'bool', dtypes: ALL, complex: true },
  { name: 'lessEqual', op: b2('lessEqual'), np: 'np.less_equal(a, b)', kind: 'bool', dtypes: ALL, complex: true },
  { name: 'logicalAnd', op: b2('logicalAnd'), np: 'np.logical_and(a, b)', kind: 'bool', dtypes: ALL, complex: true },
  { name: 'logicalOr', op: b2('logicalOr'), np: 'np.logical_or(a, b)', kind: 'bool', dtypes: ALL, complex: true },
  { name: 'logicalXor', op: b2('logicalXor'), np: 'np.logical_xor(a, b)', kind: 'bool', dtypes: ALL, complex: true },
  { name: 'bitwiseAnd', op: b2('bitwiseAnd'), np: 'np.bitwise_and(a, b)', kind: 'same', dtypes: [mx.bool, ...INTS] },
  { name: 'bitwiseOr', op: b2('bitwiseOr'), np: 'np.bitwise_or(a, b)', kind: 'same', dtypes: [mx.bool, ...INTS] },
  { name: 'bitwiseXor', op: b2('bitwiseXor'), np: 'np.bitwise_xor(a, b)', kind: 'same', dtypes: [mx.bool, ...INTS] },
  { name: 'leftShift', op: b2('leftShift'), np: 'np.left_shift(a, b)', kind: 'same', dtypes: INTS, rangeB: [0, 4] },
  { name: 'rightShift', op: b2('rightShift'), np: 'np.right_shift(a, b)', kind: 'same', dtypes: INTS, rangeB: [0, 4] },
  { name: 'isclose', op: (a, b, o) => mx.isclose(a, b, 0.1, 0.5, o), np: 'np.isclose(a, b, 0.1, 0.5)', kind: 'bool', dtypes: NUMERIC, complex: true },
  { name: 'sub', op: (a, b, o) => (a as mx.MxArray).sub(b, o), np: 'a - b', kind: 'same', dtypes: [mx.float32] },
  { name: 'mul', op: (a, b, o) => (a as mx.MxArray).mul(b, o), np: 'a * b', kind: 'same', dtypes: [mx.float32] },
  { name: 'div', op: (a, b, o) => (a as mx.MxArray).div(b, o), np: 'a / b', kind: 'same', dtypes: [mx.float32] },
  { name: 'pow', op: (a, b, o) => (a as mx.MxArray).pow(b, o), np: 'a ** b', kind: 'same', dtypes: [mx.float32] },
  { name: 'mod', op: (a, b, o) => (a as mx.MxArray).mod(b, o), np: 'a % b', kind: 'same', dtypes: [mx.float32, mx.int32] },
  { name: 'eq', op: (a, b, o) => (a as mx.MxArray).eq(b, o), np: 'a == b', kind: 'bool', dtypes: [mx.int32] },
  { name: 'ne', op: (a, b, o) => (a as mx.MxArray).ne(b, o), np: 'a != b', kind: 'bool', dtypes: [mx.int32] },
  { name: 'lt', op: (a, b, o) => (a as mx.MxArray).lt(b, o), np: 'a < b', kind: 'bool', dtypes: [mx.float32] },
  { name: 'le', op: (a, b, o) => (a as mx.MxArray).le(b, o), np: 'a <= b', kind: 'bool', dtypes: [mx.float32] },
  { name: 'gt', op: (a, b, o) => (a as mx.MxArray).gt(b, o), np: 'a > b', kind: 'bool', dtypes: [mx.float32] },
  { name: 'ge', op: (a, b, o) => (a as mx.MxArray).ge(b, o), np: 'a >= b', kind: 'bool', dtypes: [mx.float32] },
  { name: 'a.add', op: (a, b, o) => (a as mx.MxArray).add(b, o), np: 'a + b', kind: 'same', dtypes: [mx.float32] },
  { name: 'a.maximum', op: (a, b, o) => (a as mx.MxArray).maximum(b, o), np: 'np.maximum(a, b)', kind: 'same', dtypes: [mx.float32] },
];

const SAME_SHAPES: [number[], number[]][] = [[[], []], [[0], [0]], [[5], [5]], [[3, 4], [3, 4]], [[2, 3, 4], [2, 3, 4]]];
const BCAST_SHAPES: [number[], number[]][] = [[[3, 1], [4]], [[1], [2, 3]], [[], [2, 2]], [[0, 3], [3]], [[2, 3, 4], [3, 1]], [[4], []]];

/** NumPy code: float ops see float32 copies of integer inputs, mirroring MLX's rule. */
function npCode(row: Row, d: mx.Dtype): string {
  const cast = row.kind === 'float' && !mx.isInexact(d) ? 'a = a.astype(np.float32); b = b.astype(np.float32)\n' : '';
  return `${cast}result = ${row.np}`;
}

/** testArray, except that empty multi-dim shapes (which nested lists cannot express) come from zeros. */
function mk(shape: number[], d: mx.Dtype, seed: number, lo = -3, hi = 3): mx.MxArray {
  return shape.length > 1 && shape.includes(0) ? mx.zeros(shape, d) : testArray(shape, d, seed, lo, hi);
}

function complexArray(shape: number[], seed: number): mx.MxArray {
  const re = mx.astype(testArray(shape, mx.float32, seed, -2, 2), mx.complex64);
  const im = mx.astype(testArray(shape, mx.float32, seed + 7, -2, 2), mx.complex64);
  return mx.add(re, mx.multiply(im, mx.sqrt(mx.astype(mx.array(-1), mx.complex64))));
}

for (const device of testDevices()) {
  test(`binary ops match numpy over dtypes and broadcasting on ${device.type}`, async () => {
    const outs: mx.MxArray[] = [], cases: NpCase[] = [], labels: string[] = [];
    let seed = 11;
    for (const row of ROWS) {
      for (const d of row.dtypes) {
        const pairs = d === mx.float32 ? [...SAME_SHAPES, ...BCAST_SHAPES] : [SAME_SHAPES[3]!, BCAST_SHAPES[0]!, BCAST_SHAPES[2]!];
        for (const [sa, sb] of pairs) {
          const [lo, hi] = row.rangeB ?? [-3, 3];
          const a = mk(sa, d, seed++), b = mk(sb, d, seed++, lo, hi);
          const label = `${row.name}(${d.name}${JSON.stringify(sa)}, ${JSON.stringify(sb)})`;
          if (gpuKnownFailure(device, 'binary', label)) continue;
          outs.push(row.op(a, b, { stream: device }));
          cases.push({ code: npCode(row, d), args: [await npArg(a), await npArg(b)] });
          labels.push(label);
        }
      }
      if (row.complex) {
        const a = complexArray([2, 3], seed++), b = complexArray([3], seed++);
        outs.push(row.op(a, b, { stream: device }));
        cases.push({ code: npCode(row, mx.complex64), args: [await npArg(a), await npArg(b)] });
        labels.push(`${row.name}(complex64)`);
      }
    }
    const res = numpy(cases);
    for (let i = 0; i < outs.length; i++) {
      const c = labels[i]!.includes('complex64');
      await assertClose(outs[i]!, res[i]!, { msg: labels[i], ...(c ? { rtol: 1e-4, atol: 1e-4 } : {}) });
    }
  });

  test(`binary ops on all pairs of edge floats match numpy on ${device.type}`, async () => {
    const outs: mx.MxArray[] = [], cases: NpCase[] = [], labels: string[] = [];
    for (const row of ROWS) {
      for (const d of FLOATS) {
        if (!row.dtypes.includes(d)) continue;
        const a = mx.array(EDGE_FLOATS.map((v) => [v]), d), b = mx.array(EDGE_FLOATS, d), label = `${row.name}(${d.name} edges)`;
        if (gpuKnownFailure(device, 'binary', label)) continue;
        outs.push(row.op(a, b, { stream: device }));
        cases.push({ code: npCode(row, d), args: [await npArg(a), await npArg(b)] });
        labels.push(label);
      }
    }
    const res = numpy(cases);
    for (let i = 0; i < outs.length; i++) await assertClose(outs[i]!, res[i]!, { msg: labels[i] });
  });
}

test('MLX promotion of mixed dtypes (asserted explicitly; NumPy computes in the MLX dtype)', async () => {
  // [a, b, MLX result]: differs from NumPy for e.g. int32+float16 (NumPy float64) and uint64+int64 (NumPy float64)
  const PAIRS: [mx.Dtype, mx.Dtype, mx.Dtype][] = [
    [mx.int8, mx.uint8, mx.int16], [mx.int32, mx.float16, mx.float16], [mx.uint64, mx.int64, mx.float32],
    [mx.int64, mx.float32, mx.float32], [mx.bfloat16, mx.float16, mx.float32], [mx.bool, mx.int8, mx.int8],
    [mx.float32, mx.complex64, mx.complex64], [mx.uint32, mx.int32, mx.int64], [mx.uint8, mx.bfloat16, mx.bfloat16],
    [mx.int16, mx.uint32, mx.int64], [mx.float16, mx.float64, mx.float64], [mx.bool, mx.float16, mx.float16],
  ];
  const outs: mx.MxArray[] = [], cases: NpCase[] = [], labels: string[] = [];
  for (const [da, db, want] of PAIRS) {
    const a = testArray([3, 1], da, 3), b = testArray([4], db, 4);
    const T = want === mx.bfloat16 ? 'float32' : want.name;
    for (const [name, np] of [['add', 'np.add'], ['multiply', 'np.multiply'], ['maximum', 'np.maximum']] as const) {
      const r = mx[name](a, b);
      assert.equal(r.dtype, want, `${name}(${da.name}, ${db.name})`);
      outs.push(r);
      cases.push({ code: `a = a.astype(np.${T}); b = b.astype(np.${T})\nresult = ${np}(a, b)`, args: [await npArg(a), await npArg(b)] });
      labels.push(`${name}(${da.name}, ${db.name})`);
    }
    assert.equal(mx.greater(a, b).dtype, mx.bool);
  }
  const res = numpy(cases);
  for (let i = 0; i < outs.length; i++) await assertClose(outs[i]!, res[i]!, { msg: labels[i] });
});

test('JS scalars are weakly typed (MLX rule)', async () => {
  const i8 = mx.array([100, -3], mx.int8), f16 = mx.array([1.5], mx.float16), bl = mx.array([true, false]);
  const cases: [mx.MxArray, mx.Dtype][] = [
    [mx.add(i8, 3), mx.int8], [mx.add(mx.array([1], mx.int32), 2.5), mx.float32], [mx.multiply(f16, 2.5), mx.float16],
    [mx.add(bl, 1), mx.int32], [mx.add(mx.array([1], mx.uint8), true), mx.uint8], [mx.add(bl, 2.5), mx.float32],
    [mx.subtract(mx.array([1n], mx.int64), 1), mx.int64], [mx.multiply(mx.array([2], mx.bfloat16), 3), mx.bfloat16],
    [mx.divide(mx.array([3], mx.int32), 2), mx.float32], [mx.add(2, mx.array([1], mx.uint16)), mx.uint16],
    [mx.add(1, 2), mx.int32], [mx.add(1, 0.5), mx.float32], [mx.greater(i8, 2.5), mx.bool],
  ];
  for (const [r, d] of cases) assert.equal(r.dtype, d, String(r));
  assert.deepEqual(await mx.add(i8, 3).tolist(), [103, 0]);
  assert.deepEqual(await mx.add(i8, 30).tolist(), [-126, 27]); // int8 wraps
  assert.deepEqual(await mx.add(bl, 1).tolist(), [2, 1]);
  assert.deepEqual(await mx.divide(mx.array([3], mx.int32), 2).tolist(), [1.5]);
  assert.deepEqual(await mx.subtract(10, mx.array([1, 2])).tolist(), [9, 8]);
  assert.deepEqual(await mx.greater(i8, 2.5).tolist(), [true, false]);
});

test('int64/uint64 arithmetic is exact beyond 2^53 (compared with NumPy through 32-bit halves)', async () => {
  const A = ['4611686018427387905', '-4611686018427387907', '9223372036854775807', '-9223372036854775808', '123456789012345678', '-7'];
  const B = ['3', '-5', '2', '-1', '987654321', '0'];
  const UA = ['18446744073709551615', '9223372036854775809', '12345678901234567890', '7'];
  const UB = ['2', '3', '5', '0'];
  const rows: [string, string, (a: mx.MxArray, b: mx.MxArray) => mx.MxArray][] = [
    ['add', 'a + b', mx.add], ['subtract', 'a - b', mx.subtract], ['multiply', 'a * b', mx.multiply],
    ['floorDivide', 'np.floor_divide(a, b)', mx.floorDivide], ['remainder', 'np.remainder(a, b)', mx.remainder],
    ['maximum', 'np.maximum(a, b)', mx.maximum], ['bitwiseAnd', 'a & b', mx.bitwiseAnd], ['bitwiseOr', 'a | b', mx.bitwiseOr],
    ['bitwiseXor', 'a ^ b', mx.bitwiseXor], ['leftShift', 'np.left_shift(a, b % 64)', (a, b) => mx.leftShift(a, mx.remainder(b, 64))],
    ['rightShift', 'np.right_shift(a, b % 64)', (a, b) => mx.rightShift(a, mx.remainder(b, 64))],
    ['power', 'np.power(a, b % 4)', (a, b) => mx.power(a, mx.remainder(b, 4))],
    ['greater', '(a > b).astype(np.int64)', (a, b) => mx.greater(a, b).astype(mx.int64)],
    ['equal', '(a == a).astype(np.int64)', (a) => mx.equal(a, a).astype(mx.int64)],
  ];
  const cases: NpCase[] = [], outs: mx.MxArray[] = [], labels: string[] = [];
  for (const [dt, av, bv] of [['int64', A, B], ['uint64', UA, UB]] as const) {
    const d = dt === 'int64' ? mx.int64 : mx.uint64;
    const a = mx.array(av.map((s) => BigInt(s)), d), b = mx.array(bv.map((s) => BigInt(s)), d);
    for (const [name, expr, f] of rows) {
      outs.push(f(a, b));
      labels.push(`${name}(${dt})`);
      cases.push({
        code: `a = np.array([${av.join(',')}], dtype=np.${dt}); b = np.array([${bv.join(',')}], dtype=np.${dt})\n` +
          `r = (${expr}).astype(np.${dt}).view(np.uint64)\nresult = [(r >> np.uint64(32)).astype(np.int64), (r & np.uint64(0xffffffff)).astype(np.int64)]`,
        args: [],
      });
    }
  }
  const res = numpy(cases);
  for (let i = 0; i < outs.length; i++) {
    const [hi, lo] = res[i]!.list!;
    assert.ok(hi && lo, `${labels[i]}: ${res[i]!.error}`);
    const want = hi.values!.map((h, k) => (BigInt(h as number) << 32n) + BigInt(lo.values![k] as number));
    const got = ((await outs[i]!.tolist()) as (number | bigint)[]).map((v) => BigInt.asUintN(64, BigInt(v)));
    assert.deepEqual(got, want, labels[i]);
  }
});

test('divmod, isclose, allclose and arrayEqual match numpy', async () => {
  const a = testArray([3, 4], mx.float32, 5), b = testArray([4], mx.float32, 6);
  const ai = testArray([3, 4], mx.int32, 7), bi = testArray([4], mx.int32, 8);
  const n = mx.array([NaN, 1, Infinity, -Infinity, 2]), m = mx.array([NaN, 1 + 1e-9, Infinity, Infinity, 2.5]);
  const [q, r] = mx.divmod(a, b);
  const [qi, ri] = mx.divmod(ai, bi);
  const outs = [q, r, qi, ri, mx.isclose(n, m), mx.isclose(n, m, { equalNan: true }), mx.isclose(n, m, 0.3, 0),
    mx.allclose(a, a), mx.allclose(a, mx.add(a, 1e-3)), mx.allclose(a, mx.add(a, 1e-3), 0, 1e-2), mx.allclose(n, n),
    mx.allclose(n, n, { equalNan: true }), mx.arrayEqual(n, n), mx.arrayEqual(n, n, true), mx.arrayEqual(ai, ai.astype(mx.float32)),
    mx.arrayEqual(a, b), mx.arrayEqual(ai, mx.add(ai, 1))];
  const A = [await npArg(a), await npArg(b)], I = [await npArg(ai), await npArg(bi)], N = [await npArg(n), await npArg(m)];
  const res = numpy([
    { expr: 'np.divmod(a, b)[0]', args: A }, { expr: 'np.divmod(a, b)[1]', args: A },
    { expr: 'np.divmod(a, b)[0]', args: I }, { expr: 'np.divmod(a, b)[1]', args: I },
    { expr: 'np.isclose(a, b)', args: N }, { expr: 'np.isclose(a, b, equal_nan=True)', args: N }, { expr: 'np.isclose(a, b, 0.3, 0)', args: N },
    { expr: 'np.allclose(a, a)', args: A }, { expr: 'np.allclose(a, a + np.float32(1e-3))', args: A },
    { expr: 'np.allclose(a, a + np.float32(1e-3), 0, 1e-2)', args: A }, { expr: 'np.allclose(a, a)', args: N },
    { expr: 'np.allclose(a, a, equal_nan=True)', args: N }, { expr: 'np.array_equal(a, a)', args: N },
    { expr: 'np.array_equal(a, a, equal_nan=True)', args: N }, { expr: 'np.array_equal(a, a.astype(np.float32))', args: I },
    { expr: 'np.array_equal(a, b)', args: A }, { expr: 'np.array_equal(a, a + 1)', args: I },
  ]);
  for (let i = 0; i < outs.length; i++) await assertClose(outs[i]!, res[i]!, { msg: `case ${i}` });
});

test('binary errors are eager and name the op, shapes and dtypes', () => {
  const f = mx.array([[1, 2, 3], [4, 5, 6]], mx.float32);
  assert.throws(() => mx.bitwiseAnd(f, mx.array([1, 2, 3])), /\[bitwiseAnd\].*float32/);
  assert.throws(() => mx.leftShift(mx.array([1]), 0.5), /\[leftShift\]/);
  assert.throws(() => mx.add(f, mx.array([1, 2, 3, 4])), /\[add\] Shapes \(2,3\) and \(4,\) cannot be broadcast/);
  assert.throws(() => mx.greater(f, mx.array([[1], [2], [3]])), /\[greater\] Shapes/);
  const z = mx.astype(f, mx.complex64);
  assert.throws(() => mx.floorDivide(z, z), /\[floorDivide\].*complex64/);
  assert.throws(() => mx.arctan2(z, 1), /\[arctan2\].*complex64/);
  assert.throws(() => mx.add(f, 'x' as unknown as number), /\[add\] Expected an array or a scalar/);
  assert.throws(() => (mx.isclose as (...a: unknown[]) => mx.MxArray)(f, f, 1, 2, true, 4, {}), /\[isclose\] Too many/);
});

test('integer power with a negative exponent is 0 for every base (MLX rule; NumPy raises)', async () => {
  // MLX: mlx/backend/cpu/simd/base_simd.h pow returns 0 for a negative integer exponent before the squaring loop
  const base = mx.array([2, 1, -1, 0, -3], mx.int32);
  assert.deepEqual(await mx.power(base, mx.array(-1, mx.int32)).tolist(), [0, 0, 0, 0, 0]);
  assert.deepEqual(await mx.power(mx.array([1, -1], mx.int8), mx.array([-2, -3], mx.int8)).tolist(), [0, 0]);
  assert.deepEqual(await mx.power(mx.array([1n, -1n], mx.int64), mx.array([-2n, -1n], mx.int64)).tolist(), [0, 0]);
  // non-negative exponents still match NumPy
  assert.deepEqual(await mx.power(base, mx.array(3, mx.int32)).tolist(), [8, 1, -1, 0, -27]);
});

test('integer division by zero does not crash and gives 0 (NumPy), floats give inf/nan', async () => {
  const a = mx.array([5, -5, 0], mx.int32), z = mx.array([0, 0, 0], mx.int32);
  assert.deepEqual(await mx.floorDivide(a, z).tolist(), [0, 0, 0]);
  assert.deepEqual(await mx.remainder(a, z).tolist(), [0, 0, 0]);
  const d = (await mx.divide(a, z).tolist()) as number[];
  assert.deepEqual(d.slice(0, 2), [Infinity, -Infinity]);
  assert.ok(Number.isNaN(d[2]));
  assert.deepEqual(await mx.floorDivide(mx.array([5n], mx.int64), mx.array([0n], mx.int64)).tolist(), [0]);
});

test('non-contiguous inputs (broadcast views of 0-d and size-1 dims) and multiply wrap-around', async () => {
  // int32 multiply wraps exactly (Math.imul), beyond 2^53 in float math
  const big = mx.array([2147483647, -2147483648, 123456789], mx.int32);
  const res = numpy([{ expr: 'a * a', args: [await npArg(big)] }, { expr: 'a * b', args: [await npArg(big), await npArg(mx.array(65537, mx.int32))] }]);
  await assertClose(mx.multiply(big, big), res[0]!);
  await assertClose(mx.multiply(big, mx.array(65537, mx.int32)), res[1]!);
  const t = (mx as unknown as { transpose?: (a: mx.MxArray) => mx.MxArray }).transpose;
  if (t) {
    const x = testArray([3, 4], mx.float32, 9), y = testArray([4, 3], mx.float32, 10);
    const r = numpy([{ expr: 'a.T + b', args: [await npArg(x), await npArg(y)] }, { expr: 'np.exp(a.T)', args: [await npArg(x)] }]);
    await assertClose(mx.add(t(x), y), r[0]!);
    await assertClose(mx.exp(t(x)), r[1]!);
  }
});
