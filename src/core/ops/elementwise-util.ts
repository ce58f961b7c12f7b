/**
 * @file Shared plumbing of the elementwise op families: turning op arguments into arrays and building the nodes.
 */
import { MxArray, bind, isArray, type ArrayLike } from '../array.js';
import * as dt from '../dtype.js';
import type { Dtype } from '../dtype.js';
import { asArray } from '../construct.js';
import type { Stream } from '../device.js';
import { astype } from './basic.js';

/** The shared empty params object of parameterless primitives. */
export const NO_PARAMS = Object.freeze({}) as Record<string, never>;

/** An op argument as an array: arrays as they are, JS scalars as 0-d arrays of their own (MLX default) dtype. */
export function toArray(x: ArrayLike, op: string, stream?: Stream): MxArray {
  if (isArray(x)) { x._check(op); return x; }
  if (typeof x !== 'number' && typeof x !== 'boolean' && typeof x !== 'bigint') {
    throw new TypeError(`[${op}] Expected an array or a scalar, got ${x === null ? 'null' : typeof x}.`);
  }
  return asArray(x, dt.scalarDtype(x), stream);
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
  return asArray(x, d, stream);
}

/** Dtype of an op argument for promotion (scalars stay weak). */
export function typedOf(x: ArrayLike, op: string): dt.Typed {
  if (isArray(x)) return x;
  if (typeof x === 'number' || typeof x === 'boolean' || typeof x === 'bigint') return x;
  throw new TypeError(`[${op}] Expected an array or a scalar, got ${x === null ? 'null' : typeof x}.`);
}

export { bind };
