/**
 * @file The `depends` primitive: outputs alias the first `n` inputs, and evaluating them evaluates the remaining
 * inputs too (MLX's `mx.depends`, for side effects such as distributed sends).
 */
import { definePrimitives } from '../primitive.js';
import { zerosLike } from '../ops/creation.js';

declare module '../primitive.js' {
  interface PrimitiveParams {
    depends: { n: number };
  }
}

definePrimitives({
  depends: {
    outputs: (inputs, p) => inputs.slice(0, p.n).map((x) => ({ shape: [...x.shape], dtype: x.dtype })),
    vjp: (inputs, cts, _o, p) => inputs.map((_x, i) => (i < p.n ? cts[i]! : null)),
    jvp: (inputs, tangents, _o, p) => inputs.slice(0, p.n).map((x, i) => tangents[i] ?? zerosLike(x)),
    vmap: (inputs, axes, p) => [inputs.slice(0, p.n), axes.slice(0, p.n)],
  },
});
