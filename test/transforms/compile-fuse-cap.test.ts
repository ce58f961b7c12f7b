// A fused chain never needs more storage bindings than every WebGPU device offers (8, one for parameters): a long
// chain over many inputs is cut into several fused nodes, and on the GPU none of them falls back to the CPU.
// Oracle: the same function uncompiled on the CPU.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { compiledPlan } from '../../src/core/transforms/compile-plan.js';

let gpuOk = false;
before(async () => { gpuOk = await mx.initGpu({ allowSoftware: true, quiet: true }); });
after(() => mx.shutdown());

const sumSquares = (...a: mx.MxArray[]): mx.MxArray => a.reduce((s, x) => mx.add(s, mx.square(x)));

for (const n of [7, 18]) {
  test(`a compiled sum of squares of ${n} arrays: every fused node has at most 7 array bindings`, async () => {
    const xs = Array.from({ length: n }, (_, i) => mx.array([i + 1, -i, 0.5 * i], mx.float32));
    const plan = compiledPlan(mx.compile(sumSquares), ...xs);
    assert.ok(plan.fusedIo.length >= 1);
    for (const s of plan.fusedIo) assert.ok(s.ins + s.outs <= 7, `${s.ins} inputs, ${s.outs} outputs`);
    const want = await sumSquares(...xs).tolist() as number[];
    assert.deepEqual(await (mx.compile(sumSquares)(...xs)).tolist(), want);
  });
}

test('on the GPU the 18-input chain runs without a CPU fallback', async (t) => {
  if (!gpuOk) { t.skip('no WebGPU adapter'); return; }
  const xs = Array.from({ length: 18 }, (_, i) => mx.array([i + 1, -i, 0.25 * i], mx.float32));
  const want = await sumSquares(...xs).tolist() as number[];
  const gxs = xs.map((x) => mx.add(x, 0, { stream: mx.gpu }));
  await mx.eval(gxs);
  const prev = mx.defaultDevice();
  mx.setDefaultDevice(mx.gpu);
  try {
    const f0 = mx.deviceInfo(mx.gpu).stats!.fallbacks as number;
    const c = mx.compile(sumSquares);
    for (let call = 0; call < 2; call++) assert.deepEqual(await c(...gxs).tolist(), want, `call ${call}`);
    assert.equal(mx.deviceInfo(mx.gpu).stats!.fallbacks, f0);
  } finally {
    mx.setDefaultDevice(prev);
  }
});
