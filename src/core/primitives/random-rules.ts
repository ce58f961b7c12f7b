/**
 * @file Transform rules of the random primitives. Samples are not differentiated (the key is integer data and the
 * bounds get no cotangent: gradients through `uniform(low, high)` are zero here, where MLX's composite would give
 * `1 - u` and `u`); `randomBits` batches over keys as MLX does, each key filling its own slice.
 */
import { bind, type MxArray } from '../array.js';
import type { Stream } from '../device.js';
import type { PrimitiveParams } from '../primitive.js';
import { moveaxis } from '../ops/layout.js';

/** vjp and jvp of a sampler: no cotangents for its inputs, zero tangents for its output. */
export const noGradRules = {
  vjp(primals: MxArray[]): (MxArray | null)[] { return primals.map(() => null); },
  jvp(_p: MxArray[], _t: (MxArray | null)[], outs: MxArray[], _params: unknown, stream: Stream): MxArray[] {
    return outs.map((o) => bind('full', [], { shape: o.shape, dtype: o.dtype, value: 0 }, stream));
  },
};

export const randomBitsRules = {
  ...noGradRules,
  vmap([key]: MxArray[], [ax]: (number | null)[], p: PrimitiveParams['randomBits'], stream: Stream): [MxArray[], (number | null)[]] {
    const k = ax === 0 ? key! : moveaxis(key!, ax!, 0, { stream });
    return [[bind('randomBits', [k], { shape: [k.shape[0]!, ...p.shape], width: p.width }, stream)], [0]];
  },
};
