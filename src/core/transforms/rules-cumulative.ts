/**
 * @file vjp, jvp and vmap rules of the `scan` primitive (cumsum, cumprod, cummax, cummin, logcumsumexp). A scan
 * over the flattened input (axis null) is handled on the flat array. cumsum's rules are scans themselves; the
 * other folds are derived for inclusive scans, and an exclusive scan is the inclusive one shifted by one place
 * in the scan direction.
 */
import { bind, type MxArray } from '../array.js';
import type { Stream } from '../device.js';
import * as dt from '../dtype.js';
import type { PrimitiveDef, PrimitiveParams } from '../primitive.js';
import { add, subtract, multiply, divide, equal, notEqual, greater, less, logicalAnd, logicalOr } from '../ops/binary.js';
import { exp, log, negative } from '../ops/unary.js';
import { where } from '../ops/ternary.js';
import { cumsum, cumprod, cummax, cummin, logcumsumexp, type CumulativeOpts } from '../ops/cumulative.js';
import { takeAlongAxis } from '../ops/indexing.js';
import { zerosLike, arange } from '../ops/creation.js';
import { reshape } from '../ops/layout.js';
import { toFront, differentiable, like, shift } from './rules-reduce-util.js';

type ScanP = PrimitiveParams['scan'];
type Dir = { axis: number; reverse: boolean };

const scanWith = { sum: cumsum, prod: cumprod, max: cummax, min: cummin, logaddexp: logcumsumexp } as const;

const opts = (d: Dir, stream: Stream, inclusive = true, flip = false): CumulativeOpts =>
  ({ reverse: flip ? !d.reverse : d.reverse, inclusive, stream });

/**
 * exp(post) * scan(v * exp(logw)) computed in log space, split by the sign of v, so neither factor can overflow:
 * exp(lcse(log v+ + logw) + post) - exp(lcse(log v- + logw) + post). A -inf on either side (an -inf input, an
 * empty prefix) gives 0 rather than inf - inf.
 */
function expWeightedScan(v: MxArray, logw: MxArray, post: MxArray, axis: number, o: CumulativeOpts, stream: Stream): MxArray {
  const s = { stream };
  const postDead = equal(post, -Infinity, s);
  const part = (pos: boolean): MxArray => {
    const m = pos ? greater(v, 0, s) : less(v, 0, s);
    const lv = where(m, add(log(where(m, pos ? v : negative(v, s), 1, s), s), logw, s), -Infinity, s);
    const acc = logcumsumexp(lv, axis, o);
    const dead = logicalOr(equal(acc, -Infinity, s), postDead, s);
    return where(dead, 0, exp(add(where(dead, 0, acc, s), where(dead, 0, post, s), s), s), s);
  };
  return subtract(part(true), part(false), s);
}

/** The position of the element each output of an inclusive cummax/cummin came from (the latest tie). */
function producer(x: MxArray, y: MxArray, d: Dir, stream: Stream): MxArray {
  const s = { stream };
  const n = x.shape[d.axis]!;
  const iotaShape = x.shape.map((e, i) => (i === d.axis ? e : 1));
  const iota = reshape(arange(n, dt.int32, s), iotaShape, s);
  const hit = equal(x, y, s);
  // a hit marks a new running extreme; carry the latest one forward in the scan direction
  return d.reverse
    ? cummin(where(hit, iota, n - 1, s), d.axis, { reverse: true, stream })
    : cummax(where(hit, iota, 0, s), d.axis, { stream });
}

/** Where the k-th zero of each lane (in scan order) is. */
function nthZero(x: MxArray, k: number, d: Dir, stream: Stream): MxArray {
  const s = { stream };
  const zeros = cumsum(equal(x, 0, s), d.axis, opts(d, stream));
  return logicalAnd(equal(zeros, k, s), equal(x, 0, s), s);
}

/** Cotangent of the input of an inclusive scan along `d.axis` (x floating). */
function vjpInclusive(mode: ScanP['mode'], x: MxArray, y: MxArray, ct: MxArray, d: Dir, stream: Stream): MxArray {
  const s = { stream };
  const back = opts(d, stream, true, true);
  switch (mode) {
    case 'sum': return cumsum(ct, d.axis, back);
    case 'prod': {
      // a non-zero x_i: dx_i = sum_{j covers i} ct_j y_j / x_i (0 once a zero precedes it, yet differentiable in
      // that zero). A zero x_i: the same sum of the scan with x_i set to 1, read at i. Done for the first two zeros
      // of a lane, which keeps second derivatives exact; from the third on it is 0 to that order too.
      const nz = notEqual(x, 0, s);
      const regular = divide(cumsum(multiply(ct, y, s), d.axis, back), where(nz, x, 1, s), s);
      const [first, second] = [1, 2].map((k) => nthZero(x, k, d, stream));
      const atZero = (m: MxArray): MxArray =>
        cumsum(multiply(ct, cumprod(where(m, 1, x, s), d.axis, opts(d, stream)), s), d.axis, back);
      return where(nz, regular, where(first!, atZero(first!), where(second!, atZero(second!), 0, s), s), s);
    }
    case 'max': case 'min': {
      // each output's cotangent goes to the element it copies
      const idx = producer(x, y, d, stream);
      return bind('scatterAxis', [zerosLike(x), idx, like(ct, x, stream)], { axis: d.axis, shape: [...idx.shape], mode: 'add' }, stream);
    }
    case 'logaddexp':
      // dy_j/dx_i = exp(x_i - y_j): dx_i = exp(x_i) * sum_{j covers i} ct_j exp(-y_j)
      return expWeightedScan(ct, negative(y, s), x, d.axis, back, stream);
  }
}

/** Tangent of the output of an inclusive scan along `d.axis` (x floating). */
function jvpInclusive(mode: ScanP['mode'], x: MxArray, y: MxArray, t: MxArray, d: Dir, stream: Stream): MxArray {
  const s = { stream };
  const fwd = opts(d, stream);
  switch (mode) {
    case 'sum': return cumsum(t, d.axis, fwd);
    case 'prod': {
      // dy_j = y_j * sum_{i<=j, x_i != 0} t_i / x_i + t_z * y~_j, with y~ the scan with the first zero z set to 1
      // (the zero's own term; y~_j is 0 again once a second zero is passed)
      const first = nthZero(x, 1, d, stream);
      const nz = notEqual(x, 0, s);
      const regular = multiply(y, cumsum(where(nz, divide(t, where(nz, x, 1, s), s), 0, s), d.axis, fwd), s);
      const tz = cumsum(where(first, t, 0, s), d.axis, fwd);
      const yz = cumprod(where(first, 1, x, s), d.axis, fwd);
      return add(regular, multiply(tz, yz, s), s);
    }
    case 'max': case 'min': return takeAlongAxis(t, producer(x, y, d, stream), d.axis, s);
    case 'logaddexp':
      // dy_j = sum_{i<=j} t_i exp(x_i - y_j)
      return expWeightedScan(t, x, negative(y, s), d.axis, fwd, stream);
  }
}

/** Runs `f` on the scanned layout: the flattened input for axis null, reshaping results of `shape` back. */
function onAxis(x: MxArray, p: ScanP, stream: Stream): [MxArray, Dir] {
  return p.axis === null ? [reshape(x, [-1], { stream }), { axis: 0, reverse: p.reverse }] : [x, { axis: p.axis, reverse: p.reverse }];
}

/**
 * Rules of `scan` (every cumulative op, forward or reverse, inclusive or exclusive, on an axis or flattened).
 *
 * @example
 * ```ts
 * mx.grad((x) => mx.sum(mx.cumsum(x)))(mx.array([1, 2, 3])); // [3, 2, 1]
 * ```
 */
export const scanRules: Required<Pick<PrimitiveDef<'scan'>, 'vjp' | 'jvp' | 'vmap'>> = {
  vjp([x], [ct], [y], p, stream) {
    if (!differentiable(x!)) return [null];
    const [xf, d] = onAxis(x!, p, stream);
    let g: MxArray;
    if (p.mode === 'sum') g = cumsum(ct!, d.axis, opts(d, stream, p.inclusive, true));
    else if (p.inclusive) g = vjpInclusive(p.mode, xf, y!, ct!, d, stream);
    else {
      // y_excl[j] = y_incl[j - 1] (scan order), so the inclusive output's cotangent is ct moved back one place
      const yIn = scanWith[p.mode](xf, d.axis, opts(d, stream));
      g = vjpInclusive(p.mode, xf, yIn, shift(ct!, d.axis, d.reverse ? 1 : -1, stream), d, stream);
    }
    return [like(reshape(g, x!.shape, { stream }), x!, stream)];
  },
  jvp([x], [t], [y], p, stream) {
    if (!differentiable(x!)) return [zerosLike(y!)];
    const [xf, d] = onAxis(x!, p, stream);
    const [tf] = onAxis(t!, p, stream);
    if (p.mode === 'sum') return [like(cumsum(tf, d.axis, opts(d, stream, p.inclusive)), y!, stream)];
    if (p.inclusive) return [like(jvpInclusive(p.mode, xf, y!, tf, d, stream), y!, stream)];
    const yIn = scanWith[p.mode](xf, d.axis, opts(d, stream));
    return [like(shift(jvpInclusive(p.mode, xf, yIn, tf, d, stream), d.axis, d.reverse ? -1 : 1, stream), y!, stream)];
  },
  vmap([x], [ax], p, stream) {
    let xb = toFront(x!, ax!, stream);
    if (p.axis === null) xb = reshape(xb, [xb.shape[0]!, -1], { stream });
    return [[bind('scan', [xb], { ...p, axis: p.axis === null ? 1 : p.axis + 1 }, stream)], [0]];
  },
};
