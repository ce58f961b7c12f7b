/**
 * @file `mx.array` (arrays from JS data) and the readback methods (`item`, `tolist`, `data`). Readback is async
 * because a GPU cannot be read synchronously.
 */
import { MxArray, isArray, type ArrayLike } from './array.js';
import * as dt from './dtype.js';
import { Dtype, toDtype, type DtypeLike } from './dtype.js';
import { toStream, type StreamOrDevice } from './device.js';
import { backendFor, type TypedArray } from '../backend/backend.js';
import { typedArrayFor, writer } from './host.js';
import { halfToFloat, bf16ToFloat } from './half.js';
import { readArray } from './eval.js';
import { astype } from './ops/basic.js';

/** Nested JS data `mx.array` accepts. */
export type NestedData = number | boolean | bigint | readonly NestedData[];
/** What `mx.array` accepts. */
export type ArrayData = NestedData | TypedArray | MxArray;
/** A complex value as read back from a complex64 array. */
export interface Complex { re: number; im: number; }
/** A scalar read back from an array. */
export type Scalar = number | boolean | bigint | Complex;
/** Nested lists read back by `tolist`. */
export type NestedList = Scalar | NestedList[];

function typedDtype(t: TypedArray): Dtype {
  if (t instanceof Float32Array || t instanceof Float64Array) return dt.float32;
  if (t instanceof Int32Array) return dt.int32;
  if (t instanceof Uint8Array) return dt.uint8;
  if (t instanceof Int8Array) return dt.int8;
  if (t instanceof Uint16Array) return dt.uint16;
  if (t instanceof Int16Array) return dt.int16;
  if (t instanceof Uint32Array) return dt.uint32;
  if (t instanceof BigInt64Array) return dt.int64;
  return dt.uint64;
}

function inferShape(data: NestedData, op: string): { shape: number[]; flat: (number | boolean | bigint)[] } {
  const shape: number[] = [];
  let x: NestedData = data;
  while (Array.isArray(x)) {
    shape.push(x.length);
    if (x.length === 0) break;
    x = x[0] as NestedData;
  }
  const flat: (number | boolean | bigint)[] = [];
  const walk = (v: NestedData, d: number): void => {
    if (d === shape.length) {
      if (Array.isArray(v)) throw new Error(`[${op}] Initialization encountered non-uniform length.`);
      if (typeof v !== 'number' && typeof v !== 'boolean' && typeof v !== 'bigint') {
        throw new TypeError(`[${op}] Unsupported element ${isArray(v) ? 'MxArray (use mx.stack)' : typeof v}.`);
      }
      flat.push(v as number);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[d]) throw new Error(`[${op}] Initialization encountered non-uniform length.`);
    for (const e of v) walk(e as NestedData, d + 1);
  };
  walk(data, 0);
  return { shape, flat };
}

function defaultDtypeOf(flat: readonly (number | boolean | bigint)[]): Dtype {
  if (flat.length === 0) return dt.float32;
  let allBool = true, allInt = true, big = false;
  for (const v of flat) {
    if (typeof v !== 'boolean') allBool = false;
    if (typeof v === 'bigint') big = true;
    else if (typeof v === 'number' && !Number.isInteger(v)) allInt = false;
  }
  if (allBool) return dt.bool;
  if (!allInt) return dt.float32;
  return big ? dt.int64 : dt.int32;
}

/** Packs JS values into a typed array of `dtype`'s storage layout. */
export function packValues(flat: readonly (number | boolean | bigint)[], dtype: Dtype): TypedArray {
  const buf = typedArrayFor(dtype, flat.length);
  if (dtype === dt.int64 || dtype === dt.uint64) {
    const b = buf as BigInt64Array;
    for (let i = 0; i < flat.length; i++) {
      const v = flat[i]!;
      const big = typeof v === 'bigint' ? v : BigInt(Number.isFinite(+v) ? Math.trunc(+v) : 0);
      b[i] = dtype === dt.int64 ? BigInt.asIntN(64, big) : BigInt.asUintN(64, big);
    }
    return buf;
  }
  const w = writer(dtype);
  for (let i = 0; i < flat.length; i++) w(buf, i, Number(flat[i]!));
  return buf;
}

/** @internal A materialised array from storage-layout values, on the given (or default) device. */
export function fromValues(values: TypedArray, dtype: Dtype, shape: readonly number[], stream?: StreamOrDevice): MxArray {
  const s = toStream(stream, 'array');
  const a = new MxArray(shape, dtype, null);
  a._attach(backendFor(s.device.type).fromHost(values, dtype, shape));
  return a;
}

/**
 * Makes an array from JS data: a number, boolean or bigint (0-d), nested arrays of them, a typed array (1-D), or
 * another array (copied). Without a dtype: booleans give bool, integral numbers int32, any fractional number
 * float32, bigints int64; typed arrays keep their element type (Float64Array becomes float32, as MLX does).
 *
 * @example
 * ```ts
 * mx.array([[1, 2], [3, 4]]);            // int32, shape [2, 2]
 * mx.array([0.5, 1], mx.float16);        // float16
 * mx.array(new Float32Array([1, 2, 3])); // float32, shape [3]
 * ```
 */
export function array(data: ArrayData, dtype?: DtypeLike, opts: { stream?: StreamOrDevice } = {}): MxArray {
  const want = dtype === undefined ? undefined : toDtype(dtype, 'array');
  if (isArray(data)) return astype(data, want ?? data.dtype, { stream: opts.stream });
  if (ArrayBuffer.isView(data)) {
    const t = data as TypedArray;
    const d = want ?? typedDtype(t);
    if (typedDtype(t) === d && !(t instanceof Float64Array)) return fromValues(t.slice() as TypedArray, d, [t.length], opts.stream);
    const flat: (number | bigint)[] = Array.from(t as unknown as Iterable<number>);
    return fromValues(packValues(flat, d), d, [t.length], opts.stream);
  }
  if (typeof data === 'number' || typeof data === 'boolean' || typeof data === 'bigint') {
    const d = want ?? dt.scalarDtype(data);
    return fromValues(packValues([data], d), d, [], opts.stream);
  }
  if (!Array.isArray(data)) throw new TypeError(`[array] Cannot make an array from ${typeof data}.`);
  const { shape, flat } = inferShape(data as NestedData, 'array');
  const d = want ?? defaultDtypeOf(flat);
  return fromValues(packValues(flat, d), d, shape, opts.stream);
}

/** @internal An array from an `ArrayLike` op argument, with scalars taking `dtype`. */
export function asArray(x: ArrayLike, dtype: Dtype, stream?: StreamOrDevice): MxArray {
  if (isArray(x)) return x;
  return fromValues(packValues([x], dtype), dtype, [], stream);
}

/** Decodes storage-layout values into JS scalars. */
function decode(vals: TypedArray, dtype: Dtype): Scalar[] {
  const n = dtype === dt.complex64 ? vals.length / 2 : vals.length;
  const out = new Array<Scalar>(n);
  switch (dtype.name) {
    case 'bool': for (let i = 0; i < n; i++) out[i] = vals[i] !== 0; break;
    case 'float16': for (let i = 0; i < n; i++) out[i] = halfToFloat(vals[i] as number); break;
    case 'bfloat16': for (let i = 0; i < n; i++) out[i] = bf16ToFloat(vals[i] as number); break;
    case 'int64': case 'uint64':
      // numbers when exact, bigints past 2^53
      for (let i = 0; i < n; i++) {
        const b = vals[i] as bigint;
        out[i] = b <= 9007199254740991n && b >= -9007199254740991n ? Number(b) : b;
      }
      break;
    case 'complex64': for (let i = 0; i < n; i++) out[i] = { re: vals[2 * i] as number, im: vals[2 * i + 1] as number }; break;
    default: for (let i = 0; i < n; i++) out[i] = vals[i] as number;
  }
  return out;
}

function nest(flat: Scalar[], shape: readonly number[], d = 0, off = { i: 0 }): NestedList {
  if (d === shape.length) return flat[off.i++]!;
  const out: NestedList[] = [];
  for (let k = 0; k < shape[d]!; k++) out.push(nest(flat, shape, d + 1, off));
  return out;
}

/** Evaluates `a` and returns its one element (bool as boolean, complex as `{re, im}`). */
export async function item(a: MxArray): Promise<Scalar> {
  if (a.size !== 1) throw new Error(`[item] Can only read an array with one element, got shape (${a.shape.join(',')}).`);
  return decode(await readArray(a, 'item'), a.dtype)[0]!;
}

/** Evaluates `a` and returns nested JS lists of its elements. */
export async function tolist(a: MxArray): Promise<NestedList> {
  return nest(decode(await readArray(a, 'tolist'), a.dtype), a.shape);
}

/**
 * Evaluates `a` and returns its elements as a new dense typed array: float16/bfloat16 as Float32Array, bool as
 * Uint8Array, complex64 as interleaved Float32Array, 64-bit ints as BigInt64Array/BigUint64Array.
 */
export async function data(a: MxArray): Promise<TypedArray> {
  const vals = await readArray(a, 'data');
  if (a.dtype === dt.float16 || a.dtype === dt.bfloat16) {
    const f = a.dtype === dt.float16 ? halfToFloat : bf16ToFloat;
    const out = new Float32Array(vals.length);
    for (let i = 0; i < vals.length; i++) out[i] = f(vals[i] as number);
    return out;
  }
  return vals;
}

/** Evaluates `a` and returns its raw bytes, row-major, in MLX's memory layout for its dtype. */
export async function bytes(a: MxArray): Promise<Uint8Array> {
  const vals = await readArray(a, 'bytes');
  return new Uint8Array(vals.buffer, vals.byteOffset, vals.byteLength);
}

declare module './array.js' {
  interface MxArray {
    /** Reads the single element. @see item */
    item<T extends Scalar = number>(): Promise<T>;
    /** Reads nested lists. @see tolist */
    tolist<T = NestedList>(): Promise<T>;
    /** Reads a dense typed array. @see data */
    data<T extends TypedArray = Float32Array>(): Promise<T>;
    /** Reads the raw bytes. @see bytes */
    bytes(): Promise<Uint8Array>;
  }
}
MxArray.prototype.item = function <T>(this: MxArray) { return item(this) as Promise<T>; } as MxArray['item'];
MxArray.prototype.tolist = function <T>(this: MxArray) { return tolist(this) as Promise<T>; };
MxArray.prototype.data = function <T>(this: MxArray) { return data(this) as Promise<T>; } as MxArray['data'];
MxArray.prototype.bytes = function (this: MxArray) { return bytes(this); };

export { Dtype };
