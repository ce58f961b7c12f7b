/**
 * @file The CPU contraction driver shared by `matmul`, `addmm` and `contract`. Real floating dtypes run the GEMMs
 * of matmul-gemm.ts batch by batch, reading strided or broadcast operands in place and packing only a B whose rows
 * are not unit-stride; float16/bfloat16 are widened to float32 first and rounded once at the end. Complex, integer
 * and bool dtypes take a plain triple loop in float64.
 */
import * as dt from '../../../core/dtype.js';
import type { Dtype } from '../../../core/dtype.js';
import { floatToHalf, floatToBf16 } from '../../../core/half.js';
import { rowMajorStrides, sizeOf } from '../../../core/shape.js';
import type { CpuBackend } from '../index.js';
import { broadcastStrides, forEachOffset, reader, toFloat64, writer, type CpuView } from '../view.js';
import { planContract, progression, type ContractPlan } from './matmul-plan.js';
import { gemm, gemmDot, packPanel, type FloatBuf } from './matmul-gemm.js';

/** A labelled operand as the driver receives it. */
export interface Operand { view: CpuView; labels: readonly number[] }

/** `alpha * result + beta * c`, with `c` broadcast to the output (addmm). */
export interface Epilogue { c: CpuView; alpha: number; beta: number }

// below this many rows of A, `x @ W.T` runs as dot products instead of packing W
const DOT_ROWS = 16;

interface FloatOperand { buf: FloatBuf; offset: number; shape: readonly number[]; strides: readonly number[] }

function asFloat(v: CpuView): FloatOperand {
  if (v.dtype === dt.float32 || v.dtype === dt.float64) return { buf: v.buf as FloatBuf, offset: v.offset, shape: v.shape, strides: v.strides };
  // half types: widen once, then run the float32 kernels
  return { buf: new Float32Array(toFloat64(v)), offset: 0, shape: v.shape, strides: rowMajorStrides(v.shape) };
}

/** Runs a contraction into a fresh output of `shape` (a reshape of the dense result in `out` label order). */
export function runContract(
  be: CpuBackend, dtype: Dtype, shape: readonly number[], a: Operand, b: Operand | null, out: readonly number[],
  conjA = false, epi?: Epilogue,
): CpuView {
  const o = be.alloc(dtype, shape);
  const n = sizeOf(shape);
  if (n === 0) return o;
  if (dt.isFloating(dtype)) {
    const fa = asFloat(a.view);
    const fb = b ? asFloat(b.view) : null;
    const wide = dtype === dt.float64;
    const plan = planContract(
      { labels: a.labels, shape: fa.shape, strides: fa.strides },
      fb ? { labels: b!.labels, shape: fb.shape, strides: fb.strides } : null, out,
    );
    const C: FloatBuf = dtype === dt.float32 || wide ? (o.buf as FloatBuf) : new Float32Array(n);
    const one = wide ? new Float64Array([1]) : new Float32Array([1]);
    realContract(plan, fa.buf, fa.offset, fb ? fb.buf : one, fb ? fb.offset : 0, C);
    if (epi) applyEpilogue(C, plan.outShape, epi);
    if (C !== o.buf) {
      const dst = o.buf as Uint16Array, cv = dtype === dt.float16 ? floatToHalf : floatToBf16;
      for (let i = 0; i < n; i++) dst[i] = cv(C[i]!);
    }
    return o;
  }
  genericContract(o, a, b, out, conjA);
  if (epi) complexEpilogue(o.buf as Float32Array, shape, epi);
  return o;
}

function complexEpilogue(O: Float32Array, shape: readonly number[], { c, alpha, beta }: Epilogue): void {
  const cb = c.buf, cplx = c.dtype === dt.complex64, rd = reader(c.dtype);
  forEachOffset(shape, [broadcastStrides(c, shape)], [c.offset], (k, off) => {
    const o = off[0]!;
    O[2 * k] = alpha * O[2 * k]! + beta * (cplx ? (cb as Float32Array)[2 * o]! : rd(cb, o));
    O[2 * k + 1] = alpha * O[2 * k + 1]! + beta * (cplx ? (cb as Float32Array)[2 * o + 1]! : 0);
  });
}

function applyEpilogue(C: FloatBuf, outShape: readonly number[], { c, alpha, beta }: Epilogue): void {
  const rd = reader(c.dtype), cb = c.buf;
  forEachOffset(outShape, [broadcastStrides(c, outShape)], [c.offset], (k, off) => {
    C[k] = alpha * C[k]! + beta * rd(cb, off[0]!);
  });
}

function realContract(p: ContractPlan, A: FloatBuf, aOff: number, B: FloatBuf, bOff: number, C: FloatBuf): void {
  const { M, N, K } = p;
  if (K === 0) return;
  const wide = C instanceof Float64Array;
  const make = (len: number): FloatBuf => (wide ? new Float64Array(len) : new Float32Array(len));
  let sam = progression(p.mA), sak = progression(p.kA);
  const packA = Number.isNaN(sam) || Number.isNaN(sak);
  const Ap = packA ? make(M * K) : null;
  if (packA) { sam = K; sak = 1; }
  const snb = N === 1 ? 1 : progression(p.nB), skb = K === 1 ? 1 : progression(p.kB);
  // B as given when its rows are unit-stride; dot products when its columns are and A has few rows; else pack
  const mode = snb === 1 && !Number.isNaN(skb) ? 'direct' : skb === 1 && !Number.isNaN(snb) && M <= DOT_ROWS ? 'dot' : 'pack';
  const Bp = mode === 'pack' ? make(K * N) : null;
  const ldc = progression(p.mO), scn = N === 1 ? 1 : progression(p.nO);
  const directC = !Number.isNaN(ldc) && !Number.isNaN(scn) && (scn === 1 || mode === 'dot');
  const Ct = directC ? null : make(M * N);
  let packedB = -1;
  for (let t = 0; t < p.batch; t++) {
    let aB = aOff + p.bA[t]!;
    const bBase = bOff + p.bB[t]!;
    if (Ap) { packPanel(A, aB, p.mA, p.kA, Ap); aB = 0; }
    const Ause = Ap ?? A;
    let Cuse = C, cB = p.bO[t]!, ld = ldc, sc = scn;
    if (Ct) { Ct.fill(0); Cuse = Ct; cB = 0; ld = N; sc = 1; }
    if (mode === 'dot') {
      gemmDot(M, N, K, Ause, aB, sam, sak, B, bBase, snb, Cuse, cB, ld, sc);
    } else if (mode === 'direct') {
      gemm(M, N, K, Ause, aB, sam, sak, B, bBase, skb, Cuse, cB, ld);
    } else {
      // a B broadcast over the batch is packed once
      if (bBase !== packedB) { packPanel(B, bBase, p.kB, p.nB, Bp!); packedB = bBase; }
      gemm(M, N, K, Ause, aB, sam, sak, Bp!, 0, N, Cuse, cB, ld);
    }
    if (Ct) {
      const oB = p.bO[t]!;
      for (let i = 0; i < M; i++) {
        const r = oB + p.mO[i]!;
        for (let j = 0; j < N; j++) C[r + p.nO[j]!] = Ct[i * N + j]!;
      }
    }
  }
}

/** Complex, integer and bool contractions: float64 accumulation, written back with the output dtype's cast. */
function genericContract(o: CpuView, a: Operand, b: Operand | null, out: readonly number[], conjA: boolean): void {
  const va = a.view, vb = b?.view ?? null;
  const p = planContract(
    { labels: a.labels, shape: va.shape, strides: va.strides },
    vb ? { labels: b!.labels, shape: vb.shape, strides: vb.strides } : null, out,
  );
  const cplx = o.dtype === dt.complex64;
  const Ab = va.buf, Bb = vb?.buf;
  const rdA = reader(va.dtype), rdB = vb ? reader(vb.dtype) : null;
  const wr = writer(o.dtype), O = o.buf;
  const sgn = conjA ? -1 : 1;
  for (let t = 0; t < p.batch; t++) {
    const aT = va.offset + p.bA[t]!, bT = (vb?.offset ?? 0) + p.bB[t]!, oT = p.bO[t]!;
    for (let i = 0; i < p.M; i++) {
      const aI = aT + p.mA[i]!;
      for (let j = 0; j < p.N; j++) {
        const bJ = bT + p.nB[j]!;
        let re = 0, im = 0;
        for (let k = 0; k < p.K; k++) {
          const ao = aI + p.kA[k]!, bo = bJ + p.kB[k]!;
          if (cplx) {
            const ar = (Ab as Float32Array)[2 * ao]!, ai = sgn * (Ab as Float32Array)[2 * ao + 1]!;
            const br = Bb ? (Bb as Float32Array)[2 * bo]! : 1, bi = Bb ? (Bb as Float32Array)[2 * bo + 1]! : 0;
            re += ar * br - ai * bi;
            im += ar * bi + ai * br;
          } else {
            re += rdA(Ab, ao) * (rdB ? rdB(Bb!, bo) : 1);
          }
        }
        const idx = oT + p.mO[i]! + p.nO[j]!;
        if (cplx) { (O as Float32Array)[2 * idx] = re; (O as Float32Array)[2 * idx + 1] = im; } else wr(O, idx, re);
      }
    }
  }
}
