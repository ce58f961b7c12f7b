/**
 * @file Scalar math the elementwise kernels need beyond `Math`: round-half-even, erf/erfinv in double precision,
 * floor division/remainder with Python semantics, integer power, and complex functions on (re, im) pairs. Complex
 * results go into a caller-owned 2-slot buffer so the hot loops allocate nothing.
 */

/** Round half to even (NumPy's `rint`), keeping the sign of zero. */
export function rint(x: number): number {
  const r = Math.round(x);
  // Math.round sends halves up; pull odd results of exact halves back to even
  if (r - x === 0.5 && r % 2 !== 0) return r - 1;
  return r === 0 && (x < 0 || Object.is(x, -0)) ? -0 : r;
}

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/** The error function, to about 1e-15 relative: a positive series below 3 (no cancellation), a continued fraction for erfc above. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax >= 6) return x > 0 ? 1 : -1;
  if (ax < 3) {
    // erf(x) = 2/sqrt(pi) * exp(-x^2) * sum 2^n x^(2n+1) / (1*3*...*(2n+1))
    const x2 = x * x;
    let term = x, sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
      if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
    }
    return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  }
  const c = erfcLarge(ax);
  return x > 0 ? 1 - c : c - 1;
}

// erfc(x) for x >= 3 by Lentz's continued fraction: erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))
function erfcLarge(x: number): number {
  const tiny = 1e-300;
  let f = x, C = x, D = 0;
  for (let n = 1; n < 300; n++) {
    const a = n / 2;
    D = x + a * D;
    D = D === 0 ? tiny : 1 / D;
    C = x + a / C;
    if (C === 0) C = tiny;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (1.7724538509055159 * f);
}

/** Inverse error function: Giles' single-precision approximation refined by Newton steps on `erf`. */
export function erfinv(y: number): number {
  if (Number.isNaN(y) || y < -1 || y > 1) return NaN;
  if (y === 1) return Infinity;
  if (y === -1) return -Infinity;
  if (y === 0) return y;
  let w = -Math.log((1 - y) * (1 + y)), x: number;
  if (w < 5) {
    w -= 2.5;
    let p = 2.81022636e-8;
    p = 3.43273939e-7 + p * w; p = -3.5233877e-6 + p * w; p = -4.39150654e-6 + p * w; p = 0.00021858087 + p * w;
    p = -0.00125372503 + p * w; p = -0.00417768164 + p * w; p = 0.246640727 + p * w; p = 1.50140941 + p * w;
    x = p * y;
  } else {
    w = Math.sqrt(w) - 3;
    let p = -0.000200214257;
    p = 0.000100950558 + p * w; p = 0.00134934322 + p * w; p = -0.00367342844 + p * w; p = 0.00573950773 + p * w;
    p = -0.0076224613 + p * w; p = 0.00943887047 + p * w; p = 1.00167406 + p * w; p = 2.83297682 + p * w;
    x = p * y;
  }
  for (let i = 0; i < 3; i++) {
    const d = TWO_OVER_SQRT_PI * Math.exp(-x * x);
    if (d === 0) break;
    x -= (erf(x) - y) / d;
  }
  return x;
}

/** Logistic function, without overflow for large |x|. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** Python floor division of numbers; integer division by zero gives 0 (NumPy's result), floats follow IEEE. */
export function floorDivInt(a: number, b: number): number {
  return b === 0 ? 0 : Math.floor(a / b);
}

/** Python remainder (sign of the divisor) of integers; by zero gives 0. */
export function remInt(a: number, b: number): number {
  if (b === 0) return 0;
  const r = a % b;
  return r !== 0 && (r < 0) !== (b < 0) ? r + b : r;
}

/** Python remainder of floats: fmod moved into the divisor's sign. */
export function remFloat(a: number, b: number): number {
  const r = a % b;
  if (r !== 0 && (r < 0) !== (b < 0)) return r + b;
  // a zero remainder takes the divisor's sign, as in Python
  return r === 0 ? (b < 0 ? -0 : 0) : r;
}

export function floorDivBig(a: bigint, b: bigint): bigint {
  if (b === 0n) return 0n;
  const q = a / b;
  return (a % b !== 0n) && ((a < 0n) !== (b < 0n)) ? q - 1n : q;
}

export function remBig(a: bigint, b: bigint): bigint {
  if (b === 0n) return 0n;
  const r = a % b;
  return r !== 0n && (r < 0n) !== (b < 0n) ? r + b : r;
}

/**
 * Integer power with 32-bit wrap-around (results are reduced mod 2^32; narrower dtypes wrap again on write). A
 * negative exponent gives 0 for every base, 1 and -1 included, as MLX's integer pow (mlx/backend/cpu/simd/base_simd.h).
 */
export function powInt(a: number, e: number): number {
  if (e < 0) return 0;
  let r = 1, b = a | 0;
  while (e > 0) {
    if (e & 1) r = Math.imul(r, b);
    b = Math.imul(b, b);
    e = Math.floor(e / 2);
  }
  return r;
}

export function powBig(a: bigint, e: bigint, wrap: (v: bigint) => bigint): bigint {
  if (e < 0n) return 0n;
  let r = 1n, b = a;
  while (e > 0n) {
    if (e & 1n) r = wrap(r * b);
    b = wrap(b * b);
    e >>= 1n;
  }
  return r;
}

/** A complex function writing (re, im) into `o`. */
export type CFn = (re: number, im: number, o: Float64Array) => void;

export const cexp: CFn = (a, b, o) => {
  const m = Math.exp(a);
  // exp(x + 0i) must stay real even when exp(x) is infinite
  if (b === 0) { o[0] = m; o[1] = b; return; }
  o[0] = m * Math.cos(b); o[1] = m * Math.sin(b);
};
export const clog: CFn = (a, b, o) => { o[0] = Math.log(Math.hypot(a, b)); o[1] = Math.atan2(b, a); };
export const csqrt: CFn = (a, b, o) => {
  if (a === 0 && b === 0) { o[0] = 0; o[1] = b; return; }
  const t = Math.sqrt((Math.abs(a) + Math.hypot(a, b)) / 2);
  if (a >= 0) { o[0] = t; o[1] = b / (2 * t); } else { o[0] = Math.abs(b) / (2 * t); o[1] = b < 0 || Object.is(b, -0) ? -t : t; }
};
export const csin: CFn = (a, b, o) => { o[0] = Math.sin(a) * Math.cosh(b); o[1] = Math.cos(a) * Math.sinh(b); };
export const ccos: CFn = (a, b, o) => { o[0] = Math.cos(a) * Math.cosh(b); o[1] = -Math.sin(a) * Math.sinh(b); };
export const csinh: CFn = (a, b, o) => { o[0] = Math.sinh(a) * Math.cos(b); o[1] = Math.cosh(a) * Math.sin(b); };
export const ccosh: CFn = (a, b, o) => { o[0] = Math.cosh(a) * Math.cos(b); o[1] = Math.sinh(a) * Math.sin(b); };

/** Complex division (Smith's method, which avoids overflow in |c|^2). */
export function cdiv(a: number, b: number, c: number, d: number, o: Float64Array): void {
  if (Math.abs(c) >= Math.abs(d)) {
    if (c === 0 && d === 0) { o[0] = a / 0; o[1] = b / 0; return; }
    const r = d / c, den = c + d * r;
    o[0] = (a + b * r) / den; o[1] = (b - a * r) / den;
  } else {
    const r = c / d, den = c * r + d;
    o[0] = (a * r + b) / den; o[1] = (b * r - a) / den;
  }
}

const t2 = new Float64Array(2), t3 = new Float64Array(2);
export const ctan: CFn = (a, b, o) => { csin(a, b, t2); ccos(a, b, t3); cdiv(t2[0]!, t2[1]!, t3[0]!, t3[1]!, o); };
export const ctanh: CFn = (a, b, o) => { csinh(a, b, t2); ccosh(a, b, t3); cdiv(t2[0]!, t2[1]!, t3[0]!, t3[1]!, o); };
export const crecip: CFn = (a, b, o) => cdiv(1, 0, a, b, o);
export const crsqrt: CFn = (a, b, o) => { csqrt(a, b, t2); cdiv(1, 0, t2[0]!, t2[1]!, o); };

/** Complex power z^w = exp(w log z), with 0^0 = 1 and 0^w = 0 for Re(w) > 0. */
export function cpow(a: number, b: number, c: number, d: number, o: Float64Array): void {
  if (a === 0 && b === 0) {
    if (c === 0 && d === 0) { o[0] = 1; o[1] = 0; return; }
    if (c > 0 && d === 0) { o[0] = 0; o[1] = 0; return; }
  }
  clog(a, b, t2);
  const lr = t2[0]!, li = t2[1]!;
  cexp(c * lr - d * li, c * li + d * lr, o);
}
