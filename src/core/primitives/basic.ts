/**
 * @file Basic primitives: dtype conversion.
 */
import type { Dtype } from '../dtype.js';
import { isInexact } from '../dtype.js';
import { definePrimitives, single } from '../primitive.js';
import { astype } from '../ops/basic.js';

declare module '../primitive.js' {
  interface PrimitiveParams {
    /** Converts element type (C cast semantics; complex to real keeps the real part). */
    astype: { dtype: Dtype };
  }
}

definePrimitives({
  astype: {
    outputs: ([x], p) => single(x!.shape, p.dtype),
    // d cast(x) = cast(dx): gradients flow between float types and stop at integer/bool ends
    vjp: ([x], [ct], _o, p, stream) => [isInexact(x!.dtype) && isInexact(p.dtype) ? astype(ct!, x!.dtype, { stream }) : null],
    jvp: (_x, [t], _o, p, stream) => [astype(t!, p.dtype, { stream })],
    vmap: ([x], [ax], p, stream) => [[astype(x!, p.dtype, { stream })], [ax!]],
  },
});
