/**
 * @file Transform rules of `linalgNorm`, through its definition in public ops: the vector p-norms
 * (`(sum |x|^p)^(1/p)`, max/min |x| for ±inf) and the matrix norms (Frobenius, max/min absolute column or row sums,
 * extreme and summed singular values). The vjp backpropagates through that composite on the node's own input, so
 * higher derivatives keep their link to it; ord 0 (a count) has zero derivative.
 */
import { bind, type MxArray } from '../array.js';
import type { Stream } from '../device.js';
import { isComplex, isInexact } from '../dtype.js';
import type { PrimitiveParams } from '../primitive.js';
import { normShape, normDtype } from '../primitives/linalg.js';
import { astype } from '../ops/basic.js';
import { power } from '../ops/binary.js';
import { abs, sqrt, square } from '../ops/unary.js';
import { sum, max, min } from '../ops/reduce.js';
import { reshape, moveaxis } from '../ops/layout.js';
import { zerosLike } from '../ops/creation.js';
import { svd } from '../ops/linalg.js';
import { backprop, jvp } from './autodiff.js';
import { trace } from './graph.js';

type P = PrimitiveParams['linalgNorm'];

/** The norm as a composite of differentiable ops, shaped like the primitive's output. */
function composite(x: MxArray, p: P, s: Stream): MxArray {
  const o = { stream: s };
  const y = isInexact(x.dtype) ? x : astype(x, normDtype(x.dtype, p.ord), o);
  const a = abs(y, o);
  const sq = (): MxArray => (isComplex(y.dtype) ? square(a, o) : square(y, o));
  const ord = p.ord, axes = p.axes;
  let r: MxArray;
  if (axes.length === 1) {
    if (ord === null || ord === 2) r = sqrt(sum(sq(), axes, true, o), o);
    else if (ord === Infinity) r = max(a, axes, true, o);
    else if (ord === -Infinity) r = min(a, axes, true, o);
    else if (ord === 1) r = sum(a, axes, true, o);
    else r = power(sum(power(a, ord as number, o), axes, true, o), 1 / (ord as number), o);
  } else {
    const [r0, c0] = axes as [number, number];
    if (ord === null || ord === 'fro' || ord === 'f') r = sqrt(sum(sq(), axes, true, o), o);
    else if (ord === 1 || ord === -1) r = (ord === 1 ? max : min)(sum(a, r0, true, o), c0, true, o);
    else if (ord === Infinity || ord === -Infinity) r = (ord === Infinity ? max : min)(sum(a, c0, true, o), r0, true, o);
    else {
      // singular values of the matrices spanned by (r0, c0)
      const m = moveaxis(moveaxis(y, r0, -1, o), c0 > r0 ? c0 - 1 : c0, -1, o);
      const sv = svd(m, false, o);
      r = ord === 'nuc' ? sum(sv, -1, o) : (ord === 2 ? max : min)(sv, -1, false, o);
    }
  }
  return reshape(r, normShape(x.shape, axes, p.keepdims), o);
}

export const normRules = {
  vjp([x]: MxArray[], [ct]: MxArray[], _o: MxArray[], p: P, s: Stream): (MxArray | null)[] {
    if (!isInexact(x!.dtype)) return [null];
    if (p.ord === 0 && p.axes.length === 1) return [zerosLike(x!)];
    const y = trace(() => composite(x!, p, s));
    return [backprop([x!], [y], [ct!], 'vjp')[0]!];
  },
  jvp([x]: MxArray[], [t]: (MxArray | null)[], outs: MxArray[], p: P, s: Stream): MxArray[] {
    if (p.ord === 0 && p.axes.length === 1) return [zerosLike(outs[0]!)];
    return [jvp((z: MxArray) => composite(z, p, s), [x!], [t!])[1][0]!];
  },
  vmap([x]: MxArray[], [ax]: (number | null)[], p: P, s: Stream): [MxArray[], (number | null)[]] {
    const m = ax === 0 ? x! : moveaxis(x!, ax!, 0, { stream: s });
    const axes = p.axes.map((a) => a + 1);
    // the reduced axes shift behind the leading batch axis, which no norm reduces
    return [[bind('linalgNorm', [m], { ...p, axes }, s)], [0]];
  },
};
