/**
 * @file Pooling over the spatial axes of channels-last inputs [N, *spatial, C] (or without N): MaxPool1d/2d/3d,
 * AvgPool1d/2d/3d. Built from strided views, one per kernel offset, combined elementwise, so gradients flow
 * through slicing and max/add. Padding fills -inf for max pooling and 0 for average pooling (the average always
 * divides by the kernel size, as MLX).
 */
import type { MxArray } from '../../core/array.js';
import * as mx from '../../index.js';
import { Module } from '../module.js';

type IntOrTuple = number | number[];

function tuple(v: IntOrTuple, n: number, what: string, op: string): number[] {
  const t = typeof v === 'number' ? Array(n).fill(v) : [...v];
  if (t.length !== n || t.some((x) => !Number.isInteger(x) || x < 0)) throw new Error(`[${op}] ${what} must be ${n} non-negative integers, got ${JSON.stringify(v)}.`);
  return t;
}

/** Pools x over its `n` spatial axes (those before the last). */
export function pool(x: MxArray, n: number, kernel: number[], stride: number[], padding: number[], kind: 'max' | 'avg', op: string): MxArray {
  if (x.ndim !== n + 1 && x.ndim !== n + 2) throw new Error(`[${op}] Expected input with ${n + 1} or ${n + 2} dimensions (channels last), got shape (${x.shape.join(',')}).`);
  const first = x.ndim - 1 - n;
  if (padding.some((p) => p > 0)) {
    const widths: [number, number][] = x.shape.map((_, i) => (i >= first && i < first + n ? [padding[i - first]!, padding[i - first]!] : [0, 0]));
    x = mx.pad(x, widths, 'constant', kind === 'max' ? -Infinity : 0);
  }
  const outSize = kernel.map((k, i) => Math.floor((x.shape[first + i]! - k) / stride[i]!) + 1);
  if (outSize.some((o) => o <= 0)) throw new Error(`[${op}] The kernel (${kernel.join(',')}) is larger than the padded input (${x.shape.join(',')}).`);
  let acc: MxArray | null = null;
  const offsets: number[][] = [[]];
  for (const k of kernel) {
    const next: number[][] = [];
    for (const o of offsets) for (let j = 0; j < k; j++) next.push([...o, j]);
    offsets.splice(0, offsets.length, ...next);
  }
  for (const off of offsets) {
    const items = x.shape.map((_, i) => {
      if (i < first || i >= first + n) return mx.sl();
      const d = i - first;
      return mx.sl(off[d]!, off[d]! + (outSize[d]! - 1) * stride[d]! + 1, stride[d]!);
    });
    const v = x.index(...items);
    acc = acc === null ? v : kind === 'max' ? mx.maximum(acc, v) : mx.add(acc, v);
  }
  return kind === 'max' ? acc! : mx.divide(acc!, kernel.reduce((a, b) => a * b, 1));
}

function makePool(n: number, kind: 'max' | 'avg', name: string) {
  const C = class extends Module {
    kernelSize: number[]; stride: number[]; padding: number[];
    constructor(kernelSize: IntOrTuple, stride: IntOrTuple | null = null, padding: IntOrTuple = 0) {
      super();
      this.kernelSize = tuple(kernelSize, n, 'kernelSize', name);
      this.stride = tuple(stride ?? kernelSize, n, 'stride', name);
      this.padding = tuple(padding, n, 'padding', name);
      if (this.stride.some((s) => s < 1)) throw new Error(`[${name}] stride must be positive.`);
    }
    forward(x: MxArray): MxArray { return pool(x, n, this.kernelSize, this.stride, this.padding, kind, name); }
  };
  Object.defineProperty(C, 'name', { value: name });
  return C;
}

/** Max over windows of [N, L, C]. @example `new nn.MaxPool1d(2).forward(x)` */
export const MaxPool1d = makePool(1, 'max', 'MaxPool1d');
/** Max over windows of [N, H, W, C]. @example `new nn.MaxPool2d(3, 2, 1).forward(x)` */
export const MaxPool2d = makePool(2, 'max', 'MaxPool2d');
/** Max over windows of [N, D, H, W, C]. @example `new nn.MaxPool3d(2).forward(x)` */
export const MaxPool3d = makePool(3, 'max', 'MaxPool3d');
/** Mean over windows of [N, L, C]. @example `new nn.AvgPool1d(2).forward(x)` */
export const AvgPool1d = makePool(1, 'avg', 'AvgPool1d');
/** Mean over windows of [N, H, W, C]. @example `new nn.AvgPool2d(2, 2).forward(x)` */
export const AvgPool2d = makePool(2, 'avg', 'AvgPool2d');
/** Mean over windows of [N, D, H, W, C]. @example `new nn.AvgPool3d(2).forward(x)` */
export const AvgPool3d = makePool(3, 'avg', 'AvgPool3d');
