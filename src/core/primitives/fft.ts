/**
 * @file The FFT primitive: one n-dimensional discrete Fourier transform over some axes, complex-to-complex,
 * real-to-complex (`real`, forward) or complex-to-real (`real`, inverse).
 */
import * as dt from '../dtype.js';
import { definePrimitives, single } from '../primitive.js';
import { fftRules } from '../transforms/rules-fft.js';

declare module '../primitive.js' {
  interface PrimitiveParams {
    /**
     * DFT over `axes` (non-negative, distinct) with transform length `n[i]` along `axes[i]`: the input is truncated
     * or zero-padded to it (for a complex-to-real transform the last axis is taken to `n/2 + 1` values). The
     * result is multiplied by `scale`, and an inverse transform also by `1 / prod(n)`. Input float32 (real
     * forward) or complex64; output complex64, or float32 for the complex-to-real transform.
     */
    fft: { axes: number[]; n: number[]; inverse: boolean; real: boolean; scale: number };
  }
}

/** Output shape of an FFT node. */
export function fftShape(shape: readonly number[], p: { axes: number[]; n: number[]; inverse: boolean; real: boolean }): number[] {
  const out = [...shape];
  p.axes.forEach((ax, i) => { out[ax] = p.n[i]!; });
  if (p.real && !p.inverse) {
    const last = p.axes[p.axes.length - 1]!;
    out[last] = Math.floor(p.n[p.n.length - 1]! / 2) + 1;
  }
  return out;
}

definePrimitives({
  fft: { outputs: ([x], p) => single(fftShape(x!.shape, p), p.real && p.inverse ? dt.float32 : dt.complex64), ...fftRules },
});
