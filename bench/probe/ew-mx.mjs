// mlx-ts elementwise end to end on the GPU at hand: how the bench's loop shape, fresh buffers and sync split the time.
import * as mx from '../../dist/src/index.js';
await mx.initGpu({ allowSoftware: process.argv.includes('--software'), quiet: true });
mx.setDefaultDevice(mx.gpu);
const n = Number(process.argv.find((a) => a.startsWith('--mib='))?.slice(6) ?? 256) * 1024 * 1024 / 4;
const a = mx.random.normal([n], mx.float32, { key: mx.random.key(0) });
await mx.eval(a);
const gbs = (ms, k) => (8 * n * k / (ms / 1e3) / 1e9).toFixed(0);
for (const iters of [20, 80]) {
  for (let r = 0; r < 4; r++) {
    const t = performance.now();
    const ys = [];
    for (let i = 0; i < iters; i++) ys.push(mx.multiply(a, 1.5));
    const t1 = performance.now();
    await mx.eval(ys);
    const t2 = performance.now();
    console.log(`iters ${iters} round ${r}: ${gbs(t2 - t, iters)} GB/s (build ${(t1 - t).toFixed(2)} ms, eval ${(t2 - t1).toFixed(2)} ms)`);
    mx.dispose(ys);
  }
}
// chained: y = y * 1.5 (two buffers ping-pong through the pool once freed)
for (let r = 0; r < 3; r++) {
  const t = performance.now();
  let y = a;
  for (let i = 0; i < 40; i++) { const z = mx.multiply(y, 1.0000001); await mx.asyncEval(z); if (y !== a) y.dispose(); y = z; }
  await mx.eval(y);
  console.log(`chain 40 asyncEval each: ${gbs(performance.now() - t, 40)} GB/s`);
  y.dispose();
}
const t = performance.now(); await mx.synchronize(); console.log(`idle synchronize ${(performance.now() - t).toFixed(3)} ms`);
const s = mx.sum(a); const t3 = performance.now(); await s.item(); console.log(`sum + item ${(performance.now() - t3).toFixed(3)} ms`);
console.log(JSON.stringify(mx.deviceInfo(mx.gpu).stats));
mx.shutdown();
