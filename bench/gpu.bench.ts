/**
 * @file GPU speed against PyTorch on the same card, in one run (issue 6). Runs bench/gpu_torch.py first (when python3
 * with torch is there), then the same cases on mlx-ts's WebGPU backend, and prints both with ratios and one JSON line.
 *
 * Run on the GPU machine: `node dist/bench/gpu.bench.js` (add `--quick` for small shapes, e.g. on lavapipe with
 * `--software`). Method: warm up for a quarter second, encode `iters` launches back to back, synchronise once, best of five.
 */
import { spawnSync } from 'node:child_process';
import * as mx from '../src/index.js';

const quick = process.argv.includes('--quick');
const S = quick ? 1 / 16 : 1;
/** Multiplies every case's iteration count (both sides): `--iters=4` amortises the one sync per timing over more launches. */
const ITERS = Number(process.argv.find((a) => a.startsWith('--iters='))?.slice(8) ?? 1);

type Row = { name: string; unit: string; ours: number; torch?: number; higherIsBetter: boolean };

/**
 * Seconds per launch of `make` (each call builds one new result): `iters` results are built, then evaluated together
 * (one encode, one sync), as PyTorch's side launches `iters` kernels and synchronises once. Untimed rounds run for a
 * quarter second first (GPU clocks up, pipelines built, the pool holds the round's buffers), then the best of five
 * rounds counts; bench/gpu_torch.py does the same.
 */
async function timed(make: () => mx.MxArray, n: number, warmSeconds = 0.25, rounds = 5): Promise<number> {
  const iters = Math.max(1, Math.round(n * ITERS));
  const round = async (): Promise<number> => {
    const t = performance.now();
    const ys: mx.MxArray[] = [];
    for (let i = 0; i < iters; i++) ys.push(make());
    await mx.eval(ys);
    const dt = (performance.now() - t) / 1e3 / iters;
    mx.dispose(ys);
    return dt;
  };
  return bestRound(round, warmSeconds, rounds);
}

/** Untimed rounds for `warmSeconds`, then the best of `rounds`; the buffer cache is cleared afterwards. */
async function bestRound(round: () => Promise<number>, warmSeconds: number, rounds: number): Promise<number> {
  const start = performance.now();
  do await round(); while (performance.now() - start < warmSeconds * 1e3);
  let best = Infinity;
  for (let r = 0; r < rounds; r++) best = Math.min(best, await round());
  // a case's buffers would otherwise stay cached into the next case (80 launches of 256 MiB results at --iters=4)
  mx.clearCache();
  return best;
}

/**
 * Seconds per launch in PyTorch's loop shape: each result is scheduled (`asyncEval`) and dropped at once, so its
 * buffer goes back to the pool and the next launch writes the same memory, then one sync. Warm-up and best of five
 * as in `timed`.
 */
async function timedDropping(make: () => mx.MxArray, n: number, warmSeconds = 0.25, rounds = 5): Promise<number> {
  const iters = Math.max(1, Math.round(n * ITERS));
  const round = async (): Promise<number> => {
    const t = performance.now();
    for (let i = 0; i < iters; i++) { const y = make(); void mx.asyncEval(y); y.dispose(); }
    await mx.synchronize();
    return (performance.now() - t) / 1e3 / iters;
  };
  return bestRound(round, warmSeconds, rounds);
}

function torchSide(): Record<string, number | string> | null {
  if (process.argv.includes('--no-torch')) return null;
  const r = spawnSync('python3', [new URL('../../bench/gpu_torch.py', import.meta.url).pathname, ...(quick ? ['--quick'] : []), `--iters=${ITERS}`],
    { encoding: 'utf8', timeout: 300_000 });
  const line = r.stdout?.trim().split('\n').pop();
  if (r.status !== 0 || !line) { console.log(`(PyTorch side skipped: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()})`); return null; }
  return JSON.parse(line) as Record<string, number | string>;
}

async function main(): Promise<void> {
  const torch = torchSide();
  if (torch) console.log(`PyTorch: ${JSON.stringify(torch)}`);
  const ok = await mx.initGpu({ allowSoftware: process.argv.includes('--software'), quiet: true });
  if (!ok) throw new Error('no GPU adapter');
  mx.setDefaultDevice(mx.gpu);
  const info = mx.deviceInfo(mx.gpu);
  const rows: Row[] = [];
  const add = (name: string, unit: string, ours: number, key: string, higherIsBetter = true): void => {
    const t = torch?.[key];
    rows.push({ name, unit, ours, torch: typeof t === 'number' ? t : undefined, higherIsBetter });
    console.log(`  ${name}: ${ours.toFixed(2)} ${unit} (GPU memory: ${(mx.getActiveMemory() / 2 ** 20).toFixed(0)} MiB active, peak ${(mx.getPeakMemory() / 2 ** 20).toFixed(0)} MiB)`);
  };
  const key = mx.random.key(0);
  const n = Math.round(64 * 1024 * 1024 * S);
  {
    const a = mx.random.normal([n], mx.float32, { key });
    await mx.eval(a);
    let t = await timed(() => mx.multiply(a, 1.5), 20);
    add('elementwise mul 256 MiB -> 256 MiB', 'GB/s', (8 * n) / t / 1e9, 'elementwise_gbs');
    t = await timedDropping(() => mx.multiply(a, 1.5), 20);
    add('same, each result dropped after asyncEval (PyTorch\'s loop)', 'GB/s', (8 * n) / t / 1e9, 'elementwise_gbs');
    t = await timed(() => mx.sum(a), 20);
    add('sum of 256 MiB', 'GB/s', (4 * n) / t / 1e9, 'sum_gbs');
    a.dispose();
  }
  const rowsN = Math.round(16384 * S);
  {
    const x = mx.random.normal([rowsN, 4096], mx.float32, { key });
    await mx.eval(x);
    const bytes = 4 * x.size;
    let t = await timed(() => mx.softmax(x, -1), 20);
    add(`softmax [${rowsN},4096] last axis`, 'GB/s', (2 * bytes) / t / 1e9, 'softmax_gbs');
    t = await timed(() => mx.logsumexp(x, -1), 20);
    add(`logsumexp [${rowsN},4096] last axis`, 'GB/s', bytes / t / 1e9, 'logsumexp_gbs');
    t = await timed(() => mx.sum(x, -1), 20);
    add(`sum [${rowsN},4096] last axis`, 'GB/s', bytes / t / 1e9, 'rowsum_gbs');
    x.dispose();
  }
  {
    const m = quick ? 256 : 4096;
    const A = mx.random.normal([m, m], mx.float32, { key });
    const B = mx.random.normal([m, m], mx.float32, { key: mx.random.key(1) });
    await mx.eval(A, B);
    const t = await timed(() => mx.matmul(A, B), 10);
    add(`matmul f32 ${m}^3`, 'TFLOP/s', (2 * m ** 3) / t / 1e12, 'matmul_f32_tflops');
    A.dispose(); B.dispose();
  }
  {
    const K = quick ? 512 : 4096, N = quick ? 1792 : 14336;
    const W = mx.random.normal([K, N], mx.float32, { key });
    const Wt = mx.random.normal([N, K], mx.float32, { key: mx.random.key(2) });
    const v = mx.random.normal([1, K], mx.float32, { key: mx.random.key(3) });
    await mx.eval(W, Wt, v);
    let t = await timed(() => mx.matmul(v, W), 50);
    add(`matvec [1,${K}]@[${K},${N}]`, 'GB/s', (4 * K * N) / t / 1e9, 'matvec_gbs');
    t = await timed(() => mx.matmul(v, mx.transpose(Wt)), 50);
    add(`matvec [1,${K}]@[${N},${K}].T`, 'GB/s', (4 * K * N) / t / 1e9, 'matvec_t_gbs');
    W.dispose(); Wt.dispose(); v.dispose();
  }
  {
    const x = mx.random.normal([rowsN, 4096], mx.float32, { key });
    const b = mx.add(mx.random.uniform(0, 1, [4096], mx.float32, { key: mx.random.key(4) }), 1);
    await mx.eval(x, b);
    const chain = (x: mx.MxArray, b: mx.MxArray): mx.MxArray => {
      let y = mx.multiply(x, 0.5);
      y = mx.add(y, b);
      y = mx.subtract(y, 0.25);
      y = mx.multiply(y, y);
      y = mx.maximum(y, 0.1);
      y = mx.minimum(y, 4);
      y = mx.abs(y);
      y = mx.add(y, x);
      y = mx.multiply(y, 1.5);
      return mx.divide(y, b);
    };
    const compiled = mx.compile(chain);
    const tu = await timed(() => mx.tidy(() => chain(x, b)), 10);
    add('10-op chain uncompiled', 'ms', tu * 1e3, 'chain10_ms', false);
    const tc = await timed(() => compiled(x, b) as mx.MxArray, 10);
    add('10-op chain compiled', 'ms', tc * 1e3, 'chain10_ms', false);
    x.dispose(); b.dispose();
  }
  {
    const s = mx.ones([4]);
    await mx.eval(s);
    const t = await timed(() => mx.tidy(() => { let y = s; for (let i = 0; i < 1000; i++) y = mx.add(y, 1); return y; }), 5);
    add('tiny op, end to end (1000-op chain)', 'us/op', (t / 1000) * 1e6, 'tiny_op_us', false);
  }
  console.log(`\n${info.description ?? info.device} (${info.vendor} ${info.architecture}); PyTorch ${torch?.torch ?? '-'} on ${torch?.device ?? '-'}`);
  console.log('| case | mlx-ts | PyTorch | ratio |\n|---|---|---|---|');
  for (const r of rows) {
    const ratio = r.torch === undefined ? '' : (r.higherIsBetter ? r.ours / r.torch : r.torch / r.ours).toFixed(2) + 'x';
    console.log(`| ${r.name} | ${r.ours.toFixed(2)} ${r.unit} | ${r.torch === undefined ? '-' : `${r.torch.toFixed(2)} ${r.unit}`} | ${ratio} |`);
  }
  console.log(JSON.stringify({ date: new Date().toISOString(), adapter: info.description, torch, rows }));
  mx.shutdown();
}

main().catch((e: unknown) => { console.error(e); mx.shutdown(); process.exit(1); });
