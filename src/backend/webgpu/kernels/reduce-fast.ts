/**
 * @file Fast paths of the GPU `reduce` for the common layouts, tried before the generic one-workgroup-per-output
 * kernel of reduce.ts:
 * - rows: the reduced elements of each output are one contiguous run (the last axes, or the whole array). A run
 *   of `tpr` invocations folds one row (vec4 loads when the rows are 16-byte aligned 32-bit data); few long rows
 *   are cut into chunks folded by separate workgroups, then a second small pass folds the chunks' results, so a
 *   full reduction of a large array keeps every multiprocessor busy.
 * - columns: the kept axis is the contiguous one and one (collapsed) strided axis is reduced, e.g. axis 0 of a
 *   matrix. Each invocation owns an output column and walks rows, so a workgroup's loads are coalesced along the
 *   columns; the rows are split among the workgroup's invocations and, when the columns are few, across
 *   workgroups (then a second pass folds the partial results).
 */
import type { Dtype } from '../../../core/dtype.js';
import { sizeOf } from '../../../core/shape.js';
import type { GpuArg, WebGpuBackend } from '../backend.js';
import { PRELUDE, computeType, loader, storeBits } from '../wgsl.js';
import { collapse } from './elementwise.js';
import {
  accDtype, combine, identity, memoShader, rowBaseFn, segCall, segReduceFn, sgHeader, toAcc, useSubgroups, type Mode,
} from './reduce-ops.js';
import { pow2ceil, reduceTuning } from './reduce-tuning.js';

/** Launches per path (tests check that the path they mean to cover really ran). */
export const fastReduceStats = { rows: 0, cols: 0, twoPass: 0 };

/** WGSL of a 32-bit word `w` as the compute type of 32-bit dtype `d`. */
export function wordAs(w: string, d: Dtype): string {
  const t = computeType(d);
  return t === 'f32' ? `bitcast<f32>(${w})` : t === 'i32' ? `bitcast<i32>(${w})` : w;
}

/** Input binding, scalar loader `lde(e)` and, for vec4 inputs, `ldv(q)` folding the q-th vec4. */
function inputDecl(inp: Dtype, vec: boolean, mode: Mode, t: string): string {
  const ti = computeType(inp)!;
  const conv = (v: string): string => toAcc(mode, v, ti, t as 'f32');
  if (!vec) {
    return `@group(0) @binding(0) var<storage, read> in0: array<u32>;
${loader('ld0', 'in0', inp)}
fn lde(e: i32) -> ${t} { return ${conv('ld0(e)')}; }`;
  }
  const l = (c: string): string => conv(wordAs(`w.${c}`, inp));
  return `@group(0) @binding(0) var<storage, read> in0: array<vec4<u32>>;
fn lde(e: i32) -> ${t} { let w = in0[u32(e) >> 2u][u32(e) & 3u]; return ${conv(wordAs('w', inp))}; }
fn ldv(q: i32) -> ${t} { let w = in0[q]; return cmb(cmb(${l('x')}, ${l('y')}), cmb(${l('z')}, ${l('w')})); }`;
}

/** Shader of the row (segment) reduction. prm: [nseg, len, chunks, chunkLen, divisor, offset, kept shape, kept strides]. */
const rowShader = memoShader(function rowShader(mode: Mode, inp: Dtype, acc: Dtype, nk: number, vec: boolean, wg: number, tpr: number, unroll: number, sg: boolean): string {
  const t = computeType(acc)!;
  const h = sgHeader(sg);
  const fin = mode === 'mean' ? `r / f32(prm[4])` : 'r';
  const loads = Array.from({ length: unroll }, (_, k) => `acc = cmb(acc, ldv(b4 + q + ${k * tpr}));`).join(' ');
  const body = vec
    ? `let nv = cnt >> 2;
    let b4 = base >> 2;
    var q = t;
    for (; q + ${(unroll - 1) * tpr} < nv; q += ${unroll * tpr}) { ${loads} }
    for (; q < nv; q += ${tpr}) { acc = cmb(acc, ldv(b4 + q)); }
    for (var e = nv * 4 + t; e < cnt; e += ${tpr}) { acc = cmb(acc, lde(base + e)); }`
    : `for (var e = t; e < cnt; e += ${tpr}) { acc = cmb(acc, lde(base + e)); }`;
  return `${h.enable}
${PRELUDE}
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<storage, read> prm: array<i32>;
fn cmb(a: ${t}, b: ${t}) -> ${t} { return ${combine(mode, t, 'a', 'b')}; }
${inputDecl(inp, vec, mode, t)}
${rowBaseFn(nk, 6, 5)}
${segReduceFn('fold', t, (a, b) => `cmb(${a}, ${b})`, wg, tpr, sg, mode === 'sum' || mode === 'mean')}
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32${h.builtins}) {
  let seg = i32(wid.x + wid.y * nwg.x) * ${wg / tpr} + i32(lid / ${tpr}u);
  let t = i32(lid & ${tpr - 1}u);
  let valid = seg < prm[0];
  var acc = ${identity(mode, t)};
  if (valid) {
    let chunks = prm[2];
    let start = (seg % chunks) * prm[3];
    let cnt = min(start + prm[3], prm[1]) - start;
    let base = row_base(seg / chunks) + start;
    ${body}
  }
  let r = ${segCall('fold', 'acc', sg)};
  if (valid && t == 0) { out[seg] = ${storeBits(fin, acc)}; }
}`;
});

/** Shader of the column reduction. prm: [nOut, nRed, chunks, chunkRows, divisor, offset, rowStride, kept shape, kept strides]. */
const colShader = memoShader(function colShader(mode: Mode, inp: Dtype, acc: Dtype, nk: number, cx: number, ry: number, unroll: number): string {
  const t = computeType(acc)!;
  const fin = mode === 'mean' ? `v / f32(prm[4])` : 'v';
  const loads = Array.from({ length: unroll }, (_, k) => `acc = cmb(acc, lde(base + (r + ${k * ry}) * rs));`).join(' ');
  return `${PRELUDE}
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<storage, read> prm: array<i32>;
fn cmb(a: ${t}, b: ${t}) -> ${t} { return ${combine(mode, t, 'a', 'b')}; }
${inputDecl(inp, false, mode, t)}
${rowBaseFn(nk, 7, 5)}
var<workgroup> sh: array<${t}, ${cx * ry}>;
@compute @workgroup_size(${cx * ry})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let g = i32(wid.x + wid.y * nwg.x);
  let nOut = prm[0];
  let ncb = (nOut + ${cx - 1}) / ${cx};
  let o = (g % ncb) * ${cx} + i32(lid & ${cx - 1}u);
  let chunk = g / ncb;
  let y = i32(lid / ${cx}u);
  let valid = o < nOut && chunk < prm[2];
  var acc = ${identity(mode, t)};
  if (valid) {
    let base = row_base(o);
    let rs = prm[6];
    let r0 = chunk * prm[3];
    let r1 = min(r0 + prm[3], prm[1]);
    var r = r0 + y;
    for (; r + ${(unroll - 1) * ry} < r1; r += ${unroll * ry}) { ${loads} }
    for (; r < r1; r += ${ry}) { acc = cmb(acc, lde(base + r * rs)); }
  }
  sh[lid] = acc;
  workgroupBarrier();
  for (var s = ${ry >> 1}u; s > 0u; s = s >> 1u) {
    if (u32(y) < s) { sh[lid] = cmb(sh[lid], sh[lid + s * ${cx}u]); }
    workgroupBarrier();
  }
  let v = sh[lid];
  if (valid && y == 0) { out[chunk * nOut + o] = ${storeBits(fin, acc)}; }
}`;
});

/** The first pass of a two-pass fold folds partial results: mean's sums are divided only at the end. */
const partialMode = (m: Mode): Mode => (m === 'mean' ? 'sum' : m);

/** Row reduction of `rows` rows of `len` contiguous elements (rows located by kept dims kSh/kSt) into `dst`. */
function rows(be: WebGpuBackend, x: GpuArg, mode: Mode, kSh: number[], kSt: number[], len: number, dst: GpuArg): void {
  const T = reduceTuning(), wg = T.redWg, nRows = sizeOf(kSh);
  const acc = dst.dtype, sg = useSubgroups(be);
  let chunks = 1;
  if (nRows < T.targetGroups) chunks = Math.max(1, Math.min(Math.ceil(T.targetGroups / nRows), Math.floor(len / (wg * T.redPerThread))));
  let chunkLen = len;
  if (chunks > 1) { chunkLen = Math.ceil(len / chunks / 4) * 4; chunks = Math.ceil(len / chunkLen); }
  const vec = x.dtype.size === 4 && x.offset % 4 === 0 && kSt.every((s) => s % 4 === 0);
  const tpr = Math.min(wg, pow2ceil(Math.ceil(chunkLen / T.redPerThread)));
  const launch = (src: GpuArg, m: Mode, sh: number[], st: number[], n: number, ch: number, chLen: number, out: GpuArg, v: boolean, tp: number): void => {
    const nseg = sizeOf(sh) * ch;
    const meta = [nseg, n, ch, chLen, len, src.offset, ...sh, ...st];
    const code = rowShader(m, src.dtype, out.dtype, sh.length, v, wg, tp, T.redVec, sg);
    be.dispatch(code, [src.buf, out.buf, be.params(meta)], Math.ceil(nseg / (wg / tp)));
  };
  fastReduceStats.rows++;
  if (chunks === 1) { launch(x, mode, kSh, kSt, len, 1, len, dst, vec, tpr); return; }
  fastReduceStats.twoPass++;
  const part = be.tempArg(acc, [nRows, chunks]);
  launch(x, partialMode(mode), kSh, kSt, len, chunks, chunkLen, part, vec, tpr);
  const tpr2 = Math.min(wg, pow2ceil(Math.ceil(chunks / 4)));
  launch(part, mode, [nRows], [chunks], chunks, 1, chunks, dst, chunks % 4 === 0 || nRows === 1, tpr2);
}

/** Column reduction: kept dims kSh/kSt (the last of stride 1), one reduced dim of `nRed` rows `rs` apart. */
function cols(be: WebGpuBackend, x: GpuArg, mode: Mode, kSh: number[], kSt: number[], nRed: number, rs: number, dst: GpuArg): void {
  const T = reduceTuning(), wg = T.redWg, nOut = sizeOf(kSh);
  const cx = Math.min(T.colX, wg, pow2ceil(nOut)), ry = wg / cx;
  const ncb = Math.ceil(nOut / cx);
  let chunks = 1;
  if (ncb < T.targetGroups) chunks = Math.max(1, Math.min(Math.ceil(T.targetGroups / ncb), Math.floor(nRed / (ry * 8))));
  const chunkRows = Math.ceil(nRed / chunks);
  chunks = Math.ceil(nRed / chunkRows);
  const launch = (src: GpuArg, m: Mode, sh: number[], st: number[], n: number, stride: number, ch: number, chR: number, out: GpuArg): void => {
    const meta = [sizeOf(sh), n, ch, chR, nRed, src.offset, stride, ...sh, ...st];
    be.dispatch(colShader(m, src.dtype, out.dtype, sh.length, cx, ry, T.redVec), [src.buf, out.buf, be.params(meta)], ncb * ch);
  };
  fastReduceStats.cols++;
  if (chunks === 1) { launch(x, mode, kSh, kSt, nRed, rs, 1, nRed, dst); return; }
  fastReduceStats.twoPass++;
  const part = be.tempArg(dst.dtype, [chunks, nOut]);
  launch(x, partialMode(mode), kSh, kSt, nRed, rs, chunks, chunkRows, part);
  launch(part, mode, [nOut], [1], chunks, nOut, 1, chunks, dst);
}

/**
 * Encodes `mode` of `x` over `axes` into `dst` (dense, the 32-bit accumulator dtype, the output's shape) when a
 * fast layout applies; returns false (nothing encoded) otherwise.
 */
export function fastReduce(be: WebGpuBackend, x: GpuArg, mode: Mode, axes: readonly number[], dst: GpuArg): boolean {
  if (!computeType(x.dtype) || dst.dtype !== accDtype(mode, dst.dtype)) return false;
  const kept = x.shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const [kSh, [kSt]] = collapse(kept.map((d) => x.shape[d]!), [kept.map((d) => x.strides[d]!)]);
  const [rSh, [rSt]] = collapse(axes.map((d) => x.shape[d]!), [axes.map((d) => x.strides[d]!)]);
  if (rSh.length !== 1 || sizeOf(kSh) === 0) return false;
  if (rSt![0] === 1) { rows(be, x, mode, kSh, kSt!, rSh[0]!, dst); return true; }
  // (an empty reduced axis along columns: the generic kernel; the column split divides by the row count)
  if (kSh.length >= 1 && kSt![kSt!.length - 1] === 1 && rSh[0]! > 0) { cols(be, x, mode, kSh, kSt!, rSh[0]!, rSt![0]!, dst); return true; }
  return false;
}
