/**
 * @file CPU kernels of the closeness tests: `isclose` (elementwise), `allclose` and `arrayEqual` (reduced to one bool
 * here, so the elementwise family needs no reduction op).
 */
import * as dt from '../../../core/dtype.js';
import type { CloseParams } from '../../../core/primitives/binary.js';
import type { CpuKernelTable } from '../kernel.js';
import type { CpuView } from '../view.js';
import { stridedLoop, storageClass } from './elementwise-loop.js';
import { numReader } from './unary.js';

/** Calls `fn(a, b)` (or the complex form) for every broadcast element pair; `fn` returns false to stop early. */
function eachPair(
  a: CpuView, b: CpuView, shape: readonly number[],
  fn: (ar: number, ai: number, br: number, bi: number, k: number) => boolean,
): void {
  const cplx = storageClass(a.dtype) === 'cplx';
  const ra = numReader(a.dtype);
  const ab = a.buf as unknown as Float64Array, bb = b.buf as unknown as Float64Array;
  let stop = false;
  stridedLoop([a, b], shape, (n, offs, steps, io) => {
    if (stop) return;
    let i = offs[0]!, j = offs[1]!;
    const si = steps[0]!, sj = steps[1]!;
    for (let k = 0; k < n; k++, i += si, j += sj) {
      const go = cplx ? fn(ab[2 * i]!, ab[2 * i + 1]!, bb[2 * j]!, bb[2 * j + 1]!, io + k) : fn(ra(ab, i), 0, ra(bb, j), 0, io + k);
      if (!go) { stop = true; return; }
    }
  });
}

/** Closeness of one pair: equal (infinities included), both NaN with equalNan, or within atol + rtol*|b| when finite. */
function closeFn(p: CloseParams): (ar: number, ai: number, br: number, bi: number) => boolean {
  const { rtol, atol, equalNan } = p;
  return (ar, ai, br, bi) => {
    if (ar === br && ai === bi) return true;
    const an = ar !== ar || ai !== ai, bn = br !== br || bi !== bi;
    if (an || bn) return equalNan && an && bn;
    if (!Number.isFinite(ar) || !Number.isFinite(ai) || !Number.isFinite(br) || !Number.isFinite(bi)) return false;
    return Math.hypot(ar - br, ai - bi) <= atol + rtol * Math.hypot(br, bi);
  };
}

export const closeKernels: CpuKernelTable<'isclose' | 'allclose' | 'arrayEqual'> = {
  isclose([a, b], p, [out], be) {
    const o = be.alloc(dt.bool, out!.shape);
    const ob = o.buf as Uint8Array;
    const close = closeFn(p);
    eachPair(a!, b!, out!.shape, (ar, ai, br, bi, k) => { ob[k] = close(ar, ai, br, bi) ? 1 : 0; return true; });
    return [o];
  },
  allclose([a, b], p, _out, be) {
    const o = be.alloc(dt.bool, []);
    const close = closeFn(p);
    let all = true;
    const shape = broadcastOf(a!.shape, b!.shape);
    eachPair(a!, b!, shape, (ar, ai, br, bi) => (all = close(ar, ai, br, bi)));
    (o.buf as Uint8Array)[0] = all ? 1 : 0;
    return [o];
  },
  arrayEqual([a, b], p, _out, be) {
    const o = be.alloc(dt.bool, []);
    let all = true;
    const big = storageClass(a!.dtype) === 'big';
    if (big) {
      // exact comparison of 64-bit integers
      const ab = a!.buf as BigInt64Array, bb = b!.buf as BigInt64Array;
      stridedLoop([a!, b!], a!.shape, (n, offs, steps) => {
        let i = offs[0]!, j = offs[1]!;
        for (let k = 0; k < n && all; k++, i += steps[0]!, j += steps[1]!) if (ab[i] !== bb[j]) all = false;
      });
    } else {
      eachPair(a!, b!, a!.shape, (ar, ai, br, bi) => {
        if (ar === br && ai === bi) return true;
        const an = ar !== ar || ai !== ai, bn = br !== br || bi !== bi;
        return (all = p.equalNan && an && bn);
      });
    }
    (o.buf as Uint8Array)[0] = all ? 1 : 0;
    return [o];
  },
};

function broadcastOf(a: readonly number[], b: readonly number[]): number[] {
  const nd = Math.max(a.length, b.length), out: number[] = [];
  for (let i = 0; i < nd; i++) {
    const x = a[a.length - nd + i] ?? 1, y = b[b.length - nd + i] ?? 1;
    out.push(x === 1 ? y : x);
  }
  return out;
}
