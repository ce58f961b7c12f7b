/**
 * @file One-dimensional complex DFTs in float64 on split real/imaginary arrays: iterative radix-2 for powers of
 * two, Bluestein's chirp-z (a power-of-two circular convolution) for every other length. Plans (twiddles, bit
 * reversal, the chirp and its transform) are cached per length. Inverse transforms conjugate in and out; they
 * are unscaled, the caller applies 1/n.
 */

interface Pow2Plan { kind: 'pow2'; n: number; rev: Uint32Array; cos: Float64Array; sin: Float64Array }
interface BluesteinPlan {
  kind: 'bluestein'; n: number; m: number; inner: Pow2Plan;
  // chirp w[k] = exp(-i pi k^2 / n) and the transform of the conjugate chirp sequence
  wr: Float64Array; wi: Float64Array; br: Float64Array; bi: Float64Array;
  tr: Float64Array; ti: Float64Array;
}
type Plan = Pow2Plan | BluesteinPlan;

const cache = new Map<number, Plan>();
const MAX_CACHED = 64;

function pow2Plan(n: number): Pow2Plan {
  const bits = Math.round(Math.log2(n));
  const rev = new Uint32Array(n);
  for (let i = 1; i < n; i++) rev[i] = (rev[i >> 1]! >> 1) | ((i & 1) << (bits - 1));
  const cos = new Float64Array(n >> 1), sin = new Float64Array(n >> 1);
  for (let k = 0; k < n >> 1; k++) {
    const t = (-2 * Math.PI * k) / n;
    cos[k] = Math.cos(t);
    sin[k] = Math.sin(t);
  }
  return { kind: 'pow2', n, rev, cos, sin };
}

function bluesteinPlan(n: number): BluesteinPlan {
  let m = 1;
  while (m < 2 * n - 1) m <<= 1;
  const inner = planFor(m) as Pow2Plan;
  const wr = new Float64Array(n), wi = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    // k^2 mod 2n keeps the angle small and exact
    const t = (-Math.PI * ((k * k) % (2 * n))) / n;
    wr[k] = Math.cos(t);
    wi[k] = Math.sin(t);
  }
  const br = new Float64Array(m), bi = new Float64Array(m);
  br[0] = 1;
  for (let k = 1; k < n; k++) {
    br[k] = br[m - k] = wr[k]!;
    bi[k] = bi[m - k] = -wi[k]!;
  }
  fftPow2(br, bi, inner);
  return { kind: 'bluestein', n, m, inner, wr, wi, br, bi, tr: new Float64Array(m), ti: new Float64Array(m) };
}

function planFor(n: number): Plan {
  let p = cache.get(n);
  if (!p) {
    p = (n & (n - 1)) === 0 ? pow2Plan(n) : bluesteinPlan(n);
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    cache.set(n, p);
  }
  return p;
}

function fftPow2(re: Float64Array, im: Float64Array, p: Pow2Plan): void {
  const { n, rev, cos, sin } = p;
  for (let i = 1; i < n; i++) {
    const j = rev[i]!;
    if (i < j) {
      let t = re[i]!; re[i] = re[j]!; re[j] = t;
      t = im[i]!; im[i] = im[j]!; im[j] = t;
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const half = size >> 1, step = n / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0, w = 0; k < half; k++, w += step) {
        const a = start + k, b = a + half;
        const wr = cos[w]!, wi = sin[w]!;
        const xr = re[b]!, xi = im[b]!;
        const tr = wr * xr - wi * xi, ti = wr * xi + wi * xr;
        re[b] = re[a]! - tr; im[b] = im[a]! - ti;
        re[a] = re[a]! + tr; im[a] = im[a]! + ti;
      }
    }
  }
}

function fftBluestein(re: Float64Array, im: Float64Array, p: BluesteinPlan): void {
  const { n, m, wr, wi, br, bi, tr, ti, inner } = p;
  tr.fill(0); ti.fill(0);
  for (let k = 0; k < n; k++) {
    tr[k] = re[k]! * wr[k]! - im[k]! * wi[k]!;
    ti[k] = re[k]! * wi[k]! + im[k]! * wr[k]!;
  }
  fftPow2(tr, ti, inner);
  // pointwise product, then the inverse transform as conj(FFT(conj(.)))
  for (let k = 0; k < m; k++) {
    const xr = tr[k]!, xi = ti[k]!;
    tr[k] = xr * br[k]! - xi * bi[k]!;
    ti[k] = -(xr * bi[k]! + xi * br[k]!);
  }
  fftPow2(tr, ti, inner);
  for (let k = 0; k < n; k++) {
    const cr = tr[k]! / m, ci = -ti[k]! / m;
    re[k] = cr * wr[k]! - ci * wi[k]!;
    im[k] = cr * wi[k]! + ci * wr[k]!;
  }
}

/** In-place DFT of the first `n` entries of `re`/`im` (unscaled in both directions). */
export function fft1d(re: Float64Array, im: Float64Array, n: number, inverse: boolean): void {
  if (n <= 1) return;
  const p = planFor(n);
  if (inverse) for (let k = 0; k < n; k++) im[k] = -im[k]!;
  if (p.kind === 'pow2') fftPow2(re, im, p);
  else fftBluestein(re, im, p);
  if (inverse) for (let k = 0; k < n; k++) im[k] = -im[k]!;
}
