/**
 * @file Binary elementwise primitives. Inputs arrive in one common dtype (the op promotes and casts) and broadcast
 * against each other: the kernels read broadcast inputs through zero strides, so no broadcast node is built.
 */
import * as dt from '../dtype.js';
import { broadcastShapes } from '../shape.js';
import { definePrimitives, single, type PrimitiveDef, type PrimitiveTable } from '../primitive.js';
import type { NoParams } from './unary.js';

/** Binary primitives whose output has the inputs' dtype. */
export const ARITH_BINARY = [
  'add', 'subtract', 'multiply', 'divide', 'floorDivide', 'remainder', 'power', 'maximum', 'minimum', 'arctan2',
  'logaddexp', 'bitwiseAnd', 'bitwiseOr', 'bitwiseXor', 'leftShift', 'rightShift',
] as const;
/** Binary predicates: bool output. */
export const BOOL_BINARY = [
  'equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual', 'logicalAnd', 'logicalOr',
] as const;

export type ArithBinaryName = (typeof ARITH_BINARY)[number];
export type BoolBinaryName = (typeof BOOL_BINARY)[number];
export type SimpleBinaryName = ArithBinaryName | BoolBinaryName;

type SimpleParams = { [K in SimpleBinaryName]: NoParams };

/** Params of the closeness test (`isclose`, and `allclose` which reduces it to one bool). */
export interface CloseParams { rtol: number; atol: number; equalNan: boolean }

declare module '../primitive.js' {
  interface PrimitiveParams extends SimpleParams {
    /** Floor quotient and floor remainder, two outputs. */
    divmod: NoParams;
    /** `|a - b| <= atol + rtol * |b|`, elementwise. */
    isclose: CloseParams;
    /** Whether `isclose` holds everywhere: a 0-d bool. */
    allclose: CloseParams;
    /** Whether two same-shape arrays hold equal values: a 0-d bool. */
    arrayEqual: { equalNan: boolean };
  }
}

const bshape = (xs: readonly { shape: readonly number[] }[]): number[] => broadcastShapes(xs.map((x) => x.shape));

const rules: Record<string, PrimitiveDef<never>> = {};
for (const n of ARITH_BINARY) rules[n] = { outputs: (xs) => single(bshape(xs), xs[0]!.dtype) };
for (const n of BOOL_BINARY) rules[n] = { outputs: (xs) => single(bshape(xs), dt.bool) };
rules.divmod = { outputs: (xs) => { const s = bshape(xs); return [{ shape: s, dtype: xs[0]!.dtype }, { shape: s, dtype: xs[0]!.dtype }]; } };
rules.isclose = { outputs: (xs) => single(bshape(xs), dt.bool) };
rules.allclose = { outputs: () => single([], dt.bool) };
rules.arrayEqual = { outputs: () => single([], dt.bool) };

definePrimitives(rules as unknown as PrimitiveTable<SimpleBinaryName | 'divmod' | 'isclose' | 'allclose' | 'arrayEqual'>);
