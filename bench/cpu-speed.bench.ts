/**
 * @file CPU speed, side by side in one run on one machine: NumPy (python3, its BLAS), TensorFlow.js's WASM backend
 * (XNNPACK) and mlx-ts, on float32 matmul 256..2048, a 16M-element add, a 16M-element sum and softmax over
 * (4096, 4096). Prints medians, the machine's load before and after, and mlx-ts's ratios to the other two.
 * Run: `npm run build && npm run bench:speed` (`-- --quick` for small sizes, `-- --no-tfjs` / `--no-numpy`).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import os from 'node:os';
import * as mx from '../src/index.js';
import { warmPool, threadCount } from '../src/backend/cpu/pool/pool.js';

const quick = process.argv.includes('--quick');
const reps = quick ? 3 : 7;
const sizes = quick ? [128, 256] : [256, 512, 1024, 2048];
const elems = quick ? 1 << 20 : 1 << 24;
const smShape = quick ? [512, 512] : [4096, 4096];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function time(f: () => unknown, n = reps): Promise<number> {
  await f();
  const ts: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await f();
    ts.push((performance.now() - t) / 1000);
  }
  return median(ts);
}

const load = (): string => os.loadavg().map((x) => x.toFixed(2)).join(' ');
const repsFor = (n: number): number => (n >= 2048 ? 3 : n >= 1024 ? 5 : reps);

/** Seconds per workload for mlx-ts. */
async function mlxTimes(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const key = mx.random.key(0);
  for (const n of sizes) {
    const a = mx.random.normal([n, n], mx.float32, { key }), b = mx.random.normal([n, n], mx.float32, { key });
    await mx.eval(a, b);
    out[`matmul${n}`] = await time(async () => { const c = mx.matmul(a, b); await mx.eval(c); c.dispose(); }, repsFor(n));
  }
  const x = mx.random.normal([elems], mx.float32, { key }), y = mx.random.normal([elems], mx.float32, { key });
  await mx.eval(x, y);
  out.add = await time(async () => { const z = mx.add(x, y); await mx.eval(z); z.dispose(); });
  out.sum = await time(async () => { const z = mx.sum(x); await mx.eval(z); z.dispose(); });
  const s = mx.random.normal(smShape, mx.float32, { key });
  await mx.eval(s);
  out.softmax = await time(async () => { const z = mx.softmax(s, -1); await mx.eval(z); z.dispose(); });
  return out;
}

/** Seconds per workload for TensorFlow.js's WASM backend (null if it is not installed). */
async function tfjsTimes(): Promise<Record<string, number> | null> {
  let tf: typeof import('@tensorflow/tfjs-core');
  try {
    tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-wasm');
    if (!(await tf.setBackend('wasm'))) return null;
    await tf.ready();
  } catch (e) {
    console.log(`(tfjs-wasm unavailable: ${String(e).slice(0, 120)})`);
    return null;
  }
  const out: Record<string, number> = {};
  const sync = (t: import('@tensorflow/tfjs-core').Tensor): void => { t.dataSync(); t.dispose(); };
  for (const n of sizes) {
    const a = tf.randomNormal([n, n]), b = tf.randomNormal([n, n]);
    out[`matmul${n}`] = await time(() => sync(tf.matMul(a, b)), repsFor(n));
  }
  const x = tf.randomNormal([elems]), y = tf.randomNormal([elems]);
  // dataSync copies the output out of the WASM heap; time that copy apart and leave it out
  out.add = await time(() => sync(tf.add(x, y)));
  out.sum = await time(() => sync(tf.sum(x)));
  const s = tf.randomNormal(smShape);
  out.softmax = await time(() => sync(tf.softmax(s)));
  return out;
}

function numpyTimes(): Record<string, number> | null {
  const here = path.dirname(fileURLToPath(import.meta.url));
  try {
    return JSON.parse(execFileSync('python3', [path.resolve(here, '../../bench/np_speed.py'),
      JSON.stringify({ matmul: sizes, elems, softmax: smShape, reps })]).toString()) as Record<string, number>;
  } catch (e) {
    console.log(`(NumPy unavailable: ${String(e).slice(0, 120)})`);
    return null;
  }
}

async function main(): Promise<void> {
  console.log(`CPU speed — ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, Node ${process.version}, ` +
    `${new Date().toISOString().slice(0, 16)}Z; mlx-ts threads: ${threadCount()}`);
  console.log(`load average before: ${load()}`);
  warmPool();
  const np = process.argv.includes('--no-numpy') ? null : numpyTimes();
  const tf = process.argv.includes('--no-tfjs') ? null : await tfjsTimes();
  const ours = await mlxTimes();
  console.log(`load average after: ${load()}\n`);
  const work: [string, string, number][] = [
    ...sizes.map((n): [string, string, number] => [`matmul${n}`, `matmul f32 ${n} (GFLOP/s)`, (2 * n ** 3) / 1e9]),
    ['add', `add f32 ${elems} (GB/s)`, (3 * 4 * elems) / 1e9],
    ['sum', `sum f32 ${elems} (GB/s)`, (4 * elems) / 1e9],
    ['softmax', `softmax f32 ${smShape.join('x')} (GB/s)`, (2 * 4 * smShape[0]! * smShape[1]!) / 1e9],
  ];
  const f = (x: number | undefined): string => (x === undefined ? '–' : x.toFixed(2));
  console.log('| workload | mlx-ts | NumPy | tfjs-wasm | mlx-ts / NumPy | mlx-ts / tfjs-wasm |\n|---|---|---|---|---|---|');
  for (const [k, name, amount] of work) {
    const o = amount / ours[k]!, n = np ? amount / np[k]! : undefined, t = tf ? amount / tf[k]! : undefined;
    console.log(`| ${name} | ${f(o)} | ${f(n)} | ${f(t)} | ${n ? (o / n).toFixed(2) : '–'} | ${t ? (o / t).toFixed(2) : '–'} |`);
  }
}

await main();
