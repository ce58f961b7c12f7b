/**
 * @file CPU kernel of the general (non-symmetric) eigenproblem: Householder reduction to Hessenberg form, then
 * complex shifted QR iterations (Givens rotations, Wilkinson shifts, deflation) to a Schur form T = Zᴴ A Z, then
 * eigenvectors of T by back substitution mapped through Z and normalised to unit length. Complex arithmetic on
 * split real/imaginary arrays keeps one code path for real and complex spectra.
 */
import type { CpuKernelTable } from '../kernel.js';
import { matrices } from './linalg-util.js';

const EPS = 2.220446049250313e-16;

/** Reduces a real n×n matrix (in place) to upper Hessenberg form; returns the orthogonal Q with A = Q H Qᵀ. */
function hessenberg(h: Float64Array, n: number): Float64Array {
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  const v = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    let norm = 0;
    for (let i = k + 1; i < n; i++) norm = Math.hypot(norm, h[i * n + k]!);
    if (norm === 0) continue;
    const alpha = h[(k + 1) * n + k]! >= 0 ? -norm : norm;
    v.fill(0);
    for (let i = k + 1; i < n; i++) v[i] = h[i * n + k]!;
    v[k + 1]! -= alpha;
    let vv = 0;
    for (let i = k + 1; i < n; i++) vv += v[i]! * v[i]!;
    if (vv === 0) continue;
    // P = I - 2 v vᵀ / (vᵀv); H <- P H P, Q <- Q P
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = k + 1; i < n; i++) s += v[i]! * h[i * n + j]!;
      s = (2 * s) / vv;
      for (let i = k + 1; i < n; i++) h[i * n + j]! -= s * v[i]!;
    }
    for (const m of [h, q]) {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = k + 1; j < n; j++) s += m[i * n + j]! * v[j]!;
        s = (2 * s) / vv;
        for (let j = k + 1; j < n; j++) m[i * n + j]! -= s * v[j]!;
      }
    }
    for (let i = k + 2; i < n; i++) h[i * n + k] = 0;
  }
  return q;
}

/** Complex Schur form of an upper Hessenberg matrix (hr + i·hi, in place); accumulates into z (zr + i·zi). */
function schur(hr: Float64Array, hi: Float64Array, zr: Float64Array, zi: Float64Array, n: number): boolean {
  let top = n - 1, iter = 0;
  const cs = new Float64Array(n), sr = new Float64Array(n), si = new Float64Array(n);
  const abs1 = (k: number): number => Math.abs(hr[k]!) + Math.abs(hi[k]!);
  while (top > 0) {
    let l = top;
    for (; l > 0; l--) {
      const sub = (l * n) + l - 1;
      const scale = abs1((l - 1) * n + l - 1) + abs1(l * n + l);
      if (abs1(sub) <= EPS * (scale || 1) ) { hr[sub] = 0; hi[sub] = 0; break; }
    }
    if (l === top) { top--; iter = 0; continue; }
    if (++iter > 60 * n) return false;
    // Wilkinson shift: the eigenvalue of the trailing 2×2 block closer to its last diagonal entry
    const a = top - 1;
    let mr: number, mi: number;
    if (iter % 11 === 10) {
      // exceptional shift to break cycles
      mr = hr[top * n + top]! + Math.abs(hr[top * n + a]!) * 1.5; mi = hi[top * n + top]!;
    } else {
      const pr = hr[a * n + a]!, pi = hi[a * n + a]!, qr = hr[a * n + top]!, qi = hi[a * n + top]!;
      const rr = hr[top * n + a]!, ri = hi[top * n + a]!, sr2 = hr[top * n + top]!, si2 = hi[top * n + top]!;
      // eigenvalues of [[p, q], [r, s]]: (p+s)/2 ± sqrt(((p-s)/2)^2 + q r)
      const hr2 = (pr - sr2) / 2, hi2 = (pi - si2) / 2;
      const dr = hr2 * hr2 - hi2 * hi2 + (qr * rr - qi * ri), di = 2 * hr2 * hi2 + (qr * ri + qi * rr);
      const mod = Math.hypot(dr, di);
      let sqr = Math.sqrt((mod + dr) / 2), sqi = Math.sqrt(Math.max(0, (mod - dr) / 2));
      if (di < 0) sqi = -sqi;
      const cr = (pr + sr2) / 2, ci = (pi + si2) / 2;
      const e1r = cr + sqr, e1i = ci + sqi, e2r = cr - sqr, e2i = ci - sqi;
      const d1 = Math.hypot(e1r - sr2, e1i - si2), d2 = Math.hypot(e2r - sr2, e2i - si2);
      if (d1 <= d2) { mr = e1r; mi = e1i; } else { mr = e2r; mi = e2i; }
      if (!Number.isFinite(mr) || !Number.isFinite(mi)) { mr = sr2; mi = si2; sqr = 0; }
    }
    for (let i = l; i <= top; i++) { hr[i * n + i]! -= mr; hi[i * n + i]! -= mi; }
    // QR of the shifted window by Givens rotations, applied to whole rows so T stays a full Schur form
    for (let i = l; i < top; i++) {
      const ar = hr[i * n + i]!, ai = hi[i * n + i]!, br = hr[(i + 1) * n + i]!, bi = hi[(i + 1) * n + i]!;
      const na = Math.hypot(ar, ai), nrm = Math.hypot(na, br, bi);
      let c: number, sRe: number, sIm: number;
      if (nrm === 0) { c = 1; sRe = 0; sIm = 0; } else if (na === 0) { c = 0; sRe = br / nrm; sIm = -bi / nrm; } else {
        // s = (a/|a|) conj(b) / nrm
        c = na / nrm;
        const ur = ar / na, ui = ai / na;
        sRe = (ur * br + ui * bi) / nrm; sIm = (ui * br - ur * bi) / nrm;
      }
      cs[i] = c; sr[i] = sRe; si[i] = sIm;
      for (let j = i; j < n; j++) {
        const xr = hr[i * n + j]!, xi = hi[i * n + j]!, yr = hr[(i + 1) * n + j]!, yi = hi[(i + 1) * n + j]!;
        // row i <- c x + s y ; row i+1 <- -conj(s) x + c y
        hr[i * n + j] = c * xr + sRe * yr - sIm * yi; hi[i * n + j] = c * xi + sRe * yi + sIm * yr;
        hr[(i + 1) * n + j] = -(sRe * xr + sIm * xi) + c * yr; hi[(i + 1) * n + j] = -(sRe * xi - sIm * xr) + c * yi;
      }
    }
    for (let i = l; i < top; i++) {
      const c = cs[i]!, sRe = sr[i]!, sIm = si[i]!;
      // columns (i, i+1) <- (x c + y conj(s), -x s + y c), for R·Gᴴ and Z·Gᴴ
      const rot = (mr2: Float64Array, mi2: Float64Array, rows: number): void => {
        for (let r = 0; r < rows; r++) {
          const xr = mr2[r * n + i]!, xi = mi2[r * n + i]!, yr = mr2[r * n + i + 1]!, yi = mi2[r * n + i + 1]!;
          mr2[r * n + i] = c * xr + sRe * yr + sIm * yi; mi2[r * n + i] = c * xi + sRe * yi - sIm * yr;
          mr2[r * n + i + 1] = -(sRe * xr - sIm * xi) + c * yr; mi2[r * n + i + 1] = -(sRe * xi + sIm * xr) + c * yi;
        }
      };
      rot(hr, hi, Math.min(i + 2, top + 1));
      rot(zr, zi, n);
    }
    for (let i = l; i <= top; i++) { hr[i * n + i]! += mr; hi[i * n + i]! += mi; }
  }
  return true;
}

/** Eigenvectors of the upper-triangular T (tr + i·ti) mapped through Z, unit 2-norm, as columns of (vr, vi). */
function eigenvectors(tr: Float64Array, ti: Float64Array, zr: Float64Array, zi: Float64Array, n: number): [Float64Array, Float64Array] {
  const vr = new Float64Array(n * n), vi = new Float64Array(n * n);
  let tnorm = 0;
  for (let i = 0; i < n * n; i++) tnorm = Math.max(tnorm, Math.hypot(tr[i]!, ti[i]!));
  const small = Math.max(EPS * tnorm, Number.MIN_VALUE);
  const yr = new Float64Array(n), yi = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    yr.fill(0); yi.fill(0);
    yr[k] = 1;
    const lr = tr[k * n + k]!, li = ti[k * n + k]!;
    for (let j = k - 1; j >= 0; j--) {
      let sRe = 0, sIm = 0;
      for (let l = j + 1; l <= k; l++) {
        const ar = tr[j * n + l]!, ai = ti[j * n + l]!;
        sRe += ar * yr[l]! - ai * yi[l]!; sIm += ar * yi[l]! + ai * yr[l]!;
      }
      let dr = tr[j * n + j]! - lr, di = ti[j * n + j]! - li;
      // a repeated eigenvalue would divide by zero: perturb as LAPACK's trevc does
      if (Math.hypot(dr, di) < small) { dr = small; di = 0; }
      const den = dr * dr + di * di;
      yr[j] = -(sRe * dr + sIm * di) / den; yi[j] = -(sIm * dr - sRe * di) / den;
    }
    let nrm = 0;
    for (let r = 0; r < n; r++) {
      let xr = 0, xi = 0;
      for (let l = 0; l <= k; l++) {
        xr += zr[r * n + l]! * yr[l]! - zi[r * n + l]! * yi[l]!;
        xi += zr[r * n + l]! * yi[l]! + zi[r * n + l]! * yr[l]!;
      }
      vr[r * n + k] = xr; vi[r * n + k] = xi;
      nrm = Math.hypot(nrm, xr, xi);
    }
    if (nrm > 0) for (let r = 0; r < n; r++) { vr[r * n + k]! /= nrm; vi[r * n + k]! /= nrm; }
  }
  return [vr, vi];
}

export const eigKernels: CpuKernelTable<'eig'> = {
  eig([a], p, outs, be) {
    const { x, batch, n } = matrices(a!);
    const o = outs.map((t) => be.alloc(t.dtype, t.shape));
    const wb = o[0]!.buf as Float32Array, vb = p.computeV ? (o[1]!.buf as Float32Array) : null;
    for (let b = 0; b < batch; b++) {
      const hr = x.slice(b * n * n, (b + 1) * n * n);
      if (!hr.every(Number.isFinite)) {
        // the iteration has nothing to converge to: NaN results, as LAPACK's propagate
        wb.fill(NaN, 2 * b * n, 2 * (b + 1) * n);
        if (vb) vb.fill(NaN, 2 * b * n * n, 2 * (b + 1) * n * n);
        continue;
      }
      const zr = hessenberg(hr, n);
      const hi = new Float64Array(n * n), zi = new Float64Array(n * n);
      if (!schur(hr, hi, zr, zi, n)) throw new Error('[linalg.eig] The QR iteration did not converge.');
      for (let i = 0; i < n; i++) { wb[2 * (b * n + i)] = hr[i * n + i]!; wb[2 * (b * n + i) + 1] = hi[i * n + i]!; }
      if (vb) {
        const [vr, vi] = eigenvectors(hr, hi, zr, zi, n);
        for (let i = 0; i < n * n; i++) { vb[2 * (b * n * n + i)] = vr[i]!; vb[2 * (b * n * n + i) + 1] = vi[i]!; }
      }
    }
    return o;
  },
};
