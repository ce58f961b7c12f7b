/**
 * @file Graph-building overhead per op (the cost a decode step pays hundreds of times per token). Kernel speed
 * against NumPy and TensorFlow.js is bench/cpu-speed.bench.ts; `npm run bench` runs both.
 */
import os from 'node:os';
import * as mx from '../src/index.js';


function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function graphOverhead(): Promise<{ build: number; buildEval: number; tidy: number }> {
  const x0 = mx.array([1], mx.float32);
  const N = 1000;
  const build: number[] = [], all: number[] = [], tid: number[] = [];
  for (let r = 0; r < 30; r++) {
    let t = performance.now();
    let x = x0;
    for (let i = 0; i < N; i++) x = mx.add(x, 1);
    build.push(((performance.now() - t) * 1000) / N);
    await mx.eval(x);
    t = performance.now();
    x = x0;
    for (let i = 0; i < N; i++) x = mx.add(x, 1);
    await mx.eval(x);
    all.push(((performance.now() - t) * 1000) / N);
    t = performance.now();
    const y = mx.tidy(() => { let z = x0; for (let i = 0; i < N; i++) z = mx.add(z, 1); return z; });
    await mx.eval(y);
    y.dispose();
    tid.push(((performance.now() - t) * 1000) / N);
  }
  return { build: median(build.slice(5)), buildEval: median(all.slice(5)), tidy: median(tid.slice(5)) };
}

async function main(): Promise<void> {
  console.log(`mlx-ts graph-building overhead — ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
  const g = await graphOverhead();
  console.log(`1000-op chain of mx.add on a [1] array: ${g.build.toFixed(2)} µs/op build, ` +
    `${g.buildEval.toFixed(2)} µs/op build+eval, ${g.tidy.toFixed(2)} µs/op in tidy`);
}

await main();
