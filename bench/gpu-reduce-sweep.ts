/**
 * @file Parameter sweep of the fast GPU kernels (issue 6): the contiguous elementwise kernel (x * s, 256 MiB in and
 * 256 MiB out), a full sum of 256 MiB, the last-axis sum of [65536, 1024], softmax and logsumexp of [16384, 4096]
 * and [4096, 32000]. Each candidate of reduce-tuning.ts is first checked on small inputs of the same layout against
 * the CPU backend, then timed on the large input: warm-up, `iters` launches encoded back to back, one synchronize,
 * median of repeats. Parameters are searched one at a time (coordinate descent from the defaults) so the whole
 * sweep stays short. Prints GB/s per candidate and a final JSON line with the best parameters per case and merged.
 *
 * Run: `node dist/bench/gpu-reduce-sweep.js` on the GPU machine; `--quick` for small shapes (lavapipe needs
 * `--software`). The GPU-generic kernels (fastPaths off) are timed once per case as the baseline.
 */
import * as mx from '../src/index.js';
import { gpuBackend } from '../src/backend/webgpu/index.js';
import type { GpuArg, WebGpuBackend } from '../src/backend/webgpu/backend.js';
import { fastElementwise, fastElementwiseFn } from '../src/backend/webgpu/kernels/elementwise-fast.js';
import { fastReduce } from '../src/backend/webgpu/kernels/reduce-fast.js';
import { fastLogsumexp, fastSoftmax } from '../src/backend/webgpu/kernels/reduce-softmax.js';
import { reduceTuning, resetReduceTuning, setReduceTuning, type ReduceTuning } from '../src/backend/webgpu/kernels/reduce-tuning.js';

const quick = process.argv.includes('--quick');
const S = quick ? 1 / 64 : 1;
const G = { stream: mx.gpu }, C = { stream: mx.cpu };
type A = mx.MxArray;
type Cand = Partial<ReduceTuning>;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * Seconds per launch: `iters` launches back to back, then one sync. Launches are submitted in small groups as they
 * are encoded, so the GPU works while the host encodes the next ones (otherwise the host's encoding time would add
 * up before the GPU starts).
 */
async function timeEncode(be: WebGpuBackend, encode: () => void, iters: number): Promise<number> {
  for (let i = 0; i < 3; i++) { encode(); be.flush(); }
  await be.synchronize();
  const ts: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    // submitted every 4 launches: the GPU starts early, and the host does not pay a submit per launch
    for (let i = 0; i < iters; i++) { encode(); if (i % 4 === 3) be.flush(); }
    be.flush();
    hostTimes.push((performance.now() - t) / 1e3 / iters);
    await be.synchronize();
    ts.push((performance.now() - t) / 1e3 / iters);
  }
  return median(ts);
}

/** Host seconds per launch (encode + submit) of the last timings: a time close to it means host-bound. */
const hostTimes: number[] = [];

/** Seconds per evaluation of an op through the graph (the baseline generic kernels). */
async function timeOp(make: () => A, iters: number): Promise<number> {
  for (let i = 0; i < 2; i++) { const y = make(); await mx.eval(y); y.dispose(); }
  const ts: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    const ys: A[] = [];
    for (let i = 0; i < iters; i++) ys.push(make());
    await mx.eval(...ys);
    await mx.synchronize(mx.gpu);
    ts.push((performance.now() - t) / 1e3 / iters);
    for (const y of ys) y.dispose();
  }
  return median(ts);
}

/** Largest |gpu - cpu| relative to the tolerance; NaN where they disagree on NaN. */
async function maxErr(g: ArrayLike<number>, c: ArrayLike<number>, rtol: number, atol: number): Promise<number> {
  let worst = 0;
  for (let i = 0; i < c.length; i++) {
    const a = g[i]!, b = c[i]!;
    if (Number.isNaN(a) !== Number.isNaN(b)) return NaN;
    if (Number.isNaN(b) || a === b) continue;
    worst = Math.max(worst, Math.abs(a - b) / (atol + rtol * Math.abs(b)));
  }
  return worst;
}

interface Case {
  name: string;
  /** Bytes moved per launch (for GB/s). */
  bytes: number;
  /** Candidates: coordinate descent over these parameter lists. */
  space: Record<string, (number | boolean)[]>;
  /** Checks the current tuning on small inputs; true when correct. */
  verify(): Promise<boolean>;
  /** Encodes one launch on the large input with the current tuning. */
  encode(): void;
  /** The same result through the graph with the fast paths off (baseline), or null to skip. */
  baseline: (() => A) | null;
}

function arg(be: WebGpuBackend, x: A): GpuArg { return be.arg(x); }

async function cases(be: WebGpuBackend): Promise<Case[]> {
  const key = (s: number): A => mx.random.key(s);
  const n = Math.round(64 * 1024 * 1024 * S);
  const big = mx.random.normal([n], mx.float32, { key: key(1), ...G });
  const sc = mx.array([1.5], mx.float32, G);
  const rows = [Math.round(65536 * S), 1024];
  const rowX = mx.reshape(big, rows, G);
  const sm1 = mx.reshape(big, [Math.round(16384 * S), 4096], G);
  const sm2 = mx.random.normal([Math.max(1, Math.round(4096 * S)), 32000], mx.float32, { key: key(2), ...G });
  await mx.eval(big, sc, rowX, sm1, sm2);
  // small inputs of the same layouts, checked against the CPU backend
  const small = mx.random.normal([1 << 20 | 3], mx.float32, { key: key(3), ...C });
  const smallRows = mx.random.normal([129, 1024], mx.float32, { key: key(4), ...C });
  const smallSm1 = mx.random.normal([17, 4096], mx.float32, { key: key(5), ...C });
  const smallSm2 = mx.random.normal([5, 32000], mx.float32, { key: key(6), ...C });
  const gs = [small, smallRows, smallSm1, smallSm2].map((x) => mx.contiguous(x, G));
  await mx.eval(small, smallRows, smallSm1, smallSm2, ...gs);
  const [gSmall, gRows, gSm1, gSm2] = gs as [A, A, A, A];

  const out = (d: mx.Dtype, shape: number[]): GpuArg => be.output(d, shape).arg;
  const ewOut = be.output(mx.float32, [n]);
  const sumOut = out(mx.float32, []), rowOut = out(mx.float32, [rows[0]!]);
  const smOut1 = out(mx.float32, sm1.shape as number[]), smOut2 = out(mx.float32, sm2.shape as number[]);
  const lseOut1 = out(mx.float32, [sm1.shape[0]!]), lseOut2 = out(mx.float32, [sm2.shape[0]!]);
  const A0 = arg(be, big), S0 = arg(be, sc), R0 = arg(be, rowX), M1 = arg(be, sm1), M2 = arg(be, sm2);

  const check = async (g: A, c: A, rtol: number, atol: number): Promise<boolean> => {
    const e = await maxErr((await g.data()) as Float32Array, (await c.data()) as Float32Array, rtol, atol);
    return e <= 1;
  };
  const viaGraph = (f: (x: A, o: { stream: mx.Device }) => A, gx: A, cx: A, rtol: number, atol: number) => {
    let want: A | null = null;
    return async (): Promise<boolean> => check(f(gx, G), (want ??= f(cx, C)), rtol, atol);
  };
  const smSpace = {
    subgroups: [true, false], smKeep: [4, 8, 16], smWg: [32, 64, 128, 256], smMaxWg: [256, 512, 1024],
    smKeepMaxLen: [8192, 16384, 32768], smOnlineWg: [128, 256, 512, 1024],
  };
  const lseSpace = { subgroups: [true, false], lseWg: [32, 64, 128, 256, 512] };
  const redSpace = { subgroups: [true, false], redWg: [64, 128, 256, 512, 1024], redVec: [1, 2, 4, 8], redPerThread: [4, 8, 16, 32, 64] };
  return [
    {
      name: 'elementwise x*s 256 MiB', bytes: 8 * n,
      space: { ewWg: [64, 128, 256, 512, 1024], ewVec: [1, 2, 4, 8], ewGroups: [0, 1056, 2112, 4224, 8448] },
      verify: async () => {
        const sg = mx.array([1.5], mx.float32, G);
        await mx.eval(sg);
        const d = fastElementwise(be, [arg(be, gSmall), arg(be, sg)], mx.float32, [small.size], ([x, s]) => `${x} * ${s}`)!;
        const got = (await be.read(d, mx.float32, [small.size])) as Float32Array;
        d.storage.release();
        const want = (await mx.multiply(small, 1.5, C).data()) as Float32Array;
        return (await maxErr(got, want, 0, 0)) <= 0;
      },
      encode: () => { mulInto(be, A0, S0, n, ewOut); },
      baseline: () => mx.multiply(big, sc, G),
    },
    {
      name: 'sum 256 MiB', bytes: 4 * n,
      space: { ...redSpace, targetGroups: [528, 1056, 2112, 4224, 8448, 16896] },
      verify: viaGraph((x, o) => mx.sum(x, o), gSmall, small, 1e-5, 1e-3),
      encode: () => { fastReduce(be, A0, 'sum', [0], sumOut); },
      baseline: quick ? () => mx.sum(big, G) : null,
    },
    {
      name: `row sum [${rows}]`, bytes: 4 * n, space: redSpace,
      verify: viaGraph((x, o) => mx.sum(x, -1, o), gRows, smallRows, 1e-5, 1e-4),
      encode: () => { fastReduce(be, R0, 'sum', [1], rowOut); },
      baseline: () => mx.sum(rowX, -1, G),
    },
    {
      name: `softmax [${sm1.shape}]`, bytes: 8 * sm1.size, space: smSpace,
      verify: viaGraph((x, o) => mx.softmax(x, -1, o), gSm1, smallSm1, 1e-5, 1e-7),
      encode: () => { fastSoftmax(be, M1, smOut1); },
      baseline: () => mx.softmax(sm1, -1, G),
    },
    {
      name: `softmax [${sm2.shape}]`, bytes: 8 * sm2.size, space: smSpace,
      verify: viaGraph((x, o) => mx.softmax(x, -1, o), gSm2, smallSm2, 1e-5, 1e-7),
      encode: () => { fastSoftmax(be, M2, smOut2); },
      baseline: () => mx.softmax(sm2, -1, G),
    },
    {
      name: `logsumexp [${sm1.shape}]`, bytes: 4 * sm1.size, space: lseSpace,
      verify: viaGraph((x, o) => mx.logsumexp(x, -1, o), gSm1, smallSm1, 1e-5, 1e-5),
      encode: () => { fastLogsumexp(be, M1, [1], lseOut1); },
      baseline: () => mx.logsumexp(sm1, -1, G),
    },
    {
      name: `logsumexp [${sm2.shape}]`, bytes: 4 * sm2.size, space: lseSpace,
      verify: viaGraph((x, o) => mx.logsumexp(x, -1, o), gSm2, smallSm2, 1e-5, 1e-5),
      encode: () => { fastLogsumexp(be, M2, [1], lseOut2); },
      baseline: () => mx.logsumexp(sm2, -1, G),
    },
  ];
}

/** x * s into a fixed output (no allocation per launch, so the timing is the kernel's). */
function mulInto(be: WebGpuBackend, x: GpuArg, s: GpuArg, n: number, into: ReturnType<WebGpuBackend['output']>): void {
  fastElementwiseFn(be, [x, s], [mx.float32], [n], `struct EwOut { r0: f32 }
fn ew(x0: f32, x1: f32) -> EwOut { return EwOut(x0 * x1); }`, [into]);
}

async function sweep(be: WebGpuBackend, c: Case, iters: number): Promise<{ best: Cand; gbs: number; baseGbs: number | null }> {
  resetReduceTuning();
  const gbs = (t: number): number => c.bytes / t / 1e9;
  let best: Cand = {};
  let bestT = Infinity;
  const tried = new Map<string, number>();
  const tryCand = async (cand: Cand): Promise<number> => {
    const k = JSON.stringify(cand);
    if (tried.has(k)) return tried.get(k)!;
    resetReduceTuning();
    setReduceTuning(cand);
    let t = Infinity;
    try {
      if (!(await c.verify())) { console.log(`  ${k}: WRONG RESULT, skipped`); tried.set(k, t); return t; }
      hostTimes.length = 0;
      t = await timeEncode(be, c.encode, iters);
      console.log(`  ${k}: ${(t * 1e6).toFixed(1)} us, ${gbs(t).toFixed(0)} GB/s (host ${(median(hostTimes) * 1e6).toFixed(1)} us)`);
    } catch (e) {
      console.log(`  ${k}: failed (${(e as Error).message.slice(0, 200)})`);
    }
    tried.set(k, t);
    return t;
  };
  bestT = await tryCand(best);
  for (let pass = 0; pass < 2; pass++) {
    for (const [p, values] of Object.entries(c.space)) {
      for (const v of values) {
        const cand = { ...best, [p]: v };
        const t = await tryCand(cand);
        if (t < bestT * 0.98) { bestT = t; best = cand; }
      }
    }
  }
  resetReduceTuning();
  let baseGbs: number | null = null;
  if (c.baseline) {
    setReduceTuning({ fastPaths: false });
    try { baseGbs = gbs(await timeOp(c.baseline, Math.max(2, Math.floor(iters / 4)))); } finally { resetReduceTuning(); }
  }
  return { best, gbs: gbs(bestT), baseGbs };
}

async function main(): Promise<void> {
  if (!(await mx.initGpu({ allowSoftware: process.argv.includes('--software'), quiet: true }))) {
    console.log('no GPU adapter (pass --software to use lavapipe/SwiftShader)');
    return;
  }
  const be = gpuBackend()!;
  const info = mx.deviceInfo(mx.gpu);
  const adapter = `${info.vendor ?? ''} ${info.architecture ?? ''} ${info.device ?? ''} ${info.description ?? ''}`.trim();
  console.log(`adapter: ${adapter}; subgroups: ${be.device.features.has('subgroups')}; defaults ${JSON.stringify(reduceTuning())}`);
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
  const results: Record<string, { best: Cand; gbs: number; baseGbs: number | null }> = {};
  const t0 = performance.now();
  for (const c of await cases(be)) {
    if (only && !c.name.includes(only)) continue;
    console.log(`${c.name}:`);
    results[c.name] = await sweep(be, c, quick ? 4 : 50);
    const r = results[c.name]!;
    console.log(`  best ${JSON.stringify(r.best)}: ${r.gbs.toFixed(0)} GB/s (generic kernels: ${r.baseGbs?.toFixed(0) ?? '-'} GB/s)`);
  }
  console.log(`sweep took ${((performance.now() - t0) / 1e3).toFixed(1)} s`);
  // one parameter set: each parameter from the case it matters most for
  const pick = (name: string, keys: (keyof ReduceTuning)[]): Cand => {
    const r = Object.entries(results).find(([k]) => k.startsWith(name))?.[1]?.best ?? {};
    return Object.fromEntries(keys.filter((k) => k in r).map((k) => [k, r[k]])) as Cand;
  };
  const merged: Cand = {
    ...pick('elementwise', ['ewWg', 'ewVec', 'ewGroups']),
    ...pick('row sum', ['redWg', 'redVec', 'redPerThread', 'subgroups']),
    ...pick('sum', ['targetGroups']),
    ...pick('softmax [16384', ['smKeep', 'smMaxWg', 'smWg']),
    ...pick('softmax [4096', ['smKeepMaxLen', 'smOnlineWg']),
    ...pick('logsumexp [16384', ['lseWg']),
  };
  console.log(JSON.stringify({ adapter, merged, results }));
  mx.shutdown();
}

await main();
