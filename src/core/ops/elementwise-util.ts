/**
 * @file Shared plumbing of the elementwise op families: turning op arguments into arrays and building the nodes.
 */
import { MxArray, bind, isArray, type ArrayLike } from '../array.js';
import * as dt from '../dtype.js';
import type { Dtype } from '../dtype.js';
import { asArray, packValues } from '../construct.js';
import { backendFor, type TypedArray } from '../../backend/backend.js';
import type { Stream } from '../device.js';
import { astype } from './basic.js';

/** The shared empty params object of parameterless primitives. */
export const NO_PARAMS = Object.freeze({}) as Record<string, never>;

/**
 * A JS scalar as a materialised 0-d operand of dtype `d` (what `asArray` makes; marked as the op's own operand,
 * see `MxArray._attach`, and built without the stream lookup since the op has its stream).
 */
function scalarOperand(x: number | boolean | bigint, d: Dtype, stream: Stream | undefined): MxArray {
  if (!stream) return asArray(x, d);
  const a = new MxArray([], d, null);
  a._attach(backendFor(stream.device.type).fromHost(scalarValues(x, d), d, a.shape), true);
  return a;
}

/** `packValues([x], d)`, with the two usual dtypes written directly (same conversions as its writers). */
function scalarValues(x: number | boolean | bigint, d: Dtype): TypedArray {
  if (d === dt.float32) { const b = new Float32Array(1); b[0] = Number(x); return b; }
  if (d === dt.int32) { const v = Number(x); const b = new Int32Array(1); b[0] = Number.isFinite(v) ? Math.trunc(v) : 0; return b; }
  return packValues([x], d);
}

/** An op argument as an array: arrays as they are, JS scalars as 0-d arrays of their own (MLX default) dtype. */
export function toArray(x: ArrayLike, op: string, stream?: Stream): MxArray {
  if (isArray(x)) { x._check(op); return x; }
  if (typeof x !== 'number' && typeof x !== 'boolean' && typeof x !== 'bigint') {
    throw new TypeError(`[${op}] Expected an array or a scalar, got ${x === null ? 'null' : typeof x}.`);
  }
  return scalarOperand(x, dt.scalarDtype(x), stream);
}

/** An op argument in dtype `d`: arrays cast when needed, scalars created directly in `d` (no cast node). */
export function toArrayAs(x: ArrayLike, d: Dtype, op: string, stream: Stream): MxArray {
  if (isArray(x)) {
    x._check(op);
    return x.dtype === d ? x : astype(x, d, { stream });
  }
  if (typeof x !== 'number' && typeof x !== 'boolean' && typeof x !== 'bigint') {
    throw new TypeError(`[${op}] Expected an array or a scalar, got ${x === null ? 'null' : typeof x}.`);
  }
  return scalarOperand(x, d, stream);
}

/** Dtype of an op argument for promotion (scalars stay weak). */
export function typedOf(x: ArrayLike, op: string): dt.Typed {
  if (isArray(x)) return x;
  if (typeof x === 'number' || typeof x === 'boolean' || typeof x === 'bigint') return x;
  throw new TypeError(`[${op}] Expected an array or a scalar, got ${x === null ? 'null' : typeof x}.`);
}

export { bind };
