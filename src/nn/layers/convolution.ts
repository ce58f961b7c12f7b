/**
 * @file Convolution layers over channels-last inputs (MLX's layouts): Conv1d/2d/3d with weight
 * [C_out, *kernel, C_in/groups], ConvTranspose1d/2d/3d with weight [C_out, *kernel, C_in]. Weights and biases are
 * initialised U(-s, s), s = sqrt(1 / (C_in · prod(kernel))).
 */
import type { MxArray } from '../../core/array.js';
import * as mx from '../../index.js';
import { Module } from '../module.js';

type Tup = number | number[];

function tup(v: Tup, n: number, what: string, op: string): number[] {
  const t = typeof v === 'number' ? Array(n).fill(v) : [...v];
  if (t.length !== n) throw new Error(`[${op}] ${what} needs ${n} values, got ${JSON.stringify(v)}.`);
  return t;
}

function makeConv(nd: number, name: string) {
  const fn = [mx.conv1d, mx.conv2d, mx.conv3d][nd - 1]!;
  const C = class extends Module {
    weight: MxArray; bias?: MxArray;
    stride: number[]; padding: number[]; dilation: number[]; groups: number;
    constructor(inChannels: number, outChannels: number, kernelSize: Tup, stride: Tup = 1, padding: Tup = 0, dilation: Tup = 1, groups = 1, bias = true) {
      super();
      if (inChannels % groups !== 0 || outChannels % groups !== 0) {
        throw new Error(`[${name}] inChannels ${inChannels} and outChannels ${outChannels} must be divisible by groups ${groups}.`);
      }
      const k = tup(kernelSize, nd, 'kernelSize', name);
      this.stride = tup(stride, nd, 'stride', name);
      this.padding = tup(padding, nd, 'padding', name);
      this.dilation = tup(dilation, nd, 'dilation', name);
      this.groups = groups;
      const s = Math.sqrt(1 / (inChannels * k.reduce((a, b) => a * b, 1)));
      this.weight = mx.random.uniform({ low: -s, high: s, shape: [outChannels, ...k, inChannels / groups] });
      if (bias) this.bias = mx.random.uniform({ low: -s, high: s, shape: [outChannels] });
    }
    forward(x: MxArray): MxArray {
      const y = (fn as (...a: unknown[]) => MxArray)(x, this.weight, this.stride, this.padding, this.dilation, this.groups);
      return this.bias ? mx.add(y, this.bias) : y;
    }
  };
  Object.defineProperty(C, 'name', { value: name });
  return C;
}

function makeConvTranspose(nd: number, name: string) {
  const fn = [mx.convTranspose1d, mx.convTranspose2d, mx.convTranspose3d][nd - 1]!;
  const C = class extends Module {
    weight: MxArray; bias?: MxArray;
    stride: number[]; padding: number[]; dilation: number[]; outputPadding: number[];
    constructor(inChannels: number, outChannels: number, kernelSize: Tup, stride: Tup = 1, padding: Tup = 0, dilation: Tup = 1, outputPadding: Tup = 0, bias = true) {
      super();
      const k = tup(kernelSize, nd, 'kernelSize', name);
      this.stride = tup(stride, nd, 'stride', name);
      this.padding = tup(padding, nd, 'padding', name);
      this.dilation = tup(dilation, nd, 'dilation', name);
      this.outputPadding = tup(outputPadding, nd, 'outputPadding', name);
      const s = Math.sqrt(1 / (inChannels * k.reduce((a, b) => a * b, 1)));
      this.weight = mx.random.uniform({ low: -s, high: s, shape: [outChannels, ...k, inChannels] });
      if (bias) this.bias = mx.random.uniform({ low: -s, high: s, shape: [outChannels] });
    }
    forward(x: MxArray): MxArray {
      const y = (fn as (...a: unknown[]) => MxArray)(x, this.weight, this.stride, this.padding, this.dilation, this.outputPadding);
      return this.bias ? mx.add(y, this.bias) : y;
    }
  };
  Object.defineProperty(C, 'name', { value: name });
  return C;
}

/** 1-D convolution layer over [N, L, C]. @example `new nn.Conv1d(4, 6, 3).forward(x)` */
export const Conv1d = makeConv(1, 'Conv1d');
/** 2-D convolution layer over [N, H, W, C]. @example `new nn.Conv2d(3, 16, 3, 1, 1).forward(x)` */
export const Conv2d = makeConv(2, 'Conv2d');
/** 3-D convolution layer over [N, D, H, W, C]. @example `new nn.Conv3d(2, 4, 3).forward(x)` */
export const Conv3d = makeConv(3, 'Conv3d');
/** 1-D transposed convolution layer. @example `new nn.ConvTranspose1d(3, 5, 3, 2).forward(x)` */
export const ConvTranspose1d = makeConvTranspose(1, 'ConvTranspose1d');
/** 2-D transposed convolution layer. @example `new nn.ConvTranspose2d(2, 3, 3, 2).forward(x)` */
export const ConvTranspose2d = makeConvTranspose(2, 'ConvTranspose2d');
/** 3-D transposed convolution layer. @example `new nn.ConvTranspose3d(2, 3, 3, 2).forward(x)` */
export const ConvTranspose3d = makeConvTranspose(3, 'ConvTranspose3d');
