/**
 * @file WGSL expressions of the elementwise primitives, per compute type. An entry returns the expression (in the
 * output's compute type) or null when that compute type is not handled on the GPU yet: the node then falls back to
 * the CPU kernel (see fallbacks.ts). Float math is f32 whatever the storage (float16/bfloat16 round on store).
 */
import type { ComputeType } from '../wgsl.js';

type U = (x: string, t: ComputeType) => string | null;
type B = (a: string, b: string, t: ComputeType) => string | null;

const f = (e: (x: string) => string): U => (x, t) => (t === 'f32' ? e(x) : null);
const num = (t: ComputeType): boolean => t !== 'bool';

/** Unary primitives, argument `x` already in the input's compute type (float ops get f32 inputs: the op casts). */
export const UNARY_WGSL: Record<string, U> = {
  abs: (x, t) => (t === 'u32' || t === 'bool' ? x : `abs(${x})`),
  negative: (x, t) => (t === 'bool' ? null : t === 'u32' ? `(0u - ${x})` : `(-${x})`),
  sign: (x, t) => (t === 'f32' ? `select(sign(${x}), ${x}, ${x} == 0.0 || is_nan(${x}))`
    : t === 'i32' ? `sign(${x})` : t === 'u32' ? `select(0u, 1u, ${x} != 0u)` : x),
  square: (x, t) => (t === 'bool' ? `(${x} && ${x})` : `(${x} * ${x})`),
  floor: (x, t) => (t === 'f32' ? `floor(${x})` : x),
  ceil: (x, t) => (t === 'f32' ? `ceil(${x})` : x),
  trunc: (x, t) => (t === 'f32' ? `trunc(${x})` : x),
  conj: (x) => x,
  real: (x) => x,
  stopGradient: (x) => x,
  bitwiseInvert: (x, t) => (t === 'bool' ? `!${x}` : t === 'f32' ? null : `(~${x})`),
  sqrt: f((x) => `sqrt(${x})`),
  rsqrt: f((x) => `inverseSqrt(${x})`),
  reciprocal: f((x) => `(1.0 / ${x})`),
  exp: f((x) => `exp(${x})`),
  // exp(x) - 1 loses every digit near 0: switch to the series there
  expm1: f((x) => `select(exp(${x}) - 1.0, ${x} + 0.5 * ${x} * ${x} + ${x} * ${x} * ${x} / 6.0, abs(${x}) < 1e-3)`),
  log: f((x) => `log(${x})`),
  log2: f((x) => `log2(${x})`),
  log10: f((x) => `(log2(${x}) * 0.30102999566398120)`),
  log1p: f((x) => `select(log(1.0 + ${x}), ${x} - 0.5 * ${x} * ${x} + ${x} * ${x} * ${x} / 3.0, abs(${x}) < 1e-3)`),
  sin: f((x) => `sin_c(${x})`),
  cos: f((x) => `cos_c(${x})`),
  tan: f((x) => `tan_c(${x})`),
  arcsin: f((x) => `asin_c(${x})`),
  arccos: f((x) => `acos_c(${x})`),
  arctan: f((x) => `atan(${x})`),
  sinh: f((x) => `sinh(${x})`),
  cosh: f((x) => `cosh(${x})`),
  tanh: f((x) => `select(tanh(${x}), sign(${x}), abs(${x}) > 20.0)`),
  arcsinh: f((x) => `asinh_c(${x})`),
  arccosh: f((x) => `acosh_c(${x})`),
  arctanh: f((x) => `atanh(${x})`),
  sigmoid: f((x) => `(1.0 / (1.0 + exp(-${x})))`),
  isnan: (x, t) => (t === 'f32' ? `is_nan(${x})` : 'false'),
  isinf: (x, t) => (t === 'f32' ? `is_inf(${x})` : 'false'),
  isfinite: (x, t) => (t === 'f32' ? `!(is_inf(${x}) || is_nan(${x}))` : 'true'),
  isposinf: (x, t) => (t === 'f32' ? `(is_inf(${x}) && ${x} > 0.0)` : 'false'),
  isneginf: (x, t) => (t === 'f32' ? `(is_inf(${x}) && ${x} < 0.0)` : 'false'),
  logicalNot: (x, t) => (t === 'bool' ? `!${x}` : t === 'f32' ? `(${x} == 0.0)` : `(${x} == ${t}(0))`),
};

const nanMax = (a: string, b: string): string => `select(${b}, ${a}, ${a} > ${b} || is_nan(${a}))`;
const nanMin = (a: string, b: string): string => `select(${b}, ${a}, ${a} < ${b} || is_nan(${a}))`;
const cmp = (op: string): B => (a, b, t) => (t === 'bool' ? `(select(0u, 1u, ${a}) ${op} select(0u, 1u, ${b}))` : `(${a} ${op} ${b})`);
const truthy = (x: string, t: ComputeType): string => (t === 'bool' ? x : t === 'f32' ? `(${x} != 0.0 || is_nan(${x}))` : `(${x} != ${t}(0))`);

/** Binary primitives: both arguments in the inputs' common compute type. */
export const BINARY_WGSL: Record<string, B> = {
  add: (a, b, t) => (t === 'bool' ? `(${a} || ${b})` : `(${a} + ${b})`),
  subtract: (a, b, t) => (t === 'bool' ? `(${a} != ${b})` : `(${a} - ${b})`),
  multiply: (a, b, t) => (t === 'bool' ? `(${a} && ${b})` : `(${a} * ${b})`),
  divide: (a, b, t) => (t === 'f32' ? `(${a} / ${b})` : null),
  maximum: (a, b, t) => (t === 'f32' ? nanMax(a, b) : t === 'bool' ? `(${a} || ${b})` : `max(${a}, ${b})`),
  minimum: (a, b, t) => (t === 'f32' ? nanMin(a, b) : t === 'bool' ? `(${a} && ${b})` : `min(${a}, ${b})`),
  // C pow; 1^y = 1 and x^0 = 1 even for NaN partners
  power: (a, b, t) => (t === 'f32' ? `select(pow_c(${a}, ${b}), 1.0, ${a} == 1.0 || ${b} == 0.0)` : null),
  arctan2: (a, b, t) => (t === 'f32' ? `atan2_c(${a}, ${b})` : null),
  logaddexp: (a, b, t) => (t === 'f32'
    ? `select(max(${a}, ${b}) + log(1.0 + exp(-abs(${a} - ${b}))), ${a} + 0.69314718055994531, ${a} == ${b})` : null),
  floorDivide: (a, b, t) => (t === 'f32' ? `floor(${a} / ${b})` : null),
  remainder: (a, b, t) => (t === 'f32' ? `rem_f(${a}, ${b})` : null),
  bitwiseAnd: (a, b, t) => (t === 'bool' ? `(${a} && ${b})` : t === 'f32' ? null : `(${a} & ${b})`),
  bitwiseOr: (a, b, t) => (t === 'bool' ? `(${a} || ${b})` : t === 'f32' ? null : `(${a} | ${b})`),
  bitwiseXor: (a, b, t) => (t === 'bool' ? `(${a} != ${b})` : t === 'f32' ? null : `(${a} ^ ${b})`),
  equal: cmp('=='),
  // NaN differs from everything: tested by bits (see convert in wgsl.ts)
  notEqual: (a, b, t) => (t === 'f32' ? `(${a} != ${b} || is_nan(${a}) || is_nan(${b}))` : cmp('!=')(a, b, t)),
  greater: cmp('>'),
  greaterEqual: cmp('>='),
  less: cmp('<'),
  lessEqual: cmp('<='),
  logicalAnd: (a, b, t) => (num(t) || t === 'bool' ? `(${truthy(a, t)} && ${truthy(b, t)})` : null),
  logicalOr: (a, b, t) => (num(t) || t === 'bool' ? `(${truthy(a, t)} || ${truthy(b, t)})` : null),
};

/** Extra helpers the binary expressions call. */
export const BINARY_PRELUDE = `
fn pow_c(a: f32, b: f32) -> f32 {
  if (is_nan(a) || is_nan(b)) { return f_nan(); }
  if (a == 0.0) {
    // C's pow(+-0, b): infinite for b < 0, zero for b > 0, keeping -0's sign for odd integer b
    let neg = (bitcast<u32>(a) >> 31u) != 0u && b == trunc(b) && (abs(b) % 2.0) == 1.0;
    if (b < 0.0) { return select(f_inf(), -f_inf(), neg); }
    return select(0.0, bitcast<f32>(0x80000000u), neg);
  }
  if (is_inf(b)) {
    // C's pow(a, +-inf): 1 for |a| == 1, else 0 or inf by whether |a| < 1 and the sign of b
    let m = abs(a);
    if (m == 1.0) { return 1.0; }
    return select(0.0, f_inf(), (m < 1.0) == (b < 0.0));
  }
  if (a >= 0.0) { return pow(a, b); }
  if (is_inf(a)) {
    // C's pow(-inf, b): infinite for b > 0, zero for b < 0, negative for odd integer b
    if (is_nan(b)) { return f_nan(); }
    let odd = b == trunc(b) && (abs(b) % 2.0) == 1.0;
    if (b > 0.0) { return select(f_inf(), -f_inf(), odd); }
    return select(0.0, bitcast<f32>(0x80000000u), odd);
  }
  let r = pow(-a, b);
  if (b != trunc(b)) { return f_nan(); }
  return select(r, -r, (abs(b) % 2.0) == 1.0);
}
// C's atan2 where WGSL leaves it undefined: both zero (signs pick 0 or pi) and both infinite (odd multiples of pi/4)
fn atan2_c(y: f32, x: f32) -> f32 {
  let sy = (bitcast<u32>(y) >> 31u) != 0u; let sx = (bitcast<u32>(x) >> 31u) != 0u;
  var r: f32;
  if (y == 0.0 && x == 0.0) { r = select(0.0, 3.14159265358979, sx); }
  else if (is_inf(y) && is_inf(x)) { r = select(0.78539816339745, 2.35619449019234, sx); }
  else { return atan2(y, x); }
  return select(r, -r, sy);
}
// Python's float remainder as the CPU computes it: fmod (a finite a modulo an infinite b is a) moved into the
// divisor's sign; a zero result takes the divisor's sign. NaN is tested by bits (some compilers fold NaN compares).
fn rem_f(a: f32, b: f32) -> f32 {
  var r = a - b * trunc(a / b);
  if (is_inf(b) && !is_inf(a) && !is_nan(a)) { r = a; }
  else if (abs(a / b) >= 8388608.0 && !is_inf(a) && b != 0.0 && !is_nan(b)) { r = fmod_big(a, b); }
  if (is_nan(r)) { return r; }
  if (r != 0.0 && ((r < 0.0) != (b < 0.0))) { return r + b; }
  if (r == 0.0) { return select(0.0, bitcast<f32>(0x80000000u), b < 0.0); }
  return r;
}
// fmod when the quotient has no exact f32 (|a/b| >= 2^23): shift-and-subtract, each step exact
fn fmod_big(a: f32, b: f32) -> f32 {
  var x = abs(a); let y = abs(b);
  let e = i32(floor(log2(x))) - i32(floor(log2(y)));
  var t = ldexp(y, e);
  if (is_inf(t) || t > x) { t = ldexp(y, e - 1); }
  for (var i = 0; i < 300; i++) {
    if (t < y) { break; }
    if (t <= x) { x = x - t; }
    t = t * 0.5;
  }
  return select(x, -x, a < 0.0);
}
// sin/cos/tan of large arguments: the builtins do no range reduction (sin(3.4e38) gave -1), so past 1e5 the
// argument is reduced exactly (Payne-Hanek): x * 2/pi from a 96-bit window of 2/pi's bits times x's 24-bit
// mantissa, in 16-bit limbs; the quadrant and the fraction come from bits 94 and below of the 120-bit product
var<private> TWO_OVER_PI: array<u32, 10> = array<u32, 10>(0xA2F9836Eu, 0x4E441529u, 0xFC2757D1u, 0xF534DDC0u,
  0xDB629599u, 0x3C439041u, 0xFE5163ABu, 0xDEBBC561u, 0xB7246E3Au, 0x424DD2E0u);
fn ph_bits(o: i32) -> u32 {
  if (o <= -32) { return 0u; }
  if (o < 0) { return TWO_OVER_PI[0] >> u32(-o); }
  let w = o / 32; let sh = u32(o % 32);
  if (sh == 0u) { return TWO_OVER_PI[w]; }
  return (TWO_OVER_PI[w] << sh) | (TWO_OVER_PI[w + 1] >> (32u - sh));
}
fn ph_mul(a: u32, b: u32) -> vec2<u32> {
  let a0 = a & 0xffffu; let a1 = a >> 16u; let b0 = b & 0xffffu; let b1 = b >> 16u;
  let p00 = a0 * b0; let p01 = a0 * b1; let p10 = a1 * b0;
  let mid = (p00 >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu);
  return vec2<u32>((p00 & 0xffffu) | (mid << 16u), a1 * b1 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u));
}
// |x| = m * 2^s; returns (r, q): x = (q + r / (pi/2)) * pi/2 with r in [-pi/4, pi/4], q in 0..3
fn reduce_big(x: f32) -> vec2<f32> {
  let bits = bitcast<u32>(abs(x));
  let m = (bits & 0x7fffffu) | 0x800000u;
  let s = i32((bits >> 23u) & 0xffu) - 150;
  let o = s - 2; // 0-based offset of 2/pi's bit s-1: bits above it contribute multiples of 4
  let p0 = ph_mul(m, ph_bits(o + 64)); let p1 = ph_mul(m, ph_bits(o + 32)); let p2 = ph_mul(m, ph_bits(o));
  let r1 = p0.y + p1.x; let c1 = select(0u, 1u, r1 < p0.y);
  let r2 = p1.y + p2.x + c1;
  var q = i32(r2 >> 30u);
  var f = f32(r2 & 0x3fffffffu) * 9.313225746154785e-10 + f32(r1) * 2.168404344971009e-19;
  if (f > 0.5) { f -= 1.0; q += 1; }
  var r = f * 1.5707963267948966;
  if (x < 0.0) { r = -r; q = -q; }
  return vec2<f32>(r, f32(q & 3));
}
fn sin_c(x: f32) -> f32 {
  if (abs(x) <= 1e5 || is_nan(x) || is_inf(x)) { return sin(x); }
  let v = reduce_big(x); let q = i32(v.y);
  if (q == 0) { return sin(v.x); } if (q == 1) { return cos(v.x); } if (q == 2) { return -sin(v.x); }
  return -cos(v.x);
}
fn cos_c(x: f32) -> f32 {
  if (abs(x) <= 1e5 || is_nan(x) || is_inf(x)) { return cos(x); }
  let v = reduce_big(x); let q = i32(v.y);
  if (q == 0) { return cos(v.x); } if (q == 1) { return -sin(v.x); } if (q == 2) { return -cos(v.x); }
  return sin(v.x);
}
fn tan_c(x: f32) -> f32 {
  if (abs(x) <= 1e5 || is_nan(x) || is_inf(x)) { return tan(x); }
  return sin_c(x) / cos_c(x);
}
// asin/acos through atan2: some drivers' builtins are accurate only to ~1e-4 (lavapipe)
fn asin_c(x: f32) -> f32 {
  if (is_nan(x) || abs(x) > 1.0) { return f_nan(); }
  return atan2(x, sqrt((1.0 - x) * (1.0 + x)));
}
fn acos_c(x: f32) -> f32 {
  if (is_nan(x) || abs(x) > 1.0) { return f_nan(); }
  return atan2(sqrt((1.0 - x) * (1.0 + x)), x);
}
// asinh/acosh: past 1e18, x*x overflows inside the builtins; log(2|x|) is exact to f32 there
fn asinh_c(x: f32) -> f32 {
  if (abs(x) > 1e18) { let r = log(abs(x)) + 0.6931471805599453; return select(r, -r, x < 0.0); }
  return asinh(x);
}
fn acosh_c(x: f32) -> f32 {
  if (x > 1e18) { return log(x) + 0.6931471805599453; }
  return acosh(x);
}
`;
