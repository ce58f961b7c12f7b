/**
 * @file Basic primitives: dtype conversion.
 */
import type { Dtype } from '../dtype.js';
import { definePrimitives, single } from '../primitive.js';

declare module '../primitive.js' {
  interface PrimitiveParams {
    /** Converts element type (C cast semantics; complex to real keeps the real part). */
    astype: { dtype: Dtype };
  }
}

definePrimitives({
  astype: { outputs: ([x], p) => single(x!.shape, p.dtype) },
});
