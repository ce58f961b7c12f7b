/**
 * @file Host cost of a compiled call on the GPU, plan replay on vs off (MLX_TS_GPU_REPLAY=0 while tracing): a stack of
 * MLP blocks on a [1, 64] row (layer norm, two matmuls, GELU, residual; about 200 ops, not fully fusable). The
 * time is what the calling thread spends to build and encode one call (the compiled call, then the synchronous
 * `materialize` that encodes and submits it); the GPU's own time is awaited afterwards and not counted, so a
 * software adapter gives usable numbers too (its threads still compete for the CPU while they run submitted work). Run: `node dist/bench/compile-replay.bench.js [--layers=10] [--calls=200]`.
 */
import * as mx from '../src/index.js';
import { materialize } from '../src/core/eval.js';

const arg = (name: string, dflt: number): number => {
  const a = process.argv.find((s) => s.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : dflt;
};
const LAYERS = arg('layers', 10), CALLS = arg('calls', 200), D = 64, H = 256;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface Layer { g: mx.MxArray; b: mx.MxArray; w1: mx.MxArray; c1: mx.MxArray; w2: mx.MxArray; c2: mx.MxArray }

function layerNorm(x: mx.MxArray, g: mx.MxArray, b: mx.MxArray): mx.MxArray {
  const mu = mx.mean(x, -1, true);
  const xc = x.subtract(mu);
  const v = mx.mean(xc.multiply(xc), -1, true);
  return xc.multiply(mx.rsqrt(v.add(1e-5))).multiply(g).add(b);
}

function gelu(x: mx.MxArray): mx.MxArray {
  // tanh form: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
  const inner = x.add(x.multiply(x).multiply(x).multiply(0.044715)).multiply(Math.sqrt(2 / Math.PI));
  return x.multiply(0.5).multiply(mx.tanh(inner).add(1));
}

function block(x: mx.MxArray, p: Layer): mx.MxArray {
  const h = layerNorm(x, p.g, p.b);
  const u = gelu(mx.matmul(h, p.w1).add(p.c1));
  const y = mx.matmul(u, p.w2).add(p.c2);
  return x.add(y).multiply(0.5).add(mx.sigmoid(y).multiply(0.01));
}

function params(): Layer[] {
  const r = (s: number[], sc: number): mx.MxArray => mx.random.normal(s).multiply(sc);
  return Array.from({ length: LAYERS }, () => ({
    g: mx.ones([D]), b: mx.zeros([D]), w1: r([D, H], 0.05), c1: mx.zeros([H]), w2: r([H, D], 0.05), c2: mx.zeros([D]),
  }));
}

async function measure(label: string, fn: (x: mx.MxArray) => mx.MxArray, replay: boolean): Promise<number> {
  const stats = (): Record<string, number> => mx.deviceInfo(mx.gpu).stats ?? {};
  if (!replay) process.env.MLX_TS_GPU_REPLAY = '0';
  const f = mx.compile(fn);
  const x0 = mx.random.normal([1, D]);
  try { await mx.eval(f(x0)); } finally { delete process.env.MLX_TS_GPU_REPLAY; }
  for (let i = 0; i < 5; i++) await mx.eval(f(x0));
  const xs = Array.from({ length: CALLS }, () => mx.random.normal([1, D]));
  await mx.eval(xs);
  const d0 = stats().dispatches!, r0 = stats().replays!;
  const host: number[] = [], build: number[] = [];
  for (const x of xs) {
    const t0 = performance.now();
    const y = f(x);
    const t1 = performance.now();
    materialize([y]);
    host.push(performance.now() - t0);
    build.push(t1 - t0);
    await mx.eval(y);
    y.dispose();
  }
  const us = median(host) * 1000;
  console.log(`${label.padEnd(12)} host ${us.toFixed(0).padStart(6)} us/call (min ${(Math.min(...host) * 1000).toFixed(0)}, ` +
    `building the call ${(median(build) * 1000).toFixed(0)})   ` +
    `${((stats().dispatches! - d0) / CALLS).toFixed(0)} dispatches/call   replays ${stats().replays! - r0}`);
  return us;
}

async function main(): Promise<void> {
  if (!(await mx.initGpu({ allowSoftware: true, quiet: true }))) { console.log('no WebGPU adapter'); return; }
  mx.setDefaultDevice(mx.gpu);
  const ps = params();
  await mx.eval(ps.map((p) => Object.values(p)));
  const fn = (x: mx.MxArray): mx.MxArray => ps.reduce((h, p) => block(h, p), x);
  const { compiledPlan } = await import('../src/core/transforms/compile-plan.js');
  const plan = compiledPlan(mx.compile(fn), mx.zeros([1, D]));
  console.log(`${mx.deviceInfo(mx.gpu).description}: ${LAYERS} blocks, ${plan.steps.length} plan steps, ${CALLS} calls`);
  // alternating rounds; the best median of each side (the first rounds also warm the JIT up)
  let off = Infinity, on = Infinity;
  for (let round = 0; round < 3; round++) {
    off = Math.min(off, await measure('replay off', fn, false));
    on = Math.min(on, await measure('replay on', fn, true));
  }
  console.log(`replay on: ${on.toFixed(0)} us, off: ${off.toFixed(0)} us host time per call (${(off / on).toFixed(2)}x)`);
  mx.shutdown();
}

await main();
