/**
 * @file The implicit global key of mx.random and the argument helpers its samplers share.
 */
import { MxArray, isArray } from '../array.js';
import * as dt from '../dtype.js';
import { toDtype, type Dtype, type DtypeLike } from '../dtype.js';
import type { Stream, StreamOrDevice } from '../device.js';
import { broadcastShapes, checkShape, fmtShape, shapesEqual } from '../shape.js';
import { asArray } from '../construct.js';
import { nextKey } from './random-state.js';

/** Options every sampler accepts. */
export interface KeyOpt {
  /** The PRNG key (uint32, shape [2]); without it the global key is split and advanced. */
  key?: MxArray;
  stream?: StreamOrDevice;
}
/** A scalar or array parameter. */
export type Num = number | MxArray;
/** A shape argument. */
export type ShapeArg = number | readonly number[];

export { nextKey, seedWords, setState } from './random-state.js';

/** @internal The key a sampler uses: the given one (checked) or the next global subkey. */
export function resolveKey(k: MxArray | undefined, stream: Stream, op: string): MxArray {
  if (k === undefined || k === null) return nextKey(stream);
  if (!isArray(k)) throw new TypeError(`[${op}] key must be an array (mx.random.key(seed)), got ${typeof k}.`);
  k._check(op);
  if (k.dtype !== dt.uint32) throw new TypeError(`[${op}] Expected key type uint32 but received ${k.dtype.name}.`);
  if (k.ndim !== 1 || k.shape[0] !== 2) throw new Error(`[${op}] Expected key shape (2) but received ${fmtShape(k.shape)}.`);
  return k;
}

/** @internal */
export function floatDtype(d: DtypeLike | undefined, op: string, what = 'real floating point'): Dtype {
  const t = d === undefined || d === null ? dt.float32 : toDtype(d, op);
  if (!dt.isFloating(t)) throw new TypeError(`[${op}] Can only generate numbers with ${what} type, got ${t.name}.`);
  return t;
}

/** @internal */
export function shapeOf(s: ShapeArg | undefined, op: string): number[] {
  return s === undefined || s === null ? [] : checkShape(s, op);
}

/** @internal */
export function num(x: Num, d: Dtype, op: string, stream: Stream): MxArray {
  if (isArray(x)) { x._check(op); return x; }
  if (typeof x !== 'number' && typeof x !== 'bigint' && typeof x !== 'boolean') throw new TypeError(`[${op}] Expected a number or an array, got ${typeof x}.`);
  return asArray(x, d, stream.device);
}

/** @internal */
export function checkBroadcast(shape: number[], others: readonly (readonly number[])[], op: string): void {
  const out = broadcastShapes([shape, ...others], op);
  if (!shapesEqual(out, shape)) {
    throw new Error(`[${op}] Cannot generate random values of shape ${fmtShape(shape)} from broadcasted shape ${fmtShape(out)}.`);
  }
}

