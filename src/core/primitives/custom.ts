/**
 * @file The `custom` primitive behind `mx.customFunction` and `mx.checkpoint`. Its inputs are the function's
 * primals followed by the outputs of the function's own traced graph; its outputs alias the latter. Without
 * user rules it is transparent: cotangents, tangents and batching flow into the inner graph.
 */
import type { MxArray } from '../array.js';
import type { Stream } from '../device.js';
import { definePrimitives } from '../primitive.js';
import { zerosLike } from '../ops/creation.js';

/** User-supplied rules of a custom function (MLX's `custom_function.vjp/.jvp/.vmap`). */
export interface CustomRules {
  vjp?: (primals: MxArray[], cotangents: MxArray[], outputs: MxArray[]) => MxArray[];
  jvp?: (primals: MxArray[], tangents: MxArray[]) => MxArray[];
  vmap?: (inputs: MxArray[], axes: (number | null)[]) => [MxArray[], (number | null)[]];
}

declare module '../primitive.js' {
  interface PrimitiveParams {
    custom: { nPrimals: number; rules: CustomRules };
  }
}

definePrimitives({
  custom: {
    outputs: (inputs, p) => inputs.slice(p.nPrimals).map((o) => ({ shape: [...o.shape], dtype: o.dtype })),
    vjp(inputs, cts, outputs, p) {
      const primals = inputs.slice(0, p.nPrimals);
      if (!p.rules.vjp) return [...primals.map(() => null), ...cts];
      const got = p.rules.vjp(primals, cts, outputs);
      return [...got, ...outputs.map(() => null)];
    },
    jvp(inputs, tangents, _outputs, p) {
      const primals = inputs.slice(0, p.nPrimals);
      if (!p.rules.jvp) {
        return inputs.slice(p.nPrimals).map((o, i) => tangents[p.nPrimals + i] ?? zerosLike(o));
      }
      return p.rules.jvp(primals, primals.map((x, i) => tangents[i] ?? zerosLike(x)));
    },
    vmap(inputs, axes, p, _stream: Stream) {
      if (!p.rules.vmap) return [inputs.slice(p.nPrimals), axes.slice(p.nPrimals)];
      return p.rules.vmap(inputs.slice(0, p.nPrimals), axes.slice(0, p.nPrimals));
    },
  },
});
