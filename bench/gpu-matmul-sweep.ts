/**
 * @file Matmul parameter sweep on the GPU at hand. For each case (f32 4096^3, 1024^3, decode matvec in both weight
 * layouts, a batched product, a split-K shape) it tries a grid of kernel parameters: each candidate is first checked
 * against the plain reference kernel on an odd transposed shape and on sampled entries of the timed shape, then
 * timed (warm-up, then `iters` products encoded back to back and one sync; median of `reps`). Prints a table per case
 * and a last line `TUNING_JSON {...}`: the best parameters, in the shape of tuning.ts's table entries.
 *
 * Run: `node dist/bench/gpu-matmul-sweep.js` (hardware GPU, about 2-3 minutes), or with `--quick` on a software
 * adapter (small shapes, few candidates). `--sgmatrix` also asks for the subgroup-matrix feature.
 */
import * as mx from '../src/index.js';
import {
  DEFAULT_TUNING, gpuTuning, setGpuTuning, type GpuTuningOverride, type MatvecParams, type SplitKParams, type TiledParams,
} from '../src/backend/webgpu/tuning.js';
import { matmulPathCounts, type MatmulPath } from '../src/backend/webgpu/kernels/matmul.js';

const quick = process.argv.includes('--quick');
const sgm = process.argv.includes('--sgmatrix');
const gpu = { stream: mx.gpu };
const REPS = quick ? 2 : 5;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
let seed = 100;
const rnd = (shape: number[], d: mx.Dtype = mx.float32): mx.MxArray =>
  mx.astype(mx.random.normal(shape, mx.float32, { key: mx.random.key(seed++), ...gpu }), d, gpu);

interface Case {
  name: string;
  /** Operands; `b` may be a transposed view. */
  make: () => [mx.MxArray, mx.MxArray];
  flops: number;
  /** Bytes of the large operand (matvec: bandwidth is what counts). */
  bytes: number;
  iters: number;
  /** Accepted error relative to |a| @ |b| (default 1e-4; half-precision outputs round to 2^-8). */
  tol?: number;
}

/** `a @ b` (flattened, `idx` entries only when given) computed under tuning `t` and read back. */
async function product(a: mx.MxArray, b: mx.MxArray, t: GpuTuningOverride, idx: mx.MxArray | null): Promise<Float32Array> {
  setGpuTuning(null); setGpuTuning(t);
  try {
    const y = mx.astype(mx.reshape(mx.matmul(a, b, gpu), [-1], gpu), mx.float32, gpu);
    const z = idx ? mx.take(y, idx, gpu) : y;
    const v = (await z.data()) as Float32Array; // evaluated here, under `t` (kernels are chosen when they run)
    mx.dispose([y, z]);
    return v;
  } finally {
    setGpuTuning(null);
  }
}

/** The plain kernel's a @ b and |a| @ |b| (the error scale) at `idx`. */
async function reference(a: mx.MxArray, b: mx.MxArray, idx: mx.MxArray | null): Promise<[Float32Array, Float32Array]> {
  const aa = mx.abs(a, gpu), ab = mx.abs(b, gpu);
  const r = [await product(a, b, { force: 'plain' }, idx), await product(aa, ab, { force: 'plain' }, idx)] as [Float32Array, Float32Array];
  mx.dispose([aa, ab]);
  return r;
}

/** Max |candidate - reference| / (|a| @ |b|) over the entries of `ref`. */
async function check(a: mx.MxArray, b: mx.MxArray, cand: GpuTuningOverride, idx: mx.MxArray | null, ref: [Float32Array, Float32Array]): Promise<number> {
  const y = await product(a, b, cand, idx);
  let worst = 0;
  for (let i = 0; i < y.length; i++) {
    const e = Math.abs(y[i]! - ref[0][i]!) / (ref[1][i]! + 1e-30);
    worst = Number.isNaN(e) ? Infinity : Math.max(worst, e);
  }
  return worst;
}

/** Median seconds per product of `c` under tuning `t`. */
async function time(c: Case, a: mx.MxArray, b: mx.MxArray, t: GpuTuningOverride): Promise<number> {
  setGpuTuning(null); setGpuTuning(t);
  const warm = mx.matmul(a, b, gpu);
  await mx.eval(warm);
  mx.dispose(warm);
  const runs: number[] = [];
  // the reference kernel is slow: fewer products keep the sweep short
  const iters = t.force === 'plain' ? Math.max(2, Math.ceil(c.iters / 10)) : c.iters;
  for (let r = 0; r < REPS; r++) {
    const t0 = performance.now();
    const ys: mx.MxArray[] = [];
    for (let i = 0; i < iters; i++) ys.push(mx.matmul(a, b, gpu));
    await mx.eval(ys);
    runs.push((performance.now() - t0) / 1000 / iters);
    mx.dispose(ys);
  }
  setGpuTuning(null);
  return median(runs);
}

interface Row { label: string; t: GpuTuningOverride; s: number; err: number; path: string }

/** Checks then times every candidate for one case; returns the rows sorted fastest first (failed ones last). */
async function sweep(c: Case, cands: [string, GpuTuningOverride][], odd: () => [mx.MxArray, mx.MxArray]): Promise<Row[]> {
  const [a, b] = c.make();
  const [oa, ob] = odd();
  await mx.eval(a, b, oa, ob);
  const probe = mx.matmul(a, b, gpu), n = probe.size;
  mx.dispose(probe);
  const idx = mx.random.randint(0, n, [512], mx.int32, { key: mx.random.key(7), ...gpu });
  const refOdd = await reference(oa, ob, null), refBig = await reference(a, b, idx);
  const rows: Row[] = [];
  for (const [label, t] of cands) {
    const before = { ...matmulPathCounts };
    let err: number, s = NaN;
    try {
      err = Math.max(await check(oa, ob, t, null, refOdd), await check(a, b, t, idx, refBig));
      const path = (Object.keys(matmulPathCounts) as MatmulPath[]).filter((k) => matmulPathCounts[k] > before[k] && k !== 'plain').join('+') || 'plain';
      if (err < (c.tol ?? 1e-4)) s = await time(c, a, b, t);
      rows.push({ label, t, s, err, path });
    } catch (e) {
      rows.push({ label: `${label} (${(e as Error).message.slice(0, 60)})`, t, s: NaN, err: Infinity, path: '-' });
    }
    const r = rows[rows.length - 1]!;
    const rate = c.flops > 2 * c.bytes ? `${(c.flops / r.s / 1e12).toFixed(2)} TFLOP/s` : `${(c.bytes / r.s / 1e9).toFixed(0)} GB/s`;
    console.log(`  ${r.label.padEnd(44)} ${r.path.padEnd(14)} err ${r.err.toExponential(1).padStart(8)}  ${Number.isNaN(r.s) ? 'skipped' : `${(r.s * 1e3).toFixed(3)} ms  ${rate}`}`);
  }
  mx.dispose([a, b, oa, ob, idx]);
  return rows.sort((x, y) => (Number.isNaN(x.s) ? 1 : Number.isNaN(y.s) ? -1 : x.s - y.s));
}

function tiledGrid(maxInv: number, maxShared: number): TiledParams[] {
  const out: TiledParams[] = [];
  const shapes: [number, number, number, number][] = quick
    ? [[32, 32, 4, 4], [64, 64, 4, 4], [64, 64, 8, 8]]
    : [[64, 64, 4, 4], [64, 64, 8, 8], [128, 64, 8, 8], [64, 128, 8, 8], [128, 128, 8, 8], [128, 128, 8, 4],
      [128, 128, 4, 8], [128, 256, 8, 8], [256, 128, 8, 8], [128, 128, 16, 8]];
  for (const [bm, bn, tm, tn] of shapes) {
    for (const bk of quick ? [16] : [8, 16, 32]) {
      for (const group of quick ? [1] : [1, 8]) {
        const nt = (bm / tm) * (bn / tn);
        if (nt > maxInv || (bm + bn) * bk * 4 > maxShared) continue;
        if (group === 8 && bk !== 16) continue;
        out.push({ bm, bn, bk, tm, tn, vec4: true, group });
        if (group === 1 && bk === 16) out.push({ bm, bn, bk, tm, tn, vec4: true, group, prefetch: false });
      }
    }
  }
  return out;
}
const tlabel = (p: TiledParams): string => `tiled ${p.bm}x${p.bn}x${p.bk} ${p.tm}x${p.tn} g${p.group ?? 1}${p.prefetch === false ? ' nopf' : ''}`;
const forceTiled = (p: TiledParams): GpuTuningOverride => ({ force: 'tiled', tiled: p, tiledSmall: p, smallBelowGroups: 0 });

async function main(): Promise<void> {
  if (!(await mx.initGpu({ allowSoftware: quick, subgroupMatrix: sgm } as mx.GpuInitOptions))) {
    console.log('no GPU'); return;
  }
  const info = mx.deviceInfo(mx.gpu);
  console.log(`adapter: ${info.vendor} / ${info.architecture} / ${info.device} / ${info.description}`);
  console.log(`features: ${info.features?.join(' ')}`);
  const lim = info.limits!;
  const grid = tiledGrid(lim['maxComputeInvocationsPerWorkgroup']!, lim['maxComputeWorkgroupStorageSize']!);
  const S = quick ? 256 : 4096, s = quick ? 128 : 1024, KV = quick ? 256 : 4096, NV = quick ? 1024 : 14336;
  const odd = (): [mx.MxArray, mx.MxArray] => [mx.swapaxes(rnd([93, 67]), 0, 1, gpu), mx.swapaxes(rnd([131, 93]), 0, 1, gpu)];
  const oddRow = (): [mx.MxArray, mx.MxArray] => [rnd([1, 93]), mx.swapaxes(rnd([131, 93]), 0, 1, gpu)];
  const best: GpuTuningOverride = {};
  const summary: string[] = [];
  const sgmOk = /: ok/.test(info.subgroupMatrix?.status ?? '');
  if (sgm) console.log(`subgroup matrix: ${JSON.stringify(info.subgroupMatrix)}`);
  const baseline = (c: Case): [string, GpuTuningOverride][] => [
    ['plain (reference kernel)', { force: 'plain' }], ['current table (auto)', { subgroupMatrix: false }],
    ...(sgmOk && c.bytes === 0 ? [['subgroup matrix', { force: 'sgmatrix' }] as [string, GpuTuningOverride]] : []),
  ];

  // 1. large square
  const big: Case = { name: `f32 ${S}^3`, make: () => [rnd([S, S]), rnd([S, S])], flops: 2 * S ** 3, bytes: 0, iters: quick ? 2 : 20 };
  console.log(`\n== ${big.name}`);
  const rb = await sweep(big, [...baseline(big), ...grid.map((p): [string, GpuTuningOverride] => [tlabel(p), forceTiled(p)])], odd);
  const bestBig = rb.find((r) => r.label.startsWith('tiled'));
  if (bestBig) best.tiled = bestBig.t.tiled as TiledParams;
  summary.push(`${big.name}: ${rb[0]!.label} ${(big.flops / rb[0]!.s / 1e12).toFixed(2)} TFLOP/s`);

  // 2. medium square: its best becomes tiledSmall below the group count the large tiles would give it
  const mid: Case = { name: `f32 ${s}^3`, make: () => [rnd([s, s]), rnd([s, s])], flops: 2 * s ** 3, bytes: 0, iters: quick ? 2 : 50 };
  console.log(`\n== ${mid.name}`);
  const rm = await sweep(mid, [...baseline(mid), ...grid.map((p): [string, GpuTuningOverride] => [tlabel(p), forceTiled(p)])], odd);
  const bestMid = rm.find((r) => r.label.startsWith('tiled'));
  if (bestMid && best.tiled) {
    best.tiledSmall = bestMid.t.tiled as TiledParams;
    best.smallBelowGroups = Math.ceil(s / best.tiled.bm!) * Math.ceil(s / best.tiled.bn!) + 1;
  }
  summary.push(`${mid.name}: ${rm[0]!.label} ${(mid.flops / rm[0]!.s / 1e12).toFixed(2)} TFLOP/s`);

  // 3. decode matvec, both weight layouts
  const mvGrid: Partial<MatvecParams>[] = [];
  for (const wg of quick ? [256] : [128, 256]) {
    for (const rowsPerWg of quick ? [8] : [4, 8, 16]) for (const subgroups of [true, false]) mvGrid.push({ wg, rowsPerWg, subgroups });
  }
  const colGrid: Partial<MatvecParams>[] = [];
  for (const kSlices of quick ? [8] : [4, 8, 16, 32]) for (const kChunk of quick ? [0, 64] : [0, 256, 512, 1024]) colGrid.push({ kSlices, kChunk });
  const mvLabel = (m: Partial<MatvecParams>): string => `matvec ${Object.entries(m).map(([k, v]) => `${k}=${v}`).join(' ')}`;
  const wT: Case = { name: `x @ W.T, x [1,${KV}], W [${NV},${KV}]`, make: () => [rnd([1, KV]), mx.swapaxes(rnd([NV, KV]), 0, 1, gpu)],
    flops: 2 * KV * NV, bytes: 4 * KV * NV, iters: quick ? 2 : 200 };
  console.log(`\n== ${wT.name}`);
  const rw = await sweep(wT, [...baseline(wT), ...mvGrid.map((m): [string, GpuTuningOverride] => [mvLabel(m), { matvec: m }])], oddRow);
  const bw = rw.find((r) => r.label.startsWith('matvec'));
  summary.push(`${wT.name}: ${rw[0]!.label} ${(wT.bytes / rw[0]!.s / 1e9).toFixed(0)} GB/s`);
  const wH: Case = { name: `bf16 x @ W.T, W [${NV},${KV}]`, make: () => [rnd([1, KV], mx.bfloat16), mx.swapaxes(rnd([NV, KV], mx.bfloat16), 0, 1, gpu)],
    flops: 2 * KV * NV, bytes: 2 * KV * NV, iters: quick ? 2 : 200, tol: 1e-2 };
  console.log(`\n== ${wH.name} (informational)`);
  const rh = await sweep(wH, [...baseline(wH), ...mvGrid.filter((m) => m.subgroups).map((m): [string, GpuTuningOverride] => [mvLabel(m), { matvec: m }])], oddRow);
  summary.push(`${wH.name}: ${rh[0]!.label} ${(wH.bytes / rh[0]!.s / 1e9).toFixed(0)} GB/s`);
  const wN: Case = { name: `x @ B, x [1,${KV}], B [${KV},${NV}]`, make: () => [rnd([1, KV]), rnd([KV, NV])],
    flops: 2 * KV * NV, bytes: 4 * KV * NV, iters: quick ? 2 : 200 };
  console.log(`\n== ${wN.name}`);
  const rn = await sweep(wN, [...baseline(wN), ...colGrid.map((m): [string, GpuTuningOverride] => [mvLabel(m), { matvec: m }])],
    (): [mx.MxArray, mx.MxArray] => [rnd([1, 93]), rnd([93, 131])]);
  const bn = rn.find((r) => r.label.startsWith('matvec'));
  best.matvec = { ...(bw?.t.matvec ?? {}), ...(bn?.t.matvec ?? {}) };
  summary.push(`${wN.name}: ${rn[0]!.label} ${(wN.bytes / rn[0]!.s / 1e9).toFixed(0)} GB/s`);

  // 4. batched (attention-like) with the best large and medium tiles
  const B = quick ? 2 : 32, L = quick ? 64 : 512, D = quick ? 32 : 128;
  const bat: Case = { name: `batched [${B},${L},${D}] @ [${B},${D},${L}]`, make: () => [rnd([B, L, D]), mx.swapaxes(rnd([B, L, D]), 1, 2, gpu)],
    flops: 2 * B * L * L * D, bytes: 0, iters: quick ? 2 : 50 };
  console.log(`\n== ${bat.name}`);
  const picks = [...new Map([bestBig, bestMid, ...rb.slice(1, 4)].filter((r): r is Row => !!r && r.label.startsWith('tiled')).map((r) => [r.label, r])).values()];
  const rbat = await sweep(bat, [...baseline(bat), ...picks.map((r): [string, GpuTuningOverride] => [r.label, r.t])], odd);
  summary.push(`${bat.name}: ${rbat[0]!.label} ${(bat.flops / rbat[0]!.s / 1e12).toFixed(2)} TFLOP/s`);

  // 5. split-K: small output, long K
  const SM = quick ? 32 : 256, SK = quick ? 2048 : 16384;
  const spl: Case = { name: `split-K ${SM}x${SM}x${SK}`, make: () => [rnd([SM, SK]), rnd([SK, SM])], flops: 2 * SM * SM * SK, bytes: 0, iters: quick ? 2 : 50 };
  console.log(`\n== ${spl.name}`);
  const skGrid: Partial<SplitKParams>[] = [];
  for (const targetGroups of quick ? [64] : [132, 264, 528, 1056]) for (const minChunk of quick ? [256] : [256, 1024]) skGrid.push({ targetGroups, minChunk, maxOutputs: 1 << 30, minK: 0 });
  const rs = await sweep(spl, [...baseline(spl), ['tiled, no split', { splitK: { maxOutputs: 0 }, subgroupMatrix: false }],
    ...skGrid.map((m): [string, GpuTuningOverride] => [`splitK target=${m.targetGroups} chunk>=${m.minChunk}`, { force: 'splitk', splitK: m }])], odd);
  const bs = rs.find((r) => r.label.startsWith('splitK'));
  const noSplit = rs.find((r) => r.label.startsWith('tiled, no split'));
  if (bs && noSplit && bs.s < noSplit.s) {
    best.splitK = { targetGroups: bs.t.splitK!.targetGroups!, minChunk: bs.t.splitK!.minChunk!, maxOutputs: Math.max(DEFAULT_TUNING.splitK.maxOutputs, SM * SM) };
  } else best.splitK = { maxOutputs: 0 };
  summary.push(`${spl.name}: ${rs[0]!.label} ${(spl.flops / rs[0]!.s / 1e12).toFixed(2)} TFLOP/s`);

  if (sgmOk) {
    const rows = [rb, rm, rbat].map((r) => r.find((x) => x.label === 'subgroup matrix'));
    const sg = rows[0], tb = rb.find((r) => r.label.startsWith('tiled'));
    best.subgroupMatrix = !!sg && sg.err < 1e-4 && (!tb || sg.s < tb.s);
    console.log(`\nsubgroup matrix: ${rows.map((r) => (r ? `${r.err < 1e-4 ? 'matches' : 'DIFFERS from'} the reference, ${(r.s * 1e3).toFixed(3)} ms` : '-')).join(' | ')}`);
  }
  console.log('\n== best per case');
  for (const l of summary) console.log(`  ${l}`);
  console.log(`defaults in force before the sweep: ${JSON.stringify(gpuTuning())}`);
  console.log(`TUNING_JSON ${JSON.stringify({ match: { vendor: info.vendor, architecture: info.architecture, device: info.device }, tuning: best })}`);
  mx.shutdown();
}

void main();
