/**
 * @file WGSL helpers for the wide value types (see wgsl-wide.ts). 64-bit integers are `vec2u` (lo, hi) and wrap
 * modulo 2^64 like the CPU's BigInt64Array stores; signed and unsigned share add/sub/mul/shift-left and differ in
 * comparisons, right shifts and division. Complex helpers follow the CPU kernels' formulas (elementwise-math.ts)
 * but compute in f32, so transcendental results agree within float32 rounding, not bit for bit.
 */

/** 64-bit integer helpers. */
export const W64_PRELUDE = `
fn w_add(a: vec2u, b: vec2u) -> vec2u { let lo = a.x + b.x; return vec2u(lo, a.y + b.y + select(0u, 1u, lo < a.x)); }
fn w_sub(a: vec2u, b: vec2u) -> vec2u { return vec2u(a.x - b.x, a.y - b.y - select(0u, 1u, a.x < b.x)); }
fn w_neg(a: vec2u) -> vec2u { return w_sub(vec2u(0u), a); }
fn w_isneg(a: vec2u) -> bool { return (a.y >> 31u) != 0u; }
fn w_abs(a: vec2u) -> vec2u { return select(a, w_neg(a), w_isneg(a)); }
fn w_nz(a: vec2u) -> bool { return any(a != vec2u(0u)); }
// full 64-bit product of two u32 from 16-bit halves (WGSL has no widening multiply)
fn w_mul32(a: u32, b: u32) -> vec2u {
  let a0 = a & 0xffffu; let a1 = a >> 16u; let b0 = b & 0xffffu; let b1 = b >> 16u;
  let p00 = a0 * b0; let p01 = a0 * b1; let p10 = a1 * b0; let p11 = a1 * b1;
  let mid = (p00 >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu);
  return vec2u((p00 & 0xffffu) | (mid << 16u), p11 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u));
}
fn w_mul(a: vec2u, b: vec2u) -> vec2u { let p = w_mul32(a.x, b.x); return vec2u(p.x, p.y + a.x * b.y + a.y * b.x); }
fn w_ltu(a: vec2u, b: vec2u) -> bool { return a.y < b.y || (a.y == b.y && a.x < b.x); }
fn w_lts(a: vec2u, b: vec2u) -> bool {
  let x = bitcast<i32>(a.y); let y = bitcast<i32>(b.y);
  return x < y || (x == y && a.x < b.x);
}
// shifts take 0 <= s < 64 (WGSL masks 32-bit shift counts, so each case keeps its count below 32)
fn w_shl(a: vec2u, s: u32) -> vec2u {
  if (s == 0u) { return a; }
  if (s < 32u) { return vec2u(a.x << s, (a.y << s) | (a.x >> (32u - s))); }
  return vec2u(0u, a.x << (s - 32u));
}
fn w_shru(a: vec2u, s: u32) -> vec2u {
  if (s == 0u) { return a; }
  if (s < 32u) { return vec2u((a.x >> s) | (a.y << (32u - s)), a.y >> s); }
  return vec2u(a.y >> (s - 32u), 0u);
}
fn w_shrs(a: vec2u, s: u32) -> vec2u {
  if (s == 0u) { return a; }
  let hi = bitcast<i32>(a.y);
  if (s < 32u) { return vec2u((a.x >> s) | (a.y << (32u - s)), bitcast<u32>(hi >> s)); }
  return vec2u(bitcast<u32>(hi >> (s - 32u)), bitcast<u32>(hi >> 31u));
}
fn w_bitlen(a: vec2u) -> u32 { return select(32u - countLeadingZeros(a.x), 64u - countLeadingZeros(a.y), a.y != 0u); }
struct WDiv { q: vec2u, r: vec2u }
// unsigned long division, one quotient bit per step; b != 0
fn w_divu(a: vec2u, b: vec2u) -> WDiv {
  var q = vec2u(0u); var r = vec2u(0u);
  for (var i = 63; i >= 0; i--) {
    // r < b < 2^64 before the shift, so a carry out of bit 63 means r >= b
    let carry = (r.y >> 31u) != 0u;
    r = w_shl(r, 1u);
    r.x = r.x | ((select(a.x, a.y, i >= 32) >> u32(i & 31)) & 1u);
    if (carry || !w_ltu(r, b)) {
      r = w_sub(r, b);
      if (i >= 32) { q.y = q.y | (1u << u32(i - 32)); } else { q.x = q.x | (1u << u32(i)); }
    }
  }
  return WDiv(q, r);
}
// Python floor division and remainder (the CPU's floorDivBig/remBig); by zero gives 0
fn w_fdiv(a: vec2u, b: vec2u, sg: bool) -> vec2u {
  if (!w_nz(b)) { return vec2u(0u); }
  if (!sg) { return w_divu(a, b).q; }
  let na = w_isneg(a); let nb = w_isneg(b);
  let d = w_divu(w_abs(a), w_abs(b));
  if (na == nb) { return d.q; }
  return w_sub(w_neg(d.q), select(vec2u(0u), vec2u(1u, 0u), w_nz(d.r)));
}
fn w_rem(a: vec2u, b: vec2u, sg: bool) -> vec2u {
  if (!w_nz(b)) { return vec2u(0u); }
  if (!sg) { return w_divu(a, b).r; }
  let na = w_isneg(a);
  let d = w_divu(w_abs(a), w_abs(b));
  let r = select(d.r, w_neg(d.r), na);
  if (w_nz(r) && na != w_isneg(b)) { return w_add(r, b); }
  return r;
}
// integer power by squaring, wrapping; a negative signed exponent gives 0 (the CPU's powBig)
fn w_pow(a: vec2u, e0: vec2u, sg: bool) -> vec2u {
  if (sg && w_isneg(e0)) { return vec2u(0u); }
  var r = vec2u(1u, 0u); var b = a; var e = e0;
  while (w_nz(e)) {
    if ((e.x & 1u) != 0u) { r = w_mul(r, b); }
    b = w_mul(b, b);
    e = w_shru(e, 1u);
  }
  return r;
}
// m >> s rounded to nearest, ties to even (0 < s < 64)
fn w_rne_shr(m: vec2u, s: u32) -> vec2u {
  let q = w_shru(m, s);
  let low = w_sub(m, w_shl(q, s));
  let hf = w_shl(vec2u(1u, 0u), s - 1u);
  let up = w_ltu(hf, low) || (all(low == hf) && (q.x & 1u) == 1u);
  return select(q, w_add(q, vec2u(1u, 0u)), up);
}
// int64/uint64 to float as the CPU converts: to the nearest double (53 bits), then to k significant bits
fn w_tof(a: vec2u, sg: bool, k: u32) -> f32 {
  let neg = sg && w_isneg(a);
  var m = select(a, w_neg(a), neg);
  var e = 0u;
  var nb = w_bitlen(m);
  if (nb > 53u) { m = w_rne_shr(m, nb - 53u); e = nb - 53u; nb = w_bitlen(m); }
  if (nb > k) { m = w_rne_shr(m, nb - k); e += nb - k; }
  // m now has at most k + 1 <= 25 significant bits (a carry gives a power of two), so it fits m.x exactly
  let f = ldexp(f32(m.x), i32(e));
  return select(f, -f, neg);
}
// float to 64-bit bits: truncate toward zero, wrap modulo 2^64, NaN and infinities give 0 (the CPU's writer)
fn w_fromf(x: f32) -> vec2u {
  let b = bitcast<u32>(x);
  let ex = (b >> 23u) & 0xffu;
  if (ex == 0xffu || ex < 127u) { return vec2u(0u); }
  let m = (b & 0x7fffffu) | 0x800000u;
  var r = vec2u(0u);
  if (ex >= 150u) { if (ex - 150u < 64u) { r = w_shl(vec2u(m, 0u), ex - 150u); } }
  else { r = vec2u(m >> (150u - ex), 0u); }
  return select(r, w_neg(r), (b >> 31u) != 0u);
}
`;

/** complex64 helpers on `vec2f` (re, im). */
export const C64_PRELUDE = `
fn c_hypot(a: f32, b: f32) -> f32 {
  let x = abs(a); let y = abs(b);
  if (is_inf(x) || is_inf(y)) { return f_inf(); }
  if (is_nan(x) || is_nan(y)) { return f_nan(); }
  let m = max(x, y);
  if (m == 0.0) { return 0.0; }
  let r = min(x, y) / m;
  return m * sqrt(1.0 + r * r);
}
// x / 0 spelled out: compilers fold 0 / z to 0 when they assume no NaN, but the CPU gives NaN there
fn c_div0(x: f32, z: f32) -> f32 {
  if (x == 0.0 || is_nan(x)) { return f_nan(); }
  return select(f_inf(), -f_inf(), (x < 0.0) != ((bitcast<u32>(z) >> 31u) != 0u));
}
fn c_mul(a: vec2f, b: vec2f) -> vec2f { return vec2f(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x); }
// Smith's division, as the CPU (no overflow in |b|^2)
fn c_div(a: vec2f, b: vec2f) -> vec2f {
  if (abs(b.x) >= abs(b.y)) {
    if (b.x == 0.0 && b.y == 0.0) { return vec2f(c_div0(a.x, b.x), c_div0(a.y, b.x)); }
    let r = b.y / b.x; let den = b.x + b.y * r;
    return vec2f((a.x + a.y * r) / den, (a.y - a.x * r) / den);
  }
  let r = b.x / b.y; let den = b.x * r + b.y;
  return vec2f((a.x * r + a.y) / den, (a.y * r - a.x) / den);
}
fn c_exp(z: vec2f) -> vec2f {
  let m = exp(z.x);
  // exp(x + 0i) stays real even when exp(x) overflows
  if (z.y == 0.0) { return vec2f(m, z.y); }
  return vec2f(m * cos(z.y), m * sin(z.y));
}
fn c_log(z: vec2f) -> vec2f { return vec2f(log(c_hypot(z.x, z.y)), atan2(z.y, z.x)); }
fn c_sqrt(z: vec2f) -> vec2f {
  let a = z.x; let b = z.y;
  if (a == 0.0 && b == 0.0) { return vec2f(0.0, b); }
  let t = sqrt((abs(a) + c_hypot(a, b)) * 0.5);
  if (a >= 0.0) { return vec2f(t, b / (2.0 * t)); }
  let negb = b < 0.0 || (b == 0.0 && (bitcast<u32>(b) >> 31u) != 0u);
  return vec2f(abs(b) / (2.0 * t), select(t, -t, negb));
}
fn c_sin(z: vec2f) -> vec2f { return vec2f(sin(z.x) * cosh(z.y), cos(z.x) * sinh(z.y)); }
fn c_cos(z: vec2f) -> vec2f { return vec2f(cos(z.x) * cosh(z.y), -sin(z.x) * sinh(z.y)); }
fn c_sinh(z: vec2f) -> vec2f { return vec2f(sinh(z.x) * cos(z.y), cosh(z.x) * sin(z.y)); }
fn c_cosh(z: vec2f) -> vec2f { return vec2f(cosh(z.x) * cos(z.y), sinh(z.x) * sin(z.y)); }
fn c_sign(z: vec2f) -> vec2f { let r = c_hypot(z.x, z.y); if (r == 0.0) { return vec2f(0.0); } return z / r; }
fn c_nan(z: vec2f) -> bool { return is_nan(z.x) || is_nan(z.y); }
fn c_less(a: vec2f, b: vec2f) -> bool { return a.x < b.x || (a.x == b.x && a.y < b.y); }
fn c_greater(a: vec2f, b: vec2f) -> bool { return a.x > b.x || (a.x == b.x && a.y > b.y); }
// z^w = exp(w log z), with 0^0 = 1 and 0^w = 0 for real positive w
fn c_pow(z: vec2f, w: vec2f) -> vec2f {
  if (z.x == 0.0 && z.y == 0.0) {
    if (w.x == 0.0 && w.y == 0.0) { return vec2f(1.0, 0.0); }
    if (w.x > 0.0 && w.y == 0.0) { return vec2f(0.0); }
  }
  let l = c_log(z);
  return c_exp(vec2f(w.x * l.x - w.y * l.y, w.x * l.y + w.y * l.x));
}
`;
