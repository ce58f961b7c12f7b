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

interface Side { label: string; f: (x: mx.MxArray) => mx.MxArray; host: number[]; build: number[]; dispatches: number; replays: number }

const stats = (): Record<string, number> => mx.deviceInfo(mx.gpu).stats ?? {};

/** A compiled `fn` traced (and warmed up) with replay on or off. */
async function side(label: string, fn: (x: mx.MxArray) => mx.MxArray, replay: boolean): Promise<Side> {
  if (!replay) process.env.MLX_TS_GPU_REPLAY = '0';
  const f = mx.compile(fn);
  const x0 = mx.random.normal([1, D]);
  try { await mx.eval(f(x0)); } finally { delete process.env.MLX_TS_GPU_REPLAY; }
  for (let i = 0; i < 5; i++) await mx.eval(f(x0));
  return { label, f, host: [], build: [], dispatches: 0, replays: 0 };
}

/** One call of `s`: host time to build and encode it, then the wait for the GPU (not counted). */
async function call(s: Side, x: mx.MxArray): Promise<void> {
  const d0 = stats().dispatches!, r0 = stats().replays!;
  const t0 = performance.now();
  const y = s.f(x);
  const t1 = performance.now();
  materialize([y]);
  s.host.push(performance.now() - t0);
  s.build.push(t1 - t0);
  await mx.eval(y);
  y.dispose();
  s.dispatches += stats().dispatches! - d0;
  s.replays += stats().replays! - r0;
}

function report(s: Side): number {
  const us = median(s.host) * 1000;
  console.log(`${s.label.padEnd(11)} host ${us.toFixed(0).padStart(5)} us/call (median; min ${(Math.min(...s.host) * 1000).toFixed(0)}, ` +
    `building the call ${(median(s.build) * 1000).toFixed(0)})   ${(s.dispatches / s.host.length).toFixed(0)} dispatches/call   ` +
    `replays ${s.replays}`);
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
  const off = await side('replay off', fn, false), on = await side('replay on', fn, true);
  const xs = Array.from({ length: CALLS }, () => mx.random.normal([1, D]));
  await mx.eval(xs);
  // calls alternate between the sides, so both see the same load on a shared machine
  for (const x of xs) { await call(off, x); await call(on, x); }
  const a = report(off), b = report(on);
  console.log(`replay: ${(a / b).toFixed(2)}x less host time per call (median), ` +
    `${(Math.min(...off.host) / Math.min(...on.host)).toFixed(2)}x (min)`);
  mx.shutdown();
}

await main();
