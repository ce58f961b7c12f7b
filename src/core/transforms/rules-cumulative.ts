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
import { add, subtract, multiply, divide, equal, greater, less, logicalAnd } from '../ops/binary.js';
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
 * exp(lcse(log v+ + logw) + post) - exp(lcse(log v- + logw) + post).
 */
function expWeightedScan(v: MxArray, logw: MxArray, post: MxArray, axis: number, o: CumulativeOpts, stream: Stream): MxArray {
  const s = { stream };
  const part = (pos: boolean): MxArray => {
    const m = pos ? greater(v, 0, s) : less(v, 0, s);
    const lv = where(m, log(where(m, pos ? v : negative(v, s), 1, s), s), -Infinity, s);
    return exp(add(logcumsumexp(add(lv, logw, s), axis, o), post, s), s);
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

/** Cotangent of the input of an inclusive scan along `d.axis` (x floating). */
function vjpInclusive(mode: ScanP['mode'], x: MxArray, y: MxArray, ct: MxArray, d: Dir, stream: Stream): MxArray {
  const s = { stream };
  const back = opts(d, stream, true, true);
  switch (mode) {
    case 'sum': return cumsum(ct, d.axis, back);
    case 'prod': {
      // before the first zero: dx_i = sum_{j covers i} ct_j y_j / x_i. At the first zero z: the same scan with
      // x_z set to 1, read at z. After it every partial product holds the zero, so the gradient is 0.
      const zeros = cumsum(equal(x, 0, s), d.axis, opts(d, stream));
      const before = equal(zeros, 0, s);
      const first = logicalAnd(equal(zeros, 1, s), equal(x, 0, s), s);
      const regular = divide(cumsum(multiply(ct, y, s), d.axis, back), where(before, x, 1, s), s);
      const yz = cumprod(where(first, 1, x, s), d.axis, opts(d, stream));
      const atZero = cumsum(multiply(ct, yz, s), d.axis, back);
      return where(before, regular, where(first, atZero, 0, s), s);
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
      // before the first zero: y_j * sum_{i<=j} t_i / x_i; from it on only the zero's term survives: t_z * y~_j
      const zeros = cumsum(equal(x, 0, s), d.axis, fwd);
      const before = equal(zeros, 0, s);
      const first = logicalAnd(equal(zeros, 1, s), equal(x, 0, s), s);
      const regular = multiply(y, cumsum(divide(t, where(before, x, 1, s), s), d.axis, fwd), s);
      const tz = cumsum(where(first, t, 0, s), d.axis, fwd);
      const yz = cumprod(where(first, 1, x, s), d.axis, fwd);
      return where(before, regular, multiply(tz, yz, s), s);
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
