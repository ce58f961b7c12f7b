// Buffer reuse between syncs (allocator.ts): a freed GPU buffer is handed out again at once, before the GPU ran the
// work that reads it. Launches are queue-ordered, so that is safe for kernel outputs; a host upload into such a
// buffer must not overtake the earlier launch (the backend submits that batch first). Oracles: NumPy-free plain
// JS values; the point is which data a launch sees.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';

let ok = false;
before(async () => { ok = await mx.initGpu({ allowSoftware: true, quiet: true }); });
after(() => mx.shutdown());

const gpu = { stream: mx.gpu };
const N = 4096; // 16 KiB: its own buffer, not the small-upload arena

test('an upload into a buffer freed while a pending launch still reads it does not change that launch', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  for (let round = 0; round < 3; round++) {
    const first = Float32Array.from({ length: N }, (_, i) => i + round);
    const a = mx.add(mx.array(first), 0, gpu);
    await mx.eval(a);
    // after a sync the first batch holds one launch: `warm` spends it, so y's launch waits in the open batch
    const warm = mx.add(mx.ones([8], mx.float32, gpu), 1, gpu);
    const y = mx.multiply(a, 2, gpu);
    a.dispose(); // its buffer goes back to the pool as soon as y's launch is encoded
    // an upload (host data > the small-upload arena) of the same size, encoded right after y: it gets a's buffer
    const other = mx.add(mx.array(new Float32Array(N).fill(-7)), 0, gpu);
    await mx.eval([warm, y, other]);
    const got = await y.tolist() as number[];
    for (let i = 0; i < N; i += 511) assert.equal(got[i], 2 * (i + round), `y[${i}] in round ${round}`);
    assert.equal((await other.tolist() as number[])[N - 1], -7);
    mx.dispose([warm, y, other]);
  }
});

test('a chain of launches between syncs reuses freed intermediates instead of holding them all', async (t) => {
  if (!ok) { t.skip('no WebGPU adapter'); return; }
  const x = mx.add(mx.ones([256, 256], mx.float32), 0, gpu);
  await mx.eval(x);
  mx.clearCache();
  const ys = Array.from({ length: 20 }, (_, k) => mx.tidy(() => {
    let y = mx.multiply(x, k, gpu);
    for (let i = 0; i < 10; i++) y = mx.add(mx.multiply(y, 0.5, gpu), 1, gpu);
    return y;
  }));
  await mx.eval(ys);
  // 20 results of 256 KiB are held; 400 intermediates were freed along the way and mostly reused
  const held = mx.getActiveMemory() + mx.getCacheMemory();
  assert.ok(held < 40 * 256 * 1024 * 4, `active + cache ${held} bytes`);
  const v = await ys[3]!.tolist() as number[][];
  let e = 3;
  for (let i = 0; i < 10; i++) e = e * 0.5 + 1;
  assert.ok(Math.abs(v[5]![7]! - e) < 1e-5);
  mx.dispose([x, ...ys]);
});
