// asyncEval then dispose: the promise settles without an error whether the work is GPU-only (encoded before
// asyncEval returns) or crosses devices (a CPU node waits for a GPU readback), and work other arrays still need
// runs. Oracle: plain JS arithmetic.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';

let ok = false;
before(async () => { ok = await mx.initGpu({ allowSoftware: true, quiet: true }); });
after(() => mx.shutdown());

const gpu = { stream: mx.gpu }, cpu = { stream: mx.cpu };

test('targets disposed right after asyncEval: no error, shared work still right', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const g = mx.add(mx.arange(8, mx.float32), 0, gpu);
  await mx.eval(g);
  // a CPU consumer of GPU data: asyncEval has to read back first, so the dispose lands while it waits
  const shared = mx.multiply(g, 2, gpu);
  const y = mx.subtract(shared, 1, cpu);
  const z = mx.add(y, 1, cpu);
  const kept = mx.add(shared, 10, cpu);
  const p = mx.asyncEval(z, kept);
  z.dispose();
  y.dispose();
  await p;
  assert.deepEqual(await kept.tolist(), [10, 12, 14, 16, 18, 20, 22, 24]);
  // GPU-only: a loop in PyTorch's shape, each result scheduled and dropped
  const before = mx.getActiveMemory();
  const pending: Promise<void>[] = [];
  // (in tidy, so the JS-number operands' 0-d arrays are released too, not left to the garbage collector)
  mx.tidy(() => { for (let i = 0; i < 10; i++) { const r = mx.multiply(g, i, gpu); pending.push(mx.asyncEval(r)); r.dispose(); } });
  await Promise.all(pending);
  assert.equal(mx.getActiveMemory(), before);
  mx.dispose([g, shared, kept]);
});
