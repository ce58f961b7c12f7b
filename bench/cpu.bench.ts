/**
 * @file First CPU benchmark: graph-building overhead per op, and float32 matmul / elementwise / sum / softmax
 * against NumPy in the same run on the same machine. Run with `npm run bench` (add `-- --quick` for small sizes).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import os from 'node:os';
import * as mx from '../src/index.js';

const quick = process.argv.includes('--quick');
const reps = quick ? 3 : 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function time(f: () => Promise<void>, n = reps): Promise<number> {
  await f();
  const ts: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await f();
    ts.push((performance.now() - t) / 1000);
  }
  return median(ts);
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

function randn(shape: number[]): mx.MxArray {
  return mx.random.normal(shape, mx.float32, { key: mx.random.key(0) });
}

async function main(): Promise<void> {
  const sizes = quick ? [128, 256] : [256, 512, 1024];
  const elems = quick ? 1 << 20 : 1 << 24;
  const smShape = quick ? [512, 512] : [4096, 4096];
  console.log(`mlx-ts CPU benchmark — ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);

  const g = await graphOverhead();
  console.log(`graph building, 1000-op chain of mx.add on a [1] array: ${g.build.toFixed(2)} µs/op build, ` +
    `${g.buildEval.toFixed(2)} µs/op build+eval, ${g.tidy.toFixed(2)} µs/op in tidy`);

  const here = path.dirname(fileURLToPath(import.meta.url));
  const np = JSON.parse(execFileSync('python3', [path.resolve(here, '../../bench/np_bench.py'),
    JSON.stringify({ matmul: sizes, elems, softmax: smShape, reps })]).toString()) as Record<string, number>;

  const rows: [string, number, number, string][] = [];
  for (const n of sizes) {
    const a = randn([n, n]), b = randn([n, n]);
    await mx.eval(a, b);
    const t = await time(async () => { const c = mx.matmul(a, b); await mx.eval(c); c.dispose(); }, n >= 1024 ? 2 : reps);
    const fl = (2 * n ** 3) / 1e9;
    rows.push([`matmul f32 ${n}³ (GFLOP/s)`, fl / t, fl / np[`matmul${n}`]!, 'GFLOP/s']);
  }
  const x = randn([elems]), y = randn([elems]);
  await mx.eval(x, y);
  const tAdd = await time(async () => { const z = mx.add(x, y); await mx.eval(z); z.dispose(); });
  const gbAdd = (3 * 4 * elems) / 1e9;
  rows.push([`add f32 ${elems} (GB/s)`, gbAdd / tAdd, gbAdd / np.add!, 'GB/s']);
  const tSum = await time(async () => { const z = mx.sum(x); await mx.eval(z); z.dispose(); });
  rows.push([`sum f32 ${elems} (GB/s)`, (4 * elems) / 1e9 / tSum, (4 * elems) / 1e9 / np.sum!, 'GB/s']);
  const s = randn(smShape);
  await mx.eval(s);
  const tSm = await time(async () => { const z = mx.softmax(s, -1); await mx.eval(z); z.dispose(); });
  const gbSm = (2 * 4 * smShape[0]! * smShape[1]!) / 1e9;
  rows.push([`softmax f32 ${smShape.join('x')} (GB/s)`, gbSm / tSm, gbSm / np.softmax!, 'GB/s']);

  console.log('\n| workload | mlx-ts | NumPy | mlx-ts / NumPy |\n|---|---|---|---|');
  for (const [name, ours, theirs] of rows) {
    console.log(`| ${name} | ${ours.toFixed(2)} | ${theirs.toFixed(2)} | ${(ours / theirs).toFixed(3)} |`);
  }
}

await main();
