// Per-op cost breakdown of a 1000-op chain on the GPU at hand (run with --cpu-prof to see where the time goes).
import * as mx from '../../dist/src/index.js';
await mx.initGpu({ allowSoftware: process.argv.includes('--software'), quiet: true });
mx.setDefaultDevice(mx.gpu);
const s = mx.ones([4]); await mx.eval(s);
for (let r = 0; r < 12; r++) {
  const t = performance.now();
  const y = mx.tidy(() => { let y = s; for (let i = 0; i < 1000; i++) y = mx.add(y, 1); return y; });
  const t1 = performance.now();
  await mx.eval(y);
  const t2 = performance.now();
  if (r >= 9) console.log(`build ${((t1 - t)).toFixed(2)} us/op, eval ${((t2 - t1)).toFixed(2)} us/op`);
  y.dispose();
}
console.log(JSON.stringify(mx.deviceInfo(mx.gpu).stats));
mx.shutdown();
