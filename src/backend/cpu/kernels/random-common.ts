/**
 * @file Shared pieces of the CPU random kernels: reading keys from a view, MLX's bits-to-float conversion, and
 * per-dtype rounding so the samplers reproduce MLX's elementwise arithmetic in the output dtype.
 */
import * as dt from '../../../core/dtype.js';
import { floatToHalf, halfToFloat, floatToBf16, bf16ToFloat } from '../../../core/half.js';
import { keyWords } from '../../../core/ops/random-math.js';
import { broadcastStrides, forEachOffset, offsetsOf, reader, type CpuView } from '../view.js';

/** The `i`-th key (elements 2i, 2i+1 in row-major order) of a uint32 key view. */
export function keyAt(v: CpuView, i: number): [number, number] {
  const b = v.buf as Uint32Array;
  if (v.contiguous) return [b[v.offset + 2 * i]!, b[v.offset + 2 * i + 1]!];
  const offs = offsetsOf(v);
  return [b[offs[2 * i]!]!, b[offs[2 * i + 1]!]!];
}

/** `n` random words of key 0 of `v`, laid out as MLX's `bits(shape, 4, key)`. */
export function wordsOf(v: CpuView, n: number): Uint32Array {
  const [k0, k1] = keyAt(v, 0);
  return keyWords(k0, k1, n);
}

/** Rounds a JS number to the value nearest in `d` (the identity for float64). */
export function rounder(d: dt.Dtype): (x: number) => number {
  switch (d.name) {
    case 'float32': return Math.fround;
    case 'float16': return (x) => halfToFloat(floatToHalf(x));
    case 'bfloat16': return (x) => bf16ToFloat(floatToBf16(x));
    default: return (x) => x;
  }
}

const F32_BELOW_ONE = Math.fround(1 - 2 ** -24);
/** MLX's clamp below 1 per output dtype: the largest value of the dtype under 1 (float32's for float64). */
export function belowOne(d: dt.Dtype): number {
  if (d === dt.float16) return 1 - 2 ** -11;
  if (d === dt.bfloat16) return 1 - 2 ** -8;
  return F32_BELOW_ONE;
}

/**
 * MLX's unit sample from a word: float32(word) / float32(2^32 - 1) (which is 2^32), clamped to the largest value
 * below 1 in `d`, then cast to `d`.
 */
export function unitFrom(words: Uint32Array, d: dt.Dtype): Float64Array {
  const n = words.length, out = new Float64Array(n);
  const hi = belowOne(d), rd = rounder(d);
  for (let i = 0; i < n; i++) {
    const u = Math.fround(words[i]!) / 4294967296;
    out[i] = rd(u < hi ? u : hi);
  }
  return out;
}

/** `nextafter(-1, 0)` in float32: the low end of MLX's (-1, 1) draws for normal and laplace. */
export const SYM_LOW = Math.fround(-(1 - 2 ** -24));
const SYM_RANGE = Math.fround(1 - SYM_LOW);

/** MLX's `uniform(nextafter(-1, 0), 1, shape, float32)` from words. */
export function symmetricFrom(words: Uint32Array): Float64Array {
  const u = unitFrom(words, dt.float32);
  for (let i = 0; i < u.length; i++) u[i] = Math.fround(Math.fround(SYM_RANGE * u[i]!) + SYM_LOW);
  return u;
}

/** Calls `fn(k, a, b)` over `shape` with the values of zero, one or two views broadcast to it (as numbers). */
export function eachBroadcast(
  shape: readonly number[], views: readonly CpuView[], fn: (k: number, a: number, b: number) => void,
): void {
  const rds = views.map((v) => reader(v.dtype));
  const bufs = views.map((v) => v.buf);
  forEachOffset(shape, views.map((v) => broadcastStrides(v, shape)), views.map((v) => v.offset), (k, o) => {
    fn(k, views.length > 0 ? rds[0]!(bufs[0]!, o[0]!) : 0, views.length > 1 ? rds[1]!(bufs[1]!, o[1]!) : 0);
  });
}

/** Whether every view has a single element (then per-element work can be hoisted). */
export const allScalar = (views: readonly CpuView[]): boolean => views.every((v) => v.shape.reduce((a, b) => a * b, 1) === 1);
