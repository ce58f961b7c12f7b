/**
 * @file Cumulative ops against NumPy: cumsum cumprod cummax cummin logcumsumexp over shapes [], [0], [7], [3,4],
 * [2,3,4], axis (flattened, 0, -1), reverse and exclusive scans, nine dtypes, edge values and errors. MLX rules
 * stated here: cumsum of bool gives int32 and cumprod of bool stays bool (mlx/ops.cpp: only cumsum widens bool;
 * cumprod keeps the dtype, a running logical and), other dtypes are kept (integer scans wrap in their dtype);
 * logcumsumexp of integers gives float32; an exclusive scan starts from the identity (0, 1, the dtype's lowest or
 * highest value, -inf).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { numpy, npArg, assertClose, testArray, testDevices, type NpCase } from '../helpers/numpy.js';
import { useTestDevices } from '../helpers/devices.js';

await useTestDevices();

const DTYPES = [mx.bool, mx.int8, mx.int32, mx.uint8, mx.int64, mx.float16, mx.bfloat16, mx.float32, mx.float64];
const SHAPES: number[][] = [[], [0], [7], [3, 4], [2, 3, 4]];
const AXES: (number | undefined)[] = [undefined, 0, -1];
const FLAGS: [boolean, boolean][] = [[false, true], [true, true], [false, false], [true, false]];

const npName = (d: mx.Dtype): string => (d === mx.bool ? 'np.bool_' : d === mx.bfloat16 ? 'np.float32' : `np.${d.name}`);

type Op = (a: mx.MxArray, axis: number | undefined, o: mx.CumulativeOpts) => mx.MxArray;
interface Row { name: string; op: Op; ufunc: string; out: (d: mx.Dtype) => mx.Dtype; init: string }
const ROWS: Row[] = [
  { name: 'cumsum', op: (a, ax, o) => mx.cumsum(a, ax, o), ufunc: 'np.add', out: (d) => (d === mx.bool ? mx.int32 : d), init: '0' },
  { name: 'cumprod', op: (a, ax, o) => a.cumprod(ax, o), ufunc: 'np.multiply', out: (d) => d, init: '1' },
  { name: 'cummax', op: (a, ax, o) => mx.cummax(a, ax, o), ufunc: 'np.maximum', out: (d) => d, init: 'lo' },
  { name: 'cummin', op: (a, ax, o) => a.cummin(ax, o), ufunc: 'np.minimum', out: (d) => d, init: 'hi' },
  { name: 'logcumsumexp', op: (a, ax, o) => mx.logcumsumexp(a, ax, o), ufunc: 'np.logaddexp', out: (d) => (mx.isFloating(d) ? d : mx.float32), init: '-np.inf' },
];

// Scans in float64 for floats (rounding once, as the kernel does) and in the output dtype for integers (wrapping)
const PRELUDE = `
import warnings
warnings.simplefilter('ignore')
def scan(x, f, axis, rev, inc, init, out):
    if axis is None:
        x = x.reshape(-1); axis = 0
    work = np.float64 if np.dtype(out).kind == 'f' else out
    x = x.astype(work)
    if np.dtype(out) == np.bool_:
        lo, hi = False, True
    elif np.dtype(out).kind in 'iu':
        lo, hi = np.iinfo(out).min, np.iinfo(out).max
    else:
        lo, hi = -np.inf, np.inf
    init = {'lo': lo, 'hi': hi}.get(init, init)
    if rev: x = np.flip(x, axis)
    r = f.accumulate(x, axis=axis, dtype=work) if x.size else x
    if not inc and x.shape[axis] > 0:
        first = np.full_like(np.take(r, [0], axis=axis), init)
        r = np.concatenate([first, np.take(r, list(range(r.shape[axis] - 1)), axis=axis)], axis=axis)
    if rev: r = np.flip(r, axis)
    return r.astype(out)
`;

for (const device of testDevices()) {
  test(`cumulative ops match numpy over shapes, axes, flags and dtypes on ${device.type}`, async () => {
    const cases: NpCase[] = [];
    const outs: [mx.MxArray, string][][] = [];
    for (const dtype of DTYPES) {
      for (const shape of SHAPES) {
        // small magnitudes keep float16 products finite
        const a = testArray(shape, dtype, 21 + shape.length, -1.5, 1.5);
        const arg = await npArg(a);
        for (const axis of AXES) {
          if (axis !== undefined && shape.length === 0) continue;
          const ax = axis === undefined ? 'None' : `${axis}`;
          // one python case per input and axis: its result is the list of every row and flag combination
          const exprs: string[] = [];
          const group: [mx.MxArray, string][] = [];
          for (const row of ROWS) {
            for (const [reverse, inclusive] of FLAGS) {
              group.push([row.op(a, axis, { reverse, inclusive, stream: device }),
                `${row.name}(${dtype.name}[${shape}], axis=${ax}, reverse=${reverse}, inclusive=${inclusive})`]);
              const init = row.init === 'lo' || row.init === 'hi' ? `'${row.init}'` : row.init;
              exprs.push(`scan(a, ${row.ufunc}, ${ax}, ${reverse ? 'True' : 'False'}, ${inclusive ? 'True' : 'False'}, ${init}, ${npName(row.out(dtype))})`);
            }
          }
          outs.push(group);
          cases.push({ code: `${PRELUDE}\nresult = [${exprs.join(', ')}]`, args: [arg] });
        }
      }
    }
    const res = numpy(cases);
    let n = 0;
    for (let i = 0; i < outs.length; i++) {
      const list = res[i]!.list ?? assert.fail(`numpy raised ${res[i]!.error}`);
      for (let j = 0; j < outs[i]!.length; j++, n++) await assertClose(outs[i]![j]![0], list[j]!, { msg: outs[i]![j]![1] });
    }
    assert.ok(n > 1000, `ran ${n} cases`);
  });
}

test('cumulative edge values: NaN sticks in cummax/cummin, infinities in logcumsumexp', async () => {
  const vals = [[1, NaN, 2, 3], [Infinity, 1, -Infinity, 0], [-Infinity, -Infinity, -Infinity, 5], [Infinity, 5, Infinity, -0]];
  const cases: NpCase[] = [];
  const outs: [mx.MxArray, string][] = [];
  for (const dtype of [mx.float32, mx.float16, mx.float64]) {
    const a = mx.array(vals, dtype);
    const arg = await npArg(a);
    for (const row of ROWS) {
      for (const axis of [1, 0]) {
        outs.push([row.op(a, axis, {}), `${row.name}(${dtype.name}, axis=${axis})`]);
        cases.push({ code: `${PRELUDE}\nresult = scan(a, ${row.ufunc}, ${axis}, False, True, 0, ${npName(row.out(dtype))})`, args: [arg] });
      }
    }
  }
  const res = numpy(cases);
  for (let i = 0; i < outs.length; i++) await assertClose(outs[i]![0], res[i]!, { msg: outs[i]![1] });
});

test('cumulative int64 is exact; int8 wraps in its dtype', async () => {
  assert.deepEqual(await mx.cumsum(mx.array([2n ** 62n, 2n ** 62n - 1n, 1n])).tolist(), [2n ** 62n, 2n ** 63n - 1n, -(2n ** 63n)]);
  assert.deepEqual(await mx.cumsum(mx.array([100, 100], mx.int8)).tolist(), [100, -56]);
  assert.deepEqual(await mx.cummax(mx.array([3n, 1n, 5n]), { inclusive: false }).tolist(), [-(2n ** 63n), 3, 3]);
});

test('cumulative shapes, methods and errors', async () => {
  const a = testArray([2, 3], mx.float32, 4);
  assert.deepEqual(mx.cumsum(a).shape, [6]);
  assert.deepEqual(mx.cumsum(a, 1).shape, [2, 3]);
  assert.deepEqual(mx.cumsum(mx.array(5)).shape, [1]);
  assert.deepEqual(await a.cumsum({ axis: 1 }).tolist(), await mx.cumsum(a, 1).tolist());
  assert.deepEqual(await a.logcumsumexp(0).tolist(), await mx.logcumsumexp(a, 0).tolist());
  assert.throws(() => mx.cumsum(a, 2), /\[cumsum\] Axis 2 is out of bounds for array with 2 dimensions/);
  assert.throws(() => mx.cumprod(a, -3), /\[cumprod\] Axis -3 is out of bounds/);
  assert.throws(() => mx.cummax(a, [0, 1] as unknown as number), /\[cummax\] axis must be a single integer/);
  assert.throws(() => mx.cumsum(a, 0, { reverse: 1 as unknown as boolean }), /\[cumsum\] reverse must be a boolean/);
});
