/**
 * @file Ternary elementwise primitives: `where` (select by a bool condition; x and y share a dtype).
 */
import { broadcastShapes } from '../shape.js';
import { definePrimitives, single } from '../primitive.js';
import type { NoParams } from './unary.js';

declare module '../primitive.js' {
  interface PrimitiveParams {
    /** `cond ? x : y` elementwise, all three broadcast together. */
    where: NoParams;
  }
}

definePrimitives({
  where: { outputs: (xs) => single(broadcastShapes(xs.map((x) => x.shape)), xs[1]!.dtype) },
});
