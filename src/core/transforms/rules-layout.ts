/**
 * @file vjp, jvp and vmap rules of the layout primitives (spread into their definitions in primitives/layout.ts).
 * Views are linear maps of element positions, so each cotangent is the adjoint view (reshape back, inverse
 * permutation, sum over broadcast dims, zeros outside a slice) and each tangent is the same view of the tangent.
 * Rules build on public ops (or primitives that have rules), so they differentiate again.
 */
import { MxArray, bind, bindMulti } from '../array.js';
import type { Stream } from '../device.js';
import type { PrimitiveDef, PrimitiveName } from '../primitive.js';
import * as dt from '../dtype.js';
import { sizeOf } from '../shape.js';
import { reshapeTo, permute, broadcastTo } from '../ops/layout.js';
import { concatenate, splitAt } from '../ops/layout-join.js';
import { pad, flip, diagonal, asStrided, contiguous } from '../ops/layout-misc.js';
import { arange, fullScalar } from '../ops/creation.js';
import { add, subtract } from '../ops/binary.js';
import { where } from '../ops/ternary.js';
import { sum } from '../ops/reduce.js';
import { Slice } from '../ops/index-parse.js';
import { index } from '../ops/index-api.js';
import { live, zerosOf, toFront, batchSize, batchedFront, sumTo } from './rules-layout-util.js';

type Rules<K extends PrimitiveName> = { [N in K]: Required<Pick<PrimitiveDef<N>, 'vjp' | 'jvp' | 'vmap'>> };
type LayoutPrims = 'reshape' | 'transpose' | 'broadcastTo' | 'split' | 'flip' | 'diagonal' | 'asStrided' |
  'concatenate' | 'pad' | 'diagMatrix' | 'view' | 'contiguous';

const shift = (axes: readonly number[]): number[] => axes.map((a) => a + 1);

/**
 * Scatter-adds `ct` (one value per element of a view) into zeros of `shape` through an index map: `idx` holds, for
 * each view element, the row-major position it was read from. Positions read twice accumulate.
 */
function scatterThroughMap(ct: MxArray, idx: MxArray, shape: readonly number[], stream: Stream): MxArray {
  const flat = zerosOf([sizeOf(shape)], ct.dtype, stream);
  const upd = reshapeTo(ct, [ct.size], stream);
  const out = flat.at(reshapeTo(idx, [idx.size], stream)).add(upd, { stream });
  return reshapeTo(out, shape, stream);
}

/** Row-major positions of an array of `shape`, as int32 of that shape. */
function positions(shape: readonly number[], stream: Stream): MxArray {
  return reshapeTo(arange(0, sizeOf(shape), 1, dt.int32, { stream }), shape, stream);
}

/** The interior window `lo[i] : lo[i] + shape[i]` of a padded array, as a view. */
function interior(x: MxArray, lo: readonly number[], shape: readonly number[], stream: Stream): MxArray {
  return index(x, ...lo.map((l, i) => new Slice(l, l + shape[i]!, 1)), { stream });
}

/** Cotangent of a diagonal: `ct` placed on the diagonal of zeros of the input's shape. */
function diagonalVjp(ct: MxArray, shape: readonly number[], p: { offset: number; axis1: number; axis2: number }, stream: Stream): MxArray {
  const nd = shape.length;
  const rest = shape.map((_, i) => i).filter((i) => i !== p.axis1 && i !== p.axis2);
  const len = ct.shape[ct.ndim - 1]!;
  const i = arange(Math.max(0, -p.offset), Math.max(0, -p.offset) + len, 1, dt.int32, { stream });
  const j = arange(Math.max(0, p.offset), Math.max(0, p.offset) + len, 1, dt.int32, { stream });
  // in the layout [...rest, axis1, axis2] the diagonal is `[..., i, j]` with index dims last, matching ct
  const order = [...rest, p.axis1, p.axis2];
  const z = zerosOf(order.map((a) => shape[a]!), ct.dtype, stream);
  const filled = z.at('...', i, j).add(ct, { stream });
  const inv = new Array<number>(nd);
  order.forEach((a, k) => { inv[a] = k; });
  return permute(filled, inv, stream);
}

/** The layout rules, keyed by primitive. */
export const layoutRules: Rules<LayoutPrims> = {
  reshape: {
    vjp: ([x], [ct], _o, _p, stream) => [reshapeTo(ct!, x!.shape, stream)],
    jvp: (_x, [t], _o, p, stream) => [reshapeTo(t!, p.shape, stream)],
    vmap: ([x], [ax], p, stream) => {
      const xb = toFront(x!, ax!, stream);
      return [[reshapeTo(xb, [xb.shape[0]!, ...p.shape], stream)], [0]];
    },
  },
  transpose: {
    // the adjoint of a permutation is its inverse
    vjp: (_x, [ct], _o, p, stream) => {
      const inv = new Array<number>(p.axes.length);
      p.axes.forEach((a, i) => { inv[a] = i; });
      return [permute(ct!, inv, stream)];
    },
    jvp: (_x, [t], _o, p, stream) => [permute(t!, p.axes, stream)],
    vmap: ([x], [ax], p, stream) => [[permute(toFront(x!, ax!, stream), [0, ...shift(p.axes)], stream)], [0]],
  },
  broadcastTo: {
    vjp: ([x], [ct], _o, _p, stream) => [sumTo(ct!, x!.shape, stream)],
    jvp: (_x, [t], _o, p, stream) => [broadcastTo(t!, p.shape, { stream })],
    vmap: ([x], [ax], p, stream) => {
      const xb = toFront(x!, ax!, stream);
      const n = xb.shape[0]!;
      // per-example dims align from the right: pad with 1s after the batch axis
      const lifted = reshapeTo(xb, [n, ...new Array<number>(p.shape.length - x!.ndim + 1).fill(1), ...xb.shape.slice(1)], stream);
      return [[broadcastTo(lifted, [n, ...p.shape], { stream })], [0]];
    },
  },
  split: {
    // pieces may overlap or leave gaps (diff, roll): each cotangent is zero-padded back to the full axis and summed,
    // unless the pieces tile the axis in order, where one concatenate does it
    vjp: ([x], cts, _o, p, stream) => {
      const n = x!.shape[p.axis]!;
      let at = 0;
      const tiles = p.starts.every((s, i) => { const ok = s === at; at += p.sizes[i]!; return ok; }) && at === n;
      if (tiles) return [concatenate(cts as MxArray[], p.axis, { stream })];
      let acc: MxArray | null = null;
      cts.forEach((c, i) => {
        const w = x!.shape.map((): [number, number] => [0, 0]);
        w[p.axis] = [p.starts[i]!, n - p.starts[i]! - p.sizes[i]!];
        const full = pad(c!, w, 'constant', { stream });
        acc = acc ? add(acc, full, { stream }) : full;
      });
      return [acc ?? zerosOf(x!.shape, x!.dtype, stream)];
    },
    jvp: (_x, [t], _o, p, stream) => bindMulti('split', [t!], p, stream),
    vmap: ([x], [ax], p, stream) => {
      const outs = splitAt(toFront(x!, ax!, stream), [...p.starts], [...p.sizes], p.axis + 1, { stream }, 'split');
      return [outs, outs.map(() => 0)];
    },
  },
  flip: {
    vjp: (_x, [ct], _o, p, stream) => [flip(ct!, p.axes, { stream })],
    jvp: (_x, [t], _o, p, stream) => [flip(t!, p.axes, { stream })],
    vmap: ([x], [ax], p, stream) => [[flip(toFront(x!, ax!, stream), shift(p.axes), { stream })], [0]],
  },
  diagonal: {
    vjp: ([x], [ct], _o, p, stream) => [diagonalVjp(ct!, x!.shape, p, stream)],
    jvp: (_x, [t], _o, p, stream) => [bind('diagonal', [t!], p, stream)],
    // the batch axis is the first of the kept dims, so it stays first
    vmap: ([x], [ax], p, stream) => [[diagonal(toFront(x!, ax!, stream), p.offset, p.axis1 + 1, p.axis2 + 1, { stream })], [0]],
  },
  asStrided: {
    // scatter-add through the strided index map (MLX): overlapping windows accumulate
    vjp: ([x], [ct], _o, p, stream) => {
      const idx = asStrided(arange(0, x!.size, 1, dt.int32, { stream }), p.shape, p.strides, p.offset, { stream });
      return [scatterThroughMap(ct!, idx, x!.shape, stream)];
    },
    jvp: (_x, [t], _o, p, stream) => [asStrided(t!, p.shape, p.strides, p.offset, { stream })],
    // each example is one row-major block of size n: step over blocks with stride n
    vmap: ([x], [ax], p, stream) => {
      const xb = toFront(x!, ax!, stream);
      const n = x!.size / x!.shape[ax!]!;
      return [[asStrided(xb, [xb.shape[0]!, ...p.shape], [n, ...p.strides], p.offset, { stream })], [0]];
    },
  },
  concatenate: {
    vjp: (xs, [ct], _o, p, stream) => {
      let at = 0;
      const starts = xs.map((x) => { const s = at; at += x.shape[p.axis]!; return s; });
      return splitAt(ct!, starts, xs.map((x) => x.shape[p.axis]!), p.axis, { stream }, 'concatenate');
    },
    jvp: (xs, ts, _o, p, stream) => [
      concatenate(xs.map((x, i) => ts[i] ?? zerosOf(x.shape, x.dtype, stream)), p.axis, { stream }),
    ],
    vmap: (xs, axes, p, stream) => {
      const n = batchSize(xs, axes);
      return [[concatenate(xs.map((x, i) => batchedFront(live(x), axes[i]!, n, stream)), p.axis + 1, { stream })], [0]];
    },
  },
  pad: {
    vjp: ([x, c], [ct], _o, p, stream) => {
      if (p.mode !== 'constant') {
        // edge/reflect/symmetric read input elements several times: pad the positions, then scatter-add through them
        const idx = bind('pad', [positions(x!.shape, stream), zerosOf([], dt.int32, stream)], p, stream);
        return [scatterThroughMap(ct!, idx, x!.shape, stream), null];
      }
      // constant: the input gets the interior, the constant everything else
      const inner = interior(ct!, p.lo, x!.shape, stream);
      const rest = subtract(sum(ct!, { stream }), sum(inner, { stream }), { stream });
      return [inner, reshapeTo(rest, c!.shape, stream)];
    },
    jvp: ([x, c], [tx, tc], _o, p, stream) => {
      const t = tx ?? zerosOf(x!.shape, x!.dtype, stream);
      const tcv = p.mode === 'constant' && tc ? tc : zerosOf(c!.shape, c!.dtype, stream);
      return [bind('pad', [t, tcv], p, stream)];
    },
    vmap: ([x, c], [ax, cax], p, stream) => {
      const n = batchSize([x!, c!], [ax!, cax!]);
      const xb = batchedFront(x!, ax!, n, stream);
      const q = { ...p, lo: [0, ...p.lo], hi: [0, ...p.hi] };
      if (cax === null || p.mode !== 'constant') return [[bind('pad', [xb, live(c!)], q, stream)], [0]];
      // a constant per example: pad with zeros, then fill the border from the batched constant
      const zero = zerosOf([], x!.dtype, stream);
      const padded = bind('pad', [xb, zero], q, stream);
      const mask = bind('pad', [fullScalar(xb.shape, true, dt.bool, stream), zerosOf([], dt.bool, stream)], q, stream);
      const cb = reshapeTo(toFront(c!, cax!, stream), [n, ...new Array<number>(x!.ndim - (ax === null ? 0 : 1)).fill(1)], stream);
      return [[where(mask, padded, cb, { stream })], [0]];
    },
  },
  diagMatrix: {
    vjp: (_x, [ct], _o, p, stream) => [diagonal(ct!, p.k, 0, 1, { stream })],
    jvp: (_x, [t], _o, p, stream) => [bind('diagMatrix', [t!], p, stream)],
    // a batch of diagonals: write each row into its own matrix
    vmap: ([x], [ax], p, stream) => {
      const xb = toFront(x!, ax!, stream);
      const [b, m] = [xb.shape[0]!, xb.shape[1]!];
      const n = m + Math.abs(p.k);
      const i = arange(Math.max(0, -p.k), Math.max(0, -p.k) + m, 1, dt.int32, { stream });
      const j = arange(Math.max(0, p.k), Math.max(0, p.k) + m, 1, dt.int32, { stream });
      return [[zerosOf([b, n, n], x!.dtype, stream).at(new Slice(), i, j).set(xb, { stream })], [0]];
    },
  },
  view: {
    vjp: () => { throw new Error('[view] A bit reinterpretation (view) is not differentiable.'); },
    jvp: () => { throw new Error('[view] A bit reinterpretation (view) is not differentiable.'); },
    // the last axis rescales with the item size, so a batch axis there moves first
    vmap: ([x], [ax], p, stream) => {
      const resized = x!.dtype.size !== p.dtype.size && ax === x!.ndim - 1;
      const xb = resized ? toFront(x!, ax!, stream) : x!;
      return [[bind('view', [xb], p, stream)], [resized ? 0 : ax!]];
    },
  },
  contiguous: {
    vjp: (_x, [ct]) => [ct!],
    jvp: (_x, [t], _o, p, stream) => [contiguous(t!, p.allowColMajor, { stream })],
    vmap: ([x], [ax], p, stream) => [[contiguous(x!, p.allowColMajor, { stream })], [ax!]],
  },
};
