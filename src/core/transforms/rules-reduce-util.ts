/**
 * @file Helpers shared by the reduce, cumulative and sort transform rules: moving a batch axis to the front,
 * broadcasting a reduced cotangent back over the reduced axes, gathering the reduced axes into one trailing lane,
 * and shifting along an axis (exclusive scans are inclusive scans shifted by one).
 */
import type { MxArray } from '../array.js';
import type { Stream } from '../device.js';
import { isInexact } from '../dtype.js';
import { astype } from '../ops/basic.js';
import { moveaxis, expandDims, broadcastTo, reshape, permute } from '../ops/layout.js';
import { concatenate, splitAt } from '../ops/layout-join.js';
import { zeros } from '../ops/creation.js';

/** `x` with its batch axis `ax` moved to the front (a view). */
export function toFront(x: MxArray, ax: number | null, stream: Stream): MxArray {
  return ax === null || ax === 0 ? x : moveaxis(x, ax, 0, { stream });
}

/** Whether gradients flow through an input of this dtype (floats and complex; integers and bool stop them). */
export const differentiable = (x: MxArray): boolean => isInexact(x.dtype);

/** `g` cast to `x`'s dtype when it differs. */
export function like(g: MxArray, x: MxArray, stream: Stream): MxArray {
  return g.dtype === x.dtype ? g : astype(g, x.dtype, { stream });
}

/** A reduced array (`keepdims` or not) brought back to `shape`: reduced axes re-inserted as 1s, then broadcast. */
export function unreduce(r: MxArray, shape: readonly number[], axes: readonly number[], keepdims: boolean, stream: Stream): MxArray {
  const k = keepdims || axes.length === 0 ? r : expandDims(r, axes, { stream });
  return broadcastTo(k, [...shape], { stream });
}

/**
 * Gathers the reduced `axes` of `x` into one trailing lane: returns the `[...kept, n]` array and the inverse,
 * which maps such an array back to `x`'s layout.
 */
export function lanes(x: MxArray, axes: readonly number[], stream: Stream): [MxArray, (y: MxArray) => MxArray] {
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const perm = [...kept, ...axes];
  const t = permute(x, perm, stream);
  const n = axes.reduce((p, a) => p * x.shape[a]!, 1);
  const flat = reshape(t, [...kept.map((i) => x.shape[i]!), n], { stream });
  const inv = perm.map((_, i) => perm.indexOf(i));
  return [flat, (y) => permute(reshape(y, t.shape, { stream }), inv, stream)];
}

/**
 * `a` shifted by one along `axis`: `dir` +1 gives out[j] = a[j-1] (zero first), -1 gives out[j] = a[j+1] (zero
 * last).
 */
export function shift(a: MxArray, axis: number, dir: 1 | -1, stream: Stream): MxArray {
  const n = a.shape[axis]!;
  if (n === 0) return a;
  const padShape = [...a.shape];
  padShape[axis] = 1;
  const pad = zeros(padShape, a.dtype, { stream });
  const [part] = splitAt(a, [dir === 1 ? 0 : 1], [n - 1], axis, { stream }, 'shift');
  return concatenate(dir === 1 ? [pad, part!] : [part!, pad], axis, { stream });
}
