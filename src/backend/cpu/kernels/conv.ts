/**
 * @file CPU kernel of the `conv` primitive: im2col + the GEMM of matmul-gemm.ts. For each image and group, a block
 * of output positions gathers its receptive fields into rows of a column buffer (zeros where the window falls on
 * padding or between dilated input elements), which multiplies the group's packed weights straight into the
 * output's channel slice. float32/float64 run in their own precision; float16/bfloat16 are widened to float32 and
 * rounded once at the end.
 */
import * as dt from '../../../core/dtype.js';
import { floatToHalf, floatToBf16 } from '../../../core/half.js';
import { sizeOf } from '../../../core/shape.js';
import type { CpuKernelTable } from '../kernel.js';
import { toFloat64, type CpuView } from '../view.js';
import { gemm, type FloatBuf } from './matmul-gemm.js';

// elements of the column buffer per block of output positions: bounds memory for large images
const COL_BLOCK = 1 << 18;

/** A view's elements, dense row-major, in the working precision (no copy when already so). */
function denseFloat(v: CpuView, wide: boolean): { buf: FloatBuf; off: number } {
  if (v.contiguous && v.dtype === (wide ? dt.float64 : dt.float32)) return { buf: v.buf as FloatBuf, off: v.offset };
  const f = toFloat64(v);
  return { buf: wide ? f : new Float32Array(f), off: 0 };
}

/**
 * For one spatial dimension, the input index read by output position o at kernel tap k, or -1 where that lands on
 * padding or on a hole of the dilated input. Negative padding simply starts the window further in.
 */
function tapTable(O: number, K: number, D: number, stride: number, kdil: number, idil: number, lo: number): Int32Array {
  const t = new Int32Array(O * K);
  for (let o = 0; o < O; o++) {
    for (let k = 0; k < K; k++) {
      const q = o * stride + k * kdil - lo;
      t[o * K + k] = q >= 0 && q % idil === 0 && q / idil < D ? q / idil : -1;
    }
  }
  return t;
}

/** CPU kernel of `conv`. */
export const convKernels: CpuKernelTable<'conv'> = {
  conv([x, w], p, [out], be) {
    const o = be.alloc(out!.dtype, out!.shape);
    const total = sizeOf(out!.shape);
    if (total === 0) return [o];
    const wide = out!.dtype === dt.float64;
    const make = (n: number): FloatBuf => (wide ? new Float64Array(n) : new Float32Array(n));
    const xs = x!.shape, ws = w!.shape, nd = xs.length - 2;
    const N = xs[0]!, cin = xs[nd + 1]!, cout = ws[0]!, G = p.groups, cig = cin / G, cog = cout / G;
    // spatial dims right-aligned into three, the missing leading ones of extent 1
    const D = [1, 1, 1], K = [1, 1, 1], O = [1, 1, 1];
    const tabs: Int32Array[] = [new Int32Array([0]), new Int32Array([0]), new Int32Array([0])];
    for (let d = 0; d < nd; d++) {
      const j = 3 - nd + d;
      D[j] = xs[d + 1]!; K[j] = ws[d + 1]!; O[j] = out!.shape[d + 1]!;
      tabs[j] = tapTable(O[j]!, K[j]!, D[j]!, p.stride[d]!, p.kernelDilation[d]!, p.inputDilation[d]!, p.padLo[d]!);
    }
    const [K0, K1, K2] = K as [number, number, number], [O1, O2] = [O[1]!, O[2]!];
    const [t0, t1, t2] = tabs as [Int32Array, Int32Array, Int32Array];
    const kvol = K0 * K1 * K2, kc = kvol * cig, M = O[0]! * O1 * O2;
    const X = denseFloat(x!, wide), Wt = denseFloat(w!, wide);
    const xb = X.buf, wb = Wt.buf;

    // packed weights of group g: a [kc, cog] panel, row k * cig + ci; a flipped kernel reads tap kvol - 1 - k
    const B = make(G * kc * cog);
    for (let g = 0; g < G; g++) {
      for (let c = 0; c < cog; c++) {
        for (let k = 0; k < kvol; k++) {
          const src = Wt.off + ((g * cog + c) * kvol + (p.flip ? kvol - 1 - k : k)) * cig;
          const dst = g * kc * cog + k * cig * cog + c;
          for (let ci = 0; ci < cig; ci++) B[dst + ci * cog] = wb[src + ci]!;
        }
      }
    }

    const C: FloatBuf = out!.dtype === dt.float32 || wide ? (o.buf as FloatBuf) : new Float32Array(total);
    const xs2 = cin, xs1 = D[2]! * cin, xs0 = D[1]! * xs1, xsN = D[0]! * xs0;
    // a 1x1 kernel that reads every input position in order (pointwise conv): the image itself is the column matrix
    const pointwise = kvol === 1 && tabs.every((t, j) => O[j] === D[j] && t.every((v, i) => v === i));
    const R = pointwise ? 0 : Math.max(1, Math.min(M, Math.floor(COL_BLOCK / Math.max(1, kc))));
    const col = make(R * kc);
    for (let n = 0; n < N; n++) {
      for (let g = 0; g < G; g++) {
        const xg = X.off + n * xsN + g * cig;
        if (pointwise) {
          gemm(M, cog, cig, xb, xg, cin, 1, B, g * cig * cog, cog, C, n * M * cout + g * cog, cout);
          continue;
        }
        for (let m0 = 0; m0 < M; m0 += R) {
          const r = Math.min(R, M - m0);
          let ptr = 0;
          for (let m = m0; m < m0 + r; m++) {
            const o2 = m % O2, q = (m - o2) / O2, o1 = q % O1, o0 = (q - o1) / O1;
            for (let k0 = 0; k0 < K0; k0++) {
              const i0 = t0[o0 * K0 + k0]!;
              if (i0 < 0) { col.fill(0, ptr, ptr + K1 * K2 * cig); ptr += K1 * K2 * cig; continue; }
              for (let k1 = 0; k1 < K1; k1++) {
                const i1 = t1[o1 * K1 + k1]!;
                if (i1 < 0) { col.fill(0, ptr, ptr + K2 * cig); ptr += K2 * cig; continue; }
                const row = xg + i0 * xs0 + i1 * xs1;
                for (let k2 = 0; k2 < K2; k2++) {
                  const i2 = t2[o2 * K2 + k2]!;
                  if (i2 < 0) { col.fill(0, ptr, ptr + cig); ptr += cig; continue; }
                  const a = row + i2 * xs2;
                  for (let ci = 0; ci < cig; ci++) col[ptr + ci] = xb[a + ci]!;
                  ptr += cig;
                }
              }
            }
          }
          gemm(r, cog, kc, col, 0, kc, 1, B, g * kc * cog, cog, C, (n * M + m0) * cout + g * cog, cout);
        }
      }
    }
    if (C !== o.buf) {
      const dst = o.buf as Uint16Array, cv = out!.dtype === dt.float16 ? floatToHalf : floatToBf16;
      for (let i = 0; i < total; i++) dst[i] = cv(C[i]!);
    }
    return [o];
  },
};
