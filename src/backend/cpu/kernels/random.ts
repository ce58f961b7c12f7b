/**
 * @file CPU kernels of the random family. Each draws its words with MLX's Threefry layout (random-common.ts) and
 * applies MLX's sampler arithmetic in the output dtype.
 */
import * as dt from '../../../core/dtype.js';
import { keyWords, erfinvf, splitKeyHost } from '../../../core/ops/random-math.js';
import type { CpuKernelTable } from '../kernel.js';
import { writer, reader, broadcastStrides, forEachOffset, type CpuView } from '../view.js';
import { rowMajorStrides } from '../../../core/shape.js';
import { keyAt, wordsOf, rounder, unitFrom, symmetricFrom, eachBroadcast, allScalar } from './random-common.js';
import { randomMoreKernels } from './random-more.js';

const sizeOf = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** Writes float values (already rounded to the dtype) into a fresh output. */
function store(o: CpuView, vals: ArrayLike<number>): void {
  const b = o.buf;
  if (o.dtype === dt.float32 || o.dtype === dt.float64) { (b as Float32Array).set(vals); return; }
  const w = writer(o.dtype);
  for (let i = 0; i < vals.length; i++) w(b, i, vals[i]!);
}

/** `low + (high - low) * u` with broadcast bounds, each step rounded in the dtype (MLX's uniform). */
export function scaleUniform(u: Float64Array, shape: readonly number[], lo: CpuView, hi: CpuView, d: dt.Dtype): Float64Array {
  const rd = rounder(d);
  if (allScalar([lo, hi])) {
    const l = rd(reader(lo.dtype)(lo.buf, lo.offset)), r = rd(rd(reader(hi.dtype)(hi.buf, hi.offset)) - l);
    for (let i = 0; i < u.length; i++) u[i] = rd(rd(r * u[i]!) + l);
    return u;
  }
  eachBroadcast(shape, [lo, hi], (k, a, b) => {
    const l = rd(a);
    u[k] = rd(rd(rd(rd(b) - l) * u[k]!) + l);
  });
  return u;
}

const BERNOULLI_SCALE = 4294967296 + 512; // nextafter(float32(2^32 - 1), +inf)

export const randomKernels: CpuKernelTable<
  'randomBits' | 'randomUniform' | 'randomNormal' | 'randomInt' | 'randomBernoulli' |
  'randomTruncNormal' | 'randomGumbel' | 'randomLaplace' | 'randomCategorical' | 'randomPermutation'
> = {
  randomBits([key], p, [out], be) {
    const o = be.alloc(out!.dtype, p.shape);
    const numKeys = key!.shape.reduce((a, b) => a * b, 1) / 2;
    if (o.buf.length === 0 || numKeys === 0) return [o];
    const bytesPerKey = (o.buf.byteLength / numKeys) | 0;
    const nWords = Math.ceil(bytesPerKey / 4);
    const bytes = new Uint8Array(o.buf.buffer, o.buf.byteOffset, o.buf.byteLength);
    const tmp = new Uint32Array(nWords);
    for (let i = 0; i < numKeys; i++) {
      const [k0, k1] = keyAt(key!, i);
      keyWords(k0, k1, nWords, tmp);
      // byte copy: a key's share may end inside a word (uint8/uint16 output); memory order is little-endian
      bytes.set(new Uint8Array(tmp.buffer, 0, bytesPerKey), i * bytesPerKey);
    }
    return [o];
  },

  randomUniform([key, lo, hi], p, _outs, be) {
    const o = be.alloc(p.dtype, p.shape);
    const n = sizeOf(p.shape);
    store(o, scaleUniform(unitFrom(wordsOf(key!, n), p.dtype), p.shape, lo!, hi!, p.dtype));
    return [o];
  },

  randomNormal(inputs, p, _outs, be) {
    const key = inputs[0]!;
    let at = 1;
    const loc = p.hasLoc ? inputs[at++]! : null, scale = p.hasScale ? inputs[at++]! : null;
    const rd = rounder(p.dtype);
    const u = symmetricFrom(wordsOf(key, sizeOf(p.shape)));
    for (let i = 0; i < u.length; i++) u[i] = rd(erfinvf(u[i]!));
    const sqrt2 = rd(Math.SQRT2);
    const o = be.alloc(p.dtype, p.outShape);
    const n = sizeOf(p.outShape);
    const vals = new Float64Array(n);
    const views: CpuView[] = [{ ...key, buf: new Float64Array(u) as never, dtype: dt.float64, shape: p.shape, strides: rowMajorStrides(p.shape), offset: 0 }];
    if (loc) views.push(loc);
    if (scale) views.push(scale);
    const rds = views.map((v) => reader(v.dtype));
    forEachOffset(p.outShape, views.map((v) => broadcastStrides(v, p.outShape)), views.map((v) => v.offset), (k, off) => {
      const e = (views[0]!.buf as Float64Array)[off[0]!]!;
      const s = scale ? rd(sqrt2 * rd(rds[views.length - 1]!(scale.buf, off[views.length - 1]!))) : sqrt2;
      let v = rd(s * e);
      if (loc) v = rd(rd(rds[1]!(loc.buf, off[1]!)) + v);
      vals[k] = v;
    });
    store(o, vals);
    return [o];
  },

  randomInt(inputs, p, _outs, be) {
    const big = dt.is64BitInt(p.dtype);
    const o = be.alloc(p.dtype, p.shape);
    const n = sizeOf(p.shape);
    const lo = inputs[inputs.length - 2]!, hi = inputs[inputs.length - 1]!;
    let loWords: Uint32Array, hiWords: Uint32Array | null = null;
    if (big) {
      let ka: [number, number], kb: [number, number];
      if (p.splitKey) [ka, kb] = splitKeyHost(...keyAt(inputs[0]!, 0));
      else { ka = keyAt(inputs[0]!, 0); kb = keyAt(inputs[1]!, 0); }
      loWords = keyWords(ka[0], ka[1], n);
      hiWords = keyWords(kb[0], kb[1], n);
    } else {
      loWords = wordsOf(inputs[0]!, n);
    }
    const unsigned = dt.isUnsigned(p.dtype);
    const toBig = (v: CpuView, off: number): bigint => {
      const x = (v.buf as unknown as ArrayLike<number | bigint>)[off * (v.dtype === dt.complex64 ? 2 : 1)]!;
      return typeof x === 'bigint' ? x : BigInt(Number.isFinite(x) ? Math.trunc(x) : 0);
    };
    // per element: (lo as int64, safe width as uint64), MLX's empty-interval rule compared in the output's domain
    const bounds = (l: bigint, h: bigint): [bigint, bigint] => {
      const cmp = unsigned ? (x: bigint) => BigInt.asUintN(64, x) : (x: bigint) => BigInt.asIntN(64, x);
      const lo64 = BigInt.asIntN(64, l);
      const empty = cmp(h) <= cmp(l);
      return [lo64, empty ? 1n : BigInt.asUintN(64, BigInt.asIntN(64, h) - lo64)];
    };
    const w = writer(p.dtype);
    const put = (k: number, l: bigint, safe: bigint): void => {
      if (big) {
        const raw = (BigInt(hiWords![k]!) << 32n) | BigInt(loWords[k]!);
        const v = BigInt.asUintN(64, l) + raw % safe;
        (o.buf as BigInt64Array)[k] = (p.dtype === dt.int64 ? BigInt.asIntN(64, v) : BigInt.asUintN(64, v)) as never;
      } else if (safe <= 0xffffffffn) {
        w(o.buf, k, Number(l) + (loWords[k]! % Number(safe)));
      } else {
        w(o.buf, k, Number(BigInt.asIntN(64, l + BigInt(loWords[k]!) % safe)));
      }
    };
    if (allScalar([lo, hi])) {
      const [l, safe] = bounds(toBig(lo, lo.offset), toBig(hi, hi.offset));
      if (!big && safe <= 0xffffffffn) {
        const ln = Number(l), sn = Number(safe);
        if (o.buf instanceof Int32Array || o.buf instanceof Uint32Array) for (let k = 0; k < n; k++) o.buf[k] = ln + (loWords[k]! % sn);
        else for (let k = 0; k < n; k++) w(o.buf, k, ln + (loWords[k]! % sn));
      } else {
        for (let k = 0; k < n; k++) put(k, l, safe);
      }
      return [o];
    }
    forEachOffset(p.shape, [broadcastStrides(lo, p.shape), broadcastStrides(hi, p.shape)], [lo.offset, hi.offset], (k, off) => {
      const [l, safe] = bounds(toBig(lo, off[0]!), toBig(hi, off[1]!));
      put(k, l, safe);
    });
    return [o];
  },

  randomBernoulli([key, pv], p, _outs, be) {
    const o = be.alloc(dt.bool, p.shape);
    const n = sizeOf(p.shape);
    const words = wordsOf(key!, n);
    const b = o.buf as Uint8Array;
    // MLX compares in float32 (float64 when p is float64): float(bits) < p * nextafter(2^32)
    const wide = pv!.dtype === dt.float64;
    const thr = (x: number): number => (wide ? x * BERNOULLI_SCALE : Math.fround(x * BERNOULLI_SCALE));
    const bits = (k: number): number => (wide ? words[k]! : Math.fround(words[k]!));
    if (allScalar([pv!])) {
      const t = thr(reader(pv!.dtype)(pv!.buf, pv!.offset));
      for (let k = 0; k < n; k++) b[k] = bits(k) < t ? 1 : 0;
      return [o];
    }
    eachBroadcast(p.shape, [pv!], (k, x) => { b[k] = bits(k) < thr(x) ? 1 : 0; });
    return [o];
  },

  ...randomMoreKernels,
};
