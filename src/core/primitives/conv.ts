/**
 * @file The convolution primitive. One general channels-last convolution (MLX's `Convolution`) covers conv1d/2d/3d,
 * the transposed convolutions and convGeneral: input `[N, ...spatial, C_in]`, weight `[C_out, ...kernel, C_in/G]`,
 * output `[N, ...out, C_out]`. The input is first dilated (`inputDilation - 1` zeros between elements), then
 * padded by `padLo`/`padHi` zeros (negative padding crops), and the kernel, dilated by `kernelDilation` and flipped
 * when `flip`, slides over it with `stride`. Gradient, jvp and vmap rules are in conv-rules.ts.
 */
import { definePrimitives, single } from '../primitive.js';
import { convVjp, convJvp, convVmap } from './conv-rules.js';

/** Every parameter of a convolution, one entry per spatial dimension (already expanded by the op). */
export interface ConvParams {
  stride: number[];
  padLo: number[];
  padHi: number[];
  kernelDilation: number[];
  inputDilation: number[];
  groups: number;
  flip: boolean;
}

declare module '../primitive.js' {
  interface PrimitiveParams {
    /** General convolution of `[x, w]` (same floating dtype); see the file comment for the layout. */
    conv: ConvParams;
  }
}

/** Extent of a dilated window or input: `(n - 1) * d + 1` (0 for an empty one). */
export const dilatedSize = (n: number, d: number): number => (n === 0 ? 0 : (n - 1) * d + 1);

/**
 * Output spatial extents of a convolution; a value below 1 means the dilated kernel does not fit in the padded,
 * dilated input (the op reports it).
 */
export function convOutSpatial(xShape: readonly number[], wShape: readonly number[], p: ConvParams): number[] {
  const nd = xShape.length - 2;
  const out: number[] = [];
  for (let d = 0; d < nd; d++) {
    const span = dilatedSize(xShape[d + 1]!, p.inputDilation[d]!) + p.padLo[d]! + p.padHi[d]!;
    const k = dilatedSize(wShape[d + 1]!, p.kernelDilation[d]!);
    out.push(Math.floor((span - k) / p.stride[d]!) + 1);
  }
  return out;
}

definePrimitives({
  conv: {
    outputs: ([x, w], p) => single([x!.shape[0]!, ...convOutSpatial(x!.shape, w!.shape, p), w!.shape[0]!], x!.dtype),
    vjp: convVjp,
    jvp: convJvp,
    vmap: convVmap,
  },
});
