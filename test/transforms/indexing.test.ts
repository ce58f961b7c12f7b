/**
 * @file Transform rules of the indexing family: reads (views, gathers, take/takeAlongAxis, dynamic slices) and
 * writes (putAlongAxis, `.at()` updates, masked updates, sliceUpdate). Gradients against central finite
 * differences (float64), jvp/vjp consistency, and vmap against a loop, including batched index arrays.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { checkGrad, checkJvpVjp, checkVmap, f64 } from '../helpers/transforms.js';
import { randValues } from '../helpers/numpy.js';

/** An argument: float64 data, random integers in [lo, hi), indices distinct along the last axis, or a mask. */
type Arg =
  | { f: number[] }
  | { i: number[]; lo: number; hi: number }
  | { distinct: number[]; n: number }
  | { mask: boolean[] };

function batched(shape: readonly number[], ax: number | null): number[] {
  const s = [...shape];
  if (ax !== null) s.splice(ax, 0, 3);
  return s;
}

function make(a: Arg, seed: number, ax: number | null): mx.MxArray {
  if ('f' in a) return f64(batched(a.f, ax), seed);
  if ('mask' in a) {
    if (ax === null) return mx.array(a.mask);
    // per example, a rotation of the mask (so examples differ but select equally many)
    const rows = [0, 1, 2].map((r) => a.mask.map((_, k) => a.mask[(k + r) % a.mask.length]!));
    return mx.moveaxis(mx.array(rows), 0, ax);
  }
  if ('i' in a) {
    const s = batched(a.i, ax);
    const v = randValues(s.reduce((p, q) => p * q, 1), seed, a.lo, a.hi).map(Math.floor);
    return mx.array(v, mx.int32).reshape(s);
  }
  // distinct values along the last axis: a seeded shuffle of 0..n-1 per row
  const s = batched(a.distinct, ax);
  const k = s[s.length - 1]!, rows = s.reduce((p, q) => p * q, 1) / k;
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    const perm = Array.from({ length: a.n }, (_, j) => j);
    const rnd = randValues(a.n, seed + 17 * r, 0, 1);
    perm.sort((x, y) => rnd[x]! - rnd[y]!);
    out.push(...perm.slice(0, k));
  }
  return mx.array(out, mx.int32).reshape(s);
}

type F = (...xs: mx.MxArray[]) => mx.MxArray;
interface Case { name: string; f: F; args: Arg[]; vmaps: (number | null)[][]; }

const ix = (lo: number, hi: number, ...i: number[]): Arg => ({ i, lo, hi });

const cases: Case[] = [
  // basic indexing (views)
  { name: 'slices with steps', f: (x) => x.index(mx.sl(1), mx.sl(null, null, -2)), args: [{ f: [3, 4] }], vmaps: [[0], [1], [2]] },
  { name: 'int, newaxis, ellipsis', f: (x) => x.index(1, null, '...', mx.sl(3, 0, -1)), args: [{ f: [2, 3, 4] }], vmaps: [[0], [2]] },
  { name: 'string index', f: (x) => x.index('::2, 1:'), args: [{ f: [3, 3] }], vmaps: [[1]] },
  // advanced indexing (gathers)
  { name: 'array index, duplicates', f: (x, i) => x.index(i!), args: [{ f: [4, 3] }, ix(-4, 4, 5)], vmaps: [[0, null], [null, 0], [0, 0], [1, 0]] },
  { name: 'adjacent arrays', f: (x, i, j) => x.index(mx.sl(), i!, j!), args: [{ f: [3, 4, 2] }, ix(0, 4, 2, 2), ix(0, 2, 2)],
    vmaps: [[0, null, null], [null, 0, null], [2, 0, 0], [0, null, 1]] },
  { name: 'separated arrays', f: (x, i, j) => x.index(i!, mx.sl(), j!), args: [{ f: [3, 2, 4] }, ix(0, 3, 3), ix(-4, 4, 3)],
    vmaps: [[0, null, null], [null, 0, 0], [1, 0, null]] },
  { name: 'int with array', f: (x, i) => x.index(mx.sl(), 1, i!), args: [{ f: [2, 3, 4] }, ix(0, 4, 2, 2)], vmaps: [[0, null], [3, 0], [null, 1]] },
  { name: 'take axis', f: (x, i) => mx.take(x, i!, 1), args: [{ f: [2, 4] }, ix(0, 4, 2, 2)], vmaps: [[0, null], [null, 0], [1, 2]] },
  { name: 'take flat', f: (x, i) => mx.take(x, i!), args: [{ f: [2, 3] }, ix(-6, 6, 4)], vmaps: [[0, null], [null, 0], [1, 0]] },
  { name: 'takeAlongAxis', f: (x, i) => mx.takeAlongAxis(x, i!, 1), args: [{ f: [3, 4] }, ix(0, 4, 3, 5)],
    vmaps: [[0, 0], [null, 0], [0, null], [1, 2]] },
  { name: 'takeAlongAxis broadcast', f: (x, i) => mx.takeAlongAxis(x, i!, 0), args: [{ f: [3, 1] }, ix(0, 3, 2, 4)], vmaps: [[0, 0], [2, null]] },
  { name: 'takeAlongAxis flat', f: (x, i) => mx.takeAlongAxis(x, i!, null), args: [{ f: [2, 3] }, ix(0, 6, 5)], vmaps: [[0, 0], [null, 0]] },
  { name: 'dynamic slice', f: (x, s) => mx.slice(x, s!, [1], [2, 2]), args: [{ f: [2, 4] }, ix(-4, 4)], vmaps: [[0, null], [1, 0], [null, 0]] },
  // writes
  { name: 'putAlongAxis', f: (x, v, i) => mx.putAlongAxis(x, i!, v!, 1), args: [{ f: [3, 4] }, { f: [3, 2] }, { distinct: [3, 2], n: 4 }],
    vmaps: [[0, 0, 0], [null, 0, null], [0, null, 0], [1, null, null]] },
  { name: 'putAlongAxis flat', f: (x, v, i) => mx.putAlongAxis(x, i!, v!, null), args: [{ f: [2, 3] }, { f: [3] }, { distinct: [3], n: 6 }],
    vmaps: [[0, 0, 0], [null, null, 0], [1, 0, null]] },
  { name: 'at set array', f: (x, v, i) => x.at(i!).set(v!), args: [{ f: [4, 3] }, { f: [2, 3] }, { distinct: [2], n: 4 }],
    vmaps: [[0, 0, 0], [null, null, 0], [1, 0, null], [null, 1, null]] },
  { name: 'at set slices', f: (x, v) => x.at(mx.sl(1), mx.sl(null, null, 2)).set(v!), args: [{ f: [3, 4] }, { f: [2, 1] }], vmaps: [[0, 0], [null, 1]] },
  { name: 'at set separated', f: (x, v, i, j) => x.at(i!, mx.sl(), j!).set(v!),
    args: [{ f: [3, 2, 4] }, { f: [2] }, { distinct: [2], n: 3 }, { distinct: [2], n: 4 }], vmaps: [[0, null, 0, 0], [null, 0, null, 0]] },
  { name: 'at set extra leading dims', f: (x, v, i) => x.at(i!).set(v!), args: [{ f: [3] }, { f: [1, 1, 2] }, { distinct: [2], n: 3 }],
    vmaps: [[0, 0, 0], [null, 0, null], [null, 2, 0]] },
  { name: 'at add duplicates', f: (x, v, i) => x.at(i!).add(v!), args: [{ f: [3, 3] }, { f: [1, 3] }, ix(-3, 3, 4)],
    vmaps: [[0, 0, 0], [null, null, 0], [1, 0, null]] },
  { name: 'at subtract', f: (x, v, i) => x.at(mx.sl(), i!).subtract(v!), args: [{ f: [2, 3] }, { f: [2, 2] }, ix(0, 3, 2)], vmaps: [[0, null, 0]] },
  { name: 'at maximum', f: (x, v, i) => x.at(i!).maximum(v!), args: [{ f: [4] }, { f: [3] }, { distinct: [3], n: 4 }], vmaps: [[0, 0, 0], [null, 0, null]] },
  { name: 'at minimum', f: (x, v, i) => x.at(i!).minimum(v!), args: [{ f: [2, 3] }, { f: [2, 3] }, { distinct: [2], n: 2 }], vmaps: [[1, null, 0]] },
  { name: 'mask set values', f: (x, v, m) => x.at(m!).set(v!), args: [{ f: [4, 2] }, { f: [4] }, { mask: [true, false, true, false] }],
    vmaps: [[0, null, null], [null, 0, null], [0, 0, 0], [2, null, 0]] },
  { name: 'mask set scalar', f: (x, v, m) => x.at(m!).set(v!), args: [{ f: [3, 2] }, { f: [] }, { mask: [false, true, true] }], vmaps: [[0, 0, 0]] },
  { name: 'mask add', f: (x, v, m) => x.at(m!).add(v!), args: [{ f: [3] }, { f: [2] }, { mask: [true, false, true] }], vmaps: [[0, 0, 0], [null, 0, null]] },
  { name: 'sliceUpdate', f: (x, u, s) => mx.sliceUpdate(x, u!, s!, [0]), args: [{ f: [4, 2] }, { f: [2, 2] }, ix(-4, 4)],
    vmaps: [[0, 0, null], [null, 0, null], [0, null, null], [1, 0, 0]] },
  { name: 'sliceUpdate lower rank', f: (x, u, s) => mx.sliceUpdate(x, u!, s!, [0, 1]), args: [{ f: [3, 4] }, { f: [2] }, ix(0, 4, 2)],
    vmaps: [[0, 1, null], [null, 0, 0]] },
];

for (const c of cases) {
  test(`indexing rules: ${c.name}`, async () => {
    const nf = c.args.filter((a) => 'f' in a).length;
    const args = c.args.map((a, i) => make(a, 11 + i, null));
    const rest = args.slice(nf);
    const g = (...xs: mx.MxArray[]) => c.f(...xs, ...rest);
    await checkGrad(g, args.slice(0, nf));
    await checkJvpVjp(g, args.slice(0, nf));
    for (const axes of c.vmaps) await checkVmap(c.f, c.args.map((a, i) => make(a, 31 + i, axes[i]!)), axes);
  });
}

test('indexing rules: duplicate reads accumulate, indices get no gradient', async () => {
  const x = mx.arange(4, mx.float64);
  const i = mx.array([1, 1, 3, 1]);
  const [gx, gi] = mx.grad((a: mx.MxArray, b: mx.MxArray) => mx.sum(mx.take(a, b, 0)), [0, 1])(x, i) as mx.MxArray[];
  assert.deepEqual(await gx!.tolist(), [0, 3, 0, 1]);
  assert.deepEqual(await gi!.tolist(), [0, 0, 0, 0]);
  // set: the base loses the written positions, the updates gather the cotangent
  const w = mx.array([1, 2, 3, 4], mx.float64);
  const [ga, gv] = mx.grad((a: mx.MxArray, v: mx.MxArray) => mx.sum(mx.multiply(a.at(mx.array([2, 0])).set(v), w)), [0, 1])(x, mx.array([5, 6], mx.float64)) as mx.MxArray[];
  assert.deepEqual(await ga!.tolist(), [0, 2, 0, 4]);
  assert.deepEqual(await gv!.tolist(), [3, 1]);
});

test('indexing rules: scatter multiply/divide and masked maximum are not differentiable (MLX)', () => {
  const x = mx.array([1, 2, 3], mx.float64), v = mx.array([2], mx.float64);
  assert.throws(() => mx.grad((a: mx.MxArray) => mx.sum(a.at(mx.array([0])).multiply(v)))(x), /\[scatter\] VJP is not implemented for a scatter multiply/);
  assert.throws(() => mx.jvp((a: mx.MxArray) => a.at(1).divide(v), [x], [x]), /\[scatter\] JVP is not implemented for a scatter divide/);
  assert.throws(() => mx.grad((a: mx.MxArray) => mx.sum(a.at(mx.array([true, false, true])).maximum(v)))(x), /\[maskScatter\] VJP is only defined/);
});

test('indexing rules: grad of grad through gathers and scatters', async () => {
  const i = mx.array([2, 0, 2]);
  const f = (x: mx.MxArray) => mx.sum(mx.square(mx.square(mx.take(x, i, 0)).at(mx.array([1])).add(x.index(mx.sl(0, 1)))));
  const g = (x: mx.MxArray) => mx.sum(mx.multiply(mx.grad(f)(x) as mx.MxArray, f64([3], 4)));
  await checkGrad(g, [f64([3], 5)], { rtol: 1e-5, atol: 1e-6 });
});

test('indexing rules: vmap of grad over batched indices', async () => {
  const f = (x: mx.MxArray, i: mx.MxArray) => mx.grad((a: mx.MxArray) => mx.sum(mx.square(mx.takeAlongAxis(a, i, 0))))(x) as mx.MxArray;
  await checkVmap(f, [f64([3, 4], 2), make(ix(0, 4, 5), 3, 0)], [0, 0]);
});

test('indexing rules: nested vmap over a gather with batched indices', async () => {
  const f = (x: mx.MxArray, i: mx.MxArray) => mx.take(x, i, 0);
  const inner = (x: mx.MxArray, i: mx.MxArray) => mx.vmap(f, [null, 0])(x, i) as mx.MxArray;
  await checkVmap(inner, [f64([3, 4], 2), make(ix(0, 4, 2, 5), 3, 0)], [0, 0]);
  await checkVmap(inner, [f64([3, 4], 2), make(ix(0, 4, 2, 5), 3, 1)], [0, 1]);
});
