/**
 * @file GPU samplers that are maps of one Threefry word per element (creation-random.ts): `randomBernoulli` and
 * `randomInt` (32-bit outputs) are bit-identical with the CPU; float32 `randomNormal` (no broadcast to a larger
 * outShape), `randomGumbel`, `randomLaplace` and `randomTruncNormal` follow the CPU's float32 steps but use the
 * GPU's f32 log/exp, so they agree within a few float32 ulp. `randomCategorical` (Gumbel-max) walks each output's
 * category axis in the CPU's order and returns the same indices, except where two perturbed logits are within
 * those ulps of each other (a tie the GPU's log may break the other way; never seen in the tests). Other dtypes
 * and forms decline and run on the CPU.
 */
import * as dt from '../../../core/dtype.js';
import type { Node } from '../../../core/array.js';
import type { PrimitiveParams } from '../../../core/primitive.js';
import { sizeOf } from '../../../core/shape.js';
import { computeType, convert } from '../wgsl.js';
import type { GpuKernel } from './kernel.js';
import { broadcastTo, generate, own } from './creation-gen.js';
import { THREEFRY } from './creation-random.js';
import { erfWgsl, erfinvWgsl, f32Lit } from './misc-math.js';

/** WGSL helpers: `rword(e)` is element e's word of key ld0[0..1] over pi(0) words. */
const WORD = `${THREEFRY}
fn rword(e: i32) -> u32 { return key_word(ld0(0), ld0(1), u32(pi(0)), u32(e)); }
// log1p with the (1 + y) rounding error compensated
fn log1p_f(y: f32) -> f32 { let u = 1.0 + y; if (u == 1.0) { return y; } return log(u) * (y / (u - 1.0)); }
`;
const SYM_LOW = Math.fround(-(1 - 2 ** -24));
const SYM_RANGE = Math.fround(1 - SYM_LOW);
const keyOk = (node: Node): boolean => node.inputs[0]!.dtype === dt.uint32;
const f32Out = (d: dt.Dtype): boolean => d === dt.float32;

const bernoulliKernel: GpuKernel = {
  ok: (node) => keyOk(node) && computeType(node.inputs[1]!.dtype) !== null,
  run: (node, be) => {
    const p = node.params as PrimitiveParams['randomBernoulli'];
    const [key, pv] = node.inputs;
    // float32(bits) < float32(p * nextafter(2^32 - 1, inf)), as the CPU compares
    const expr = `(u32_to_f32(rword(e)) < ${convert('ld1(e)', computeType(pv!.dtype)!, 'f32')} * ${f32Lit(4294967296 + 512)})`;
    return [generate(be, dt.bool, p.shape, expr, {
      ins: [own(be.arg(key!)), broadcastTo(be.arg(pv!), p.shape)], extra: [sizeOf(p.shape)], helpers: WORD,
    })];
  },
};

const intKernel: GpuKernel = {
  ok: (node) => {
    const p = node.params as PrimitiveParams['randomInt'];
    if (node.inputs.length !== 3 || !keyOk(node)) return false;
    const to = computeType(p.dtype), tl = computeType(node.inputs[1]!.dtype), th = computeType(node.inputs[2]!.dtype);
    return (to === 'i32' || to === 'u32') && (tl === 'i32' || tl === 'u32') && tl === th;
  },
  run: (node, be) => {
    const p = node.params as PrimitiveParams['randomInt'];
    const [key, lo, hi] = node.inputs;
    const tl = computeType(lo!.dtype)!, to = computeType(p.dtype)!;
    // the empty-interval test compares in the output's domain: signed bounds as signed only for a signed output
    // (unsigned: a negative bound is 2^64 - |x|, which orders as its u32 bit pattern does)
    const empty = to === 'i32' && tl === 'i32' ? '(h <= l)' : '(hb <= lb)';
    const helpers = `${WORD}
fn sample(e: i32) -> u32 {
  let l = ld1(e); let h = ld2(e);
  let lb = ${convert('l', tl, 'u32')}; let hb = ${convert('h', tl, 'u32')};
  let safe = select(hb - lb, 1u, ${empty});
  return lb + rword(e) % safe;
}`;
    return [generate(be, p.dtype, p.shape, convert('sample(e)', 'u32', to), {
      ins: [own(be.arg(key!)), broadcastTo(be.arg(lo!), p.shape), broadcastTo(be.arg(hi!), p.shape)],
      extra: [sizeOf(p.shape)], helpers,
    })];
  },
};

/** MLX's symmetric draw in (-1, 1) from element e's word, each step in float32. */
const SYM = `fn sym(e: i32) -> f32 { return ${f32Lit(SYM_RANGE)} * unit_f32(rword(e)) + ${f32Lit(SYM_LOW)}; }`;

const normalKernel: GpuKernel = {
  ok: (node) => {
    const p = node.params as PrimitiveParams['randomNormal'];
    const same = p.shape.length === p.outShape.length && p.shape.every((s, i) => s === p.outShape[i]);
    return keyOk(node) && f32Out(p.dtype) && same && node.inputs.slice(1).every((x) => computeType(x.dtype) !== null);
  },
  run: (node, be) => {
    const p = node.params as PrimitiveParams['randomNormal'];
    const key = node.inputs[0]!;
    let at = 1;
    const ins = [own(be.arg(key))];
    const ld = (x: Node['inputs'][number]): string => {
      ins.push(broadcastTo(be.arg(x), p.shape));
      return convert(`ld${at++}(e)`, computeType(x.dtype)!, 'f32');
    };
    const loc = p.hasLoc ? ld(node.inputs[at]!) : null;
    const scale = p.hasScale ? ld(node.inputs[at]!) : null;
    const sqrt2 = f32Lit(Math.SQRT2);
    const helpers = `${WORD}${SYM}
fn sample(e: i32) -> f32 {
  let x = sym(e);
  let g = ${erfinvWgsl('x')};
  let s = ${scale ? `${sqrt2} * ${scale}` : sqrt2};
  let v = s * g;
  return ${loc ? `${loc} + v` : 'v'};
}`;
    return [generate(be, p.dtype, p.outShape, 'sample(e)', { ins, extra: [sizeOf(p.shape)], helpers })];
  },
};

const gumbelKernel: GpuKernel = {
  ok: (node) => keyOk(node) && f32Out((node.params as PrimitiveParams['randomGumbel']).dtype),
  run: (node, be) => {
    const p = node.params as PrimitiveParams['randomGumbel'];
    return [generate(be, p.dtype, p.shape, '(-log(-log(unit_f32(rword(e)))))', {
      ins: [own(be.arg(node.inputs[0]!))], extra: [sizeOf(p.shape)], helpers: WORD,
    })];
  },
};

const laplaceKernel: GpuKernel = {
  ok: (node) => keyOk(node) && f32Out((node.params as PrimitiveParams['randomLaplace']).dtype),
  run: (node, be) => {
    const p = node.params as PrimitiveParams['randomLaplace'];
    // the inverse CDF sign(u) * log1p(-|u|), then scale and loc as the CPU applies them
    let v = `(sign(x) * log1p_f(-abs(x)))`;
    if (p.scale !== 1) v = `(${f32Lit(p.scale)} * ${v})`;
    if (p.loc !== 0) v = `(${f32Lit(p.loc)} + ${v})`;
    const helpers = `${WORD}${SYM}
fn sample(e: i32) -> f32 { let x = sym(e); return ${v}; }`;
    return [generate(be, p.dtype, p.shape, 'sample(e)', {
      ins: [own(be.arg(node.inputs[0]!))], extra: [sizeOf(p.shape)], helpers,
    })];
  },
};

const truncNormalKernel: GpuKernel = {
  ok: (node) => {
    const p = node.params as PrimitiveParams['randomTruncNormal'];
    return keyOk(node) && f32Out(p.dtype) && node.inputs.slice(1).every((x) => computeType(x.dtype) !== null);
  },
  run: (node, be) => {
    const p = node.params as PrimitiveParams['randomTruncNormal'];
    const [key, lo, hi] = node.inputs;
    const l = convert('ld1(e)', computeType(lo!.dtype)!, 'f32'), h = convert('ld2(e)', computeType(hi!.dtype)!, 'f32');
    // the CPU's float32 steps: u ~ U[erf(l/sqrt2), erf(h/sqrt2)), x = sqrt2 * erfinv(u), clipped to [l, h]; the
    // divisions get one fma correction so they round as the CPU's do
    const helpers = `${WORD}
fn div_rn(a: f32, b: f32) -> f32 { let q = a / b; return q + fma(-q, b, a) / b; }
fn erf_f(a: f32) -> f32 { return ${erfWgsl('a')}; }
fn erfinv_f(a: f32) -> f32 { return ${erfinvWgsl('a')}; }
fn sample(e: i32) -> f32 {
  let s2 = ${f32Lit(Math.SQRT2)};
  let l = ${l};
  let h = ${h};
  let a = erf_f(div_rn(l, s2));
  let b = erf_f(div_rn(h, s2));
  let r = b - a;
  let t = r * unit_f32(rword(e));
  let x = t + a;
  let v = s2 * erfinv_f(x);
  return max(min(h, v), l);
}`;
    return [generate(be, p.dtype, p.shape, 'sample(e)', {
      ins: [own(be.arg(key!)), broadcastTo(be.arg(lo!), p.shape), broadcastTo(be.arg(hi!), p.shape)],
      extra: [sizeOf(p.shape)], helpers,
    })];
  },
};

const categoricalKernel: GpuKernel = {
  ok: (node) => keyOk(node) && computeType(node.inputs[1]!.dtype) !== null,
  run: (node, be) => {
    const p = node.params as PrimitiveParams['randomCategorical'];
    const [key, logits] = node.inputs, y = node.outputs[0]!;
    const ax = p.axis, n = p.gshape[ax]!, inner = sizeOf(p.gshape.slice(ax + 1));
    const lg = convert('ld1(k)', computeType(logits!.dtype)!, 'f32');
    // one output per (outer, inner) pair walks its category axis: gumbel(word k) + logit, float32 sums, the first
    // maximum winning and NaN counting as the maximum (the CPU's argmax)
    const helpers = `${WORD}
fn sample(e: i32) -> u32 {
  let n = pi(1); let inner = pi(2);
  let base = (e / inner) * n * inner + e % inner;
  var best = 0u;
  var bv = -f_inf();
  for (var j = 0; j < n; j++) {
    let k = base + j * inner;
    let g = -log(-log(unit_f32(rword(k))));
    let v = g + ${lg};
    if (v > bv || (is_nan(v) && !is_nan(bv))) { bv = v; best = u32(j); }
  }
  return best;
}`;
    return [generate(be, dt.uint32, y.shape, 'sample(e)', {
      ins: [own(be.arg(key!)), broadcastTo(be.arg(logits!), p.gshape)], extra: [sizeOf(p.gshape), n, Math.max(inner, 1)], helpers,
    })];
  },
};

/** The word-map samplers, by primitive name. */
export const samplerKernels: Record<string, GpuKernel> = {
  randomBernoulli: bernoulliKernel, randomInt: intKernel, randomNormal: normalKernel,
  randomGumbel: gumbelKernel, randomLaplace: laplaceKernel, randomTruncNormal: truncNormalKernel,
  randomCategorical: categoricalKernel,
};
