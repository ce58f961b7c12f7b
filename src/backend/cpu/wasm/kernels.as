// AssemblyScript source of the CPU backend's WebAssembly SIMD kernels (compiled by build.mjs; `.as` keeps tsc
// away from it). Every kernel works on byte addresses in the one shared memory and takes a chunk index first, so
// the worker pool can split it: chunk c of n covers its own rows, columns or elements and nothing else.
// No allocation, no globals, no data segments: many instances (one per thread) can share the memory safely.

const MR: i32 = 4;
const NR: i32 = 8;
const KC: i32 = 256;

// C[4x8] (+)= Apanel[kc x 4] * Bpanel[kc x 8]; panels are k-major, C rows are ldc bytes apart.
@inline function micro(a: usize, b: usize, kc: i32, c: usize, ldc: usize, acc: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let x = v128.load32_splat(a);
    c00 = f32x4.add(c00, f32x4.mul(x, b0)); c01 = f32x4.add(c01, f32x4.mul(x, b1));
    x = v128.load32_splat(a, 4);
    c10 = f32x4.add(c10, f32x4.mul(x, b0)); c11 = f32x4.add(c11, f32x4.mul(x, b1));
    x = v128.load32_splat(a, 8);
    c20 = f32x4.add(c20, f32x4.mul(x, b0)); c21 = f32x4.add(c21, f32x4.mul(x, b1));
    x = v128.load32_splat(a, 12);
    c30 = f32x4.add(c30, f32x4.mul(x, b0)); c31 = f32x4.add(c31, f32x4.mul(x, b1));
    a += 16; b += 32;
  }
  if (acc) {
    c00 = f32x4.add(c00, v128.load(c)); c01 = f32x4.add(c01, v128.load(c, 16)); c += ldc;
    c10 = f32x4.add(c10, v128.load(c)); c11 = f32x4.add(c11, v128.load(c, 16)); c += ldc;
    c20 = f32x4.add(c20, v128.load(c)); c21 = f32x4.add(c21, v128.load(c, 16)); c += ldc;
    c30 = f32x4.add(c30, v128.load(c)); c31 = f32x4.add(c31, v128.load(c, 16));
    c -= 3 * ldc;
  }
  v128.store(c, c00); v128.store(c, c01, 16); c += ldc;
  v128.store(c, c10); v128.store(c, c11, 16); c += ldc;
  v128.store(c, c20); v128.store(c, c21, 16); c += ldc;
  v128.store(c, c30); v128.store(c, c31, 16);
}

// One chunk of C = Ap @ Bp on packed panels. Ap: ceil(M/4) panels of K x 4; Bp: ceil(N/8) panels of K x 8; C is
// padded to whole tiles (ldc floats per row). Chunk c covers row panels [ip0, ip1) x column panels [jp0, jp1)
// where the grid is rowChunks x colChunks of `mcp` row panels and `ncp` column panels.
export function gemm_packed(
  chunk: i32, ap: usize, bp: usize, c: usize, mp: i32, np: i32, K: i32, ldc: i32, mcp: i32, ncp: i32,
): void {
  const colChunks = (np + ncp - 1) / ncp;
  const ci = chunk / colChunks, cj = chunk % colChunks;
  const ip0 = ci * mcp, ip1 = min(mp, ip0 + mcp);
  const jp0 = cj * ncp, jp1 = min(np, jp0 + ncp);
  const ldcB = <usize>ldc << 2;
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = min(KC, K - k0);
    for (let jp = jp0; jp < jp1; jp++) {
      const bpan = bp + ((<usize>jp * <usize>K + <usize>k0) * <usize>NR << 2);
      for (let ip = ip0; ip < ip1; ip++) {
        const apan = ap + ((<usize>ip * <usize>K + <usize>k0) * <usize>MR << 2);
        const ct = c + <usize>ip * MR * ldcB + (<usize>jp * NR << 2);
        micro(apan, bpan, kc, ct, ldcB, k0 > 0);
      }
    }
  }
}

// Packs row panels [chunk*per, ...) of a strided M x K operand (element strides sam, sak; negative ones wrap
// correctly in 32-bit address arithmetic) into k-major panels of 4 rows; rows past M are zero.
export function pack_a(chunk: i32, src: usize, sam: i32, sak: i32, M: i32, K: i32, dst: usize, per: i32): void {
  const p0 = chunk * per, p1 = min((M + MR - 1) / MR, p0 + per);
  const sk = sak << 2;
  for (let ip = p0; ip < p1; ip++) {
    const r0 = ip * MR;
    let d = dst + ((<usize>ip * <usize>K * MR) << 2);
    if (r0 + MR <= M) {
      let s0 = src + <usize>(r0 * sam << 2), s1 = s0 + <usize>(sam << 2), s2 = s1 + <usize>(sam << 2), s3 = s2 + <usize>(sam << 2);
      for (let k = 0; k < K; k++) {
        store<f32>(d, load<f32>(s0)); store<f32>(d, load<f32>(s1), 4);
        store<f32>(d, load<f32>(s2), 8); store<f32>(d, load<f32>(s3), 12);
        s0 += sk; s1 += sk; s2 += sk; s3 += sk; d += 16;
      }
    } else {
      for (let k = 0; k < K; k++) {
        for (let r = 0; r < MR; r++) {
          store<f32>(d + (<usize>r << 2), r0 + r < M ? load<f32>(src + <usize>(((r0 + r) * sam + k * sak) << 2)) : 0);
        }
        d += 16;
      }
    }
  }
}

// Packs column panels [chunk*per, ...) of a strided K x N operand into k-major panels of 8 columns (zero past N).
export function pack_b(chunk: i32, src: usize, sbk: i32, sbn: i32, K: i32, N: i32, dst: usize, per: i32): void {
  const p0 = chunk * per, p1 = min((N + NR - 1) / NR, p0 + per);
  for (let jp = p0; jp < p1; jp++) {
    const c0 = jp * NR;
    let d = dst + ((<usize>jp * <usize>K * NR) << 2);
    if (c0 + NR <= N && sbn == 1) {
      let s = src + <usize>(c0 << 2);
      const sk = <usize>(sbk << 2);
      for (let k = 0; k < K; k++) {
        v128.store(d, v128.load(s)); v128.store(d, v128.load(s, 16), 16);
        s += sk; d += 32;
      }
    } else {
      for (let k = 0; k < K; k++) {
        for (let c = 0; c < NR; c++) {
          store<f32>(d + (<usize>c << 2), c0 + c < N ? load<f32>(src + <usize>((k * sbk + (c0 + c) * sbn) << 2)) : 0);
        }
        d += 32;
      }
    }
  }
}

// ---- elementwise ----

@inline function binop(op: i32, x: v128, y: v128): v128 {
  if (op == 0) return f32x4.add(x, y);
  if (op == 1) return f32x4.sub(x, y);
  if (op == 2) return f32x4.mul(x, y);
  return f32x4.div(x, y);
}

@inline function binop1(op: i32, x: f32, y: f32): f32 {
  if (op == 0) return x + y;
  if (op == 1) return x - y;
  if (op == 2) return x * y;
  return x / y;
}

// out[k] = a[k*sa] op b[k*sb] for k in this chunk's [chunk*per, chunk*per+per) of n; op 0 add, 1 sub, 2 mul,
// 3 div. Strides 0 and 1 take the SIMD loops, any other stride a scalar loop.
export function binary_f32(chunk: i32, op: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32, per: i32): void {
  const k0 = chunk * per, k1 = min(n, k0 + per);
  let k = k0;
  if ((sa == 1 || sa == 0) && (sb == 1 || sb == 0)) {
    const va = f32x4.splat(load<f32>(a)), vb = f32x4.splat(load<f32>(b));
    const ia = <usize>sa << 2, ib = <usize>sb << 2;
    for (; k + 8 <= k1; k += 8) {
      const p = <usize>k;
      const pa = a + p * ia, pb = b + p * ib;
      const x0 = sa ? v128.load(pa) : va, x1 = sa ? v128.load(pa, 16) : va;
      const y0 = sb ? v128.load(pb) : vb, y1 = sb ? v128.load(pb, 16) : vb;
      v128.store(out + (p << 2), binop(op, x0, y0));
      v128.store(out + (p << 2), binop(op, x1, y1), 16);
    }
  }
  for (; k < k1; k++) {
    store<f32>(out + (<usize>k << 2), binop1(op, load<f32>(a + <usize>(k * sa << 2)), load<f32>(b + <usize>(k * sb << 2))));
  }
}

// Constants of exp4, written at this address by the runtime (runtime.ts) before any kernel runs: loading them is
// one instruction, where V8 rebuilds a v128.const from immediates every time it is used inside a loop.
const EXPC: usize = 1024;

// e^x for four floats: x = n ln2 + r with |r| <= ln2/2, e^r by a degree-6 polynomial (Cephes expf
// coefficients), 2^n applied as two halves so results near FLT_MAX and in the subnormal range come out right.
@inline function exp4(x: v128): v128 {
  const hiX = v128.load(EXPC), loX = v128.load(EXPC, 16);
  // pmin/pmax are single instructions (min/max with NaN rules are ~10 under V8); a NaN x passes through both
  const xc = f32x4.pmin(f32x4.pmax(x, loX), hiX);
  // adding 1.5 * 2^23 rounds to the nearest integer n and leaves n in the low mantissa bits
  const magic = v128.load(EXPC, 192);
  const t = f32x4.add(f32x4.mul(xc, v128.load(EXPC, 32)), magic);
  const n = f32x4.sub(t, magic);
  let r = f32x4.sub(xc, f32x4.mul(n, v128.load(EXPC, 48)));
  r = f32x4.sub(r, f32x4.mul(n, v128.load(EXPC, 64)));
  let p = v128.load(EXPC, 80);
  p = f32x4.add(f32x4.mul(p, r), v128.load(EXPC, 96));
  p = f32x4.add(f32x4.mul(p, r), v128.load(EXPC, 112));
  p = f32x4.add(f32x4.mul(p, r), v128.load(EXPC, 128));
  p = f32x4.add(f32x4.mul(p, r), v128.load(EXPC, 144));
  p = f32x4.add(f32x4.mul(p, r), v128.load(EXPC, 160));
  const y = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), v128.load(EXPC, 176));
  // magic's bits are 0x4B400000: subtracting them leaves n; the biased exponent halves are n1 + 127 and n2 + 127
  const ni = i32x4.sub(t, magic), n1 = i32x4.shr_s(ni, 1), n2 = i32x4.sub(ni, n1);
  const bias = v128.load(EXPC, 224);
  let res = f32x4.mul(f32x4.mul(y, i32x4.shl(i32x4.add(n1, bias), 23)), i32x4.shl(i32x4.add(n2, bias), 23));
  res = v128.bitselect(v128.load(EXPC, 208), res, f32x4.gt(x, hiX));
  res = v128.andnot(res, f32x4.lt(x, loX));
  // NaN in, NaN out
  return v128.bitselect(x, res, f32x4.ne(x, x));
}

// Writes exp4's constants (once per memory, by the runtime; no data segments, which every instance would rewrite).
export function init_consts(): void {
  v128.store(EXPC, f32x4.splat(88.72283), 0);
  v128.store(EXPC, f32x4.splat(-103.97208), 16);
  v128.store(EXPC, f32x4.splat(1.44269504), 32);
  v128.store(EXPC, f32x4.splat(0.693359375), 48);
  v128.store(EXPC, f32x4.splat(-2.12194440e-4), 64);
  v128.store(EXPC, f32x4.splat(1.9875691500e-4), 80);
  v128.store(EXPC, f32x4.splat(1.3981999507e-3), 96);
  v128.store(EXPC, f32x4.splat(8.3334519073e-3), 112);
  v128.store(EXPC, f32x4.splat(4.1665795894e-2), 128);
  v128.store(EXPC, f32x4.splat(1.6666665459e-1), 144);
  v128.store(EXPC, f32x4.splat(5.0000001201e-1), 160);
  v128.store(EXPC, f32x4.splat(1), 176);
  v128.store(EXPC, f32x4.splat(Infinity), 208);
  v128.store(EXPC, f32x4.splat(12582912.0), 192);
  // the exponent bias is an integer lane
  v128.store(EXPC, i32x4.splat(127), 224);
}

/** Scalar e^x through the same polynomial (lane 0), so tails round like the vector body. */
@inline function exp1(x: f32): f32 {
  return f32x4.extract_lane(exp4(f32x4.splat(x)), 0);
}

// ---- reductions ----

// Partial sum (mode 0, float64 accumulation) or max (mode 1, NaN wins) of the chunk's elements of a strided row;
// written as a float64 to dst[chunk].
export function reduce_f32(chunk: i32, mode: i32, src: usize, n: i32, step: i32, per: i32, dst: usize): void {
  const k0 = chunk * per, k1 = min(n, k0 + per);
  let k = k0;
  if (mode == 0) {
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
    if (step == 1) {
      for (; k + 8 <= k1; k += 8) {
        const p = src + (<usize>k << 2);
        const x = v128.load(p), y = v128.load(p, 16);
        s0 = f64x2.add(s0, f64x2.promote_low_f32x4(x));
        s1 = f64x2.add(s1, f64x2.promote_low_f32x4(i32x4.shuffle(x, x, 2, 3, 0, 1)));
        s2 = f64x2.add(s2, f64x2.promote_low_f32x4(y));
        s3 = f64x2.add(s3, f64x2.promote_low_f32x4(i32x4.shuffle(y, y, 2, 3, 0, 1)));
      }
    }
    const t = f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3));
    let s = f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
    for (; k < k1; k++) s += <f64>load<f32>(src + <usize>(k * step << 2));
    store<f64>(dst + (<usize>chunk << 3), s);
    return;
  }
  let m0 = f32x4.splat(-Infinity), m1 = f32x4.splat(-Infinity), nanv = i32x4.splat(0);
  if (step == 1) {
    for (; k + 8 <= k1; k += 8) {
      const p = src + (<usize>k << 2);
      const x = v128.load(p), y = v128.load(p, 16);
      m0 = f32x4.pmax(m0, x); m1 = f32x4.pmax(m1, y);
      nanv = v128.or(nanv, v128.or(f32x4.ne(x, x), f32x4.ne(y, y)));
    }
  }
  const mv = f32x4.max(m0, m1);
  let m: f32 = max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
  if (v128.any_true(nanv)) m = NaN;
  for (; k < k1; k++) m = max(m, load<f32>(src + <usize>(k * step << 2)));
  store<f64>(dst + (<usize>chunk << 3), <f64>m);
}

// Softmax of `per` dense lanes of n floats from chunk*per on (lane l at src + l*lds, out + l*ldo bytes apart).
// e^(x - max) is stored, summed in float64, then scaled by the float32 reciprocal of the sum.
export function softmax_f32(chunk: i32, src: usize, out: usize, n: i32, lanes: i32, lds: i32, ldo: i32, per: i32): void {
  const l0 = chunk * per, l1 = min(lanes, l0 + per);
  for (let l = l0; l < l1; l++) {
    const a = src + <usize>l * <usize>lds, o = out + <usize>l * <usize>ldo;
    let mv = f32x4.splat(-Infinity), nanv = i32x4.splat(0);
    let k = 0;
    // pmax is one instruction; NaNs are tracked on the side
    for (; k + 4 <= n; k += 4) {
      const x = v128.load(a + (<usize>k << 2));
      mv = f32x4.pmax(mv, x);
      nanv = v128.or(nanv, f32x4.ne(x, x));
    }
    let m: f32 = max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
    if (v128.any_true(nanv)) m = NaN;
    for (; k < n; k++) m = max(m, load<f32>(a + (<usize>k << 2)));
    const vm = f32x4.splat(m);
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
    k = 0;
    // two vectors per step: the polynomial is a serial chain, so independent work is interleaved with it
    for (; k + 8 <= n; k += 8) {
      const e = exp4(f32x4.sub(v128.load(a + (<usize>k << 2)), vm));
      const f = exp4(f32x4.sub(v128.load(a + (<usize>k << 2), 16), vm));
      v128.store(o + (<usize>k << 2), e);
      v128.store(o + (<usize>k << 2), f, 16);
      const g = f32x4.add(e, f);
      s0 = f64x2.add(s0, f64x2.promote_low_f32x4(g));
      s1 = f64x2.add(s1, f64x2.promote_low_f32x4(i32x4.shuffle(g, g, 2, 3, 0, 1)));
    }
    for (; k + 4 <= n; k += 4) {
      const e = exp4(f32x4.sub(v128.load(a + (<usize>k << 2)), vm));
      v128.store(o + (<usize>k << 2), e);
      s0 = f64x2.add(s0, f64x2.promote_low_f32x4(e));
      s1 = f64x2.add(s1, f64x2.promote_low_f32x4(i32x4.shuffle(e, e, 2, 3, 0, 1)));
    }
    const t = f64x2.add(s0, s1);
    let s = f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
    for (; k < n; k++) {
      const e = exp1(load<f32>(a + (<usize>k << 2)) - m);
      store<f32>(o + (<usize>k << 2), e);
      s += <f64>e;
    }
    const inv = <f32>(1 / s), vi = f32x4.splat(inv);
    k = 0;
    for (; k + 4 <= n; k += 4) v128.store(o + (<usize>k << 2), f32x4.mul(v128.load(o + (<usize>k << 2)), vi));
    for (; k < n; k++) store<f32>(o + (<usize>k << 2), load<f32>(o + (<usize>k << 2)) * inv);
  }
}

// ---- float16 / bfloat16 conversions (round to nearest even; NaN stays NaN, quieted) ----

// float32 bits (four lanes) to float16 bits in the low 16 bits of each lane
@inline function f32x4_to_f16(x: v128): v128 {
  const sign = v128.and(x, i32x4.splat(0x80000000));
  const a = v128.xor(x, sign);
  // NaN / inf
  const special = v128.bitselect(i32x4.splat(0x7e00), i32x4.splat(0x7c00), i32x4.gt_s(a, i32x4.splat(0x7f800000)));
  // normal range: rebias the exponent and round the 13 dropped bits to nearest even (a carry may reach inf)
  const odd = v128.and(i32x4.shr_u(a, 13), i32x4.splat(1));
  const normal = i32x4.shr_u(i32x4.add(i32x4.add(a, i32x4.splat(-0x37fff001)), odd), 13);
  // subnormal halves: adding 0.5 lets the FPU do the rounding; the low bits are the result
  const sub = i32x4.sub(f32x4.add(a, i32x4.splat(0x3f000000)), i32x4.splat(0x3f000000));
  let r = v128.bitselect(sub, normal, i32x4.lt_s(a, i32x4.splat(0x38800000)));
  // 65520 and above round to inf; the normal path already gives 0x7c00 there up to 2^16
  r = v128.bitselect(i32x4.splat(0x7c00), r, i32x4.ge_s(a, i32x4.splat(0x47800000)));
  r = v128.bitselect(special, r, i32x4.ge_s(a, i32x4.splat(0x7f800000)));
  return v128.or(r, i32x4.shr_u(sign, 16));
}

// float16 bits (zero-extended lanes) to float32 bits
@inline function f16x4_to_f32(h: v128): v128 {
  let o = i32x4.shl(v128.and(h, i32x4.splat(0x7fff)), 13);
  const e = v128.and(o, i32x4.splat(0x0f800000));
  o = i32x4.add(o, i32x4.splat(0x38000000));
  // inf/NaN: exponent to 255
  o = v128.bitselect(i32x4.add(o, i32x4.splat(0x38000000)), o, i32x4.eq(e, i32x4.splat(0x0f800000)));
  // zero/subnormal: renormalise through a float subtraction
  const z = f32x4.sub(i32x4.add(o, i32x4.splat(0x00800000)), i32x4.splat(0x38800000));
  o = v128.bitselect(z, o, i32x4.eq(e, i32x4.splat(0)));
  return v128.or(o, i32x4.shl(v128.and(h, i32x4.splat(0x8000)), 16));
}

@inline function f32x4_to_bf16(x: v128): v128 {
  const lsb = v128.and(i32x4.shr_u(x, 16), i32x4.splat(1));
  const r = i32x4.shr_u(i32x4.add(i32x4.add(x, i32x4.splat(0x7fff)), lsb), 16);
  const nan = v128.or(i32x4.shr_u(x, 16), i32x4.splat(0x40));
  return v128.bitselect(nan, r, f32x4.ne(x, x));
}

// kind 0: float16, 1: bfloat16. float32 at src to 16-bit at dst, elements [chunk*per, ...) of n.
export function f32_to_half(chunk: i32, kind: i32, src: usize, dst: usize, n: i32, per: i32): void {
  const k0 = chunk * per, k1 = min(n, k0 + per);
  let k = k0;
  for (; k + 8 <= k1; k += 8) {
    const x0 = v128.load(src + (<usize>k << 2)), x1 = v128.load(src + (<usize>k << 2), 16);
    const h0 = kind == 0 ? f32x4_to_f16(x0) : f32x4_to_bf16(x0);
    const h1 = kind == 0 ? f32x4_to_f16(x1) : f32x4_to_bf16(x1);
    v128.store(dst + (<usize>k << 1), i16x8.narrow_i32x4_u(h0, h1));
  }
  for (; k < k1; k++) {
    const x = f32x4.splat(load<f32>(src + (<usize>k << 2)));
    const h = kind == 0 ? f32x4_to_f16(x) : f32x4_to_bf16(x);
    store<u16>(dst + (<usize>k << 1), <u16>i32x4.extract_lane(h, 0));
  }
}

// 16-bit at src to float32 at dst (kind as above).
export function half_to_f32(chunk: i32, kind: i32, src: usize, dst: usize, n: i32, per: i32): void {
  const k0 = chunk * per, k1 = min(n, k0 + per);
  let k = k0;
  for (; k + 4 <= k1; k += 4) {
    const h = v128.load16x4_u(src + (<usize>k << 1));
    v128.store(dst + (<usize>k << 2), kind == 0 ? f16x4_to_f32(h) : i32x4.shl(h, 16));
  }
  for (; k < k1; k++) {
    const h = i32x4.splat(<i32>load<u16>(src + (<usize>k << 1)));
    store<i32>(dst + (<usize>k << 2), i32x4.extract_lane(kind == 0 ? f16x4_to_f32(h) : i32x4.shl(h, 16), 0));
  }
}

// ---- unary ----

@inline function unop(op: i32, x: v128): v128 {
  if (op == 0) return f32x4.neg(x);
  if (op == 1) return f32x4.abs(x);
  if (op == 2) return f32x4.mul(x, x);
  if (op == 3) return f32x4.sqrt(x);
  if (op == 4) return f32x4.div(f32x4.splat(1), x);
  if (op == 5) return exp4(x);
  // 6: sigmoid from e = e^-|x|: 1 / (1 + e) for x >= 0, e / (1 + e) below (keeps tiny results instead of 0)
  const e = exp4(f32x4.neg(f32x4.abs(x)));
  const d = f32x4.add(f32x4.splat(1), e);
  return v128.bitselect(f32x4.div(e, d), f32x4.div(f32x4.splat(1), d), f32x4.lt(x, f32x4.splat(0)));
}

// out[k] = op(x[k*step]) for k in the chunk's [chunk*per, ...) of n: 0 negative, 1 abs, 2 square, 3 sqrt,
// 4 reciprocal, 5 exp, 6 sigmoid.
export function unary_f32(chunk: i32, op: i32, src: usize, step: i32, out: usize, n: i32, per: i32): void {
  const k0 = chunk * per, k1 = min(n, k0 + per);
  let k = k0;
  if (step == 1) {
    for (; k + 4 <= k1; k += 4) v128.store(out + (<usize>k << 2), unop(op, v128.load(src + (<usize>k << 2))));
  }
  for (; k < k1; k++) {
    store<f32>(out + (<usize>k << 2), f32x4.extract_lane(unop(op, f32x4.splat(load<f32>(src + <usize>(k * step << 2)))), 0));
  }
}

// ---- argmax / argmin ----

// Index of the first max (isMax) or min of n floats `step` apart; the first NaN wins, as in NumPy.
export function argreduce_f32(isMax: i32, src: usize, n: i32, step: i32): i32 {
  if (n <= 0) return 0;
  if (step != 1) {
    let best = load<f32>(src), at = 0;
    if (best != best) return 0;
    for (let k = 1; k < n; k++) {
      const v = load<f32>(src + <usize>(k * step << 2));
      if (v != v) return k;
      if (isMax ? v > best : v < best) { best = v; at = k; }
    }
    return at;
  }
  // pass 1: the extreme value (NaN propagates through f32x4.max/min)
  let mv = f32x4.splat(load<f32>(src));
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const x = v128.load(src + (<usize>k << 2));
    mv = isMax ? f32x4.max(mv, x) : f32x4.min(mv, x);
  }
  let m: f32 = isMax
    ? max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)))
    : min(min(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), min(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
  for (; k < n; k++) { const v = load<f32>(src + (<usize>k << 2)); m = isMax ? max(m, v) : min(m, v); }
  // pass 2: the first element equal to it (or the first NaN)
  const nan = m != m;
  const vm = f32x4.splat(m);
  k = 0;
  for (; k + 4 <= n; k += 4) {
    const x = v128.load(src + (<usize>k << 2));
    const hit = nan ? f32x4.ne(x, x) : f32x4.eq(x, vm);
    if (v128.any_true(hit)) return k + ctz(i32x4.bitmask(hit));
  }
  for (; k < n; k++) {
    const v = load<f32>(src + (<usize>k << 2));
    if (nan ? v != v : v == m) return k;
  }
  return 0;
}

// ---- where ----

// out[k] = c[k*sc] ? x[k*sx] : y[k*sy] for k in the chunk's [chunk*per, ...) of n; c holds bool bytes (sc in
// bytes), x/y float32 (strides in elements). Dense or broadcast (stride 0) operands take the SIMD loop.
export function where_f32(chunk: i32, c: usize, sc: i32, x: usize, sx: i32, y: usize, sy: i32, out: usize, n: i32, per: i32): void {
  const k0 = chunk * per, k1 = min(n, k0 + per);
  let k = k0;
  if (sc == 1 && (sx == 1 || sx == 0) && (sy == 1 || sy == 0)) {
    const vx = f32x4.splat(load<f32>(x)), vy = f32x4.splat(load<f32>(y));
    const ix = <usize>sx << 2, iy = <usize>sy << 2, zero = i32x4.splat(0);
    for (; k + 8 <= k1; k += 8) {
      const p = <usize>k;
      // eight condition bytes widened to two masks of four 32-bit lanes
      const c16 = v128.load8x8_u(c + p);
      const m0 = i32x4.ne(i32x4.extend_low_i16x8_u(c16), zero), m1 = i32x4.ne(i32x4.extend_high_i16x8_u(c16), zero);
      const px = x + p * ix, py = y + p * iy;
      const x0 = sx ? v128.load(px) : vx, x1 = sx ? v128.load(px, 16) : vx;
      const y0 = sy ? v128.load(py) : vy, y1 = sy ? v128.load(py, 16) : vy;
      v128.store(out + (p << 2), v128.bitselect(x0, y0, m0));
      v128.store(out + (p << 2), v128.bitselect(x1, y1, m1), 16);
    }
  }
  for (; k < k1; k++) {
    const v = load<u8>(c + <usize>(k * sc)) ? load<u32>(x + <usize>(k * sx << 2)) : load<u32>(y + <usize>(k * sy << 2));
    store<u32>(out + (<usize>k << 2), v);
  }
}

// ---- min reduction, logsumexp ----

// Partial min (NaN wins) of the chunk's elements of a strided row, written as a float64 to dst[chunk].
export function reduce_min_f32(chunk: i32, src: usize, n: i32, step: i32, per: i32, dst: usize): void {
  const k0 = chunk * per, k1 = min(n, k0 + per);
  let k = k0;
  let m0 = f32x4.splat(Infinity), m1 = f32x4.splat(Infinity), nanv = i32x4.splat(0);
  if (step == 1) {
    for (; k + 8 <= k1; k += 8) {
      const p = src + (<usize>k << 2);
      const x = v128.load(p), y = v128.load(p, 16);
      m0 = f32x4.pmin(m0, x); m1 = f32x4.pmin(m1, y);
      nanv = v128.or(nanv, v128.or(f32x4.ne(x, x), f32x4.ne(y, y)));
    }
  }
  const mv = f32x4.min(m0, m1);
  let m: f32 = min(min(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), min(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
  if (v128.any_true(nanv)) m = NaN;
  for (; k < k1; k++) m = min(m, load<f32>(src + <usize>(k * step << 2)));
  store<f64>(dst + (<usize>chunk << 3), <f64>m);
}

// The two halves of logsumexp for `per` dense lanes of n floats from chunk*per on (lane l at src + l*lds bytes):
// the lane max m and sum e^(x - m) (float64) as a float64 pair at out + 16*l; the caller adds m + log(sum).
// (Math.log would bring AssemblyScript's lookup tables as data segments, which every instance would rewrite.)
export function logsumexp_f32(chunk: i32, src: usize, out: usize, n: i32, lanes: i32, lds: i32, per: i32): void {
  const l0 = chunk * per, l1 = min(lanes, l0 + per);
  for (let l = l0; l < l1; l++) {
    const a = src + <usize>l * <usize>lds;
    let mv = f32x4.splat(-Infinity), nanv = i32x4.splat(0);
    let k = 0;
    for (; k + 4 <= n; k += 4) {
      const x = v128.load(a + (<usize>k << 2));
      mv = f32x4.pmax(mv, x);
      nanv = v128.or(nanv, f32x4.ne(x, x));
    }
    let m: f32 = max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
    if (v128.any_true(nanv)) m = NaN;
    for (; k < n; k++) m = max(m, load<f32>(a + (<usize>k << 2)));
    const o = out + (<usize>l << 4);
    store<f64>(o, <f64>m);
    if (m != m || m == Infinity || m == -Infinity) { store<f64>(o, 0, 8); continue; }
    const vm = f32x4.splat(m);
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
    k = 0;
    for (; k + 8 <= n; k += 8) {
      const g = f32x4.add(exp4(f32x4.sub(v128.load(a + (<usize>k << 2)), vm)), exp4(f32x4.sub(v128.load(a + (<usize>k << 2), 16), vm)));
      s0 = f64x2.add(s0, f64x2.promote_low_f32x4(g));
      s1 = f64x2.add(s1, f64x2.promote_low_f32x4(i32x4.shuffle(g, g, 2, 3, 0, 1)));
    }
    const t = f64x2.add(s0, s1);
    let s = f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
    for (; k < n; k++) s += <f64>exp1(load<f32>(a + (<usize>k << 2)) - m);
    store<f64>(o, s, 8);
  }
}
