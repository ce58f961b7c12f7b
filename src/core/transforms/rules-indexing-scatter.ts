/**
 * @file vjp, jvp and vmap rules of the writing indexing primitives (scatters, masked scatter, dynamic slice
 * update), spread into their definitions in primitives/indexing.ts. Following MLX: a `set` passes the cotangent
 * to the base except at the written positions and gathers it for the updates; `add` (and `sub`, MLX's add of the
 * negation) passes it whole to the base; `max`/`min` route it to whichever side won (both on ties); `mul`/`div`
 * (MLX's scatter_prod) are not differentiable. Index arrays and masks get no cotangent.
 */
import { MxArray, bind } from '../array.js';
import type { Stream } from '../device.js';
import type { PrimitiveDef, PrimitiveName } from '../primitive.js';
import * as dt from '../dtype.js';
import { planShape, type IndexPlan, type ScatterMode } from '../primitives/indexing.js';
import { reshapeTo, expandDims, broadcastTo, moveaxis } from '../ops/layout.js';
import { negative } from '../ops/unary.js';
import { equal, subtract } from '../ops/binary.js';
import { where } from '../ops/ternary.js';
import { sum } from '../ops/reduce.js';
import { cumsum } from '../ops/cumulative.js';
import { astype } from '../ops/basic.js';
import { arange } from '../ops/creation.js';
import { slice, sliceUpdate, takeAlongAxis } from '../ops/indexing.js';
import { live, zerosOf, toFront, batchSize, batchedFront, sumTo, loopVmap } from './rules-layout-util.js';
import { batchPlan, readPlan } from './rules-indexing.js';

type Rules<K extends PrimitiveName> = { [N in K]: Required<Pick<PrimitiveDef<N>, 'vjp' | 'jvp' | 'vmap'>> };
type WritePrims = 'scatter' | 'scatterFlat' | 'scatterAxis' | 'maskScatter' | 'dynamicSliceUpdate';

/** Throws MLX's error for the scatter modes that have no derivative rule. */
function differentiable(mode: ScatterMode, op: string, kind: string): void {
  if (mode === 'mul' || mode === 'div') {
    throw new Error(`[${op}] ${kind} is not implemented for a scatter ${mode === 'mul' ? 'multiply' : 'divide'} (MLX's scatter_prod has none).`);
  }
}

/**
 * The shared shape of a scatter's vjp: `read` gathers a full-size array at the written positions (the updates'
 * shape, before reducing to it), `write` scatters into a full-size array. Returns [base, updates] cotangents.
 */
function scatterVjp(
  mode: ScatterMode, op: string, a: MxArray, u: MxArray, ct: MxArray, out: MxArray, stream: Stream,
  read: (y: MxArray) => MxArray, write: (base: MxArray, v: MxArray, m: ScatterMode) => MxArray,
): [MxArray, MxArray] {
  differentiable(mode, op, 'VJP');
  const zero = zerosOf([], ct.dtype, stream);
  const toU = (y: MxArray) => sumTo(y, u.shape, stream);
  switch (mode) {
    // the written positions no longer depend on the base
    case 'set': return [write(ct, zero, 'set'), toU(read(ct))];
    case 'add': return [ct, toU(read(ct))];
    case 'sub': return [ct, negative(toU(read(ct)), { stream })];
    default: {
      // max/min: each side gets the cotangent where it equals the result
      const fromA = where(equal(out, live(a), { stream }), ct, zero, { stream });
      const fromU = where(equal(read(out), live(u), { stream }), read(ct), zero, { stream });
      return [fromA, toU(fromU)];
    }
  }
}

/** The matching jvp: the same scatter applied to the tangents (max/min: each side's tangent where it won). */
function scatterJvp(
  mode: ScatterMode, op: string, a: MxArray, u: MxArray, ta: MxArray | null, tu: MxArray | null, out: MxArray,
  stream: Stream, read: (y: MxArray) => MxArray, write: (base: MxArray, v: MxArray, m: ScatterMode) => MxArray,
): MxArray {
  differentiable(mode, op, 'JVP');
  const tA = ta ?? zerosOf(a.shape, a.dtype, stream);
  const tU = tu ?? zerosOf(u.shape, u.dtype, stream);
  if (mode !== 'max' && mode !== 'min') return write(tA, tU, mode);
  const zero = zerosOf([], out.dtype, stream);
  const fromA = where(equal(out, live(a), { stream }), tA, zero, { stream });
  const fromU = where(equal(read(out), live(u), { stream }), tU, zero, { stream });
  return write(fromA, fromU, 'add');
}

/** Updates of per-example shape broadcastable to `t`, as a batch of shape [n, ...t] with the batch axis at `k`. */
function batchUpdates(u: MxArray, ax: number | null, t: readonly number[], n: number, k: number, stream: Stream): MxArray {
  let b: MxArray;
  if (ax === null) b = broadcastTo(live(u), [n, ...t], { stream });
  else {
    let f = toFront(u, ax, stream);
    // drop extra leading size-1 dims of the example, then align its dims to the right of t
    while (f.ndim - 1 > t.length && f.shape[1] === 1) f = reshapeTo(f, [n, ...f.shape.slice(2)], stream);
    f = reshapeTo(f, [n, ...new Array<number>(t.length - (f.ndim - 1)).fill(1), ...f.shape.slice(1)], stream);
    b = broadcastTo(f, [n, ...t], { stream });
  }
  return k === 0 ? b : moveaxis(b, 0, k, { stream });
}

/** Where a boolean mask over leading dims applies, broadcast to `shape`. */
function maskTo(mask: MxArray, shape: readonly number[], stream: Stream): MxArray {
  const m = reshapeTo(live(mask), [...mask.shape, ...new Array<number>(shape.length - mask.ndim).fill(1)], stream);
  return broadcastTo(m, shape, { stream });
}

/** The writing rules, keyed by primitive. */
export const indexingWriteRules: Rules<WritePrims> = {
  scatter: {
    vjp: ([a, u, ...idx], [ct], [out], p, stream) => {
      const read = (y: MxArray) => readPlan(y, idx, p, stream);
      const write = (b: MxArray, v: MxArray, mode: ScatterMode) => bind('scatter', [b, v, ...idx.map(live)], { ...p, mode }, stream);
      return [...scatterVjp(p.mode, 'scatter', a!, u!, ct!, out!, stream, read, write), ...idx.map(() => null)];
    },
    jvp: ([a, u, ...idx], [ta, tu], [out], p, stream) => {
      const read = (y: MxArray) => readPlan(y, idx, p, stream);
      const write = (b: MxArray, v: MxArray, mode: ScatterMode) => bind('scatter', [b, v, ...idx.map(live)], { ...p, mode }, stream);
      return [scatterJvp(p.mode, 'scatter', a!, u!, ta!, tu!, out!, stream, read, write)];
    },
    vmap: ([a, u, ...idx], [aax, uax, ...iax], p, stream) => {
      const n = batchSize([a!, u!, ...idx], [aax!, uax!, ...iax]);
      const { plan, arrays, outAxis } = batchPlan(p, idx, iax, n, stream);
      const ub = batchUpdates(u!, uax!, planShape(p), n, outAxis, stream);
      return [[bind('scatter', [batchedFront(live(a!), aax!, n, stream), ub, ...arrays], { ...plan, mode: p.mode }, stream)], [0]];
    },
  },
  scatterFlat: {
    vjp: ([a, idx, v], [ct], [out], p, stream) => {
      const read = (y: MxArray) => bind('gatherFlat', [y, live(idx!)], {}, stream);
      const write = (b: MxArray, w: MxArray, mode: ScatterMode) => bind('scatterFlat', [b, live(idx!), w], { mode }, stream);
      const [ca, cv] = scatterVjp(p.mode, 'scatterFlat', a!, v!, ct!, out!, stream, read, write);
      return [ca, null, cv];
    },
    jvp: ([a, idx, v], [ta, , tv], [out], p, stream) => {
      const read = (y: MxArray) => bind('gatherFlat', [y, live(idx!)], {}, stream);
      const write = (b: MxArray, w: MxArray, mode: ScatterMode) => bind('scatterFlat', [b, live(idx!), w], { mode }, stream);
      return [scatterJvp(p.mode, 'scatterFlat', a!, v!, ta!, tv!, out!, stream, read, write)];
    },
    // rows of the flattened batch, indexed by (batch arange, per-example flat index)
    vmap: ([a, idx, v], [aax, iax, vax], p, stream) => {
      const n = batchSize([a!, idx!, v!], [aax!, iax!, vax!]);
      const ab = batchedFront(live(a!), aax!, n, stream);
      const af = reshapeTo(ab, [n, ab.size / n], stream);
      const ib = iax === null ? live(idx!) : toFront(idx!, iax, stream);
      const s = iax === null ? [...idx!.shape] : ib.shape.slice(1);
      const bIdx = reshapeTo(arange(0, n, 1, dt.int32, { stream }), [n, ...new Array<number>(s.length).fill(1)], stream);
      const plan: IndexPlan = {
        starts: [0, 0], dims: [{ axis: 0, step: 1, size: n }, { axis: 1, step: 1, size: af.shape[1]! }],
        advDims: [0, 1], idxShape: [n, ...s], insertAt: 0,
      };
      const vb = batchUpdates(v!, vax!, s, n, 0, stream);
      const o = bind('scatter', [af, vb, bIdx, ib], { ...plan, mode: p.mode }, stream);
      return [[reshapeTo(o, ab.shape, stream)], [0]];
    },
  },
  scatterAxis: {
    vjp: ([a, idx, v], [ct], [out], p, stream) => {
      const read = (y: MxArray) => bind('gatherAxis', [y, live(idx!)], { axis: p.axis, shape: p.shape }, stream);
      const write = (b: MxArray, w: MxArray, mode: ScatterMode) => bind('scatterAxis', [b, live(idx!), w], { ...p, mode }, stream);
      const [ca, cv] = scatterVjp(p.mode, 'scatterAxis', a!, v!, ct!, out!, stream, read, write);
      return [ca, null, cv];
    },
    jvp: ([a, idx, v], [ta, , tv], [out], p, stream) => {
      const read = (y: MxArray) => bind('gatherAxis', [y, live(idx!)], { axis: p.axis, shape: p.shape }, stream);
      const write = (b: MxArray, w: MxArray, mode: ScatterMode) => bind('scatterAxis', [b, live(idx!), w], { ...p, mode }, stream);
      return [scatterJvp(p.mode, 'scatterAxis', a!, v!, ta!, tv!, out!, stream, read, write)];
    },
    vmap: ([a, idx, v], [aax, iax, vax], p, stream) => {
      const n = batchSize([a!, idx!, v!], [aax!, iax!, vax!]);
      const ib = iax === null ? expandDims(live(idx!), 0, { stream }) : toFront(idx!, iax, stream);
      const vb = batchUpdates(v!, vax!, p.shape, n, 0, stream);
      const q = { axis: p.axis + 1, shape: [n, ...p.shape], mode: p.mode };
      return [[bind('scatterAxis', [batchedFront(live(a!), aax!, n, stream), ib, vb], q, stream)], [0]];
    },
  },
  maskScatter: {
    vjp: ([a, mask, v], [ct], _o, p, stream) => {
      if (p.mode !== 'set' && p.mode !== 'add' && p.mode !== 'sub') {
        throw new Error(`[maskScatter] VJP is only defined for set, add and subtract, not ${p.mode}.`);
      }
      const m = maskTo(mask!, a!.shape, stream);
      const zero = zerosOf([], ct!.dtype, stream);
      const ca = p.mode === 'set' ? where(m, zero, ct!, { stream }) : ct!;
      const sel = reshapeTo(where(m, ct!, zero, { stream }), [ct!.size], stream);
      let cv: MxArray;
      if (v!.size === 1) cv = reshapeTo(sum(sel, { stream }), v!.shape, stream);
      else {
        // the c-th selected element took value min(c, nv - 1): scatter-add back through that map
        const pos = subtract(cumsum(astype(reshapeTo(m, [m.size], stream), dt.int32, { stream }), 0, { stream }), 1, { stream });
        cv = reshapeTo(zerosOf([v!.size], ct!.dtype, stream).at(pos).add(sel, { stream }), v!.shape, stream);
      }
      return [ca, null, p.mode === 'sub' ? negative(cv, { stream }) : cv];
    },
    jvp: ([a, mask, v], [ta, , tv], _o, p, stream) => {
      if (p.mode !== 'set' && p.mode !== 'add' && p.mode !== 'sub') {
        throw new Error(`[maskScatter] JVP is only defined for set, add and subtract, not ${p.mode}.`);
      }
      const tA = ta ?? zerosOf(a!.shape, a!.dtype, stream);
      const tV = tv ?? zerosOf(v!.shape, v!.dtype, stream);
      return [bind('maskScatter', [tA, live(mask!), tV], p, stream)];
    },
    vmap: ([a, mask, v], axes, p, stream) => {
      const ins = [a!, mask!, v!].map(live);
      if (p.mode !== 'set') return loopVmap(ins, axes, stream, ([x, mk, w]) => [bind('maskScatter', [x!, mk!, w!], p, stream)]);
      // set: each example consumes its own values in order, so gather them by the running count of its mask
      const n = batchSize(ins, axes);
      const ab = batchedFront(ins[0]!, axes[0]!, n, stream);
      const mb = batchedFront(ins[1]!, axes[1]!, n, stream);
      const m = maskTo(mb, ab.shape, stream);
      const mf = reshapeTo(m, [n, m.size / n], stream);
      const vb = batchedFront(ins[2]!, axes[2]!, n, stream);
      const vf = reshapeTo(vb, [n, vb.size / n], stream);
      const pos = subtract(cumsum(astype(mf, dt.int32, { stream }), 1, { stream }), 1, { stream });
      const vals = reshapeTo(takeAlongAxis(vf, pos, 1, { stream }), ab.shape, stream);
      return [[where(m, vals, ab, { stream })], [0]];
    },
  },
  dynamicSliceUpdate: {
    vjp: ([, u, start], [ct], _o, p, stream) => {
      const s = live(start!);
      const full = [...new Array<number>(ct!.ndim - u!.ndim).fill(1), ...u!.shape];
      return [
        sliceUpdate(ct!, zerosOf(u!.shape, ct!.dtype, stream), s, p.axes, { stream }),
        reshapeTo(slice(ct!, s, p.axes, full, { stream }), u!.shape, stream),
        null,
      ];
    },
    jvp: ([a, u, start], [ta, tu], _o, p, stream) => [
      sliceUpdate(ta ?? zerosOf(a!.shape, a!.dtype, stream), tu ?? zerosOf(u!.shape, u!.dtype, stream), live(start!), p.axes, { stream }),
    ],
    vmap: ([a, u, start], [aax, uax, sax], p, stream) => {
      const ins = [a!, u!, start!].map(live);
      // per-example starts (MLX has no rule for them): one update per example
      if (sax !== null) return loopVmap(ins, [aax!, uax!, sax!], stream, ([x, w, s]) => [sliceUpdate(x!, w!, s!, p.axes, { stream })]);
      const n = batchSize(ins, [aax!, uax!, sax!]);
      const ab = batchedFront(ins[0]!, aax!, n, stream);
      const nd = ab.ndim - 1;
      const ur = uax === null ? u!.ndim : u!.ndim - 1;
      const ub = batchedFront(ins[1]!, uax!, n, stream);
      const full = reshapeTo(ub, [n, ...new Array<number>(nd - ur).fill(1), ...ub.shape.slice(1)], stream);
      return [[sliceUpdate(ab, full, ins[2]!, p.axes.map((x) => x + 1), { stream })], [0]];
    },
  },
};
