/**
 * @file mx.linalg ops with unique results (inv, triInv, choleskyInv, solve, solveTriangular, det, slogdet,
 * cholesky, pinv, eigvalsh, singular values, norm, cross, lu/luFactor) against NumPy/SciPy, plus argument errors.
 * NumPy computes in float64 and the result is cast back, since our kernels compute in float64 as well.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { numpy, npArg, assertClose, testArray, testDevices, type NpCase } from '../helpers/numpy.js';
import { wellConditioned, spd, randMatrix, symmetric, randArray } from './linalg-helpers.js';
import { useTestDevices } from '../helpers/devices.js';

await useTestDevices();

const FLOATS = [mx.float32, mx.float64];
const SQUARE = [[1, 1], [3, 3], [5, 5], [2, 4, 4], [0, 3, 3], [0, 0]];
const tol = (d: mx.Dtype) => (d === mx.float64 ? { rtol: 1e-10, atol: 1e-12 } : { rtol: 1e-5, atol: 1e-6 });

interface Row { name: string; run: (x: mx.MxArray[], s: mx.Device) => mx.MxArray | mx.MxArray[]; np: string; make: (d: mx.Dtype, shape: number[]) => mx.MxArray[]; shapes: number[][] }

// `np` runs with the inputs bound to a, b, ...; F converts to float64 and C casts back to the input dtype
const ROWS: Row[] = [
  { name: 'inv', run: ([a], s) => mx.linalg.inv(a!, { stream: s }), np: 'C(np.linalg.inv(F(a)))', make: (d, sh) => [wellConditioned(sh, d, 3)], shapes: SQUARE },
  { name: 'triInv lower', run: ([a], s) => mx.linalg.triInv(a!, { stream: s }), np: 'C(np.linalg.inv(np.tril(F(a))))', make: (d, sh) => [wellConditioned(sh, d, 4)], shapes: SQUARE },
  { name: 'triInv upper', run: ([a], s) => mx.linalg.triInv(a!, true, { stream: s }), np: 'C(np.linalg.inv(np.triu(F(a))))', make: (d, sh) => [wellConditioned(sh, d, 5)], shapes: SQUARE },
  { name: 'choleskyInv lower', run: ([a], s) => mx.linalg.choleskyInv(a!, { stream: s }), np: 'C(np.linalg.inv(np.tril(F(a)) @ np.swapaxes(np.tril(F(a)), -1, -2)))', make: (d, sh) => [wellConditioned(sh, d, 6)], shapes: SQUARE },
  { name: 'choleskyInv upper', run: ([a], s) => mx.linalg.choleskyInv(a!, true, { stream: s }), np: 'C(np.linalg.inv(np.swapaxes(np.triu(F(a)), -1, -2) @ np.triu(F(a))))', make: (d, sh) => [wellConditioned(sh, d, 7)], shapes: SQUARE },
  { name: 'cholesky', run: ([a], s) => mx.linalg.cholesky(a!, { stream: s }), np: 'C(np.linalg.cholesky(F(a)))', make: (d, sh) => [spd(sh, d, 8)], shapes: SQUARE },
  { name: 'cholesky upper', run: ([a], s) => mx.linalg.cholesky(a!, true, { stream: s }), np: 'C(np.swapaxes(np.linalg.cholesky(F(a)), -1, -2))', make: (d, sh) => [spd(sh, d, 9)], shapes: SQUARE },
  { name: 'det', run: ([a], s) => mx.linalg.det(a!, { stream: s }), np: 'C(np.linalg.det(F(a)))', make: (d, sh) => [randMatrix(sh, d, 10, 0.5)], shapes: SQUARE },
  { name: 'slogdet', run: ([a], s) => mx.linalg.slogdet(a!, { stream: s }), np: '[C(x) for x in np.linalg.slogdet(F(a))]', make: (d, sh) => [randMatrix(sh, d, 11, 0.3)], shapes: SQUARE },
  { name: 'eigvalsh L', run: ([a], s) => mx.linalg.eigvalsh(a!, { stream: s }), np: 'C(np.linalg.eigvalsh(F(a)))', make: (d, sh) => [randMatrix(sh, d, 12)], shapes: SQUARE },
  { name: 'eigvalsh U', run: ([a], s) => mx.linalg.eigvalsh(a!, 'U', { stream: s }), np: "C(np.linalg.eigvalsh(F(a), UPLO='U'))", make: (d, sh) => [randMatrix(sh, d, 13)], shapes: SQUARE },
  { name: 'svd values', run: ([a], s) => mx.linalg.svd(a!, false, { stream: s }), np: 'C(np.linalg.svd(F(a), compute_uv=False))', make: (d, sh) => [randMatrix(sh, d, 14)], shapes: [[1, 1], [3, 3], [5, 3], [3, 5], [2, 4, 4], [2, 3, 5]] },
  { name: 'pinv', run: ([a], s) => mx.linalg.pinv(a!, { stream: s }), np: 'C(np.linalg.pinv(F(a)))', make: (d, sh) => [randMatrix(sh, d, 15, 1)], shapes: [[1, 1], [3, 3], [5, 3], [3, 5], [2, 4, 4], [0, 3]] },
  { name: 'solve vector', run: ([a, b], s) => mx.linalg.solve(a!, b!, { stream: s }), np: 'C(np.linalg.solve(F(a), F(b)[..., None])[..., 0])', make: (d, sh) => [wellConditioned(sh, d, 16), randArray([sh[sh.length - 1]!], d, 17)], shapes: SQUARE.slice(0, 5) },
  { name: 'solve matrix', run: ([a, b], s) => mx.linalg.solve(a!, b!, { stream: s }), np: 'C(np.linalg.solve(F(a), F(b)))', make: (d, sh) => [wellConditioned(sh, d, 18), randArray([...sh.slice(0, -1), 2], d, 19)], shapes: SQUARE.slice(0, 5) },
  { name: 'solve broadcast', run: ([a, b], s) => mx.linalg.solve(a!, b!, { stream: s }), np: 'C(np.linalg.solve(F(a), F(b)))', make: (d) => [wellConditioned([3, 3], d, 20), testArray([2, 3, 3], d, 21)], shapes: [[0]] },
  { name: 'solveTriangular lower', run: ([a, b], s) => mx.linalg.solveTriangular(a!, b!, { stream: s }), np: 'C(np.linalg.solve(np.tril(F(a)), F(b)))', make: (d, sh) => [wellConditioned(sh, d, 22), randArray([...sh.slice(0, -1), 3], d, 23)], shapes: SQUARE.slice(0, 5) },
  { name: 'solveTriangular upper vec', run: ([a, b], s) => mx.linalg.solveTriangular(a!, b!, true, { stream: s }), np: 'C(np.linalg.solve(np.triu(F(a)), F(b)[..., None])[..., 0])', make: (d, sh) => [wellConditioned(sh, d, 24), randArray([sh[sh.length - 1]!], d, 25)], shapes: SQUARE.slice(0, 5) },
  { name: 'luFactor', run: ([a], s) => mx.linalg.luFactor(a!, { stream: s }), np: '[C(x) if x.dtype.kind == "f" else x.astype(np.uint32) for x in sl.lu_factor(F(a))]', make: (d, sh) => [randMatrix(sh, d, 26)], shapes: [[1, 1], [3, 3], [5, 5]] },
  { name: 'lu', run: ([a], s) => mx.linalg.lu(a!, { stream: s }), np: '(lambda r: [r[0].astype(np.uint32), C(r[1]), C(r[2])])(sl.lu(F(a), p_indices=True))', make: (d, sh) => [randMatrix(sh, d, 27)], shapes: [[1, 1], [3, 3], [5, 5], [2, 4, 4], [5, 3], [3, 5]] },
];

const PRE = 'import scipy.linalg as sl\nF = lambda x: np.asarray(x, dtype=np.float64)\nC = lambda x: np.asarray(x).astype(a.dtype)\n';

for (const device of testDevices()) {
  test(`linalg ops with unique results match NumPy on ${device.type}`, async () => {
    const cases: NpCase[] = [], outs: mx.MxArray[][] = [], labels: string[] = [];
    for (const row of ROWS) {
      for (const d of FLOATS) {
        for (const sh of row.shapes) {
          const ins = row.make(d, sh);
          if (device.type === 'gpu') { assert.throws(() => row.run(ins, device), /not yet supported on the GPU/); continue; }
          const r = row.run(ins, device);
          outs.push(Array.isArray(r) ? r : [r]);
          labels.push(`${row.name} ${d.name} [${sh}]`);
          cases.push({ code: `${PRE}result = ${row.np}`, args: await Promise.all(ins.map((x) => npArg(x))) });
        }
      }
    }
    const res = numpy(cases);
    for (let i = 0; i < outs.length; i++) {
      const exp = res[i]!;
      if (exp.error) assert.fail(`${labels[i]}: numpy raised ${exp.error}`);
      const list = exp.list ?? [exp];
      assert.equal(list.length, outs[i]!.length, labels[i]);
      for (let j = 0; j < list.length; j++) {
        await assertClose(outs[i]![j]!, list[j]!, { ...tol(outs[i]![j]!.dtype), msg: `${labels[i]} output ${j}` });
      }
    }
  });
}

// norm and cross run on any device in MLX
const NORMS: [number[], (number | string | null)[], (number | number[] | null)[]][] = [
  [[5], [null, 2, 1, 0, Infinity, -Infinity, 3, 0.5, -1], [null, 0, -1]],
  [[3, 4], [null, 'fro', 'nuc', 1, -1, 2, -2, Infinity, -Infinity], [null, [0, 1], [1, 0], [-1, -2]]],
  [[2, 3, 4], [null, 2, 1, Infinity], [0, 2]],
  [[2, 3, 4], ['fro', 'nuc', 1, -1, 2, -2, Infinity], [[1, 2], [2, 0]]],
];

for (const device of testDevices()) {
  test(`norm matches numpy.linalg.norm on ${device.type}`, async () => {
    const cases: NpCase[] = [], outs: mx.MxArray[] = [], labels: string[] = [];
    for (const dtype of [mx.float32, mx.float64, mx.int32, mx.float16]) {
      for (const [shape, ords, axes] of NORMS) {
        const a = testArray(shape, dtype, shape.length + 40);
        for (const ord of ords) {
          for (const axis of axes) {
            if (axis === null && ord !== null && shape.length > 2) continue;
            for (const keepdims of [false, true]) {
              outs.push(mx.linalg.norm(a, ord as mx.linalg.NormOpts['ord'], axis, keepdims, { stream: device }));
              const ordPy = ord === null ? 'None' : typeof ord === 'string' ? `'${ord}'` : ord === Infinity ? 'np.inf' : ord === -Infinity ? '-np.inf' : String(ord);
              const axPy = axis === null ? 'None' : Array.isArray(axis) ? `(${axis.join(',')})` : String(axis);
              // MLX: integer inputs give float32; float16 stays float16
              const outDt = dtype === mx.int32 ? 'np.float32' : `np.${dtype.name}`;
              cases.push({ expr: `np.asarray(np.linalg.norm(a.astype(np.float64), ${ordPy}, ${axPy}, ${keepdims ? 'True' : 'False'})).astype(${outDt})`, args: [await npArg(a)] });
              labels.push(`norm ${dtype.name} [${shape}] ord=${ordPy} axis=${axPy} keepdims=${keepdims}`);
            }
          }
        }
      }
    }
    const res = numpy(cases);
    for (let i = 0; i < outs.length; i++) {
      const t = outs[i]!.dtype === mx.float16 ? { rtol: 2e-3, atol: 1e-3 } : tol(outs[i]!.dtype);
      await assertClose(outs[i]!, res[i]!, { ...t, msg: labels[i] });
    }
  });

  test(`cross matches numpy.cross on ${device.type}`, async () => {
    const rows: [number[], number[], number][] = [
      [[3], [3], -1], [[4, 3], [4, 3], -1], [[4, 3], [3], -1], [[3, 4], [3, 1], 0], [[2], [3], -1], [[3], [2], -1],
      [[5, 2], [5, 2], -1], [[2, 1, 3], [4, 3], -1], [[0, 3], [3], -1],
    ];
    const cases: NpCase[] = [], outs: mx.MxArray[] = [];
    for (const dtype of [mx.float32, mx.int32]) {
      for (const [sa, sb, axis] of rows) {
        const a = randArray(sa, dtype, 50), b = randArray(sb, dtype, 51);
        outs.push(mx.linalg.cross(a, b, axis, { stream: device }));
        // numpy 2 rejects 2-vectors; pad them with a zero third component, which is what MLX's rule means
        const pad = (v: string, s: number[]) => (s[(axis + s.length) % s.length] === 2 ? `np.concatenate([${v}, np.zeros_like(np.take(${v}, [0], axis=${axis}))], axis=${axis})` : v);
        cases.push({ expr: `np.cross(${pad('a', sa)}, ${pad('b', sb)}, axis=${axis})`, args: [await npArg(a), await npArg(b)] });
      }
    }
    const res = numpy(cases);
    for (let i = 0; i < outs.length; i++) await assertClose(outs[i]!, res[i]!, { msg: `cross ${i}` });
  });
}

test('singular and indefinite inputs follow MLX: throw at eval for inverses/solves, NaN for Cholesky, 0 for det', async () => {
  const sing = mx.array([[1, 2], [2, 4]], mx.float32);
  await assert.rejects(mx.eval(mx.linalg.inv(sing)), /\[linalg\.inv\] Matrix is singular/);
  await assert.rejects(mx.eval(mx.linalg.solve(sing, mx.array([1, 2], mx.float32))), /\[linalg\.solve\] Matrix is singular/);
  await assert.rejects(mx.eval(mx.linalg.triInv(mx.array([[1, 0], [3, 0]], mx.float32))), /\[linalg\.triInv\] Matrix is singular/);
  await assert.rejects(mx.eval(mx.linalg.solveTriangular(mx.array([[0, 0], [3, 1]], mx.float32), mx.array([1, 2], mx.float32))), /singular/);
  // the library keeps working after a failed evaluation
  assert.deepEqual(await mx.linalg.inv(mx.array([[2, 0], [0, 4]], mx.float32)).tolist(), [[0.5, 0], [0, 0.25]]);
  assert.equal(await mx.linalg.det(sing).item(), 0);
  const [sg, la] = mx.linalg.slogdet(sing);
  assert.equal(await sg.item(), 0);
  assert.equal(await la.item(), -Infinity);
  const ch = (await mx.linalg.cholesky(mx.array([[1, 2], [2, 1]], mx.float32)).tolist()) as number[][];
  assert.equal(ch[0]![0], 1);
  assert.ok(Number.isNaN(ch[1]![1]!));
  // det of integers computes in float32 (MLX's at-least-float rule); 0x0 matrices have det 1
  const di = mx.linalg.det(mx.array([[1, 2], [3, 4]]));
  assert.equal(di.dtype, mx.float32);
  assert.ok(Math.abs((await di.item() as number) + 2) < 1e-5);
  assert.equal(await mx.linalg.det(wellConditioned([0, 0], mx.float32, 1)).item(), 1);
});

test('NaN inputs give NaN results without throwing or hanging', async () => {
  const bad = mx.array([[NaN, 1], [2, 3]], mx.float32);
  const flat = async (x: mx.MxArray) => ((await x.tolist()) as unknown[]).flat(2) as (number | mx.Complex)[];
  const [w, v] = mx.linalg.eig(bad);
  for (const z of [...(await flat(w)), ...(await flat(v))] as mx.Complex[]) assert.ok(Number.isNaN(z.re));
  assert.ok((await flat(mx.linalg.inv(bad))).some((x) => Number.isNaN(x as number)));
  assert.ok(Number.isNaN(await mx.linalg.det(bad).item() as number));
  assert.ok((await flat(mx.linalg.svd(bad, false))).some((x) => Number.isNaN(x as number)));
  assert.ok((await flat(mx.linalg.eigvalsh(bad))).some((x) => Number.isNaN(x as number)));
});

test('linalg argument errors name the op and the problem', () => {
  const sq = wellConditioned([3, 3], mx.float32, 1), rect = randMatrix([3, 4], mx.float32, 2);
  const vec = mx.array([1, 2, 3], mx.float32), ints = mx.array([[1, 2], [3, 4]]);
  assert.throws(() => mx.linalg.inv(rect), /\[linalg\.inv\] Only defined for square matrices; received shape \(3,4\)/);
  assert.throws(() => mx.linalg.inv(vec), /\[linalg\.inv\] Arrays must have >= 2 dimensions/);
  assert.throws(() => mx.linalg.inv(ints), /\[linalg\.inv\] Arrays must have type float32 or float64\. Received array with type int32/);
  assert.throws(() => mx.linalg.qr(ints), /\[linalg\.qr\] Arrays must have type float32 or float64/);
  assert.throws(() => mx.linalg.qr(vec), /\[linalg\.qr\] Arrays must have >= 2/);
  assert.throws(() => mx.linalg.svd(mx.array([[1, 2]], mx.float16)), /\[linalg\.svd\] .*float16/);
  assert.throws(() => mx.linalg.cholesky(rect), /\[linalg\.cholesky\] Only defined for square/);
  assert.throws(() => mx.linalg.eigh(rect), /\[linalg\.eigh\] Only defined for square/);
  assert.throws(() => mx.linalg.eigh(sq, 'X' as 'L'), /\[linalg\.eigh\] UPLO must be 'L' or 'U'/);
  assert.throws(() => mx.linalg.eig(ints), /\[linalg\.eig\] Arrays must have type/);
  assert.throws(() => mx.linalg.lu(vec), /\[linalg\.lu\] Arrays must have >= 2/);
  assert.throws(() => mx.linalg.det(rect), /\[linalg\.det\] Only defined for square/);
  assert.throws(() => mx.linalg.det(mx.array([[1]], mx.complex64)), /\[linalg\.det\] Complex inputs/);
  assert.throws(() => mx.linalg.solve(sq, mx.array([1, 2], mx.float32)), /\[linalg\.solve\] Last dimension of first input with shape \(3,3\)/);
  assert.throws(() => mx.linalg.solve(rect, vec), /\[linalg\.solve\] First input must be a square matrix/);
  assert.throws(() => mx.linalg.solve(ints, mx.array([1, 2])), /\[linalg\.solve\] Input arrays must promote to float32 or float64/);
  assert.throws(() => mx.linalg.solve(wellConditioned([2, 3, 3], mx.float32, 1), testArray([4, 3, 1], mx.float32)), /\[solve\] Shapes/);
  assert.throws(() => mx.linalg.norm(sq, 'nuc', 0), /\[linalg\.norm\] Norm 'nuc' only supported for matrices, but received 1 axis/);
  assert.throws(() => mx.linalg.norm(sq, 'bad' as 'fro'), /\[linalg\.norm\] Invalid ord value 'bad'/);
  assert.throws(() => mx.linalg.norm(sq, 3), /\[linalg\.norm\] Invalid ord 3 for matrix norm/);
  assert.throws(() => mx.linalg.norm(testArray([2, 2, 2], mx.float32), 2), /\[linalg\.norm\] Received too many axes/);
  assert.throws(() => mx.linalg.norm(sq, null, [0, 0]), /\[linalg\.norm\] Received duplicate axes/);
  assert.throws(() => mx.linalg.norm(sq, null, 2), /\[linalg\.norm\] Axis 2 is out of bounds/);
  assert.throws(() => mx.linalg.norm(mx.array(new Float32Array(0)), Infinity), /zero-size/);
  assert.throws(() => mx.linalg.cross(vec, mx.array([1, 2, 3, 4], mx.float32)), /\[linalg\.cross\] The specified axis must have size 2 or 3/);
  assert.throws(() => mx.linalg.cross(vec, vec, 1), /\[linalg\.cross\] Axis 1 is out of bounds/);
  assert.throws(() => mx.linalg.inv(sq, { stream: 'cpu' as never }), /stream option must be a Stream or a Device/);
});

test('symmetric eigvalsh reads only the requested triangle', async () => {
  const a = symmetric([4, 4], mx.float64, 5);
  const lowerOnly = mx.array((await a.tolist() as number[][]).map((r, i) => r.map((v, j) => (j > i ? 99 : v))), mx.float64);
  const [w1, w2] = [mx.linalg.eigvalsh(a), mx.linalg.eigvalsh(lowerOnly)];
  const l1 = (await w1.tolist()) as number[], l2 = (await w2.tolist()) as number[];
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(l1[i]! - l2[i]!) < 1e-12);
});

test('strided and broadcast views are read correctly (transpose, broadcastTo)', async () => {
  const a = wellConditioned([3, 3], mx.float32, 77);
  const t = mx.transpose(a), bc = mx.broadcastTo(a, [2, 3, 3]);
  const outs = [mx.linalg.inv(t), mx.linalg.norm(t, 1), mx.linalg.det(bc), mx.linalg.svd(t, false), mx.linalg.solve(bc, mx.transpose(bc, [0, 2, 1]))];
  const res = numpy([
    { expr: 'np.linalg.inv(a.T.astype(np.float64)).astype(np.float32)', args: [await npArg(a)] },
    { expr: 'np.float32(np.linalg.norm(a.T.astype(np.float64), 1))', args: [await npArg(a)] },
    { expr: 'np.linalg.det(np.broadcast_to(a.astype(np.float64), (2, 3, 3))).astype(np.float32)', args: [await npArg(a)] },
    { expr: 'np.linalg.svd(a.T.astype(np.float64), compute_uv=False).astype(np.float32)', args: [await npArg(a)] },
    { expr: 'np.linalg.solve(np.broadcast_to(a.astype(np.float64), (2, 3, 3)), np.broadcast_to(a.T.astype(np.float64), (2, 3, 3))).astype(np.float32)', args: [await npArg(a)] },
  ]);
  for (let i = 0; i < outs.length; i++) await assertClose(outs[i]!, res[i]!, { rtol: 1e-5, atol: 1e-6, msg: `view case ${i}` });
});
