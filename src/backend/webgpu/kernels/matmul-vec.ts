/**
 * @file Matrix-vector kernels for matmuls with few rows (M <= maxRows) or few columns (N <= maxRows), written as
 * out[v, r] = sum_k X[v, k] * W[r, k] for V <= maxRows short vectors X and a long matrix W of R rows. For small M,
 * X = A and W = B^T (so x @ W.T with W [N, K] row-major is the K-contiguous case); for small N, X = B^T and W = A.
 *
 * - W contiguous along K (`rowKernel`): a team of threads per output row walks K with coalesced (vec4 when
 *   aligned f32) loads; the team is a subgroup reduced with subgroupAdd when the device has `subgroups`, else a
 *   fixed group of threads reduced through workgroup memory.
 * - W contiguous along R (`colKernel`): each thread owns 4 adjacent rows (one vec4 load per k), the workgroup's
 *   threads are cut into K slices reduced through workgroup memory, and K is cut into chunks across workgroups whose
 *   partial sums a second dispatch adds (so a 1 x 4096 @ 4096 x 14336 product still fills the GPU).
 */
import * as dt from '../../../core/dtype.js';
import type { Dtype } from '../../../core/dtype.js';
import type { GpuArg, WebGpuBackend } from '../backend.js';
import { PRELUDE, loader } from '../wgsl.js';
import type { MatvecParams } from '../tuning.js';
import { allMultiples, batchOffsets, extraAt, metaOf, type MatProblem } from './matmul-common.js';
import { sumPartials } from './matmul-splitk.js';

/** The problem in matrix-vector form. */
interface VecForm {
  xIsA: boolean;
  V: number;
  R: number;
  sxv: number;
  sxk: number;
  swr: number;
  swk: number;
  ov: number;
  or: number;
}

function vecForm(p: MatProblem): VecForm {
  return p.M <= p.N
    ? { xIsA: true, V: p.M, R: p.N, sxv: p.sam, sxk: p.sak, swr: p.sbn, swk: p.sbk, ov: p.N, or: 1 }
    : { xIsA: false, V: p.N, R: p.M, sxv: p.sbn, sxk: p.sbk, swr: p.sam, swk: p.sak, ov: 1, or: p.N };
}

const pow2 = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

/** How the row kernel reads W: f32 vec4s, eight halves per vec4<u32>, or one element at a time. */
type WMode = 'f32x4' | 'h8' | 'scalar';

/**
 * Shared WGSL head: bindings, loaders (`ldx`/`ldw` per element; `ldx4` for aligned f32 X; `ldw4`/`ldw8` for vector
 * W), and `offsets(batch)` = (X, W) offsets. prm extras: R V sxv sxk swr swk ov or total KC nbatch.
 */
function head(f: VecForm, a: Dtype, b: Dtype, xVec: boolean, w: WMode, nb: number, sub: boolean): string {
  const [xd, wd] = f.xIsA ? [a, b] : [b, a];
  const [xb, wb] = f.xIsA ? ['in0', 'in1'] : ['in1', 'in0'];
  const type = (i: number): string => ((i === 0) === f.xIsA
    ? (xVec ? 'vec4f' : 'u32') : (w === 'f32x4' ? 'vec4f' : w === 'h8' ? 'vec4u' : 'u32'));
  const decl = (i: number): string => `@group(0) @binding(${i}) var<storage, read> in${i}: array<${type(i)}>;`;
  const half = (e: string): string => (wd === dt.float16 ? `unpack2x16float(${e})`
    : `vec2f(bitcast<f32>(${e} << 16u), bitcast<f32>(${e} & 0xffff0000u))`);
  const wl = w === 'f32x4' ? `fn ldw4(i: i32) -> vec4f { return ${wb}[i / 4]; }`
    : w === 'h8' ? `fn ldw8(i: i32) -> mat2x4f {
  let q = ${wb}[i / 8];
  return mat2x4f(vec4f(${half('q.x')}, ${half('q.y')}), vec4f(${half('q.z')}, ${half('q.w')}));
}` : loader('ldw', wb, wd);
  return `${sub ? 'enable subgroups;\ndiagnostic(off, subgroup_uniformity);\n' : ''}${PRELUDE}
${decl(0)}
${decl(1)}
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(3) var<storage, read> prm: array<i32>;
${xVec ? `fn ldx4(i: i32) -> vec4f { return ${xb}[i / 4]; }` : loader('ldx', xb, xd)}
${wl}
const E = ${extraAt(nb)};
fn offsets(batch: i32) -> vec2i {
  var ao = prm[7]; var bo = prm[8];
  ${batchOffsets(nb, 'batch')}
  return ${f.xIsA ? 'vec2i(ao, bo)' : 'vec2i(bo, ao)'};
}`;
}

function rowShader(f: VecForm, a: Dtype, b: Dtype, w: WMode, xVec: boolean, nb: number, mp: MatvecParams, sub: boolean): string {
  const { wg, rowsPerWg: RP } = mp, V = f.V, VW = w === 'f32x4' ? 4 : w === 'h8' ? 8 : 1;
  const ps = Array.from({ length: V }, (_, v) => v);
  const x4 = (v: number, k: string): string => (xVec ? `ldx4(xo + ${v} * sxv + ${k})`
    : `vec4f(${[0, 1, 2, 3].map((q) => `ldx(xo + ${v} * sxv + (${k} + ${q}) * sxk)`).join(', ')})`);
  const accum = w === 'f32x4'
    ? `let w = ldw4(wrow + k);\n${ps.map((v) => `        p${v} += dot(w, ${x4(v, 'k')});`).join('\n')}`
    : w === 'h8'
      ? `let w = ldw8(wrow + k);\n${ps.map((v) => `        p${v} += dot(w[0], ${x4(v, 'k')}) + dot(w[1], ${x4(v, 'k + 4')});`).join('\n')}`
      : `let w = ldw(wrow + k * swk);\n${ps.map((v) => `        p${v} += w * ldx(xo + ${v} * sxv + k * sxk);`).join('\n')}`;
  const team = sub
    ? `let lanes = min(sgs, ${wg}u); let team = tid / lanes; let nteams = ${wg}u / lanes; let lane = tid % lanes;`
    : `let lanes = ${wg / RP}u; let team = tid / lanes; let nteams = ${RP}u; let lane = tid % lanes;`;
  const reduce = sub
    ? ps.map((v) => `p${v} = subgroupAdd(p${v});`).join(' ')
    : ps.map((v) => `red[tid] = p${v}; workgroupBarrier();
      for (var h = lanes / 2u; h > 0u; h >>= 1u) { if (lane < h) { red[tid] += red[tid + h]; } workgroupBarrier(); }
      p${v} = red[tid - lane]; workgroupBarrier();`).join('\n      ');
  return `${head(f, a, b, xVec, w, nb, sub)}
${sub ? '' : `var<workgroup> red: array<f32, ${wg}>;`}
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) tid: u32${sub ? ', @builtin(subgroup_size) sgs: u32' : ''}) {
  let g = i32(wid.x + wid.y * nwg.x);
  if (g >= prm[E + 8]) { return; }
  let M = prm[0]; let N = prm[1]; let K = prm[2];
  let R = prm[E]; let sxv = prm[E + 2]; let sxk = prm[E + 3]; let swr = prm[E + 4]; let swk = prm[E + 5];
  let ov = prm[E + 6]; let orr = prm[E + 7];
  let blocks = (R + ${RP - 1}) / ${RP};
  let batch = g / blocks;
  let r0 = (g % blocks) * ${RP};
  let offs = offsets(batch);
  let xo = offs.x;
  let obase = batch * M * N;
  ${team}
  ${sub ? `for (var rr = team; rr < ${RP}u; rr += nteams) {` : '{ let rr = team; // one row per team: barriers need uniform control flow'}
    let r = r0 + i32(rr);
    ${ps.map((v) => `var p${v} = 0.0;`).join(' ')}
    if (r < R) {
      let wrow = offs.y + r * swr;
      for (var k = i32(lane) * ${VW}; k < K; k += i32(lanes) * ${VW}) {
        ${accum}
      }
    }
    ${reduce}
    if (lane == 0u && r < R) {
      ${ps.map((v) => `out[obase + ${v} * ov + r * orr] = bitcast<u32>(p${v});`).join('\n      ')}
    }
  }
}`;
}

function colShader(f: VecForm, a: Dtype, b: Dtype, vec: boolean, nb: number, mp: MatvecParams): string {
  const { wg, kSlices: KS } = mp, CT = wg / KS, V = f.V, VW = vec ? 4 : 1;
  const T = vec ? 'vec4f' : 'f32';
  const ps = Array.from({ length: V }, (_, v) => v);
  const wload = vec ? 'ldw4(offs.y + r + k * swk)' : 'ldw(offs.y + r * swr + k * swk)';
  const stores = vec
    ? ps.map((v) => `for (var q = 0; q < 4; q++) { out[obase + ${v} * ov + (r + q) * orr] = bitcast<u32>(p${v}[q]); }`)
    : ps.map((v) => `out[obase + ${v} * ov + r * orr] = bitcast<u32>(p${v});`);
  return `${head(f, a, b, false, vec ? 'f32x4' : 'scalar', nb, false)}
var<workgroup> red: array<${T}, ${wg}>;
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) tid: u32) {
  let g = i32(wid.x + wid.y * nwg.x);
  if (g >= prm[E + 8]) { return; }
  let M = prm[0]; let N = prm[1]; let K = prm[2];
  let R = prm[E]; let sxv = prm[E + 2]; let sxk = prm[E + 3]; let swr = prm[E + 4]; let swk = prm[E + 5];
  let ov = prm[E + 6]; let orr = prm[E + 7]; let KC = prm[E + 9]; let nbatch = prm[E + 10];
  let blocks = (R + ${CT * VW - 1}) / ${CT * VW};
  let chunk = g / (nbatch * blocks);
  let gb = g % (nbatch * blocks);
  let batch = gb / blocks;
  let ct = tid % ${CT}u; let s = tid / ${CT}u;
  let r = (gb % blocks) * ${CT * VW} + i32(ct) * ${VW};
  let offs = offsets(batch);
  let xo = offs.x;
  let obase = (chunk * nbatch + batch) * M * N;
  let kbeg = chunk * KC; let kend = min(K, kbeg + KC);
  ${ps.map((v) => `var p${v} = ${T}(0.0);`).join(' ')}
  if (r < R) {
    for (var k = kbeg + i32(s); k < kend; k += ${KS}) {
      let w = ${wload};
      ${ps.map((v) => `p${v} += ldx(xo + ${v} * sxv + k * sxk) * w;`).join('\n      ')}
    }
  }
  ${ps.map((v) => `red[tid] = p${v}; workgroupBarrier();
  for (var h = ${KS / 2}u; h > 0u; h >>= 1u) { if (s < h) { red[tid] += red[tid + h * ${CT}u]; } workgroupBarrier(); }
  if (s == 0u && r < R) { p${v} = red[tid]; ${stores[v]} }
  workgroupBarrier();`).join('\n  ')}
}`;
}

/** Whether these parameters make valid matvec kernels (power-of-two team and slice counts, at most `maxInv`). */
export function matvecValid(mp: MatvecParams, maxInv: number): boolean {
  return pow2(mp.wg) && mp.wg <= maxInv && pow2(mp.rowsPerWg) && mp.rowsPerWg <= mp.wg && pow2(mp.kSlices)
    && mp.kSlices <= mp.wg && mp.maxRows >= 1;
}

/**
 * Encodes out = A @ B for a problem with min(M, N) <= maxRows into `dst` (dense f32, nbatch * M * N; written
 * completely).
 */
export function matvec(be: WebGpuBackend, p: MatProblem, mp: MatvecParams, dst: GpuArg): void {
  const f = vecForm(p);
  const nb = p.batch.length, total = p.nbatch * f.R * f.V;
  if (total === 0) return;
  const [xArg, wArg] = f.xIsA ? [p.a, p.b] : [p.b, p.a];
  const [xbs, wbs] = f.xIsA ? [p.aBatchStrides, p.bBatchStrides] : [p.bBatchStrides, p.aBatchStrides];
  const K = Math.max(p.K, 1);
  const extra = (groups: number, kc: number): number[] =>
    [f.R, f.V, f.sxv, f.sxk, f.swr, f.swk, f.ov, f.or, groups, kc, p.nbatch];
  if (Math.abs(f.swk) <= Math.abs(f.swr) || p.K <= 1) {
    const wf32 = wArg.dtype === dt.float32, whalf = wArg.dtype === dt.float16 || wArg.dtype === dt.bfloat16;
    const w: WMode = p.K === 0 ? 'scalar' : wf32 && f.swk === 1 && allMultiples(4, p.K, f.swr, wArg.offset, ...wbs) ? 'f32x4'
      : whalf && f.swk === 1 && allMultiples(8, p.K, f.swr, wArg.offset, ...wbs) ? 'h8' : 'scalar';
    const xVec = w !== 'scalar' && xArg.dtype === dt.float32 && f.sxk === 1 && allMultiples(4, f.sxv, xArg.offset, ...xbs);
    const sub = mp.subgroups && be.device.features.has('subgroups');
    const groups = p.nbatch * Math.ceil(f.R / mp.rowsPerWg);
    const code = rowShader(f, p.a.dtype, p.b.dtype, w, xVec, nb, mp, sub);
    be.dispatch(code, [p.a.buf, p.b.buf, dst.buf, be.params(metaOf(p, extra(groups, K)))], groups);
    return;
  }
  const vec = p.K > 0 && wArg.dtype === dt.float32 && f.swr === 1 && allMultiples(4, f.R, f.swk, wArg.offset, ...wbs);
  const rowsPerWg = (mp.wg / mp.kSlices) * (vec ? 4 : 1);
  const blocks = p.nbatch * Math.ceil(f.R / rowsPerWg);
  const chunks = mp.kChunk > 0 ? Math.max(1, Math.ceil(p.K / mp.kChunk)) : 1;
  const kc = chunks > 1 ? mp.kChunk : K;
  const code = colShader(f, p.a.dtype, p.b.dtype, vec, nb, mp);
  const part = chunks > 1 ? be.tempArg(dt.float32, [chunks, p.nbatch * p.M * p.N]) : dst;
  be.dispatch(code, [p.a.buf, p.b.buf, part.buf, be.params(metaOf(p, extra(blocks * chunks, kc)))], blocks * chunks);
  if (chunks > 1) sumPartials(be, part.buf, chunks, p.nbatch * p.M * p.N, dst.buf);
}
