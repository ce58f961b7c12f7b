// The GPU kernel of `fusedElementwise` (mx.compile's fused chains) on whatever adapter exists: the fused node that
// mx.compile builds for a chain, run on mx.gpu, gives the uncompiled chain's CPU values (whose ops are NumPy-checked
// in test/core) in one dispatch and without a CPU fallback. Skips cleanly without an adapter.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { bindMulti } from '../../src/core/array.js';
import { toStream } from '../../src/core/device.js';
import type { FusedParams } from '../../src/core/primitives/compiled.js';

type A = mx.MxArray;

let ok = false;
before(async () => { ok = await mx.initGpu({ allowSoftware: true, quiet: true }); });
after(() => mx.shutdown());

const cpu = { stream: mx.cpu };
const stats = (): { fallbacks: number; dispatches: number } => {
  const s = mx.deviceInfo(mx.gpu).stats as { fallbacks: number; dispatches: number } | undefined;
  return { fallbacks: s?.fallbacks ?? 0, dispatches: s?.dispatches ?? 0 };
};
const randn = (shape: number[], seed: number): A => mx.random.normal(shape, mx.float32, { key: mx.random.key(seed), ...cpu });

async function close(g: A, c: A, rtol: number, atol: number, msg: string): Promise<void> {
  assert.deepEqual([...g.shape], [...c.shape], `${msg}: shape`);
  assert.equal(g.dtype, c.dtype, `${msg}: dtype`);
  const gv = (await g.data()) as ArrayLike<number>, cv = (await c.data()) as ArrayLike<number>;
  for (let i = 0; i < cv.length; i++) {
    const a = Number(gv[i]), b = Number(cv[i]);
    if (Number.isNaN(b)) { assert.ok(Number.isNaN(a), `${msg}[${i}]: expected NaN, got ${a}`); continue; }
    assert.ok(Math.abs(a - b) <= atol + rtol * Math.abs(b), `${msg}[${i}]: gpu ${a}, cpu ${b}`);
  }
}

/** The 10-op broadcasting chain of test/transforms/compile.test.ts. */
const chain = (x: A, r: A, c: A): A => {
  let y = mx.multiply(x, r);
  y = mx.add(y, c);
  y = mx.tanh(y);
  y = mx.subtract(1, mx.square(y));
  y = mx.exp(y);
  y = mx.maximum(y, 1.25);
  y = mx.log(y);
  y = mx.sqrt(y);
  y = mx.divide(y, r);
  return mx.negative(y);
};

/** Several outputs of different widths (float32 and bool), a where and a cast in one chain. */
const multi = (x: A, y: A): A[] => {
  const a = mx.multiply(x, y);
  const m = mx.greater(a, 0);
  const w = mx.where(m, a, mx.multiply(a, -2));
  return [mx.exp(w), m, mx.astype(mx.add(w, 1), mx.float32)];
};

/** The fused node mx.compile builds for `f` (traced on the CPU, where chains fuse). */
function fusedParams(f: (...xs: A[]) => A | A[], xs: A[]): FusedParams {
  const out = mx.compile(f)(...xs);
  // the largest fused node the compiled graph ends in (a chain's tail may be a separate node)
  let best: FusedParams | null = null;
  const seen = new Set<unknown>();
  const walk = (a: A): void => {
    const n = a._node;
    if (!n || seen.has(n)) return;
    seen.add(n);
    if (n.prim === 'fusedElementwise' && (!best || (n.params as FusedParams).ops.length > best.ops.length)) best = n.params as FusedParams;
    n.inputs.forEach(walk);
  };
  (Array.isArray(out) ? out : [out]).forEach(walk);
  assert.ok(best, 'a fused node');
  return best;
}

/** The same chain with every float32 replaced by `d`. */
function retype(p: FusedParams, d: mx.Dtype): FusedParams {
  const t = (x: mx.Dtype): mx.Dtype => (x === mx.float32 ? d : x);
  return { ...p, inDtypes: p.inDtypes.map(t), ops: p.ops.map((o) => ({ ...o, dtype: t(o.dtype) })),
    lits: p.lits.map((l) => ({ ...l, dtype: t(l.dtype) })), key: `${p.key}|${d.name}` };
}

/** Runs the fused node on the GPU; returns its outputs and the fallbacks and dispatches it took. */
async function onGpu(p: FusedParams, xs: A[]): Promise<[A[], number, number]> {
  const gpu = toStream(mx.gpu, 'test');
  const ins = xs.map((x) => mx.add(x, mx.zerosLike(x, cpu), { stream: mx.gpu }));
  await mx.eval(...ins);
  const before = stats();
  const outs = bindMulti('fusedElementwise', ins, p, gpu);
  await mx.eval(...outs);
  const now = stats();
  return [outs, now.fallbacks - before.fallbacks, now.dispatches - before.dispatches];
}

test('10-op broadcasting chain from mx.compile: one GPU dispatch, no fallback, CPU values', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const x = randn([4, 5], 4), r = mx.add(mx.abs(randn([5], 5), cpu), 0.5, cpu), c = randn([4, 1], 6);
  const p = fusedParams(chain, [x, r, c]);
  assert.equal(p.ops.length, 11);
  const [[y], fb, disp] = await onGpu(p, [x, r, c]);
  assert.equal(fb, 0, 'no CPU fallback');
  assert.equal(disp, 1, 'one dispatch for the fused node');
  await close(y!, chain(x, r, c), 1e-6, 1e-7, 'float32');
});

test('float16 chain (steps rounded as stored) and a transposed input', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const h = (a: A): A => mx.astype(a, mx.float16, cpu);
  const x = randn([5, 4], 7), r = mx.add(mx.abs(randn([5], 8), cpu), 0.5, cpu), c = randn([4, 1], 9);
  const p = retype(fusedParams(chain, [mx.transpose(x, cpu), r, c]), mx.float16);
  const xs = [mx.transpose(h(x), cpu), h(r), h(c)];
  const [[y], fb, disp] = await onGpu(p, xs);
  assert.deepEqual([fb, disp], [0, 1]);
  await close(y!, chain(xs[0]!, xs[1]!, xs[2]!), 2e-2, 2e-3, 'float16');
});

test('several outputs of different widths (float32 and bool), where and a cast', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const x = randn([3, 7], 10), y = randn([7], 11);
  const p = fusedParams(multi, [x, y]);
  assert.ok(p.outs.length >= 2 && p.outs.some((o) => p.ops[o]!.dtype === mx.bool), JSON.stringify(p.outs));
  const [outs, fb, disp] = await onGpu(p, [x, y]);
  assert.deepEqual([fb, disp], [0, 1]);
  // the CPU's fused kernel (itself checked against the unfused chain in test/transforms) is the oracle
  const want = bindMulti('fusedElementwise', [x, y], p, toStream(mx.cpu, 'test'));
  assert.equal(outs.length, want.length);
  for (let i = 0; i < outs.length; i++) await close(outs[i]!, want[i]!, 1e-6, 1e-7, `output ${i}`);
});

test('mx.compile with the GPU as default device matches the CPU without falling back', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const x = randn([4, 5], 12), r = mx.add(mx.abs(randn([5], 13), cpu), 0.5, cpu), c = randn([4, 1], 14);
  const prev = mx.defaultDevice();
  mx.setDefaultDevice(mx.gpu);
  try {
    const compiled = mx.compile(chain);
    await mx.eval(compiled(x, r, c)); // trace and warm up
    const before = stats().fallbacks, d0 = stats().dispatches;
    const y = compiled(x, r, c);
    await mx.eval(y);
    assert.equal(stats().fallbacks, before);
    // the whole chain is one fused WGSL dispatch (uploads are writeBuffer, not dispatches)
    assert.equal(stats().dispatches - d0, 1);
    await close(y, chain(x, r, c), 1e-6, 1e-7, 'compiled on gpu');
  } finally {
    mx.setDefaultDevice(prev);
  }
});

test('a float64 chain declines: it falls back visibly to the CPU kernel', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const d = (a: A): A => mx.astype(a, mx.float64, cpu);
  const x = randn([4, 5], 15), r = mx.add(mx.abs(randn([5], 16), cpu), 0.5, cpu), c = randn([4, 1], 17);
  const p = retype(fusedParams(chain, [x, r, c]), mx.float64);
  const xs = [d(x), d(r), d(c)];
  const [[y], fb] = await onGpu(p, xs);
  assert.equal(fb, 1);
  await close(y!, chain(xs[0]!, xs[1]!, xs[2]!), 1e-12, 1e-14, 'float64 fallback');
});
