/**
 * @file Building blocks of the vjp/jvp/vmap rules of the elementwise primitives (unary, binary, ternary): reducing a
 * broadcast cotangent back to an input's shape, aligning batch axes for vmap, and rule builders for smooth unary
 * and binary ops and for non-differentiable ops. Rules are written with public ops so that they are themselves
 * traced, which is what makes higher-order derivatives (grad of grad) work.
 *
 * This module sits in an import cycle with the op modules (ops import primitives, primitive rules import ops), so
 * it exports only function declarations and touches no imported value at module load: the builders just return
 * closures that run when a transform applies them.
 */
import { bindMulti, type MxArray } from '../array.js';
import * as dt from '../dtype.js';
import type { Stream, StreamOpt } from '../device.js';
import type { PrimitiveDef, PrimitiveName } from '../primitive.js';
import { shapesEqual } from '../shape.js';
import { asArray } from '../construct.js';
import { astype } from '../ops/basic.js';
import { add, multiply } from '../ops/binary.js';
import { zerosLike } from '../ops/creation.js';
import { moveaxis, reshape, broadcastTo } from '../ops/layout.js';
import { sum } from '../ops/reduce.js';
import { real, imag, sqrt } from '../ops/unary.js';

/** The transform rules of one primitive (everything but `outputs`). */
export type Rules = Pick<PrimitiveDef<never>, 'vjp' | 'jvp' | 'vmap'>;

/** A tangent map of one input: `t -> (d out / d input) * t`, elementwise. `o` carries the node's stream. */
export type Scale1 = (t: MxArray, x: MxArray, out: MxArray, o: StreamOpt) => MxArray;
/** A tangent map of one input of a binary op. */
export type Scale2 = (t: MxArray, a: MxArray, b: MxArray, out: MxArray, o: StreamOpt) => MxArray;

/** Whether an input carries gradients: float and complex inputs do, integer and bool ones do not. */
export function differentiable(x: MxArray): boolean {
  return dt.isInexact(x.dtype);
}

/**
 * Sums `ct` (the cotangent of a broadcast result) over the axes its input was broadcast along, then reshapes it to
 * the input's `shape`: the adjoint of broadcasting.
 *
 * @example
 * ```ts
 * unbroadcast(ct, [3, 1], stream); // ct of shape [2, 3, 4]: sums axes 0 and 2, gives [3, 1]
 * ```
 */
export function unbroadcast(ct: MxArray, shape: readonly number[], stream: Stream): MxArray {
  if (shapesEqual(ct.shape, shape)) return ct;
  const lead = ct.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < ct.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && ct.shape[i] !== 1)) axes.push(i);
  }
  const o = { stream };
  if (axes.length === 0) return reshape(ct, [...shape], o);
  if (ct.dtype === dt.complex64) {
    // the reductions take no complex input: sum the two parts separately
    const re = astype(sum(real(ct, o), axes, true, o), dt.complex64, o);
    const im = astype(sum(imag(ct, o), axes, true, o), dt.complex64, o);
    return reshape(add(re, multiply(im, complexI(stream), o), o), [...shape], o);
  }
  return reshape(sum(ct, axes, true, o), [...shape], o);
}

/** The complex unit `i` as a 0-d complex64 array, built as sqrt(-1 + 0i) (there is no complex scalar literal). */
export function complexI(stream: Stream): MxArray {
  return sqrt(asArray(-1, dt.complex64, stream), { stream });
}

/**
 * Batching for elementwise primitives: moves each batched input's batch axis to the front and, where a batched
 * input has fewer per-example dims than the widest input, inserts size-1 axes after the batch axis so NumPy's
 * trailing alignment lines the per-example dims up. Unbatched inputs already broadcast against the trailing dims.
 */
export function alignBatch(xs: readonly MxArray[], axes: readonly (number | null)[], stream: Stream): MxArray[] {
  let rank = 0;
  xs.forEach((x, i) => { rank = Math.max(rank, axes[i] === null ? x.ndim : x.ndim - 1); });
  return xs.map((x, i) => {
    const ax = axes[i]!;
    if (ax === null) return x;
    let y = ax === 0 ? x : moveaxis(x, ax, 0, { stream });
    const r = x.ndim - 1;
    if (r < rank) y = reshape(y, [y.shape[0]!, ...new Array<number>(rank - r).fill(1), ...y.shape.slice(1)], { stream });
    return y;
  });
}

/** The vmap rule of elementwise primitive `name` (any number of inputs and outputs): batch axis 0 out. */
export function vmapElementwise(name: PrimitiveName): NonNullable<Rules['vmap']> {
  return (xs, axes, params, stream) => {
    const batched = axes.some((a) => a !== null);
    const ins = batched ? alignBatch(xs, axes, stream) : xs;
    const outs = bindMulti(name, ins, params as never, stream);
    return [outs, outs.map(() => (batched ? 0 : null))];
  };
}

/** Broadcasts a tangent to the output shape when only lower-rank inputs contributed to it. */
function fit(t: MxArray, shape: readonly number[], stream: Stream): MxArray {
  return shapesEqual(t.shape, shape) ? t : broadcastTo(t, [...shape], { stream });
}

/**
 * Rules of a differentiable unary op: `scale` maps a tangent (or cotangent) through the elementwise derivative,
 * which serves both modes since a diagonal Jacobian is its own transpose (MLX's convention for complex too: no
 * conjugation). Integer and bool inputs get no cotangent and a zero tangent.
 */
export function smoothUnary(name: PrimitiveName, scale: Scale1): Rules {
  return {
    vjp: ([x], [ct], [y], _p, stream) => [differentiable(x!) ? scale(ct!, x!, y!, { stream }) : null],
    jvp: ([x], [t], [y], _p, stream) => [differentiable(x!) && t ? scale(t, x!, y!, { stream }) : zerosLike(y!, { stream })],
    vmap: vmapElementwise(name),
  };
}

/**
 * Rules of a differentiable binary op from its two partial tangent maps (`da`, `db`): the cotangents are reduced
 * back to each input's shape (the inputs broadcast), the tangents summed and broadcast to the output's shape.
 */
export function smoothBinary(name: PrimitiveName, da: Scale2, db: Scale2): Rules {
  return {
    vjp: ([a, b], [ct], [y], _p, stream) => {
      const o = { stream };
      return [
        differentiable(a!) ? unbroadcast(da(ct!, a!, b!, y!, o), a!.shape, stream) : null,
        differentiable(b!) ? unbroadcast(db(ct!, a!, b!, y!, o), b!.shape, stream) : null,
      ];
    },
    jvp: ([a, b], [ta, tb], [y], _p, stream) => {
      const o = { stream };
      if (!differentiable(a!)) return [zerosLike(y!, o)];
      const ga = ta ? da(ta, a!, b!, y!, o) : null;
      const gb = tb ? db(tb, a!, b!, y!, o) : null;
      const t = ga && gb ? add(ga, gb, o) : (ga ?? gb);
      return [t ? fit(t, y!.shape, stream) : zerosLike(y!, o)];
    },
    vmap: vmapElementwise(name),
  };
}

/**
 * Rules of a piecewise-constant or non-numeric op (comparisons, predicates, rounding, bitwise, logical): zero
 * cotangents for float inputs (none for integer/bool ones) and zero tangents, as MLX gives.
 */
export function nonDifferentiable(name: PrimitiveName): Rules {
  return {
    vjp: (xs, _ct, _y, _p, stream) => xs.map((x) => (differentiable(x) ? zerosLike(x, { stream }) : null)),
    jvp: (_xs, _t, ys, _p, stream) => ys.map((y) => zerosLike(y, { stream })),
    vmap: vmapElementwise(name),
  };
}
