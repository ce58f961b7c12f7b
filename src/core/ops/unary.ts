/**
 * @file Unary elementwise ops (abs, exp, sin, isnan, ...), the math constants (`mx.pi`, `mx.inf`, ...), and the
 * unary array methods. Integer and bool inputs of float ops compute in float32, as in MLX.
 */
import { MxArray, bind, type ArrayLike } from '../array.js';
import * as dt from '../dtype.js';
import { toStream, type StreamOpt } from '../device.js';
import { optArgs } from './args.js';
import { NO_PARAMS, toArray } from './elementwise-util.js';
import { multiply } from './binary.js';
import type { SimpleUnaryName } from '../primitives/unary.js';
import '../primitives/unary.js';

export * from './constants.js';

// ops that NumPy and MLX refuse on complex input
const NO_COMPLEX = new Set<string>([
  'floor', 'ceil', 'trunc', 'arcsin', 'arccos', 'arctan', 'arcsinh', 'arccosh', 'arctanh', 'sigmoid', 'erf', 'erfinv',
  'isposinf', 'isneginf',
]);

function unary(name: SimpleUnaryName, a: ArrayLike, opts: StreamOpt, api: string = name): MxArray {
  const s = toStream(opts.stream, api);
  const x = toArray(a, api, s);
  const d = x.dtype;
  if (d === dt.complex64 && NO_COMPLEX.has(name)) throw new TypeError(`[${api}] Not supported for complex64 input.`);
  if (name === 'negative' && d === dt.bool) throw new TypeError(`[${api}] Not supported for bool input; use logicalNot.`);
  if (name === 'bitwiseInvert' && dt.isInexact(d)) {
    throw new TypeError(`[${api}] Only integer and bool inputs are allowed, got ${d.name}.`);
  }
  return bind(name, [x], NO_PARAMS, s);
}

/** Absolute value (complex: magnitude, float32). @example `mx.abs(mx.array([-1, 2]))` → `[1, 2]` */
export function abs(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('abs', a, opts); }
/** `-a`. @example `mx.negative(mx.array([1, -2]))` → `[-1, 2]` */
export function negative(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('negative', a, opts); }
/** `+a`: the array itself (scalars become 0-d arrays). @example `mx.positive(x) === x` */
export function positive(a: ArrayLike, opts: StreamOpt = {}): MxArray {
  return toArray(a, 'positive', toStream(opts.stream, 'positive'));
}
/** Sign: -1, 0 or 1 (-0 gives +0; NaN stays NaN; complex: `z / |z|`). @example `mx.sign(mx.array([-3, 0, 2]))` → `[-1, 0, 1]` */
export function sign(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('sign', a, opts); }
/** Square root. @example `mx.sqrt(mx.array([4, 9]))` → `[2, 3]` (float32) */
export function sqrt(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('sqrt', a, opts); }
/** `1 / sqrt(a)`. @example `mx.rsqrt(mx.array([4]))` → `[0.5]` */
export function rsqrt(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('rsqrt', a, opts); }
/** `a * a` (integers stay integers and wrap). @example `mx.square(mx.array([3]))` → `[9]` */
export function square(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('square', a, opts); }
/** `1 / a` (integers give float32). @example `mx.reciprocal(mx.array([4]))` → `[0.25]` */
export function reciprocal(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('reciprocal', a, opts); }
/** `e^a`. @example `mx.exp(mx.array([0]))` → `[1]` */
export function exp(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('exp', a, opts); }
/** `e^a - 1`, accurate near 0. @example `mx.expm1(mx.array([1e-10]))` → `[1e-10]` */
export function expm1(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('expm1', a, opts); }
/** Natural logarithm. @example `mx.log(mx.array([1]))` → `[0]` */
export function log(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('log', a, opts); }
/** Base-2 logarithm. @example `mx.log2(mx.array([8]))` → `[3]` */
export function log2(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('log2', a, opts); }
/** Base-10 logarithm. @example `mx.log10(mx.array([100]))` → `[2]` */
export function log10(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('log10', a, opts); }
/** `log(1 + a)`, accurate near 0. @example `mx.log1p(mx.array([0]))` → `[0]` */
export function log1p(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('log1p', a, opts); }
/** Sine. @example `mx.sin(mx.array([0]))` → `[0]` */
export function sin(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('sin', a, opts); }
/** Cosine. @example `mx.cos(mx.array([0]))` → `[1]` */
export function cos(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('cos', a, opts); }
/** Tangent. @example `mx.tan(mx.array([0]))` → `[0]` */
export function tan(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('tan', a, opts); }
/** Inverse sine. @example `mx.arcsin(mx.array([1]))` → `[π/2]` */
export function arcsin(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('arcsin', a, opts); }
/** Inverse cosine. @example `mx.arccos(mx.array([1]))` → `[0]` */
export function arccos(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('arccos', a, opts); }
/** Inverse tangent. @example `mx.arctan(mx.array([1]))` → `[π/4]` */
export function arctan(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('arctan', a, opts); }
/** Hyperbolic sine. @example `mx.sinh(mx.array([0]))` → `[0]` */
export function sinh(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('sinh', a, opts); }
/** Hyperbolic cosine. @example `mx.cosh(mx.array([0]))` → `[1]` */
export function cosh(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('cosh', a, opts); }
/** Hyperbolic tangent. @example `mx.tanh(mx.array([0]))` → `[0]` */
export function tanh(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('tanh', a, opts); }
/** Inverse hyperbolic sine. @example `mx.arcsinh(mx.array([0]))` → `[0]` */
export function arcsinh(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('arcsinh', a, opts); }
/** Inverse hyperbolic cosine. @example `mx.arccosh(mx.array([1]))` → `[0]` */
export function arccosh(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('arccosh', a, opts); }
/** Inverse hyperbolic tangent. @example `mx.arctanh(mx.array([0]))` → `[0]` */
export function arctanh(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('arctanh', a, opts); }
/** Logistic sigmoid `1 / (1 + e^-a)`. @example `mx.sigmoid(mx.array([0]))` → `[0.5]` */
export function sigmoid(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('sigmoid', a, opts); }
/** Error function. @example `mx.erf(mx.array([0]))` → `[0]` */
export function erf(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('erf', a, opts); }
/** Inverse error function. @example `mx.erfinv(mx.array([0]))` → `[0]` */
export function erfinv(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('erfinv', a, opts); }
/** Round down (integers unchanged). @example `mx.floor(mx.array([1.5, -1.5]))` → `[1, -2]` */
export function floor(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('floor', a, opts); }
/** Round up (integers unchanged). @example `mx.ceil(mx.array([1.5]))` → `[2]` */
export function ceil(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('ceil', a, opts); }
/** Round toward zero. @example `mx.trunc(mx.array([-1.5]))` → `[-1]` */
export function trunc(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('trunc', a, opts); }
/** Complex conjugate (real inputs unchanged). @example `mx.conj(z)` */
export function conj(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('conj', a, opts); }
/** Same as `conj`. @example `mx.conjugate(z)` */
export function conjugate(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('conj', a, opts, 'conjugate'); }
/** Real part (real inputs unchanged). @example `mx.real(z)` */
export function real(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('real', a, opts); }
/** Imaginary part (zeros for real inputs). @example `mx.imag(z)` */
export function imag(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('imag', a, opts); }
/** Whether each element is NaN. @example `mx.isnan(mx.array([NaN, 1]))` → `[true, false]` */
export function isnan(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('isnan', a, opts); }
/** Whether each element is ±Infinity. @example `mx.isinf(mx.array([Infinity]))` → `[true]` */
export function isinf(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('isinf', a, opts); }
/** Whether each element is finite. @example `mx.isfinite(mx.array([NaN, 1]))` → `[false, true]` */
export function isfinite(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('isfinite', a, opts); }
/** Whether each element is +Infinity. @example `mx.isposinf(mx.array([Infinity]))` → `[true]` */
export function isposinf(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('isposinf', a, opts); }
/** Whether each element is -Infinity. @example `mx.isneginf(mx.array([-Infinity]))` → `[true]` */
export function isneginf(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('isneginf', a, opts); }
/** Logical not (nonzero is true). @example `mx.logicalNot(mx.array([0, 2]))` → `[true, false]` */
export function logicalNot(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('logicalNot', a, opts); }
/** Bitwise not of integers (bool: logical not). @example `mx.bitwiseInvert(mx.array([0], mx.uint8))` → `[255]` */
export function bitwiseInvert(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('bitwiseInvert', a, opts); }
/** Identity that blocks gradients (transforms treat its output as a constant). @example `mx.stopGradient(x)` */
export function stopGradient(a: ArrayLike, opts: StreamOpt = {}): MxArray { return unary('stopGradient', a, opts); }

/** Radians to degrees. @example `mx.degrees(mx.array([Math.PI]))` → `[180]` */
export function degrees(a: ArrayLike, opts: StreamOpt = {}): MxArray {
  return multiply(toArray(a, 'degrees', toStream(opts.stream, 'degrees')), 180 / Math.PI, opts);
}
/** Degrees to radians. @example `mx.radians(mx.array([180]))` → `[π]` */
export function radians(a: ArrayLike, opts: StreamOpt = {}): MxArray {
  return multiply(toArray(a, 'radians', toStream(opts.stream, 'radians')), Math.PI / 180, opts);
}

/** Options of `round`. */
export interface RoundOpts extends StreamOpt { decimals?: number }
/**
 * Rounds half to even at `decimals` places (negative: tens, hundreds, ...). Integers are unchanged for `decimals >= 0`.
 *
 * @example
 * ```ts
 * mx.round(mx.array([0.5, 1.5, 2.675]), 2); // [0.5, 1.5, 2.68]
 * ```
 */
export function round(a: ArrayLike, ...rest: [number?, RoundOpts?] | [RoundOpts]): MxArray {
  const o = optArgs<RoundOpts>(['decimals'], rest, 'round');
  const decimals = o.decimals ?? 0;
  if (!Number.isInteger(decimals)) throw new TypeError(`[round] decimals must be an integer, got ${decimals}.`);
  const s = toStream(o.stream, 'round');
  return bind('round', [toArray(a, 'round', s)], { decimals }, s);
}

/** Options of `nanToNum`. */
export interface NanToNumOpts extends StreamOpt { nan?: number; posinf?: number | null; neginf?: number | null }
/**
 * Replaces NaN by `nan` (0), +Inf by `posinf` and -Inf by `neginf` (default: the dtype's largest finite values).
 *
 * @example
 * ```ts
 * mx.nanToNum(mx.array([NaN, Infinity]), 0, 9); // [0, 9]
 * ```
 */
export function nanToNum(
  a: ArrayLike, ...rest: [number?, (number | null)?, (number | null)?, NanToNumOpts?] | [NanToNumOpts]
): MxArray {
  const o = optArgs<NanToNumOpts>(['nan', 'posinf', 'neginf'], rest, 'nanToNum');
  const s = toStream(o.stream, 'nanToNum');
  return bind('nanToNum', [toArray(a, 'nanToNum', s)], { nan: o.nan ?? 0, posinf: o.posinf ?? null, neginf: o.neginf ?? null }, s);
}

type U = (opts?: StreamOpt) => MxArray;
declare module '../array.js' {
  interface MxArray {
    /** @see abs */ abs: U;
    /** `-a`. @see negative */ neg: U;
    /** @see square */ square: U;
    /** @see sqrt */ sqrt: U;
    /** @see rsqrt */ rsqrt: U;
    /** @see reciprocal */ reciprocal: U;
    /** @see exp */ exp: U;
    /** @see log */ log: U;
    /** @see log1p */ log1p: U;
    /** @see log2 */ log2: U;
    /** @see log10 */ log10: U;
    /** @see sin */ sin: U;
    /** @see cos */ cos: U;
    /** @see conj */ conj: U;
    /** Rounds half to even. @see round */
    round(decimals?: number | RoundOpts, opts?: RoundOpts): MxArray;
    /** Real part (a property, as in MLX). @see real */
    readonly real: MxArray;
    /** Imaginary part (a property, as in MLX). @see imag */
    readonly imag: MxArray;
  }
}
const methods: Record<string, (a: ArrayLike, opts?: StreamOpt) => MxArray> = {
  abs, neg: negative, square, sqrt, rsqrt, reciprocal, exp, log, log1p, log2, log10, sin, cos, conj,
};
for (const [k, f] of Object.entries(methods)) {
  Object.defineProperty(MxArray.prototype, k, {
    value: function (this: MxArray, opts?: StreamOpt) { return f(this, opts); }, writable: true, configurable: true,
  });
}
MxArray.prototype.round = function (this: MxArray, decimals?: number | RoundOpts, opts?: RoundOpts) {
  return round(this, decimals as number, opts);
};
Object.defineProperty(MxArray.prototype, 'real', { get(this: MxArray) { return real(this); }, configurable: true });
Object.defineProperty(MxArray.prototype, 'imag', { get(this: MxArray) { return imag(this); }, configurable: true });
