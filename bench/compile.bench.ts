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

/** 10 cheap arithmetic ops with a broadcast row vector: memory-bound, where fusion matters most. */
function arith(x: mx.MxArray, b: mx.MxArray): mx.MxArray {
  let y = mx.multiply(x, 0.5);          // 1
  y = mx.add(y, b);                     // 2 (broadcast)
  y = mx.subtract(y, 0.25);             // 3
  y = mx.multiply(y, y);                // 4
  y = mx.maximum(y, 0.1);               // 5
  y = mx.minimum(y, 4);                 // 6
  y = mx.abs(y);                        // 7
  y = mx.add(y, x);                     // 8
  y = mx.multiply(y, 1.5);              // 9
  return mx.divide(y, b);               // 10 (broadcast)
}

/** 10 elementwise ops with transcendental functions (tanh, exp, log, sqrt): compute-bound. */
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
  const results: string[] = [];
  for (const [name, f] of [['arithmetic', arith], ['transcendental', chain]] as const) {
    const compiled = mx.compile(f);
    const same = await mx.arrayEqual(f(x, b), compiled(x, b)).item();
    const reps = quick ? 3 : 7;
    const tU = await timeIt(() => f(x, b), reps);
    const tC = await timeIt(() => compiled(x, b), reps);
    results.push(`  ${name.padEnd(15)} uncompiled ${tU.toFixed(1)} ms   compiled ${tC.toFixed(1)} ms   ` +
      `speedup ${(tU / tC).toFixed(2)}x   bit-identical: ${same}   (median of ${reps})`);
  }

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
  console.log(`elementwise chain, 10 ops, ${rows}x${cols} float32 (${((rows * cols) / 1e6).toFixed(1)}M elements):`);
  for (const r of results) console.log(r);
  console.log('per-call overhead, cached trace, 1-element input (10 ops -> 1 fused node):');
  console.log(`  compiled call (graph only) ${median(buildC).toFixed(2)} us   uncompiled graph build ${median(buildU).toFixed(2)} us`);
  console.log(`  compiled call + eval ${median(runC).toFixed(2)} us`);

  // a bigger plan: an MLP training step (forward, backward, SGD) on tiny inputs
  const p = { w1: mx.multiply(mx.random.normal([4, 8], mx.float32, { key }), 0.5), w2: mx.multiply(mx.random.normal([8, 2], mx.float32, { key }), 0.5) };
  const xs = mx.random.normal([2, 4], mx.float32, { key }), ys = mx.random.normal([2, 2], mx.float32, { key });
  const loss = (q: typeof p, a: mx.MxArray, t: mx.MxArray) => mx.mean(mx.square(mx.subtract(mx.matmul(mx.tanh(mx.matmul(a, q.w1)), q.w2), t)));
  const vg = mx.valueAndGrad(loss);
  const stepFn = (q: typeof p, a: mx.MxArray, t: mx.MxArray) => {
    const [l, g] = vg(q, a, t) as [mx.MxArray, typeof p];
    return [l, { w1: mx.subtract(q.w1, mx.multiply(g.w1, 0.1)), w2: mx.subtract(q.w2, mx.multiply(g.w2, 0.1)) }];
  };
  const cstep = mx.compile(stepFn);
  await mx.eval(cstep(p, xs, ys));
  const { compiledPlan } = await import('../src/core/transforms/compile-plan.js');
  const nSteps = compiledPlan(cstep, p, xs, ys).steps.length;
  const M = quick ? 200 : 2000;
  const perM = (f: () => void): number => {
    const t = performance.now();
    for (let i = 0; i < M; i++) f();
    return ((performance.now() - t) * 1000) / M;
  };
  const mc: number[] = [], mu: number[] = [];
  for (let r = 0; r < 7; r++) {
    mc.push(perM(() => { cstep(p, xs, ys); }));
    mu.push(perM(() => { stepFn(p, xs, ys); }));
  }
  console.log(`MLP training step (valueAndGrad + SGD), cached trace, plan of ${nSteps} steps:`);
  console.log(`  compiled call (graph only) ${median(mc).toFixed(1)} us = ${(median(mc) / nSteps).toFixed(2)} us/step   ` +
    `uncompiled graph build (traces the gradient every call) ${median(mu).toFixed(1)} us`);
}

await main();
