/**
 * @file Dense float64 factorizations on one row-major matrix at a time: partial-pivot LU, Householder QR,
 * Cholesky, triangular and general inverses, cyclic Jacobi for symmetric eigenproblems and one-sided Jacobi SVD.
 * Jacobi methods are chosen for their accuracy and simplicity: the matrices met here are small, and every
 * result is stored back in float32 or float64.
 */

const EPS = 2.220446049250313e-16;

/**
 * In-place LU with partial pivoting of an m×n matrix (LAPACK getrf conventions): `piv[j]` is the row swapped
 * with row j at step j. Returns the 1-based column of the first exactly-zero pivot, or 0.
 */
export function luInPlace(a: Float64Array, m: number, n: number, piv: Int32Array): number {
  const k = Math.min(m, n);
  let info = 0;
  for (let j = 0; j < k; j++) {
    let p = j, best = Math.abs(a[j * n + j]!);
    for (let i = j + 1; i < m; i++) {
      const v = Math.abs(a[i * n + j]!);
      // NaN never wins a comparison; take it so that it propagates as LAPACK's idamax does
      if (v > best || (Number.isNaN(v) && !Number.isNaN(best))) { best = v; p = i; }
    }
    piv[j] = p;
    if (p !== j) {
      for (let c = 0; c < n; c++) { const t = a[j * n + c]!; a[j * n + c] = a[p * n + c]!; a[p * n + c] = t; }
    }
    const d = a[j * n + j]!;
    if (d === 0) { if (info === 0) info = j + 1; continue; }
    for (let i = j + 1; i < m; i++) {
      const f = (a[i * n + j]! /= d);
      if (f === 0) continue;
      for (let c = j + 1; c < n; c++) a[i * n + c]! -= f * a[j * n + c]!;
    }
  }
  return info;
}

/** Row permutation of a factored LU: `perm[i]` is the row of A that became row i of L·U. */
export function pivotsToPerm(piv: Int32Array, m: number): Int32Array {
  const perm = new Int32Array(m);
  for (let i = 0; i < m; i++) perm[i] = i;
  for (let j = 0; j < piv.length; j++) {
    const p = piv[j]!, t = perm[j]!;
    perm[j] = perm[p]!;
    perm[p] = t;
  }
  return perm;
}

/** Householder QR of an m×n matrix (LAPACK sign convention): reduced Q (m×k) and R (k×n). */
export function qr(a: Float64Array, m: number, n: number): { q: Float64Array; r: Float64Array } {
  const k = Math.min(m, n);
  const w = a.slice();
  const vs: Float64Array[] = [], taus: number[] = [];
  for (let j = 0; j < k; j++) {
    const v = new Float64Array(m - j);
    for (let i = j; i < m; i++) v[i - j] = w[i * n + j]!;
    const alpha = v[0]!;
    let xn = 0;
    for (let i = 1; i < v.length; i++) xn = Math.hypot(xn, v[i]!);
    let tau = 0;
    if (xn !== 0) {
      const beta = -Math.sign(alpha || 1) * Math.hypot(alpha, xn);
      tau = (beta - alpha) / beta;
      const sc = 1 / (alpha - beta);
      for (let i = 1; i < v.length; i++) v[i]! *= sc;
      v[0] = 1;
      // apply H = I - tau v v^T to the trailing columns
      for (let c = j; c < n; c++) {
        let s = 0;
        for (let i = j; i < m; i++) s += v[i - j]! * w[i * n + c]!;
        s *= tau;
        for (let i = j; i < m; i++) w[i * n + c]! -= s * v[i - j]!;
      }
      w[j * n + j] = beta;
      for (let i = j + 1; i < m; i++) w[i * n + j] = 0;
    }
    vs.push(v); taus.push(tau);
  }
  const r = new Float64Array(k * n);
  for (let i = 0; i < k; i++) for (let c = i; c < n; c++) r[i * n + c] = w[i * n + c]!;
  const q = new Float64Array(m * k);
  for (let i = 0; i < k; i++) q[i * k + i] = 1;
  for (let j = k - 1; j >= 0; j--) {
    const tau = taus[j]!, v = vs[j]!;
    if (tau === 0) continue;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let i = j; i < m; i++) s += v[i - j]! * q[i * k + c]!;
      s *= tau;
      for (let i = j; i < m; i++) q[i * k + c]! -= s * v[i - j]!;
    }
  }
  return { q, r };
}

/**
 * Cholesky factor of an n×n matrix from its lower (or, with `upper`, upper) triangle; the other triangle of the
 * result is zero. A matrix that is not positive definite yields NaN from the failing pivot on (no throw, as MLX).
 */
export function cholesky(a: Float64Array, n: number, upper: boolean): Float64Array {
  // work on the lower form L (A = L L^T); the upper factor is its transpose
  const at = (i: number, j: number): number => (upper ? a[j * n + i]! : a[i * n + j]!);
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = at(j, j);
    for (let c = 0; c < j; c++) d -= l[j * n + c]! * l[j * n + c]!;
    const ljj = d > 0 ? Math.sqrt(d) : NaN;
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = at(i, j);
      for (let c = 0; c < j; c++) s -= l[i * n + c]! * l[j * n + c]!;
      l[i * n + j] = s / ljj;
    }
  }
  return upper ? transpose(l, n, n) : l;
}

/** Transpose of an m×n row-major matrix. */
export function transpose(a: Float64Array, m: number, n: number): Float64Array {
  const t = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = a[i * n + j]!;
  return t;
}

/** C = A (m×k) · B (k×n). */
export function matmul(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const f = a[i * k + p]!;
      if (f === 0) continue;
      for (let j = 0; j < n; j++) c[i * n + j]! += f * b[p * n + j]!;
    }
  }
  return c;
}

/**
 * Inverse of the lower (or upper) triangle of an n×n matrix; the other triangle of the result is zero.
 * Returns null when a diagonal entry is exactly zero.
 */
export function triInv(a: Float64Array, n: number, upper: boolean): Float64Array | null {
  // invert the lower form; an upper matrix is handled through its transpose
  const l = upper ? transpose(a, n, n) : a;
  for (let i = 0; i < n; i++) if (l[i * n + i] === 0) return null;
  const x = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    // forward substitution for column c of the inverse; entries above c stay zero
    x[c * n + c] = 1 / l[c * n + c]!;
    for (let i = c + 1; i < n; i++) {
      let s = 0;
      for (let p = c; p < i; p++) s += l[i * n + p]! * x[p * n + c]!;
      x[i * n + c] = -s / l[i * n + i]!;
    }
  }
  return upper ? transpose(x, n, n) : x;
}

/**
 * Solves A X = B for n×n A and n×k B through partial-pivot LU. Returns null if A is exactly singular.
 */
export function luSolve(a: Float64Array, b: Float64Array, n: number, k: number): Float64Array | null {
  const lu = a.slice(), piv = new Int32Array(n);
  if (luInPlace(lu, n, n, piv) !== 0) return null;
  const x = b.slice();
  for (let j = 0; j < n; j++) {
    const p = piv[j]!;
    if (p !== j) for (let c = 0; c < k; c++) { const t = x[j * k + c]!; x[j * k + c] = x[p * k + c]!; x[p * k + c] = t; }
  }
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < i; p++) {
      const f = lu[i * n + p]!;
      if (f !== 0) for (let c = 0; c < k; c++) x[i * k + c]! -= f * x[p * k + c]!;
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let p = i + 1; p < n; p++) {
      const f = lu[i * n + p]!;
      if (f !== 0) for (let c = 0; c < k; c++) x[i * k + c]! -= f * x[p * k + c]!;
    }
    const d = lu[i * n + i]!;
    for (let c = 0; c < k; c++) x[i * k + c]! /= d;
  }
  return x;
}

/** Inverse of a general n×n matrix, or null if it is exactly singular. */
export function inverse(a: Float64Array, n: number): Float64Array | null {
  const eye = new Float64Array(n * n);
  for (let i = 0; i < n; i++) eye[i * n + i] = 1;
  return luSolve(a, eye, n, n);
}

/**
 * Eigen-decomposition of a symmetric n×n matrix by cyclic Jacobi rotations. Returns ascending eigenvalues and,
 * when asked, the eigenvectors as the columns of a row-major n×n matrix.
 */
export function symEig(s: Float64Array, n: number, wantV: boolean): { w: Float64Array; v: Float64Array | null } {
  const a = s.slice();
  const v = wantV ? new Float64Array(n * n) : null;
  if (v) for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let norm = 0;
  for (let i = 0; i < n * n; i++) norm = Math.max(norm, Math.abs(a[i]!));
  // below this an off-diagonal entry moves no eigenvalue by more than rounding does
  const floor = EPS * EPS * norm;
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        const app = a[p * n + p]!, aqq = a[q * n + q]!;
        if (!(Math.abs(apq) > EPS * Math.max(Math.sqrt(Math.abs(app * aqq)), floor))) continue;
        rotated = true;
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), sn = t * c;
        for (let r = 0; r < n; r++) {
          const arp = a[r * n + p]!, arq = a[r * n + q]!;
          a[r * n + p] = c * arp - sn * arq;
          a[r * n + q] = sn * arp + c * arq;
        }
        for (let r = 0; r < n; r++) {
          const apr = a[p * n + r]!, aqr = a[q * n + r]!;
          a[p * n + r] = c * apr - sn * aqr;
          a[q * n + r] = sn * apr + c * aqr;
        }
        a[p * n + q] = a[q * n + p] = 0;
        if (v) {
          for (let r = 0; r < n; r++) {
            const vrp = v[r * n + p]!, vrq = v[r * n + q]!;
            v[r * n + p] = c * vrp - sn * vrq;
            v[r * n + q] = sn * vrp + c * vrq;
          }
        }
      }
    }
    if (!rotated) break;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[i * n + i]! - a[j * n + j]!);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = a[order[i]! * n + order[i]!]!;
  let vs: Float64Array | null = null;
  if (v) {
    vs = new Float64Array(n * n);
    for (let r = 0; r < n; r++) for (let i = 0; i < n; i++) vs[r * n + i] = v[r * n + order[i]!]!;
  }
  return { w, v: vs };
}

/** Completes the first `have` orthonormal columns of an m×m row-major matrix to an orthonormal basis. */
function completeBasis(u: Float64Array, m: number, have: boolean[]): void {
  const col = new Float64Array(m);
  let cand = 0;
  for (let j = 0; j < m; j++) {
    if (have[j]) continue;
    for (; cand < m; cand++) {
      col.fill(0);
      col[cand] = 1;
      // two passes of Gram–Schmidt keep the new column orthogonal to working precision
      for (let pass = 0; pass < 2; pass++) {
        for (let c = 0; c < m; c++) {
          if (!have[c]) continue;
          let d = 0;
          for (let i = 0; i < m; i++) d += u[i * m + c]! * col[i]!;
          for (let i = 0; i < m; i++) col[i]! -= d * u[i * m + c]!;
        }
      }
      let nrm = 0;
      for (let i = 0; i < m; i++) nrm += col[i]! * col[i]!;
      nrm = Math.sqrt(nrm);
      if (nrm > 0.5) {
        for (let i = 0; i < m; i++) u[i * m + j] = col[i]! / nrm;
        have[j] = true;
        cand++;
        break;
      }
    }
  }
}

/**
 * SVD of an m×n matrix by one-sided Jacobi: singular values descending, and with `wantUV` the full U (m×m) and
 * Vᵀ (n×n). Wide matrices are decomposed through their transpose.
 */
export function svd(a: Float64Array, m: number, n: number, wantUV: boolean):
  { u: Float64Array | null; s: Float64Array; vt: Float64Array | null } {
  if (m < n) {
    const r = svd(transpose(a, m, n), n, m, wantUV);
    // A^T = U' S V'^T  gives  A = V' S U'^T
    return { u: r.vt ? transpose(r.vt, m, m) : null, s: r.s, vt: r.u ? transpose(r.u, n, n) : null };
  }
  // columns of A, stored column-major so a rotation touches contiguous memory
  const w = transpose(a, m, n);
  const v = wantUV ? new Float64Array(n * n) : null;
  if (v) for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 80; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        let alpha = 0, beta = 0, gamma = 0;
        const op = p * m, oq = q * m;
        for (let i = 0; i < m; i++) {
          const x = w[op + i]!, y = w[oq + i]!;
          alpha += x * x; beta += y * y; gamma += x * y;
        }
        if (gamma === 0 || !(Math.abs(gamma) > EPS * Math.sqrt(alpha * beta))) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t), s = c * t;
        for (let i = 0; i < m; i++) {
          const x = w[op + i]!, y = w[oq + i]!;
          w[op + i] = c * x - s * y;
          w[oq + i] = s * x + c * y;
        }
        if (v) {
          // V is kept column-major as well: column p of V at p*n
          for (let i = 0; i < n; i++) {
            const x = v[p * n + i]!, y = v[q * n + i]!;
            v[p * n + i] = c * x - s * y;
            v[q * n + i] = s * x + c * y;
          }
        }
      }
    }
    if (!rotated) break;
  }
  const norms = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += w[j * m + i]! * w[j * m + i]!;
    norms[j] = Math.sqrt(s);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => norms[j]! - norms[i]!);
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) s[i] = norms[order[i]!]!;
  if (!v) return { u: null, s, vt: null };
  const u = new Float64Array(m * m);
  const have = new Array<boolean>(m).fill(false);
  for (let i = 0; i < n; i++) {
    const j = order[i]!, nrm = norms[j]!;
    if (!(nrm > 0)) continue;
    for (let r = 0; r < m; r++) u[r * m + i] = w[j * m + r]! / nrm;
    have[i] = true;
  }
  completeBasis(u, m, have);
  const vt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let c = 0; c < n; c++) vt[i * n + c] = v[order[i]! * n + c]!;
  return { u, s, vt };
}
