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
