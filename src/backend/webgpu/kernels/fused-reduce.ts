/**
 * @file The GPU kernel of `fusedReduce`: an mx.compile elementwise chain whose value is folded over its trailing
 * axes (sum/prod/max/min/mean) in the same shader, so the chain's values are never written to memory. One
 * generated shader per chain: a run of `tpr` invocations owns one row (or one chunk of a long row), computes the
 * chain at each of its elements (inputs loaded through broadcast strides: the row's base from the kept dims, the
 * element's offset from the collapsed reduced dims), folds in registers, then across the run (subgroup shuffles
 * when the device has them, else workgroup memory). Rows are cut into chunks when there are too few of them to
 * fill the GPU (a full reduction is one row); the chunks' partial results are then folded by the fast row
 * reduction of reduce-fast.ts, so a full reduction takes two dispatches and a row reduction one.
 * Declines (the node then runs on the CPU kernel) on a float64 chain, a chain step without WGSL, reduced axes that
 * are not trailing, or more inputs than storage bindings.
 */
import * as dt from '../../../core/dtype.js';
import type { Node } from '../../../core/array.js';
import type { FusedReduceParams } from '../../../core/primitives/compiled.js';
import { broadcastShapes, sizeOf } from '../../../core/shape.js';
import type { ArrayData } from '../../backend.js';
import type { WebGpuBackend } from '../backend.js';
import { gpuBackend } from '../index.js';
import { PRELUDE, computeType, loader } from '../wgsl.js';
import type { GpuKernel } from './kernel.js';
import { BINARY_PRELUDE } from './elementwise-defs.js';
import { broadcastStrides, collapse } from './elementwise.js';
import { chainSteps } from './fused-steps.js';
import { combine, identity, segCall, segReduceFn, sgHeader, useSubgroups, type Mode } from './reduce-ops.js';
import { fastReduce } from './reduce-fast.js';
import { pow2ceil, reduceTuning } from './reduce-tuning.js';

/** Launches of this kernel and how many needed a second pass (tests check which path ran). */
export const fusedReduceStats = { launches: 0, twoPass: 0 };

/** Fixed slots at the start of the parameters: [segments, row length, chunks per row, chunk length]. */
const HEAD = 4;

/**
 * WGSL of the chain `p` folded by `mode` over rows with `nk` kept and `nl` reduced (collapsed) dims, `wg`
 * invocations per workgroup and `tpr` per row (`partial`, a chunk's share of a two-pass fold, only keys the cache:
 * the code is the same).
 * prm: [HEAD..., kept shape[nk], kept strides[nk] per input, offset per input, lane shape[nl], lane strides[nl] per input].
 */
function shader(p: FusedReduceParams, nk: number, nl: number, wg: number, tpr: number, sg: boolean, partial: boolean): string | null {
  const body = chainSteps(p.chain);
  if (!body) return null;
  const c = p.chain, N = c.nIn, mode = p.reduce.mode as Mode;
  const ks = HEAD, kst = (j: number): number => HEAD + nk + j * nk, off = (j: number): number => HEAD + nk + N * nk + j;
  const ls = HEAD + nk + N * nk + N, lst = (j: number): number => ls + nl + j * nl;
  const h = sgHeader(sg);
  const lines: string[] = [h.enable, PRELUDE, BINARY_PRELUDE];
  c.inDtypes.forEach((d, j) => {
    lines.push(`@group(0) @binding(${j}) var<storage, read> in${j}: array<u32>;`);
    lines.push(loader(`ld${j}`, `in${j}`, d));
  });
  lines.push(`@group(0) @binding(${N}) var<storage, read_write> out: array<u32>;`);
  lines.push(`@group(0) @binding(${N + 1}) var<storage, read> prm: array<i32>;`);
  lines.push(`fn cmb(a: f32, b: f32) -> f32 { return ${combine(mode, 'f32', 'a', 'b')}; }`);
  lines.push(segReduceFn('fold', 'f32', (a, b) => `cmb(${a}, ${b})`, wg, tpr, sg, mode === 'sum' || mode === 'mean'));
  const each = (f: (j: number) => string): string => Array.from({ length: N }, (_, j) => f(j)).join(' ');
  // the row's base offset in every input, from its index over the kept dims (row-major)
  const rowBase: string[] = [];
  for (let d = nk - 1; d >= 0; d--) {
    rowBase.push(`{ let i = ${d ? `rem % prm[${ks + d}]` : 'rem'};${d ? ` rem = rem / prm[${ks + d}];` : ''} ${each((j) => `b${j} += i * prm[${kst(j) + d}];`)} }`);
  }
  // the element's offset within the row, from its index over the reduced dims
  const inRow: string[] = [];
  for (let d = nl - 1; d >= 0; d--) {
    inRow.push(`{ let i = ${d ? `q % prm[${ls + d}]` : 'q'};${d ? ` q = q / prm[${ls + d}];` : ''} ${each((j) => `o${j} += i * prm[${lst(j) + d}];`)} }`);
  }
  const res = `v${c.outs[0]!}`;
  // (the NaN of an empty mean as bits: WGSL rejects a NaN constant); a partial mean is the chunk's sum over the
  // whole row's length, which the second pass adds up
  const bits = mode === 'mean' ? `select(bitcast<u32>(r / f32(prm[1])), 0x7fc00000u, prm[1] == 0)` : 'bitcast<u32>(r)';
  lines.push(`@compute @workgroup_size(${wg})
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
    ${each((j) => `var b${j} = prm[${off(j)}];`)}
    ${rowBase.join('\n    ')}
    for (var e = e0 + tt; e < e1; e += ${tpr}) {
      var q = e;
      ${each((j) => `var o${j} = b${j};`)}
      ${inRow.join('\n      ')}
      ${each((j) => `let x${j} = ld${j}(o${j});`)}
      ${body.map((b, k) => `let v${k} = ${b};`).join('\n      ')}
      acc = cmb(acc, ${res});
    }
  }
  let r = ${segCall('fold', 'acc', sg)};
  if (valid && tt == 0) { out[seg] = ${bits}; }
}`);
  return lines.join('\n');
}

const cache = new Map<string, string | null>();

function source(p: FusedReduceParams, nk: number, nl: number, wg: number, tpr: number, sg: boolean, partial: boolean): string | null {
  const k = `${nk},${nl},${wg},${tpr},${sg},${partial}|${p.key}`;
  if (!cache.has(k)) cache.set(k, shader(p, nk, nl, wg, tpr, sg, partial));
  return cache.get(k)!;
}

/** Whether the reduced axes are the trailing ones of the chain's shape (what the generated kernel walks). */
function trailing(axes: readonly number[], nd: number): boolean {
  return axes.length > 0 && axes.every((a, i) => a === nd - axes.length + i);
}

function supported(node: Node): boolean {
  const p = node.params as FusedReduceParams;
  const c = p.chain;
  if (node.outputs[0]!.dtype !== dt.float32 || c.ops[c.outs[0]!]!.dtype !== dt.float32) return false;
  const dtypes = [...c.inDtypes, ...c.ops.map((o) => o.dtype), ...c.lits.map((l) => l.dtype)];
  if (dtypes.some((d) => !computeType(d))) return false;
  const nd = broadcastShapes(node.inputs.map((x) => x.shape)).length;
  if (!trailing(p.reduce.axes, nd)) return false;
  const limit = gpuBackend()?.device.limits.maxStorageBuffersPerShaderStage ?? 8;
  if (c.nIn + 2 > limit) return false;
  return chainSteps(c) !== null;
}

function run(node: Node, be: WebGpuBackend): ArrayData[] {
  const p = node.params as FusedReduceParams;
  const y = be.output(dt.float32, node.outputs[0]!.shape);
  const shape = broadcastShapes(node.inputs.map((x) => x.shape));
  const k = shape.length - p.reduce.axes.length;
  const nRows = sizeOf(shape.slice(0, k)), len = sizeOf(shape.slice(k));
  if (nRows === 0) return [y.data];
  const ins = node.inputs.map((x) => be.arg(x));
  const st = ins.map((x) => broadcastStrides(x, shape));
  const [kSh, kSt] = collapse(shape.slice(0, k), st.map((s) => s.slice(0, k)));
  const [lSh, lSt] = collapse(shape.slice(k), st.map((s) => s.slice(k)));
  const T = reduceTuning(), wg = T.redWg, sg = useSubgroups(be);
  // as the fast row reduction: cut few long rows into chunks until about targetGroups workgroups run
  let chunks = 1;
  if (nRows < T.targetGroups) chunks = Math.max(1, Math.min(Math.ceil(T.targetGroups / nRows), Math.floor(len / (wg * T.redPerThread))));
  const chunkLen = Math.ceil(len / chunks);
  chunks = Math.max(1, Math.ceil(len / Math.max(chunkLen, 1)));
  const tpr = Math.min(wg, pow2ceil(Math.ceil(chunkLen / T.redPerThread)));
  const partial = chunks > 1;
  const code = source(p, kSh.length, lSh.length, wg, tpr, sg, partial)!;
  const meta: number[] = [nRows * chunks, len, chunks, Math.max(chunkLen, 1), ...kSh, ...kSt.flat(), ...ins.map((x) => x.offset), ...lSh, ...lSt.flat()];
  const dst = partial ? be.tempArg(dt.float32, [nRows, chunks]) : y.arg;
  fusedReduceStats.launches++;
  be.dispatch(code, [...ins.map((x) => x.buf), dst.buf, be.params(meta)], Math.ceil((nRows * chunks) / (wg / tpr)));
  if (partial) {
    fusedReduceStats.twoPass++;
    const mode = p.reduce.mode === 'mean' ? 'sum' : p.reduce.mode as Mode;
    if (!fastReduce(be, dst, mode, [1], y.arg)) throw new Error('[fusedReduce] Internal error: the second pass was declined.');
  }
  return [y.data];
}

/** `fusedReduce` on the GPU. */
export const fusedReduceKernel: GpuKernel = { ok: supported, run };
