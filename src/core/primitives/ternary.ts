/**
 * @file Ternary elementwise primitives: `where` (select by a bool condition; x and y share a dtype), with its
 * transform rules. The condition is bool, so it never carries a gradient.
 */
import { broadcastShapes, shapesEqual } from '../shape.js';
import { definePrimitives, single } from '../primitive.js';
import type { NoParams } from './unary.js';
import { where } from '../ops/ternary.js';
import { zerosLike } from '../ops/creation.js';
import { broadcastTo } from '../ops/layout.js';
import { differentiable, unbroadcast, vmapElementwise } from '../transforms/rules-elementwise.js';

declare module '../primitive.js' {
  interface PrimitiveParams {
    /** `cond ? x : y` elementwise, all three broadcast together. */
    where: NoParams;
  }
}

definePrimitives({
  where: {
    outputs: (xs) => single(broadcastShapes(xs.map((x) => x.shape)), xs[1]!.dtype),
    // d where(c, x, y) = where(c, dx, 0) + where(c, 0, dy); each cotangent summed back to its input's shape
    vjp: ([c, x, y], [ct], _o, _p, stream) => {
      const o = { stream };
      return [
        null,
        differentiable(x!) ? unbroadcast(where(c!, ct!, 0, o), x!.shape, stream) : null,
        differentiable(y!) ? unbroadcast(where(c!, 0, ct!, o), y!.shape, stream) : null,
      ];
    },
    jvp: ([c, x], [, tx, ty], [out], _p, stream) => {
      const o = { stream };
      if (!differentiable(x!) || (!tx && !ty)) return [zerosLike(out!, o)];
      const t = where(c!, tx ?? 0, ty ?? 0, o);
      return [shapesEqual(t.shape, out!.shape) ? t : broadcastTo(t, out!.shape, o)];
    },
    vmap: vmapElementwise('where'),
  },
});
