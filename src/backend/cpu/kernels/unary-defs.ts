/**
 * @file Scalar definitions of the unary ops: one function per storage class (numbers, BigInt, complex) plus, for
 * the hot ones, a hand-written contiguous float loop (a literal per op, so V8 inlines the math instead of calling
 * through a shared closure).
 */
import * as m from './elementwise-math.js';

type F = Float64Array;
/** Contiguous loop: `o[k] = f(x[xo + k])` for k < n (float32 or float64 storage). */
export type FastLoop = (x: F, xo: number, o: F, n: number) => void;

/** How one unary op computes in each storage class. Absent entries are unsupported (the op rejects them first). */
export interface UnaryDef {
  /** On JS numbers (every dtype of up to 32 bits, halves, and 64-bit ints when the output is not integer). */
  num?: (x: number) => number;
  /** Integer-input override (e.g. Math.imul for exact wrap-around). */
  int?: (x: number) => number;
  /** bool-input override. */
  bool?: (x: number) => number;
  /** int64/uint64 to the same dtype, exact; the result is wrapped on write. */
  big?: (x: bigint) => bigint;
  /** complex to complex. */
  cplx?: m.CFn;
  /** complex to a real (or bool) output. */
  cplxReal?: (re: number, im: number) => number;
  /** Output is already 0/1 (predicates), so bool writes need no normalisation. */
  pred?: boolean;
  /** Inputs that pass through unchanged: integer/bool ones (floor of an int), all real ones (conj), or all. */
  passThrough?: 'int' | 'real' | 'all';
  fast?: FastLoop;
}

const LN2 = Math.LN2, LN10 = Math.LN10;

export const UNARY_DEFS: Record<string, UnaryDef> = {
  abs: {
    num: Math.abs, big: (x) => (x < 0n ? -x : x), cplxReal: Math.hypot,
    fast: (x, xo, o, n) => { for (let k = 0; k < n; k++) o[k] = Math.abs(x[xo + k]!); },
  },
  negative: {
    num: (x) => -x, big: (x) => -x, cplx: (a, b, o) => { o[0] = -a; o[1] = -b; },
    fast: (x, xo, o, n) => { for (let k = 0; k < n; k++) o[k] = -x[xo + k]!; },
  },
  sign: {
    // -0 gives +0, as MLX's Sign (mlx/backend/cpu/unary_ops.h) and NumPy; NaN stays NaN (NumPy; MLX gives 0 there)
    num: (x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : x), big: (x) => (x > 0n ? 1n : x < 0n ? -1n : 0n),
    cplx: (a, b, o) => { const r = Math.hypot(a, b); if (r === 0) { o[0] = 0; o[1] = 0; } else { o[0] = a / r; o[1] = b / r; } },
  },
  square: {
    num: (x) => x * x, int: (x) => Math.imul(x, x), big: (x) => x * x,
    cplx: (a, b, o) => { o[0] = a * a - b * b; o[1] = 2 * a * b; },
    fast: (x, xo, o, n) => { for (let k = 0; k < n; k++) { const v = x[xo + k]!; o[k] = v * v; } },
  },
  floor: { num: Math.floor, passThrough: 'int' },
  ceil: { num: Math.ceil, passThrough: 'int' },
  trunc: { num: Math.trunc, passThrough: 'int' },
  conj: { cplx: (a, b, o) => { o[0] = a; o[1] = -b; }, passThrough: 'real' },
  bitwiseInvert: { int: (x) => ~x, bool: (x) => (x ? 0 : 1), big: (x) => ~x },
  stopGradient: { passThrough: 'all' },
  real: { passThrough: 'real', cplxReal: (a) => a },
  imag: { num: () => 0, int: () => 0, bool: () => 0, big: () => 0n, cplxReal: (_a, b) => b },

  sqrt: { num: Math.sqrt, cplx: m.csqrt, fast: (x, xo, o, n) => { for (let k = 0; k < n; k++) o[k] = Math.sqrt(x[xo + k]!); } },
  rsqrt: { num: (x) => 1 / Math.sqrt(x), cplx: m.crsqrt, fast: (x, xo, o, n) => { for (let k = 0; k < n; k++) o[k] = 1 / Math.sqrt(x[xo + k]!); } },
  reciprocal: { num: (x) => 1 / x, cplx: m.crecip, fast: (x, xo, o, n) => { for (let k = 0; k < n; k++) o[k] = 1 / x[xo + k]!; } },
  exp: { num: Math.exp, cplx: m.cexp, fast: (x, xo, o, n) => { for (let k = 0; k < n; k++) o[k] = Math.exp(x[xo + k]!); } },
  expm1: { num: Math.expm1, cplx: (a, b, o) => { m.cexp(a, b, o); o[0] = o[0]! - 1; } },
  log: { num: Math.log, cplx: m.clog, fast: (x, xo, o, n) => { for (let k = 0; k < n; k++) o[k] = Math.log(x[xo + k]!); } },
  log2: { num: Math.log2, cplx: (a, b, o) => { m.clog(a, b, o); o[0] = o[0]! / LN2; o[1] = o[1]! / LN2; } },
  log10: { num: Math.log10, cplx: (a, b, o) => { m.clog(a, b, o); o[0] = o[0]! / LN10; o[1] = o[1]! / LN10; } },
  log1p: { num: Math.log1p, cplx: (a, b, o) => m.clog(a + 1, b, o) },
  sin: { num: Math.sin, cplx: m.csin, fast: (x, xo, o, n) => { for (let k = 0; k < n; k++) o[k] = Math.sin(x[xo + k]!); } },
  cos: { num: Math.cos, cplx: m.ccos, fast: (x, xo, o, n) => { for (let k = 0; k < n; k++) o[k] = Math.cos(x[xo + k]!); } },
  tan: { num: Math.tan, cplx: m.ctan },
  arcsin: { num: Math.asin },
  arccos: { num: Math.acos },
  arctan: { num: Math.atan },
  sinh: { num: Math.sinh, cplx: m.csinh },
  cosh: { num: Math.cosh, cplx: m.ccosh },
  tanh: { num: Math.tanh, cplx: m.ctanh, fast: (x, xo, o, n) => { for (let k = 0; k < n; k++) o[k] = Math.tanh(x[xo + k]!); } },
  arcsinh: { num: Math.asinh },
  arccosh: { num: Math.acosh },
  arctanh: { num: Math.atanh },
  sigmoid: {
    num: m.sigmoid,
    fast: (x, xo, o, n) => {
      for (let k = 0; k < n; k++) {
        const v = x[xo + k]!;
        if (v >= 0) o[k] = 1 / (1 + Math.exp(-v));
        else { const e = Math.exp(v); o[k] = e / (1 + e); }
      }
    },
  },
  erf: { num: m.erf },
  erfinv: { num: m.erfinv },

  isnan: { pred: true, num: (x) => (x !== x ? 1 : 0), cplxReal: (a, b) => (a !== a || b !== b ? 1 : 0) },
  isinf: {
    pred: true, num: (x) => (x === Infinity || x === -Infinity ? 1 : 0),
    cplxReal: (a, b) => (a === Infinity || a === -Infinity || b === Infinity || b === -Infinity ? 1 : 0),
  },
  isfinite: { pred: true, num: (x) => (Number.isFinite(x) ? 1 : 0), cplxReal: (a, b) => (Number.isFinite(a) && Number.isFinite(b) ? 1 : 0) },
  isposinf: { pred: true, num: (x) => (x === Infinity ? 1 : 0) },
  isneginf: { pred: true, num: (x) => (x === -Infinity ? 1 : 0) },
  logicalNot: { pred: true, num: (x) => (x === 0 ? 1 : 0), cplxReal: (a, b) => (a === 0 && b === 0 ? 1 : 0) },
};

/** Complex (re, im) -> (re, im) through a real function applied to both parts. */
export function bothParts(f: (x: number) => number): m.CFn {
  return (a, b, o) => { o[0] = f(a); o[1] = f(b); };
}
