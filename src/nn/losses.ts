/**
 * @file Loss functions (MLX's `nn.losses`), each with `reduction` 'none' | 'mean' | 'sum' and MLX's defaults.
 */
import type { MxArray } from '../core/array.js';
import * as mx from '../index.js';

/** How a loss reduces its per-element values. */
export type Reduction = 'none' | 'mean' | 'sum';

function reduce(loss: MxArray, reduction: Reduction, op: string): MxArray {
  if (reduction === 'none') return loss;
  if (reduction === 'mean') return mx.mean(loss);
  if (reduction === 'sum') return mx.sum(loss);
  throw new Error(`[${op}] Invalid reduction "${String(reduction)}" (use none, mean or sum).`);
}

function sameShape(a: MxArray, b: MxArray, what: string, op: string): void {
  if (a.ndim !== b.ndim || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new Error(`[${op}] ${what} shape (${a.shape.join(',')}) does not match (${b.shape.join(',')}).`);
  }
}

/** Options of `crossEntropy`. */
export interface CrossEntropyOpts { weights?: MxArray | null; axis?: number; labelSmoothing?: number; reduction?: Reduction }

/**
 * Cross entropy of `logits` against class indices (integer `targets` with one axis fewer) or class probabilities
 * (`targets` shaped like `logits`). `labelSmoothing` mixes the target with the uniform distribution.
 *
 * @example
 * ```ts
 * nn.losses.crossEntropy(logits, mx.array([0, 2]), { reduction: 'mean' });
 * ```
 */
export function crossEntropy(logits: MxArray, targets: MxArray, opts: CrossEntropyOpts = {}): MxArray {
  const op = 'crossEntropy';
  const { weights = null, labelSmoothing = 0, reduction = 'none' } = opts;
  const axis = opts.axis ?? -1;
  if (labelSmoothing < 0 || labelSmoothing >= 1) throw new RangeError(`[${op}] labelSmoothing must be in [0, 1), got ${labelSmoothing}.`);
  const probs = targets.ndim === logits.ndim;
  if (!probs && targets.ndim !== logits.ndim - 1) {
    throw new Error(`[${op}] Targets of shape (${targets.shape.join(',')}) fit neither class indices nor probabilities for logits (${logits.shape.join(',')}).`);
  }
  const score = probs
    ? mx.sum(mx.multiply(logits, targets), axis)
    : mx.squeeze(mx.takeAlongAxis(logits, mx.expandDims(targets, axis), axis), axis);
  const lse = mx.logsumexp(logits, axis);
  let loss: MxArray;
  if (labelSmoothing > 0) {
    // target = (1 - ls) onehot + ls / C  =>  loss = lse - (1 - ls) x_t - ls mean(x)
    const smooth = mx.add(mx.multiply(score, 1 - labelSmoothing), mx.multiply(mx.mean(logits, axis), labelSmoothing));
    loss = mx.subtract(lse, smooth);
  } else {
    loss = mx.subtract(lse, score);
  }
  if (weights) { sameShape(weights, loss, 'Weights', op); loss = mx.multiply(loss, weights); }
  return reduce(loss, reduction, op);
}

/** Options of `binaryCrossEntropy`. */
export interface BceOpts { weights?: MxArray | null; withLogits?: boolean; reduction?: Reduction }

/**
 * Binary cross entropy of logits (default) or probabilities (`withLogits: false`, logs clipped at -100 as MLX).
 *
 * @example
 * ```ts
 * nn.losses.binaryCrossEntropy(logits, mx.array([0, 1]));
 * ```
 */
export function binaryCrossEntropy(inputs: MxArray, targets: MxArray, opts: BceOpts = {}): MxArray {
  const op = 'binaryCrossEntropy';
  const { weights = null, withLogits = true, reduction = 'mean' } = opts;
  sameShape(inputs, targets, 'Inputs', op);
  let loss: MxArray;
  if (withLogits) {
    loss = mx.subtract(mx.logaddexp(inputs, 0), mx.multiply(inputs, targets));
  } else {
    const logP = mx.maximum(mx.log(inputs), -100);
    const log1mP = mx.maximum(mx.log(mx.subtract(1, inputs)), -100);
    loss = mx.negative(mx.add(mx.multiply(targets, logP), mx.multiply(mx.subtract(1, targets), log1mP)));
  }
  if (weights) { sameShape(weights, loss, 'Weights', op); loss = mx.multiply(loss, weights); }
  return reduce(loss, reduction, op);
}

/** Mean absolute error. @example `nn.losses.l1Loss(pred, y)` */
export function l1Loss(predictions: MxArray, targets: MxArray, reduction: Reduction = 'mean'): MxArray {
  sameShape(predictions, targets, 'Predictions', 'l1Loss');
  return reduce(mx.abs(mx.subtract(predictions, targets)), reduction, 'l1Loss');
}

/** Mean squared error. @example `nn.losses.mseLoss(pred, y)` */
export function mseLoss(predictions: MxArray, targets: MxArray, reduction: Reduction = 'mean'): MxArray {
  sameShape(predictions, targets, 'Predictions', 'mseLoss');
  return reduce(mx.square(mx.subtract(predictions, targets)), reduction, 'mseLoss');
}

/** Negative log likelihood of log-probabilities `inputs` at class indices `targets`. @example `nn.losses.nllLoss(logp, y)` */
export function nllLoss(inputs: MxArray, targets: MxArray, axis = -1, reduction: Reduction = 'none'): MxArray {
  const loss = mx.negative(mx.squeeze(mx.takeAlongAxis(inputs, mx.expandDims(targets, axis), axis), axis));
  return reduce(loss, reduction, 'nllLoss');
}

/**
 * Kullback-Leibler divergence sum(exp(t) (t - x)) where both `inputs` and `targets` are log-probabilities.
 * @example `nn.losses.klDivLoss(logq, logp)`
 */
export function klDivLoss(inputs: MxArray, targets: MxArray, axis = -1, reduction: Reduction = 'none'): MxArray {
  const loss = mx.sum(mx.multiply(mx.exp(targets), mx.subtract(targets, inputs)), axis);
  return reduce(loss, reduction, 'klDivLoss');
}

/** Smooth L1: 0.5 d²/β where |d| < β, else |d| - 0.5β. @example `nn.losses.smoothL1Loss(pred, y, 1)` */
export function smoothL1Loss(predictions: MxArray, targets: MxArray, beta = 1, reduction: Reduction = 'mean'): MxArray {
  sameShape(predictions, targets, 'Predictions', 'smoothL1Loss');
  const d = mx.abs(mx.subtract(predictions, targets));
  const loss = mx.where(mx.less(d, beta), mx.divide(mx.multiply(mx.square(d), 0.5), beta), mx.subtract(d, 0.5 * beta));
  return reduce(loss, reduction, 'smoothL1Loss');
}

/** Options of `tripletLoss`. */
export interface TripletOpts { axis?: number; p?: number; margin?: number; eps?: number; reduction?: Reduction }

/**
 * max(‖a - p‖ - ‖a - n‖ + margin, 0) with p-norms (plus `eps` inside the root).
 * @example `nn.losses.tripletLoss(a, p, n, { margin: 1 })`
 */
export function tripletLoss(anchors: MxArray, positives: MxArray, negatives: MxArray, opts: TripletOpts = {}): MxArray {
  const { axis = -1, p = 2, margin = 1, eps = 1e-6, reduction = 'none' } = opts;
  const dist = (u: MxArray): MxArray => mx.power(mx.add(mx.sum(mx.power(mx.abs(mx.subtract(anchors, u)), p), axis), eps), 1 / p);
  const loss = mx.maximum(mx.add(mx.subtract(dist(positives), dist(negatives)), margin), 0);
  return reduce(loss, reduction, 'tripletLoss');
}

/** max(1 - x y, 0) for targets ±1. @example `nn.losses.hingeLoss(x, y)` */
export function hingeLoss(inputs: MxArray, targets: MxArray, reduction: Reduction = 'none'): MxArray {
  return reduce(mx.maximum(mx.subtract(1, mx.multiply(inputs, targets)), 0), reduction, 'hingeLoss');
}

/** Huber: 0.5 d² where |d| ≤ δ, else δ(|d| - 0.5δ). @example `nn.losses.huberLoss(x, y, 1)` */
export function huberLoss(inputs: MxArray, targets: MxArray, delta = 1, reduction: Reduction = 'none'): MxArray {
  const d = mx.abs(mx.subtract(inputs, targets));
  const loss = mx.where(mx.lessEqual(d, delta), mx.multiply(mx.square(d), 0.5), mx.multiply(mx.subtract(d, 0.5 * delta), delta));
  return reduce(loss, reduction, 'huberLoss');
}

/** log(cosh(x - y)), computed stably. @example `nn.losses.logCoshLoss(x, y)` */
export function logCoshLoss(inputs: MxArray, targets: MxArray, reduction: Reduction = 'none'): MxArray {
  const d = mx.subtract(inputs, targets);
  return reduce(mx.subtract(mx.logaddexp(d, mx.negative(d)), Math.LN2), reduction, 'logCoshLoss');
}

/** Options of `cosineSimilarityLoss`. */
export interface CosineOpts { axis?: number; eps?: number; reduction?: Reduction }

/**
 * Cosine similarity x1·x2 / max(‖x1‖ ‖x2‖, eps) along `axis` (default 1, as MLX).
 * @example `nn.losses.cosineSimilarityLoss(a, b, { axis: -1 })`
 */
export function cosineSimilarityLoss(x1: MxArray, x2: MxArray, opts: CosineOpts = {}): MxArray {
  const { axis = 1, eps = 1e-8, reduction = 'none' } = opts;
  const n1 = mx.sqrt(mx.sum(mx.square(x1), axis)), n2 = mx.sqrt(mx.sum(mx.square(x2), axis));
  const loss = mx.divide(mx.sum(mx.multiply(x1, x2), axis), mx.maximum(mx.multiply(n1, n2), eps));
  return reduce(loss, reduction, 'cosineSimilarityLoss');
}

/** max(-y (x1 - x2) + margin, 0) for targets ±1. @example `nn.losses.marginRankingLoss(a, b, y)` */
export function marginRankingLoss(inputs1: MxArray, inputs2: MxArray, targets: MxArray, margin = 0, reduction: Reduction = 'none'): MxArray {
  const loss = mx.maximum(mx.add(mx.negative(mx.multiply(targets, mx.subtract(inputs1, inputs2))), margin), 0);
  return reduce(loss, reduction, 'marginRankingLoss');
}

/** Options of `gaussianNllLoss`. */
export interface GaussianNllOpts { full?: boolean; eps?: number; reduction?: Reduction }

/**
 * Gaussian negative log likelihood 0.5 (log var + (x - y)²/var) (+ 0.5 log 2π with `full`), var clipped at eps.
 * @example `nn.losses.gaussianNllLoss(mu, y, vars)`
 */
export function gaussianNllLoss(inputs: MxArray, targets: MxArray, vars: MxArray, opts: GaussianNllOpts = {}): MxArray {
  const { full = false, eps = 1e-6, reduction = 'mean' } = opts;
  const v = mx.maximum(vars, eps);
  let loss = mx.multiply(mx.add(mx.log(v), mx.divide(mx.square(mx.subtract(targets, inputs)), v)), 0.5);
  if (full) loss = mx.add(loss, 0.5 * Math.log(2 * Math.PI));
  return reduce(loss, reduction, 'gaussianNllLoss');
}
