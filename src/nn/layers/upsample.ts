/**
 * @file Upsample: nearest, linear (bi/tri-linear) and cubic (bicubic, Keys kernel a = -0.75 as PyTorch) resizing
 * of the spatial axes of channels-last inputs [N, *spatial, C]. Separable: one gather-and-blend per axis, with the
 * source positions and weights computed on the host.
 */
import type { MxArray } from '../../core/array.js';
import * as mx from '../../index.js';
import { int32, float32 } from '../../core/dtype.js';
import { Module } from '../module.js';

/** Upsampling mode. */
export type UpsampleMode = 'nearest' | 'linear' | 'cubic';

/** Source coordinate of output index i (PyTorch's convention; MLX matches it). */
function source(i: number, n: number, m: number, scale: number, alignCorners: boolean): number {
  if (alignCorners) return m > 1 ? i * (n - 1) / (m - 1) : 0;
  return (i + 0.5) / scale - 0.5;
}

function keys(d: number): number {
  const a = -0.75, x = Math.abs(d);
  if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

/** Blends `taps` gathers of x along `axis`: sum_k take(x, idx_k) * w_k. */
function blend(x: MxArray, axis: number, idx: number[][], w: number[][]): MxArray {
  const shape = x.shape.map((_, i) => (i === axis ? -1 : 1));
  let out: MxArray | null = null;
  for (let k = 0; k < idx.length; k++) {
    const g = mx.take(x, mx.array(idx[k]!, int32), axis);
    const term = w[k] ? mx.multiply(g, mx.reshape(mx.array(w[k]!, float32).astype(x.dtype), shape)) : g;
    out = out ? mx.add(out, term) : term;
  }
  return out!;
}

/** Resizes axis `axis` of x by `scale`. */
export function upsampleAxis(x: MxArray, axis: number, scale: number, mode: UpsampleMode, alignCorners: boolean): MxArray {
  const n = x.shape[axis]!, m = Math.floor(scale * n);
  const clampI = (i: number): number => Math.min(Math.max(i, 0), n - 1);
  const range = Array.from({ length: m }, (_, i) => i);
  if (mode === 'nearest') {
    return blend(x, axis, [range.map((i) => clampI(Math.floor(i / scale)))], []);
  }
  if (mode === 'linear') {
    const p = range.map((i) => Math.max(source(i, n, m, scale, alignCorners), 0));
    const i0 = p.map((v) => clampI(Math.floor(v))), i1 = i0.map((v) => clampI(v + 1));
    const t = p.map((v, j) => Math.min(v - i0[j]!, 1));
    return blend(x, axis, [i0, i1], [t.map((v) => 1 - v), t]);
  }
  if (mode === 'cubic') {
    const p = range.map((i) => source(i, n, m, scale, alignCorners));
    const idx: number[][] = [], w: number[][] = [];
    for (let k = -1; k <= 2; k++) {
      idx.push(p.map((v) => clampI(Math.floor(v) + k)));
      w.push(p.map((v) => keys(v - Math.floor(v) - k)));
    }
    return blend(x, axis, idx, w);
  }
  throw new Error(`[Upsample] Unknown mode "${String(mode)}" (use nearest, linear or cubic).`);
}

/**
 * Upsamples the spatial axes (1 .. ndim-2) of [N, *spatial, C] inputs by `scaleFactor` (one number or one per
 * spatial axis).
 *
 * @example
 * ```ts
 * new nn.Upsample(2, 'linear', true).forward(mx.ones([1, 4, 4, 3])).shape; // [1, 8, 8, 3]
 * ```
 */
export class Upsample extends Module {
  constructor(public scaleFactor: number | number[], public mode: UpsampleMode = 'nearest', public alignCorners = false) {
    super();
    if (!['nearest', 'linear', 'cubic'].includes(mode)) throw new Error(`[Upsample] Unknown mode "${mode}" (use nearest, linear or cubic).`);
  }
  forward(x: MxArray): MxArray {
    const dims = x.ndim - 2;
    if (dims <= 0) throw new Error(`[Upsample] Expected [N, *spatial, C] input, got shape (${x.shape.join(',')}).`);
    const scales = typeof this.scaleFactor === 'number' ? Array(dims).fill(this.scaleFactor) : this.scaleFactor;
    if (scales.length !== dims) throw new Error(`[Upsample] Got ${scales.length} scale factors for ${dims} spatial axes.`);
    for (let d = 0; d < dims; d++) x = upsampleAxis(x, d + 1, scales[d]!, this.mode, this.alignCorners);
    return x;
  }
}
