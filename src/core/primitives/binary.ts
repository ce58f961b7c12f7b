/**
 * @file Binary elementwise primitives. Inputs arrive in one common dtype (the op promotes and casts) and broadcast
 * against each other: the kernels read broadcast inputs through zero strides, so no broadcast node is built. Each
 * smooth op gives its two partial tangent maps (`t -> d out/d a * t`, `t -> d out/d b * t`); rules-elementwise.ts
 * builds the vjp (reducing cotangents over broadcast axes), the jvp and the vmap from them.
 */
import * as dt from '../dtype.js';
import { broadcastShapes, shapesEqual } from '../shape.js';
import { bind, type MxArray } from '../array.js';
import type { Stream } from '../device.js';
import { definePrimitives, single, type OutSpec, type PrimitiveTable } from '../primitive.js';
import type { NoParams } from './unary.js';
import {
  add, divide, equal, greater, greaterEqual, less, lessEqual, logicalAnd, logicalOr, multiply, power, subtract,
} from '../ops/binary.js';
import { floor, isnan, log, negative, sigmoid, square } from '../ops/unary.js';
import { where } from '../ops/ternary.js';
import { all } from '../ops/reduce.js';
import {
  alignBatch, nonDifferentiable, smoothBinary, type Rules,
} from '../transforms/rules-elementwise.js';

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

type Out = (xs: readonly MxArray[]) => OutSpec[];
// equal shapes or a 0-d operand (the usual case) skip the general broadcast
const bshape = (xs: readonly { shape: readonly number[] }[]): number[] => {
  if (xs.length === 2) {
    const a = xs[0]!.shape, b = xs[1]!.shape;
    if (b.length === 0 || a === b || shapesEqual(a, b)) return a.slice();
    if (a.length === 0) return b.slice();
  }
  return broadcastShapes(xs.map((x) => x.shape));
};
const arith: Out = (xs) => single(bshape(xs), xs[0]!.dtype);
const pred: Out = (xs) => single(bshape(xs), dt.bool);

type Name = SimpleBinaryName | 'divmod' | 'isclose' | 'allclose' | 'arrayEqual';
const smooth = (name: Name, da: Parameters<typeof smoothBinary>[1], db: Parameters<typeof smoothBinary>[2]) =>
  ({ outputs: arith, ...smoothBinary(name, da, db) });
const flat = (name: Name, outputs: Out) => ({ outputs, ...nonDifferentiable(name) });

/**
 * vmap of a whole-array test (allclose, arrayEqual): the elementwise test on the aligned batch, then `all` over
 * every axis but the batch axis, so each example gets its own answer.
 */
function reduceAllVmap<P>(name: Name, test: (a: MxArray, b: MxArray, p: P, stream: Stream) => MxArray): NonNullable<Rules['vmap']> {
  return (xs, axes, params, stream) => {
    if (axes.every((a) => a === null)) return [[bind(name as 'allclose', xs, params as never, stream)], [null]];
    const [a, b] = alignBatch(xs, axes, stream);
    const eq = test(a!, b!, params as P, stream);
    const rest = eq.shape.map((_, k) => k).slice(1);
    return [[rest.length ? all(eq, rest, { stream }) : eq], [0]];
  };
}

const table: Record<Name, { outputs: Out } & Rules> = {
  // d(a + b) = da + db
  add: smooth('add', (t) => t, (t) => t),
  // d(a - b) = da - db
  subtract: smooth('subtract', (t) => t, (t, _a, _b, _y, o) => negative(t, o)),
  // d(ab) = b da + a db
  multiply: smooth('multiply', (t, _a, b, _y, o) => multiply(t, b, o), (t, a, _b, _y, o) => multiply(t, a, o)),
  // d(a/b) = da / b - a db / b^2
  divide: smooth('divide', (t, _a, b, _y, o) => divide(t, b, o),
    (t, a, b, _y, o) => negative(divide(multiply(t, a, o), square(b, o), o), o)),
  floorDivide: flat('floorDivide', arith),
  // a mod b = a - floor(a/b) b: d = da - floor(a/b) db (MLX)
  remainder: smooth('remainder', (t) => t, (t, a, b, _y, o) => negative(multiply(floor(divide(a, b, o), o), t, o), o)),
  // d a^b = b a^(b-1) da + log(a) a^b db; the db term is 0 where a^b is 0 (MLX: 0 log 0 -> 0)
  power: smooth('power', (t, a, b, _y, o) => multiply(t, multiply(power(a, subtract(b, 1, o), o), b, o), o),
    (t, a, _b, y, o) => multiply(t, where(y, multiply(log(a, o), y, o), 0, o), o)),
  // the larger input takes the gradient; ties go to b (MLX)
  maximum: smooth('maximum', (t, a, b, _y, o) => where(greater(a, b, o), t, 0, o),
    (t, a, b, _y, o) => where(lessEqual(a, b, o), t, 0, o)),
  // the smaller input takes the gradient; ties go to b (MLX)
  minimum: smooth('minimum', (t, a, b, _y, o) => where(less(a, b, o), t, 0, o),
    (t, a, b, _y, o) => where(greaterEqual(a, b, o), t, 0, o)),
  // d atan2(a, b) = (b da - a db) / (a^2 + b^2)
  arctan2: smooth('arctan2', (t, a, b, _y, o) => divide(multiply(t, b, o), add(square(a, o), square(b, o), o), o),
    (t, a, b, _y, o) => negative(divide(multiply(t, a, o), add(square(a, o), square(b, o), o), o), o)),
  // d log(e^a + e^b) = s da + (1 - s) db with s = sigmoid(a - b) (MLX)
  logaddexp: smooth('logaddexp', (t, a, b, _y, o) => multiply(t, sigmoid(subtract(a, b, o), o), o),
    (t, a, b, _y, o) => multiply(t, subtract(1, sigmoid(subtract(a, b, o), o), o), o)),
  bitwiseAnd: flat('bitwiseAnd', arith),
  bitwiseOr: flat('bitwiseOr', arith),
  bitwiseXor: flat('bitwiseXor', arith),
  leftShift: flat('leftShift', arith),
  rightShift: flat('rightShift', arith),
  equal: flat('equal', pred),
  notEqual: flat('notEqual', pred),
  greater: flat('greater', pred),
  greaterEqual: flat('greaterEqual', pred),
  less: flat('less', pred),
  lessEqual: flat('lessEqual', pred),
  logicalAnd: flat('logicalAnd', pred),
  logicalOr: flat('logicalOr', pred),
  // floor quotient and remainder: zero gradients for both outputs (MLX)
  divmod: flat('divmod', (xs) => { const s = bshape(xs); return [{ shape: s, dtype: xs[0]!.dtype }, { shape: s, dtype: xs[0]!.dtype }]; }),
  isclose: flat('isclose', pred),
  allclose: {
    ...flat('allclose', () => single([], dt.bool)),
    vmap: reduceAllVmap<CloseParams>('allclose', (a, b, p, stream) => bind('isclose', [a, b], p, stream)),
  },
  arrayEqual: {
    ...flat('arrayEqual', () => single([], dt.bool)),
    // equal values, or NaN on both sides when equalNan
    vmap: reduceAllVmap<{ equalNan: boolean }>('arrayEqual', (a, b, p, stream) => {
      const o = { stream };
      const eq = equal(a, b, o);
      return p.equalNan ? logicalOr(eq, logicalAnd(isnan(a, o), isnan(b, o), o), o) : eq;
    }),
  },
};

definePrimitives(table as unknown as PrimitiveTable<Name>);
