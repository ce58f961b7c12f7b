/**
 * @file WGSL expression builders shared by the misc and random GPU kernels: exact float32 literals and Juffa's
 * float32 `erf`/`erfinv` polynomials (the ones core/ops/random-math.ts implements for the CPU samplers).
 */

/** A WGSL f32 expression of exactly the float32 value nearest `v` (NaN and infinities through the prelude). */
export function f32Lit(v: number): string {
  if (Number.isNaN(v)) return 'f_nan()';
  if (v === Infinity) return 'f_inf()';
  if (v === -Infinity) return '(-f_inf())';
  const bits = new Uint32Array(new Float32Array([v]).buffer)[0]!;
  if (!Number.isFinite(Math.fround(v))) return bits >>> 31 ? '(-f_inf())' : 'f_inf()';
  return `bitcast<f32>(0x${bits.toString(16)}u)`;
}

const poly = (x: string, cs: number[]): string => cs.slice(1).reduce((p, c) => `fma(${p}, ${x}, ${f32Lit(c)})`, f32Lit(cs[0]!));

/** Juffa's float32 erfinv of `a`, as one WGSL expression of a (used once, so `a` may be any expression). */
export function erfinvWgsl(a: string): string {
  const t = `log(fma(${a}, -${a}, 1.0))`;
  const big = [3.03697567e-10, 2.93243101e-8, 1.22150334e-6, 2.84108955e-5, 3.93552968e-4, 3.02698812e-3,
    4.83185798e-3, -2.64646143e-1, 8.40016484e-1];
  const small = [5.43877832e-9, 1.43285448e-7, 1.22774793e-6, 1.12963626e-7, -5.6153076e-5, -1.47697632e-4,
    2.31468678e-3, 1.15392581e-2, -2.32015476e-1, 8.86226892e-1];
  return `(${a} * select(${poly(t, small)}, ${poly(t, big)}, abs(${t}) > 6.125))`;
}

export function erfWgsl(a: string): string {
  const t = `abs(${a})`, s = `(${a} * ${a})`;
  // |a| > 0.927734375: 1 - exp(poly), sign restored; else a + a * poly(a^2)
  const r0 = `fma(fma(-1.7285347e-5, ${t}, 3.83197126e-4), ${s}, fma(-3.88396438e-3, ${t}, 2.42546219e-2))`;
  const r = `fma(fma(fma(fma(${r0}, ${t}, -1.06777877e-1), ${t}, -6.34846687e-1), ${t}, -1.28717512e-1), ${t}, -${t})`;
  const far = `sign(${a}) * (1.0 - exp(${r}))`;
  const near = `fma(${poly(s, [-5.96761703e-4, 4.99119423e-3, -2.67681349e-2, 1.12819925e-1, -3.76125336e-1, 1.28379166e-1])}, ${a}, ${a})`;
  return `select(${near}, ${far}, ${t} > 0.927734375)`;
}

