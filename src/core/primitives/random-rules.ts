/**
 * @file Transform rules of the random primitives. Samples are not differentiated (the key is integer data and the
 * bounds get no cotangent: gradients through `uniform(low, high)` are zero here, where MLX's composite would give
 * `1 - u` and `u`); `randomBits` batches over keys as MLX does, each key filling its own slice. The fused samplers
 * batch by drawing once per batch member (with that member's key and parameters) and stacking, which is exactly
 * what MLX's composites give under vmap: each key yields the samples it yields alone.
 */
import { bind, type MxArray } from '../array.js';
import type { Stream } from '../device.js';
import type { PrimitiveName, PrimitiveParams } from '../primitive.js';
import { moveaxis } from '../ops/layout.js';
import { stack } from '../ops/layout-join.js';
import { take } from '../ops/indexing.js';

/** vjp and jvp of a sampler: no cotangents for its inputs, zero tangents for its output. */
export const noGradRules = {
  vjp(primals: MxArray[]): (MxArray | null)[] { return primals.map(() => null); },
  jvp(_p: MxArray[], _t: (MxArray | null)[], outs: MxArray[], _params: unknown, stream: Stream): MxArray[] {
    return outs.map((o) => bind('full', [], { shape: o.shape, dtype: o.dtype, value: 0 }, stream));
  },
};

/** vjp, jvp and a per-member vmap for sampler `name`. */
export function samplerRules<N extends PrimitiveName>(name: N) {
  return {
    ...noGradRules,
    vmap(inputs: MxArray[], axes: (number | null)[], p: PrimitiveParams[N], stream: Stream): [MxArray[], (number | null)[]] {
      const i = axes.findIndex((a) => a !== null);
      if (i < 0) return [[bind(name, inputs, p, stream)], [null]];
      const n = inputs[i]!.shape[axes[i]!]!;
      const draws: MxArray[] = [];
      for (let b = 0; b < n; b++) {
        draws.push(bind(name, inputs.map((x, j) => (axes[j] === null ? x : take(x, b, axes[j]!, { stream }))), p, stream));
      }
      return [[stack(draws, 0, { stream })], [0]];
    },
  };
}

export const randomBitsRules = {
  ...noGradRules,
  vmap([key]: MxArray[], [ax]: (number | null)[], p: PrimitiveParams['randomBits'], stream: Stream): [MxArray[], (number | null)[]] {
    const k = ax === 0 ? key! : moveaxis(key!, ax!, 0, { stream });
    return [[bind('randomBits', [k], { shape: [k.shape[0]!, ...p.shape], width: p.width }, stream)], [0]];
  },
};
