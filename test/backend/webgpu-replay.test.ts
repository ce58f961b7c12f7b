// mx.compile on the GPU replays a recording of its plan's launches (backend/webgpu/replay.ts). Each compiled
// function is called several times with different values of the same shapes; the oracle is the uncompiled
// function on the CPU. Replays must be counted, no step may fall back, and results must use each call's own
// buffers (calls evaluated out of order, transposed and sliced inputs, state written back between calls).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';

let ok = false;
let prevDefault: mx.Device;
before(async () => {
  ok = await mx.initGpu({ allowSoftware: true, quiet: true });
  prevDefault = mx.defaultDevice();
  if (ok) mx.setDefaultDevice(mx.gpu);
});
after(() => { mx.setDefaultDevice(prevDefault); mx.shutdown(); });

const stats = (): Record<string, number> => mx.deviceInfo(mx.gpu).stats ?? {};

let seed = 1;
/** Deterministic values in [-1, 1) (a JS generator, independent of the code under test). */
function values(n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    out.push(seed / 1073741824 - 1);
  }
  return out;
}

/** A [shape] float32 array of fresh values on `device`, and its twin on the CPU. */
function pair(shape: number[], device: mx.Device = mx.gpu): [mx.MxArray, mx.MxArray] {
  const v = values(shape.reduce((a, b) => a * b, 1));
  return [mx.reshape(mx.array(v, mx.float32, { stream: device }), shape, { stream: device }),
    mx.reshape(mx.array(v, mx.float32, { stream: mx.cpu }), shape, { stream: mx.cpu })];
}

/** Runs `fn` with the CPU as default device (the oracle). */
function onCpu<T>(fn: () => T): T {
  const d = mx.defaultDevice();
  mx.setDefaultDevice(mx.cpu);
  try { return fn(); } finally { mx.setDefaultDevice(d); }
}

async function close(g: mx.MxArray, c: mx.MxArray, msg: string, tol = 2e-4): Promise<void> {
  assert.deepEqual([...g.shape], [...c.shape], `${msg}: shape`);
  const gv = Array.from((await g.astype(mx.float32).data()) as Float32Array);
  const cv = Array.from((await c.astype(mx.float32, { stream: mx.cpu }).data()) as Float32Array);
  for (let i = 0; i < cv.length; i++) {
    assert.ok(Math.abs(gv[i]! - cv[i]!) <= tol * (1 + Math.abs(cv[i]!)), `${msg}[${i}]: gpu ${gv[i]}, cpu ${cv[i]}`);
  }
}

const gelu = (x: mx.MxArray): mx.MxArray => x.multiply(0.5).multiply(mx.erf(x.divide(Math.SQRT2)).add(1));

/** [name, input shapes, function]: each returns a list of arrays. */
const CASES: [string, number[][], (...xs: mx.MxArray[]) => mx.MxArray[]][] = [
  ['fused elementwise chain', [[4, 8], [8]], (x, b) => [gelu(x.add(b)).multiply(x).subtract(mx.tanh(b))]],
  ['matmul, softmax, reductions', [[4, 8], [8, 6]], (x, w) => {
    const h = mx.matmul(x, w);
    return [mx.softmax(h, -1), mx.max(h, 1), mx.logsumexp(h, 0), mx.sum(mx.exp(h).multiply(h))];
  }],
  ['several outputs incl. intermediates and an input', [[3, 5], [5, 5]], (x, w) => {
    const h = mx.matmul(x, w).add(1);
    const r = mx.maximum(h, 0);
    return [r, h, mx.mean(mx.square(r), -1, true), x, r.transpose()];
  }],
];

for (const [name, shapes, fn] of CASES) {
  test(`replay: ${name} matches the CPU on new values each call`, async (t) => {
    if (!ok) { t.skip('no WebGPU adapter'); return; }
    const f = mx.compile(fn);
    const fb = stats().fallbacks!, r0 = stats().replays!;
    for (let call = 0; call < 4; call++) {
      const ps = shapes.map((s) => pair(s));
      const outs = f(...ps.map((p) => p[0]));
      const want = onCpu(() => fn(...ps.map((p) => p[1])));
      for (let i = 0; i < want.length; i++) await close(outs[i]!, want[i]!, `${name} call ${call} out ${i}`);
    }
    assert.equal(stats().fallbacks, fb, 'no fallback');
    assert.ok(stats().replays! - r0 >= 3, `replayed ${stats().replays! - r0} of 4 calls`);
  });
}

test('replay uses each call\'s buffers: calls evaluated after later calls, dispatch count as step by step', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const fn = (x: mx.MxArray, w: mx.MxArray): mx.MxArray[] => [mx.softmax(mx.matmul(x, w).multiply(2), -1), mx.sum(x, 0)];
  const f = mx.compile(fn);
  const [x0, c0] = pair([5, 6]), [w0, v0] = pair([6, 7]);
  await mx.eval(f(x0, w0)); // records
  const ins = [0, 1, 2].map(() => ({ x: pair([5, 6]), w: pair([6, 7]) }));
  await mx.eval(ins.map((c) => [c.x[0], c.w[0]]));
  const r0 = stats().replays!, d0 = stats().dispatches!;
  const calls = ins.map(({ x, w }) => ({ x, w, out: f(x[0], w[0]) }));
  // evaluated newest first, after every call was made
  for (const c of [...calls].reverse()) await mx.eval(c.out);
  const perReplay = (stats().dispatches! - d0) / 3;
  for (const c of calls) {
    const want = onCpu(() => fn(c.x[1], c.w[1]));
    await close(c.out[0]!, want[0]!, 'softmax');
    await close(c.out[1]!, want[1]!, 'sum');
  }
  assert.equal(stats().replays! - r0, 3);
  // the same function, one node per step (the switch is read when a signature is traced)
  process.env.MLX_TS_GPU_REPLAY = '0';
  const g = mx.compile(fn);
  try { await mx.eval(g(x0, w0)); } finally { delete process.env.MLX_TS_GPU_REPLAY; }
  const d1 = stats().dispatches!, r1 = stats().replays!;
  const out = g(x0, w0);
  await mx.eval(out);
  assert.equal(stats().replays, r1, 'MLX_TS_GPU_REPLAY=0: no replay');
  assert.equal(stats().dispatches! - d1, perReplay, 'a replay launches what the steps launch');
  const want = onCpu(() => fn(c0, v0));
  await close(out[0]!, want[0]!, 'replay off');
});

test('captured constants (a GPU matrix, a host scalar, a broadcast view) and a transposed or sliced input', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const [wg, wc] = pair([6, 6]);
  const sg = mx.array(0.25, mx.float32, { stream: mx.gpu }), sc = mx.array(0.25, mx.float32, { stream: mx.cpu });
  const col = (d: mx.Device): mx.MxArray => mx.broadcastTo(mx.reshape(mx.arange(6, mx.float32, { stream: d }), [6, 1], { stream: d }), [6, 6], { stream: d });
  const bg = col(mx.gpu), bc = col(mx.cpu);
  await mx.eval(bg);
  const body = (w: mx.MxArray, s: mx.MxArray, b: mx.MxArray) => (x: mx.MxArray, y: mx.MxArray): mx.MxArray[] =>
    [mx.matmul(x, w).multiply(s).add(y), mx.sum(mx.matmul(x, w), -1), mx.matmul(b, x)];
  const f = mx.compile(body(wg, sg, bg));
  const fb = stats().fallbacks!, r0 = stats().replays!;
  const work: number[] = [];
  for (let call = 0; call < 6; call++) {
    const [xg, xc] = pair([6, 6]), [yg, yc] = pair([6, 6]);
    // calls 2-3 pass a transposed view, 4-5 a slice at an offset
    const view = (a: mx.MxArray, s: mx.Device): mx.MxArray => call >= 4 ? mx.split(mx.concatenate([a, a], 0, { stream: s }), 2, 0, { stream: s })[1]!
      : call >= 2 ? mx.transpose(a, { stream: s }) : a;
    const x = view(xg, mx.gpu);
    await mx.eval(x, yg);
    const u0 = stats().uploads!, d0 = stats().dispatches!;
    const outs = f(x, yg);
    await mx.eval(outs);
    work.push((stats().uploads! - u0) * 1000 + stats().dispatches! - d0);
    const want = onCpu(() => body(wc, sc, bc)(view(xc, mx.cpu), yc));
    for (let i = 0; i < 3; i++) await close(outs[i]!, want[i]!, `call ${call} out ${i}`);
  }
  assert.equal(stats().fallbacks, fb);
  assert.ok(stats().replays! - r0 >= 4);
  // the host scalar and the broadcast view are copied to the GPU once, not at every call
  assert.ok(work[1]! < work[0]! && work[1]! < 1000, `uploads * 1000 + dispatches per call: ${work}`);
  assert.equal(work[3], work[1]! + 1, 'a transposed input costs one copy launch');
});

test('a host-resident scalar input (its value changes every call) reaches the replayed kernels', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const fn = (x: mx.MxArray, s: mx.MxArray): mx.MxArray => mx.matmul(x.multiply(s), x.transpose()).add(s);
  const f = mx.compile(fn);
  const r0 = stats().replays!;
  for (let call = 0; call < 4; call++) {
    const [xg, xc] = pair([3, 3]);
    const v = 0.5 + call;
    await close(f(xg, mx.array(v, mx.float32, { stream: mx.gpu })), onCpu(() => fn(xc, mx.array(v, mx.float32))), `call ${call}`);
  }
  assert.ok(stats().replays! - r0 >= 3);
});

test('training-like state: compile(step, {inputs: state, outputs: state}) over several steps', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const make = (d: mx.Device, w: mx.MxArray, b: mx.MxArray) => {
    const state = { w, b, n: mx.array(0, mx.float32, { stream: d }) };
    const step = (x: mx.MxArray, y: mx.MxArray): mx.MxArray => {
      const loss = (w2: mx.MxArray, b2: mx.MxArray): mx.MxArray => mx.mean(mx.square(mx.matmul(x, w2).add(b2).subtract(y)));
      const [l, [gw, gb]] = mx.valueAndGrad(loss, [0, 1])(state.w, state.b) as [mx.MxArray, mx.MxArray[]];
      state.w = state.w.subtract(gw!.multiply(0.1));
      state.b = state.b.subtract(gb!.multiply(0.1));
      state.n = state.n.add(1);
      return l;
    };
    return { state, step };
  };
  const [wg, wc] = pair([4, 3]), [bg, bc] = pair([3]);
  const G = make(mx.gpu, wg, bg);
  const C = onCpu(() => make(mx.cpu, wc, bc));
  const f = mx.compile(G.step, { inputs: G.state, outputs: G.state });
  const fb = stats().fallbacks!, r0 = stats().replays!;
  for (let i = 0; i < 5; i++) {
    const [xg, xc] = pair([8, 4]), [yg, yc] = pair([8, 3]);
    const lg = f(xg, yg);
    const lc = onCpu(() => C.step(xc, yc));
    await close(lg, lc, `loss ${i}`);
  }
  await close(G.state.w, C.state.w, 'w');
  await close(G.state.b, C.state.b, 'b');
  assert.equal(await G.state.n.item(), 5);
  assert.equal(stats().fallbacks, fb);
  assert.ok(stats().replays! - r0 >= 4);
});

test('grad, vmap and compile through a compiled function see its steps', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const fn = (x: mx.MxArray): mx.MxArray => mx.sum(mx.tanh(x).multiply(x));
  const f = mx.compile(fn);
  const [xg, xc] = pair([3, 4]);
  await mx.eval(f(xg)); await mx.eval(f(xg)); // recorded and replayed
  await close(mx.grad(f)(xg), onCpu(() => mx.grad(fn)(xc)), 'grad');
  await close(mx.vmap(f)(xg), onCpu(() => mx.vmap(fn)(xc)), 'vmap');
  await close(mx.compile((x: mx.MxArray) => f(x).multiply(3))(xg), onCpu(() => fn(xc).multiply(3)), 'compile of compiled');
});

test('a step that declines the GPU (float64) runs correctly, then the plan goes step by step', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const fn = (x: mx.MxArray): mx.MxArray => mx.sum(x.astype(mx.float64).multiply(2)).astype(mx.float32).add(mx.sum(x));
  const f = mx.compile(fn);
  for (let i = 0; i < 3; i++) {
    const [xg, xc] = pair([5]);
    await close(f(xg), onCpu(() => fn(xc)), `call ${i}`);
  }
});

test('disposal: inputs disposed after the call, outputs never evaluated, memory flat over 200 calls', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const fn = (x: mx.MxArray, w: mx.MxArray): mx.MxArray[] => { const h = mx.matmul(x, w); return [mx.softmax(h, -1), h.sum()]; };
  const f = mx.compile(fn);
  const [wg, wc] = pair([8, 8]);
  // inputs disposed right after the call: the pending call keeps their data
  for (let i = 0; i < 3; i++) {
    const [xg, xc] = pair([2, 8]);
    const [a, s] = f(xg, wg);
    xg.dispose();
    const want = onCpu(() => fn(xc, wc));
    await close(a!, want[0]!, `disposed input ${i}`);
    await close(s!, want[1]!, `disposed input ${i} sum`);
  }
  const [x] = pair([2, 8]);
  const round = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) {
      const outs = f(x, wg);
      if (i % 3 === 0) { outs.forEach((o) => o.dispose()); continue; } // never evaluated
      await mx.eval(outs);
      outs.forEach((o) => o.dispose());
    }
    await mx.synchronize();
  };
  await round(20);
  const m0 = mx.getActiveMemory();
  await round(200);
  // no growth; it may shrink: the garbage collector can free memory plans of earlier tests' compiled functions
  assert.ok(mx.getActiveMemory() <= m0, `active memory after 200 more calls: ${mx.getActiveMemory()} > ${m0}`);
});

test('a launch binding one buffer twice (x @ x.T, x * x unfused) replays the copy of its second binding', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const fn = (x: mx.MxArray, y: mx.MxArray): mx.MxArray[] => [mx.softmax(mx.matmul(x, x.transpose()), -1), mx.matmul(y, y)];
  const f = mx.compile(fn);
  const r0 = stats().replays!, fb = stats().fallbacks!;
  const calls = [0, 1, 2, 3].map(() => { const x = pair([3, 4]), y = pair([4, 4]); return { x, y, out: f(x[0], y[0]) }; });
  for (const c of calls.reverse()) {
    const want = onCpu(() => fn(c.x[1], c.y[1]));
    await close(c.out[0]!, want[0]!, 'x @ x.T');
    await close(c.out[1]!, want[1]!, 'y @ y');
  }
  assert.equal(stats().replays! - r0, 3);
  assert.equal(stats().fallbacks, fb);
});

test('fft: short twiddle tables (parameter words) replay; long ones (an upload of their own) keep the plan step by step', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const fn = (x: mx.MxArray): mx.MxArray => mx.abs(mx.fft.fft(x.multiply(2))).add(1);
  for (const [n, replays] of [[12, 2], [3000, 0]] as const) {
    const f = mx.compile(fn);
    const r0 = stats().replays!;
    for (let call = 0; call < 3; call++) {
      const [xg, xc] = pair([2, n]);
      await close(f(xg), onCpu(() => fn(xc)), `n=${n} call ${call}`, 2e-3);
    }
    assert.equal(stats().replays! - r0, replays, `n=${n}`);
  }
});

test('recordings survive a new device (mx.shutdown, then initGpu): pipelines are made again', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const fn = (x: mx.MxArray): mx.MxArray => mx.softmax(mx.matmul(x, x.transpose().multiply(1.5)).multiply(2), -1);
  const f = mx.compile(fn);
  const check = async (what: string): Promise<void> => {
    const [xg, xc] = pair([3, 4]);
    await close(f(xg), onCpu(() => fn(xc)), what);
  };
  await check('recorded');
  await check('replayed');
  mx.shutdown();
  assert.ok(await mx.initGpu({ allowSoftware: true, quiet: true }));
  mx.setDefaultDevice(mx.gpu);
  await check('new device, first call');
  await check('new device, second call');
  assert.equal(stats().replays, 2);
});

test('one array passed for two inputs gets its own recording (2 and 18 inputs)', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  for (const n of [2, 18]) {
    const fn = (...xs: mx.MxArray[]): mx.MxArray => xs.reduce((acc, x) => mx.tanh(mx.matmul(acc, x)).add(x));
    const f = mx.compile(fn);
    const r0 = stats().replays!;
    for (let call = 0; call < 4; call++) {
      const ps = Array.from({ length: n }, () => pair([3, 3]));
      if (call % 2) ps[n - 1] = ps[0]!; // the same array twice
      await close(f(...ps.map((p) => p[0])), onCpu(() => fn(...ps.map((p) => p[1]))), `n=${n} call ${call}`);
    }
    assert.equal(stats().replays! - r0, 2, `n=${n}: calls 2 and 3 replay the recordings of calls 0 and 1`);
  }
});

test('memory plan: intermediates share buffers by lifetime, stay with the plan, and later calls create no bind groups', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  // a chain of 9 matmuls: 8 intermediates of 2 MiB, of which only two are ever live at once
  const [x] = pair([512, 1024]);
  const ws = Array.from({ length: 9 }, () => pair([1024, 1024]));
  const f = (a: mx.MxArray, ...w: mx.MxArray[]): mx.MxArray => w.reduce((y, m) => mx.multiply(mx.matmul(y, m), 0.03), a);
  const c = mx.compile(f);
  const gw = ws.map((p) => p[0]);
  await mx.eval(x, ...gw);
  for (let i = 0; i < 2; i++) { const y = c(x, ...gw); await mx.eval(y); y.dispose(); } // record, then a first replay
  // a round like the measured one first: its batches make the parameter arenas the measured round reuses
  const warm = [c(x, ...gw), c(x, ...gw), c(x, ...gw)];
  await mx.eval(warm);
  mx.dispose(warm);
  const before = mx.getActiveMemory();
  mx.resetPeakMemory();
  const bg0 = stats().bindGroups!, r0 = stats().replays!;
  const ys = [c(x, ...gw), c(x, ...gw), c(x, ...gw)];
  await mx.eval(ys);
  assert.equal(stats().replays! - r0, 3);
  // three results of 2 MiB; the intermediates (2 x 2 MiB) were held by the plan already, none allocated per call
  assert.ok(mx.getPeakMemory() - before <= 3 * 2 * 2 ** 20 + 2 ** 20, `peak grew by ${mx.getPeakMemory() - before} bytes`);
  // only launches that bind a call's output may need a new bind group
  assert.ok(stats().bindGroups! - bg0 <= 3 * 2, `${stats().bindGroups! - bg0} bind groups created`);
  const want = onCpu(() => f(x.astype(mx.float32, { stream: mx.cpu }), ...ws.map((p) => p[1])));
  for (const y of ys) await close(y, want, 'chain of matmuls', 1e-3);
  mx.dispose([x, ...gw, ...ys]);
});
