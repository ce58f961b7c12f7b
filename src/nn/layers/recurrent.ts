/**
 * @file Recurrent layers over [N, L, D] (or [L, D]) inputs: RNN, GRU, LSTM. Weights use MLX's names and layouts;
 * every weight is initialised U(-1/sqrt(H), 1/sqrt(H)).
 */
import type { MxArray } from '../../core/array.js';
import * as mx from '../../index.js';
import { Module } from '../module.js';

function init(shape: number[], hidden: number): MxArray {
  const s = 1 / Math.sqrt(hidden);
  return mx.random.uniform({ low: -s, high: s, shape });
}

/** x[..., t, :] for every t, as a list. */
function steps(x: MxArray): MxArray[] {
  const L = x.shape[x.ndim - 2]!;
  return Array.from({ length: L }, (_, t) => x.index('...', t, mx.sl()));
}

/**
 * Elman RNN: h_t = act(x_t Wxhᵀ + h_{t-1} Whhᵀ + bias), act = tanh by default. Returns every hidden state
 * [N, L, H].
 *
 * @example
 * ```ts
 * new nn.RNN(5, 4).forward(mx.ones([2, 6, 5])).shape; // [2, 6, 4]
 * ```
 */
export class RNN extends Module {
  Wxh: MxArray; Whh: MxArray; bias?: MxArray;
  constructor(inputSize: number, public hiddenSize: number, bias = true, public nonlinearity: (x: MxArray) => MxArray = mx.tanh) {
    super();
    this.Wxh = init([hiddenSize, inputSize], hiddenSize);
    this.Whh = init([hiddenSize, hiddenSize], hiddenSize);
    if (bias) this.bias = init([hiddenSize], hiddenSize);
  }
  forward(x: MxArray, hidden: MxArray | null = null): MxArray {
    let xp = mx.matmul(x, mx.transpose(this.Wxh));
    if (this.bias) xp = mx.add(xp, this.bias);
    const whT = mx.transpose(this.Whh);
    const out: MxArray[] = [];
    let h = hidden;
    for (const xt of steps(xp)) {
      h = this.nonlinearity(h ? mx.add(xt, mx.matmul(h, whT)) : xt);
      out.push(h);
    }
    return mx.stack(out, -2);
  }
}

/**
 * GRU with `Wx` [3H, D], `Wh` [3H, H] (gate order r, z, n), `b` [3H] and `bhn` [H] (the hidden bias of n):
 * r, z = σ(x W_{r,z}ᵀ + h U_{r,z}ᵀ + b), n = tanh(x W_nᵀ + b_n + r (h U_nᵀ + bhn)), h' = (1 - z) n + z h.
 * The state starts at zero (so `bhn` already enters the first step). Returns every hidden state.
 *
 * @example
 * ```ts
 * new nn.GRU(5, 4).forward(mx.ones([2, 6, 5])).shape; // [2, 6, 4]
 * ```
 */
export class GRU extends Module {
  Wx: MxArray; Wh: MxArray; b?: MxArray; bhn?: MxArray;
  constructor(inputSize: number, public hiddenSize: number, bias = true) {
    super();
    const H = hiddenSize;
    this.Wx = init([3 * H, inputSize], H);
    this.Wh = init([3 * H, H], H);
    if (bias) { this.b = init([3 * H], H); this.bhn = init([H], H); }
  }
  forward(x: MxArray, hidden: MxArray | null = null): MxArray {
    const H = this.hiddenSize;
    let xp = mx.matmul(x, mx.transpose(this.Wx));
    if (this.b) xp = mx.add(xp, this.b);
    const whT = mx.transpose(this.Wh);
    const batch = x.shape.slice(0, -2) as number[];
    let h = hidden ?? mx.zeros([...batch, H], x.dtype);
    const out: MxArray[] = [];
    for (const xt of steps(xp)) {
      const hp = mx.matmul(h, whT);
      const rz = mx.sigmoid(mx.add(xt.index('...', mx.sl(0, 2 * H)), hp.index('...', mx.sl(0, 2 * H))));
      const r = rz.index('...', mx.sl(0, H)), z = rz.index('...', mx.sl(H));
      let hn = hp.index('...', mx.sl(2 * H));
      if (this.bhn) hn = mx.add(hn, this.bhn);
      const n = mx.tanh(mx.add(xt.index('...', mx.sl(2 * H)), mx.multiply(r, hn)));
      h = mx.add(mx.multiply(mx.subtract(1, z), n), mx.multiply(z, h));
      out.push(h);
    }
    return mx.stack(out, -2);
  }
}

/**
 * LSTM with `Wx` [4H, D], `Wh` [4H, H], `bias` [4H], gate order i, f, g, o:
 * c' = σ(f) c + σ(i) tanh(g), h' = σ(o) tanh(c'). Returns `[hidden, cell]`, each [N, L, H].
 *
 * @example
 * ```ts
 * const [h, c] = new nn.LSTM(5, 4).forward(mx.ones([2, 6, 5]));
 * ```
 */
export class LSTM extends Module {
  Wx: MxArray; Wh: MxArray; bias?: MxArray;
  constructor(inputSize: number, public hiddenSize: number, bias = true) {
    super();
    const H = hiddenSize;
    this.Wx = init([4 * H, inputSize], H);
    this.Wh = init([4 * H, H], H);
    if (bias) this.bias = init([4 * H], H);
  }
  forward(x: MxArray, hidden: MxArray | null = null, cell: MxArray | null = null): [MxArray, MxArray] {
    const H = this.hiddenSize;
    let xp = mx.matmul(x, mx.transpose(this.Wx));
    if (this.bias) xp = mx.add(xp, this.bias);
    const whT = mx.transpose(this.Wh);
    const batch = x.shape.slice(0, -2) as number[];
    let h = hidden ?? mx.zeros([...batch, H], x.dtype);
    let c = cell ?? mx.zeros([...batch, H], x.dtype);
    const hs: MxArray[] = [], cs: MxArray[] = [];
    for (const xt of steps(xp)) {
      const g4 = mx.add(xt, mx.matmul(h, whT));
      const gate = (k: number): MxArray => g4.index('...', mx.sl(k * H, (k + 1) * H));
      const i = mx.sigmoid(gate(0)), f = mx.sigmoid(gate(1)), g = mx.tanh(gate(2)), o = mx.sigmoid(gate(3));
      c = mx.add(mx.multiply(f, c), mx.multiply(i, g));
      h = mx.multiply(o, mx.tanh(c));
      hs.push(h); cs.push(c);
    }
    return [mx.stack(hs, -2), mx.stack(cs, -2)];
  }
}
