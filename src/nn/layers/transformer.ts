/**
 * @file Attention and transformers: MultiHeadAttention, TransformerEncoder(Layer), TransformerDecoder(Layer),
 * Transformer. Masks are additive (0 where allowed, a large negative number where not) or boolean (true = allowed).
 */
import type { MxArray } from '../../core/array.js';
import * as mx from '../../index.js';
import { float32, bool, type Dtype } from '../../core/dtype.js';
import { Module } from '../module.js';
import { Linear } from './linear.js';
import { LayerNorm } from './normalization.js';
import { Dropout } from './dropout.js';
import { relu } from '../activations.js';

/** softmax(q kᵀ · scale + mask) v over [B, H, L, D] inputs. */
export function scaledDotProductAttention(q: MxArray, k: MxArray, v: MxArray, scale: number, mask: MxArray | null = null): MxArray {
  let s = mx.matmul(mx.multiply(q, scale), mx.swapaxes(k, -1, -2));
  if (mask) s = mask.dtype === bool ? mx.where(mask, s, -Infinity) : mx.add(s, mask.astype(s.dtype));
  return mx.matmul(mx.softmax(s, -1), v);
}

/**
 * Multi-head attention with projections `queryProj`, `keyProj`, `valueProj`, `outProj` (saved as MLX's
 * `query_proj` ...). Inputs are [B, L, D].
 *
 * @example
 * ```ts
 * const mha = new nn.MultiHeadAttention(64, 4);
 * const mask = nn.MultiHeadAttention.createAdditiveCausalMask(10);
 * mha.forward(x, x, x, mask);
 * ```
 */
export class MultiHeadAttention extends Module {
  queryProj: Linear;
  keyProj: Linear;
  valueProj: Linear;
  outProj: Linear;
  constructor(
    dims: number, public numHeads: number, queryInputDims: number | null = null, keyInputDims: number | null = null,
    valueInputDims: number | null = null, valueDims: number | null = null, valueOutputDims: number | null = null, bias = false,
  ) {
    super();
    if (dims % numHeads !== 0) throw new Error(`[MultiHeadAttention] dims ${dims} is not divisible by numHeads ${numHeads}.`);
    const vd = valueDims ?? dims;
    this.queryProj = new Linear(queryInputDims ?? dims, dims, bias);
    this.keyProj = new Linear(keyInputDims ?? dims, dims, bias);
    this.valueProj = new Linear(valueInputDims ?? keyInputDims ?? dims, vd, bias);
    this.outProj = new Linear(vd, valueOutputDims ?? dims, bias);
  }
  forward(queries: MxArray, keys: MxArray, values: MxArray, mask: MxArray | null = null): MxArray {
    const q = this.queryProj.forward(queries), k = this.keyProj.forward(keys), v = this.valueProj.forward(values);
    const H = this.numHeads;
    const split = (t: MxArray): MxArray => {
      const [B, L] = t.shape as [number, number];
      return mx.transpose(mx.reshape(t, [B, L, H, -1]), [0, 2, 1, 3]);
    };
    const qh = split(q), kh = split(k), vh = split(v);
    const scale = 1 / Math.sqrt(qh.shape[3]!);
    const o = scaledDotProductAttention(qh, kh, vh, scale, mask);
    const [B, , L] = o.shape as [number, number, number];
    return this.outProj.forward(mx.reshape(mx.transpose(o, [0, 2, 1, 3]), [B, L, -1]));
  }
  /** [N, N] mask: 0 on and below the diagonal, -1e9 above (a position attends to itself and the past). */
  static createAdditiveCausalMask(N: number, dtype: Dtype = float32): MxArray {
    const i = mx.arange(0, N, float32);
    const future = mx.less(mx.reshape(i, [-1, 1]), mx.reshape(i, [1, -1]));
    return mx.where(future, mx.array(-1e9, dtype), mx.array(0, dtype));
  }
}

type Act = (x: MxArray) => MxArray;

/** One encoder block: self-attention and an MLP, each with a residual, LayerNorm before (`normFirst`) or after. */
export class TransformerEncoderLayer extends Module {
  attention: MultiHeadAttention; ln1: LayerNorm; ln2: LayerNorm; linear1: Linear; linear2: Linear;
  dropout1: Dropout; dropout2: Dropout;
  constructor(dims: number, numHeads: number, mlpDims: number | null = null, dropout = 0, public activation: Act = relu, public normFirst = true) {
    super();
    const m = mlpDims ?? dims * 4;
    this.attention = new MultiHeadAttention(dims, numHeads);
    this.ln1 = new LayerNorm(dims); this.ln2 = new LayerNorm(dims);
    this.linear1 = new Linear(dims, m); this.linear2 = new Linear(m, dims);
    this.dropout1 = new Dropout(dropout); this.dropout2 = new Dropout(dropout);
  }
  private mlp(x: MxArray): MxArray {
    return this.linear2.forward(this.dropout2.forward(this.activation(this.linear1.forward(x))));
  }
  forward(x: MxArray, mask: MxArray | null = null): MxArray {
    if (this.normFirst) {
      let y = this.ln1.forward(x);
      x = mx.add(x, this.dropout1.forward(this.attention.forward(y, y, y, mask)));
      y = this.ln2.forward(x);
      return mx.add(x, this.mlp(y));
    }
    x = this.ln1.forward(mx.add(x, this.dropout1.forward(this.attention.forward(x, x, x, mask))));
    return this.ln2.forward(mx.add(x, this.mlp(x)));
  }
}

/** A stack of encoder layers followed by a LayerNorm (`ln`). @example `new nn.TransformerEncoder(2, 32, 4)` */
export class TransformerEncoder extends Module {
  layers: TransformerEncoderLayer[]; ln: LayerNorm;
  constructor(numLayers: number, dims: number, numHeads: number, mlpDims: number | null = null, dropout = 0, activation: Act = relu, normFirst = true) {
    super();
    this.layers = Array.from({ length: numLayers }, () => new TransformerEncoderLayer(dims, numHeads, mlpDims, dropout, activation, normFirst));
    this.ln = new LayerNorm(dims);
  }
  forward(x: MxArray, mask: MxArray | null = null): MxArray {
    for (const l of this.layers) x = l.forward(x, mask);
    return this.ln.forward(x);
  }
}

/** One decoder block: self-attention, cross-attention over `memory`, and an MLP. */
export class TransformerDecoderLayer extends Module {
  selfAttention: MultiHeadAttention; crossAttention: MultiHeadAttention;
  ln1: LayerNorm; ln2: LayerNorm; ln3: LayerNorm; linear1: Linear; linear2: Linear;
  dropout1: Dropout; dropout2: Dropout; dropout3: Dropout;
  constructor(dims: number, numHeads: number, mlpDims: number | null = null, dropout = 0, public activation: Act = relu, public normFirst = true) {
    super();
    const m = mlpDims ?? dims * 4;
    this.selfAttention = new MultiHeadAttention(dims, numHeads);
    this.crossAttention = new MultiHeadAttention(dims, numHeads);
    this.ln1 = new LayerNorm(dims); this.ln2 = new LayerNorm(dims); this.ln3 = new LayerNorm(dims);
    this.linear1 = new Linear(dims, m); this.linear2 = new Linear(m, dims);
    this.dropout1 = new Dropout(dropout); this.dropout2 = new Dropout(dropout); this.dropout3 = new Dropout(dropout);
  }
  private mlp(x: MxArray): MxArray {
    return this.linear2.forward(this.dropout3.forward(this.activation(this.linear1.forward(x))));
  }
  forward(x: MxArray, memory: MxArray, xMask: MxArray | null = null, memoryMask: MxArray | null = null): MxArray {
    if (this.normFirst) {
      let y = this.ln1.forward(x);
      x = mx.add(x, this.dropout1.forward(this.selfAttention.forward(y, y, y, xMask)));
      y = this.ln2.forward(x);
      x = mx.add(x, this.dropout2.forward(this.crossAttention.forward(y, memory, memory, memoryMask)));
      return mx.add(x, this.mlp(this.ln3.forward(x)));
    }
    x = this.ln1.forward(mx.add(x, this.dropout1.forward(this.selfAttention.forward(x, x, x, xMask))));
    x = this.ln2.forward(mx.add(x, this.dropout2.forward(this.crossAttention.forward(x, memory, memory, memoryMask))));
    return this.ln3.forward(mx.add(x, this.mlp(x)));
  }
}

/** A stack of decoder layers followed by a LayerNorm (`ln`). @example `new nn.TransformerDecoder(2, 32, 4)` */
export class TransformerDecoder extends Module {
  layers: TransformerDecoderLayer[]; ln: LayerNorm;
  constructor(numLayers: number, dims: number, numHeads: number, mlpDims: number | null = null, dropout = 0, activation: Act = relu, normFirst = true) {
    super();
    this.layers = Array.from({ length: numLayers }, () => new TransformerDecoderLayer(dims, numHeads, mlpDims, dropout, activation, normFirst));
    this.ln = new LayerNorm(dims);
  }
  forward(x: MxArray, memory: MxArray, xMask: MxArray | null = null, memoryMask: MxArray | null = null): MxArray {
    for (const l of this.layers) x = l.forward(x, memory, xMask, memoryMask);
    return this.ln.forward(x);
  }
}

/** Options of `Transformer`. */
export interface TransformerOpts {
  dims?: number; numHeads?: number; numEncoderLayers?: number; numDecoderLayers?: number; mlpDims?: number | null;
  dropout?: number; activation?: Act; customEncoder?: Module | null; customDecoder?: Module | null; normFirst?: boolean;
}

/**
 * Encoder-decoder transformer (defaults as MLX: 512 dims, 8 heads, 6 + 6 layers).
 *
 * @example
 * ```ts
 * const t = new nn.Transformer({ dims: 32, numHeads: 4, numEncoderLayers: 1, numDecoderLayers: 1 });
 * t.forward(src, tgt, null, causal, null);
 * ```
 */
export class Transformer extends Module {
  encoder: Module; decoder: Module;
  constructor(opts: TransformerOpts = {}) {
    super();
    const { dims = 512, numHeads = 8, numEncoderLayers = 6, numDecoderLayers = 6, mlpDims = null, dropout = 0, activation = relu, normFirst = true } = opts;
    this.encoder = opts.customEncoder ?? new TransformerEncoder(numEncoderLayers, dims, numHeads, mlpDims, dropout, activation, normFirst);
    this.decoder = opts.customDecoder ?? new TransformerDecoder(numDecoderLayers, dims, numHeads, mlpDims, dropout, activation, normFirst);
  }
  forward(src: MxArray, tgt: MxArray, srcMask: MxArray | null = null, tgtMask: MxArray | null = null, memoryMask: MxArray | null = null): MxArray {
    const memory = this.encoder.forward(src, srcMask);
    return this.decoder.forward(tgt, memory, tgtMask, memoryMask);
  }
}
