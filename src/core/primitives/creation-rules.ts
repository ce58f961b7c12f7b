/**
 * @file Transform rules (vjp, jvp, vmap) of the creation primitives. `full` with an input is a broadcast fill, whose
 * cotangent is the sum over the broadcast axes; `triMask` is linear, so it maps tangents and cotangents through
 * itself. Fills without inputs (`arange`, `tri`, `windowFn`, constant `full`) are constants: no cotangents, zero
 * tangents, and an unbatched result under vmap (the driver never reaches them, as nothing they read is mapped).
 */
import { bind, type MxArray } from '../array.js';
import type { Stream } from '../device.js';
import { isInexact } from '../dtype.js';
import type { PrimitiveName, PrimitiveParams } from '../primitive.js';
import { sum } from '../ops/reduce.js';
import { reshape, moveaxis } from '../ops/layout.js';
import { astype } from '../ops/basic.js';

type FullP = PrimitiveParams['full'];

/** How input 0 of `full` sits in the output: its shape padded to the output's rank. */
function placed(x: MxArray, p: FullP): number[] {
  if (p.axis !== undefined) return p.shape.map((_, i) => (i === p.axis ? x.size : 1));
  return [...new Array<number>(p.shape.length - x.ndim).fill(1), ...x.shape];
}

export const fullRules = {
  vjp(primals: MxArray[], [ct]: MxArray[], _o: MxArray[], p: FullP, stream: Stream): (MxArray | null)[] {
    if (primals.length === 0) return [];
    const x = primals[0]!;
    // an integer/bool fill value, or a fill into an integer dtype, carries no gradient
    if (!isInexact(x.dtype) || !isInexact(p.dtype)) return [null];
    const pad = placed(x, p);
    const axes = p.shape.map((_, i) => i).filter((i) => pad[i] === 1 && p.shape[i] !== 1);
    const s = axes.length ? sum(ct!, axes, true, { stream }) : ct!;
    return [astype(reshape(s, x.shape, { stream }), x.dtype, { stream })];
  },
  jvp(primals: MxArray[], tangents: (MxArray | null)[], _o: MxArray[], p: FullP, stream: Stream): MxArray[] {
    const t = tangents[0];
    if (primals.length === 0 || !t) return [bind('full', [], { shape: p.shape, dtype: p.dtype, value: 0 }, stream)];
    return [bind('full', [t], p, stream)];
  },
  vmap(inputs: MxArray[], axes: (number | null)[], p: FullP, stream: Stream): [MxArray[], (number | null)[]] {
    if (inputs.length === 0 || axes[0] === null) return [[bind('full', inputs, p, stream)], [null]];
    const x = inputs[0]!, ax = axes[0]!;
    const b = x.shape[ax]!;
    const moved = ax === 0 ? x : moveaxis(x, ax, 0, { stream });
    // each batch member placed as in the unbatched fill, behind a leading batch axis
    const member = p.axis !== undefined
      ? p.shape.map((d, i) => (i === p.axis ? d : 1))
      : [...new Array<number>(p.shape.length - (x.ndim - 1)).fill(1), ...moved.shape.slice(1)];
    const src = reshape(moved, [b, ...member], { stream });
    return [[bind('full', [src], { shape: [b, ...p.shape], dtype: p.dtype }, stream)], [0]];
  },
};

type TriP = PrimitiveParams['triMask'];

export const triMaskRules = {
  vjp(_x: MxArray[], [ct]: MxArray[], _o: MxArray[], p: TriP, stream: Stream): (MxArray | null)[] {
    return [bind('triMask', [ct!], p, stream)];
  },
  jvp(_x: MxArray[], [t]: (MxArray | null)[], outs: MxArray[], p: TriP, stream: Stream): MxArray[] {
    return [t ? bind('triMask', [t], p, stream) : bind('full', [], { shape: outs[0]!.shape, dtype: outs[0]!.dtype, value: 0 }, stream)];
  },
  vmap([x]: MxArray[], [ax]: (number | null)[], p: TriP, stream: Stream): [MxArray[], (number | null)[]] {
    // the mask acts on the last two axes: keep the batch axis in front of them
    return [[bind('triMask', [ax === 0 ? x! : moveaxis(x!, ax!, 0, { stream })], p, stream)], [0]];
  },
};

/** Rules of a fill without inputs: a constant of its output's shape and dtype. */
export function constantRules<N extends PrimitiveName>(name: N) {
  return {
    vjp(): (MxArray | null)[] { return []; },
    jvp(_x: MxArray[], _t: (MxArray | null)[], outs: MxArray[], _p: PrimitiveParams[N], stream: Stream): MxArray[] {
      return outs.map((o) => bind('full', [], { shape: o.shape, dtype: o.dtype, value: 0 }, stream));
    },
    vmap(_x: MxArray[], _a: (number | null)[], p: PrimitiveParams[N], stream: Stream): [MxArray[], (number | null)[]] {
      return [[bind(name, [], p, stream)], [null]];
    },
  };
}
