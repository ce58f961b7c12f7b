/**
 * @file vjp, jvp and vmap rules of the sorting primitives. sort, partition and topk output elements of their
 * input, so derivatives move cotangents/tangents along the permutation that relates the two. That permutation is
 * recovered with argsort of the input (and, for partition and topk, whose order within a lane is unspecified,
 * argsort of the output), never from assumptions about the kernel's order: sorting both sides lines equal values
 * up. Index outputs (argsort, argpartition, searchsorted) have no derivative.
 */
import { bind, type MxArray } from '../array.js';
import type { Stream } from '../device.js';
import * as dt from '../dtype.js';
import type { PrimitiveDef, PrimitiveName } from '../primitive.js';
import { less, lessEqual, logicalOr, logicalAnd } from '../ops/binary.js';
import { isnan, logicalNot } from '../ops/unary.js';
import { astype } from '../ops/basic.js';
import { sum } from '../ops/reduce.js';
import { argsort } from '../ops/sort.js';
import { take, takeAlongAxis, putAlongAxis } from '../ops/indexing.js';
import { zerosLike } from '../ops/creation.js';
import { reshape, expandDims } from '../ops/layout.js';
import { toFront, differentiable, like } from './rules-reduce-util.js';

type Rules<P extends PrimitiveName> = Required<Pick<PrimitiveDef<P>, 'vjp' | 'jvp' | 'vmap'>>;
type AxisP = { axis: number | null };

/** The array the lane op sees: flattened for axis null, with the axis to use. */
function lane(x: MxArray, p: AxisP, stream: Stream): [MxArray, number] {
  return p.axis === null ? [reshape(x, [-1], { stream }), 0] : [x, p.axis];
}

/**
 * Positions in x of the output's elements, in ascending value order (`src`), and the output positions holding
 * them (`dst`, null when the output is sorted): out[dst[m]] = x[src[m]].
 */
interface Matching { src: MxArray; dst: MxArray | null; axis: number }

function matching(prim: 'sort' | 'partition' | 'topk', x: MxArray, y: MxArray, p: AxisP & { k?: number }, stream: Stream): Matching {
  const s = { stream };
  const [xl, axis] = lane(x, p, stream);
  let src = argsort(xl, axis, s);
  if (prim === 'topk') {
    // the k largest are the last k in ascending order
    const n = xl.shape[axis]!;
    src = take(src, Array.from({ length: p.k! }, (_, i) => n - p.k! + i), axis, s);
  }
  return { src, dst: prim === 'sort' ? null : argsort(y, axis, s), axis };
}

function permVjp(prim: 'sort' | 'partition' | 'topk') {
  return ([x]: MxArray[], [ct]: MxArray[], [y]: MxArray[], p: AxisP & { k?: number }, stream: Stream): (MxArray | null)[] => {
    if (!differentiable(x!)) return [null];
    const s = { stream };
    const m = matching(prim, x!, y!, p, stream);
    // dx[src[m]] = ct[dst[m]]; src holds distinct positions, so a plain scatter adds nothing twice
    const c = m.dst ? takeAlongAxis(ct!, m.dst, m.axis, s) : ct!;
    const [xl] = lane(x!, p, stream);
    const g = putAlongAxis(zerosLike(xl), m.src, like(c, x!, stream), m.axis, s);
    return [reshape(g, x!.shape, s)];
  };
}

function permJvp(prim: 'sort' | 'partition' | 'topk') {
  return ([x]: MxArray[], [t]: (MxArray | null)[], [y]: MxArray[], p: AxisP & { k?: number }, stream: Stream): MxArray[] => {
    if (!differentiable(x!)) return [zerosLike(y!)];
    const s = { stream };
    const m = matching(prim, x!, y!, p, stream);
    const [tl] = lane(t!, p, stream);
    const picked = takeAlongAxis(tl, m.src, m.axis, s);
    return [m.dst ? putAlongAxis(zerosLike(y!), m.dst, picked, m.axis, s) : picked];
  };
}

/** vmap of a lane primitive: batch axis first, axis shifted by one (axis null: each example flattened). */
function laneVmap<P extends 'sort' | 'argsort' | 'partition' | 'argpartition' | 'topk'>(prim: P) {
  return ([x]: MxArray[], [ax]: (number | null)[], p: AxisP, stream: Stream): [MxArray[], (number | null)[]] => {
    let xb = toFront(x!, ax!, stream);
    if (p.axis === null) xb = reshape(xb, [xb.shape[0]!, -1], { stream });
    const params = { ...p, axis: p.axis === null ? 1 : p.axis + 1 } as never;
    return [[bind(prim, [xb], params, stream)], [0]];
  };
}

const indexRules = <P extends 'argsort' | 'argpartition'>(prim: P): Rules<P> => ({
  vjp: () => [null],
  jvp: (_x, _t, [out]) => [zerosLike(out!)],
  vmap: laneVmap(prim),
});

/**
 * Rules of `sort`, `partition` and `topk`: cotangents go back to the elements each output copies.
 *
 * @example
 * ```ts
 * mx.vjp((x) => mx.sort(x), [mx.array([3, 1, 2])], [mx.array([10, 20, 30])]); // dx = [30, 10, 20]
 * ```
 */
export const sortRules: Rules<'sort'> = { vjp: permVjp('sort'), jvp: permJvp('sort'), vmap: laneVmap('sort') };
export const partitionRules: Rules<'partition'> = { vjp: permVjp('partition'), jvp: permJvp('partition'), vmap: laneVmap('partition') };
export const topkRules: Rules<'topk'> = { vjp: permVjp('topk'), jvp: permJvp('topk'), vmap: laneVmap('topk') };
/**
 * Rules of `argsort` and `argpartition`: integer outputs, no gradient.
 *
 * @example
 * ```ts
 * mx.vmap((r) => mx.argsort(r))(mx.array([[3, 1], [0, 2]])); // [[1, 0], [0, 1]]
 * ```
 */
export const argsortRules = indexRules('argsort');
export const argpartitionRules = indexRules('argpartition');

/**
 * Rules of `searchsorted`: integer outputs, no gradient; vmap handles a batch of sequences by counting.
 *
 * @example
 * ```ts
 * mx.vmap((s, v) => mx.searchsorted(s, v))(seqs, vals); // one sequence per row
 * ```
 */
export const searchsortedRules: Rules<'searchsorted'> = {
  vjp: () => [null, null],
  jvp: (_x, _t, [out]) => [zerosLike(out!)],
  vmap([seq, v], [sa, va], p, stream) {
    const s = { stream };
    if (sa === null) return [[bind('searchsorted', [seq!, v!], p, stream)], [va!]];
    // one sequence per example: count, per value, the sequence elements ordered before it (NaN greatest)
    const sb = toFront(seq!, sa!, stream);
    const vb = va === null ? expandDims(v!, 0, s) : toFront(v!, va!, stream);
    const nb = sb.shape[0]!;
    const vv = expandDims(vb, -1, s);
    const ss = reshape(sb, [nb, ...new Array<number>(vb.ndim - 1).fill(1), sb.shape[1]!], s);
    const nanV = isnan(vv, s), nanS = isnan(ss, s);
    const before = p.side === 'left'
      ? logicalOr(less(ss, vv, s), logicalAnd(nanV, logicalNot(nanS, s), s), s)
      : logicalOr(lessEqual(ss, vv, s), nanV, s);
    return [[astype(sum(before, -1, false, s), dt.uint32, s)], [0]];
  },
};
