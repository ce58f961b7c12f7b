/**
 * @file Host-side element layout shared by array construction, I/O and the CPU backend: which typed array holds
 * each dtype, and how to read or write one element as a JS number. bool is a Uint8Array, float16/bfloat16 are
 * Uint16Array bits, int64/uint64 are BigInt64Array/BigUint64Array, complex64 is interleaved Float32Array (re, im).
 */
import type { Dtype } from './dtype.js';
import { halfToFloat, floatToHalf, bf16ToFloat, floatToBf16 } from './half.js';
import type { TypedArray } from '../backend/backend.js';

/** Typed array constructor per dtype (complex64 uses two float32 per element). */
export function typedArrayFor(dtype: Dtype, n: number): TypedArray {
  switch (dtype.name) {
    case 'bool': case 'uint8': return new Uint8Array(n);
    case 'int8': return new Int8Array(n);
    case 'uint16': case 'float16': case 'bfloat16': return new Uint16Array(n);
    case 'int16': return new Int16Array(n);
    case 'uint32': return new Uint32Array(n);
    case 'int32': return new Int32Array(n);
    case 'uint64': return new BigUint64Array(n);
    case 'int64': return new BigInt64Array(n);
    case 'float32': return new Float32Array(n);
    case 'float64': return new Float64Array(n);
    case 'complex64': return new Float32Array(2 * n);
  }
}

export type Reader = (buf: TypedArray, i: number) => number;
export type Writer = (buf: TypedArray, i: number, v: number) => void;

const plainRead: Reader = (b, i) => (b as Float64Array)[i]!;
const bigRead: Reader = (b, i) => Number((b as BigInt64Array)[i]!);

/** Reads element `i` of a buffer as a JS number (64-bit ints lose precision past 2^53; complex: real part). */
export function reader(d: Dtype): Reader {
  switch (d.name) {
    case 'float16': return (b, i) => halfToFloat((b as Uint16Array)[i]!);
    case 'bfloat16': return (b, i) => bf16ToFloat((b as Uint16Array)[i]!);
    case 'int64': case 'uint64': return bigRead;
    case 'complex64': return (b, i) => (b as Float32Array)[2 * i]!;
    default: return plainRead;
  }
}

function toBigInt(v: number): bigint {
  return Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
}

/** Writes a JS number into element `i`, converting as a C cast would (truncation toward zero, wrap-around). */
export function writer(d: Dtype): Writer {
  switch (d.name) {
    case 'bool': return (b, i, v) => { (b as Uint8Array)[i] = v !== 0 ? 1 : 0; };
    case 'float16': return (b, i, v) => { (b as Uint16Array)[i] = floatToHalf(v); };
    case 'bfloat16': return (b, i, v) => { (b as Uint16Array)[i] = floatToBf16(v); };
    case 'int64': return (b, i, v) => { (b as BigInt64Array)[i] = BigInt.asIntN(64, toBigInt(v)); };
    case 'uint64': return (b, i, v) => { (b as BigUint64Array)[i] = BigInt.asUintN(64, toBigInt(v)); };
    case 'complex64': return (b, i, v) => { (b as Float32Array)[2 * i] = v; (b as Float32Array)[2 * i + 1] = 0; };
    case 'float32': case 'float64': return (b, i, v) => { (b as Float64Array)[i] = v; };
    // integer typed arrays wrap; truncate first so -1.5 -> -1 as in C, NaN/Inf -> 0
    default: return (b, i, v) => { (b as Int32Array)[i] = Number.isFinite(v) ? Math.trunc(v) : 0; };
  }
}

