// Host cost of a matrix-vector product through the public API on the GPU at hand (run with --cpu-prof).
import * as mx from '../../dist/src/index.js';
await mx.initGpu({ allowSoftware: process.argv.includes('--software'), quiet: true });
mx.setDefaultDevice(mx.gpu);
const K = process.argv.includes('--software') ? 256 : 4096, N = process.argv.includes('--software') ? 512 : 14336;
const W = mx.random.normal([K, N]), v = mx.random.normal([1, K]);
await mx.eval(W, v);
for (let r = 0; r < 4; r++) {
  const t = performance.now();
  const ys = [];
  for (let i = 0; i < 200; i++) ys.push(mx.matmul(v, W));
  const t1 = performance.now();
  await mx.eval(ys);
  const t2 = performance.now();
  console.log(`build ${((t1 - t) * 5).toFixed(1)} us/op, eval ${((t2 - t1) * 5).toFixed(1)} us/op, ${(4 * K * N / ((t2 - t) / 200 / 1e3) / 1e9).toFixed(0)} GB/s`);
  mx.dispose(ys);
}
console.log(JSON.stringify(mx.deviceInfo(mx.gpu).stats));
mx.shutdown();
