/**
 * @file The GPU kernel of `fusedSoftmax`: an mx.compile elementwise chain followed by a softmax over its trailing
 * axes, in one dispatch that never stores the chain's values. A run of `tpr` invocations owns one row: it
 * evaluates the chain along the row once to fold an online (max, sum of exp(v - max)) pair, combines the pairs
 * across the run (subgroup shuffles of a vec2 or workgroup memory), then evaluates the chain again and writes
 * exp(v - max) / sum. The inputs are read twice and the output written once, against the unfused chain's write
 * and read plus the softmax's own passes. Declines (the node then runs on the CPU kernel) as `fusedReduce` does.
 */
import * as dt from '../../../core/dtype.js';
import type { Node } from '../../../core/array.js';
import type { FusedSoftmaxParams } from '../../../core/primitives/compiled.js';
import type { ArrayData } from '../../backend.js';
import type { WebGpuBackend } from '../backend.js';
import type { GpuKernel } from './kernel.js';
import { chainSupported, chainWalk, rowKernelHead, rowLayout } from './fused-reduce.js';
import { segCall, segReduceFn, sgHeader, useSubgroups } from './reduce-ops.js';
import { pow2ceil, reduceTuning } from './reduce-tuning.js';

/** Launches of this kernel (tests check that it ran). */
export const fusedSoftmaxStats = { launches: 0 };

/** Fixed parameter slots: [rows, row length]. */
const HEAD = 2;

function shader(p: FusedSoftmaxParams, nk: number, nl: number, wg: number, tpr: number, sg: boolean): string | null {
  const w = chainWalk(p.chain, nk, nl, HEAD);
  if (!w) return null;
  const N = p.chain.nIn;
  const h = sgHeader(sg);
  // (max, sum) pairs combine by rescaling each sum to the common max; an empty pair (sum 0) or a -inf max adds
  // nothing (no inf - inf), a NaN anywhere makes both NaN
  return `${rowKernelHead(h.enable, w, N)}
fn ms(a: vec2f, b: vec2f) -> vec2f {
  if (is_nan(a.x) || is_nan(b.x)) { let n = a.x + b.x; return vec2f(n, n); }
  let m = max(a.x, b.x);
  let ta = select(a.y * exp(a.x - m), 0.0, a.y == 0.0 || a.x == -f_inf());
  let tb = select(b.y * exp(b.x - m), 0.0, b.y == 0.0 || b.x == -f_inf());
  return vec2f(m, ta + tb);
}
${segReduceFn('fold', 'vec2f', (a, b) => `ms(${a}, ${b})`, wg, tpr, sg)}
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32${h.builtins}) {
  let row = i32(wid.x + wid.y * nwg.x) * ${wg / tpr} + i32(lid / ${tpr}u);
  let tt = i32(lid & ${tpr - 1}u);
  let valid = row < prm[0];
  let len = prm[1];
  var acc = vec2f(-f_inf(), 0.0);
  var rem = row;
  var q = 0;
  ${w.rowBase}
  if (valid) {
    for (var e = tt; e < len; e += ${tpr}) {
      ${w.at}
      acc = ms(acc, vec2f(${w.res}, 1.0));
    }
  }
  let r = ${segCall('fold', 'acc', sg)};
  if (valid) {
    let inv = 1.0 / r.y;
    for (var e = tt; e < len; e += ${tpr}) {
      ${w.at}
      out[row * len + e] = bitcast<u32>(exp(${w.res} - r.x) * inv);
    }
  }
}`;
}

const cache = new Map<string, string | null>();

function source(p: FusedSoftmaxParams, nk: number, nl: number, wg: number, tpr: number, sg: boolean): string | null {
  const k = `${nk},${nl},${wg},${tpr},${sg}|${p.key}`;
  if (!cache.has(k)) cache.set(k, shader(p, nk, nl, wg, tpr, sg));
  return cache.get(k)!;
}

function run(node: Node, be: WebGpuBackend): ArrayData[] {
  const p = node.params as FusedSoftmaxParams;
  const y = be.output(dt.float32, node.outputs[0]!.shape);
  const L = rowLayout(node, be, p.softmax.axes.length);
  if (L.nRows === 0 || L.len === 0) return [y.data];
  const T = reduceTuning(), wg = T.redWg, sg = useSubgroups(be);
  const tpr = Math.min(wg, pow2ceil(Math.ceil(L.len / T.redPerThread)));
  fusedSoftmaxStats.launches++;
  const code = source(p, L.nk, L.nl, wg, tpr, sg)!;
  be.dispatch(code, [...L.ins.map((x) => x.buf), y.arg.buf, be.params([L.nRows, L.len, ...L.meta])], Math.ceil(L.nRows / (wg / tpr)));
  return [y.data];
}

/** `fusedSoftmax` on the GPU. */
export const fusedSoftmaxKernel: GpuKernel = {
  ok: (node) => {
    const p = node.params as FusedSoftmaxParams;
    return chainSupported(node, p.chain, p.softmax.axes);
  },
  run,
};
