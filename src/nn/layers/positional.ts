/**
 * @file Positional encodings: RoPE, SinusoidalPositionalEncoding, ALiBi.
 */
import type { MxArray } from '../../core/array.js';
import * as mx from '../../index.js';
import { float32, type Dtype } from '../../core/dtype.js';
import { Module } from '../module.js';

/**
 * Rotary positional encoding of the first `dims` features of [..., L, D] inputs. Pairs are (i, i + dims/2), or
 * adjacent features (2i, 2i+1) when `traditional`. Position p rotates pair i by p·scale·base^(-2i/dims).
 *
 * @example
 * ```ts
 * const rope = new nn.RoPE(32);
 * rope.forward(q, 5); // queries starting at position 5
 * ```
 */
export class RoPE extends Module {
  constructor(public dims: number, public traditional = false, public base = 10000, public scale = 1) {
    super();
    if (dims % 2 !== 0) throw new Error(`[RoPE] dims must be even, got ${dims}.`);
  }
  forward(x: MxArray, offset = 0): MxArray {
    const L = x.shape[x.ndim - 2]!, D = x.shape[x.ndim - 1]!, half = this.dims / 2;
    const pos = mx.multiply(mx.arange(offset, offset + L, float32), this.scale);
    const freqs = mx.exp(mx.multiply(mx.arange(0, half, float32), -Math.log(this.base) * 2 / this.dims));
    const theta = mx.multiply(mx.reshape(pos, [L, 1]), mx.reshape(freqs, [1, half]));
    const cos = mx.cos(theta).astype(x.dtype), sin = mx.sin(theta).astype(x.dtype);
    const rot = x.index('...', mx.sl(0, this.dims));
    const rest = this.dims < D ? x.index('...', mx.sl(this.dims)) : null;
    let out: MxArray;
    if (this.traditional) {
      const a = rot.index('...', mx.sl(0, null, 2)), b = rot.index('...', mx.sl(1, null, 2));
      const ra = mx.subtract(mx.multiply(a, cos), mx.multiply(b, sin));
      const rb = mx.add(mx.multiply(a, sin), mx.multiply(b, cos));
      out = mx.reshape(mx.stack([ra, rb], -1), rot.shape as number[]);
    } else {
      const a = rot.index('...', mx.sl(0, half)), b = rot.index('...', mx.sl(half));
      out = mx.concatenate([
        mx.subtract(mx.multiply(a, cos), mx.multiply(b, sin)),
        mx.add(mx.multiply(a, sin), mx.multiply(b, cos)),
      ], -1);
    }
    return rest ? mx.concatenate([out, rest], -1) : out;
  }
}

/**
 * Sinusoidal encoding of (possibly fractional) positions: features sin(p σ_i), cos(p σ_i) with frequencies σ
 * spaced geometrically from `maxFreq` down to `minFreq`, times `scale` (default sqrt(2/dims)).
 *
 * @example
 * ```ts
 * new nn.SinusoidalPositionalEncoding(16).forward(mx.arange(10)).shape; // [10, 16]
 * ```
 */
export class SinusoidalPositionalEncoding extends Module {
  _sigmas: MxArray;
  scale: number;
  constructor(public dims: number, minFreq = 0.0001, maxFreq = 1, scale: number | null = null, public cosFirst = false, fullTurns = false) {
    super();
    const half = Math.floor(dims / 2);
    const oneZero = mx.subtract(1, mx.divide(mx.arange(0, half, float32), Math.max(half - 1, 1)));
    const lo = Math.log(minFreq), hi = Math.log(maxFreq);
    let s = mx.exp(mx.add(mx.multiply(oneZero, hi - lo), lo));
    if (fullTurns) s = mx.multiply(s, 2 * Math.PI);
    this._sigmas = s;
    this.scale = scale ?? Math.sqrt(2 / dims);
  }
  forward(x: MxArray): MxArray {
    const y = mx.multiply(mx.expandDims(x, -1), this._sigmas);
    const c = mx.cos(y), s = mx.sin(y);
    const out = mx.concatenate(this.cosFirst ? [c, s] : [s, c], -1);
    return this.scale === 1 ? out : mx.multiply(out, this.scale);
  }
}

/**
 * Attention with linear biases: adds -slope_h·|i - j| to the [B, H, Lq, Lk] attention scores, slopes 2^(-8h/H).
 *
 * @example
 * ```ts
 * const alibi = new nn.ALiBi();
 * const biased = alibi.forward(scores);
 * ```
 */
export class ALiBi extends Module {
  /** The additive bias for `numHeads` heads, query positions offset..qLen-1 and key positions 0..kLen-1. */
  static createAlibiMatrix(qLen: number, kLen: number, numHeads: number, offset = 0, dtype: Dtype = float32): MxArray {
    const qi = mx.reshape(mx.arange(offset, qLen, float32), [-1, 1]);
    const kj = mx.reshape(mx.arange(0, kLen, float32), [1, -1]);
    const dist = mx.negative(mx.abs(mx.subtract(qi, kj)));
    const base = Math.pow(2 ** 8, 1 / numHeads);
    const slopes = mx.reshape(mx.power(base, mx.negative(mx.arange(1, numHeads + 1, float32))), [numHeads, 1, 1]);
    return mx.multiply(mx.expandDims(dist, 0), slopes).astype(dtype);
  }
  forward(scores: MxArray, offset = 0, mask: MxArray | null = null): MxArray {
    const H = scores.shape[scores.ndim - 3]!, Lq = scores.shape[scores.ndim - 2]!, Lk = scores.shape[scores.ndim - 1]!;
    let bias = ALiBi.createAlibiMatrix(Lq + offset, Lk, H, offset, scores.dtype);
    if (mask) bias = mx.add(bias, mask);
    return mx.add(scores, bias);
  }
}
