// The fast GPU paths of reduce (rows, columns, two-pass), softmax/logsumexp (rows kept in registers, online) and
// the contiguous elementwise kernel, on whatever adapter exists (lavapipe here), compared with the CPU backend
// (whose reductions are NumPy-checked in test/core) or with plain JavaScript arithmetic. Every case asserts that
// the path it means to cover ran and that nothing fell back to the CPU. Each reduction runs with and without
// subgroup operations. Skips cleanly without an adapter.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { randValues, testArray, tolFor } from '../helpers/numpy.js';
import { gpuBackend } from '../../src/backend/webgpu/index.js';
import { fastReduceStats } from '../../src/backend/webgpu/kernels/reduce-fast.js';
import { fastSoftmaxStats } from '../../src/backend/webgpu/kernels/reduce-softmax.js';
import { fastElementwise, fastElementwiseStats } from '../../src/backend/webgpu/kernels/elementwise-fast.js';
import { setReduceTuning, resetReduceTuning } from '../../src/backend/webgpu/kernels/reduce-tuning.js';
import type { GpuArg } from '../../src/backend/webgpu/backend.js';
import type { PooledBuffer } from '../../src/backend/webgpu/allocator.js';

type A = mx.MxArray;
type S = { stream: mx.Device };

let ok = false;
before(async () => { ok = await mx.initGpu({ allowSoftware: true, quiet: true }); });
after(() => { resetReduceTuning(); mx.shutdown(); });

const G: S = { stream: mx.gpu }, C: S = { stream: mx.cpu };
const fallbacks = (): number => mx.deviceInfo(mx.gpu).stats!.fallbacks as number;

/** Compares element by element; `scale` widens the dtype's tolerance (sums of many terms round differently). */
async function same(g: A, c: A, msg: string, scale: number): Promise<void> {
  assert.deepEqual([...g.shape], [...c.shape], `${msg}: shape`);
  assert.equal(g.dtype, c.dtype, `${msg}: dtype`);
  const { rtol, atol } = tolFor(g.dtype);
  const gv = (await g.data()) as ArrayLike<number | boolean>, cv = (await c.data()) as ArrayLike<number | boolean>;
  for (let i = 0; i < cv.length; i++) {
    const a = Number(gv[i]), b = Number(cv[i]);
    if (Number.isNaN(b)) { assert.ok(Number.isNaN(a), `${msg}[${i}]: expected NaN, got ${a}`); continue; }
    assert.ok(a === b || Math.abs(a - b) <= (atol + rtol * Math.abs(b)) * scale, `${msg}[${i}]: gpu ${a}, cpu ${b}`);
  }
}

/** Values on a 1/8 grid: their float32 sums are exact in any order, so sums compare tightly with the CPU's. */
const grid = (v: number[]): number[] => v.map((x) => Math.round(x * 8) / 8);

/** A test array whose float values lie on the 1/8 grid. */
function gridArray(shape: number[], d: mx.Dtype, seed: number, lo: number, hi: number): A {
  if (d.kind !== 'f' && d.kind !== 'V') return testArray(shape, d, seed, lo, hi);
  const n = shape.reduce((a, b) => a * b, 1);
  return mx.astype(mx.reshape(mx.array(grid(randValues(n, seed, lo, hi)), mx.float32), shape, C), d, C);
}

/** A float32 CPU array with NaN/±inf sprinkled in some rows (row r of width w gets a special at r % 7 == k). */
function withSpecials(shape: number[], seed: number): A {
  const n = shape.reduce((a, b) => a * b, 1), w = shape[shape.length - 1]!;
  const v = grid(randValues(n, seed));
  for (let r = 0; r * w < n; r++) {
    if (r % 7 === 1) v[r * w + (r % w)] = NaN;
    if (r % 7 === 3) v[r * w + ((r * 3) % w)] = Infinity;
    if (r % 7 === 5) v[r * w] = -Infinity;
  }
  return mx.reshape(mx.array(v, mx.float32), shape, C);
}

/** Places a CPU array on the GPU as a dense buffer, then applies `view` there (offsets, transposes). */
function onGpu(x: A, view: (g: A, o: S) => A = (g) => g): A { return view(mx.contiguous(x, G), G); }

type Path = 'rows' | 'cols' | 'twoPass' | 'generic';
const pathCount = (p: Path): number => (p === 'generic' ? fastReduceStats.rows + fastReduceStats.cols : fastReduceStats[p]);

/** [label, input shape, axis (undefined: all), keepdims, modes, dtypes, path that must run, view on the GPU]. */
type Row = [string, number[], number | number[] | undefined, boolean, string[], mx.Dtype[], Path, ((g: A, o: S) => A)?];
const ALL = ['sum', 'prod', 'max', 'min', 'mean'];
const REDUCE: Row[] = [
  ['last axis, rows of 1', [7, 1], -1, false, ALL, [mx.float32], 'generic'],
  ['last axis, rows of 3', [5, 3], -1, false, ALL, [mx.float32, mx.int32], 'rows'],
  ['last axis, rows of 5 keepdims', [4, 5], 1, true, ALL, [mx.float32, mx.float16, mx.uint8], 'rows'],
  ['last axis, rows of 1023', [3, 1023], -1, false, ALL, [mx.float32, mx.bfloat16], 'rows'],
  ['last axis, rows of 4097', [2, 4097], -1, false, ['sum', 'max', 'mean'], [mx.float32, mx.int16], 'rows'],
  ['last axis, aligned rows of 1024', [6, 1024], -1, false, ['sum', 'min', 'max'], [mx.float32, mx.int32, mx.uint32], 'rows'],
  ['last axis, > 65535 rows', [70001, 3], 1, false, ['sum', 'max'], [mx.float32], 'rows'],
  ['last two axes', [3, 4, 8], [1, 2], false, ['sum', 'mean'], [mx.float32], 'rows'],
  ['all, large (two passes)', [100003], undefined, false, ['sum', 'max', 'mean'], [mx.float32, mx.int32], 'twoPass'],
  ['all, aligned large (two passes)', [64, 2048], undefined, false, ['sum', 'min'], [mx.float32], 'twoPass'],
  ['all, few long rows (two passes)', [3, 40000], 1, true, ['sum', 'max'], [mx.float32], 'twoPass'],
  ['all of a matrix', [33, 17], undefined, false, ALL, [mx.float32, mx.float16], 'rows'],
  ['unaligned offset', [9, 16], -1, false, ['sum', 'max'], [mx.float32], 'rows', (g, o) => g.index('1:', o)],
  ['unaligned offset, all', [10001], undefined, false, ['sum'], [mx.float32], 'twoPass', (g, o) => g.index('3:', o)],
  ['axis 0 (columns)', [1000, 37], 0, false, ['sum', 'max', 'min', 'mean'], [mx.float32, mx.int32], 'cols'],
  ['axis 0 prod (columns)', [200, 37], 0, false, ['prod'], [mx.float32], 'cols'],
  ['axis 0, few columns (two passes)', [20000, 3], 0, true, ['sum', 'max', 'mean'], [mx.float32], 'twoPass'],
  ['middle axis (columns)', [3, 50, 8], 1, false, ['sum', 'min', 'mean'], [mx.float32, mx.float16], 'cols'],
  ['transposed input, last axis', [33, 64], -1, false, ['sum', 'max'], [mx.float32], 'cols', (g, o) => mx.transpose(g, o)],
  ['transposed input, axis 0', [40, 21], 0, false, ['sum'], [mx.float32], 'rows', (g, o) => mx.transpose(g, o)],
  ['any/all rows', [9, 33], -1, false, ['all', 'any'], [mx.bool, mx.float32, mx.int8], 'rows'],
  ['any/all columns', [300, 9], 0, false, ['all', 'any'], [mx.bool, mx.int32], 'cols'],
  ['any/all whole', [50000], undefined, false, ['all', 'any'], [mx.bool], 'twoPass'],
  ['empty rows', [0, 5], -1, false, ['sum'], [mx.float32], 'generic'],
  ['empty lanes', [4, 0], -1, false, ['sum', 'prod'], [mx.float32], 'rows'],
  ['0-d', [], undefined, false, ['sum', 'max'], [mx.float32], 'generic'],
];

function reduceOp(mode: string, x: A, axis: number | number[] | undefined, keepdims: boolean, o: S): A {
  const f = { sum: mx.sum, prod: mx.prod, max: mx.max, min: mx.min, mean: mx.mean, all: mx.all, any: mx.any }[mode]!;
  return f(x, { axis, keepdims, ...o });
}

/** The rows also run without subgroups (lavapipe compiles slowly: not the whole table twice). */
const NO_SG = new Set(['last axis, rows of 3', 'last axis, rows of 1023', 'all, large (two passes)', 'axis 0, few columns (two passes)',
  'any/all rows', 'unaligned offset', 'long rows (online)', 'rows of 5', 'logsumexp rows of 4097', 'aligned rows of 4096']);

for (const sg of [true, false]) {
  for (const [label, shape, axis, keepdims, modes, dtypes, path, view] of REDUCE) {
    if (!sg && !NO_SG.has(label)) continue;
    test(`webgpu fast reduce${sg ? '' : ' (no subgroups)'}: ${label}`, async (t) => {
      if (!ok) { t.skip('no WebGPU adapter'); return; }
      setReduceTuning({ subgroups: sg });
      try {
        for (const d of dtypes) {
          for (const mode of modes) {
            const x = mode === 'prod' ? testArray(shape, d, 11 + shape.length, 0.97, 1.03) : gridArray(shape, d, 11 + shape.length, -3, 3);
            const c = reduceOp(mode, view ? view(x, C) : x, axis, keepdims, C);
            await mx.eval(c);
            const g0 = onGpu(x, view);
            await mx.eval(g0);
            const f0 = fallbacks(), p0 = pathCount(path);
            const g = reduceOp(mode, g0, axis, keepdims, G);
            await mx.eval(g);
            const msg = `${label} ${mode} ${d.name}`;
            assert.equal(fallbacks(), f0, `${msg}: fell back to the CPU`);
            if (path === 'generic') assert.equal(pathCount(path), p0, `${msg}: a fast path ran`);
            else assert.ok(pathCount(path) > p0, `${msg}: the ${path} path did not run`);
            await same(g, c, msg, mode === 'prod' ? 4 * Math.sqrt(Math.max(1, x.size)) : 4);
          }
        }
      } finally {
        resetReduceTuning();
      }
    });
  }
}

test('webgpu fast reduce: NaN and infinities per row and per column', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  for (const sg of [true, false]) {
    setReduceTuning({ subgroups: sg });
    for (const [shape, axis] of [[[30, 64], -1], [[30, 5], -1], [[64, 30], 0], [[8000], undefined]] as [number[], number | undefined][]) {
      const x = withSpecials(shape, 5);
      for (const mode of ['sum', 'max', 'min', 'mean', 'prod']) {
        const c = reduceOp(mode, x, axis, false, C);
        const f0 = fallbacks();
        const g = reduceOp(mode, onGpu(x), axis, false, G);
        await mx.eval(c, g);
        assert.equal(fallbacks(), f0);
        await same(g, c, `specials ${shape} ${mode} sg=${sg}`, mode === 'prod' ? 8 * Math.sqrt(x.size) : 4);
      }
    }
  }
  resetReduceTuning();
});

type SmPath = 'keep' | 'online' | 'lse';
/** [label, shape, op, path, dtypes, view]. Rows over 8192 elements take the online path (tuned so below). */
const SOFTMAX: [string, number[], 'softmax' | 'logsumexp', SmPath, mx.Dtype[], ((g: A, o: S) => A)?][] = [
  ['rows of 1', [5, 1], 'softmax', 'keep', [mx.float32]],
  ['rows of 3', [7, 3], 'softmax', 'keep', [mx.float32, mx.float16]],
  ['rows of 5', [4, 5], 'softmax', 'keep', [mx.float32, mx.bfloat16]],
  ['rows of 1023', [3, 1023], 'softmax', 'keep', [mx.float32]],
  ['aligned rows of 4096', [3, 4096], 'softmax', 'keep', [mx.float32, mx.float16]],
  ['rows of 4097', [2, 4097], 'softmax', 'keep', [mx.float32]],
  ['> 65535 rows', [66000, 3], 'softmax', 'keep', [mx.float32]],
  ['long rows (online)', [2, 9000], 'softmax', 'online', [mx.float32, mx.float16]],
  ['long unaligned rows (online)', [2, 8195], 'softmax', 'online', [mx.float32]],
  ['unaligned offset', [6, 12], 'softmax', 'keep', [mx.float32], (g, o) => g.index('1:', o)],
  ['3-d', [2, 3, 8], 'softmax', 'keep', [mx.float32]],
  ['logsumexp rows of 1', [6, 1], 'logsumexp', 'lse', [mx.float32]],
  ['logsumexp rows of 5', [4, 5], 'logsumexp', 'lse', [mx.float32, mx.float16]],
  ['logsumexp rows of 4097', [2, 4097], 'logsumexp', 'lse', [mx.float32]],
  ['logsumexp aligned rows', [70000, 4], 'logsumexp', 'lse', [mx.float32]],
  ['logsumexp unaligned offset', [5, 9], 'logsumexp', 'lse', [mx.float32], (g, o) => g.index('1:', o)],
];

for (const sg of [true, false]) {
  for (const [label, shape, op, path, dtypes, view] of SOFTMAX) {
    if (!sg && !NO_SG.has(label)) continue;
    test(`webgpu fast ${op}${sg ? '' : ' (no subgroups)'}: ${label}`, async (t) => {
      if (!ok) { t.skip('no WebGPU adapter'); return; }
      setReduceTuning({ subgroups: sg, smKeepMaxLen: 8192 });
      try {
        for (const d of dtypes) {
          for (const special of [false, true]) {
            if (special && d !== mx.float32) continue;
            const x = special ? withSpecials(shape, 9) : testArray(shape, d, 21, -8, 8);
            const f = (a: A, o: S, keepdims = false): A =>
              op === 'softmax' ? mx.softmax(a, -1, o) : mx.logsumexp(a, { axis: -1, keepdims, ...o });
            const c = f(view ? view(x, C) : x, C);
            await mx.eval(c);
            const g0 = onGpu(x, view);
            await mx.eval(g0);
            const f0 = fallbacks(), p0 = fastSoftmaxStats[path];
            const g = f(g0, G);
            await mx.eval(g);
            const msg = `${label} ${d.name}${special ? ' specials' : ''}`;
            assert.equal(fallbacks(), f0, `${msg}: fell back to the CPU`);
            assert.ok(fastSoftmaxStats[path] > p0, `${msg}: the ${path} path did not run`);
            await same(g, c, msg, 8);
          }
        }
      } finally {
        resetReduceTuning();
      }
    });
  }
}

test('webgpu fast softmax/logsumexp: rows of -inf, keepdims, whole array', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const ninf = mx.array([[-Infinity, -Infinity, -Infinity], [0, -Infinity, 1], [Infinity, 0, 1], [NaN, 0, 1]], mx.float32, C);
  const cases: [string, (a: A, o: S) => A][] = [
    ['softmax', (a, o) => mx.softmax(a, -1, o)],
    ['logsumexp', (a, o) => mx.logsumexp(a, { axis: -1, ...o })],
    ['logsumexp keepdims', (a, o) => mx.logsumexp(a, { axis: 1, keepdims: true, ...o })],
    ['logsumexp all', (a, o) => mx.logsumexp(mx.reshape(a, [12], o), o)],
  ];
  for (const sg of [true, false]) {
    setReduceTuning({ subgroups: sg });
    for (const [name, f] of cases) {
      const c = f(ninf, C);
      const f0 = fallbacks();
      const g = f(onGpu(ninf), G);
      await mx.eval(c, g);
      assert.equal(fallbacks(), f0);
      await same(g, c, `${name} sg=${sg}`, 4);
    }
  }
  resetReduceTuning();
});

/** A GPU argument viewing elements [offset, offset + n) of a GPU array's buffer as a 1-D `shape`-sized input. */
async function argOf(x: A, offset: number, shape: number[]): Promise<GpuArg> {
  await mx.eval(x);
  const d = x._data!;
  assert.equal(d.storage.backend.type, 'gpu');
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  return { buf: d.storage.handle as PooledBuffer, dtype: x.dtype, shape, strides, offset: d.offset + offset };
}

test('fastElementwise: aligned and unaligned offsets, lengths not a multiple of 4, broadcast scalars', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const be = gpuBackend()!;
  const N = 5000;
  const av = randValues(N, 3), bv = randValues(N, 4);
  const a = mx.contiguous(mx.array(av, mx.float32, C), G), b = mx.contiguous(mx.array(bv, mx.float32, C), G);
  const ai = mx.contiguous(mx.array(av.map((v) => Math.round(v * 1000)), mx.int32, C), G);
  const sv = randValues(9, 6);
  const s = mx.contiguous(mx.array(sv, mx.float32, C), G);
  const f32 = Math.fround;
  for (const [wg, vec, groups] of [[256, 4, 0], [64, 1, 0], [128, 3, 0], [64, 2, 3]]) {
    setReduceTuning({ ewWg: wg, ewVec: vec, ewGroups: groups });
    for (const n of [0, 1, 3, 4, 5, 1023, 4096, 4097]) {
      for (const [oa, ob] of [[0, 0], [1, 0], [4, 3], [2, 6]]) {
        const s0 = fastElementwiseStats.launches;
        const A1 = await argOf(a, oa, [n]), B1 = await argOf(b, ob, [n]);
        const S1 = await argOf(s, 7, [1]);
        const out = fastElementwise(be, [A1, B1, S1], mx.float32, [n], ([x, y, s]) => `${x} * ${y} + ${s}`);
        assert.ok(out, 'fastElementwise declined a dense float32 case');
        if (n > 0) assert.equal(fastElementwiseStats.launches, s0 + 1);
        const got = await be.read(out, mx.float32, [n]);
        for (let i = 0; i < n; i++) {
          const want = f32(f32(f32(av[oa + i]!) * f32(bv[ob + i]!)) + f32(sv[7]!));
          assert.equal(got[i], want, `n=${n} offsets ${oa},${ob} [${i}]`);
        }
        out.storage.release();
        const I1 = await argOf(ai, oa, [n]);
        const oi = fastElementwise(be, [I1], mx.int32, [n], ([x]) => `${x} * 3 - 7`)!;
        const gi = await be.read(oi, mx.int32, [n]);
        for (let i = 0; i < n; i++) assert.equal(gi[i], Math.round(av[oa + i]! * 1000) * 3 - 7, `int n=${n} offset ${oa} [${i}]`);
        oi.storage.release();
      }
    }
  }
  resetReduceTuning();
});

test('fastElementwise declines non-contiguous, broadcast and narrow inputs', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const be = gpuBackend()!;
  const x = mx.contiguous(mx.array(randValues(12, 5), mx.float32, C), G);
  const h = mx.contiguous(mx.array(randValues(12, 5), mx.float16, C), G);
  const base = await argOf(x, 0, [12]);
  const transposed: GpuArg = { ...base, shape: [3, 4], strides: [1, 3] };
  const rowBroadcast: GpuArg = { ...base, shape: [1, 4], strides: [4, 1] };
  const half = await argOf(h, 0, [12]);
  assert.equal(fastElementwise(be, [transposed], mx.float32, [3, 4], ([v]) => v!), null);
  assert.equal(fastElementwise(be, [rowBroadcast], mx.float32, [3, 4], ([v]) => v!), null);
  assert.equal(fastElementwise(be, [half], mx.float32, [12], ([v]) => v!), null);
  assert.equal(fastElementwise(be, [base], mx.float16, [12], ([v]) => v!), null);
});

test('mx.compile on the GPU: a dense float32 chain runs the vec4 kernel', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const chain = (x: A, y: A): A[] => {
    const u = mx.tanh(mx.add(mx.multiply(x, y), 0.5));
    return [mx.subtract(mx.exp(u), y), mx.maximum(u, x)];
  };
  const x = testArray([37, 41], mx.float32, 8), y = testArray([37, 41], mx.float32, 9);
  const want = chain(x, y);
  const prev = mx.defaultDevice();
  mx.setDefaultDevice(mx.gpu);
  try {
    const compiled = mx.compile(chain);
    const gx = mx.contiguous(x), gy = mx.contiguous(y);
    await mx.eval(gx, gy);
    // the first call runs the kernels (and records them); later calls replay the recorded launches without them
    const f0 = fallbacks(), s0 = fastElementwiseStats.launches, d0 = mx.deviceInfo(mx.gpu).stats!.dispatches as number;
    const first = compiled(gx, gy);
    await mx.eval(first);
    assert.equal(fallbacks(), f0);
    // every dispatch of the compiled call is the vec4 kernel (compile may cut the chain into more than one node)
    const launches = fastElementwiseStats.launches - s0;
    assert.ok(launches >= 1, 'the vec4 kernel did not run');
    const d1 = mx.deviceInfo(mx.gpu).stats!.dispatches as number;
    assert.equal(d1 - d0, launches);
    const got = compiled(gx, gy);
    await mx.eval(got);
    assert.equal((mx.deviceInfo(mx.gpu).stats!.dispatches as number) - d1, launches, 'a later call launches as much');
    for (let i = 0; i < 2; i++) {
      await same(first[i]!, want[i]!, `output ${i}`, 4);
      await same(got[i]!, want[i]!, `output ${i}, second call`, 4);
    }
  } finally {
    mx.setDefaultDevice(prev);
  }
});
