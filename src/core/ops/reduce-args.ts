/**
 * @file Argument handling shared by the reduce, cumulative and sort ops: input coercion, axis checks.
 */
import { MxArray, isArray, type ArrayLike } from '../array.js';
import * as dt from '../dtype.js';
import { asArray } from '../construct.js';
import type { StreamOpt } from '../device.js';

/** One axis, several, or null/undefined for all of them. */
export type AxisArg = number | readonly number[] | null;

/** Options of the reductions: `mx.sum(a, 1, true)` is `mx.sum(a, { axis: 1, keepdims: true })`. */
export interface ReduceOpts extends StreamOpt {
  /** Axes to reduce; all when null or omitted. */
  axis?: AxisArg;
  /** Keep reduced axes as size 1. */
  keepdims?: boolean;
}

/** Positional-or-options arguments of a reduction: `(axis?, keepdims?, opts?)`. */
export type ReduceArgs =
  | [opts?: ReduceOpts]
  | [axis: AxisArg | undefined, opts?: ReduceOpts]
  | [axis: AxisArg | undefined, keepdims: boolean | undefined, opts?: ReduceOpts];

/** @internal The op's input as an array (JS scalars become 0-d arrays), checked alive and not complex. */
export function inputArray(a: ArrayLike, op: string): MxArray {
  const x = isArray(a) ? a : asArray(a, dt.scalarDtype(a));
  x._check(op);
  if (x.dtype === dt.complex64) throw new TypeError(`[${op}] complex64 inputs are not supported.`);
  return x;
}

/** @internal Checks an optional boolean flag. */
export function flag(v: unknown, name: string, op: string): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new TypeError(`[${op}] ${name} must be a boolean, got ${String(v)}.`);
  return v;
}

/** @internal Checks an integer argument. */
export function int(v: unknown, name: string, op: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`[${op}] ${name} must be an integer, got ${String(v)}.`);
  return v;
}

/** @internal Checks a single-axis argument (null/undefined allowed when `nullable`). */
export function singleAxis(v: unknown, op: string): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number') throw new TypeError(`[${op}] axis must be a single integer, got ${JSON.stringify(v)}.`);
  return v;
}
