/**
 * @file Transform rules of the linear-algebra primitives. Every factorization is batched over leading axes, so vmap
 * moves the batch axis to the front. Derivatives exist for the maps with a smooth closed form (inverse, solve,
 * Cholesky, eigenvalues of symmetric matrices, singular values, det, slogdet, norm, cross); the others (QR, LU, the
 * full SVD and eigenvectors, general eig, pinv) raise a clear error, as MLX has no derivative for them either.
 * Kernels that read one triangle of A (Cholesky, eigh) get cotangents on that triangle only: an off-diagonal entry
 * stands for both of its symmetric positions.
 */
import { bind, bindMulti, type MxArray } from '../array.js';
import type { Stream } from '../device.js';
import type { PrimitiveName, PrimitiveParams } from '../primitive.js';
import { matmul } from '../ops/matmul.js';
import { add, multiply, subtract } from '../ops/binary.js';
import { negative } from '../ops/unary.js';
import { sum } from '../ops/reduce.js';
import { swapaxes, moveaxis, reshape, expandDims } from '../ops/layout.js';
import { split } from '../ops/layout-join.js';
import { eye } from '../ops/creation.js';
import { inv, triInv, solve, solveTriangular } from '../ops/linalg.js';
import { cross } from '../ops/linalg-norm.js';
import { unbroadcast } from './rules-matmul.js';

type Rule<K extends 'vjp' | 'jvp' | 'vmap', N extends PrimitiveName> = NonNullable<import('../primitive.js').PrimitiveDef<N>[K]>;

const T = (x: MxArray, s: Stream): MxArray => swapaxes(x, -1, -2, { stream: s });
const mm = (a: MxArray, b: MxArray, s: Stream): MxArray => matmul(a, b, { stream: s });
const tri = (x: MxArray, k: number, upper: boolean, s: Stream): MxArray => bind('triMask', [x], { k, upper }, s);
const diagPart = (x: MxArray, s: Stream): MxArray => multiply(x, eye(x.shape[x.ndim - 1]!, undefined, 0, x.dtype, { stream: s }), { stream: s });
const col = (x: MxArray, s: Stream): MxArray => expandDims(x, [-1, -2], { stream: s });

/** A symmetric-matrix gradient M put on the triangle the kernel reads: off-diagonal entries count twice. */
function onTriangle(m: MxArray, upper: boolean, s: Stream): MxArray {
  return add(multiply(tri(m, upper ? 1 : -1, upper, s), 2, { stream: s }), diagPart(m, s), { stream: s });
}
/** The symmetric matrix a one-triangle kernel sees for a perturbation dA. */
function symFrom(d: MxArray, upper: boolean, s: Stream): MxArray {
  const t = tri(d, 0, upper, s);
  return add(t, T(tri(d, upper ? 1 : -1, upper, s), s), { stream: s });
}
const symPart = (x: MxArray, s: Stream): MxArray => multiply(add(x, T(x, s), { stream: s }), 0.5, { stream: s });

/** Errors for the maps without a derivative here. */
function notDifferentiable(what: string) {
  return {
    vjp(): never { throw new Error(`[vjp] linalg.${what} is not differentiable.`); },
    jvp(): never { throw new Error(`[jvp] linalg.${what} is not differentiable.`); },
  };
}

/** vmap of a primitive batched over the leading axes of every input: batch axis to the front of each mapped one. */
function leadingBatch<N extends PrimitiveName>(name: N): Rule<'vmap', N> {
  return (inputs, axes, p, s) => {
    const xs = inputs.map((x, i) => (axes[i] === null || axes[i] === 0 ? x : moveaxis(x, axes[i]!, 0, { stream: s })));
    const outs = bindMulti(name, xs, p, s);
    return [outs, outs.map(() => 0)];
  };
}

type Inv = PrimitiveParams['inverse'];
/** Y = A^-1: dY = -Y dA Y, so ct_A = -Y^T ct Y^T (on the triangle for triangular inverses). */
const inverseRules = {
  vjp: (([a], [ct], [y], p: Inv, s: Stream) => {
    if (p.mode === 'cholesky') throw new Error('[vjp] linalg.choleskyInv is not differentiable.');
    void a;
    const g = negative(mm(mm(T(y!, s), ct!, s), T(y!, s), s), { stream: s });
    return [p.mode === 'triangular' ? tri(g, 0, p.upper, s) : g];
  }) as Rule<'vjp', 'inverse'>,
  jvp: (([a], [t], [y], p: Inv, s: Stream) => {
    if (p.mode === 'cholesky') throw new Error('[jvp] linalg.choleskyInv is not differentiable.');
    void a;
    const d = p.mode === 'triangular' ? tri(t!, 0, p.upper, s) : t!;
    return [negative(mm(mm(y!, d, s), y!, s), { stream: s })];
  }) as Rule<'jvp', 'inverse'>,
  vmap: leadingBatch('inverse'),
};

type Sol = PrimitiveParams['solve'];
const solveT = (a: MxArray, b: MxArray, p: Sol, s: Stream): MxArray =>
  (p.triangular ? solveTriangular(a, b, p.upper, { stream: s }) : solve(a, b, { stream: s }));
/** X = A^-1 B: ct_B = A^-T ct, ct_A = -ct_B X^T (each summed over broadcast batch axes). */
const solveRules = {
  vjp: (([a, b], [ct], [x], p: Sol, s: Stream) => {
    const at = T(a!, s);
    const q: Sol = { ...p, upper: !p.upper };
    let cb: MxArray, ca: MxArray;
    if (p.vector) {
      cb = reshape(solveT(at, expandDims(ct!, -1, { stream: s }), q, s), ct!.shape, { stream: s });
      ca = negative(multiply(expandDims(cb, -1, { stream: s }), expandDims(x!, -2, { stream: s }), { stream: s }), { stream: s });
    } else {
      cb = solveT(at, ct!, q, s);
      ca = negative(mm(cb, T(x!, s), s), { stream: s });
    }
    if (p.triangular) ca = tri(ca, 0, p.upper, s);
    return [unbroadcast(ca, a!.shape, s), unbroadcast(cb, b!.shape, s)];
  }) as Rule<'vjp', 'solve'>,
  // dX = A^-1 (dB - dA X)
  jvp: (([a, b], [ta, tb], [x], p: Sol, s: Stream) => {
    void b;
    const vec = (y: MxArray): MxArray => (p.vector ? expandDims(y, -1, { stream: s }) : y);
    let r: MxArray | null = tb ? vec(tb) : null;
    if (ta) {
      const dA = p.triangular ? tri(ta, 0, p.upper, s) : ta;
      const m = mm(dA, vec(x!), s);
      r = r ? subtract(r, m, { stream: s }) : negative(m, { stream: s });
    }
    const out = solveT(a!, r!, p, s);
    return [p.vector ? reshape(out, x!.shape, { stream: s }) : out];
  }) as Rule<'jvp', 'solve'>,
  vmap: ((inputs, axes, p, s) => {
    // per-example ranks differ: promote a vector right-hand side to a column and give mapped inputs a common rank
    const [a, b] = inputs as [MxArray, MxArray];
    const [axA, axB] = axes as [number | null, number | null];
    const ra = axA === null ? a.ndim : a.ndim - 1;
    let bb = axB === null || axB === 0 ? b : moveaxis(b, axB, 0, { stream: s });
    if (p.vector) bb = expandDims(bb, -1, { stream: s });
    const rb = (axB === null ? b.ndim : b.ndim - 1) + (p.vector ? 1 : 0);
    const rank = Math.max(ra, rb);
    const pad = (x: MxArray, r: number, mapped: boolean): MxArray =>
      (!mapped || r === rank ? x : reshape(x, [x.shape[0]!, ...new Array<number>(rank - r).fill(1), ...x.shape.slice(1)], { stream: s }));
    const aa = pad(axA === null || axA === 0 ? a : moveaxis(a, axA, 0, { stream: s }), ra, axA !== null);
    bb = pad(bb, rb, axB !== null);
    let out = bind('solve', [aa, bb], { ...p, vector: false }, s);
    if (p.vector) out = reshape(out, out.shape.slice(0, -1), { stream: s });
    return [[out], [0]];
  }) as Rule<'vmap', 'solve'>,
};

type Chol = PrimitiveParams['cholesky'];
/** Phi(X): the lower triangle with the diagonal halved. */
const phi = (x: MxArray, s: Stream): MxArray => subtract(tri(x, 0, false, s), multiply(diagPart(x, s), 0.5, { stream: s }), { stream: s });
/**
 * L = chol(A): dL = L Phi(L^-1 dA L^-T); adjoint: ct_A = sym(L^-T Phi(L^T ct) L^-1) on the triangle read. The
 * upper factor is U = L^T.
 */
const choleskyRules = {
  vjp: (([, ], [ct], [f], p: Chol, s: Stream) => {
    const L = p.upper ? T(f!, s) : f!, cl = p.upper ? T(ct!, s) : ct!;
    const li = triInv(L, false, { stream: s });
    const S = symPart(mm(mm(T(li, s), phi(mm(T(L, s), cl, s), s), s), li, s), s);
    return [onTriangle(S, p.upper, s)];
  }) as Rule<'vjp', 'cholesky'>,
  jvp: (([, ], [t], [f], p: Chol, s: Stream) => {
    const L = p.upper ? T(f!, s) : f!;
    const li = triInv(L, false, { stream: s });
    const dL = mm(L, phi(mm(mm(li, symFrom(t!, p.upper, s), s), T(li, s), s), s), s);
    return [p.upper ? T(dL, s) : dL];
  }) as Rule<'jvp', 'cholesky'>,
  vmap: leadingBatch('cholesky'),
};

type Eigh = PrimitiveParams['eigh'];
const eighVectors = (a: MxArray, p: Eigh, s: Stream): MxArray => bindMulti('eigh', [a], { uplo: p.uplo, computeV: true }, s)[1]!;
/** w_k = v_k^T A v_k: dw_k = v_k^T dA v_k, ct_A = V diag(ct) V^T. Eigenvectors have no derivative here. */
const eighRules = {
  vjp: (([a], cts, _o, p: Eigh, s: Stream) => {
    if (p.computeV) throw new Error('[vjp] linalg.eigh is not differentiable with respect to its eigenvectors; use eigvalsh.');
    const V = eighVectors(a!, p, s);
    const M = mm(multiply(V, expandDims(cts[0]!, -2, { stream: s }), { stream: s }), T(V, s), s);
    return [onTriangle(M, p.uplo === 'U', s)];
  }) as Rule<'vjp', 'eigh'>,
  jvp: (([a], [t], _o, p: Eigh, s: Stream) => {
    if (p.computeV) throw new Error('[jvp] linalg.eigh is not differentiable with respect to its eigenvectors; use eigvalsh.');
    const V = eighVectors(a!, p, s);
    return [sum(multiply(V, mm(symFrom(t!, p.uplo === 'U', s), V, s), { stream: s }), -2, { stream: s })];
  }) as Rule<'jvp', 'eigh'>,
  vmap: leadingBatch('eigh'),
};

type Svd = PrimitiveParams['svd'];
/** The first k = min(m, n) left and right singular vectors. */
function thinUV(a: MxArray, s: Stream): [MxArray, MxArray] {
  const [U, , Vt] = bindMulti('svd', [a], { computeUV: true }, s);
  const k = Math.min(a.shape[a.ndim - 2]!, a.shape[a.ndim - 1]!);
  return [split(U!, [k], -1, { stream: s })[0]!, split(Vt!, [k], -2, { stream: s })[0]!];
}
/** s_k = u_k^T A v_k: ds_k = u_k^T dA v_k, ct_A = U_k diag(ct) Vt_k. */
const svdRules = {
  vjp: (([a], cts, _o, p: Svd, s: Stream) => {
    if (p.computeUV) throw new Error('[vjp] linalg.svd is not differentiable with respect to U and Vt; use svd(a, false).');
    const [U, Vt] = thinUV(a!, s);
    return [mm(multiply(U, expandDims(cts[0]!, -2, { stream: s }), { stream: s }), Vt, s)];
  }) as Rule<'vjp', 'svd'>,
  jvp: (([a], [t], _o, p: Svd, s: Stream) => {
    if (p.computeUV) throw new Error('[jvp] linalg.svd is not differentiable with respect to U and Vt; use svd(a, false).');
    const [U, Vt] = thinUV(a!, s);
    return [sum(multiply(U, mm(t!, T(Vt, s), s), { stream: s }), -2, { stream: s })];
  }) as Rule<'jvp', 'svd'>,
  vmap: leadingBatch('svd'),
};

/** d det A = det A tr(A^-1 dA), d log|det A| = tr(A^-1 dA); the sign is piecewise constant. */
const detRules = {
  vjp: (([a], [ct], [d], _p: unknown, s: Stream) => [multiply(col(multiply(ct!, d!, { stream: s }), s), T(inv(a!, { stream: s }), s), { stream: s })]) as Rule<'vjp', 'det'>,
  jvp: (([a], [t], [d], _p: unknown, s: Stream) =>
    [multiply(d!, sum(multiply(T(inv(a!, { stream: s }), s), t!, { stream: s }), [-2, -1], { stream: s }), { stream: s })]) as Rule<'jvp', 'det'>,
  vmap: leadingBatch('det'),
};
const slogdetRules = {
  vjp: (([a], [, ct], _o, _p: unknown, s: Stream) => [multiply(col(ct!, s), T(inv(a!, { stream: s }), s), { stream: s })]) as Rule<'vjp', 'slogdet'>,
  jvp: (([a], [t], [sign], _p: unknown, s: Stream) =>
    [multiply(sign!, 0, { stream: s }), sum(multiply(T(inv(a!, { stream: s }), s), t!, { stream: s }), [-2, -1], { stream: s })]) as Rule<'jvp', 'slogdet'>,
  vmap: leadingBatch('slogdet'),
};

type Cross = PrimitiveParams['linalgCross'];
/** c = a x b: ct_a = b x ct, ct_b = ct x a, cut to 2 components for 2-vectors and summed over broadcast axes. */
const crossRules = {
  vjp: (([a, b], [ct], _o, p: Cross, s: Stream) => {
    const ax = p.axis - ct!.ndim;
    const back = (g: MxArray, x: MxArray): MxArray => {
      const cut = x.shape[x.ndim + ax] === 2 ? split(g, [2], ax, { stream: s })[0]! : g;
      return unbroadcast(cut, x.shape, s);
    };
    return [back(cross(b!, ct!, ax, { stream: s }), a!), back(cross(ct!, a!, ax, { stream: s }), b!)];
  }) as Rule<'vjp', 'linalgCross'>,
  jvp: (([a, b], [ta, tb], outs, p: Cross, s: Stream) => {
    const ax = p.axis - outs[0]!.ndim;
    const x = ta ? cross(ta, b!, ax, { stream: s }) : null;
    const y = tb ? cross(a!, tb, ax, { stream: s }) : null;
    return [x && y ? add(x, y, { stream: s }) : (x ?? y)!];
  }) as Rule<'jvp', 'linalgCross'>,
  vmap: ((inputs, axes, p, s) => {
    const nd = Math.max(...inputs.map((x, i) => x.ndim - (axes[i] === null ? 0 : 1)));
    const xs = inputs.map((x, i) => {
      if (axes[i] === null) return x;
      const m = axes[i] === 0 ? x : moveaxis(x, axes[i]!, 0, { stream: s });
      const per = m.shape.slice(1);
      return reshape(m, [m.shape[0]!, ...new Array<number>(nd - per.length).fill(1), ...per], { stream: s });
    });
    return [[bind('linalgCross', xs, { axis: p.axis + 1 }, s)], [0]];
  }) as Rule<'vmap', 'linalgCross'>,
};

export const linalgRules = {
  qrf: { ...notDifferentiable('qr'), vmap: leadingBatch('qrf') },
  svd: svdRules,
  inverse: inverseRules,
  pinv: { ...notDifferentiable('pinv'), vmap: leadingBatch('pinv') },
  cholesky: choleskyRules,
  eigh: eighRules,
  eig: { ...notDifferentiable('eig'), vmap: leadingBatch('eig') },
  luf: { ...notDifferentiable('luFactor'), vmap: leadingBatch('luf') },
  lu: { ...notDifferentiable('lu'), vmap: leadingBatch('lu') },
  solve: solveRules,
  slogdet: slogdetRules,
  det: detRules,
  linalgCross: crossRules,
};
