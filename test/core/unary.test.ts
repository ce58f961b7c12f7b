/**
 * @file Unary elementwise ops against NumPy: one row per op, run over shapes, dtypes and the edge floats, on every
 * test device. MLX rule checked throughout: float ops turn integer and bool inputs into float32 (NumPy would give
 * float16/float32/float64 by width), so those cases are compared with NumPy on `a.astype(float32)`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { numpy, npArg, assertClose, testArray, testDevices, EDGE_FLOATS, type NpCase } from '../helpers/numpy.js';
import { useTestDevices, gpuKnownFailure } from '../helpers/devices.js';

await useTestDevices();

type Op = (a: mx.MxArray, opts: mx.StreamOpt) => mx.MxArray;
interface Row {
  name: string;
  op: Op;
  /** NumPy expression over `a`. */
  np: string;
  /** 'same': keeps the dtype; 'float': ints/bool compute in float32; 'bool': bool output. */
  kind: 'same' | 'float' | 'bool';
  dtypes: mx.Dtype[];
  /** Input range for the random values. */
  range?: [number, number];
  complex?: boolean;
  /** NumPy expression for complex inputs when it differs. */
  npComplex?: string;
}

const INTS = [mx.uint8, mx.int8, mx.int32, mx.int64, mx.uint32];
const FLOATS = [mx.float16, mx.bfloat16, mx.float32, mx.float64];
const ALL = [mx.bool, ...INTS, ...FLOATS];
const NUMERIC = [...INTS, ...FLOATS];
const u = (name: keyof typeof mx): Op => (a, o) => (mx[name] as (a: mx.MxArray, o: mx.StreamOpt) => mx.MxArray)(a, o);

const ROWS: Row[] = [
  { name: 'abs', op: u('abs'), np: 'np.abs(a)', kind: 'same', dtypes: ALL, complex: true },
  { name: 'negative', op: u('negative'), np: 'np.negative(a)', kind: 'same', dtypes: NUMERIC, complex: true },
  { name: 'positive', op: u('positive'), np: 'np.positive(a)', kind: 'same', dtypes: NUMERIC, complex: true },
  { name: 'sign', op: u('sign'), np: 'np.sign(a)', kind: 'same', dtypes: NUMERIC, complex: true },
  { name: 'square', op: u('square'), np: 'np.square(a)', kind: 'same', dtypes: NUMERIC, complex: true },
  { name: 'floor', op: u('floor'), np: 'np.floor(a)', kind: 'same', dtypes: NUMERIC },
  { name: 'ceil', op: u('ceil'), np: 'np.ceil(a)', kind: 'same', dtypes: NUMERIC },
  { name: 'trunc', op: u('trunc'), np: 'np.trunc(a)', kind: 'same', dtypes: NUMERIC },
  { name: 'round', op: (a, o) => mx.round(a, o), np: 'np.round(a)', kind: 'same', dtypes: NUMERIC, complex: true },
  { name: 'round2', op: (a, o) => mx.round(a, 2, o), np: 'np.round(a, 2)', kind: 'same', dtypes: [mx.float32, mx.float64, mx.int32] },
  { name: 'roundNeg', op: (a, o) => mx.round(a, { decimals: -1, ...o }), np: 'np.round(a, -1)', kind: 'same', dtypes: [mx.float32, mx.float64, mx.int32], range: [-300, 300] },
  { name: 'conj', op: u('conj'), np: 'np.conj(a)', kind: 'same', dtypes: NUMERIC, complex: true },
  { name: 'conjugate', op: u('conjugate'), np: 'np.conjugate(a)', kind: 'same', dtypes: [mx.float32], complex: true },
  { name: 'bitwiseInvert', op: u('bitwiseInvert'), np: 'np.invert(a)', kind: 'same', dtypes: [mx.bool, ...INTS] },
  { name: 'stopGradient', op: u('stopGradient'), np: 'a', kind: 'same', dtypes: ALL, complex: true },
  { name: 'nanToNum', op: u('nanToNum'), np: 'np.nan_to_num(a)', kind: 'same', dtypes: [...INTS, mx.float16, mx.float32, mx.float64], complex: true },
  { name: 'nanToNumArgs', op: (a, o) => mx.nanToNum(a, 1, 100, -100, o), np: 'np.nan_to_num(a, nan=1, posinf=100, neginf=-100)', kind: 'same', dtypes: FLOATS },
  { name: 'sqrt', op: u('sqrt'), np: 'np.sqrt(a)', kind: 'float', dtypes: ALL, complex: true },
  { name: 'rsqrt', op: u('rsqrt'), np: '1 / np.sqrt(a)', kind: 'float', dtypes: ALL, complex: true },
  { name: 'reciprocal', op: u('reciprocal'), np: 'np.reciprocal(a)', kind: 'float', dtypes: ALL, complex: true },
  { name: 'exp', op: u('exp'), np: 'np.exp(a)', kind: 'float', dtypes: ALL, complex: true },
  { name: 'expm1', op: u('expm1'), np: 'np.expm1(a)', kind: 'float', dtypes: ALL, complex: true },
  { name: 'log', op: u('log'), np: 'np.log(a)', kind: 'float', dtypes: ALL, complex: true },
  { name: 'log2', op: u('log2'), np: 'np.log2(a)', kind: 'float', dtypes: ALL, complex: true },
  { name: 'log10', op: u('log10'), np: 'np.log10(a)', kind: 'float', dtypes: ALL, complex: true },
  { name: 'log1p', op: u('log1p'), np: 'np.log1p(a)', kind: 'float', dtypes: ALL, complex: true },
  { name: 'sin', op: u('sin'), np: 'np.sin(a)', kind: 'float', dtypes: ALL, complex: true },
  { name: 'cos', op: u('cos'), np: 'np.cos(a)', kind: 'float', dtypes: ALL, complex: true },
  { name: 'tan', op: u('tan'), np: 'np.tan(a)', kind: 'float', dtypes: ALL, complex: true },
  { name: 'arcsin', op: u('arcsin'), np: 'np.arcsin(a)', kind: 'float', dtypes: ALL, range: [-1, 1] },
  { name: 'arccos', op: u('arccos'), np: 'np.arccos(a)', kind: 'float', dtypes: ALL, range: [-1, 1] },
  { name: 'arctan', op: u('arctan'), np: 'np.arctan(a)', kind: 'float', dtypes: ALL },
  { name: 'sinh', op: u('sinh'), np: 'np.sinh(a)', kind: 'float', dtypes: ALL, complex: true },
  { name: 'cosh', op: u('cosh'), np: 'np.cosh(a)', kind: 'float', dtypes: ALL, complex: true },
  { name: 'tanh', op: u('tanh'), np: 'np.tanh(a)', kind: 'float', dtypes: ALL, complex: true },
  { name: 'arcsinh', op: u('arcsinh'), np: 'np.arcsinh(a)', kind: 'float', dtypes: ALL },
  { name: 'arccosh', op: u('arccosh'), np: 'np.arccosh(a)', kind: 'float', dtypes: ALL, range: [0, 5] },
  { name: 'arctanh', op: u('arctanh'), np: 'np.arctanh(a)', kind: 'float', dtypes: ALL, range: [-1, 1] },
  { name: 'sigmoid', op: u('sigmoid'), np: '1 / (1 + np.exp(-a))', kind: 'float', dtypes: ALL, range: [-30, 30] },
  { name: 'erf', op: u('erf'), np: 'np.vectorize(math.erf, otypes=[a.dtype])(a) if a.size else a', kind: 'float', dtypes: ALL, range: [-4, 4] },
  { name: 'erfinv', op: u('erfinv'), np: '__import__("scipy.special").special.erfinv(a).astype(a.dtype)', kind: 'float', dtypes: ALL, range: [-1, 1] },
  { name: 'degrees', op: u('degrees'), np: 'np.degrees(a)', kind: 'float', dtypes: ALL },
  { name: 'radians', op: u('radians'), np: 'np.radians(a)', kind: 'float', dtypes: ALL },
  { name: 'isnan', op: u('isnan'), np: 'np.isnan(a)', kind: 'bool', dtypes: ALL, complex: true },
  { name: 'isinf', op: u('isinf'), np: 'np.isinf(a)', kind: 'bool', dtypes: ALL, complex: true },
  { name: 'isfinite', op: u('isfinite'), np: 'np.isfinite(a)', kind: 'bool', dtypes: ALL, complex: true },
  { name: 'isposinf', op: u('isposinf'), np: 'np.isposinf(a)', kind: 'bool', dtypes: ALL },
  { name: 'isneginf', op: u('isneginf'), np: 'np.isneginf(a)', kind: 'bool', dtypes: ALL },
  { name: 'logicalNot', op: u('logicalNot'), np: 'np.logical_not(a)', kind: 'bool', dtypes: ALL, complex: true },
  { name: 'real', op: u('real'), np: 'np.real(a)', kind: 'same', dtypes: [mx.int32, mx.float32], complex: true },
  { name: 'imag', op: u('imag'), np: 'np.imag(a)', kind: 'same', dtypes: [mx.int32, mx.float32], complex: true },
];

const SHAPES = [[], [0], [5], [3, 4], [2, 3, 4]];
const npName = (d: mx.Dtype): string => (d === mx.bool ? 'bool_' : d === mx.bfloat16 ? 'float32' : d.name);

/** A complex64 test array with nonzero imaginary parts (built from two real arrays). */
function complexArray(shape: number[], seed: number, lo = -2, hi = 2): mx.MxArray {
  const re = mx.astype(testArray(shape, mx.float32, seed, lo, hi), mx.complex64);
  const im = mx.astype(testArray(shape, mx.float32, seed + 7, lo, hi), mx.complex64);
  const i = mx.sqrt(mx.astype(mx.array(-1), mx.complex64)); // (0, 1); its exact value is read back for NumPy anyway
  return mx.add(re, mx.multiply(im, i));
}

/** The input NumPy sees: integer inputs of float ops are cast to float32 first (MLX's rule). */
function npCode(row: Row, x: mx.MxArray): string {
  const expr = x.dtype === mx.complex64 && row.npComplex ? row.npComplex : row.np;
  const cast = row.kind === 'float' && !mx.isInexact(x.dtype) ? 'a = a.astype(np.float32)\n' : '';
  return `${cast}result = ${expr}`;
}

for (const device of testDevices()) {
  test(`unary ops match numpy over shapes and dtypes on ${device.type}`, async () => {
    const outs: mx.MxArray[] = [], cases: NpCase[] = [], labels: string[] = [];
    let seed = 1;
    for (const row of ROWS) {
      for (const d of row.dtypes) {
        const shapes = d === mx.float32 ? SHAPES : [[], [3, 4]];
        for (const shape of shapes) {
          const [lo, hi] = row.range ?? [-3, 3];
          const x = testArray(shape, d, seed++, lo, hi), label = `${row.name}(${d.name}${JSON.stringify(shape)})`;
          if (gpuKnownFailure(device, 'unary', label)) continue;
          outs.push(row.op(x, { stream: device }));
          cases.push({ code: npCode(row, x), args: [await npArg(x)] });
          labels.push(label);
        }
      }
      if (row.complex) {
        const x = complexArray([2, 3], seed++);
        outs.push(row.op(x, { stream: device }));
        cases.push({ code: npCode(row, x), args: [await npArg(x)] });
        labels.push(`${row.name}(complex64)`);
      }
    }
    const res = numpy(cases);
    for (let i = 0; i < outs.length; i++) {
      const complexIn = labels[i]!.includes('complex64');
      await assertClose(outs[i]!, res[i]!, { msg: labels[i], ...(complexIn ? { atol: 1e-4, rtol: 1e-4 } : {}) });
    }
  });

  test(`unary ops on edge floats match numpy on ${device.type}`, async () => {
    const outs: mx.MxArray[] = [], cases: NpCase[] = [], labels: string[] = [];
    for (const row of ROWS) {
      for (const d of FLOATS) {
        if (!row.dtypes.includes(d)) continue;
        const x = mx.array(EDGE_FLOATS, d), label = `${row.name}(${d.name} edges)`;
        if (gpuKnownFailure(device, 'unary', label)) continue;
        outs.push(row.op(x, { stream: device }));
        cases.push({ code: npCode(row, x), args: [await npArg(x)] });
        labels.push(label);
      }
    }
    const res = numpy(cases);
    for (let i = 0; i < outs.length; i++) await assertClose(outs[i]!, res[i]!, { msg: labels[i] });
  });
}

test('MLX dtype rules of unary ops', () => {
  // float ops: integer and bool inputs compute in float32, floats keep their type
  for (const d of [mx.bool, mx.int8, mx.uint16, mx.int32, mx.int64, mx.uint64]) {
    assert.equal(mx.exp(testArray([2], d)).dtype, mx.float32, d.name);
    assert.equal(mx.sqrt(testArray([2], d)).dtype, mx.float32, d.name);
  }
  assert.equal(mx.sin(testArray([2], mx.float16)).dtype, mx.float16);
  assert.equal(mx.sigmoid(testArray([2], mx.bfloat16)).dtype, mx.bfloat16);
  // abs of complex is real; square/floor of integers stay integers; predicates give bool
  assert.equal(mx.abs(complexArray([2], 3)).dtype, mx.float32);
  assert.equal(mx.square(testArray([2], mx.int16)).dtype, mx.int16);
  assert.equal(mx.floor(testArray([2], mx.uint8)).dtype, mx.uint8);
  assert.equal(mx.isnan(testArray([2], mx.float16)).dtype, mx.bool);
  assert.equal(mx.real(complexArray([2], 3)).dtype, mx.float32);
  // scalars are accepted and become 0-d arrays
  const s = mx.exp(0);
  assert.deepEqual(s.shape, []);
  assert.equal(s.dtype, mx.float32);
});

test('unary exact integer and special cases', async () => {
  // int32 square wraps around exactly (Math.imul), as C/NumPy int32 does
  const big = mx.array([46341, -65536, 2147483647], mx.int32);
  const res = numpy([{ expr: 'np.square(a)', args: [await npArg(big)] }]);
  await assertClose(mx.square(big), res[0]!);
  // int64 abs/negative/square are exact beyond 2^53
  const i64 = mx.array([2n ** 62n + 1n, -(2n ** 62n) - 3n], mx.int64);
  assert.deepEqual(await mx.negative(i64).tolist(), [-(2n ** 62n) - 1n, 2n ** 62n + 3n]);
  assert.deepEqual(await mx.abs(i64).tolist(), [2n ** 62n + 1n, 2n ** 62n + 3n]);
  assert.deepEqual(await mx.square(mx.array([3037000500n], mx.int64)).tolist(), [BigInt.asIntN(64, 3037000500n ** 2n)]);
  assert.deepEqual(await mx.bitwiseInvert(mx.array([0n, 5n], mx.uint64)).tolist(), [2n ** 64n - 1n, 2n ** 64n - 6n]);
  // sign: -0 gives +0 (MLX's Sign in mlx/backend/cpu/unary_ops.h selects the literal 0; NumPy agrees)
  const sg = (await mx.sign(mx.array([-0, 0, -3, 2], mx.float32)).tolist()) as number[];
  assert.ok(Object.is(sg[0], 0) && Object.is(sg[1], 0), `sign(-0) must be +0, got ${sg}`);
  assert.deepEqual(sg.slice(2), [-1, 1]);
  assert.ok(Object.is((await mx.sign(mx.array([-0], mx.float16)).tolist() as number[])[0], 0));
  // round: half to even, and -0 kept
  assert.deepEqual(await mx.round(mx.array([0.5, 1.5, 2.5, -2.5, 3.5])).tolist(), [0, 2, 2, -2, 4]);
  assert.ok(Object.is((await mx.round(mx.array([-0.4])).tolist() as number[])[0], -0));
  // a method and the real/imag properties
  const x = mx.array([4, 9], mx.float32);
  assert.deepEqual(await x.sqrt().tolist(), [2, 3]);
  assert.deepEqual(await x.neg().tolist(), [-4, -9]);
  assert.deepEqual(await x.round(1).tolist(), [4, 9]);
  assert.deepEqual(await x.imag.tolist(), [0, 0]);
  assert.deepEqual(await x.real.tolist(), [4, 9]);
  // constants
  assert.equal(mx.pi, Math.PI);
  assert.equal(mx.e, Math.E);
  assert.equal(mx.inf, Infinity);
  assert.ok(Number.isNaN(mx.nan));
  assert.equal(mx.newaxis, null);
  assert.ok(Math.abs(mx.eulerGamma - 0.5772156649015329) < 1e-16);
});

test('round with decimals is bit-exact with MLX: scale by float32 10^d, round, multiply by the float32 reciprocal', async () => {
  // MLX rule (mlx/ops.cpp round): decimals != 0 computes in at_least_float(dtype) with a float32 scale and its
  // float32 reciprocal, then casts back; that differs from np.round's division by one ulp for many float32 inputs
  const cases: NpCase[] = [];
  const outs: mx.MxArray[] = [];
  const mlxRound = (t: string, d: number): string =>
    `(np.rint(a.astype(np.${t}) * np.${t}(np.float32(10.0 ** ${d}))) * np.${t}(np.float32(1) / np.float32(10.0 ** ${d}))).astype(a.dtype)`;
  for (const [dtype, lo, hi, t] of [[mx.float32, -500, 500, 'float32'], [mx.float16, -50, 50, 'float16'], [mx.int32, -30, 30, 'float32']] as const) {
    const x = testArray([400], dtype, 21, lo, hi);
    for (const d of [1, 2, 3, -1]) {
      outs.push(mx.round(x, d));
      cases.push({ expr: mlxRound(t, d), args: [await npArg(x)] });
    }
  }
  const res = numpy(cases);
  for (let i = 0; i < outs.length; i++) await assertClose(outs[i]!, res[i]!, { rtol: 0, atol: 0, msg: `round case ${i}` });
  // the float32 rule really differs from np.round: 12.35f -> 123.5 -> 124 -> 124 * 0.1f = 12.400001f (NumPy 12.4f)
  assert.deepEqual(await mx.round(mx.array([12.35], mx.float32), 1).tolist(), [Math.fround(124 * Math.fround(0.1))]);
  assert.notEqual(Math.fround(124 * Math.fround(0.1)), Math.fround(12.4));
  // int64 goes through float32 too (previously unsupported for negative decimals)
  assert.deepEqual(await mx.round(mx.array([15n, 25n, -35n], mx.int64), -1).tolist(), [20, 20, -40]);
});

test('unary errors name the op and dtype', () => {
  assert.throws(() => mx.bitwiseInvert(mx.array([1.5])), /\[bitwiseInvert\].*float32/);
  assert.throws(() => mx.floor(complexArray([2], 1)), /\[floor\].*complex64/);
  assert.throws(() => mx.negative(mx.array([true])), /\[negative\].*bool/);
  assert.throws(() => mx.round(mx.array([1.5]), 0.5), /\[round\] decimals/);
  assert.throws(() => mx.exp('x' as unknown as number), /\[exp\] Expected an array or a scalar/);
});
