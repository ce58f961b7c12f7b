/**
 * @file The GPU kernel of `fusedNorm`: a row statistic (an mx.compile chain folded over the trailing axes, with
 * its post chain, as RMSNorm's rsqrt(mean(x * x) + eps)) and the chain that applies it back to the row (x * r * w),
 * in one dispatch. A run of `tpr` invocations owns one row: it folds the statistic chain along the row, combines
 * across the run (subgroups or workgroup memory), finishes the statistic, then evaluates the row chain at every
 * element with the statistic as one of its inputs and writes it. The unfused form takes two dispatches and writes
 * and reads the statistic; the inputs are read twice either way. Rows are never split across workgroups, so a
 * few very long rows use few multiprocessors. Declines (the node runs on the CPU kernel) as `fusedReduce` does,
 * and when the row chain has a step without WGSL or a non-float32 value.
 */
import * as dt from '../../../core/dtype.js';
import type { Node } from '../../../core/array.js';
import { normStat, type FusedNormParams } from '../../../core/primitives/compiled.js';
import { broadcastShapes } from '../../../core/shape.js';
import type { ArrayData } from '../../backend.js';
import type { WebGpuBackend } from '../backend.js';
import { computeType } from '../wgsl.js';
import type { GpuKernel } from './kernel.js';
import { chainSupported, chainWalk, finFn, rowKernelHead, rowLayout } from './fused-reduce.js';
import { chainSteps } from './fused-steps.js';
import { combine, identity, segCall, segReduceFn, sgHeader, useSubgroups, type Mode } from './reduce-ops.js';
import { pow2ceil, reduceTuning } from './reduce-tuning.js';

/** Launches of this kernel (tests check that it ran). */
export const fusedNormStats = { launches: 0 };

/** Fixed parameter slots: [rows, row length, NaN bits]. */
const HEAD = 3;

function shader(node: Node, p: FusedNormParams, nk: number, nl: number, wg: number, tpr: number, sg: boolean): string | null {
  const dtypes = node.inputs.map((x) => x.dtype);
  const st = chainWalk(p.stat.chain, nk, nl, HEAD, { dtypes, map: p.statIns });
  const th = chainWalk(p.then, nk, nl, HEAD, { dtypes, map: p.thenIns, stat: 'stat' });
  if (!st || !th) return null;
  const M = dtypes.length, mode = p.stat.reduce.mode as Mode;
  const h = sgHeader(sg);
  return `${rowKernelHead(h.enable, st, M)}
fn cmb(a: f32, b: f32) -> f32 { return ${combine(mode, 'f32', 'a', 'b')}; }
${finFn(p.stat, 1, 2)}
${segReduceFn('fold', 'f32', (a, b) => `cmb(${a}, ${b})`, wg, tpr, sg, mode === 'sum' || mode === 'mean')}
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32${h.builtins}) {
  let row = i32(wid.x + wid.y * nwg.x) * ${wg / tpr} + i32(lid / ${tpr}u);
  let tt = i32(lid & ${tpr - 1}u);
  let valid = row < prm[0];
  let len = prm[1];
  var rem = row;
  var q = 0;
  ${st.rowBase}
  var acc = ${identity(mode, 'f32')};
  if (valid) {
    for (var e = tt; e < len; e += ${tpr}) {
      ${st.at}
      acc = cmb(acc, ${st.res});
    }
  }
  let stat = fin(${segCall('fold', 'acc', sg)});
  if (valid) {
    for (var e = tt; e < len; e += ${tpr}) {
      ${th.at}
      out[row * len + e] = bitcast<u32>(${th.res});
    }
  }
}`;
}

const cache = new Map<string, string | null>();

function supported(node: Node): boolean {
  const p = node.params as FusedNormParams;
  const t = p.then;
  if (node.outputs[0]!.dtype !== dt.float32 || !chainSteps(t)) return false;
  if ([...t.ops.map((o) => o.dtype), ...t.lits.map((l) => l.dtype)].some((d) => !computeType(d))) return false;
  const s = p.stat;
  if (s.post && (s.post.ops[s.post.outs[0]!]!.dtype !== dt.float32 || !chainSteps(s.post))) return false;
  if (s.post && [...s.post.ops.map((o) => o.dtype), ...s.post.lits.map((l) => l.dtype)].some((d) => !computeType(d))) return false;
  // the statistic over the full shape's trailing axes (equal along any leading axes its own inputs lack)
  const nd = broadcastShapes(node.inputs.map((x) => x.shape)).length;
  return chainSupported(node, s.chain, normStat(p, nd).reduce.axes) && node.inputs.every((x) => !!computeType(x.dtype));
}

function run(node: Node, be: WebGpuBackend): ArrayData[] {
  const p = node.params as FusedNormParams;
  const y = be.output(dt.float32, node.outputs[0]!.shape);
  const L = rowLayout(node, be, p.stat.reduce.axes.length);
  if (L.nRows === 0 || L.len === 0) return [y.data];
  const T = reduceTuning(), wg = T.redWg, sg = useSubgroups(be);
  const tpr = Math.min(wg, pow2ceil(Math.ceil(L.len / T.redPerThread)));
  const k = `${L.nk},${L.nl},${wg},${tpr},${sg},${node.inputs.map((x) => x.dtype.name).join(',')}|${p.key}`;
  if (!cache.has(k)) cache.set(k, shader(node, p, L.nk, L.nl, wg, tpr, sg));
  fusedNormStats.launches++;
  be.dispatch(cache.get(k)!, [...L.ins.map((x) => x.buf), y.arg.buf, be.params([L.nRows, L.len, 0x7fc00000, ...L.meta])], Math.ceil(L.nRows / (wg / tpr)));
  return [y.data];
}

/** `fusedNorm` on the GPU. */
export const fusedNormKernel: GpuKernel = { ok: supported, run };
