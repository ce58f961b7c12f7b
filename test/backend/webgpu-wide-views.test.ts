/**
 * @file Zero-copy views of 64-bit, complex and float64 arrays on the GPU: transpose, broadcast, split and flip share
 * the GPU buffer (no kernel, no CPU fallback), and reading them back gives the CPU backend's values.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';

let ok = false;
before(async () => { ok = await mx.initGpu({ allowSoftware: true, quiet: true }); });
after(() => { mx.shutdown(); });

const gpu = { stream: mx.gpu }, cpu = { stream: mx.cpu };
type A = mx.MxArray;
const VIEWS: [string, (x: A, o: { stream: mx.Device }) => A | A[]][] = [
  ['transpose', (x, o) => mx.transpose(x, [1, 0], o)],
  ['broadcastTo', (x, o) => mx.broadcastTo(mx.expandDims(x, 0, o), [2, 3, 5], o)],
  ['split', (x, o) => mx.split(x, [1, 4], 1, o)],
  ['flip', (x, o) => mx.flip(x, 0, o)],
];

for (const d of [mx.int64, mx.uint64, mx.float64, mx.complex64]) {
  for (const [name, view] of VIEWS) {
    test(`webgpu ${name} of a ${d.name} GPU array is a view`, async (t) => {
      if (!ok) { t.skip('no WebGPU adapter'); return; }
      // a GPU-resident source: an astype kernel output (8-byte elementwise kernels exist for these dtypes)
      const src = mx.astype(mx.reshape(mx.arange(-7, 8, 1, mx.int32), [3, 5]), d, gpu);
      await mx.eval(src);
      const before = mx.deviceInfo(mx.gpu).stats!;
      const [f0, d0] = [before.fallbacks!, before.dispatches!];
      const g = [view(src, gpu)].flat();
      await mx.eval(g);
      const after = mx.deviceInfo(mx.gpu).stats!;
      if (d !== mx.float64) assert.equal(after.fallbacks, f0, 'no CPU fallback');
      assert.equal(after.dispatches, d0, 'no kernel: a view');
      const c = [view(mx.astype(mx.reshape(mx.arange(-7, 8, 1, mx.int32), [3, 5]), d, cpu), cpu)].flat();
      for (let i = 0; i < g.length; i++) assert.deepEqual(await g[i]!.tolist(), await c[i]!.tolist(), `${name} part ${i}`);
    });
  }
}
