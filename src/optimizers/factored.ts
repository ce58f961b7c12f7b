/**
 * @file Adafactor (factored second moments) and Muon (orthogonalized momentum), following MLX's formulas.
 */
import type { MxArray } from '../core/array.js';
import * as mx from '../index.js';
import { float32 } from '../core/dtype.js';
import { Optimizer, type ParamState, type Scheduled } from './optimizer.js';

const rms = (x: MxArray): MxArray => mx.sqrt(mx.mean(mx.square(x)));

/** Options of `Adafactor` (MLX's keyword arguments and defaults). */
export interface AdafactorOpts {
  learningRate?: Scheduled | null; eps?: [number, number]; clipThreshold?: number; decayRate?: number;
  beta1?: number | null; weightDecay?: number; scaleParameter?: boolean; relativeStep?: boolean; warmupInit?: boolean;
}

/**
 * Adafactor: second moments of matrices kept as row and column means; relative step size
 * min(1e-2, 1/√t) scaled by max(ε2, RMS(w)); β2 = 1 - t^decayRate; the update is clipped to RMS ≤ clipThreshold.
 * For >2-D parameters the factors are per matrix of the last two axes.
 *
 * @example
 * ```ts
 * const opt = new optim.Adafactor();              // relative step sizes
 * const opt2 = new optim.Adafactor({ learningRate: 1e-2, relativeStep: false });
 * ```
 */
export class Adafactor extends Optimizer {
  eps: [number, number]; clipThreshold: number; decayRate: number; beta1: number | null; weightDecay: number;
  scaleParameter: boolean; relativeStep: boolean; warmupInit: boolean;
  constructor(opts: AdafactorOpts = {}) {
    super();
    if (opts.learningRate !== undefined && opts.learningRate !== null) this._maybeSchedule('learningRate', opts.learningRate);
    this.eps = opts.eps ?? [1e-30, 1e-3];
    this.clipThreshold = opts.clipThreshold ?? 1;
    this.decayRate = opts.decayRate ?? -0.8;
    this.beta1 = opts.beta1 ?? null;
    this.weightDecay = opts.weightDecay ?? 0;
    this.scaleParameter = opts.scaleParameter ?? true;
    this.relativeStep = opts.relativeStep ?? true;
    this.warmupInit = opts.warmupInit ?? false;
    if (!this.relativeStep && !this._state.learningRate) throw new Error('[Adafactor] A learningRate is needed when relativeStep is false.');
  }
  initSingle(p: MxArray, s: ParamState): void {
    if (p.ndim >= 2) {
      s.expAvgSqRow = mx.zeros(p.shape.slice(0, -1) as number[], p.dtype);
      s.expAvgSqCol = mx.zeros([...p.shape.slice(0, -2), p.shape[p.ndim - 1]!], p.dtype);
    } else {
      s.expAvgSq = mx.zerosLike(p);
    }
    if (this.beta1 !== null) s.expAvg = mx.zerosLike(p);
  }
  /** @internal */
  _lr(step: MxArray, paramRms: MxArray): MxArray {
    let rel: MxArray;
    if (this.relativeStep) {
      const minStep = this.warmupInit ? mx.multiply(step, 1e-6) : mx.array(1e-2, float32);
      rel = mx.minimum(minStep, mx.rsqrt(step));
    } else {
      rel = this.learningRate;
    }
    rel = rel.astype(paramRms.dtype);
    return this.scaleParameter ? mx.multiply(mx.maximum(paramRms, this.eps[1]), rel) : rel;
  }
  applySingle(g: MxArray, p: MxArray, s: ParamState): MxArray {
    const step = this.step.astype(float32);
    const lr = this._lr(step, rms(p));
    const beta2 = mx.subtract(1, mx.power(step, this.decayRate)).astype(g.dtype);
    const keep = (a: MxArray, x: MxArray): MxArray => mx.add(mx.multiply(beta2, a), mx.multiply(mx.subtract(1, beta2), x));
    let u = mx.add(mx.square(g), this.eps[0]);
    if (g.ndim >= 2) {
      const row = keep(s.expAvgSqRow!, mx.mean(u, -1));
      const col = keep(s.expAvgSqCol!, mx.mean(u, -2));
      s.expAvgSqRow = row; s.expAvgSqCol = col;
      // v ≈ row colᵀ / sum(row): rsqrt of the row factor (normalized) times rsqrt of the column factor
      const r = mx.rsqrt(mx.divide(row, mx.mean(row, -1, true)));
      u = mx.multiply(mx.multiply(mx.expandDims(r, -1), mx.expandDims(mx.rsqrt(col), -2)), g);
    } else {
      const v = keep(s.expAvgSq!, u);
      s.expAvgSq = v;
      u = mx.multiply(mx.rsqrt(v), g);
    }
    u = mx.divide(u, mx.maximum(mx.divide(rms(u), this.clipThreshold), 1));
    u = mx.multiply(lr, u);
    if (this.beta1 !== null) {
      u = mx.add(mx.multiply(s.expAvg!, this.beta1), mx.multiply(u, 1 - this.beta1));
      s.expAvg = u;
    }
    if (this.weightDecay !== 0) p = mx.add(p, mx.multiply(p, mx.multiply(lr, -this.weightDecay)));
    return mx.subtract(p, u);
  }
}

/**
 * The quintic Newton–Schulz iteration of Muon: maps G to ≈ U Vᵀ of its SVD (coefficients 3.4445, -4.7750, 2.0315).
 * Runs in G's dtype (MLX uses bfloat16).
 */
export function newtonSchulz5(G: MxArray, steps = 5): MxArray {
  const [a, b, c] = [3.4445, -4.775, 2.0315];
  const tall = G.shape[G.ndim - 2]! > G.shape[G.ndim - 1]!;
  let X = tall ? mx.swapaxes(G, -1, -2) : G;
  X = mx.divide(X, mx.add(mx.sqrt(mx.sum(mx.square(X), [-2, -1], true)), 1e-7));
  for (let i = 0; i < steps; i++) {
    const A = mx.matmul(X, mx.swapaxes(X, -1, -2));
    const B = mx.add(mx.multiply(A, b), mx.multiply(mx.matmul(A, A), c));
    X = mx.add(mx.multiply(X, a), mx.matmul(B, X));
  }
  return tall ? mx.swapaxes(X, -1, -2) : X;
}

/**
 * Muon: g += wd·w; v = μv + (1 - μ)g; u = (1 - μ)g + μv if nesterov else v; matrices (≥2-D, flattened after the
 * first axis) are orthogonalized by Newton–Schulz and the step scaled by √max(1, rows/cols); w -= λu.
 *
 * @example
 * ```ts
 * const opt = new optim.Muon(0.02);
 * ```
 */
export class Muon extends Optimizer {
  constructor(learningRate: Scheduled, public momentum = 0.95, public weightDecay = 0.01, public nesterov = true, public nsSteps = 5) {
    super();
    this._maybeSchedule('learningRate', learningRate);
  }
  initSingle(p: MxArray, s: ParamState): void { s.v = mx.zerosLike(p); }
  applySingle(g: MxArray, p: MxArray, s: ParamState): MxArray {
    const mu = this.momentum;
    if (this.weightDecay !== 0) g = mx.add(g, mx.multiply(p, this.weightDecay));
    const v = mx.add(mx.multiply(s.v!, mu), mx.multiply(g, 1 - mu));
    s.v = v;
    let u = this.nesterov ? mx.add(mx.multiply(g, 1 - mu), mx.multiply(v, mu)) : v;
    let lr = this.learningRate.astype(g.dtype);
    if (u.ndim >= 2) {
      const shape = u.shape as number[];
      const m2 = u.ndim > 2 ? mx.reshape(u, [shape[0]!, -1]) : u;
      const [rows, cols] = m2.shape as [number, number];
      u = mx.reshape(newtonSchulz5(m2, this.nsSteps), shape);
      lr = mx.multiply(lr, Math.sqrt(Math.max(1, rows / cols)));
    }
    return mx.subtract(p, mx.multiply(lr, u));
  }
}
