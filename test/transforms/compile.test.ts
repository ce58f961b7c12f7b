/**
 * @file mx.compile: compiled and uncompiled functions agree on real programs (the uncompiled ops are the oracle:
 * they are NumPy-checked in test/core), graph simplification is observable in the plan (CSE, constant folding,
 * fusion), signatures and recompilation, shapeless mode, disable/enable and the environment variable, and the
 * eval-while-tracing error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { compiledPlan } from '../../src/core/transforms/compile-plan.js';

type A = mx.MxArray;

function randn(shape: number[], seed: number, dtype = mx.float32): A {
  return mx.random.normal(shape, dtype, { key: mx.random.key(seed) });
}

async function values(a: A): Promise<number[]> {
  return Array.from(await a.astype(mx.float64).data<Float64Array>());
}

/** Elementwise |a - b| <= atol + rtol |b|, with matching shapes. */
async function assertClose(a: A, b: A, rtol = 1e-6, atol = 1e-6, what = ''): Promise<void> {
  assert.deepEqual(a.shape, b.shape, `${what} shape`);
  assert.equal(a.dtype, b.dtype, `${what} dtype`);
  const x = await values(a), y = await values(b);
  for (let i = 0; i < x.length; i++) {
    const ok = Math.abs(x[i]! - y[i]!) <= atol + rtol * Math.abs(y[i]!) || (Number.isNaN(x[i]) && Number.isNaN(y[i]));
    assert.ok(ok, `${what} element ${i}: compiled ${x[i]}, uncompiled ${y[i]}`);
  }
}

const gelu = (x: A): A => mx.multiply(mx.multiply(x, 0.5), mx.add(mx.erf(mx.divide(x, Math.SQRT2)), 1));
function layerNorm(x: A, w: A, b: A): A {
  const mu = mx.mean(x, -1, true);
  const xc = mx.subtract(x, mu);
  const v = mx.mean(mx.square(xc), -1, true);
  return mx.add(mx.multiply(mx.multiply(xc, mx.rsqrt(mx.add(v, 1e-5))), w), b);
}

test('GELU / softmax / layer-norm chain: compiled equals uncompiled, elementwise parts fused', async () => {
  const f = (x: A, w: A, b: A): A => mx.softmax(gelu(layerNorm(x, w, b)), -1);
  const x = randn([6, 16], 1), w = randn([16], 2), b = randn([16], 3);
  const cf = mx.compile(f);
  await assertClose(cf(x, w, b), f(x, w, b), 1e-6, 1e-7, 'chain');
  const plan = compiledPlan(cf, x, w, b);
  assert.ok(plan.steps.includes('fusedElementwise'), plan.steps.join(','));
  // everything between the layer-norm's last reduction and the softmax runs as one node: normalise, scale,
  // shift and GELU
  assert.ok(plan.fused.some((ops) => ops.includes('erf') && ops.length >= 8), JSON.stringify(plan.fused));
  assert.ok(plan.steps.length < 8, plan.steps.join(','));
});

test('a 10-op elementwise chain with broadcasting fuses into one node and matches exactly', async () => {
  const f = (x: A, r: A, c: A): A => {
    let y = mx.multiply(x, r);           // [4,5] * [5]
    y = mx.add(y, c);                    // + [4,1]
    y = mx.tanh(y);
    y = mx.subtract(1, mx.square(y));
    y = mx.exp(y);
    y = mx.maximum(y, 1.25);
    y = mx.log(y);
    y = mx.sqrt(y);
    y = mx.divide(y, r);
    return mx.negative(y);
  };
  const x = randn([4, 5], 4), r = mx.add(mx.abs(randn([5], 5)), 0.5), c = randn([4, 1], 6);
  const cf = mx.compile(f);
  const plan = compiledPlan(cf, x, r, c);
  assert.deepEqual(plan.steps, ['fusedElementwise']);
  assert.equal(plan.fused[0]!.length, 11); // square counted as its own op
  assert.deepEqual(await cf(x, r, c).tolist(), await f(x, r, c).tolist()); // bit-identical float32
  // float64, a transposed (strided) input and a broadcast scalar array
  const x64 = randn([5, 4], 7, mx.float64).T, r64 = r.astype(mx.float64), c64 = mx.array(0.3, mx.float64);
  assert.deepEqual(await cf(x64, r64, c64).tolist(), await f(x64, r64, c64).tolist());
});

test('fusion: predicates, where, casts, escaping intermediates, non-fusable consumers', async () => {
  const f = (x: A, y: A): A[] => {
    const a = mx.multiply(x, y);
    const m = mx.greater(a, 0.1);
    const z = mx.where(m, mx.exp(a), mx.multiply(a, -2));
    const s = mx.sum(a, -1);                    // a escapes to a reduction
    const i = mx.astype(mx.logicalNot(m), mx.float32);
    return [mx.add(z, i), a, mx.astype(m, mx.int32), s];
  };
  const x = randn([3, 8], 8), y = randn([8], 9);
  const cf = mx.compile(f);
  const got = cf(x, y) as A[], want = f(x, y);
  for (let k = 0; k < 4; k++) assert.deepEqual(await got[k]!.tolist(), await want[k]!.tolist(), `output ${k}`);
  const plan = compiledPlan(cf, x, y);
  assert.equal(plan.steps.filter((s) => s === 'fusedElementwise').length, 1, plan.steps.join(','));
  assert.ok(plan.steps.includes('reduce'));
  // an int cast is not fused (integer semantics stay with its own kernel), the rest is
  assert.ok(plan.steps.includes('astype'));
});

test('CSE and constant folding are visible in the plan', async () => {
  const w = mx.array([1, 2, 3], mx.float32);
  const f = (x: A): A => {
    const k = mx.exp(mx.multiply(w, 2));              // depends on no input: evaluated once at compile time
    const a = mx.sum(mx.multiply(x, k));
    const b = mx.sum(mx.multiply(x, k));              // same as a
    return mx.add(mx.matmul(x, x), mx.add(a, b));
  };
  const cf = mx.compile(f);
  const x = randn([3], 10);
  await assertClose(cf(x), f(x), 1e-6, 1e-6, 'cse');
  const plan = compiledPlan(cf, x);
  assert.equal(plan.merged, 2); // the second multiply and sum
  assert.equal(plan.constants, 1); // k (its exp and multiply nodes are gone)
  assert.ok(!plan.steps.includes('exp'), plan.steps.join(','));
  assert.equal(plan.steps.filter((s) => s === 'reduce').length, 1, plan.steps.join(','));
  // equal JS scalars become one constant: 2 appears twice
  const g = mx.compile((x: A) => mx.matmul(mx.multiply(x, 2), mx.multiply(x, 2)));
  const gp = compiledPlan(g, x);
  assert.equal(gp.merged, 1);
  assert.deepEqual(await g(x).tolist(), await mx.matmul(mx.multiply(x, 2), mx.multiply(x, 2)).tolist());
});

test('signatures: retrace on new shapes or dtypes, reuse otherwise; shapeless mode', async () => {
  let traces = 0;
  const f = (x: A, y: A): A => { traces++; return mx.add(mx.exp(x), y); };
  const cf = mx.compile(f);
  const x = randn([2, 3], 11), y = randn([3], 12);
  await assertClose(cf(x, y), f(x, y));
  traces = 0;
  cf(randn([2, 3], 13), randn([3], 14));
  assert.equal(traces, 0);
  const x2 = randn([4, 3], 15);
  await assertClose(cf(x2, y), f(x2, y));
  assert.equal(traces, 2); // one trace, one uncompiled reference call
  traces = 0;
  cf(x.astype(mx.float64), y.astype(mx.float64));
  assert.equal(traces, 1);
  // non-array arguments are part of the signature
  const g = mx.compile((x: A, k: number) => mx.multiply(x, k));
  assert.deepEqual(await g(mx.array([1, 2]), 3).tolist(), [3, 6]);
  assert.deepEqual(await g(mx.array([1, 2]), 5).tolist(), [5, 10]);

  let st = 0;
  const h = (x: A, y: A): A => { st++; return mx.multiply(mx.sin(x), y); };
  const ch = mx.compile(h, { shapeless: true });
  await assertClose(ch(x, y), h(x, y));
  st = 0;
  const x3 = randn([5, 7], 16), y3 = randn([7], 17);
  await assertClose(ch(x3, y3), mx.multiply(mx.sin(x3), y3));
  const y4 = randn([1], 18); // broadcasting differently than at the trace
  await assertClose(ch(x3, y4), mx.multiply(mx.sin(x3), y4));
  assert.equal(st, 0);
  ch(randn([5], 19), randn([5], 20)); // a new rank retraces
  assert.equal(st, 1);
});

test('pytree arguments and outputs, non-array outputs, identity and constant outputs', async () => {
  const c = mx.array([7], mx.float32);
  const f = (p: { a: A; b: [A, A] }, s: string): unknown => ({ sum: mx.add(p.a, p.b[0]), same: p.b[1], c, tag: s });
  const cf = mx.compile(f);
  const p = { a: mx.array([1, 2]), b: [mx.array([3, 4]), mx.array([5])] as [A, A] };
  const r = cf(p, 'hi') as { sum: A; same: A; c: A; tag: string };
  assert.deepEqual(await r.sum.tolist(), [4, 6]);
  assert.equal(r.same, p.b[1]);
  assert.deepEqual(await r.c.tolist(), [7]);
  assert.equal(r.tag, 'hi');
});

test('inputs/outputs capture implicit state and write it back', async () => {
  const state = { count: mx.array(0, mx.float32), w: mx.array([1, 2, 3], mx.float32) };
  let traces = 0;
  const step = mx.compile((x: A): A => {
    traces++;
    const y = mx.sum(mx.multiply(x, state.w));
    state.count = mx.add(state.count, 1);
    state.w = mx.multiply(state.w, 0.5);
    return y;
  }, { inputs: state, outputs: state });
  const x = mx.array([1, 1, 1], mx.float32);
  const ys: number[] = [];
  for (let i = 0; i < 3; i++) ys.push(await step(x).item<number>());
  assert.deepEqual(ys, [6, 3, 1.5]);
  assert.equal(await state.count.item(), 3);
  assert.deepEqual(await state.w.tolist(), [0.125, 0.25, 0.375]);
  assert.equal(traces, 1);
  // replacing a state array from outside is seen by the next call (it is an input, not a constant)
  state.w = mx.array([10, 0, 0], mx.float32);
  assert.equal(await step(x).item(), 10);
  assert.equal(traces, 1);
});

test('an MLP training step with manual SGD: compiled equals uncompiled over several steps', async () => {
  const init = () => ({
    w1: mx.multiply(randn([4, 8], 20), 0.5), b1: mx.zeros([8]),
    w2: mx.multiply(randn([8, 3], 21), 0.5), b2: mx.zeros([3]),
  });
  type P = ReturnType<typeof init>;
  const loss = (p: P, x: A, y: A): A => {
    const h = mx.maximum(mx.add(mx.matmul(x, p.w1), p.b1), 0);
    const logits = mx.add(mx.matmul(h, p.w2), p.b2);
    const lse = mx.logsumexp(logits, -1, true);
    return mx.negative(mx.mean(mx.sum(mx.multiply(mx.subtract(logits, lse), y), -1)));
  };
  const lossAndGrad = mx.valueAndGrad(loss);
  const sgd = (p: P, x: A, y: A): [A, P] => {
    const [l, g] = lossAndGrad(p, x, y) as [A, P];
    const q = Object.fromEntries(Object.entries(p).map(([k, v]) => [k, mx.subtract(v, mx.multiply(g[k as keyof P], 0.1))])) as P;
    return [l, q];
  };
  const csgd = mx.compile(sgd);
  const x = randn([16, 4], 22);
  const y = mx.astype(mx.equal(mx.expandDims(mx.arange(3), 0), mx.expandDims(mx.remainder(mx.arange(16), 3), 1)), mx.float32);
  let p = init(), q = p;
  await mx.eval(p);
  const losses: number[] = [];
  for (let i = 0; i < 5; i++) {
    const [l1, p1] = sgd(p, x, y);
    const [l2, q1] = csgd(q, x, y);
    await assertClose(l2, l1, 1e-5, 1e-6, `loss ${i}`);
    for (const k of Object.keys(p1) as (keyof P)[]) await assertClose(q1[k], p1[k], 1e-5, 1e-6, `${k} after step ${i}`);
    losses.push(await l1.item<number>());
    p = p1; q = q1;
  }
  assert.ok(losses[4]! < losses[0]!, `loss goes down: ${losses}`);
  assert.ok(compiledPlan(csgd, q, x, y).steps.includes('fusedElementwise'));
});

test('an attention block (matmul + softmax) compiles to the same result', async () => {
  const attn = (x: A, wq: A, wk: A, wv: A, mask: A): A => {
    const q = mx.matmul(x, wq), k = mx.matmul(x, wk), v = mx.matmul(x, wv);
    const s = mx.add(mx.multiply(mx.matmul(q, mx.swapaxes(k, -1, -2)), 1 / Math.sqrt(8)), mask);
    return mx.add(x, mx.matmul(mx.softmax(s, -1), v));
  };
  const x = randn([2, 5, 8], 30), wq = randn([8, 8], 31), wk = randn([8, 8], 32), wv = randn([8, 8], 33);
  const mask = mx.where(mx.less(mx.expandDims(mx.arange(5), 1), mx.expandDims(mx.arange(5), 0)), -1e9, 0).astype(mx.float32);
  const c = mx.compile(attn);
  await assertClose(c(x, wq, wk, wv, mask), attn(x, wq, wk, wv, mask), 1e-5, 1e-6, 'attention');
});

test('compiled functions compose with grad, vjp, jvp and vmap', async () => {
  const f = (x: A, y: A): A => mx.sum(mx.multiply(mx.tanh(mx.multiply(x, y)), mx.exp(mx.negative(x))));
  const cf = mx.compile(f);
  const x = randn([3, 4], 40, mx.float64), y = randn([4], 41, mx.float64);
  // grad(compile(f)): the fused node's vjp
  const [g1, g2] = mx.grad(cf, [0, 1])(x, y) as A[];
  const [u1, u2] = mx.grad(f, [0, 1])(x, y) as A[];
  await assertClose(g1!, u1!, 1e-12, 1e-12, 'grad x');
  await assertClose(g2!, u2!, 1e-12, 1e-12, 'grad y');
  // compile(grad(f))
  const cg = mx.compile(mx.grad(f, [0, 1]));
  const [h1, h2] = cg(x, y) as A[];
  await assertClose(h1!, u1!, 1e-12, 1e-12, 'compiled grad x');
  await assertClose(h2!, u2!, 1e-12, 1e-12, 'compiled grad y');
  // grad of grad through a fused node
  const e = mx.compile((x: A) => mx.multiply(mx.sin(x), mx.exp(x)));
  const d2 = mx.grad((x: A) => mx.sum(mx.grad((z: A) => mx.sum(e(z)))(x)))(x);
  const d2u = mx.grad((x: A) => mx.sum(mx.grad((z: A) => mx.sum(mx.multiply(mx.sin(z), mx.exp(z))))(x)))(x);
  await assertClose(d2, d2u, 1e-12, 1e-12, 'grad of grad');
  // jvp
  const t = randn([3, 4], 42, mx.float64);
  const [, [jc]] = mx.jvp((a: A) => e(a), [x], [t]);
  const [, [ju]] = mx.jvp((a: A) => mx.multiply(mx.sin(a), mx.exp(a)), [x], [t]);
  await assertClose(jc!, ju!, 1e-12, 1e-12, 'jvp');
  // vmap(compile(f)) with an unmapped argument, and compile(vmap(f))
  const rowf = (r: A, s: A): A => mx.multiply(mx.cos(r), mx.add(s, 1));
  const s = randn([3], 43, mx.float64);
  const vm = mx.vmap(mx.compile(rowf), [1, null])(x, s);
  await assertClose(vm, mx.vmap(rowf, [1, null])(x, s), 1e-12, 1e-12, 'vmap(compile)');
  const cv = mx.compile(mx.vmap(rowf, [1, null]));
  await assertClose(cv(x, s), mx.vmap(rowf, [1, null])(x, s), 1e-12, 1e-12, 'compile(vmap)');
});

test('disableCompile / enableCompile and MLX_DISABLE_COMPILE', async () => {
  let traces = 0;
  const f = (x: A): A => { traces++; return mx.add(mx.exp(x), 1); };
  const cf = mx.compile(f);
  const x = mx.array([0, 1], mx.float32);
  cf(x); cf(x);
  assert.equal(traces, 1);
  mx.disableCompile();
  try {
    cf(x); cf(x);
    assert.equal(traces, 3); // runs the function each time
  } finally {
    mx.enableCompile();
  }
  cf(x);
  assert.equal(traces, 3);
  process.env.MLX_DISABLE_COMPILE = '1';
  try {
    assert.equal(mx.compile(f), f);
  } finally {
    delete process.env.MLX_DISABLE_COMPILE;
  }
  assert.notEqual(mx.compile(f), f);
});

test('reading array values while tracing is a clear error', async () => {
  const x = mx.array([1, 2], mx.float32);
  const bad = mx.compile(async (x: A) => { const v = await mx.sum(x).item<number>(); return mx.multiply(x, v); });
  assert.throws(() => bad(x), /\[compile\] Cannot evaluate an array while tracing/);
  const bad2 = mx.compile((x: A) => { void mx.eval(x).catch(() => undefined); return x; });
  assert.throws(() => bad2(x), /\[compile\] Cannot evaluate an array while tracing/);
  // arrays that do not depend on the inputs may be evaluated
  const c = mx.array([3], mx.float32);
  const ok = mx.compile((x: A) => { void mx.eval(c); return mx.add(x, c); });
  assert.deepEqual(await ok(x).tolist(), [4, 5]);
  assert.throws(() => mx.compile(async (x: A) => x)(x), /returned a Promise/);
});

test('nested compiles, tidy scopes and methods', async () => {
  const inner = mx.compile((x: A) => mx.multiply(mx.exp(x), mx.array(2, mx.float32)));
  const outer = mx.compile((x: A, y: A) => mx.add(inner(x), mx.sum(inner(y))));
  const x = mx.array([0, 1], mx.float32), y = mx.array([0.5], mx.float32);
  const want = mx.add(mx.multiply(mx.exp(x), 2), mx.sum(mx.multiply(mx.exp(y), 2)));
  await assertClose(outer(x, y), want, 1e-7, 0, 'nested');
  // constants captured by a trace survive the tidy scope that traced it
  for (let i = 0; i < 3; i++) {
    const r = mx.tidy(() => inner(x));
    assert.deepEqual(await r.tolist(), await mx.multiply(mx.exp(x), 2).tolist());
  }
  const obj = { k: 3, f: mx.compile(function (this: { k: number }, a: A) { return mx.multiply(a, this.k); }) };
  assert.deepEqual(await obj.f(x).tolist(), [0, 3]);
  // outputs must be arrays or trees of them
  class Box { constructor(readonly v: A) {} }
  assert.throws(() => mx.compile((a: A) => new Box(mx.exp(a)))(x), /must return arrays/);
});

test('fused chains on bool and integer-cast inputs, and float64 rounding of casts', async () => {
  const f = (m: A, i: A, v: A): A[] => {
    const b = mx.logicalAnd(m, mx.logicalNot(mx.equal(m, mx.array(false))));
    const w = mx.where(b, mx.astype(i, mx.float32), mx.negative(v));
    const c = mx.astype(mx.multiply(w, 1.1), mx.float64);
    return [mx.add(c, mx.astype(v, mx.float64)), mx.astype(mx.greaterEqual(w, 0), mx.float32)];
  };
  const m = mx.array([true, false, true, false]), i = mx.array([1, -2, 300000001, 4], mx.int32);
  const v = mx.array([0.1, 0.2, 0.3, 0.4], mx.float32);
  const cf = mx.compile(f);
  const got = cf(m, i, v) as A[], want = f(m, i, v);
  assert.deepEqual(await got[0]!.tolist(), await want[0]!.tolist());
  assert.deepEqual(await got[1]!.tolist(), await want[1]!.tolist());
  // two outputs: two fused chains (one per output root), nothing left unfused
  assert.deepEqual(compiledPlan(cf, m, i, v).steps, ['fusedElementwise', 'fusedElementwise']);
});
