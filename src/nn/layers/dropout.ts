/**
 * @file Dropout layers. In training mode each element (or channel) is zeroed with probability `p` and the rest
 * scaled by 1/(1-p); in eval mode they return the input. Masks are drawn from mx.random's global key, so inside
 * `mx.compile` they change from call to call only when `mx.random.state` is implicit state of the compiled function
 * (`nn.trainStep` and `trainLoop({ compile: true })` pass it); otherwise the traced mask is reused, as in MLX.
 */
import type { MxArray } from '../../core/array.js';
import * as mx from '../../index.js';
import { Module } from '../module.js';

function checkP(p: number, op: string): void {
  if (!(p >= 0 && p < 1)) throw new RangeError(`[${op}] The dropout probability ${p} is not in [0, 1).`);
}

function drop(x: MxArray, p: number, maskShape: number[]): MxArray {
  const keep = 1 - p;
  const mask = mx.random.bernoulli({ p: keep, shape: maskShape });
  return mx.multiply(x, mx.multiply(mask.astype(x.dtype), 1 / keep));
}

/** Zeroes elements with probability `p` while training. @example `new nn.Dropout(0.1).forward(x)` */
export class Dropout extends Module {
  constructor(public p = 0.5) { super(); checkP(p, 'Dropout'); }
  forward(x: MxArray): MxArray {
    if (!this.training || this.p === 0) return x;
    return drop(x, this.p, [...x.shape]);
  }
}

function channelDrop(x: MxArray, p: number, spatial: number, op: string): MxArray {
  if (x.ndim !== spatial + 1 && x.ndim !== spatial + 2) {
    throw new Error(`[${op}] Expected input with ${spatial + 1} or ${spatial + 2} dimensions (channels last), got shape (${x.shape.join(',')}).`);
  }
  const shape = [...x.shape];
  for (let i = 2; i < 2 + spatial; i++) shape[shape.length - i] = 1;
  return drop(x, p, shape);
}

/** Zeroes whole channels of [N, H, W, C] inputs with probability `p` while training. @example `new nn.Dropout2d(0.2)` */
export class Dropout2d extends Module {
  constructor(public p = 0.5) { super(); checkP(p, 'Dropout2d'); }
  forward(x: MxArray): MxArray {
    if (!this.training || this.p === 0) return x;
    return channelDrop(x, this.p, 2, 'Dropout2d');
  }
}

/** Zeroes whole channels of [N, D, H, W, C] inputs with probability `p` while training. @example `new nn.Dropout3d(0.2)` */
export class Dropout3d extends Module {
  constructor(public p = 0.5) { super(); checkP(p, 'Dropout3d'); }
  forward(x: MxArray): MxArray {
    if (!this.training || this.p === 0) return x;
    return channelDrop(x, this.p, 3, 'Dropout3d');
  }
}
