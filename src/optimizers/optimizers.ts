/**
 * @file The optimizers of MLX with its defaults: SGD, RMSprop, Adagrad, AdaDelta, Adam, AdamW, Adamax, Lion,
 * Adafactor, Muon. Each rule is its paper's formula as MLX states it (g: gradient, w: parameter, λ: learning rate).
 */
import type { MxArray } from '../core/array.js';
import * as mx from '../index.js';
import { float32 } from '../core/dtype.js';
import { Optimizer, type ParamState, type Scheduled } from './optimizer.js';

const lrOf = (o: Optimizer, g: MxArray): MxArray => o.learningRate.astype(g.dtype);

/**
 * Stochastic gradient descent: g += wd·w; v = μv + (1 - τ)g; w -= λ(g + μv if nesterov else v). Without momentum,
 * w -= λg.
 *
 * @example
 * ```ts
 * const opt = new optim.SGD(0.1, 0.9);
 * ```
 */
export class SGD extends Optimizer {
  constructor(learningRate: Scheduled, public momentum = 0, public weightDecay = 0, public dampening = 0, public nesterov = false) {
    super();
    if (nesterov && (momentum <= 0 || dampening !== 0)) throw new Error('[SGD] Nesterov momentum requires a momentum and zero dampening.');
    this._maybeSchedule('learningRate', learningRate);
  }
  initSingle(p: MxArray, s: ParamState): void { s.v = mx.zerosLike(p); }
  applySingle(g: MxArray, p: MxArray, s: ParamState): MxArray {
    if (this.weightDecay !== 0) g = mx.add(g, mx.multiply(p, this.weightDecay));
    const lr = lrOf(this, g);
    if (this.momentum <= 0) return mx.subtract(p, mx.multiply(lr, g));
    const v = mx.add(mx.multiply(s.v!, this.momentum), this.dampening > 0 ? mx.multiply(g, 1 - this.dampening) : g);
    s.v = v;
    const upd = this.nesterov ? mx.add(g, mx.multiply(v, this.momentum)) : v;
    return mx.subtract(p, mx.multiply(lr, upd));
  }
}

/** RMSprop: v = αv + (1 - α)g²; w -= λ g / (√v + ε). @example `new optim.RMSprop(1e-2)` */
export class RMSprop extends Optimizer {
  constructor(learningRate: Scheduled, public alpha = 0.99, public eps = 1e-8) {
    super();
    if (alpha < 0) throw new Error(`[RMSprop] alpha should be >= 0, got ${alpha}.`);
    if (eps < 0) throw new Error(`[RMSprop] eps should be >= 0, got ${eps}.`);
    this._maybeSchedule('learningRate', learningRate);
  }
  initSingle(p: MxArray, s: ParamState): void { s.v = mx.zerosLike(p); }
  applySingle(g: MxArray, p: MxArray, s: ParamState): MxArray {
    const v = mx.add(mx.multiply(s.v!, this.alpha), mx.multiply(mx.square(g), 1 - this.alpha));
    s.v = v;
    return mx.subtract(p, mx.divide(mx.multiply(lrOf(this, g), g), mx.add(mx.sqrt(v), this.eps)));
  }
}

/** Adagrad: v += g²; w -= λ g / (√v + ε). @example `new optim.Adagrad(0.1)` */
export class Adagrad extends Optimizer {
  constructor(learningRate: Scheduled, public eps = 1e-8) {
    super();
    if (eps < 0) throw new Error(`[Adagrad] eps should be >= 0, got ${eps}.`);
    this._maybeSchedule('learningRate', learningRate);
  }
  initSingle(p: MxArray, s: ParamState): void { s.v = mx.zerosLike(p); }
  applySingle(g: MxArray, p: MxArray, s: ParamState): MxArray {
    const v = mx.add(s.v!, mx.square(g));
    s.v = v;
    return mx.subtract(p, mx.divide(mx.multiply(lrOf(this, g), g), mx.add(mx.sqrt(v), this.eps)));
  }
}

/**
 * AdaDelta: v = ρv + (1 - ρ)g²; d = √(u + ε)/√(v + ε)·g; u = ρu + (1 - ρ)d²; w -= λd.
 * @example `new optim.AdaDelta(1.0)`
 */
export class AdaDelta extends Optimizer {
  constructor(learningRate: Scheduled, public rho = 0.9, public eps = 1e-6) {
    super();
    if (rho < 0) throw new Error(`[AdaDelta] rho should be >= 0, got ${rho}.`);
    if (eps < 0) throw new Error(`[AdaDelta] eps should be >= 0, got ${eps}.`);
    this._maybeSchedule('learningRate', learningRate);
  }
  initSingle(p: MxArray, s: ParamState): void { s.v = mx.zerosLike(p); s.u = mx.zerosLike(p); }
  applySingle(g: MxArray, p: MxArray, s: ParamState): MxArray {
    const r = this.rho;
    const v = mx.add(mx.multiply(s.v!, r), mx.multiply(mx.square(g), 1 - r));
    const d = mx.multiply(mx.divide(mx.sqrt(mx.add(s.u!, this.eps)), mx.sqrt(mx.add(v, this.eps))), g);
    s.v = v;
    s.u = mx.add(mx.multiply(s.u!, r), mx.multiply(mx.square(d), 1 - r));
    return mx.subtract(p, mx.multiply(lrOf(this, g), d));
  }
}

/**
 * Adam: m = β1 m + (1 - β1)g; v = β2 v + (1 - β2)g²; w -= λ m / (√v + ε), or with `biasCorrection`
 * w -= λ/(1 - β1ᵗ)·m / (√v/√(1 - β2ᵗ) + ε).
 *
 * @example
 * ```ts
 * const opt = new optim.Adam(1e-3, [0.9, 0.999]);
 * ```
 */
export class Adam extends Optimizer {
  constructor(learningRate: Scheduled, public betas: [number, number] = [0.9, 0.999], public eps = 1e-8, public biasCorrection = false) {
    super();
    this._maybeSchedule('learningRate', learningRate);
  }
  initSingle(p: MxArray, s: ParamState): void { s.m = mx.zerosLike(p); s.v = mx.zerosLike(p); }
  applySingle(g: MxArray, p: MxArray, s: ParamState): MxArray {
    const [b1, b2] = this.betas;
    const lr = lrOf(this, g);
    const m = mx.add(mx.multiply(s.m!, b1), mx.multiply(g, 1 - b1));
    const v = mx.add(mx.multiply(s.v!, b2), mx.multiply(mx.square(g), 1 - b2));
    s.m = m; s.v = v;
    if (this.biasCorrection) {
      const t = this.step.astype(float32);
      const c1 = mx.subtract(1, mx.power(b1, t)).astype(g.dtype), c2 = mx.subtract(1, mx.power(b2, t)).astype(g.dtype);
      const num = mx.multiply(mx.divide(lr, c1), m);
      const den = mx.add(mx.divide(mx.sqrt(v), mx.sqrt(c2)), this.eps);
      return mx.subtract(p, mx.divide(num, den));
    }
    return mx.subtract(p, mx.divide(mx.multiply(lr, m), mx.add(mx.sqrt(v), this.eps)));
  }
}

/** AdamW: Adam applied to w (1 - λ·wd) (decoupled weight decay). @example `new optim.AdamW(1e-3)` */
export class AdamW extends Adam {
  constructor(learningRate: Scheduled, betas: [number, number] = [0.9, 0.999], eps = 1e-8, public weightDecay = 0.01, biasCorrection = false) {
    super(learningRate, betas, eps, biasCorrection);
  }
  override applySingle(g: MxArray, p: MxArray, s: ParamState): MxArray {
    const lr = lrOf(this, g);
    return super.applySingle(g, mx.multiply(p, mx.subtract(1, mx.multiply(lr, this.weightDecay))), s);
  }
}

/** Adamax: m = β1 m + (1 - β1)g; v = max(β2 v, |g|); w -= λ m / (v + ε). @example `new optim.Adamax(2e-3)` */
export class Adamax extends Adam {
  constructor(learningRate: Scheduled, betas: [number, number] = [0.9, 0.999], eps = 1e-8) {
    super(learningRate, betas, eps);
    if (eps < 0) throw new Error(`[Adamax] eps should be >= 0, got ${eps}.`);
  }
  override applySingle(g: MxArray, p: MxArray, s: ParamState): MxArray {
    const [b1, b2] = this.betas;
    const m = mx.add(mx.multiply(s.m!, b1), mx.multiply(g, 1 - b1));
    const v = mx.maximum(mx.multiply(s.v!, b2), mx.abs(g));
    s.m = m; s.v = v;
    return mx.subtract(p, mx.divide(mx.multiply(lrOf(this, g), m), mx.add(v, this.eps)));
  }
}

/**
 * Lion: c = β1 m + (1 - β1)g; m = β2 m + (1 - β2)g; w = w(1 - λ·wd) - λ sign(c).
 * @example `new optim.Lion(1e-4, [0.9, 0.99], 0.1)`
 */
export class Lion extends Optimizer {
  constructor(learningRate: Scheduled, public betas: [number, number] = [0.9, 0.99], public weightDecay = 0) {
    super();
    this._maybeSchedule('learningRate', learningRate);
  }
  initSingle(p: MxArray, s: ParamState): void { s.m = mx.zerosLike(p); }
  applySingle(g: MxArray, p: MxArray, s: ParamState): MxArray {
    const [b1, b2] = this.betas;
    const lr = lrOf(this, g);
    const c = mx.add(mx.multiply(s.m!, b1), mx.multiply(g, 1 - b1));
    s.m = mx.add(mx.multiply(s.m!, b2), mx.multiply(g, 1 - b2));
    if (this.weightDecay > 0) p = mx.multiply(p, mx.subtract(1, mx.multiply(lr, this.weightDecay)));
    return mx.subtract(p, mx.multiply(lr, mx.sign(c)));
  }
}
