/**
 * @file CPU kernels of the derived samplers: truncated normal, Gumbel, Laplace, categorical and permutation.
 */
import * as dt from '../../../core/dtype.js';
import { erfinvf, erff } from '../../../core/ops/random-math.js';
import type { CpuKernelTable } from '../kernel.js';
import { writer, reader, broadcastStrides, forEachOffset, offsetsOf, type CpuView } from '../view.js';
import { wordsOf, rounder, unitFrom, symmetricFrom, eachBroadcast } from './random-common.js';

const sizeOf = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

function store(o: CpuView, vals: ArrayLike<number>): void {
  const b = o.buf;
  if (o.dtype === dt.float32 || o.dtype === dt.float64) { (b as Float32Array).set(vals); return; }
  const w = writer(o.dtype);
  for (let i = 0; i < vals.length; i++) w(b, i, vals[i]!);
}

/** float32 gumbel samples `-log(-log(u))`, each step rounded in `d`. */
function gumbelFrom(words: Uint32Array, d: dt.Dtype): Float64Array {
  const u = unitFrom(words, d), rd = rounder(d);
  for (let i = 0; i < u.length; i++) u[i] = -rd(Math.log(-rd(Math.log(u[i]!))));
  return u;
}

export const randomMoreKernels: CpuKernelTable<
  'randomTruncNormal' | 'randomGumbel' | 'randomLaplace' | 'randomCategorical' | 'randomPermutation'
> = {
  randomTruncNormal([key, lower, upper], p, _outs, be) {
    const d = p.dtype, rd = rounder(d);
    const n = sizeOf(p.shape);
    const u = unitFrom(wordsOf(key!, n), d);
    const sqrt2 = rd(Math.SQRT2);
    const vals = new Float64Array(n);
    // MLX: u ~ U[erf(l/√2), erf(h/√2)), x = √2·erfinv(u), clipped to [l, h]
    eachBroadcast(p.shape, [lower!, upper!], (k, l0, h0) => {
      const l = rd(l0), h = rd(h0);
      const a = rd(erff(rd(l / sqrt2))), b = rd(erff(rd(h / sqrt2)));
      const x = rd(rd(rd(rd(b - a) * u[k]!) + a));
      const v = rd(sqrt2 * rd(erfinvf(x)));
      vals[k] = Math.max(Math.min(h, v), l);
    });
    const o = be.alloc(d, p.shape);
    store(o, vals);
    return [o];
  },

  randomGumbel([key], p, _outs, be) {
    const o = be.alloc(p.dtype, p.shape);
    store(o, gumbelFrom(wordsOf(key!, sizeOf(p.shape)), p.dtype));
    return [o];
  },

  randomLaplace([key], p, _outs, be) {
    const rd = rounder(p.dtype), f = Math.fround;
    const u = symmetricFrom(wordsOf(key!, sizeOf(p.shape)));
    const scale = rd(p.scale), loc = rd(p.loc);
    for (let i = 0; i < u.length; i++) {
      const x = u[i]!;
      // MLX's inverse CDF: sign(u) · log1p(-|u|), in float32, then the dtype
      let v = rd(f(Math.sign(x) * f(Math.log1p(-Math.abs(x)))));
      if (p.scale !== 1) v = rd(scale * v);
      if (p.loc !== 0) v = rd(loc + v);
      u[i] = v;
    }
    const o = be.alloc(p.dtype, p.shape);
    store(o, u);
    return [o];
  },

  randomCategorical([key, logits], p, [out], be) {
    const g = gumbelFrom(wordsOf(key!, sizeOf(p.gshape)), dt.float32);
    // gumbel (float32) + logits: float32 unless the logits are float64
    const sumRound = logits!.dtype === dt.float64 ? (x: number) => x : Math.fround;
    const rd = reader(logits!.dtype), lb = logits!.buf;
    forEachOffset(p.gshape, [broadcastStrides(logits!, p.gshape)], [logits!.offset], (k, off) => {
      g[k] = sumRound(g[k]! + rd(lb, off[0]!));
    });
    const o = be.alloc(dt.uint32, out!.shape);
    const ob = o.buf as Uint32Array;
    const ax = p.axis, n = p.gshape[ax]!;
    const outer = sizeOf(p.gshape.slice(0, ax)), inner = sizeOf(p.gshape.slice(ax + 1));
    for (let a = 0; a < outer; a++) {
      for (let i = 0; i < inner; i++) {
        let best = 0, bv = -Infinity, base = a * n * inner + i;
        for (let j = 0; j < n; j++) {
          const v = g[base + j * inner]!;
          // first maximum wins; a NaN is the maximum (as in MLX's argmax)
          if (v > bv || (Number.isNaN(v) && !Number.isNaN(bv))) { bv = v; best = j; }
        }
        ob[a * inner + i] = best;
      }
    }
    return [o];
  },

  randomPermutation(inputs, p, [out], be) {
    const words = wordsOf(inputs[0]!, p.n);
    const idx = new Uint32Array(p.n);
    for (let i = 0; i < p.n; i++) idx[i] = i;
    // stable argsort of the random words
    const order = Array.from(idx).sort((a, b) => words[a]! - words[b]! || a - b);
    if (inputs.length === 1) {
      const o = be.alloc(dt.uint32, [p.n]);
      (o.buf as Uint32Array).set(order);
      return [o];
    }
    const x = inputs[1]!;
    const o = be.alloc(x.dtype, out!.shape);
    const offs = offsetsOf(x);
    const w = x.dtype === dt.complex64 ? 2 : 1;
    const src = x.buf as Float64Array, dst = o.buf as Float64Array;
    const n = p.n, outer = sizeOf(x.shape.slice(0, p.axis)), inner = sizeOf(x.shape.slice(p.axis + 1));
    for (let a = 0; a < outer; a++) {
      for (let j = 0; j < n; j++) {
        const from = (a * n + order[j]!) * inner, to = (a * n + j) * inner;
        for (let i = 0; i < inner; i++) {
          const s = offs[from + i]! * w, t = (to + i) * w;
          dst[t] = src[s]!;
          if (w === 2) dst[t + 1] = src[s + 1]!;
        }
      }
    }
    return [o];
  },
};
