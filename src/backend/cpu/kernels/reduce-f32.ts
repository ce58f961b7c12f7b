/**
 * @file Float32 fast paths of the hottest reductions (sum, mean, max, min, softmax, logsumexp). They are the
 * generic loops again, but as separate functions that only ever see Float32Array, so the JIT keeps their element
 * loads monomorphic; the generic folds see every typed array type and run several times slower.
 */
import type { LanePlan } from './reduce-plan.js';
import { wasmReduceF32, wasmSoftmaxF32, wasmLogsumexpF32 } from '../wasm/elementwise.js';

/** Reduces every lane of a float32 input into `out` (float32) for sum/mean/max/min; false if not handled. */
export function reduceF32(mode: string, b: Float32Array, p: LanePlan, out: Float32Array): boolean {
  // sum/mean/max/min of large inputs run on the WASM SIMD kernels; the loops below are their reference
  if (wasmReduceF32(mode, b, p, out)) return true;
  return reduceF32Ref(mode, b, p, out);
}

/** The TypeScript `reduceF32` (the reference of the WASM kernels). */
export function reduceF32Ref(mode: string, b: Float32Array, p: LanePlan, out: Float32Array): boolean {
  const outer = p.outer[0]!, rows = p.rows[0]!, n = p.n, st = p.step[0]!;
  if (mode === 'sum' || mode === 'mean') {
    const scale = mode === 'mean' ? 1 / p.laneSize : 1;
    for (let l = 0; l < p.lanes; l++) {
      const base = outer[l]!;
      let acc = 0;
      for (let r = 0; r < rows.length; r++) {
        let i = base + rows[r]!;
        if (st === 1) for (const e = i + n; i < e; i++) acc += b[i]!;
        else for (let j = 0; j < n; j++, i += st) acc += b[i]!;
      }
      // mean of an empty lane: 0 * Infinity is NaN, as wanted
      out[l] = mode === 'mean' && p.laneSize === 0 ? NaN : acc * scale;
    }
    return true;
  }
  if (mode === 'max' || mode === 'min') {
    const isMax = mode === 'max';
    for (let l = 0; l < p.lanes; l++) {
      const base = outer[l]!;
      let acc = isMax ? -Infinity : Infinity;
      lane: for (let r = 0; r < rows.length; r++) {
        for (let j = 0, i = base + rows[r]!; j < n; j++, i += st) {
          const v = b[i]!;
          if (isMax ? v > acc : v < acc) acc = v;
          else if (v !== v) { acc = NaN; break lane; }
        }
      }
      out[l] = acc;
    }
    return true;
  }
  return false;
}

/** Whether both plans walk each lane as one unit-stride run (a dense array along its last axes). */
export function denseLanes(p: LanePlan, q: number): boolean {
  return p.rows[q]!.length <= 1 && (p.step[q] === 1 || p.n <= 1);
}

/** softmax over dense float32 lanes of `b` into dense float32 lanes of `out`. */
export function softmaxF32(b: Float32Array, p: LanePlan, out: Float32Array): void {
  if (wasmSoftmaxF32(b, p, out)) return;
  softmaxF32Ref(b, p, out);
}

/** The TypeScript `softmaxF32` (the reference of the WASM kernel). */
export function softmaxF32Ref(b: Float32Array, p: LanePlan, out: Float32Array): void {
  const n = p.n, ib = p.outer[0]!, obs = p.outer[1]!;
  for (let l = 0; l < p.lanes; l++) {
    const i0 = ib[l]!, o0 = obs[l]!;
    let m = -Infinity;
    for (let k = 0; k < n; k++) { const v = b[i0 + k]!; if (v > m || v !== v) m = v; if (m !== m) break; }
    let s = 0;
    for (let k = 0; k < n; k++) { const e = Math.exp(b[i0 + k]! - m); out[o0 + k] = e; s += e; }
    const inv = 1 / s;
    for (let k = 0; k < n; k++) out[o0 + k] = out[o0 + k]! * inv;
  }
}

/** logsumexp over dense float32 lanes into a float32 output (one per lane). */
export function logsumexpF32(b: Float32Array, p: LanePlan, out: Float32Array): void {
  if (wasmLogsumexpF32(b, p, out)) return;
  logsumexpF32Ref(b, p, out);
}

/** The TypeScript `logsumexpF32` (the reference of the WASM kernel). */
export function logsumexpF32Ref(b: Float32Array, p: LanePlan, out: Float32Array): void {
  const n = p.n, ib = p.outer[0]!;
  for (let l = 0; l < p.lanes; l++) {
    const i0 = ib[l]!;
    let m = -Infinity;
    for (let k = 0; k < n; k++) { const v = b[i0 + k]!; if (v > m || v !== v) m = v; if (m !== m) break; }
    if (m !== m || m === Infinity || m === -Infinity) { out[l] = m; continue; }
    let s = 0;
    for (let k = 0; k < n; k++) s += Math.exp(b[i0 + k]! - m);
    out[l] = m + Math.log(s);
  }
}
