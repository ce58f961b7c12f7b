/**
 * @file What `mx.compile` buys on the CPU: a 10-op elementwise chain over 4M float32 elements, compiled (one
 * fused pass) vs not (ten passes, ten intermediates), and the per-call overhead of a compiled function whose trace
 * is cached (tiny input, so the time is graph building and dispatch). Run: `node dist/bench/compile.bench.js`.
 */
import * as mx from '../src/index.js';

const quick = process.argv.includes('--quick');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** 10 elementwise ops with a broadcast row vector: the kind of chain an activation + normalisation produces. */
function chain(x: mx.MxArray, b: mx.MxArray): mx.MxArray {
  let y = mx.multiply(x, 0.5);          // 1
  y = mx.add(y, b);                     // 2 (broadcast)
  y = mx.tanh(y);                       // 3
  y = mx.multiply(y, y);                // 4
  y = mx.subtract(1, y);                // 5
  y = mx.exp(y);                        // 6
  y = mx.maximum(y, 1.1);               // 7
  y = mx.log(y);                        // 8
  y = mx.sqrt(y);                       // 9
  return mx.divide(y, b);               // 10 (broadcast)
}

async function timeIt(f: () => mx.MxArray, reps: number): Promise<number> {
  const ts: number[] = [];
  for (let r = 0; r < reps + 1; r++) {
    const t = performance.now();
    const y = f();
    await mx.eval(y);
    const dt = performance.now() - t;
    y.dispose();
    if (r > 0) ts.push(dt);
  }
  return median(ts);
}

async function main(): Promise<void> {
  const rows = quick ? 256 : 4096, cols = 1024; // 4M elements
  const key = mx.random.key(1);
  const x = mx.random.normal([rows, cols], mx.float32, { key });
  const b = mx.add(mx.random.uniform(0, 1, [cols], mx.float32, { key: mx.random.key(2) }), 1);
  await mx.eval(x, b);
  const compiled = mx.compile(chain);
  // same numbers both ways
  const [u, c] = [chain(x, b), compiled(x, b)];
  const same = await mx.allclose(u, c, { rtol: 0, atol: 0 }).item();
  const reps = quick ? 3 : 7;
  const tU = await timeIt(() => chain(x, b), reps);
  const tC = await timeIt(() => compiled(x, b), reps);

  // per-call overhead with a cached trace: build + run the plan on a 1-element input
  const tiny = mx.array([0.5], mx.float32), tb = mx.array([2], mx.float32);
  const small = mx.compile(chain);
  await mx.eval(small(tiny, tb));
  const N = quick ? 2000 : 20000;
  const per = (f: () => void): number => {
    const t = performance.now();
    for (let i = 0; i < N; i++) f();
    return ((performance.now() - t) * 1000) / N;
  };
  const buildC: number[] = [], buildU: number[] = [], runC: number[] = [];
  for (let r = 0; r < 7; r++) {
    buildC.push(per(() => { small(tiny, tb); }));
    buildU.push(per(() => { chain(tiny, tb); }));
    const t = performance.now();
    for (let i = 0; i < N / 10; i++) await mx.eval(small(tiny, tb));
    runC.push(((performance.now() - t) * 1000) / (N / 10));
  }
  console.log(`elementwise chain, 10 ops, ${rows}x${cols} float32 (${((rows * cols) / 1e6).toFixed(1)}M elements), median of ${reps}:`);
  console.log(`  uncompiled ${tU.toFixed(1)} ms   compiled ${tC.toFixed(1)} ms   speedup ${(tU / tC).toFixed(2)}x   identical: ${same}`);
  console.log('per-call overhead, cached trace, 1-element input (10 ops -> 1 fused node):');
  console.log(`  compiled call (graph only) ${median(buildC).toFixed(2)} us   uncompiled graph build ${median(buildU).toFixed(2)} us`);
  console.log(`  compiled call + eval ${median(runC).toFixed(2)} us`);
}

await main();
