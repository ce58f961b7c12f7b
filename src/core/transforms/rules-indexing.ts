/**
 * @file vjp, jvp and vmap rules of the reading indexing primitives (strided views, gathers, dynamic slices),
 * spread into their definitions in primitives/indexing.ts. The adjoint of a read is a scatter-add of the cotangent
 * into zeros of the source's shape (positions read twice accumulate); index arrays get no cotangent. Batched
 * index arrays become one more advanced index: an arange over the batch paired with the source's batch axis.
 */
import { MxArray, bind } from '../array.js';
import type { Stream } from '../device.js';
import type { PrimitiveDef, PrimitiveName } from '../primitive.js';
import * as dt from '../dtype.js';
import type { BasicPlan, IndexPlan, ViewDim } from '../primitives/indexing.js';
import { reshapeTo, expandDims } from '../ops/layout.js';
import { arange } from '../ops/creation.js';
import { take, slice, sliceUpdate } from '../ops/indexing.js';
import { live, zerosOf, toFront, batchSize, batchedFront, sumTo, loopVmap } from './rules-layout-util.js';

type Rules<K extends PrimitiveName> = { [N in K]: Required<Pick<PrimitiveDef<N>, 'vjp' | 'jvp' | 'vmap'>> };
type ReadPrims = 'indexView' | 'gather' | 'gatherFlat' | 'gatherAxis' | 'dynamicSlice';

const shiftDim = (d: ViewDim): ViewDim => (d.axis < 0 ? d : { ...d, axis: d.axis + 1 });

/** A basic plan over a source with a new leading batch axis of size `n` (kept first in the output). */
export function batchBasic(p: BasicPlan, n: number): BasicPlan {
  return { starts: [0, ...p.starts], dims: [{ axis: 0, step: 1, size: n }, ...p.dims.map(shiftDim)] };
}

/** `y` read through plan `p` (a view when the plan has no index arrays). */
export function readPlan(y: MxArray, idx: readonly MxArray[], p: IndexPlan, stream: Stream): MxArray {
  if (!p.advDims.length) return bind('indexView', [y], { starts: p.starts, dims: p.dims }, stream);
  return bind('gather', [y, ...idx.map(live)], { starts: p.starts, dims: p.dims, advDims: p.advDims, idxShape: p.idxShape, insertAt: p.insertAt }, stream);
}

/**
 * Batches an index plan over a source whose batch axis (size `n`) is now dim 0. Without batched index arrays the
 * batch axis is one more view dim and the output gains it first. With them, an arange over the batch joins the
 * index arrays (each lifted to the broadcast rank with its batch axis first), and the output carries the batch
 * axis where the index dims start: after the `outAxis` view dims that precede them.
 */
export function batchPlan(
  p: IndexPlan, idx: readonly MxArray[], axes: readonly (number | null)[], n: number, stream: Stream,
): { plan: IndexPlan; arrays: MxArray[]; outAxis: number } {
  const base = batchBasic(p, n);
  const adv = p.advDims.map((d) => d + 1);
  if (axes.every((a) => a === null)) {
    return { plan: { ...base, advDims: adv, idxShape: p.idxShape, insertAt: p.insertAt + 1 }, arrays: idx.map(live), outAxis: 0 };
  }
  const r = p.idxShape.length;
  const lift = (x: MxArray, ax: number | null): MxArray => {
    if (ax === null) return live(x);
    const f = toFront(x, ax, stream);
    return reshapeTo(f, [n, ...new Array<number>(r - (x.ndim - 1)).fill(1), ...f.shape.slice(1)], stream);
  };
  const bIdx = reshapeTo(arange(0, n, 1, dt.int32, { stream }), [n, ...new Array<number>(r).fill(1)], stream);
  const advSet = new Set(p.advDims);
  let outAxis = 0;
  for (let i = 0; i < Math.min(p.insertAt, p.dims.length); i++) if (!advSet.has(i)) outAxis++;
  return {
    plan: { ...base, advDims: [0, ...adv], idxShape: [n, ...p.idxShape], insertAt: p.insertAt + 1 },
    arrays: [bIdx, ...idx.map((x, i) => lift(x, axes[i]!))],
    outAxis,
  };
}

/** The reading rules, keyed by primitive. */
export const indexingReadRules: Rules<ReadPrims> = {
  indexView: {
    vjp: ([x], [ct], _o, p, stream) => [
      bind('scatter', [zerosOf(x!.shape, ct!.dtype, stream), ct!], { ...p, advDims: [], idxShape: [], insertAt: 0, mode: 'add' }, stream),
    ],
    jvp: (_x, [t], _o, p, stream) => [bind('indexView', [t!], p, stream)],
    vmap: ([x], [ax], p, stream) => {
      const xb = toFront(x!, ax!, stream);
      return [[bind('indexView', [xb], batchBasic(p, xb.shape[0]!), stream)], [0]];
    },
  },
  gather: {
    // scatter-add into zeros: duplicate indices accumulate
    vjp: ([x, ...idx], [ct], _o, p, stream) => [
      bind('scatter', [zerosOf(x!.shape, ct!.dtype, stream), ct!, ...idx.map(live)], { ...p, mode: 'add' }, stream),
      ...idx.map(() => null),
    ],
    jvp: ([, ...idx], [t], _o, p, stream) => [readPlan(t!, idx, p, stream)],
    vmap: ([x, ...idx], [ax, ...iax], p, stream) => {
      const n = batchSize([x!, ...idx], [ax!, ...iax]);
      const { plan, arrays, outAxis } = batchPlan(p, idx, iax, n, stream);
      return [[bind('gather', [batchedFront(live(x!), ax!, n, stream), ...arrays], plan, stream)], [outAxis]];
    },
  },
  gatherFlat: {
    vjp: ([x, idx], [ct], _o, _p, stream) => [
      bind('scatterFlat', [zerosOf(x!.shape, ct!.dtype, stream), live(idx!), ct!], { mode: 'add' }, stream), null,
    ],
    jvp: ([, idx], [t], _o, _p, stream) => [bind('gatherFlat', [t!, live(idx!)], {}, stream)],
    vmap: ([x, idx], [ax, iax], _p, stream) => {
      const n = batchSize([x!, idx!], [ax!, iax!]);
      const flat = (b: MxArray) => reshapeTo(b, [n, b.size / n], stream);
      if (iax === null) return [[take(flat(toFront(x!, ax!, stream)), live(idx!), 1, { stream })], [0]];
      // per-example indices: row b of the flattened batch, element idx[b, ...]
      const xf = flat(batchedFront(live(x!), ax!, n, stream));
      const ib = toFront(idx!, iax!, stream);
      const bIdx = reshapeTo(arange(0, n, 1, dt.int32, { stream }), [n, ...new Array<number>(ib.ndim - 1).fill(1)], stream);
      const plan: IndexPlan = {
        starts: [0, 0], dims: [{ axis: 0, step: 1, size: n }, { axis: 1, step: 1, size: xf.shape[1]! }],
        advDims: [0, 1], idxShape: [...ib.shape], insertAt: 0,
      };
      return [[bind('gather', [xf, bIdx, ib], plan, stream)], [0]];
    },
  },
  gatherAxis: {
    // scatter-add along the axis into the broadcast shape, then sum over the dims where the source broadcast
    vjp: ([x, idx], [ct], _o, p, stream) => {
      const target = [...p.shape];
      target[p.axis] = x!.shape[p.axis]!;
      const sc = bind('scatterAxis', [zerosOf(target, ct!.dtype, stream), live(idx!), ct!], { axis: p.axis, shape: p.shape, mode: 'add' }, stream);
      return [sumTo(sc, x!.shape, stream), null];
    },
    jvp: ([, idx], [t], _o, p, stream) => [bind('gatherAxis', [t!, live(idx!)], p, stream)],
    // per-position indices batch naturally: unbatched operands get a size-1 leading dim that broadcasts
    vmap: ([x, idx], [ax, iax], p, stream) => {
      const n = batchSize([x!, idx!], [ax!, iax!]);
      const lead = (y: MxArray, a: number | null) => (a === null ? expandDims(live(y), 0, { stream }) : toFront(y, a, stream));
      return [[bind('gatherAxis', [lead(x!, ax!), lead(idx!, iax!)], { axis: p.axis + 1, shape: [n, ...p.shape] }, stream)], [0]];
    },
  },
  dynamicSlice: {
    vjp: ([x, start], [ct], _o, p, stream) => [
      sliceUpdate(zerosOf(x!.shape, ct!.dtype, stream), ct!, live(start!), p.axes, { stream }), null,
    ],
    jvp: ([, start], [t], _o, p, stream) => [slice(t!, live(start!), p.axes, p.sizes, { stream })],
    vmap: ([x, start], [ax, sax], p, stream) => {
      // per-example starts (MLX has no rule for them): one slice per example
      if (sax !== null) return loopVmap([x!, start!].map(live), [ax!, sax!], stream, ([xi, si]) => [slice(xi!, si!, p.axes, p.sizes, { stream })]);
      const xb = toFront(x!, ax!, stream);
      return [[slice(xb, live(start!), p.axes.map((a) => a + 1), [xb.shape[0]!, ...p.sizes], { stream })], [0]];
    },
  },
};
