/**
 * @file Pure number code of mx.random, shared by the ops (host-side key splitting) and the kernels: the
 * Threefry-2x32 block function, MLX's layout of random bits per key, and the float32 `erf`/`erfinv` used by the
 * samplers. Written from the published algorithms (Salmon et al., "Parallel Random Numbers: As Easy as 1, 2, 3",
 * SC'11, for Threefry; the faithfully rounded float32 erf/erfinv polynomials by N. Juffa, published on
 * Stack Overflow, answers 35148199 and 49743348, which MLX also uses).
 */

const KS_PARITY = 0x1bd11bda;
const ROT = [13, 15, 26, 6, 17, 29, 16, 24];

/**
 * Threefry-2x32 with 20 rounds: encrypts the counter `(c0, c1)` under the key `(k0, k1)`; writes the two output
 * words into `out[at]`, `out[at + 1]`.
 */
export function threefry2x32(k0: number, k1: number, c0: number, c1: number, out: Uint32Array | number[], at = 0): void {
  const ks0 = k0 >>> 0, ks1 = k1 >>> 0, ks2 = (KS_PARITY ^ ks0 ^ ks1) >>> 0;
  let x0 = (c0 + ks0) >>> 0, x1 = (c1 + ks1) >>> 0;
  for (let blk = 0; blk < 5; blk++) {
    const r = (blk & 1) * 4;
    for (let j = 0; j < 4; j++) {
      const s = ROT[r + j]!;
      x0 = (x0 + x1) >>> 0;
      x1 = ((x1 << s) | (x1 >>> (32 - s))) ^ x0;
    }
    // key injection every four rounds; the schedule rotates through (ks0, ks1, ks2)
    const a = blk % 3;
    x0 = (x0 + (a === 0 ? ks1 : a === 1 ? ks2 : ks0)) >>> 0;
    x1 = (x1 + (a === 0 ? ks2 : a === 1 ? ks0 : ks1) + blk + 1) >>> 0;
  }
  out[at] = x0;
  out[at + 1] = x1 >>> 0;
}

/**
 * The `n` 32-bit words MLX draws from one key, in MLX's order: word `i` of the first half and word `i + h + odd`
 * of the second half come from counter `(i, i + h + odd)` (h = floor(n / 2)); for odd `n` the middle word is the
 * first output of counter `(h, 0)`.
 */
export function keyWords(k0: number, k1: number, n: number, out: Uint32Array = new Uint32Array(n)): Uint32Array {
  const h = n >>> 1, odd = n & 1, second = h + odd;
  const pair = [0, 0];
  for (let i = 0; i < h; i++) {
    threefry2x32(k0, k1, i, i + second, pair);
    out[i] = pair[0]!;
    out[i + second] = pair[1]!;
  }
  if (odd) {
    threefry2x32(k0, k1, h, 0, pair);
    out[h] = pair[0]!;
  }
  return out;
}

/** `split(key, 2)` on the host: the two subkeys as `[[a0, a1], [b0, b1]]`. */
export function splitKeyHost(k0: number, k1: number): [[number, number], [number, number]] {
  const w = keyWords(k0, k1, 4);
  return [[w[0]!, w[1]!], [w[2]!, w[3]!]];
}

const f = Math.fround;
/** `fma(a, b, c)` rounded to float32, for float32 inputs (the double product is exact). */
const fmaf = (a: number, b: number, c: number): number => f(a * b + c);

/** float32 inverse error function (Juffa's polynomial, maximum error about 2.4 ulp). */
export function erfinvf(a: number): number {
  const t = f(Math.log(fmaf(a, -a, 1)));
  let p: number;
  if (Math.abs(t) > 6.125) {
    p = 3.03697567e-10;
    p = fmaf(p, t, 2.93243101e-8);
    p = fmaf(p, t, 1.22150334e-6);
    p = fmaf(p, t, 2.84108955e-5);
    p = fmaf(p, t, 3.93552968e-4);
    p = fmaf(p, t, 3.02698812e-3);
    p = fmaf(p, t, 4.83185798e-3);
    p = fmaf(p, t, -2.64646143e-1);
    p = fmaf(p, t, 8.40016484e-1);
  } else {
    p = 5.43877832e-9;
    p = fmaf(p, t, 1.43285448e-7);
    p = fmaf(p, t, 1.22774793e-6);
    p = fmaf(p, t, 1.12963626e-7);
    p = fmaf(p, t, -5.6153076e-5);
    p = fmaf(p, t, -1.47697632e-4);
    p = fmaf(p, t, 2.31468678e-3);
    p = fmaf(p, t, 1.15392581e-2);
    p = fmaf(p, t, -2.32015476e-1);
    p = fmaf(p, t, 8.86226892e-1);
  }
  return f(a * f(p));
}

/** float32 error function (Juffa's polynomial, maximum error about 1 ulp). */
export function erff(a: number): number {
  const t = Math.abs(a), s = f(a * a);
  if (t > 0.927734375) {
    let r = fmaf(-1.7285347e-5, t, 3.83197126e-4);
    const u = fmaf(-3.88396438e-3, t, 2.42546219e-2);
    r = fmaf(r, s, u);
    r = fmaf(r, t, -1.06777877e-1);
    r = fmaf(r, t, -6.34846687e-1);
    r = fmaf(r, t, -1.28717512e-1);
    r = fmaf(r, t, -t);
    r = f(1 - f(Math.exp(r)));
    return a < 0 ? -r : r;
  }
  let r = -5.96761703e-4;
  r = fmaf(r, s, 4.99119423e-3);
  r = fmaf(r, s, -2.67681349e-2);
  r = fmaf(r, s, 1.12819925e-1);
  r = fmaf(r, s, -3.76125336e-1);
  r = fmaf(r, s, 1.28379166e-1);
  return fmaf(r, a, a);
}
