/**
 * @file WGSL expressions of the elementwise primitives on int64/uint64 (`vec2u` word pairs, helpers in
 * wgsl-wide-prelude.ts), and the lookup that picks the expression of any primitive with a wide (64-bit or complex)
 * operand. Semantics are the CPU's BigInt kernels (binary-defs.ts `big`): results wrap modulo 2^64, division and
 * remainder by zero give 0, shifts out of range give 0 (or -1 for negative signed right shifts).
 */
import type { Dtype } from '../../../core/dtype.js';
import { convertAny, isWide, valueType, type ValueType } from '../wgsl-wide.js';
import { UNARY_WGSL } from './elementwise-defs.js';
import { C64_BINARY, C64_PRED, C64_PRED_UNARY, C64_REAL, C64_UNARY } from './elementwise-complex.js';

type E1 = (x: string, s: boolean) => string;
type E2 = (a: string, b: string, s: boolean) => string;

const ZERO = 'vec2u(0u)';
const lt = (a: string, b: string, s: boolean): string => `${s ? 'w_lts' : 'w_ltu'}(${a}, ${b})`;

/** int64/uint64 -> same dtype (`s`: signed). */
export const W64_UNARY: Partial<Record<string, E1>> = {
  abs: (x, s) => (s ? `w_abs(${x})` : x),
  negative: (x) => `w_neg(${x})`,
  sign: (x, s) => (s ? `select(select(${ZERO}, vec2u(1u, 0u), w_nz(${x})), vec2u(0xffffffffu), w_isneg(${x}))`
    : `select(${ZERO}, vec2u(1u, 0u), w_nz(${x}))`),
  square: (x) => `w_mul(${x}, ${x})`,
  floor: (x) => x,
  ceil: (x) => x,
  trunc: (x) => x,
  conj: (x) => x,
  real: (x) => x,
  stopGradient: (x) => x,
  imag: () => ZERO,
  bitwiseInvert: (x) => `(~${x})`,
};

/** int64/uint64 -> bool predicates (the CPU reads 64-bit ints as numbers: never NaN or infinite). */
const W64_PRED_UNARY: Partial<Record<string, E1>> = {
  isnan: () => 'false', isinf: () => 'false', isposinf: () => 'false', isneginf: () => 'false',
  isfinite: () => 'true',
  logicalNot: (x) => `!w_nz(${x})`,
};

/** Shift counts of at least 64, or negative signed ones, fall outside the range. */
const inRange = (b: string, s: boolean): string => `(${s ? `!w_isneg(${b}) && ` : ''}${b}.y == 0u && ${b}.x < 64u)`;

/** int64/uint64 x same -> same. */
export const W64_BINARY: Partial<Record<string, E2>> = {
  add: (a, b) => `w_add(${a}, ${b})`,
  subtract: (a, b) => `w_sub(${a}, ${b})`,
  multiply: (a, b) => `w_mul(${a}, ${b})`,
  floorDivide: (a, b, s) => `w_fdiv(${a}, ${b}, ${s})`,
  remainder: (a, b, s) => `w_rem(${a}, ${b}, ${s})`,
  power: (a, b, s) => `w_pow(${a}, ${b}, ${s})`,
  maximum: (a, b, s) => `select(${b}, ${a}, ${lt(b, a, s)})`,
  minimum: (a, b, s) => `select(${b}, ${a}, ${lt(a, b, s)})`,
  bitwiseAnd: (a, b) => `(${a} & ${b})`,
  bitwiseOr: (a, b) => `(${a} | ${b})`,
  bitwiseXor: (a, b) => `(${a} ^ ${b})`,
  leftShift: (a, b, s) => `select(${ZERO}, w_shl(${a}, ${b}.x), ${inRange(b, s)})`,
  rightShift: (a, b, s) => (s
    ? `select(select(${ZERO}, vec2u(0xffffffffu), w_isneg(${a})), w_shrs(${a}, ${b}.x), ${inRange(b, s)})`
    : `select(${ZERO}, w_shru(${a}, ${b}.x), ${inRange(b, s)})`),
};

/** int64/uint64 x same -> bool. */
const W64_PRED: Partial<Record<string, E2>> = {
  equal: (a, b) => `all(${a} == ${b})`,
  notEqual: (a, b) => `any(${a} != ${b})`,
  less: (a, b, s) => lt(a, b, s),
  greater: (a, b, s) => lt(b, a, s),
  lessEqual: (a, b, s) => `!${lt(b, a, s)}`,
  greaterEqual: (a, b, s) => `!${lt(a, b, s)}`,
  logicalAnd: (a, b) => `(w_nz(${a}) && w_nz(${b}))`,
  logicalOr: (a, b) => `(w_nz(${a}) || w_nz(${b}))`,
};

/**
 * The expression of unary primitive `name` from dtype `xi` to dtype `xo` when the input is wide, as a function of
 * the loaded input; null when the GPU does not handle that combination (the node then runs on the CPU).
 */
export function wideUnary(name: string, xi: Dtype, xo: Dtype): ((v: string) => string) | null {
  const ti = valueType(xi), to = valueType(xo);
  if (!ti || !to || !isWide(ti)) return null;
  if (ti === 'c64') {
    if (to === 'c64') { const f = C64_UNARY[name]; return f ? (v) => f(v) : null; }
    const r = C64_REAL[name], p = C64_PRED_UNARY[name];
    if (r) return (v) => convertAny(r(v), 'f32', to);
    if (p) return (v) => convertAny(p(v), 'bool', to);
    return null;
  }
  const s = ti === 'i64';
  if (to === ti) { const f = W64_UNARY[name]; return f ? (v) => f(v, s) : null; }
  const p = W64_PRED_UNARY[name];
  if (p) return (v) => convertAny(p(v, s), 'bool', to);
  // float primitives of integer inputs: the op's f32 expression of the converted value
  const f = UNARY_WGSL[name];
  if (to === 'f32' && f && f('x', 'f32') !== null) return (v) => f(convertAny(v, ti, 'f32'), 'f32')!;
  return null;
}

/** The expression of binary primitive `name` on two inputs of wide dtype `d` into dtype `xo`, or null. */
export function wideBinary(name: string, d: Dtype, xo: Dtype): ((a: string, b: string) => string) | null {
  const t = valueType(d), to = valueType(xo);
  if (!t || !to || !isWide(t)) return null;
  if (t === 'c64') {
    const p = C64_PRED[name], f = C64_BINARY[name];
    if (p) return (a, b) => convertAny(p(a, b), 'bool', to);
    return f && to === 'c64' ? f : null;
  }
  const s = t === 'i64', p = W64_PRED[name], f = W64_BINARY[name];
  if (p) return (a, b) => convertAny(p(a, b, s), 'bool', to);
  return f && to === t ? (a, b) => f(a, b, s) : null;
}

/** Whether any of the dtypes computes as a wide value type (the shader then needs the wide helpers). */
export const anyWide = (ds: readonly Dtype[]): boolean => ds.some((d) => {
  const t: ValueType | null = valueType(d);
  return t !== null && isWide(t);
});
