/**
 * @file Unary elementwise primitives: one name per op (as MLX has one primitive class per op, which is where the
 * vjp/jvp rules will go), each with the dtype rule of its output. Ops have validated dtypes already.
 */
import * as dt from '../dtype.js';
import type { Dtype } from '../dtype.js';
import { definePrimitives, single, type PrimitiveDef, type PrimitiveTable } from '../primitive.js';

/** Params of primitives that take none. */
export type NoParams = Record<string, never>;

/** Unary primitives whose output dtype is the input's (complex `abs` excepted: float32). */
export const SAME_DTYPE_UNARY = [
  'abs', 'negative', 'sign', 'square', 'floor', 'ceil', 'trunc', 'conj', 'bitwiseInvert', 'stopGradient',
] as const;
/** Unary primitives that compute in floating point: integer and bool inputs give float32. */
export const FLOAT_UNARY = [
  'sqrt', 'rsqrt', 'reciprocal', 'exp', 'expm1', 'log', 'log2', 'log10', 'log1p', 'sin', 'cos', 'tan',
  'arcsin', 'arccos', 'arctan', 'sinh', 'cosh', 'tanh', 'arcsinh', 'arccosh', 'arctanh', 'sigmoid', 'erf', 'erfinv',
] as const;
/** Unary predicates: bool output. */
export const BOOL_UNARY = ['isnan', 'isinf', 'isfinite', 'isposinf', 'isneginf', 'logicalNot'] as const;

export type SameUnaryName = (typeof SAME_DTYPE_UNARY)[number];
export type FloatUnaryName = (typeof FLOAT_UNARY)[number];
export type BoolUnaryName = (typeof BOOL_UNARY)[number];
/** Every simple (parameterless) unary primitive. */
export type SimpleUnaryName = SameUnaryName | FloatUnaryName | BoolUnaryName | 'real' | 'imag';

type SimpleParams = { [K in SimpleUnaryName]: NoParams };

declare module '../primitive.js' {
  interface PrimitiveParams extends SimpleParams {
    /** Round half to even at `decimals` decimal places. */
    round: { decimals: number };
    /** Replace NaN and infinities (null bounds mean the dtype's largest finite values). */
    nanToNum: { nan: number; posinf: number | null; neginf: number | null };
  }
}

const realOf = (d: Dtype): Dtype => (d === dt.complex64 ? dt.float32 : d);

const rules: Record<string, PrimitiveDef<never>> = {};
for (const n of SAME_DTYPE_UNARY) {
  rules[n] = { outputs: ([x]) => single(x!.shape, n === 'abs' ? realOf(x!.dtype) : x!.dtype) };
}
for (const n of FLOAT_UNARY) rules[n] = { outputs: ([x]) => single(x!.shape, dt.atLeastFloat(x!.dtype)) };
for (const n of BOOL_UNARY) rules[n] = { outputs: ([x]) => single(x!.shape, dt.bool) };
rules.real = { outputs: ([x]) => single(x!.shape, realOf(x!.dtype)) };
rules.imag = { outputs: ([x]) => single(x!.shape, realOf(x!.dtype)) };
rules.round = { outputs: ([x]) => single(x!.shape, x!.dtype) };
rules.nanToNum = { outputs: ([x]) => single(x!.shape, x!.dtype) };

definePrimitives(rules as unknown as PrimitiveTable<SimpleUnaryName | 'round' | 'nanToNum'>);
