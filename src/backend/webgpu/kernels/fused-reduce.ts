/**
 * @file The GPU kernel of `fusedReduce`: an mx.compile elementwise chain whose value is folded over its trailing
 * axes (sum/prod/max/min/mean) in the same shader, so the chain's values are never written to memory. One
 * generated shader per chain: a run of `tpr` invocations owns one row (or one chunk of a long row), computes the
 * chain at each of its elements (inputs loaded through broadcast strides: the row's base from the kept dims, the
 * element's offset from the collapsed reduced dims), folds in registers, then across the run (subgroup shuffles
 * when the device has them, else workgroup memory). Rows are cut into chunks when there are too few of them to
 * fill the GPU (a full reduction is one row); a small second pass then folds each row's chunk results in order,
 * so a full reduction takes two dispatches and a row reduction one. A post chain on the reduced values
 * (rsqrt(mean + eps)) runs before the store, in whichever pass stores.
 * Declines (the node then runs on the CPU kernel) on a float64 chain, a chain step without WGSL, reduced axes that
 * are not trailing, or more inputs than storage bindings.
 */
import * as dt from '../../../core/dtype.js';
import type { Dtype } from '../../../core/dtype.js';
import type { Node } from '../../../core/array.js';
import type { FusedReduceParams } from '../../../core/primitives/compiled.js';
import { broadcastShapes, sizeOf } from '../../../core/shape.js';
import type { ArrayData } from '../../backend.js';
import type { WebGpuBackend } from '../backend.js';
import { gpuBackend } from '../index.js';
import type { FusedParams } from '../../../core/primitives/compiled.js';
import type { GpuArg } from '../backend.js';
import { PRELUDE, computeType, loader } from '../wgsl.js';
import type { GpuKernel } from './kernel.js';
import { BINARY_PRELUDE } from './elementwise-defs.js';
import { broadcastStrides, collapse } from './elementwise.js';
import { chainSteps } from './fused-steps.js';
import { combine, identity, segCall, segReduceFn, sgHeader, useSubgroups, type Mode } from './reduce-ops.js';
import { pow2ceil, reduceTuning } from './reduce-tuning.js';

/** Launches of this kernel and how many needed a second pass (tests check which path ran). */
export const fusedReduceStats = { launches: 0, twoPass: 0 };

/** Fixed slots at the start of the parameters: [segments, row length, chunks per row, chunk length, NaN bits]. */
const HEAD = 5;
/** Workgroup size of the second pass. */
const WG2 = 64;
/** Float32 NaN's bits as an i32 parameter. */
const NAN_BITS = 0x7fc00000;

/** WGSL pieces of a chain evaluated along rows: see `chainWalk`. */
export interface ChainWalk {
  /** Input bindings 0..nIn-1 and their loaders. */
  decls: string;
  /** Statements setting `b<j>`, the row's base offset in input j, from the row index in `rem` (a var). */
  rowBase: string;
  /** Statements evaluating the chain at element `e` of the row (a var `q` is free); its value is `res`. */
  at: string;
  res: string;
}

/**
 * WGSL of a chain over rows with `nk` kept and `nl` reduced (collapsed) dims, reading parameters laid out by
 * `rowLayout` (after `head` fixed slots), or null when a step has no WGSL. The chain's inputs are the node's
 * unless `bind` maps them.
 *
 * @example
 * ```ts
 * const w = chainWalk(p.chain, kSh.length, lSh.length, 4)!;
 * ```
 */
export function chainWalk(c: FusedParams, nk: number, nl: number, head: number, bind?: WalkInputs): ChainWalk | null {
  const body = chainSteps(c);
  if (!body) return null;
  const dtypes = bind?.dtypes ?? c.inDtypes, map = bind?.map ?? c.inDtypes.map((_, j) => j);
  const N = dtypes.length;
  const ks = head, kst = (j: number): number => head + nk + j * nk, off = (j: number): number => head + nk + N * nk + j;
  const ls = head + nk + N * nk + N, lst = (j: number): number => ls + nl + j * nl;
  const each = (f: (j: number) => string): string => Array.from({ length: N }, (_, j) => f(j)).join(' ');
  const decls = dtypes.map((d, j) => `@group(0) @binding(${j}) var<storage, read> in${j}: array<u32>;\n${loader(`ld${j}`, `in${j}`, d)}`);
  // the row's base offset in every input, from its index over the kept dims (row-major)
  const rowBase = [each((j) => `var b${j} = prm[${off(j)}];`)];
  for (let d = nk - 1; d >= 0; d--) {
    rowBase.push(`{ let i = ${d ? `rem % prm[${ks + d}]` : 'rem'};${d ? ` rem = rem / prm[${ks + d}];` : ''} ${each((j) => `b${j} += i * prm[${kst(j) + d}];`)} }`);
  }
  // the element's offset within the row, from its index over the reduced dims
  const at = ['q = e;', each((j) => `var o${j} = b${j};`)];
  for (let d = nl - 1; d >= 0; d--) {
    at.push(`{ let i = ${d ? `q % prm[${ls + d}]` : 'q'};${d ? ` q = q / prm[${ls + d}];` : ''} ${each((j) => `o${j} += i * prm[${lst(j) + d}];`)} }`);
  }
  at.push(map.map((i, j) => `let x${j} = ${i < 0 ? bind!.stat : `ld${i}(o${i})`};`).join(' '), ...body.map((b, k) => `let v${k} = ${b};`));
  return { decls: decls.join('\n'), rowBase: rowBase.join('\n    '), at: at.join('\n      '), res: `v${c.outs[0]!}` };
}

/**
 * The common head of the row kernels' WGSL (fused reduce, softmax, norm): the subgroup `enable`, the preludes, the
 * `n` input bindings of `w`, then the output and parameter bindings.
 *
 * @example
 * ```ts
 * const src = `${rowKernelHead(sgHeader(sg).enable, w, p.chain.nIn)}\nfn main() { ... }`;
 * ```
 */
export function rowKernelHead(enable: string, w: ChainWalk, n: number): string {
  return `${enable}
${PRELUDE}
${BINARY_PRELUDE}
${w.decls}
@group(0) @binding(${n}) var<storage, read_write> out: array<u32>;
@group(0) @binding(${n + 1}) var<storage, read> prm: array<i32>;`;
}

/** How a chain's inputs map to a node's bound inputs (`dtypes`): chain input j reads input `map[j]`, or `stat` where -1. */
export interface WalkInputs {
  dtypes: readonly Dtype[];
  map: readonly number[];
  stat?: string;
}

/** A row launch's geometry and parameters: [head..., kept shape, kept strides per input, offsets, lane shape, lane strides per input]. */
export interface RowLayout {
  ins: GpuArg[];
  nRows: number;
  len: number;
  nk: number;
  nl: number;
  /** The parameters after the head slots. */
  meta: number[];
}

/**
 * The rows of the chain's broadcast shape split before its last `nRed` axes, over the node's inputs.
 *
 * @example
 * ```ts
 * const L = rowLayout(node, be, p.reduce.axes.length);
 * ```
 */
export function rowLayout(node: Node, be: WebGpuBackend, nRed: number): RowLayout {
  const shape = broadcastShapes(node.inputs.map((x) => x.shape));
  const k = shape.length - nRed;
  const ins = node.inputs.map((x) => be.arg(x));
  const st = ins.map((x) => broadcastStrides(x, shape));
  const [kSh, kSt] = collapse(shape.slice(0, k), st.map((s) => s.slice(0, k)));
  const [lSh, lSt] = collapse(shape.slice(k), st.map((s) => s.slice(k)));
  const meta = [...kSh, ...kSt.flat(), ...ins.map((x) => x.offset), ...lSh, ...lSt.flat()];
  return { ins, nRows: sizeOf(shape.slice(0, k)), len: sizeOf(shape.slice(k)), nk: kSh.length, nl: lSh.length, meta };
}

/**
 * WGSL of `fn fin(r: f32) -> f32`, what a row's folded value becomes before it is stored: divided by the row
 * length for a mean (NaN for an empty row: prm[nanAt] holds NaN's bits, as WGSL rejects a NaN constant), then the
 * post chain if any (declined earlier when it has no WGSL). `len` is the prm slot of the row length.
 *
 * @example
 * ```ts
 * const fn = finFn(p, 1); // row length at prm[1], NaN bits at prm[4]
 * ```
 */
export function finFn(p: FusedReduceParams, len: number, nanAt = 4): string {
  const post = p.post && chainSteps(p.post);
  const mean = p.reduce.mode === 'mean' ? `select(r / f32(prm[${len}]), bitcast<f32>(prm[${nanAt}]), prm[${len}] == 0)` : 'r';
  return `fn fin(r: f32) -> f32 {
  let x0 = ${mean};
  ${post ? post.map((e, k) => `let v${k} = ${e};`).join('\n  ') : ''}
  return ${post ? `v${p.post!.outs[0]!}` : 'x0'};
}`;
}

/**
 * WGSL of the chain `p` folded by `mode` over rows with `nk` kept and `nl` reduced (collapsed) dims, `wg`
 * invocations per workgroup and `tpr` per row. With `partial` each segment is one chunk of a row and stores its
 * raw fold for the second pass; otherwise it stores the row's finished value. prm: [rows * chunks, row length,
 * chunks, chunk length, NaN bits, the layout of `rowLayout`].
 */
function shader(p: FusedReduceParams, nk: number, nl: number, wg: number, tpr: number, sg: boolean, partial: boolean): string | null {
  const w = chainWalk(p.chain, nk, nl, HEAD);
  if (!w) return null;
  const N = p.chain.nIn, mode = p.reduce.mode as Mode;
  const h = sgHeader(sg);
  return `${rowKernelHead(h.enable, w, N)}
fn cmb(a: f32, b: f32) -> f32 { return ${combine(mode, 'f32', 'a', 'b')}; }
${finFn(p, 1)}
${segReduceFn('fold', 'f32', (a, b) => `cmb(${a}, ${b})`, wg, tpr, sg, mode === 'sum' || mode === 'mean')}
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32${h.builtins}) {
  let seg = i32(wid.x + wid.y * nwg.x) * ${wg / tpr} + i32(lid / ${tpr}u);
  let tt = i32(lid & ${tpr - 1}u);
  let valid = seg < prm[0];
  var acc = ${identity(mode, 'f32')};
  if (valid) {
    let chunks = prm[2];
    let e0 = (seg % chunks) * prm[3];
    let e1 = min(e0 + prm[3], prm[1]);
    var rem = seg / chunks;
    var q = 0;
    ${w.rowBase}
    for (var e = e0 + tt; e < e1; e += ${tpr}) {
      ${w.at}
      acc = cmb(acc, ${w.res});
    }
  }
  let r = ${segCall('fold', 'acc', sg)};
  if (valid && tt == 0) { out[seg] = bitcast<u32>(${partial ? 'r' : 'fin(r)'}); }
}`;
}

/** WGSL of the second pass: one invocation folds a row's chunk results in order and stores the finished value. prm: [rows, chunks, row length, _, NaN bits]. */
function secondShader(p: FusedReduceParams): string | null {
  if (p.post && !chainSteps(p.post)) return null;
  const mode = p.reduce.mode as Mode;
  return `${PRELUDE}
${BINARY_PRELUDE}
@group(0) @binding(0) var<storage, read> part: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<storage, read> prm: array<i32>;
fn cmb(a: f32, b: f32) -> f32 { return ${combine(mode, 'f32', 'a', 'b')}; }
${finFn(p, 2)}
@compute @workgroup_size(${WG2})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = i32((wid.x + wid.y * nwg.x) * ${WG2}u + lid);
  if (row >= prm[0]) { return; }
  let chunks = prm[1];
  var acc = ${identity(mode, 'f32')};
  for (var c = 0; c < chunks; c++) { acc = cmb(acc, bitcast<f32>(part[row * chunks + c])); }
  out[row] = bitcast<u32>(fin(acc));
}`;
}

const cache = new Map<string, string | null>();
const second = new Map<string, string>();

function source(p: FusedReduceParams, nk: number, nl: number, wg: number, tpr: number, sg: boolean, partial: boolean): string | null {
  const k = `${nk},${nl},${wg},${tpr},${sg},${partial}|${p.key}`;
  if (!cache.has(k)) cache.set(k, shader(p, nk, nl, wg, tpr, sg, partial));
  return cache.get(k)!;
}

/** Whether the reduced axes are the trailing ones of the chain's shape (what the generated kernels walk). */
export function trailing(axes: readonly number[], nd: number): boolean {
  return axes.length > 0 && axes.every((a, i) => a === nd - axes.length + i);
}

/**
 * Whether the generated row kernels handle a chain node whose epilogue works over `axes`: float32 values, every
 * dtype with WGSL, trailing axes, and the inputs, output and parameters within the storage bindings.
 *
 * @example
 * ```ts
 * ok: (node) => chainSupported(node, (node.params as FusedSoftmaxParams).chain, axes),
 * ```
 */
export function chainSupported(node: Node, c: FusedParams, axes: readonly number[]): boolean {
  if (node.outputs[0]!.dtype !== dt.float32 || c.ops[c.outs[0]!]!.dtype !== dt.float32) return false;
  const dtypes = [...c.inDtypes, ...c.ops.map((o) => o.dtype), ...c.lits.map((l) => l.dtype)];
  if (dtypes.some((d) => !computeType(d))) return false;
  const nd = broadcastShapes(node.inputs.map((x) => x.shape)).length;
  if (!trailing(axes, nd)) return false;
  const limit = gpuBackend()?.device.limits.maxStorageBuffersPerShaderStage ?? 8;
  if (c.nIn + 2 > limit) return false;
  return chainSteps(c) !== null;
}

function supported(node: Node): boolean {
  const p = node.params as FusedReduceParams;
  if (p.post && (p.post.ops[p.post.outs[0]!]!.dtype !== dt.float32 || !chainSteps(p.post))) return false;
  if (p.post && [...p.post.ops.map((o) => o.dtype), ...p.post.lits.map((l) => l.dtype)].some((d) => !computeType(d))) return false;
  return chainSupported(node, p.chain, p.reduce.axes);
}

function run(node: Node, be: WebGpuBackend): ArrayData[] {
  const p = node.params as FusedReduceParams;
  const y = be.output(dt.float32, node.outputs[0]!.shape);
  const L = rowLayout(node, be, p.reduce.axes.length);
  const { nRows, len } = L;
  if (nRows === 0) return [y.data];
  const T = reduceTuning(), wg = T.redWg, sg = useSubgroups(be);
  // as the fast row reduction: cut few long rows into chunks until about targetGroups workgroups run
  let chunks = 1;
  if (nRows < T.targetGroups) chunks = Math.max(1, Math.min(Math.ceil(T.targetGroups / nRows), Math.floor(len / (wg * T.redPerThread))));
  const chunkLen = Math.max(1, Math.ceil(len / chunks));
  chunks = Math.max(1, Math.ceil(len / chunkLen));
  const tpr = Math.min(wg, pow2ceil(Math.ceil(chunkLen / T.redPerThread)));
  const partial = chunks > 1;
  const code = source(p, L.nk, L.nl, wg, tpr, sg, partial)!;
  const dst = partial ? be.tempArg(dt.float32, [nRows, chunks]) : y.arg;
  fusedReduceStats.launches++;
  const head = [nRows * chunks, len, chunks, chunkLen, NAN_BITS];
  be.dispatch(code, [...L.ins.map((x) => x.buf), dst.buf, be.params([...head, ...L.meta])], Math.ceil((nRows * chunks) / (wg / tpr)));
  if (partial) {
    fusedReduceStats.twoPass++;
    let code2 = second.get(p.key);
    if (code2 === undefined) { code2 = secondShader(p)!; second.set(p.key, code2); }
    be.dispatch(code2, [dst.buf, y.arg.buf, be.params([nRows, chunks, len, 0, NAN_BITS])], Math.ceil(nRows / WG2));
  }
  return [y.data];
}

/** `fusedReduce` on the GPU. */
export const fusedReduceKernel: GpuKernel = { ok: supported, run };
