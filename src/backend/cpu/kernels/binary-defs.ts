/**
 * @file Scalar definitions of the binary ops per storage class, plus literal contiguous loops for the hot ones
 * (array-array, array-scalar and scalar-array), so V8 inlines the arithmetic instead of calling a shared closure.
 */
import type { Dtype } from '../../../core/dtype.js';
import * as dt from '../../../core/dtype.js';
import * as m from './elementwise-math.js';
import { halfToFloat, floatToHalf, bf16ToFloat, floatToBf16 } from '../../../core/half.js';

type F = Float64Array;
/** Hand-written contiguous loops; they work on any plain-number typed array (float32/64, ints up to 32 bits). */
export interface FastBinary {
  vv: (a: F, ao: number, b: F, bo: number, o: F, n: number) => void;
  vs: (a: F, ao: number, s: number, o: F, n: number) => void;
  sv: (s: number, b: F, bo: number, o: F, n: number) => void;
}

export type NumFn2 = (a: number, b: number) => number;

/** How one binary op computes per storage class. The op has already rejected unsupported dtypes. */
export interface BinaryDef {
  /** On JS numbers: floats (and small ints, unless `int`/`intFor` is given). */
  num?: NumFn2;
  /** Integer inputs of up to 32 bits (exact wrap-around, Python floor semantics, ...). */
  int?: NumFn2;
  /** Integer override that depends on the dtype (shift widths, signedness). */
  intFor?: (d: Dtype) => NumFn2;
  /** Float override that depends on the dtype (rounding an intermediate to it, as MLX computes in the dtype). */
  floatFor?: (d: Dtype) => NumFn2;
  /** bool inputs. */
  bool?: NumFn2;
  /** int64/uint64; bigint results are wrapped to the dtype, numbers are 0/1 predicates. */
  big?: (a: bigint, b: bigint) => bigint | number;
  /** complex to complex. */
  cplx?: (a: number, b: number, c: number, d: number, o: F) => void;
  /** complex to bool. */
  cplxPred?: (a: number, b: number, c: number, d: number) => number;
  /** Output is 0/1. */
  pred?: boolean;
  fast?: FastBinary;
  /** The fast loops are also exact for integers (add, compare, ...), not just floats. */
  fastInts?: boolean;
}

/** Rounds a double to the precision of a float dtype (MLX computes intermediates in the array's dtype). */
export function roundTo(d: Dtype): (v: number) => number {
  if (d === dt.float16) return (v) => halfToFloat(floatToHalf(v));
  if (d === dt.bfloat16) return (v) => bf16ToFloat(floatToBf16(v));
  if (d === dt.float32) return Math.fround;
  return (v) => v;
}

// lexicographic order of complex numbers (NumPy's, and MLX's operator<)
const cless = (a: number, b: number, c: number, d: number): boolean => a < c || (a === c && b < d);
const cgreater = (a: number, b: number, c: number, d: number): boolean => a > c || (a === c && b > d);

/** C's pow where it differs from Math.pow: 1^y = 1 and (-1)^±inf = 1. */
function powF(a: number, b: number): number {
  if (a === 1 || b === 0) return 1;
  if (a === -1 && (b === Infinity || b === -Infinity)) return 1;
  return Math.pow(a, b);
}

function logaddexp(a: number, b: number): number {
  if (a === b) return a + Math.LN2;
  const mx = Math.max(a, b);
  return mx + Math.log1p(Math.exp(-Math.abs(a - b)));
}

const pick = (a: number, b: number, take: boolean, o: F, c: number, d: number): void => {
  if (take) { o[0] = a; o[1] = b; } else { o[0] = c; o[1] = d; }
};

export const BINARY_DEFS: Record<string, BinaryDef> = {
  add: {
    num: (a, b) => a + b, bool: (a, b) => a | b, big: (a, b) => a + b, fastInts: true,
    cplx: (a, b, c, d, o) => { o[0] = a + c; o[1] = b + d; },
    fast: {
      vv: (a, ao, b, bo, o, n) => { for (let k = 0; k < n; k++) o[k] = a[ao + k]! + b[bo + k]!; },
      vs: (a, ao, s, o, n) => { for (let k = 0; k < n; k++) o[k] = a[ao + k]! + s; },
      sv: (s, b, bo, o, n) => { for (let k = 0; k < n; k++) o[k] = s + b[bo + k]!; },
    },
  },
  subtract: {
    num: (a, b) => a - b, bool: (a, b) => a ^ b, big: (a, b) => a - b, fastInts: true,
    cplx: (a, b, c, d, o) => { o[0] = a - c; o[1] = b - d; },
    fast: {
      vv: (a, ao, b, bo, o, n) => { for (let k = 0; k < n; k++) o[k] = a[ao + k]! - b[bo + k]!; },
      vs: (a, ao, s, o, n) => { for (let k = 0; k < n; k++) o[k] = a[ao + k]! - s; },
      sv: (s, b, bo, o, n) => { for (let k = 0; k < n; k++) o[k] = s - b[bo + k]!; },
    },
  },
  multiply: {
    num: (a, b) => a * b, int: Math.imul, bool: (a, b) => a & b, big: (a, b) => a * b,
    cplx: (a, b, c, d, o) => { o[0] = a * c - b * d; o[1] = a * d + b * c; },
    fast: {
      vv: (a, ao, b, bo, o, n) => { for (let k = 0; k < n; k++) o[k] = a[ao + k]! * b[bo + k]!; },
      vs: (a, ao, s, o, n) => { for (let k = 0; k < n; k++) o[k] = a[ao + k]! * s; },
      sv: (s, b, bo, o, n) => { for (let k = 0; k < n; k++) o[k] = s * b[bo + k]!; },
    },
  },
  divide: {
    num: (a, b) => a / b, cplx: m.cdiv,
    fast: {
      vv: (a, ao, b, bo, o, n) => { for (let k = 0; k < n; k++) o[k] = a[ao + k]! / b[bo + k]!; },
      vs: (a, ao, s, o, n) => { for (let k = 0; k < n; k++) o[k] = a[ao + k]! / s; },
      sv: (s, b, bo, o, n) => { for (let k = 0; k < n; k++) o[k] = s / b[bo + k]!; },
    },
  },
  floorDivide: { num: (a, b) => Math.floor(a / b), floatFor: (d) => { const c = roundTo(d); return (a, b) => Math.floor(c(a / b)); }, int: m.floorDivInt, bool: m.floorDivInt, big: m.floorDivBig },
  remainder: { num: m.remFloat, int: m.remInt, bool: m.remInt, big: m.remBig },
  power: {
    num: powF, int: m.powInt, bool: (a, b) => (b === 0 ? 1 : a), cplx: m.cpow,
    big: (a, b) => m.powBig(a, b, (v) => BigInt.asIntN(64, v)),
  },
  maximum: {
    num: (a, b) => (a > b || a !== a ? a : b), big: (a, b) => (a > b ? a : b), fastInts: true,
    cplx: (a, b, c, d, o) => pick(a, b, a !== a || b !== b || !cless(a, b, c, d), o, c, d),
    fast: {
      vv: (a, ao, b, bo, o, n) => { for (let k = 0; k < n; k++) { const x = a[ao + k]!, y = b[bo + k]!; o[k] = x > y || x !== x ? x : y; } },
      vs: (a, ao, s, o, n) => { for (let k = 0; k < n; k++) { const x = a[ao + k]!; o[k] = x > s || x !== x ? x : s; } },
      sv: (s, b, bo, o, n) => { for (let k = 0; k < n; k++) { const y = b[bo + k]!; o[k] = s > y || s !== s ? s : y; } },
    },
  },
  minimum: {
    num: (a, b) => (a < b || a !== a ? a : b), big: (a, b) => (a < b ? a : b), fastInts: true,
    cplx: (a, b, c, d, o) => pick(a, b, a !== a || b !== b || !cgreater(a, b, c, d), o, c, d),
    fast: {
      vv: (a, ao, b, bo, o, n) => { for (let k = 0; k < n; k++) { const x = a[ao + k]!, y = b[bo + k]!; o[k] = x < y || x !== x ? x : y; } },
      vs: (a, ao, s, o, n) => { for (let k = 0; k < n; k++) { const x = a[ao + k]!; o[k] = x < s || x !== x ? x : s; } },
      sv: (s, b, bo, o, n) => { for (let k = 0; k < n; k++) { const y = b[bo + k]!; o[k] = s < y || s !== s ? s : y; } },
    },
  },
  arctan2: { num: Math.atan2 },
  logaddexp: { num: logaddexp },

  equal: {
    pred: true, fastInts: true, num: (a, b) => (a === b ? 1 : 0), big: (a, b) => (a === b ? 1 : 0),
    cplxPred: (a, b, c, d) => (a === c && b === d ? 1 : 0),
    fast: {
      vv: (a, ao, b, bo, o, n) => { for (let k = 0; k < n; k++) o[k] = a[ao + k] === b[bo + k] ? 1 : 0; },
      vs: (a, ao, s, o, n) => { for (let k = 0; k < n; k++) o[k] = a[ao + k] === s ? 1 : 0; },
      sv: (s, b, bo, o, n) => { for (let k = 0; k < n; k++) o[k] = s === b[bo + k] ? 1 : 0; },
    },
  },
  notEqual: {
    pred: true, fastInts: true, num: (a, b) => (a !== b ? 1 : 0), big: (a, b) => (a !== b ? 1 : 0),
    cplxPred: (a, b, c, d) => (a !== c || b !== d ? 1 : 0),
    fast: {
      vv: (a, ao, b, bo, o, n) => { for (let k = 0; k < n; k++) o[k] = a[ao + k] !== b[bo + k] ? 1 : 0; },
      vs: (a, ao, s, o, n) => { for (let k = 0; k < n; k++) o[k] = a[ao + k] !== s ? 1 : 0; },
      sv: (s, b, bo, o, n) => { for (let k = 0; k < n; k++) o[k] = s !== b[bo + k] ? 1 : 0; },
    },
  },
  greater: {
    pred: true, fastInts: true, num: (a, b) => (a > b ? 1 : 0), big: (a, b) => (a > b ? 1 : 0),
    cplxPred: (a, b, c, d) => (cgreater(a, b, c, d) ? 1 : 0),
    fast: {
      vv: (a, ao, b, bo, o, n) => { for (let k = 0; k < n; k++) o[k] = a[ao + k]! > b[bo + k]! ? 1 : 0; },
      vs: (a, ao, s, o, n) => { for (let k = 0; k < n; k++) o[k] = a[ao + k]! > s ? 1 : 0; },
      sv: (s, b, bo, o, n) => { for (let k = 0; k < n; k++) o[k] = s > b[bo + k]! ? 1 : 0; },
    },
  },
  greaterEqual: {
    pred: true, fastInts: true, num: (a, b) => (a >= b ? 1 : 0), big: (a, b) => (a >= b ? 1 : 0),
    cplxPred: (a, b, c, d) => (cless(a, b, c, d) || a !== a || b !== b || c !== c || d !== d ? 0 : 1),
    fast: {
      vv: (a, ao, b, bo, o, n) => { for (let k = 0; k < n; k++) o[k] = a[ao + k]! >= b[bo + k]! ? 1 : 0; },
      vs: (a, ao, s, o, n) => { for (let k = 0; k < n; k++) o[k] = a[ao + k]! >= s ? 1 : 0; },
      sv: (s, b, bo, o, n) => { for (let k = 0; k < n; k++) o[k] = s >= b[bo + k]! ? 1 : 0; },
    },
  },
  less: {
    pred: true, fastInts: true, num: (a, b) => (a < b ? 1 : 0), big: (a, b) => (a < b ? 1 : 0),
    cplxPred: (a, b, c, d) => (cless(a, b, c, d) ? 1 : 0),
    fast: {
      vv: (a, ao, b, bo, o, n) => { for (let k = 0; k < n; k++) o[k] = a[ao + k]! < b[bo + k]! ? 1 : 0; },
      vs: (a, ao, s, o, n) => { for (let k = 0; k < n; k++) o[k] = a[ao + k]! < s ? 1 : 0; },
      sv: (s, b, bo, o, n) => { for (let k = 0; k < n; k++) o[k] = s < b[bo + k]! ? 1 : 0; },
    },
  },
  lessEqual: {
    pred: true, fastInts: true, num: (a, b) => (a <= b ? 1 : 0), big: (a, b) => (a <= b ? 1 : 0),
    cplxPred: (a, b, c, d) => (cgreater(a, b, c, d) || a !== a || b !== b || c !== c || d !== d ? 0 : 1),
    fast: {
      vv: (a, ao, b, bo, o, n) => { for (let k = 0; k < n; k++) o[k] = a[ao + k]! <= b[bo + k]! ? 1 : 0; },
      vs: (a, ao, s, o, n) => { for (let k = 0; k < n; k++) o[k] = a[ao + k]! <= s ? 1 : 0; },
      sv: (s, b, bo, o, n) => { for (let k = 0; k < n; k++) o[k] = s <= b[bo + k]! ? 1 : 0; },
    },
  },
  logicalAnd: { pred: true, num: (a, b) => (a !== 0 && b !== 0 ? 1 : 0) },
  logicalOr: { pred: true, num: (a, b) => (a !== 0 || b !== 0 ? 1 : 0) },

  bitwiseAnd: { int: (a, b) => a & b, bool: (a, b) => a & b, big: (a, b) => a & b },
  bitwiseOr: { int: (a, b) => a | b, bool: (a, b) => a | b, big: (a, b) => a | b },
  bitwiseXor: { int: (a, b) => a ^ b, bool: (a, b) => a ^ b, big: (a, b) => a ^ b },
  // shifts by the width or more (or by a negative amount) give 0, or -1 for negative signed right shifts (NumPy)
  leftShift: {
    intFor: (d) => { const bits = d.size * 8; return (a, b) => (b < 0 || b >= bits ? 0 : a << b); },
    big: (a, b) => (b < 0n || b >= 64n ? 0n : a << b),
  },
  rightShift: {
    intFor: (d) => {
      const bits = d.size * 8;
      if (dt.isUnsigned(d)) return (a, b) => (b < 0 || b >= bits ? 0 : a >>> b);
      return (a, b) => (b < 0 || b >= bits ? (a < 0 ? -1 : 0) : a >> b);
    },
    big: (a, b) => (b < 0n ? (a < 0n ? -1n : 0n) : a >> b),
  },
};
