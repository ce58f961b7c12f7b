/**
 * @file Layout ops against NumPy: a table of single-input rows run over several shapes (0-d and empty included)
 * and dtypes, multi-input rows (concatenate, stack, split), chained views, and the zero-copy guarantee.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { numpy, npArg, assertClose, testArray, testDevices, type NpCase, type NpResult } from '../helpers/numpy.js';
import { useTestDevices } from '../helpers/devices.js';

await useTestDevices();

type S = { stream: mx.Device };
type Out = mx.MxArray | mx.MxArray[];

/** Test dtypes named by the brief: each storage class (bytes, bigint, half bits, float, interleaved complex). */
const DTYPES = [mx.bool, mx.int8, mx.int64, mx.float16, mx.bfloat16, mx.float32, mx.complex64];

/** A test array; complex64 gets distinct real and imaginary parts (built by bit-viewing float32 pairs). */
export function mk(shape: number[], dtype: mx.Dtype, seed = 1): mx.MxArray {
  // testArray cannot nest empty multi-dim lists: build flat, then reshape
  const n = shape.reduce((p, q) => p * q, 1);
  if (dtype !== mx.complex64) return testArray([n], dtype, seed).reshape(shape);
  const re = testArray([n], mx.float32, seed), im = testArray([n], mx.float32, seed + 100);
  return mx.view(mx.stack([re, im], -1), mx.complex64).reshape(shape);
}

/** Compares every produced array (or list) with its NumPy case, in one python call. */
export async function check(rows: { out: Out; np: NpCase; msg: string }[]): Promise<void> {
  const res = numpy(rows.map((r) => r.np));
  for (let i = 0; i < rows.length; i++) {
    const { out, msg } = rows[i]!;
    const exp = res[i]!;
    if (exp.error) assert.fail(`${msg}: numpy raised ${exp.error}`);
    if (Array.isArray(out)) {
      assert.ok(exp.list, `${msg}: expected a list`);
      assert.equal(out.length, exp.list!.length, `${msg}: list length`);
      for (let j = 0; j < out.length; j++) await assertClose(out[j]!, exp.list![j]! as NpResult, { msg: `${msg}[${j}]` });
    } else {
      await assertClose(out, exp, { msg });
    }
  }
}

interface Row {
  name: string;
  shapes: number[][];
  mx: (x: mx.MxArray, s: S) => Out;
  np: string;
  dtypes?: mx.Dtype[];
}

const ROWS: Row[] = [
  { name: 'reshape(-1)', shapes: [[2, 3, 4], [0, 3], [], [5]], mx: (x, s) => mx.reshape(x, [-1], s), np: 'a.reshape(-1)' },
  { name: 'reshape(2,-1,2)', shapes: [[2, 3, 4], [4, 6]], mx: (x) => x.reshape(2, -1, 2), np: 'a.reshape(2,-1,2)' },
  { name: 'reshape 0-d to (1,1)', shapes: [[]], mx: (x) => x.reshape([1, 1]), np: 'a.reshape(1,1)' },
  { name: 'reshape empty', shapes: [[0, 3]], mx: (x, s) => mx.reshape(x, [3, 2, 0], s), np: 'a.reshape(3,2,0)' },
  { name: 'T', shapes: [[2, 3, 4], [5], [], [0, 2]], mx: (x) => x.T, np: 'a.T' },
  { name: 'transpose(1,2,0)', shapes: [[2, 3, 4]], mx: (x, s) => mx.transpose(x, [1, 2, 0], s), np: 'np.transpose(a,(1,2,0))' },
  { name: 'permuteDims', shapes: [[2, 3]], mx: (x, s) => mx.permuteDims(x, { axes: [1, 0], ...s }), np: 'a.T' },
  { name: 'swapaxes(0,-1)', shapes: [[2, 3, 4], [3, 1]], mx: (x, s) => mx.swapaxes(x, 0, -1, s), np: 'np.swapaxes(a,0,-1)' },
  { name: 'moveaxis(0,-1)', shapes: [[2, 3, 4]], mx: (x, s) => mx.moveaxis(x, 0, -1, s), np: 'np.moveaxis(a,0,-1)' },
  { name: 'expandDims([0,-1])', shapes: [[2, 3], [], [0]], mx: (x, s) => mx.expandDims(x, [0, -1], s), np: 'np.expand_dims(a,(0,-1))' },
  { name: 'expandDims(1)', shapes: [[2, 3]], mx: (x) => x.expandDims(1), np: 'np.expand_dims(a,1)' },
  { name: 'squeeze()', shapes: [[1, 3, 1], [1], []], mx: (x, s) => mx.squeeze(x, s), np: 'np.squeeze(a)' },
  { name: 'squeeze(0)', shapes: [[1, 3, 1]], mx: (x) => x.squeeze(0), np: 'np.squeeze(a,0)' },
  { name: 'flatten()', shapes: [[2, 3, 4], []], mx: (x) => x.flatten(), np: 'a.flatten()' },
  { name: 'flatten(1,2)', shapes: [[2, 3, 4, 1]], mx: (x, s) => mx.flatten(x, 1, 2, s), np: 'a.reshape(2,12,1)' },
  { name: 'unflatten(1,[3,-1])', shapes: [[2, 12]], mx: (x, s) => mx.unflatten(x, 1, [3, -1], s), np: 'a.reshape(2,3,4)' },
  { name: 'broadcastTo', shapes: [[2, 1], [3], [], [1, 3]], mx: (x, s) => mx.broadcastTo(x, [4, 2, 3], s), np: 'np.broadcast_to(a,(4,2,3))' },
  { name: 'broadcastTo empty', shapes: [[1, 3]], mx: (x, s) => mx.broadcastTo(x, [0, 3], s), np: 'np.broadcast_to(a,(0,3))' },
  { name: 'flip()', shapes: [[2, 3], [4], [], [0, 2]], mx: (x, s) => mx.flip(x, s), np: 'np.flip(a)' },
  { name: 'flip(1)', shapes: [[2, 3, 4]], mx: (x, s) => mx.flip(x, 1, s), np: 'np.flip(a,1)' },
  { name: 'diagonal()', shapes: [[3, 4], [2, 3, 4], [0, 3]], mx: (x, s) => mx.diagonal(x, s), np: 'np.diagonal(a)' },
  { name: 'diagonal(1,1,2)', shapes: [[2, 3, 4]], mx: (x, s) => mx.diagonal(x, 1, 1, 2, s), np: 'np.diagonal(a,1,1,2)' },
  { name: 'diagonal(-1)', shapes: [[4, 3]], mx: (x) => x.diagonal(-1), np: 'np.diagonal(a,-1)' },
  { name: 'diagonal(5) empty', shapes: [[4, 3]], mx: (x, s) => mx.diagonal(x, 5, 0, 1, s), np: 'np.diagonal(a,5)' },
  { name: 'diagonal(0,2,0)', shapes: [[3, 2, 4]], mx: (x, s) => mx.diagonal(x, { axis1: 2, axis2: 0, ...s }), np: 'np.diagonal(a,0,2,0)' },
  { name: 'diag(1) 1-D', shapes: [[3]], mx: (x, s) => mx.diag(x, 1, s), np: 'np.diag(a,1)' },
  { name: 'diag(-2) 1-D', shapes: [[3], [0]], mx: (x) => x.diag(-2), np: 'np.diag(a,-2)' },
  { name: 'diag(1) 2-D', shapes: [[3, 4]], mx: (x, s) => mx.diag(x, 1, s), np: 'np.diag(a,1)' },
  { name: 'atleast1d', shapes: [[], [3]], mx: (x, s) => mx.atleast1d(x, s), np: 'np.atleast_1d(a)' },
  { name: 'atleast2d', shapes: [[], [3], [2, 3]], mx: (x, s) => mx.atleast2d(x, s), np: 'np.atleast_2d(a)' },
  { name: 'atleast3d', shapes: [[], [3], [2, 3], [1, 2, 3, 1]], mx: (x, s) => mx.atleast3d(x, s), np: 'np.atleast_3d(a)' },
  { name: 'tile([2,1,2])', shapes: [[2, 3], [3], []], mx: (x, s) => mx.tile(x, [2, 1, 2], s), np: 'np.tile(a,(2,1,2))' },
  { name: 'tile(3)', shapes: [[2, 2]], mx: (x, s) => mx.tile(x, 3, s), np: 'np.tile(a,3)' },
  { name: 'tile([0])', shapes: [[2]], mx: (x, s) => mx.tile(x, [0], s), np: 'np.tile(a,(0,))' },
  { name: 'repeat(2,1)', shapes: [[2, 3]], mx: (x, s) => mx.repeat(x, 2, 1, s), np: 'np.repeat(a,2,1)' },
  { name: 'repeat(3)', shapes: [[2, 2], []], mx: (x, s) => mx.repeat(x, 3, s), np: 'np.repeat(a,3)' },
  { name: 'repeat(0,-1)', shapes: [[2, 2]], mx: (x, s) => mx.repeat(x, 0, { axis: -1, ...s }), np: 'np.repeat(a,0,-1)' },
  { name: 'roll(2)', shapes: [[3, 4], [5], []], mx: (x, s) => mx.roll(x, 2, s), np: 'np.roll(a,2)' },
  { name: 'roll(-7, 1)', shapes: [[3, 4], [2, 0]], mx: (x, s) => mx.roll(x, -7, 1, s), np: 'np.roll(a,-7,1)' },
  { name: 'roll([1,-2],[0,1])', shapes: [[3, 4]], mx: (x, s) => mx.roll(x, [1, -2], [0, 1], s), np: 'np.roll(a,(1,-2),(0,1))' },
  { name: 'roll([1,2],0)', shapes: [[5, 2]], mx: (x, s) => mx.roll(x, [1, 2], 0, s), np: 'np.roll(a,(1,2),0)' },
  { name: 'contiguous(T)', shapes: [[3, 4], []], mx: (x, s) => mx.contiguous(x.T, s), np: 'a.T.copy()' },
  {
    name: 'asStrided windows', shapes: [[5]],
    mx: (x, s) => mx.asStrided(x, [3, 3], [1, 1], 0, s),
    np: 'np.lib.stride_tricks.as_strided(a,(3,3),(a.itemsize,a.itemsize))',
  },
  {
    name: 'asStrided offset of a transpose', shapes: [[3, 4]],
    mx: (x, s) => mx.asStrided(x.T, { shape: [2, 2], strides: [3, 1], offset: 2, ...s }),
    np: 'np.lib.stride_tricks.as_strided(np.ascontiguousarray(a.T).reshape(-1)[2:],(2,2),(3*a.itemsize,a.itemsize))',
  },
  {
    name: 'view(uint8)', shapes: [[2, 3], [0]], dtypes: [mx.int8, mx.int64, mx.float16, mx.float32, mx.complex64],
    mx: (x, s) => mx.view(x, mx.uint8, s), np: 'a.view(np.uint8)',
  },
  {
    name: 'view(int16) of a transpose', shapes: [[2, 4]], dtypes: [mx.int64, mx.float32, mx.complex64],
    mx: (x, s) => mx.view(x.T, mx.int16, s), np: 'np.ascontiguousarray(a.T).view(np.int16)',
  },
  { name: 'view(uint16) of float16', shapes: [[3]], dtypes: [mx.float16], mx: (x, s) => mx.view(x, 'uint16', s), np: 'a.view(np.uint16)' },
];

const DIFF_ROWS: Row[] = [
  { name: 'diff()', shapes: [[3, 4], [5], [0]], mx: (x, s) => mx.diff(x, s), np: 'np.diff(a)' },
  { name: 'diff(2,0)', shapes: [[4, 3]], mx: (x, s) => mx.diff(x, 2, 0, s), np: 'np.diff(a,2,0)' },
  { name: 'diff(5) past the length', shapes: [[3]], mx: (x, s) => mx.diff(x, { n: 5, ...s }), np: 'np.diff(a,5)' },
  { name: 'diff(0)', shapes: [[3]], mx: (x, s) => mx.diff(x, 0, s), np: 'np.diff(a,0)' },
  { name: 'diff of a transpose', shapes: [[3, 4]], mx: (x, s) => mx.diff(x.T, 1, 0, s), np: 'np.diff(a.T,1,0)' },
];

const PAD_ROWS: Row[] = [
  ...(['constant', 'edge', 'reflect', 'symmetric'] as const).flatMap((m): Row[] => [
    { name: `pad ${m}`, shapes: [[3, 4]], mx: (x, s) => mx.pad(x, [[1, 2], [2, 1]], m, s), np: `np.pad(a,((1,2),(2,1)),'${m}')` },
    { name: `pad ${m} wide`, shapes: [[3], [1]], mx: (x, s) => mx.pad(x, 7, m, s), np: `np.pad(a,7,'${m}')` },
    { name: `pad ${m} lohi`, shapes: [[2, 3, 2]], mx: (x, s) => mx.pad(x, [0, 2], { mode: m, ...s }), np: `np.pad(a,(0,2),'${m}')` },
  ]),
  { name: 'pad constant 3', shapes: [[2, 2], [0, 2]], mx: (x, s) => mx.pad(x, 1, 'constant', 3, s), np: "np.pad(a,1,constant_values=np.array(3).astype(a.dtype))" },
  { name: 'pad 0-d', shapes: [[]], mx: (x, s) => mx.pad(x, 2, s), np: 'np.pad(a,2)' },
];

for (const device of testDevices()) {
  test(`layout ops match numpy over shapes and dtypes on ${device.type}`, async () => {
    const s = { stream: device };
    const rows: { out: Out; np: NpCase; msg: string }[] = [];
    let seed = 1;
    for (const r of [...ROWS, ...PAD_ROWS, ...DIFF_ROWS]) {
      for (const dtype of r.dtypes ?? DTYPES) {
        for (const shape of r.shapes) {
          const x = mk(shape, dtype, seed++);
          rows.push({ out: r.mx(x, s), np: { expr: r.np, args: [await npArg(x)] }, msg: `${r.name} ${dtype.name} (${shape})` });
        }
      }
    }
    await check(rows);
  });

  test(`concatenate, stack, split, unstack match numpy on ${device.type}`, async () => {
    const s = { stream: device };
    const rows: { out: Out; np: NpCase; msg: string }[] = [];
    let seed = 500;
    const add = async (out: Out, expr: string, xs: mx.MxArray[], msg: string) =>
      rows.push({ out, np: { expr, args: await Promise.all(xs.map((x) => npArg(x))) }, msg });
    for (const d of DTYPES) {
      const m = (sh: number[]) => mk(sh, d, seed++);
      const [a, b, c] = [m([2, 3]), m([1, 3]), m([2, 0])];
      await add(mx.concatenate([a, b], s), 'np.concatenate((a,b))', [a, b], `concat0 ${d.name}`);
      await add(mx.concatenate([a, c, a], 1, s), 'np.concatenate((a,b,c),1)', [a, c, a], `concat1 ${d.name}`);
      const v = m([3]);
      await add(mx.concatenate([a, v], null, s), 'np.concatenate((a,b),axis=None)', [a, v], `concat None ${d.name}`);
      await add(mx.concat([a, a], { axis: -1, ...s }), 'np.concatenate((a,b),-1)', [a, a], `concat -1 ${d.name}`);
      await add(mx.stack([a, a, a], 1, s), 'np.stack((a,b,c),1)', [a, a, a], `stack1 ${d.name}`);
      const z = m([]);
      await add(mx.stack([z, z], s), 'np.stack((a,b))', [z, z], `stack 0-d ${d.name}`);
      await add(mx.stack([a], -1, s), 'np.stack((a,),-1)', [a], `stack -1 ${d.name}`);
      const e = m([6, 2]);
      await add(mx.split(e, 3, s), 'np.split(a,3)', [e], `split 3 ${d.name}`);
      await add(e.split([1, 4], 0), 'np.split(a,[1,4])', [e], `split idx ${d.name}`);
      await add(mx.split(e, [-2, 10, 1], s), 'np.split(a,[-2,10,1])', [e], `split clamp ${d.name}`);
      await add(mx.split(e, [1], 1, s), 'np.split(a,[1],1)', [e], `split axis1 ${d.name}`);
      await add(mx.unstack(e, 1, s), '[a[:,i] for i in range(2)]', [e], `unstack ${d.name}`);
    }
    await check(rows);
  });

  test(`concatenate promotes mixed dtypes as MLX does on ${device.type}`, async () => {
    // MLX promotes with its own lattice: int32 with float16 stays float16 (NumPy would give float64)
    const pairs: [mx.Dtype, mx.Dtype, mx.Dtype][] = [
      [mx.int32, mx.float16, mx.float16], [mx.bool, mx.int8, mx.int8], [mx.uint8, mx.int8, mx.int16],
      [mx.float16, mx.bfloat16, mx.float32], [mx.int64, mx.float32, mx.float32], [mx.float32, mx.complex64, mx.complex64],
    ];
    const rows: { out: Out; np: NpCase; msg: string }[] = [];
    for (const [p, q, want] of pairs) {
      const a = mk([2], p, 3), b = mk([3], q, 4);
      const out = mx.concatenate([a, b], { stream: device });
      assert.equal(out.dtype, want, `${p.name}+${q.name}`);
      const st = mx.stack([mk([2], p, 5), mk([2], q, 6)], { stream: device });
      assert.equal(st.dtype, want, `stack ${p.name}+${q.name}`);
      rows.push({ out: out.astype(mx.float32), np: { expr: 'np.concatenate((a,b)).astype(np.float32)', args: [await npArg(a), await npArg(b)] }, msg: `${p.name}+${q.name}` });
    }
    await check(rows);
  });

  test(`chained views (transpose of broadcast of slice) feed every op on ${device.type}`, async () => {
    const s = { stream: device };
    const rows: { out: Out; np: NpCase; msg: string }[] = [];
    const chain = 'np.transpose(np.broadcast_to(a[1:4][None],(2,3,4)),(2,0,1))';
    for (const d of [mx.int8, mx.int64, mx.float16, mx.float32, mx.complex64]) {
      const x = mk([6, 4], d, 9);
      const sl = mx.split(x, [1, 4], s)[1]!;
      const t = mx.transpose(mx.broadcastTo(mx.expandDims(sl, 0, s), [2, 3, 4], s), [2, 0, 1], s);
      const arg = [await npArg(x)];
      const add = (out: Out, expr: string, msg: string) => rows.push({ out, np: { expr: expr.replaceAll('Q', chain), args: arg }, msg: `${msg} ${d.name}` });
      add(t, 'Q', 'chain');
      add(t.reshape(-1), 'Q.reshape(-1)', 'reshape copy');
      add(t.reshape(4, 6), 'Q.reshape(4,6)', 'reshape merge');
      add(mx.flip(t, [0, 2], s), 'np.flip(Q,(0,2))', 'flip');
      add(mx.flip(mx.flip(t, 1, s).T, s), 'np.flip(np.flip(Q,1).T)', 'flip flip');
      add(mx.pad(t, 1, 'edge', s), "np.pad(Q,1,'edge')", 'pad');
      add(mx.pad(t, [[0, 0], [1, 1], [2, 0]], 'reflect', s), "np.pad(Q,((0,0),(1,1),(2,0)),'reflect')", 'pad reflect');
      add(mx.concatenate([t, mx.flip(t, 2, s)], 2, s), 'np.concatenate((Q,np.flip(Q,2)),2)', 'concat');
      add(mx.diagonal(t, 0, 1, 2, s), 'np.diagonal(Q,0,1,2)', 'diagonal');
      add(mx.diagonal(mx.flip(t, 2, s), 1, 0, 2, s), 'np.diagonal(np.flip(Q,2),1,0,2)', 'diagonal of flip');
      add(mx.split(t, 2, 0, s), 'np.split(Q,2,0)', 'split');
      add(mx.contiguous(t, s), 'np.ascontiguousarray(Q)', 'contiguous');
      add(mx.roll(t, 1, 2, s), 'np.roll(Q,1,2)', 'roll');
      add(mx.tile(mx.swapaxes(t, 0, 1, s), [1, 2, 1], s), 'np.tile(np.swapaxes(Q,0,1),(1,2,1))', 'tile');
      add(mx.squeeze(mx.expandDims(t, [1, 3], s), 3, s), 'np.expand_dims(Q,1)', 'expand/squeeze');
      add(mx.view(t, mx.uint8, s), 'np.ascontiguousarray(Q).view(np.uint8)', 'view');
      add(mx.asStrided(t, [3, 2], [1, 3], 1, s), 'np.lib.stride_tricks.as_strided(np.ascontiguousarray(Q).reshape(-1)[1:],(3,2),(a.itemsize,3*a.itemsize))', 'asStrided');
    }
    await check(rows);
  });
}
