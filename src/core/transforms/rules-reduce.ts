/**
 * @file vjp, jvp and vmap rules of the reduction primitives (reduce, argReduce, logsumexp, softmax, trace). Every
 * differentiable fold of `reduce` is written as elementwise weights W = d out / d x over each lane, so the vjp is
 * W * (cotangent broadcast back) and the jvp is sum(W * t) over the same axes. Rules use public ops, so their own
 * graphs can be differentiated again.
 */
import { bind, type MxArray } from '../array.js';
import type { Stream } from '../device.js';
import type { PrimitiveDef, PrimitiveName } from '../primitive.js';
import { subtract, multiply, divide, equal } from '../ops/binary.js';
import { exp } from '../ops/unary.js';
import { astype } from '../ops/basic.js';
import { sum, mean, trace as traceOp } from '../ops/reduce.js';
import { cumprod } from '../ops/cumulative.js';
import { argsort } from '../ops/sort.js';
import { take, putAlongAxis } from '../ops/indexing.js';
import { zerosLike, eye } from '../ops/creation.js';
import { expandDims, reshape, transpose } from '../ops/layout.js';
import { toFront, differentiable, like, unreduce, lanes } from './rules-reduce-util.js';

type Rules<P extends PrimitiveName> = Required<Pick<PrimitiveDef<P>, 'vjp' | 'jvp' | 'vmap'>>;
type ReduceP = { mode: string; axes: readonly number[]; keepdims: boolean; ddof: number };

const count = (x: MxArray, axes: readonly number[]): number => axes.reduce((p, a) => p * x.shape[a]!, 1);

/**
 * d out / d x for the folds that are not plain sums. `outK` is the output with the reduced axes kept as 1s.
 */
function weights(x: MxArray, outK: MxArray, p: ReduceP, stream: Stream): MxArray {
  const s = { stream };
  const n = count(x, p.axes);
  switch (p.mode) {
    case 'prod': {
      // d prod / d x_i = product of the others = exclusive cumprod from the left times from the right (exact at zeros)
      const [lane, back] = lanes(x, p.axes, stream);
      const left = cumprod(lane, -1, { inclusive: false, stream });
      const right = cumprod(lane, -1, { inclusive: false, reverse: true, stream });
      return back(multiply(left, right, s));
    }
    case 'max': case 'min': {
      // the cotangent is shared equally by every element equal to the extreme (MLX's convention for ties)
      const mask = astype(equal(x, outK, s), x.dtype, s);
      return divide(mask, sum(mask, p.axes, true, s), s);
    }
    case 'var': case 'std': {
      // d var = 2 (x - mean) / (n - ddof) dx;  d std = d var / (2 std)
      const centered = subtract(x, mean(x, p.axes, true, s), s);
      const v = divide(centered, n - p.ddof, s);
      return p.mode === 'var' ? multiply(v, 2, s) : divide(v, outK, s);
    }
    case 'median': {
      // the median is the middle element (mean of the two middle ones for even n) of the sorted lane
      const [lane, back] = lanes(x, p.axes, stream);
      const order = argsort(lane, -1, s);
      const mid = n % 2 ? [(n - 1) / 2] : [n / 2 - 1, n / 2];
      const at = take(order, mid, -1, s);
      return back(putAlongAxis(zerosLike(lane), at, n % 2 ? 1 : 0.5, -1, s));
    }
    default: throw new Error(`[vjp] No derivative rule for reduce mode ${p.mode}.`);
  }
}

const noGrad = new Set(['all', 'any', 'countNonzero']);

const keepAxes = (out: MxArray, p: ReduceP, stream: Stream): MxArray =>
  p.keepdims || p.axes.length === 0 ? out : expandDims(out, p.axes, { stream });

/**
 * Rules of `reduce`: every fold but all/any/countNonzero (integer outputs, no gradient) is differentiable.
 *
 * @example
 * ```ts
 * mx.grad((x) => mx.max(x))(mx.array([1, 3, 3])); // [0, 0.5, 0.5]
 * ```
 */
export const reduceRules: Rules<'reduce'> = {
  vjp([x], [ct], [out], p, stream) {
    if (noGrad.has(p.mode) || !differentiable(x!)) return [null];
    const s = { stream };
    const back = unreduce(ct!, x!.shape, p.axes, p.keepdims, stream);
    if (p.mode === 'sum') return [like(back, x!, stream)];
    if (p.mode === 'mean') return [like(divide(back, count(x!, p.axes), s), x!, stream)];
    return [like(multiply(back, weights(x!, keepAxes(out!, p, stream), p, stream), s), x!, stream)];
  },
  jvp([x], [t], [out], p, stream) {
    if (noGrad.has(p.mode) || !differentiable(x!)) return [zerosLike(out!)];
    const s = { stream };
    if (p.mode === 'sum') return [sum(t!, p.axes, p.keepdims, s)];
    if (p.mode === 'mean') return [mean(t!, p.axes, p.keepdims, s)];
    const w = weights(x!, keepAxes(out!, p, stream), p, stream);
    return [like(sum(multiply(t!, w, s), p.axes, p.keepdims, s), out!, stream)];
  },
  vmap([x], [ax], p, stream) {
    const xb = toFront(x!, ax!, stream);
    return [[bind('reduce', [xb], { ...p, axes: p.axes.map((a) => a + 1) }, stream)], [0]];
  },
};

/**
 * Rules of `argReduce`: integer indices, so no gradient and zero tangents; vmap flattens each example for axis null.
 *
 * @example
 * ```ts
 * mx.vmap((r) => mx.argmax(r))(mx.array([[1, 5], [7, 3]])); // [1, 0]
 * ```
 */
export const argReduceRules: Rules<'argReduce'> = {
  vjp: () => [null],
  jvp: (_x, _t, [out]) => [zerosLike(out!)],
  vmap([x], [ax], p, stream) {
    const xb = toFront(x!, ax!, stream);
    if (p.axis !== null) return [[bind('argReduce', [xb], { ...p, axis: p.axis + 1 }, stream)], [0]];
    // the flattened index of each example: flatten everything but the batch axis
    const flat = reshape(xb, [xb.shape[0]!, -1], { stream });
    let r = bind('argReduce', [flat], { ...p, axis: 1 }, stream);
    if (p.keepdims) r = reshape(r, [xb.shape[0]!, ...new Array<number>(x!.ndim - 1).fill(1)], { stream });
    return [[r], [0]];
  },
};

/**
 * Rules of `logsumexp`: its gradient is the softmax over the reduced axes.
 *
 * @example
 * ```ts
 * mx.grad((x) => mx.logsumexp(x))(mx.array([0, 0])); // [0.5, 0.5]
 * ```
 */
export const logsumexpRules: Rules<'logsumexp'> = {
  // d lse = softmax(x) dx, computed as exp(x - lse)
  vjp([x], [ct], [out], p, stream) {
    if (!differentiable(x!)) return [null];
    const s = { stream };
    const sm = exp(subtract(x!, unreduce(out!, x!.shape, p.axes, p.keepdims, stream), s), s);
    return [like(multiply(unreduce(ct!, x!.shape, p.axes, p.keepdims, stream), sm, s), x!, stream)];
  },
  jvp([x], [t], [out], p, stream) {
    if (!differentiable(x!)) return [zerosLike(out!)];
    const s = { stream };
    const sm = exp(subtract(x!, unreduce(out!, x!.shape, p.axes, p.keepdims, stream), s), s);
    return [sum(multiply(t!, sm, s), p.axes, p.keepdims, s)];
  },
  vmap([x], [ax], p, stream) {
    const xb = toFront(x!, ax!, stream);
    return [[bind('logsumexp', [xb], { ...p, axes: p.axes.map((a) => a + 1) }, stream)], [0]];
  },
};

// d softmax = y * (v - sum(v * y)) for a tangent v; the map is self-adjoint, so the vjp has the same form
function softmaxLinear(y: MxArray, v: MxArray, axes: readonly number[], stream: Stream): MxArray {
  const s = { stream };
  return multiply(y, subtract(v, sum(multiply(v, y, s), axes, true, s), s), s);
}

/**
 * Rules of `softmax`, from its output y.
 *
 * @example
 * ```ts
 * mx.vjp((x) => mx.softmax(x), [x], [ct]); // y * (ct - sum(ct * y))
 * ```
 */
export const softmaxRules: Rules<'softmax'> = {
  vjp: ([x], [ct], [y], p, stream) => [differentiable(x!) ? like(softmaxLinear(y!, ct!, p.axes, stream), x!, stream) : null],
  jvp: ([x], [t], [y], p, stream) => [differentiable(x!) ? like(softmaxLinear(y!, t!, p.axes, stream), y!, stream) : zerosLike(y!)],
  vmap([x], [ax], p, stream) {
    const xb = toFront(x!, ax!, stream);
    return [[bind('softmax', [xb], { ...p, axes: p.axes.map((a) => a + 1) }, stream)], [0]];
  },
};

/** The diagonal mask of `trace`, shaped to broadcast against its input. */
function diagMask(x: MxArray, p: { offset: number; axis1: number; axis2: number }, stream: Stream): MxArray {
  const n1 = x.shape[p.axis1]!, n2 = x.shape[p.axis2]!;
  let m = eye(n1, n2, p.offset, x.dtype, { stream });
  if (p.axis1 > p.axis2) m = transpose(m, [1, 0], { stream });
  const shape = x.shape.map((d, i) => (i === p.axis1 || i === p.axis2 ? d : 1));
  return reshape(m, shape, { stream });
}

/**
 * Rules of `trace`: a linear map; the cotangent lands on the chosen diagonal.
 *
 * @example
 * ```ts
 * mx.grad((x) => mx.trace(x))(mx.zeros([2, 2])); // identity
 * ```
 */
export const traceRules: Rules<'trace'> = {
  // trace is linear: its adjoint puts the cotangent on the chosen diagonal
  vjp([x], [ct], _o, p, stream) {
    if (!differentiable(x!)) return [null];
    const s = { stream };
    const c = expandDims(like(ct!, x!, stream), [Math.min(p.axis1, p.axis2), Math.max(p.axis1, p.axis2)], s);
    return [multiply(c, diagMask(x!, p, stream), s)];
  },
  jvp([x], [t], [out], p, stream) {
    if (!differentiable(x!)) return [zerosLike(out!)];
    return [traceOp(t!, p.offset, p.axis1, p.axis2, p.dtype, { stream })];
  },
  vmap([x], [ax], p, stream) {
    const xb = toFront(x!, ax!, stream);
    return [[bind('trace', [xb], { ...p, axis1: p.axis1 + 1, axis2: p.axis2 + 1 }, stream)], [0]];
  },
};
