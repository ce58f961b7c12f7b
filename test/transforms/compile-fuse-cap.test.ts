// A fused chain on the GPU never needs more storage bindings than the device offers (one is for parameters): a long
// chain over many inputs is cut into several fused nodes there, and none of them falls back to the CPU. On the CPU,
// which has no such limit, the chain stays one node. Oracle: the same function uncompiled on the CPU.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { compiledPlan } from '../../src/core/transforms/compile-plan.js';

let gpuOk = false;
before(async () => { gpuOk = await mx.initGpu({ allowSoftware: true, quiet: true }); });
after(() => mx.shutdown());

const sumSquares = (...a: mx.MxArray[]): mx.MxArray => a.reduce((s, x) => mx.add(s, mx.square(x)));
const inputs = (n: number): mx.MxArray[] => Array.from({ length: n }, (_, i) => mx.array([i + 1, -i, 0.25 * i], mx.float32));

test('on the CPU a sum of squares of 18 arrays is one fused node', async () => {
  const xs = inputs(18);
  const plan = compiledPlan(mx.compile(sumSquares), ...xs);
  assert.equal(plan.fusedIo.length, 1);
  assert.deepEqual(plan.fusedIo[0], { ins: 18, outs: 1 });
  assert.deepEqual(await mx.compile(sumSquares)(...xs).tolist(), await sumSquares(...xs).tolist());
});

test('on the GPU the 18-input chain is cut to fit the storage bindings and runs without a CPU fallback', async (t) => {
  if (!gpuOk) { t.skip('no WebGPU adapter'); return; }
  const limit = (mx.deviceInfo(mx.gpu).limits!['maxStorageBuffersPerShaderStage'] as number) - 1;
  const n = Math.max(18, limit + 3);
  const xs = inputs(n);
  const want = await sumSquares(...xs).tolist() as number[];
  const gxs = xs.map((x) => mx.add(x, 0, { stream: mx.gpu }));
  await mx.eval(gxs);
  const prev = mx.defaultDevice();
  mx.setDefaultDevice(mx.gpu);
  try {
    const plan = compiledPlan(mx.compile(sumSquares), ...gxs);
    assert.ok(plan.fusedIo.length >= 2, `${plan.fusedIo.length} fused nodes`);
    for (const s of plan.fusedIo) assert.ok(s.ins + s.outs <= limit, `${s.ins} inputs, ${s.outs} outputs, limit ${limit}`);
    const f0 = mx.deviceInfo(mx.gpu).stats!.fallbacks as number;
    const c = mx.compile(sumSquares);
    for (let call = 0; call < 2; call++) assert.deepEqual(await c(...gxs).tolist(), want, `call ${call}`);
    assert.equal(mx.deviceInfo(mx.gpu).stats!.fallbacks, f0);
  } finally {
    mx.setDefaultDevice(prev);
  }
});
