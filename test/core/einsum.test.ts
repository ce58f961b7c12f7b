/**
 * @file einsum and einsumPath against NumPy: explicit and implicit outputs, ellipsis broadcasting, repeated labels
 * (diagonals and traces), many operands, transposed views, and the error messages. MLX rule checked: a
 * contraction of integers sums like `mx.sum` (int8 widens to int32).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { numpy, npArg, assertClose, testDevices, type NpCase } from '../helpers/numpy.js';
import { operand, sumTol, exactCase } from './matmul-helpers.js';
import { useTestDevices } from '../helpers/devices.js';

await useTestDevices();

interface Row { spec: string; shapes: number[][]; k: number; view?: (xs: mx.MxArray[]) => mx.MxArray[] }

const ROWS: Row[] = [
  { spec: 'ij,jk->ik', shapes: [[2, 3], [3, 4]], k: 3 },
  { spec: 'ij,jk', shapes: [[2, 3], [3, 4]], k: 3 },
  { spec: 'ij,kj->ik', shapes: [[5, 7], [6, 7]], k: 7 },
  { spec: 'ji,jk->ik', shapes: [[7, 5], [7, 6]], k: 7 },
  { spec: 'ij,jk->ki', shapes: [[3, 5], [5, 4]], k: 5 },
  { spec: 'bij,bjk->kbi', shapes: [[2, 3, 6], [2, 6, 4]], k: 6 },
  { spec: 'ij,kj->ki', shapes: [[20, 9], [3, 9]], k: 9 },
  { spec: 'ii->i', shapes: [[4, 4]], k: 1 },
  { spec: 'ii', shapes: [[4, 4]], k: 4 },
  { spec: 'iij->j', shapes: [[3, 3, 2]], k: 3 },
  { spec: 'ij->ji', shapes: [[2, 3]], k: 1 },
  { spec: 'ij->', shapes: [[2, 3]], k: 6 },
  { spec: 'ij', shapes: [[2, 3]], k: 1 },
  { spec: 'ba', shapes: [[2, 3]], k: 1 },
  { spec: 'i,i->', shapes: [[5], [5]], k: 5 },
  { spec: 'i,j->ij', shapes: [[3], [4]], k: 1 },
  { spec: 'ij,ij->ij', shapes: [[3, 4], [3, 4]], k: 1 },
  { spec: 'ij,ij->i', shapes: [[3, 4], [3, 4]], k: 4 },
  { spec: 'bij,bjk->bik', shapes: [[3, 2, 4], [3, 4, 5]], k: 4 },
  { spec: '...ij,...jk->...ik', shapes: [[2, 1, 3, 4], [5, 4, 2]], k: 4 },
  { spec: '...i,...i', shapes: [[2, 3], [3]], k: 3 },
  { spec: 'i...->...', shapes: [[3, 2, 2]], k: 3 },
  { spec: 'ijk,jil->kl', shapes: [[2, 3, 4], [3, 2, 5]], k: 6 },
  { spec: 'ab,bc,cd->ad', shapes: [[2, 5], [5, 3], [3, 4]], k: 15 },
  { spec: 'ab,bc,cd,de->ae', shapes: [[2, 3], [3, 4], [4, 3], [3, 2]], k: 36 },
  { spec: 'ij,jk,ik->', shapes: [[2, 3], [3, 4], [2, 4]], k: 24 },
  { spec: 'ij,i->j', shapes: [[3, 4], [3]], k: 3 },
  { spec: 'ijk->kij', shapes: [[2, 3, 4]], k: 1 },
  { spec: 'i,j,k->ijk', shapes: [[2], [3], [2]], k: 1 },
  { spec: 'ij,jk->ik', shapes: [[3, 2], [4, 3]], k: 3, view: ([a, b]) => [mx.transpose(a!), mx.transpose(b!)] },
  { spec: 'ij,jk->ik', shapes: [[0, 3], [3, 4]], k: 3 },
  { spec: 'ij,jk->ik', shapes: [[2, 0], [0, 4]], k: 1 },
];

for (const device of testDevices()) {
  test(`einsum matches numpy on ${device.type}`, async () => {
    const cases: NpCase[] = [], outs: mx.MxArray[] = [], ks: number[] = [], labels: string[] = [];
    for (const dtype of [mx.float32, mx.float64, mx.float16, mx.complex64, mx.int32]) {
      for (const [i, r] of ROWS.entries()) {
        let xs = r.shapes.map((sh, j) => operand(sh, dtype, 11 * i + j + 1));
        if (r.view) xs = r.view(xs);
        outs.push(mx.einsum(r.spec, ...xs, { stream: device }));
        const names = 'abcd'.slice(0, xs.length).split('').join(', ');
        cases.push(exactCase(`np.einsum('${r.spec}', ${names})`, dtype, await Promise.all(xs.map((x) => npArg(x)))));
        ks.push(r.k);
        labels.push(`${dtype.name} einsum('${r.spec}')`);
      }
    }
    const res = numpy(cases);
    for (let i = 0; i < outs.length; i++) {
      await assertClose(outs[i]!, res[i]!, { ...sumTol(outs[i]!.dtype, ks[i]!), msg: labels[i] });
    }
  });
}

test('einsum integer and bool dtypes follow mx.sum', async () => {
  const a = mx.array([[100, 100], [100, 100]], mx.int8);
  const t = mx.einsum('ij->', a);
  assert.equal(t.dtype, mx.int32);
  assert.equal(await t.item(), 400);
  assert.equal(mx.einsum('ij->ji', a).dtype, mx.int8);
  const b = mx.array([true, true, false]);
  assert.equal(mx.einsum('i,i->', b, b).dtype, mx.int32);
  assert.equal(await mx.einsum('i,i->', b, b).item(), 2);
});

test('einsumPath gives numpy\'s greedy order', async () => {
  const specs: [string, number[][]][] = [
    ['ij,jk,kl->il', [[2, 100], [100, 3], [3, 50]]],
    ['ij,jk,kl->il', [[50, 3], [3, 100], [100, 2]]],
    ['ab,bc,cd,de->ae', [[2, 3], [3, 40], [40, 3], [3, 2]]],
  ];
  const cases: NpCase[] = [];
  const ours: number[][][] = [];
  for (const [spec, shapes] of specs) {
    const xs = shapes.map((s) => mx.zeros(s, mx.float32));
    const [path, info] = mx.einsumPath(spec, ...xs);
    assert.match(info, /Complete contraction: {2}ij|Complete contraction: {2}ab/);
    ours.push(path);
    cases.push({ code: `result = np.array([list(p) for p in np.einsum_path('${spec}', ${shapes.map((s) => `np.zeros(${JSON.stringify(s)})`).join(', ')}, optimize='greedy')[0][1:]])`, args: [] });
  }
  const res = numpy(cases);
  for (let i = 0; i < ours.length; i++) {
    assert.deepEqual(ours[i]!.flat(), res[i]!.values, specs[i]![0]);
  }
  assert.deepEqual(mx.einsumPath('ij,jk', mx.zeros([2, 3]), mx.zeros([3, 4]))[0], [[0, 1]]);
});

test('einsum errors name the problem', () => {
  const z = (s: number[]) => mx.zeros(s, mx.float32);
  assert.throws(() => mx.einsum('ij,jk->ik', z([2, 3])), /\[einsum\] Number of operands, 1, does not match number of input subscripts, 2/);
  assert.throws(() => mx.einsum('ij->i', z([2, 3, 4])), /\[einsum\] Invalid number of subscripts 2 for input 0 with 3 dimensions/);
  assert.throws(() => mx.einsum('ii->i', z([2, 3])), /\[einsum\] Dimensions of repeated subscripts do not have the same size \(2 != 3\)/);
  assert.throws(() => mx.einsum('ij,jk->ik', z([2, 3]), z([4, 5])), /\[einsum\] Cannot broadcast dimension 0 of input 1 with shape \(4,5\) to size 3/);
  assert.throws(() => mx.einsum('ij->ii', z([2, 2])), /\[einsum\] Repeat indices not allowed in output/);
  assert.throws(() => mx.einsum('i1->i', z([2, 2])), /\[einsum\] Subscripts must be letters, but got '1'/);
  assert.throws(() => mx.einsum('...i...->i', z([2, 2])), /\[einsum\] Only one ellipsis per subscript/);
  assert.throws(() => mx.einsum('...ij->i', z([2])), /\[einsum\] Operand 0 with shape \(2\) has insufficient dimensions/);
  assert.throws(() => mx.einsum('ij->k', z([2, 2])), /\[einsum\] Output subscript 'k' does not appear in any input/);
  assert.throws(() => mx.einsum('i'), /\[einsum\] At least one operand is required/);
});
