/**
 * @file Helpers shared by the layout and indexing transform rules: reviving inputs that a composite op disposed,
 * moving batch axes to the front, reducing a broadcast cotangent back to an input's shape, and a per-example loop
 * for the few batching cases that have no vectorised formulation.
 */
import { MxArray, bindMulti } from '../array.js';
import type { Stream } from '../device.js';
import type { Dtype } from '../dtype.js';
import { sum } from '../ops/reduce.js';
import { moveaxis, expandDims, broadcastTo, reshapeTo } from '../ops/layout.js';
import { stack } from '../ops/layout-join.js';
import { take } from '../ops/indexing.js';
import { zeros } from '../ops/creation.js';

/**
 * A usable handle on `x`'s value. Composite ops dispose their intermediates once the result is bound (Scratch), so
 * a rule may receive a primal whose handle is dead although its value is still reachable: through its data while
 * a pending consumer holds it, else by replaying its node on revived inputs (lazily; nothing runs unless needed).
 */
export function live(x: MxArray): MxArray {
  if (!x._disposed) return x;
  if (x._data) {
    const a = new MxArray(x.shape, x.dtype, null);
    a._attach(x._data);
    return a;
  }
  const node = x._node;
  if (!node) x._check('transform');
  return bindMulti(node!.prim, node!.inputs.map(live), node!.params as never, node!.stream)[x._index]!;
}

/** Zeros of a shape and dtype on a stream. */
export function zerosOf(shape: readonly number[], dtype: Dtype, stream: Stream): MxArray {
  return zeros([...shape], dtype, { stream });
}

/** `x` with its batch axis `ax` moved first. */
export function toFront(x: MxArray, ax: number, stream: Stream): MxArray {
  return ax === 0 ? x : moveaxis(x, ax, 0, { stream });
}

/** The mapped size: the extent of the first batched input's batch axis. */
export function batchSize(inputs: readonly MxArray[], axes: readonly (number | null)[]): number {
  const i = axes.findIndex((a) => a !== null);
  return inputs[i]!.shape[axes[i]!]!;
}

/** `x` batched at axis 0: moved there when batched, broadcast along a new leading axis of size `n` when not. */
export function batchedFront(x: MxArray, ax: number | null, n: number, stream: Stream): MxArray {
  if (ax !== null) return toFront(x, ax, stream);
  return broadcastTo(expandDims(x, 0, { stream }), [n, ...x.shape], { stream });
}

/**
 * Sums a cotangent of a broadcast result back to `shape` (the adjoint of broadcasting): leading extra dims and
 * dims where `shape` has 1 are summed.
 */
export function sumTo(x: MxArray, shape: readonly number[], stream: Stream): MxArray {
  // a target with extra leading 1s (updates may carry them) is reached by a reshape
  if (x.ndim < shape.length) x = reshapeTo(x, [...new Array<number>(shape.length - x.ndim).fill(1), ...x.shape], stream);
  const lead = x.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < x.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && x.shape[i] !== 1)) axes.push(i);
  }
  const r = axes.length ? sum(x, axes, true, { stream }) : x;
  return reshapeTo(r, shape, stream);
}

/**
 * Batches `f` by running it on each example and stacking the results along axis 0. Used only where MLX itself
 * has no batching rule (start indices that differ per example, per-example masked scatters).
 */
export function loopVmap(
  inputs: readonly MxArray[], axes: readonly (number | null)[], stream: Stream, f: (xs: MxArray[]) => MxArray[],
): [MxArray[], number[]] {
  const n = batchSize(inputs, axes);
  if (n === 0) throw new Error('[vmap] This batching rule loops over examples and needs a non-empty batch.');
  const per: MxArray[][] = [];
  for (let b = 0; b < n; b++) per.push(f(inputs.map((x, i) => (axes[i] === null ? x : take(x, b, axes[i]!, { stream })))));
  return [per[0]!.map((_, k) => stack(per.map((p) => p[k]!), 0, { stream })), per[0]!.map(() => 0)];
}
