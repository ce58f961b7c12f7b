/**
 * @file Fast softmax and logsumexp over contiguous rows (the last axis, or trailing axes that are one contiguous
 * run), computed in f32 whatever the float input (the precise mode; narrower outputs are narrowed afterwards by
 * the caller). A run of `tpr` invocations handles a row:
 * - softmax, rows that fit the invocations' registers (`smKeep` vec4 each): one read and one write per element;
 *   the row's values stay in registers between the max, the sum of exponentials and the scaled store.
 * - longer rows, and logsumexp: each invocation keeps an online (max, sum of exp(x - max)) pair over its slice,
 *   rescaling the sum when the max grows; the pairs are combined across the run. Softmax then reads the row again
 *   to write it (two reads, one write); logsumexp writes one value.
 * Specials follow the CPU kernels: a NaN or infinite max is logsumexp's result; softmax of a row of -inf or with
 * +inf or NaN gives NaN, as exp(x - max) / sum does there.
 */
import type { Dtype } from '../../../core/dtype.js';
import { sizeOf } from '../../../core/shape.js';
import type { GpuArg, WebGpuBackend } from '../backend.js';
import { PRELUDE, computeType, loader } from '../wgsl.js';
import { collapse } from './elementwise.js';
import { memoShader, rowBaseFn, segCall, segReduceFn, sgHeader, useSubgroups } from './reduce-ops.js';
import { pow2ceil, reduceTuning } from './reduce-tuning.js';

type Kind = 'keep' | 'online' | 'lse';

/** Launches per path (tests check that the path they mean to cover really ran). */
export const fastSoftmaxStats = { keep: 0, online: 0, lse: 0 };

/** WGSL of the shader. prm: [rows, len, offset, outer shape[nk], outer strides[nk]]. */
const shader = memoShader(function shader(kind: Kind, inp: Dtype, nk: number, vec: boolean, wg: number, tpr: number, keep: number, sg: boolean): string {
  const h = sgHeader(sg);
  const VT = vec ? 'vec4f' : 'f32';
  const hmax = vec ? 'mx(mx(v.x, v.y), mx(v.z, v.w))' : 'v';
  const hsum = vec ? '(v.x + v.y + v.z + v.w)' : 'v';
  const input = vec
    ? `@group(0) @binding(0) var<storage, read> in0: array<vec4<u32>>;
fn ldu(base: i32, q: i32) -> vec4f { return bitcast<vec4f>(in0[(base >> 2) + q]); }`
    : `@group(0) @binding(0) var<storage, read> in0: array<u32>;
${loader('ld0', 'in0', inp)}
fn ldu(base: i32, q: i32) -> f32 { return ld0(base + q); }`;
  const output = kind === 'lse' || !vec
    ? `@group(0) @binding(1) var<storage, read_write> out: array<u32>;
fn st(row: i32, q: i32, v: f32) { out[row * prm[1] + q] = bitcast<u32>(v); }`
    : `@group(0) @binding(1) var<storage, read_write> out: array<vec4<u32>>;
fn st(row: i32, q: i32, v: vec4f) { out[row * (prm[1] >> 2) + q] = bitcast<vec4<u32>>(v); }`;
  const fold = (name: string, op: (a: string, b: string) => string, sum: boolean): string =>
    segReduceFn(name, 'f32', op, wg, tpr, sg, sum);
  let body: string;
  if (kind === 'keep') {
    // unrolled with one variable per slot: a dynamically indexed array could be placed in (slow) local memory
    const ks = Array.from({ length: keep }, (_, k) => k);
    const each = (f: (k: number) => string): string => ks.map(f).join('\n    ');
    body = `var m = -f_inf();
  ${ks.map((k) => `let q${k} = t + ${k * tpr}; var x${k} = ${VT}(0.0);`).join(' ')}
  if (valid) {
    ${each((k) => `if (q${k} < units) { let v = ldu(base, q${k}); x${k} = v; m = mx(m, ${hmax}); }`)}
  }
  let top = ${segCall('fold_max', 'm', sg)};
  var s = 0.0;
  if (valid) {
    ${each((k) => `if (q${k} < units) { let v = exp(x${k} - ${VT}(top)); x${k} = v; s += ${hsum}; }`)}
  }
  let inv = 1.0 / ${segCall('fold_sum', 's', sg)};
  if (valid) {
    ${each((k) => `if (q${k} < units) { st(row, q${k}, x${k} * inv); }`)}
  }`;
  } else {
    const tail = kind === 'lse'
      ? `let total = ${segCall('fold_sum', 'sc', sg)};
  if (valid && t == 0) { out[row] = bitcast<u32>(select(top + log(total), top, is_nan(top) || is_inf(top))); }`
      : `let inv = 1.0 / ${segCall('fold_sum', 'sc', sg)};
  if (valid) { for (var q = t; q < units; q += ${tpr}) { st(row, q, exp(ldu(base, q) - ${VT}(top)) * inv); } }`;
    body = `var m = -f_inf();
  var s = 0.0;
  if (valid) {
    for (var q = t; q < units; q += ${tpr}) {
      let v = ldu(base, q);
      let vm = ${hmax};
      if (vm > m || is_nan(vm)) { s = s * exp(m - vm); m = vm; }
      if (m > -f_inf()) { let v2 = exp(v - ${VT}(m)); s += ${hsum.replace(/v\./g, 'v2.').replace(/^v$/, 'v2')}; }
    }
  }
  let top = ${segCall('fold_max', 'm', sg)};
  // a slice whose sum is 0 (nothing above -inf) adds nothing, even where its max minus the top is NaN
  let sc = select(0.0, s * exp(m - top), s != 0.0);
  ${tail}`;
  }
  return `${h.enable}
${PRELUDE}
@group(0) @binding(2) var<storage, read> prm: array<i32>;
${input}
${output}
fn mx(a: f32, b: f32) -> f32 { return select(b, a, a > b || is_nan(a)); }
${rowBaseFn(nk, 3, 2)}
${fold('fold_max', (a, b) => `mx(${a}, ${b})`, false)}
${fold('fold_sum', (a, b) => `${a} + ${b}`, true)}
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32${h.builtins}) {
  let row = i32(wid.x + wid.y * nwg.x) * ${wg / tpr} + i32(lid / ${tpr}u);
  let t = i32(lid & ${tpr - 1}u);
  let valid = row < prm[0];
  let units = prm[1] / ${vec ? 4 : 1};
  var base = 0;
  if (valid) { base = row_base(row); }
  ${body}
}`;
});

/** Rows of `x` reduced over `axes` when they form contiguous runs: [outer shape, outer strides, len] or null. */
function rowsOf(x: GpuArg, axes: readonly number[]): [number[], number[], number] | null {
  if (!computeType(x.dtype) || computeType(x.dtype) !== 'f32' || axes.length === 0) return null;
  const kept = x.shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const [kSh, [kSt]] = collapse(kept.map((d) => x.shape[d]!), [kept.map((d) => x.strides[d]!)]);
  const [rSh, [rSt]] = collapse(axes.map((d) => x.shape[d]!), [axes.map((d) => x.strides[d]!)]);
  if (sizeOf(kSh) === 0) return null;
  // every reduced dim of size 1: rows of one element
  if (rSh.length === 0) return [kSh, kSt!, 1];
  if (rSh.length !== 1 || rSt![0] !== 1 || rSh[0] === 0) return null;
  return [kSh, kSt!, rSh[0]!];
}

function launch(be: WebGpuBackend, kind: Kind, x: GpuArg, kSh: number[], kSt: number[], len: number, dst: GpuArg): void {
  const T = reduceTuning(), sg = useSubgroups(be), rows = sizeOf(kSh);
  const maxWg = Math.min(T.smMaxWg, be.device.limits.maxComputeInvocationsPerWorkgroup);
  const vec = x.dtype.size === 4 && len % 4 === 0 && x.offset % 4 === 0 && kSt.every((s) => s % 4 === 0);
  const units = vec ? len / 4 : len;
  const keepSlots = vec ? T.smKeep : T.smKeep * 4;
  let k = kind, tpr: number, keep = 0, wg: number;
  if (k === 'keep' && len <= T.smKeepMaxLen && pow2ceil(Math.ceil(units / keepSlots)) <= maxWg) {
    tpr = pow2ceil(Math.ceil(units / keepSlots));
    keep = Math.ceil(units / tpr);
    wg = Math.max(tpr, Math.min(T.smWg, maxWg));
  } else {
    if (k === 'keep') k = 'online';
    const w = Math.min(k === 'lse' ? T.lseWg : T.smOnlineWg, maxWg);
    tpr = Math.min(w, pow2ceil(Math.ceil(units / 4)));
    wg = Math.max(tpr, w);
  }
  fastSoftmaxStats[k]++;
  const meta = [rows, len, x.offset, ...kSh, ...kSt];
  be.dispatch(shader(k, x.dtype, kSh.length, vec, wg, tpr, keep, sg), [x.buf, dst.buf, be.params(meta)], Math.ceil(rows / (wg / tpr)));
}

/** Softmax of `x` over its last axis into dense float32 `dst`; false (nothing encoded) when the layout does not fit. */
export function fastSoftmax(be: WebGpuBackend, x: GpuArg, dst: GpuArg): boolean {
  const r = rowsOf(x, [x.shape.length - 1]);
  if (!r) return false;
  launch(be, 'keep', x, r[0], r[1], r[2], dst);
  return true;
}

/** logsumexp of `x` over `axes` into dense float32 `dst` when the reduced elements are contiguous runs. */
export function fastLogsumexp(be: WebGpuBackend, x: GpuArg, axes: readonly number[], dst: GpuArg): boolean {
  const r = rowsOf(x, axes);
  if (!r) return false;
  launch(be, 'lse', x, r[0], r[1], r[2], dst);
  return true;
}
