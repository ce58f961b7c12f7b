/**
 * @file JavaScript cost per op, split into graph construction (`build`, inside `mx.tidy`, including the scope's
 * disposal) and evaluation (`eval`: scheduling, dispatch, detaching). Tiny shapes, so kernels cost next to nothing
 * and the host overhead dominates. Runs on the CPU backend, and on the GPU backend when one is available
 * (`--software` allows lavapipe; `--gpu-only` / `--cpu-only` pick one).
 *
 * Each case is a step function applied repeatedly to build a chain of about `--ops` ops (default 1000); the
 * reported numbers are medians over `--rounds` rounds (default 40, after 5 warm-up rounds) in µs per op call.
 * The machine this was written on is noisy: compare before/after in the same run or in alternating runs.
 *
 * ```
 * node dist/bench/host-overhead.bench.js [--software] [--cpu-only|--gpu-only] [--rounds 40] [--ops 1000] [--case add-scalar]
 * ```
 */
import * as mx from '../src/index.js';

type Step = (y: mx.MxArray) => mx.MxArray;
interface Case {
  name: string;
  /** Op calls per step (what the µs/op figures divide by). */
  ops: number;
  /** Builds the case's constants on the device; returns the initial array and the step. */
  setup(): { x0: mx.MxArray; step: Step; consts: mx.MxArray[] };
}

const CASES: Case[] = [
  {
    name: 'add-scalar', ops: 1,
    setup: () => { const x0 = mx.ones([4]); return { x0, consts: [], step: (y) => mx.add(y, 1) }; },
  },
  {
    name: 'add-array', ops: 1,
    setup: () => {
      const x0 = mx.ones([4]), b = mx.full([4], 0.5);
      return { x0, consts: [b], step: (y) => mx.add(y, b) };
    },
  },
  {
    // multiply, exp, sum over an axis, reshape, transpose, matmul [1,64]x[64,64], softmax
    name: 'mixed', ops: 9,
    setup: () => {
      const x0 = mx.full([1, 64], 0.01), w = mx.full([64, 64], 1 / 64);
      const step: Step = (y) => {
        let z = mx.multiply(y, 0.5);
        z = mx.exp(z);
        const s = mx.sum(z, -1, true);
        z = mx.subtract(z, s);
        z = mx.reshape(z, [8, 8]);
        z = mx.transpose(z);
        z = mx.reshape(z, [1, 64]);
        z = mx.matmul(z, w);
        return mx.softmax(z, -1);
      };
      return { x0, consts: [w], step };
    },
  },
  {
    // one token through a tiny pre-norm block: rms norm, q/k/v projections, 4 heads of 16, attention against a
    // cache of 8 positions, output projection, residual, MLP with a gelu-like gate
    name: 'decode-like', ops: 39,
    setup: () => {
      const d = 64, h = 4, hd = 16, t = 8;
      const x0 = mx.full([1, d], 0.1);
      const wq = mx.full([d, d], 0.01), wk = mx.full([d, d], 0.01), wv = mx.full([d, d], 0.01), wo = mx.full([d, d], 0.01);
      const w1 = mx.full([d, 2 * d], 0.01), w2 = mx.full([2 * d, d], 0.01), g = mx.ones([d]);
      const kc = mx.full([h, t, hd], 0.02), vc = mx.full([h, t, hd], 0.03);
      const rms = (x: mx.MxArray): mx.MxArray => {
        const ms = mx.mean(mx.multiply(x, x), -1, true);                     // 2
        return mx.multiply(mx.multiply(x, mx.rsqrt(mx.add(ms, 1e-5))), g);   // 4
      };
      const step: Step = (x) => {
        const n = rms(x);                                                      // 6
        const q = mx.transpose(mx.reshape(mx.matmul(n, wq), [1, h, hd]), [1, 0, 2]); // 3
        const k = mx.matmul(n, wk), v = mx.matmul(n, wv);                      // 2
        const kk = mx.concatenate([kc, mx.transpose(mx.reshape(k, [1, h, hd]), [1, 0, 2])], 1); // 3
        const vv = mx.concatenate([vc, mx.transpose(mx.reshape(v, [1, h, hd]), [1, 0, 2])], 1); // 3
        const sc = mx.multiply(mx.matmul(q, mx.transpose(kk, [0, 2, 1])), 0.25); // 3
        const p = mx.softmax(sc, -1);                                          // 1
        const o = mx.reshape(mx.transpose(mx.matmul(p, vv), [1, 0, 2]), [1, d]); // 3
        const r = mx.add(x, mx.matmul(o, wo));                                 // 2
        const m = rms(r);                                                      // 6
        const hdn = mx.matmul(m, w1);                                          // 1
        const act = mx.multiply(hdn, mx.sigmoid(mx.multiply(hdn, 1.702)));    // 3
        return mx.multiply(mx.add(r, mx.matmul(act, w2)), 0.5);               // 3 (keeps values bounded)
      };
      return { x0, consts: [wq, wk, wv, wo, w1, w2, g, kc, vc], step };
    },
  },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

/** Median µs per op call for building and for evaluating chains of one case on the default device. */
async function measure(c: Case, rounds: number, opsTarget: number): Promise<{ build: number; evalUs: number }> {
  const { x0, step, consts } = c.setup();
  await mx.eval(x0, consts);
  const steps = Math.max(1, Math.round(opsTarget / c.ops));
  const nOps = steps * c.ops;
  const build: number[] = [], ev: number[] = [];
  for (let r = 0; r < rounds + 5; r++) {
    const t0 = performance.now();
    const y = mx.tidy(() => { let y = x0; for (let i = 0; i < steps; i++) y = step(y); return y; });
    const t1 = performance.now();
    await mx.eval(y);
    const t2 = performance.now();
    y.dispose();
    if (r >= 5) { build.push(((t1 - t0) * 1000) / nOps); ev.push(((t2 - t1) * 1000) / nOps); }
  }
  mx.dispose([x0, consts]);
  return { build: median(build), evalUs: median(ev) };
}

async function runDevice(label: string, rounds: number, ops: number, only: string | null): Promise<void> {
  console.log(`${label}:`);
  console.log(`  ${'case'.padEnd(12)} ${'build'.padStart(8)} ${'eval'.padStart(8)} ${'total'.padStart(8)}   (µs per op call, median of ${rounds})`);
  for (const c of CASES) {
    if (only && c.name !== only) continue;
    const m = await measure(c, rounds, ops);
    console.log(`  ${c.name.padEnd(12)} ${m.build.toFixed(2).padStart(8)} ${m.evalUs.toFixed(2).padStart(8)} ${(m.build + m.evalUs).toFixed(2).padStart(8)}`);
  }
}

async function main(): Promise<void> {
  const rounds = arg('--rounds', 40), ops = arg('--ops', 1000);
  const ci = process.argv.indexOf('--case');
  const only = ci >= 0 ? process.argv[ci + 1]! : null;
  console.log(`mlx-ts host overhead per op — Node ${process.version}, ${new Date().toISOString()}`);
  if (!process.argv.includes('--gpu-only')) {
    mx.setDefaultDevice(mx.cpu);
    await runDevice('cpu', rounds, ops, only);
  }
  if (!process.argv.includes('--cpu-only')) {
    const ok = await mx.initGpu({ allowSoftware: process.argv.includes('--software'), quiet: true });
    if (!ok) { console.log('gpu: not available (pass --software for a software adapter)'); return; }
    mx.setDefaultDevice(mx.gpu);
    await runDevice(`gpu (${mx.deviceInfo(mx.gpu).description ?? 'webgpu'})`, rounds, ops, only);
    mx.shutdown();
  }
}

await main();
