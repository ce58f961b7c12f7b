/**
 * @file Transform rules of the matmul family. `matmul`/`addmm` pull cotangents back with matmuls against the
 * (conjugate) transposed other operand and sum over broadcast batch axes; `contract` derives its vjp from the labels
 * alone: the cotangent of one operand is another contraction of the output cotangent with the other operand,
 * followed by broadcasting over labels only that operand had and re-expanding repeated labels (diagonals) with
 * identity matrices. Complex cotangents follow MLX: `ct_x = A^H ct_y` for a linear map `y = A x`.
 */
import { bind, type MxArray } from '../array.js';
import type { Stream } from '../device.js';
import { isComplex, isInexact } from '../dtype.js';
import type { PrimitiveParams } from '../primitive.js';
import { matmul, addmm } from '../ops/matmul.js';
import { add, multiply } from '../ops/binary.js';
import { conj } from '../ops/unary.js';
import { sum } from '../ops/reduce.js';
import { reshape, swapaxes, moveaxis, broadcastTo } from '../ops/layout.js';
import { ones, eye } from '../ops/creation.js';

type Rules<P> = {
  vjp(primals: MxArray[], cts: MxArray[], outs: MxArray[], p: P, s: Stream): (MxArray | null)[];
  jvp(primals: MxArray[], ts: (MxArray | null)[], outs: MxArray[], p: P, s: Stream): MxArray[];
  vmap(inputs: MxArray[], axes: (number | null)[], p: P, s: Stream): [MxArray[], (number | null)[]];
};

/** Sums `x` down to `shape` (the inverse of broadcasting `shape` up to `x.shape`). */
export function unbroadcast(x: MxArray, shape: readonly number[], stream: Stream): MxArray {
  const lead = x.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < x.ndim; i++) if (i < lead || (shape[i - lead] === 1 && x.shape[i] !== 1)) axes.push(i);
  const s = axes.length ? sum(x, axes, true, { stream }) : x;
  return s.ndim === shape.length && s.shape.every((d, i) => d === shape[i]) ? s : reshape(s, [...shape], { stream });
}

const scale = (x: MxArray, k: number, stream: Stream): MxArray => (k === 1 ? x : multiply(x, k, { stream }));
const ct2T = (x: MxArray, stream: Stream): MxArray => {
  const t = swapaxes(x, -1, -2, { stream });
  return isComplex(x.dtype) ? conj(t, { stream }) : t;
};

/** Both operands as matrices (1-d promoted as matmul does) and the cotangent with the promoted axes restored. */
function promoted(a: MxArray, b: MxArray, ct: MxArray, stream: Stream): [MxArray, MxArray, MxArray] {
  const a2 = a.ndim === 1 ? reshape(a, [1, a.shape[0]!], { stream }) : a;
  const b2 = b.ndim === 1 ? reshape(b, [b.shape[0]!, 1], { stream }) : b;
  const shape = [...ct.shape];
  if (b.ndim === 1) shape.push(1);
  if (a.ndim === 1) shape.splice(shape.length - 1, 0, 1);
  return [a2, b2, shape.length === ct.ndim ? ct : reshape(ct, shape, { stream })];
}

/** d(a @ b) = da @ b + a @ db, so ct_a = ct @ b^H and ct_b = a^H @ ct, each summed over broadcast batch axes. */
function matmulVjp(a: MxArray, b: MxArray, ct: MxArray, stream: Stream): [MxArray, MxArray] {
  const [a2, b2, c2] = promoted(a, b, ct, stream);
  const da = unbroadcast(matmul(c2, ct2T(b2, stream), { stream }), a2.shape, stream);
  const db = unbroadcast(matmul(ct2T(a2, stream), c2, { stream }), b2.shape, stream);
  return [reshape(da, a.shape, { stream }), reshape(db, b.shape, { stream })];
}

/**
 * Batched operands of a matmul: each mapped one gets its batch axis in front and enough size-1 axes after it that
 * every unmapped operand's own batch axes broadcast behind it; 1-d operands are promoted explicitly so the batch
 * axis is never read as a matrix axis. Returns the operands and the output shape fix-up.
 */
function batchMatmulInputs(a: MxArray, b: MxArray, axA: number | null, axB: number | null, stream: Stream) {
  const nA = axA === null ? a.ndim : a.ndim - 1, nB = axB === null ? b.ndim : b.ndim - 1;
  const rank = Math.max(nA === 1 ? 2 : nA, nB === 1 ? 2 : nB);
  const fix = (x: MxArray, ax: number | null, n: number, vecAxis: number): MxArray => {
    let y = ax === null || ax === 0 ? x : moveaxis(x, ax, 0, { stream });
    const lead = ax === null ? [] : [y.shape[0]!];
    let per = ax === null ? [...y.shape] : y.shape.slice(1);
    if (n === 1) per = vecAxis === 0 ? [1, per[0]!] : [per[0]!, 1];
    if (ax === null) return per.length === y.ndim ? y : reshape(y, per, { stream });
    const shape = [...lead, ...new Array<number>(rank - per.length).fill(1), ...per];
    return shape.length === y.ndim ? y : reshape(y, shape, { stream });
  };
  return { a2: fix(a, axA, nA, 0), b2: fix(b, axB, nB, 1), vecA: nA === 1, vecB: nB === 1, rank };
}

/** Drops the size-1 axes that stood in for 1-d operands. */
function unpromote(y: MxArray, vecA: boolean, vecB: boolean, stream: Stream): MxArray {
  if (!vecA && !vecB) return y;
  const shape = y.shape.slice(0, -2);
  if (!vecA) shape.push(y.shape[y.ndim - 2]!);
  if (!vecB) shape.push(y.shape[y.ndim - 1]!);
  return reshape(y, shape, { stream });
}

export const matmulRules: Rules<PrimitiveParams['matmul']> = {
  vjp: ([a, b], [ct], _o, _p, stream) => matmulVjp(a!, b!, ct!, stream),
  // d(a @ b) = da @ b + a @ db
  jvp([a, b], [ta, tb], _o, _p, stream) {
    const x = ta ? matmul(ta, b!, { stream }) : null;
    const y = tb ? matmul(a!, tb, { stream }) : null;
    return [x && y ? add(x, y, { stream }) : (x ?? y)!];
  },
  vmap([a, b], [axA, axB], _p, stream) {
    const { a2, b2, vecA, vecB } = batchMatmulInputs(a!, b!, axA!, axB!, stream);
    return [[unpromote(matmul(a2, b2, { stream }), vecA, vecB, stream)], [0]];
  },
};

export const addmmRules: Rules<PrimitiveParams['addmm']> = {
  // out = alpha (a @ b) + beta c: ct_c = beta ct summed to c's shape; a and b as for matmul, times alpha
  vjp([c, a, b], [ct], _o, p, stream) {
    const [da, db] = matmulVjp(a!, b!, scale(ct!, p.alpha, stream), stream);
    return [unbroadcast(scale(ct!, p.beta, stream), c!.shape, stream), da, db];
  },
  jvp([, a, b], [tc, ta, tb], outs, p, stream) {
    const parts: MxArray[] = [];
    if (ta) parts.push(scale(matmul(ta, b!, { stream }), p.alpha, stream));
    if (tb) parts.push(scale(matmul(a!, tb, { stream }), p.alpha, stream));
    if (tc) parts.push(broadcastTo(scale(tc, p.beta, stream), outs[0]!.shape, { stream }));
    return [parts.reduce((x, y) => add(x, y, { stream }))];
  },
  vmap([c, a, b], [axC, axA, axB], p, stream) {
    const { a2, b2, vecA, vecB, rank } = batchMatmulInputs(a!, b!, axA!, axB!, stream);
    // c broadcasts against the per-example output: place it like that output, with the 1-d promotions undone
    let c2 = axC === null || axC === 0 ? c! : moveaxis(c!, axC!, 0, { stream });
    const per = axC === null ? [...c2.shape] : c2.shape.slice(1);
    const outRank = rank - (vecA ? 1 : 0) - (vecB ? 1 : 0);
    const shape = [...new Array<number>(Math.max(0, outRank - per.length)).fill(1), ...per];
    if (vecB) shape.push(1);
    if (vecA) shape.splice(shape.length - 1, 0, 1);
    c2 = reshape(c2, axC === null ? shape : [c2.shape[0]!, ...shape], { stream });
    return [[unpromote(addmm(c2, a2, b2, p.alpha, p.beta, { stream }), vecA, vecB, stream)], [0]];
  },
};

type CP = PrimitiveParams['contract'];

/** Extent of every label over the operands (size-1 axes give way, as the kernel broadcasts). */
function labelSizes(xs: [MxArray, readonly number[]][]): Map<number, number> {
  const m = new Map<number, number>();
  for (const [x, ls] of xs) {
    ls.forEach((l, i) => {
      const prev = m.get(l);
      if (prev === undefined || prev === 1) m.set(l, x.shape[i]!);
    });
  }
  return m;
}

const bindContract = (xs: MxArray[], a: number[], b: number[] | null, out: number[], shape: number[], dtype: CP['dtype'], conjA: boolean, stream: Stream): MxArray =>
  bind('contract', xs, { a, b, out, shape, dtype, conjA }, stream);

/**
 * Cotangent of operand `x` (labels `lx`) of a contraction whose dense output cotangent `ct` has labels `out`,
 * the other operand being `y` (labels `ly`) or absent. `conjCt`/`conjY` pick which factor is conjugated.
 *   ct_x[lx] = sum over labels not in lx of ct[out] * y[ly], broadcast over labels only x has, placed on the
 *   diagonal for labels x repeats, and summed over axes x broadcast (size 1 where the output had more).
 */
function contractCotangent(
  ct: MxArray, out: number[], x: MxArray, lx: readonly number[], y: MxArray | null, ly: readonly number[] | null,
  conjCt: boolean, conjY: boolean, sizes: Map<number, number>, fresh: () => number, dtype: CP['dtype'], stream: Stream,
): MxArray {
  const uniq = [...new Set(lx)];
  // labels x broadcast from size 1 are summed away here and come back as size-1 axes in the final reshape
  const kept = uniq.filter((l) => x.shape[lx.indexOf(l)] === sizes.get(l));
  const avail = new Set([...out, ...(ly ?? [])]);
  const direct = kept.filter((l) => avail.has(l));
  const onlyX = kept.filter((l) => !avail.has(l));
  const dense = (ls: number[]): number[] => ls.map((l) => sizes.get(l)!);
  let g: MxArray;
  if (y && conjY) g = bindContract([y, ct], [...ly!], out, direct, dense(direct), dtype, true, stream);
  else if (y) g = bindContract([ct, y], out, [...ly!], direct, dense(direct), dtype, conjCt, stream);
  else g = bindContract([ct], out, null, direct, dense(direct), dtype, conjCt, stream);
  let cur = direct;
  if (onlyX.length) {
    const o = ones(dense(onlyX), dtype, { stream });
    g = bindContract([g, o], cur, onlyX, [...cur, ...onlyX], dense([...cur, ...onlyX]), dtype, false, stream);
    cur = [...cur, ...onlyX];
  }
  // repeated labels: every later occurrence gets a fresh label tied to the first by an identity matrix
  const target: number[] = [];
  const seen = new Set<number>();
  for (const l of lx) {
    if (!seen.has(l) || !cur.includes(l)) { seen.add(l); target.push(l); continue; }
    const f = fresh();
    const n = sizes.get(l)!;
    sizes.set(f, n);
    g = bindContract([g, eye(n, n, 0, dtype, { stream })], cur, [l, f], [...cur, f], dense([...cur, f]), dtype, false, stream);
    cur = [...cur, f];
    target.push(f);
  }
  // labels summed away above are absent from `cur`; the reshape to x's shape restores them as size-1 axes
  return bindContract([g], cur, null, target.filter((l) => cur.includes(l)), [...x.shape], dtype, false, stream);
}

export const contractRules: Rules<CP> = {
  vjp([a, b], [ct], _o, p, stream) {
    if (!isInexact(p.dtype)) return b ? [null, null] : [null];
    const ops: [MxArray, readonly number[]][] = b ? [[a!, p.a], [b, p.b!]] : [[a!, p.a]];
    const sizes = labelSizes(ops);
    let next = Math.max(0, ...sizes.keys()) + 1;
    const fresh = (): number => next++;
    const dense = p.out.map((l) => sizes.get(l)!);
    const c = ct!.shape.length === dense.length && ct!.shape.every((d, i) => d === dense[i]) ? ct! : reshape(ct!, dense, { stream });
    const cplx = isComplex(p.dtype);
    // y = a·b: ct_a = ct·conj(b), ct_b = conj(a)·ct; with conjA (y = conj(a)·b): ct_a = conj(ct)·b, ct_b = a·ct
    const da = contractCotangent(c, p.out, a!, p.a, b ?? null, p.b, cplx && p.conjA, cplx && !p.conjA, sizes, fresh, p.dtype, stream);
    if (!b) return [da];
    const db = contractCotangent(c, p.out, b, p.b!, a!, p.a, false, cplx && !p.conjA, sizes, fresh, p.dtype, stream);
    return [da, db];
  },
  // bilinear: d(a·b) = da·b + a·db
  jvp(primals, ts, _o, p, stream) {
    const terms: MxArray[] = [];
    primals.forEach((_, i) => {
      const t = ts[i];
      if (!t) return;
      const xs = primals.map((x, j) => (j === i ? t : x));
      terms.push(bind('contract', xs, p, stream));
    });
    return [terms.reduce((x, y) => add(x, y, { stream }))];
  },
  // a fresh label carries the batch axis through the contraction to the front of the output
  vmap(inputs, axes, p, stream) {
    const L = Math.max(0, ...p.a, ...(p.b ?? []), ...p.out) + 1;
    const withL = (ls: readonly number[], ax: number | null): number[] => {
      const r = [...ls];
      if (ax !== null) r.splice(ax, 0, L);
      return r;
    };
    const bi = axes.findIndex((ax) => ax !== null);
    const n = inputs[bi]!.shape[axes[bi]!]!;
    const q: CP = {
      ...p, a: withL(p.a, axes[0]!), b: p.b ? withL(p.b, axes[1] ?? null) : null, out: [L, ...p.out], shape: [n, ...p.shape],
    };
    return [[bind('contract', inputs, q, stream)], [0]];
  },
};
