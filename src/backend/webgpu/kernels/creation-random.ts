/**
 * @file GPU random kernels: `randomBits` and the float32 `randomUniform`. The words are Threefry-2x32-20 in u32
 * math with the CPU's counter layout (core/ops/random-math.ts: word i < h from counter (i, i + h + odd), x0; the
 * second half from the same counters, x1; an odd middle word from (h, 0)), so results are bit-identical with the
 * CPU backend. The word-to-float conversion rounds to nearest-even by hand, because WGSL leaves the rounding of
 * `f32(u32)` to the implementation.
 */
import * as dt from '../../../core/dtype.js';
import type { PrimitiveParams } from '../../../core/primitive.js';
import { rowMajorStrides, sizeOf } from '../../../core/shape.js';
import type { WebGpuBackend, GpuArg } from '../backend.js';
import { computeType, convert } from '../wgsl.js';
import type { GpuKernel } from './kernel.js';
import { broadcastTo, generate } from './creation-gen.js';

/** WGSL: Threefry-2x32-20 and MLX's per-key word layout (`key_word(k0, k1, n, w)`: word w of n). */
export const THREEFRY = `
fn rotl(x: u32, s: u32) -> u32 { return (x << s) | (x >> (32u - s)); }
fn threefry(k0: u32, k1: u32, c0: u32, c1: u32) -> vec2u {
  var ks = array<u32, 3>(k0, k1, 0x1bd11bdau ^ k0 ^ k1);
  var rot = array<u32, 8>(13u, 15u, 26u, 6u, 17u, 29u, 16u, 24u);
  var x0 = c0 + k0;
  var x1 = c1 + k1;
  for (var blk = 0u; blk < 5u; blk++) {
    let r = (blk & 1u) * 4u;
    for (var j = 0u; j < 4u; j++) { x0 = x0 + x1; x1 = rotl(x1, rot[r + j]) ^ x0; }
    // key injection every four rounds, the schedule rotating through (ks0, ks1, ks2)
    let a = blk % 3u;
    x0 = x0 + ks[(a + 1u) % 3u];
    x1 = x1 + ks[(a + 2u) % 3u] + blk + 1u;
  }
  return vec2u(x0, x1);
}
fn key_word(k0: u32, k1: u32, n: u32, w: u32) -> u32 {
  let h = n >> 1u;
  let second = h + (n & 1u);
  if (w < h) { return threefry(k0, k1, w, w + second).x; }
  if (w < second) { return threefry(k0, k1, h, 0u).x; }
  let i = w - second;
  return threefry(k0, k1, i, i + second).y;
}
// float32(w) rounded to nearest-even (WGSL lets f32(u32) round either way)
fn u32_to_f32(w: u32) -> f32 {
  if (w < 0x1000000u) { return f32(w); }
  let shift = 8u - countLeadingZeros(w);
  var m = w >> shift;
  let rem = w & ((1u << shift) - 1u);
  let half = 1u << (shift - 1u);
  if (rem > half || (rem == half && (m & 1u) == 1u)) { m = m + 1u; }
  return f32(m) * exp2(f32(shift));
}
// MLX's unit draw in float32: float32(w) / 2^32, clamped below 1
fn unit_f32(w: u32) -> f32 { return min(u32_to_f32(w) * 2.3283064365386963e-10, 0.99999994); }
`;

/** The key input as an `ld0(idx)`-readable input over its own row-major order. */
const keyInput = (a: GpuArg) => ({ arg: a, shape: a.shape, strides: a.strides });

const bitsKernel: GpuKernel = {
  ok: (node) => {
    const key = node.inputs[0]!, y = node.outputs[0]!;
    const numKeys = key.size / 2;
    if (key.dtype !== dt.uint32) return false;
    if (numKeys === 0) return true;
    // a key's share must be whole words unless there is one key (then the last word is cut by the buffer end)
    return numKeys === 1 || ((y.nbytes / numKeys) | 0) % 4 === 0;
  },
  run: (node, be) => {
    const key = node.inputs[0]!, y = node.outputs[0]!;
    const numKeys = key.size / 2;
    const words = Math.ceil(y.nbytes / 4);
    if (words === 0 || numKeys === 0) return [be.output(y.dtype, y.shape).data];
    const per = Math.ceil((y.nbytes / numKeys | 0) / 4);
    const expr = `key_word(ld0(2 * (e / pi(0))), ld0(2 * (e / pi(0)) + 1), u32(pi(0)), u32(e % pi(0)))`;
    // computed as uint32 words, then viewed with the output's dtype and shape (the bytes are the layout)
    const d = generate(be, dt.uint32, [words], expr, {
      ins: [keyInput(be.arg(key))], extra: [per], helpers: THREEFRY,
    });
    return [{ ...d, strides: rowMajorStrides(y.shape) }];
  },
};

const uniformKernel: GpuKernel = {
  ok: (node) => {
    const p = node.params as PrimitiveParams['randomUniform'];
    const [key, lo, hi] = node.inputs;
    return p.dtype === dt.float32 && key!.dtype === dt.uint32 && computeType(lo!.dtype) !== null && computeType(hi!.dtype) !== null;
  },
  run: (node, be: WebGpuBackend) => {
    const p = node.params as PrimitiveParams['randomUniform'];
    const [key, lo, hi] = node.inputs;
    const n = sizeOf(p.shape);
    const l = convert('ld1(e)', computeType(lo!.dtype)!, 'f32'), h = convert('ld2(e)', computeType(hi!.dtype)!, 'f32');
    // each step rounded in float32, as the CPU does: low + (high - low) * u
    const helpers = `${THREEFRY}
fn sample(e: i32) -> f32 {
  let u = unit_f32(key_word(ld0(0), ld0(1), u32(pi(0)), u32(e)));
  let l = ${l};
  let r = ${h} - l;
  let s = r * u;
  return s + l;
}`;
    return [generate(be, p.dtype, p.shape, 'sample(e)', {
      ins: [keyInput(be.arg(key!)), broadcastTo(be.arg(lo!), p.shape), broadcastTo(be.arg(hi!), p.shape)],
      extra: [n], helpers,
    })];
  },
};

/** Random-family GPU kernels. */
export const randomKernels: Record<string, GpuKernel> = { randomBits: bitsKernel, randomUniform: uniformKernel };
