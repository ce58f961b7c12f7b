/**
 * @file Activation functions (MLX's `nn.relu`, `nn.gelu`, ...), composed from core ops so they differentiate
 * through the ops' rules. The layer forms are in activation-layers.ts.
 */
import type { MxArray } from '../core/array.js';
import * as mx from '../index.js';

const SQRT1_2 = Math.SQRT1_2;

/** max(x, 0). @example `nn.relu(mx.array([-1, 2]))` // [0, 2] */
export function relu(x: MxArray): MxArray { return mx.maximum(x, 0); }
/** min(max(x, 0), 6). @example `nn.relu6(x)` */
export function relu6(x: MxArray): MxArray { return mx.minimum(mx.maximum(x, 0), 6); }
/** relu(x)^2. @example `nn.relu2(x)` */
export function relu2(x: MxArray): MxArray { return mx.square(mx.maximum(x, 0)); }
/** max(slope * x, x). @example `nn.leakyRelu(x, 0.1)` */
export function leakyRelu(x: MxArray, negativeSlope = 0.01): MxArray { return mx.maximum(mx.multiply(x, negativeSlope), x); }
/** x for x > 0, alpha (e^x - 1) otherwise. @example `nn.elu(x)` */
export function elu(x: MxArray, alpha = 1): MxArray {
  return mx.where(mx.greater(x, 0), x, mx.multiply(mx.expm1(mx.minimum(x, 0)), alpha));
}
/** Scaled ELU with the self-normalizing constants. @example `nn.selu(x)` */
export function selu(x: MxArray): MxArray { return mx.multiply(elu(x, 1.6732632423543772), 1.0507009873554805); }
/** max(x, 0) + alpha (e^{min(x, 0)/alpha} - 1). @example `nn.celu(x, 1.5)` */
export function celu(x: MxArray, alpha = 1): MxArray {
  return mx.add(mx.maximum(x, 0), mx.multiply(mx.expm1(mx.divide(mx.minimum(x, 0), alpha)), alpha));
}
/** x Φ(x) with the exact normal CDF. @example `nn.gelu(x)` */
export function gelu(x: MxArray): MxArray {
  return mx.multiply(mx.multiply(x, 0.5), mx.add(mx.erf(mx.multiply(x, SQRT1_2)), 1));
}
/** The tanh approximation of GELU: 0.5 x (1 + tanh(sqrt(2/π)(x + 0.044715 x^3))). @example `nn.geluApprox(x)` */
export function geluApprox(x: MxArray): MxArray {
  const inner = mx.multiply(mx.add(x, mx.multiply(mx.power(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return mx.multiply(mx.multiply(x, 0.5), mx.add(mx.tanh(inner), 1));
}
/** The sigmoid approximation of GELU: x σ(1.702 x). @example `nn.geluFastApprox(x)` */
export function geluFastApprox(x: MxArray): MxArray { return mx.multiply(x, mx.sigmoid(mx.multiply(x, 1.702))); }
/** x σ(x) (swish). @example `nn.silu(x)` */
export function silu(x: MxArray): MxArray { return mx.multiply(x, mx.sigmoid(x)); }
/** 1 / (1 + e^-x). @example `nn.sigmoid(x)` */
export function sigmoid(x: MxArray): MxArray { return mx.sigmoid(x); }
/** Hyperbolic tangent. @example `nn.tanh(x)` */
export function tanh(x: MxArray): MxArray { return mx.tanh(x); }
/** log(1 + e^x), computed stably. @example `nn.softplus(x)` */
export function softplus(x: MxArray): MxArray { return mx.logaddexp(x, 0); }
/** x / (1 + |x|). @example `nn.softsign(x)` */
export function softsign(x: MxArray): MxArray { return mx.divide(x, mx.add(mx.abs(x), 1)); }
/** log σ(x) = -softplus(-x). @example `nn.logSigmoid(x)` */
export function logSigmoid(x: MxArray): MxArray { return mx.negative(softplus(mx.negative(x))); }
/** x tanh(softplus(x)). @example `nn.mish(x)` */
export function mish(x: MxArray): MxArray { return mx.multiply(x, mx.tanh(softplus(x))); }
/** x relu6(x + 3) / 6. @example `nn.hardSwish(x)` */
export function hardSwish(x: MxArray): MxArray { return mx.divide(mx.multiply(x, relu6(mx.add(x, 3))), 6); }
/** clip(x, min, max). @example `nn.hardTanh(x, -2, 2)` */
export function hardTanh(x: MxArray, minVal = -1, maxVal = 1): MxArray { return mx.minimum(mx.maximum(x, minVal), maxVal); }
/** x where |x| > λ, else 0. @example `nn.hardShrink(x, 0.5)` */
export function hardShrink(x: MxArray, lambd = 0.5): MxArray { return mx.where(mx.greater(mx.abs(x), lambd), x, 0); }
/** x - λ sign(x) where |x| > λ, else 0. @example `nn.softShrink(x, 0.5)` */
export function softShrink(x: MxArray, lambd = 0.5): MxArray {
  return mx.where(mx.greater(mx.abs(x), lambd), mx.subtract(x, mx.multiply(mx.sign(x), lambd)), 0);
}
/** softmax along `axis`. @example `nn.softmax(x, -1)` */
export function softmax(x: MxArray, axis = -1): MxArray { return mx.softmax(x, axis); }
/** softmax(-x) along `axis`. @example `nn.softmin(x)` */
export function softmin(x: MxArray, axis = -1): MxArray { return mx.softmax(mx.negative(x), axis); }
/** x - logsumexp(x) along `axis`. @example `nn.logSoftmax(x)` */
export function logSoftmax(x: MxArray, axis = -1): MxArray { return mx.subtract(x, mx.logsumexp(x, axis, true)); }
/** Gated linear unit: a σ(b) where a, b are the halves of `x` along `axis`. @example `nn.glu(x)` */
export function glu(x: MxArray, axis = -1): MxArray {
  const [a, b] = mx.split(x, 2, axis);
  return mx.multiply(a!, mx.sigmoid(b!));
}
/** max(x, 0) + alpha min(x, 0), with a learned `alpha`. @example `nn.prelu(x, mx.array([0.25]))` */
export function prelu(x: MxArray, alpha: MxArray): MxArray {
  return mx.add(mx.maximum(x, 0), mx.multiply(alpha, mx.minimum(x, 0)));
}
/** 1 where x > threshold, else 0. @example `nn.step(x)` */
export function step(x: MxArray, threshold = 0): MxArray { return mx.where(mx.greater(x, threshold), 1, 0); }
