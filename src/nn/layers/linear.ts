/**
 * @file Linear layers and containers: Identity, Linear, Bilinear, Sequential, Embedding.
 */
import type { MxArray } from '../../core/array.js';
import * as mx from '../../index.js';
import { Module } from '../module.js';

/** Returns its input. @example `new nn.Identity().forward(x)` */
export class Identity extends Module {
  forward(x: MxArray): MxArray { return x; }
}

/**
 * y = x Wᵀ + b with `weight` [out, in] and `bias` [out], both initialised U(-1/sqrt(in), 1/sqrt(in)).
 *
 * @example
 * ```ts
 * const l = new nn.Linear(4, 2);
 * l.forward(mx.ones([3, 4])).shape; // [3, 2]
 * ```
 */
export class Linear extends Module {
  weight: MxArray;
  bias?: MxArray;
  constructor(inputDims: number, outputDims: number, bias = true) {
    super();
    const s = Math.sqrt(1 / inputDims);
    this.weight = mx.random.uniform({ low: -s, high: s, shape: [outputDims, inputDims] });
    if (bias) this.bias = mx.random.uniform({ low: -s, high: s, shape: [outputDims] });
  }
  forward(x: MxArray): MxArray {
    const y = mx.matmul(x, mx.transpose(this.weight));
    return this.bias ? mx.add(y, this.bias) : y;
  }
}

/**
 * y_o = x1ᵀ W_o x2 + b_o with `weight` [out, in2, in1] and `bias` [out].
 *
 * @example
 * ```ts
 * new nn.Bilinear(3, 4, 2).forward(mx.ones([5, 3]), mx.ones([5, 4])).shape; // [5, 2]
 * ```
 */
export class Bilinear extends Module {
  weight: MxArray;
  bias?: MxArray;
  constructor(input1Dims: number, input2Dims: number, outputDims: number, bias = true) {
    super();
    const s = Math.sqrt(1 / input1Dims);
    this.weight = mx.random.uniform({ low: -s, high: s, shape: [outputDims, input2Dims, input1Dims] });
    if (bias) this.bias = mx.random.uniform({ low: -s, high: s, shape: [outputDims] });
  }
  forward(x1: MxArray, x2: MxArray): MxArray {
    const [out, in2, in1] = this.weight.shape as [number, number, number];
    const lead = x1.shape.slice(0, -1);
    const a = mx.reshape(x1, [-1, in1]);
    const b = mx.reshape(x2, [-1, 1, in2]);
    // (N, in1) x (in1, out*in2) -> (N, out, in2) -> contract in2 with x2
    let y = mx.matmul(a, mx.transpose(mx.reshape(this.weight, [out * in2, in1])));
    y = mx.swapaxes(mx.reshape(y, [-1, out, in2]), -2, -1);
    y = mx.squeeze(mx.matmul(b, y), 1);
    if (this.bias) y = mx.add(y, this.bias);
    return mx.reshape(y, [...lead, out]);
  }
}

/** A layer or a plain function in a `Sequential`. */
export type SequentialItem = Module | ((x: any) => any);

/**
 * Runs layers (modules or functions) one after the other.
 *
 * @example
 * ```ts
 * const mlp = new nn.Sequential(new nn.Linear(2, 8), nn.relu, new nn.Linear(8, 1));
 * ```
 */
export class Sequential extends Module {
  layers: SequentialItem[];
  constructor(...layers: SequentialItem[]) {
    super();
    this.layers = layers;
  }
  forward(x: any): any {
    for (const l of this.layers) x = l instanceof Module ? l.forward(x) : l(x);
    return x;
  }
}

/**
 * A lookup table: `weight` [numEmbeddings, dims] ~ N(0, 1/dims); `forward(ids)` gathers rows.
 *
 * @example
 * ```ts
 * const emb = new nn.Embedding(100, 16);
 * emb.forward(mx.array([[1, 2, 3]])).shape; // [1, 3, 16]
 * ```
 */
export class Embedding extends Module {
  weight: MxArray;
  constructor(numEmbeddings: number, dims: number) {
    super();
    this.weight = mx.random.normal({ shape: [numEmbeddings, dims], scale: Math.sqrt(1 / dims) });
  }
  forward(x: MxArray): MxArray { return mx.take(this.weight, x, 0); }
  /** Uses the table as an output projection (tied weights): x Wᵀ. @example `emb.asLinear(h)` */
  asLinear(x: MxArray): MxArray { return mx.matmul(x, mx.transpose(this.weight)); }
}
