/**
 * @file WGSL expressions of the elementwise primitives on complex64 (`vec2f` values, helpers in
 * wgsl-wide-prelude.ts). Only the ops the CPU defines for complex inputs are here (unary-defs.ts/binary-defs.ts);
 * anything else declines and runs on the CPU. The CPU evaluates these in double and rounds the result, the GPU in
 * f32, so transcendental results agree within a few float32 ulp; +, -, negation, conj, compares are exact.
 */

type E1 = (z: string) => string;
type E2 = (a: string, b: string) => string;

const ONE = 'vec2f(1.0, 0.0)';
const LN2 = 0.6931471805599453, LN10 = 2.302585092994046;

/** complex64 -> complex64 unary ops. */
export const C64_UNARY: Partial<Record<string, E1>> = {
  negative: (z) => `(-${z})`,
  conj: (z) => `(${z} * vec2f(1.0, -1.0))`,
  stopGradient: (z) => z,
  square: (z) => `vec2f(${z}.x * ${z}.x - ${z}.y * ${z}.y, 2.0 * ${z}.x * ${z}.y)`,
  sign: (z) => `c_sign(${z})`,
  sqrt: (z) => `c_sqrt(${z})`,
  rsqrt: (z) => `c_div(${ONE}, c_sqrt(${z}))`,
  reciprocal: (z) => `c_div(${ONE}, ${z})`,
  exp: (z) => `c_exp(${z})`,
  expm1: (z) => `(c_exp(${z}) - ${ONE})`,
  log: (z) => `c_log(${z})`,
  log2: (z) => `(c_log(${z}) / ${LN2})`,
  log10: (z) => `(c_log(${z}) / ${LN10})`,
  log1p: (z) => `c_log(${z} + ${ONE})`,
  sin: (z) => `c_sin(${z})`,
  cos: (z) => `c_cos(${z})`,
  tan: (z) => `c_div(c_sin(${z}), c_cos(${z}))`,
  sinh: (z) => `c_sinh(${z})`,
  cosh: (z) => `c_cosh(${z})`,
  tanh: (z) => `c_div(c_sinh(${z}), c_cosh(${z}))`,
};

/** complex64 -> real unary ops: the value is f32, or WGSL bool for the predicates in `C64_PRED_UNARY`. */
export const C64_REAL: Partial<Record<string, E1>> = {
  abs: (z) => `c_hypot(${z}.x, ${z}.y)`,
  real: (z) => `${z}.x`,
  imag: (z) => `${z}.y`,
};

/** complex64 -> bool unary predicates. */
export const C64_PRED_UNARY: Partial<Record<string, E1>> = {
  isnan: (z) => `c_nan(${z})`,
  isinf: (z) => `(is_inf(${z}.x) || is_inf(${z}.y))`,
  isfinite: (z) => `!(c_nan(${z}) || is_inf(${z}.x) || is_inf(${z}.y))`,
  logicalNot: (z) => `(all(${z} == vec2f(0.0)) && !c_nan(${z}))`,
};

/** complex64 x complex64 -> complex64. */
export const C64_BINARY: Partial<Record<string, E2>> = {
  add: (a, b) => `(${a} + ${b})`,
  subtract: (a, b) => `(${a} - ${b})`,
  multiply: (a, b) => `c_mul(${a}, ${b})`,
  divide: (a, b) => `c_div(${a}, ${b})`,
  power: (a, b) => `c_pow(${a}, ${b})`,
  // lexicographic order (NumPy's); a NaN in the first operand wins, as on the CPU
  maximum: (a, b) => `select(${b}, ${a}, c_nan(${a}) || !c_less(${a}, ${b}))`,
  minimum: (a, b) => `select(${b}, ${a}, c_nan(${a}) || !c_greater(${a}, ${b}))`,
};

/** complex64 x complex64 -> bool. */
export const C64_PRED: Partial<Record<string, E2>> = {
  // NaN tested by bits: lavapipe's compiler folds NaN compares as if NaN could not occur
  equal: (a, b) => `(all(${a} == ${b}) && !c_nan(${a}) && !c_nan(${b}))`,
  notEqual: (a, b) => `(any(${a} != ${b}) || c_nan(${a}) || c_nan(${b}))`,
  greater: (a, b) => `c_greater(${a}, ${b})`,
  less: (a, b) => `c_less(${a}, ${b})`,
  greaterEqual: (a, b) => `!(c_less(${a}, ${b}) || c_nan(${a}) || c_nan(${b}))`,
  lessEqual: (a, b) => `!(c_greater(${a}, ${b}) || c_nan(${a}) || c_nan(${b}))`,
};
