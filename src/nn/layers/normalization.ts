/**
 * @file Normalization layers (channels last, as MLX): LayerNorm, RMSNorm, GroupNorm, InstanceNorm, BatchNorm.
 */
import type { MxArray } from '../../core/array.js';
import * as mx from '../../index.js';
import { Module } from '../module.js';

/** (x - mean) / sqrt(var + eps) over `axes` (biased variance). */
function standardize(x: MxArray, axes: number[], eps: number): MxArray {
  const mean = mx.mean(x, axes, true);
  const c = mx.subtract(x, mean);
  const v = mx.mean(mx.square(c), axes, true);
  return mx.multiply(c, mx.rsqrt(mx.add(v, eps)));
}

/**
 * Normalizes over the last axis, then scales by `weight` and shifts by `bias` (when `affine`).
 *
 * @example
 * ```ts
 * new nn.LayerNorm(16).forward(mx.ones([2, 16]));
 * ```
 */
export class LayerNorm extends Module {
  weight?: MxArray;
  bias?: MxArray;
  constructor(public dims: number, public eps = 1e-5, affine = true, bias = true) {
    super();
    if (affine) {
      this.weight = mx.ones([dims]);
      if (bias) this.bias = mx.zeros([dims]);
    }
  }
  forward(x: MxArray): MxArray {
    let y = standardize(x, [-1], this.eps);
    if (this.weight) y = mx.multiply(y, this.weight);
    if (this.bias) y = mx.add(y, this.bias);
    return y;
  }
}

/**
 * x / sqrt(mean(x²) + eps) * weight over the last axis.
 *
 * @example
 * ```ts
 * new nn.RMSNorm(16).forward(x);
 * ```
 */
export class RMSNorm extends Module {
  weight: MxArray;
  constructor(public dims: number, public eps = 1e-5) {
    super();
    this.weight = mx.ones([dims]);
  }
  forward(x: MxArray): MxArray {
    const r = mx.rsqrt(mx.add(mx.mean(mx.square(x), -1, true), this.eps));
    return mx.multiply(mx.multiply(x, r), this.weight);
  }
}

/**
 * Normalizes groups of channels over the spatial axes of [N, ..., C] inputs. MLX's default groups interleave the
 * channels (channel c is in group c mod G); with `pytorchCompatible` groups are contiguous blocks, as PyTorch.
 *
 * @example
 * ```ts
 * new nn.GroupNorm(2, 8, 1e-5, true, true).forward(mx.ones([4, 6, 6, 8]));
 * ```
 */
export class GroupNorm extends Module {
  weight?: MxArray;
  bias?: MxArray;
  constructor(public numGroups: number, public dims: number, public eps = 1e-5, affine = true, public pytorchCompatible = false) {
    super();
    if (dims % numGroups !== 0) throw new Error(`[GroupNorm] dims ${dims} is not divisible by numGroups ${numGroups}.`);
    if (affine) { this.weight = mx.ones([dims]); this.bias = mx.zeros([dims]); }
  }
  forward(x: MxArray): MxArray {
    const shape = x.shape;
    const n = shape[0]!, g = this.numGroups, gs = this.dims / g;
    let y: MxArray;
    if (this.pytorchCompatible) {
      // [N, S, G, gs] -> normalize over (S, gs) per group
      const r = mx.reshape(x, [n, -1, g, gs]);
      y = mx.reshape(standardize(r, [1, 3], this.eps), shape as number[]);
    } else {
      // [N, S*gs, G]: channel c = k*G + group
      const r = mx.reshape(x, [n, -1, g]);
      y = mx.reshape(standardize(r, [1], this.eps), shape as number[]);
    }
    if (this.weight) y = mx.add(mx.multiply(y, this.weight), this.bias!);
    return y;
  }
}

/**
 * Normalizes each channel of each sample over the spatial axes of [N, ..., C] inputs.
 *
 * @example
 * ```ts
 * new nn.InstanceNorm(8, 1e-5, true).forward(mx.ones([4, 6, 6, 8]));
 * ```
 */
export class InstanceNorm extends Module {
  weight?: MxArray;
  bias?: MxArray;
  constructor(public dims: number, public eps = 1e-5, affine = false) {
    super();
    if (affine) { this.weight = mx.ones([dims]); this.bias = mx.zeros([dims]); }
  }
  forward(x: MxArray): MxArray {
    const axes = Array.from({ length: x.ndim - 2 }, (_, i) => i + 1);
    let y = standardize(x, axes, this.eps);
    if (this.weight) y = mx.add(mx.multiply(y, this.weight), this.bias!);
    return y;
  }
}

/**
 * Batch normalization over every axis but the last. Training mode uses the batch statistics and updates the
 * running ones (`running = (1 - momentum) running + momentum batch`, biased variance as MLX); eval mode uses the
 * running statistics. `runningMean`/`runningVar` are frozen parameters: saved and loaded, never trained.
 *
 * @example
 * ```ts
 * const bn = new nn.BatchNorm(8);
 * bn.forward(mx.random.normal([4, 6, 6, 8]));
 * ```
 */
export class BatchNorm extends Module {
  weight?: MxArray;
  bias?: MxArray;
  runningMean?: MxArray;
  runningVar?: MxArray;
  constructor(public numFeatures: number, public eps = 1e-5, public momentum = 0.1, affine = true, trackRunningStats = true) {
    super();
    if (affine) { this.weight = mx.ones([numFeatures]); this.bias = mx.zeros([numFeatures]); }
    if (trackRunningStats) {
      this.runningMean = mx.zeros([numFeatures]);
      this.runningVar = mx.ones([numFeatures]);
      this.freeze({ keys: ['runningMean', 'runningVar'], recurse: false });
    }
  }
  override unfreeze(opts: Parameters<Module['unfreeze']>[0] = {}): this {
    super.unfreeze(opts);
    if (this.runningMean) this._noGrad.add('runningMean').add('runningVar');
    return this;
  }
  forward(x: MxArray): MxArray {
    if (x.ndim < 2 || x.ndim > 4) throw new Error(`[BatchNorm] Expected input with 2 to 4 dimensions, got ${x.ndim}.`);
    const axes = Array.from({ length: x.ndim - 1 }, (_, i) => i);
    let mean: MxArray, v: MxArray;
    if (this.training || !this.runningMean) {
      mean = mx.mean(x, axes);
      v = mx.var(x, axes);
      if (this.training && this.runningMean) {
        const mu = this.momentum;
        this.runningMean = mx.add(mx.multiply(this.runningMean, 1 - mu), mx.multiply(mx.stopGradient(mean), mu));
        this.runningVar = mx.add(mx.multiply(this.runningVar!, 1 - mu), mx.multiply(mx.stopGradient(v), mu));
      }
    } else {
      mean = this.runningMean;
      v = this.runningVar!;
    }
    let y = mx.multiply(mx.subtract(x, mean), mx.rsqrt(mx.add(v, this.eps)));
    if (this.weight) y = mx.add(mx.multiply(y, this.weight), this.bias!);
    return y;
  }
}
