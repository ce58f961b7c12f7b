/**
 * @file CPU kernels of the ternary family: `where` copies storage values (bits for halves, BigInts, complex pairs)
 * from x or y by the condition, so it is exact for every dtype.
 */
import * as dt from '../../../core/dtype.js';
import type { CpuKernelTable } from '../kernel.js';
import { stridedLoop } from './elementwise-loop.js';
import { wasmWhereKernel } from '../wasm/where.js';

export const ternaryKernels: CpuKernelTable<'where'> = {
  where([c, x, y], _p, [out], be) {
    // large float32 selects run on the WASM SIMD kernel; the loops below are its reference
    const w = wasmWhereKernel(c!, x!, y!, out!, be);
    if (w) return [w];
    const o = be.alloc(out!.dtype, out!.shape);
    const cb = c!.buf as Uint8Array;
    const xb = x!.buf as unknown as Float64Array, yb = y!.buf as unknown as Float64Array, ob = o.buf as unknown as Float64Array;
    if (out!.dtype === dt.complex64) {
      stridedLoop([c!, x!, y!], out!.shape, (n, offs, steps, io) => {
        let ic = offs[0]!, ix = offs[1]!, iy = offs[2]!;
        for (let k = 0; k < n; k++, ic += steps[0]!, ix += steps[1]!, iy += steps[2]!) {
          const src = cb[ic] ? xb : yb, s = cb[ic] ? ix : iy;
          ob[2 * (io + k)] = src[2 * s]!; ob[2 * (io + k) + 1] = src[2 * s + 1]!;
        }
      });
    } else {
      stridedLoop([c!, x!, y!], out!.shape, (n, offs, steps, io) => {
        let ic = offs[0]!, ix = offs[1]!, iy = offs[2]!;
        const sc = steps[0]!, sx = steps[1]!, sy = steps[2]!;
        for (let k = 0; k < n; k++, ic += sc, ix += sx, iy += sy) ob[io + k] = cb[ic] ? xb[ix]! : yb[iy]!;
      });
    }
    return [o];
  },
};
