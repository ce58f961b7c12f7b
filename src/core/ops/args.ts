/**
 * @file Argument conventions shared by every op. Python positional parameters stay positional; keyword-only ones go
 * in a trailing options object; an op with several optional parameters also takes them all in that object:
 * `mx.sum(a, 1, true)` is `mx.sum(a, { axis: 1, keepdims: true })`.
 */
import { Device, Stream, type StreamOrDevice } from '../device.js';
import { Dtype } from '../dtype.js';
import { MxArray } from '../array.js';

/** Whether a value is a trailing options object (a plain object, not an array, dtype, device or stream). */
export function isOptions(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== 'object') return false;
  if (Array.isArray(x) || ArrayBuffer.isView(x)) return false;
  if (x instanceof MxArray || x instanceof Dtype || x instanceof Device || x instanceof Stream) return false;
  return true;
}

/**
 * Merges positional optional arguments and a trailing options object into one record.
 *
 * @example
 * ```ts
 * export function sum(a: MxArray, ...rest: SumArgs) {
 *   const { axis, keepdims, stream } = optArgs<SumOpts>(['axis', 'keepdims'], rest, 'sum');
 * }
 * ```
 */
export function optArgs<T extends { stream?: StreamOrDevice }>(
  names: readonly (keyof T & string)[], rest: readonly unknown[], op: string,
): T {
  const out: Record<string, unknown> = {};
  let n = rest.length;
  // trailing undefineds come from callers that forward optional params
  while (n > 0 && rest[n - 1] === undefined) n--;
  if (n > 0 && isOptions(rest[n - 1])) {
    Object.assign(out, rest[n - 1]);
    n--;
  }
  if (n > names.length) throw new TypeError(`[${op}] Too many positional arguments (${n}; at most ${names.length}).`);
  for (let i = 0; i < n; i++) {
    if (rest[i] === undefined) continue;
    if (names[i]! in out) throw new TypeError(`[${op}] Argument "${names[i]}" given both positionally and in options.`);
    out[names[i]!] = rest[i];
  }
  return out as T;
}
