/**
 * @file Binary elementwise ops (add, divide, comparisons, bitwise, isclose, ...) and their array methods, with
 * MLX's type promotion: JS numbers are weak scalars, `divide` and the transcendental ops compute in a float type,
 * comparisons give bool, logical ops cast to bool, bitwise ops need integers or bools.
 */
import { MxArray, bind, bindMulti, isArray, type ArrayLike } from '../array.js';
import * as dt from '../dtype.js';
import type { Dtype } from '../dtype.js';
import { toStream, type Stream, type StreamOpt } from '../device.js';
import { broadcastShapes, fmtShape, shapesEqual } from '../shape.js';
import { asArray } from '../construct.js';
import { optArgs } from './args.js';
import { NO_PARAMS, toArrayAs, typedOf } from './elementwise-util.js';
import type { SimpleBinaryName } from '../primitives/binary.js';
import '../primitives/binary.js';

type Kind = 'arith' | 'float' | 'real' | 'realFloat' | 'cmp' | 'logical' | 'bitwise' | 'shift';

const shapeOf = (x: ArrayLike): readonly number[] => (isArray(x) ? x.shape : []);

/** Checks broadcasting and promotes; returns the two inputs in the compute dtype. */
function prepare(kind: Kind, api: string, a: ArrayLike, b: ArrayLike, s: Stream): [MxArray, MxArray] {
  let d = commonType(a, b) ?? dt.resultType(typedOf(a, api), typedOf(b, api));
  if (!sameOrScalarShapes(a, b)) broadcastShapes([shapeOf(a), shapeOf(b)], api);
  switch (kind) {
    case 'float': d = dt.atLeastFloat(d); break;
    case 'real': case 'realFloat':
      if (d === dt.complex64) throw new TypeError(`[${api}] Not supported for complex64 inputs.`);
      if (kind === 'realFloat') d = dt.atLeastFloat(d);
      break;
    case 'logical': d = dt.bool; break;
    case 'bitwise': case 'shift':
      if (dt.isInexact(d)) {
        throw new TypeError(`[${api}] Bitwise ops need integer or bool inputs, got ${describe(a)} and ${describe(b)}.`);
      }
      if (kind === 'shift' && d === dt.bool) d = dt.uint8;
      break;
    default: break;
  }
  return [toArrayAs(a, d, api, s), toArrayAs(b, d, api, s)];
}

/**
 * `resultType` for the common cases of an op called per token (two arrays of one dtype, an array and a JS
 * number), without its argument list; null for everything else.
 */
function commonType(a: ArrayLike, b: ArrayLike): Dtype | null {
  if (a instanceof MxArray) {
    if (b instanceof MxArray) return a.dtype === b.dtype ? a.dtype : null;
    if (typeof b === 'number') return weakNumberType(a.dtype, b);
  } else if (typeof a === 'number' && b instanceof MxArray) {
    return weakNumberType(b.dtype, a);
  }
  return null;
}

/** The dtype of an array of dtype `strong` combined with the weak scalar `x` (as `resultType`). */
function weakNumberType(strong: Dtype, x: number): Dtype {
  if (Number.isInteger(x)) return strong === dt.bool ? dt.int32 : strong;
  return dt.isInexact(strong) ? strong : dt.float32;
}

/** Whether the two operands broadcast trivially (a scalar, or equal shapes), so no check is needed. */
function sameOrScalarShapes(a: ArrayLike, b: ArrayLike): boolean {
  if (!(a instanceof MxArray) || !(b instanceof MxArray)) return true;
  return a.shape === b.shape || shapesEqual(a.shape, b.shape);
}

function describe(x: ArrayLike): string {
  return isArray(x) ? `${x.dtype.name} ${fmtShape(x.shape)}` : `${typeof x} ${String(x)}`;
}

function binary(name: SimpleBinaryName, kind: Kind, a: ArrayLike, b: ArrayLike, opts: StreamOpt, api: string = name): MxArray {
  const s = toStream(opts.stream, api);
  // prepare's fresh pair serves as the node's input list
  return bind(name, prepare(kind, api, a, b, s), NO_PARAMS, s);
}

/** `a + b` with broadcasting. @example `mx.add(mx.array([1, 2]), 1)` → `[2, 3]` */
export function add(a: ArrayLike, b: ArrayLike, opts: StreamOpt = {}): MxArray { return binary('add', 'arith', a, b, opts); }
/** `a - b`. @example `mx.subtract(mx.array([3]), 1)` → `[2]` */
export function subtract(a: ArrayLike, b: ArrayLike, opts: StreamOpt = {}): MxArray { return binary('subtract', 'arith', a, b, opts); }
/** `a * b` (integers wrap around). @example `mx.multiply(mx.array([2]), 3)` → `[6]` */
export function multiply(a: ArrayLike, b: ArrayLike, opts: StreamOpt = {}): MxArray { return binary('multiply', 'arith', a, b, opts); }
/** True division; integers give float32. @example `mx.divide(mx.array([1]), 2)` → `[0.5]` */
export function divide(a: ArrayLike, b: ArrayLike, opts: StreamOpt = {}): MxArray { return binary('divide', 'float', a, b, opts); }
/** Floor division (Python semantics, also for integers; integer division by zero gives 0). @example `mx.floorDivide(mx.array([-7]), 2)` → `[-4]` */
export function floorDivide(a: ArrayLike, b: ArrayLike, opts: StreamOpt = {}): MxArray { return binary('floorDivide', 'real', a, b, opts); }
/** Remainder with the divisor's sign (Python `%`). @example `mx.remainder(mx.array([-7]), 2)` → `[1]` */
export function remainder(a: ArrayLike, b: ArrayLike, opts: StreamOpt = {}): MxArray { return binary('remainder', 'real', a, b, opts); }
/** `a ** b`; integers stay integers (a negative integer exponent gives 0, as MLX). @example `mx.power(mx.array([2]), 10)` → `[1024]` */
export function power(a: ArrayLike, b: ArrayLike, opts: StreamOpt = {}): MxArray { return binary('power', 'arith', a, b, opts); }
/** Elementwise maximum (NaN propagates). @example `mx.maximum(mx.array([1, 5]), 3)` → `[3, 5]` */
export function maximum(a: ArrayLike, b: ArrayLike, opts: StreamOpt = {}): MxArray { return binary('maximum', 'arith', a, b, opts); }
/** Elementwise minimum (NaN propagates). @example `mx.minimum(mx.array([1, 5]), 3)` → `[1, 3]` */
export function minimum(a: ArrayLike, b: ArrayLike, opts: StreamOpt = {}): MxArray { return binary('minimum', 'arith', a, b, opts); }
/** Angle of the point (b, a): `atan2(a, b)`. @example `mx.arctan2(mx.array([1]), 1)` → `[π/4]` */
export function arctan2(a: ArrayLike, b: ArrayLike, opts: StreamOpt = {}): MxArray { return binary('arctan2', 'realFloat', a, b, opts); }
/** `log(e^a + e^b)` without overflow. @example `mx.logaddexp(mx.array([0]), 0)` → `[ln 2]` */
export function logaddexp(a: ArrayLike, b: ArrayLike, opts: StreamOpt = {}): MxArray { return binary('logaddexp', 'realFloat', a, b, opts); }
/** `a == b` (bool). @example `mx.equal(mx.array([1, 2]), 2)` → `[false, true]` */
export function equal(a: ArrayLike, b: ArrayLike, opts: StreamOpt = {}): MxArray { return binary('equal', 'cmp', a, b, opts); }
/** `a != b` (bool). @example `mx.notEqual(mx.array([1, 2]), 2)` → `[true, false]` */
export function notEqual(a: ArrayLike, b: ArrayLike, opts: StreamOpt = {}): MxArray { return binary('notEqual', 'cmp', a, b, opts); }
/** `a > b` (bool). @example `mx.greater(mx.array([1, 3]), 2)` → `[false, true]` */
export function greater(a: ArrayLike, b: ArrayLike, opts: StreamOpt = {}): MxArray { return binary('greater', 'cmp', a, b, opts); }
/** `a >= b` (bool). @example `mx.greaterEqual(mx.array([2]), 2)` → `[true]` */
export function greaterEqual(a: ArrayLike, b: ArrayLike, opts: StreamOpt = {}): MxArray { return binary('greaterEqual', 'cmp', a, b, opts); }
/** `a < b` (bool). @example `mx.less(mx.array([1, 3]), 2)` → `[true, false]` */
export function less(a: ArrayLike, b: ArrayLike, opts: StreamOpt = {}): MxArray { return binary('less', 'cmp', a, b, opts); }
/** `a <= b` (bool). @example `mx.lessEqual(mx.array([2]), 2)` → `[true]` */
export function lessEqual(a: ArrayLike, b: ArrayLike, opts: StreamOpt = {}): MxArray { return binary('lessEqual', 'cmp', a, b, opts); }
/** Logical and of the truth values. @example `mx.logicalAnd(mx.array([1, 0]), true)` → `[true, false]` */
export function logicalAnd(a: ArrayLike, b: ArrayLike, opts: StreamOpt = {}): MxArray { return binary('logicalAnd', 'logical', a, b, opts); }
/** Logical or of the truth values. @example `mx.logicalOr(mx.array([1, 0]), false)` → `[true, false]` */
export function logicalOr(a: ArrayLike, b: ArrayLike, opts: StreamOpt = {}): MxArray { return binary('logicalOr', 'logical', a, b, opts); }
/** Logical xor of the truth values. @example `mx.logicalXor(mx.array([1, 0]), true)` → `[false, true]` */
export function logicalXor(a: ArrayLike, b: ArrayLike, opts: StreamOpt = {}): MxArray { return binary('notEqual', 'logical', a, b, opts, 'logicalXor'); }
/** Bitwise and (integers, bools). @example `mx.bitwiseAnd(mx.array([6]), 3)` → `[2]` */
export function bitwiseAnd(a: ArrayLike, b: ArrayLike, opts: StreamOpt = {}): MxArray { return binary('bitwiseAnd', 'bitwise', a, b, opts); }
/** Bitwise or (integers, bools). @example `mx.bitwiseOr(mx.array([6]), 3)` → `[7]` */
export function bitwiseOr(a: ArrayLike, b: ArrayLike, opts: StreamOpt = {}): MxArray { return binary('bitwiseOr', 'bitwise', a, b, opts); }
/** Bitwise xor (integers, bools). @example `mx.bitwiseXor(mx.array([6]), 3)` → `[5]` */
export function bitwiseXor(a: ArrayLike, b: ArrayLike, opts: StreamOpt = {}): MxArray { return binary('bitwiseXor', 'bitwise', a, b, opts); }
/** `a << b` (shifts past the width give 0). @example `mx.leftShift(mx.array([1]), 4)` → `[16]` */
export function leftShift(a: ArrayLike, b: ArrayLike, opts: StreamOpt = {}): MxArray { return binary('leftShift', 'shift', a, b, opts); }
/** `a >> b`, arithmetic for signed types. @example `mx.rightShift(mx.array([-16]), 2)` → `[-4]` */
export function rightShift(a: ArrayLike, b: ArrayLike, opts: StreamOpt = {}): MxArray { return binary('rightShift', 'shift', a, b, opts); }

/**
 * Floor quotient and remainder at once.
 *
 * @example
 * ```ts
 * const [q, r] = mx.divmod(mx.array([7, -7]), 2); // [3, -4], [1, 1]
 * ```
 */
export function divmod(a: ArrayLike, b: ArrayLike, opts: StreamOpt = {}): [MxArray, MxArray] {
  const s = toStream(opts.stream, 'divmod');
  const [x, y] = prepare('real', 'divmod', a, b, s);
  const [q, r] = bindMulti('divmod', [x, y], NO_PARAMS, s);
  return [q!, r!];
}

/** Options of `isclose` and `allclose`. */
export interface CloseOpts extends StreamOpt { rtol?: number; atol?: number; equalNan?: boolean }
type CloseRest = [number?, number?, boolean?, CloseOpts?] | [number, number, CloseOpts] | [number, CloseOpts] | [CloseOpts];

function closeArgs(api: string, a: ArrayLike, b: ArrayLike, rest: readonly unknown[]): { x: MxArray; y: MxArray; s: Stream; p: { rtol: number; atol: number; equalNan: boolean } } {
  const o = optArgs<CloseOpts>(['rtol', 'atol', 'equalNan'], rest, api);
  const s = toStream(o.stream, api);
  const [x, y] = prepare('arith', api, a, b, s);
  return { x, y, s, p: { rtol: o.rtol ?? 1e-5, atol: o.atol ?? 1e-8, equalNan: o.equalNan ?? false } };
}

/**
 * Whether `|a - b| <= atol + rtol * |b|` elementwise (infinities close only to themselves; NaNs only with `equalNan`).
 *
 * @example
 * ```ts
 * mx.isclose(mx.array([1, 2]), mx.array([1.000001, 2.1])); // [true, false]
 * ```
 */
export function isclose(a: ArrayLike, b: ArrayLike, ...rest: CloseRest): MxArray {
  const { x, y, s, p } = closeArgs('isclose', a, b, rest);
  return bind('isclose', [x, y], p, s);
}

/**
 * Whether `isclose` holds for every element: a 0-d bool array.
 *
 * @example
 * ```ts
 * await mx.allclose(a, b, { atol: 1e-6 }).item(); // true
 * ```
 */
export function allclose(a: ArrayLike, b: ArrayLike, ...rest: CloseRest): MxArray {
  const { x, y, s, p } = closeArgs('allclose', a, b, rest);
  return bind('allclose', [x, y], p, s);
}

/** Options of `arrayEqual`. */
export interface ArrayEqualOpts extends StreamOpt { equalNan?: boolean }
/**
 * Whether two arrays have the same shape and equal values (dtypes may differ): a 0-d bool array.
 *
 * @example
 * ```ts
 * await mx.arrayEqual(mx.array([1, 2]), mx.array([1, 2], mx.float32)).item(); // true
 * ```
 */
export function arrayEqual(a: ArrayLike, b: ArrayLike, ...rest: [boolean?, ArrayEqualOpts?] | [ArrayEqualOpts]): MxArray {
  const o = optArgs<ArrayEqualOpts>(['equalNan'], rest, 'arrayEqual');
  const s = toStream(o.stream, 'arrayEqual');
  if (!shapesEqual(shapeOf(a), shapeOf(b))) {
    typedOf(a, 'arrayEqual'); typedOf(b, 'arrayEqual');
    return asArray(false, dt.bool, s);
  }
  const d: Dtype = dt.resultType(typedOf(a, 'arrayEqual'), typedOf(b, 'arrayEqual'));
  const x = toArrayAs(a, d, 'arrayEqual', s), y = toArrayAs(b, d, 'arrayEqual', s);
  return bind('arrayEqual', [x, y], { equalNan: o.equalNan ?? false }, s);
}

type B = (b: ArrayLike, opts?: StreamOpt) => MxArray;
declare module '../array.js' {
  interface MxArray {
    /** @see add */ add: B;
    /** @see subtract */ subtract: B;
    /** @see multiply */ multiply: B;
    /** @see divide */ divide: B;
    /** @see maximum */ maximum: B;
    /** @see minimum */ minimum: B;
    /** @see power */ power: B;
    /** Short for `subtract`. */ sub: B;
    /** Short for `multiply`. */ mul: B;
    /** Short for `divide`. */ div: B;
    /** Short for `power`. */ pow: B;
    /** Short for `remainder` (Python `%`). */ mod: B;
    /** Short for `equal`. */ eq: B;
    /** Short for `notEqual`. */ ne: B;
    /** Short for `less`. */ lt: B;
    /** Short for `lessEqual`. */ le: B;
    /** Short for `greater`. */ gt: B;
    /** Short for `greaterEqual`. */ ge: B;
  }
}
const methods: Record<string, (a: ArrayLike, b: ArrayLike, opts?: StreamOpt) => MxArray> = {
  add, subtract, multiply, divide, maximum, minimum, power, sub: subtract, mul: multiply, div: divide, pow: power,
  mod: remainder, eq: equal, ne: notEqual, lt: less, le: lessEqual, gt: greater, ge: greaterEqual,
};
for (const [k, f] of Object.entries(methods)) {
  Object.defineProperty(MxArray.prototype, k, {
    value: function (this: MxArray, b: ArrayLike, opts?: StreamOpt) { return f(this, b, opts); }, writable: true, configurable: true,
  });
}
