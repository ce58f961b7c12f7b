/**
 * @file sin/cos/tan of large float32 arguments on the GPU: past 1e5 the kernel reduces the argument exactly
 * (Payne-Hanek) instead of trusting the WGSL builtins, which do no range reduction. Oracle: the CPU backend, which
 * computes in float64 and rounds once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';

let ok = false;
before(async () => { ok = await mx.initGpu({ allowSoftware: true, quiet: true }); });
after(() => { mx.shutdown(); });

// huge magnitudes of both signs, the reduction threshold's neighbourhood, and values near multiples of pi/2
const XS = [3.4e38, -3.4e38, 1.7e38, 1e20, -7.77e30, 2.5e10, 1e6, 123456.789, 100000.01, 99999.99, 3e5,
  1e5 * Math.PI, 205887.4, -411774.8, 16777216, 8388609];

for (const [name, f] of [['sin', mx.sin], ['cos', mx.cos], ['tan', mx.tan]] as const) {
  test(`webgpu ${name} of large float32 arguments matches the CPU`, async (t) => {
    if (!ok) { t.skip('no WebGPU adapter'); return; }
    const x = mx.array(XS, mx.float32);
    const fallbacks = mx.deviceInfo(mx.gpu).stats!.fallbacks!;
    const got = (await f(x, { stream: mx.gpu }).tolist()) as number[];
    const want = (await f(x, { stream: mx.cpu }).tolist()) as number[];
    assert.equal(mx.deviceInfo(mx.gpu).stats!.fallbacks, fallbacks, 'ran on the GPU');
    got.forEach((g, i) => {
      const w = want[i]!;
      assert.ok(Math.abs(g - w) <= 2e-6 * Math.max(1, Math.abs(w)), `${name}(${XS[i]}): got ${g}, expected ${w}`);
    });
  });
}
