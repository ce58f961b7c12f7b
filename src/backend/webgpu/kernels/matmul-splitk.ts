/**
 * @file Split-K: a matmul with a small output and a long reduction launches too few tiles to fill the GPU, so K is
 * cut into `splits` ranges, each producing a partial product with the tiled kernel, and a second dispatch sums the
 * partials in a fixed order (deterministic results).
 */
import * as dt from '../../../core/dtype.js';
import type { GpuArg, WebGpuBackend } from '../backend.js';
import type { PooledBuffer } from '../allocator.js';
import type { SplitKParams, TiledParams } from '../tuning.js';
import type { MatProblem } from './matmul-common.js';
import { tiledMatmul } from './matmul-tiled.js';

const WG = 256;

/** dst[i] = sum over s < splits of part[s * n + i] (f32), for i < n: a fixed order, so results are deterministic. */
const SUM_PARTIALS = `@group(0) @binding(0) var<storage, read> part: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> prm: array<i32>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) tid: u32) {
  let i = i32((wid.x + wid.y * nwg.x) * ${WG}u + tid);
  let n = prm[0];
  if (i >= n) { return; }
  var acc = 0.0;
  for (var s = 0; s < prm[1]; s++) { acc += part[s * n + i]; }
  out[i] = acc;
}`;

/**
 * Sums `splits` partial results of `n` floats each (slice-major in `part`) into the f32 buffer `dst`, in slice
 * order (split-K matmuls and convolutions).
 *
 * @example
 * ```ts
 * sumPartials(be, part, slices, outSize, dst.buf);
 * ```
 */
export function sumPartials(be: WebGpuBackend, part: PooledBuffer, splits: number, n: number, dst: PooledBuffer): void {
  const groups = Math.ceil(n / WG);
  if (groups === 0) return;
  be.dispatch(SUM_PARTIALS, [part, dst, be.params([n, splits])], groups);
}

/**
 * The number of K splits for a problem (1: do not split): enough to reach about `targetGroups` workgroups with
 * tiles of `tp`, each split at least `minChunk` long.
 */
export function splitCount(p: MatProblem, sp: SplitKParams, tp: TiledParams): number {
  if (p.nbatch * p.M * p.N > sp.maxOutputs || p.K < sp.minK) return 1;
  const tiles = p.nbatch * Math.ceil(p.M / tp.bm) * Math.ceil(p.N / tp.bn);
  const want = Math.ceil(sp.targetGroups / Math.max(1, tiles));
  return Math.max(1, Math.min(want, Math.floor(p.K / Math.max(sp.minChunk, tp.bk))));
}

/** Encodes the split-K matmul of `p` into `dst` (dense f32, nbatch * M * N). */
export function splitKMatmul(be: WebGpuBackend, p: MatProblem, tp: TiledParams, splits: number, dst: GpuArg): void {
  const n = p.nbatch * p.M * p.N;
  // each split's range is a whole number of BK steps, so only the last one meets the K edge
  const chunk = Math.max(tp.bk, Math.ceil(Math.ceil(p.K / splits) / tp.bk) * tp.bk);
  const used = Math.max(1, Math.ceil(p.K / chunk));
  const part = be.tempArg(dt.float32, [used, n]);
  tiledMatmul(be, p, tp, part, used, chunk);
  sumPartials(be, part.buf, used, n, dst.buf);
}
