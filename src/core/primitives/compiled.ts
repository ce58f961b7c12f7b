/**
 * @file Primitives that only `mx.compile` builds. `compilePlaceholder` stands for an input while a function is
 * traced: it has no data and refuses to be evaluated, so a trace that reads array values fails clearly.
 * `fusedElementwise` is a chain of elementwise primitives (unary, binary, where, astype) over one broadcast shape,
 * run by a backend in one pass. It keeps the unfused chain in its params, and its vjp/jvp rules are those of that
 * chain (MLX's fallback for fused and custom primitives); its vmap rule batches the fused node itself.
 * `fusedReduce` is such a chain (one output) folded by a `reduce` over its trailing axes without storing the
 * chain's values, and `fusedSoftmax` one followed by a softmax; their rules are likewise those of the chain
 * followed by the reduction or softmax.
 */
import { bindMulti, type MxArray } from '../array.js';
import type { Dtype } from '../dtype.js';
import { bool, isInexact } from '../dtype.js';
import type { Stream } from '../device.js';
import { broadcastShapes, shapesEqual } from '../shape.js';
import { definePrimitives, single, type PrimitiveName, type PrimitiveParams } from '../primitive.js';
import { reduceDtype, reducedShape } from './reduce.js';
import { asArray } from '../construct.js';
import { zerosLike } from '../ops/creation.js';
import { broadcastTo, moveaxis, reshape } from '../ops/layout.js';
import { vjp, jvp } from '../transforms/autodiff.js';

/**
 * One step of a fused chain. `args` index the chain's values: `0..nIn-1` are the node's inputs, `nIn + k` is the
 * result of step k, and `-1 - j` is the scalar literal `lits[j]` (a 0-d constant folded into the code).
 */
export interface FusedOp {
  prim: PrimitiveName;
  params: unknown;
  args: number[];
  /** Result dtype of the step. */
  dtype: Dtype;
}

/** Params of `fusedElementwise`. */
export interface FusedParams {
  nIn: number;
  /** Dtypes of the inputs (fixed by the compiled signature). */
  inDtypes: Dtype[];
  ops: FusedOp[];
  /** Which steps are outputs, in output order. */
  outs: number[];
  lits: { value: number; dtype: Dtype }[];
  /** Canonical text of everything above: equal keys compute the same function (used for CSE and code caches). */
  key: string;
}

/** The folds a `fusedReduce` epilogue can be (modes of the `reduce` primitive). */
export type EpilogueMode = 'sum' | 'prod' | 'max' | 'min' | 'mean';

/** Params of `fusedReduce`: the chain (exactly one output) and the `reduce` that consumed it. */
export interface FusedReduceParams {
  chain: FusedParams;
  reduce: { mode: EpilogueMode; axes: readonly number[]; keepdims: boolean; ddof: number };
  /**
   * A chain applied to the reduced values (input 0; one output of the reduction's dtype), as rsqrt(mean + eps):
   * computed before the result is stored.
   */
  post?: FusedParams;
  /** Canonical text of the chain, the reduction and the post chain (CSE and code caches). */
  key: string;
}

/** Params of `fusedSoftmax`: the chain (exactly one output) and the params of the `softmax` that consumed it. */
export interface FusedSoftmaxParams {
  chain: FusedParams;
  softmax: { axes: readonly number[]; precise: boolean };
  /** Canonical text of the chain and the softmax (CSE and code caches). */
  key: string;
}

/**
 * Params of `fusedNorm` (RMSNorm's x * rsqrt(mean(x * x) + eps) * w): `stat`, a `fusedReduce` with kept dims
 * over inputs `statIns`, then the chain `then` over the full shape, whose input j is the statistic where
 * `thenIns[j]` is -1 and node input `thenIns[j]` otherwise.
 */
export interface FusedNormParams {
  stat: FusedReduceParams;
  statIns: number[];
  then: FusedParams;
  thenIns: number[];
  /** Canonical text of all of the above (CSE and code caches). */
  key: string;
}

declare module '../primitive.js' {
  interface PrimitiveParams {
    /** An input of a function being compiled: shape and dtype only, never evaluated. */
    compilePlaceholder: { shape: number[]; dtype: Dtype };
    /** A chain of elementwise primitives computed in one pass over the broadcast shape of its inputs. */
    fusedElementwise: FusedParams;
    /** A one-output elementwise chain reduced over its trailing axes in the same pass. */
    fusedReduce: FusedReduceParams;
    /** A one-output elementwise chain followed by a softmax over its trailing axes, its values never stored. */
    fusedSoftmax: FusedSoftmaxParams;
    /** A row statistic (a `fusedReduce` with kept dims) and a chain over the rows that reads it, in one pass. */
    fusedNorm: FusedNormParams;
  }
}

let evalError: Error | null = null;

/**
 * @internal Called by a backend asked to evaluate a placeholder: records the error (the read that triggered it may
 * sit in a promise the traced function drops) and throws it.
 *
 * @example
 * ```ts
 * compilePlaceholder() { return placeholderEvaluated(); } // a backend's kernel
 * ```
 */
export function placeholderEvaluated(): never {
  evalError = new Error(
    '[compile] Cannot evaluate an array while tracing a compiled function: its value depends on the inputs, which ' +
      'are placeholders during the trace. Do not call item()/tolist()/data()/mx.eval on such arrays inside the ' +
      'function (compute with ops instead, or pass the value as an argument).',
  );
  throw evalError;
}

/**
 * @internal Takes (and clears) the error recorded by `placeholderEvaluated` since the last call.
 *
 * @example
 * ```ts
 * const err = takeEvalError(); // after tracing: non-null if the function read a traced value
 * ```
 */
export function takeEvalError(): Error | null {
  const e = evalError;
  evalError = null;
  return e;
}

function literal(l: { value: number; dtype: Dtype }, stream: Stream): MxArray {
  return asArray(l.dtype === bool ? l.value !== 0 : l.value, l.dtype, stream);
}

/**
 * Builds the unfused chain on `xs` (what the fused node computes), outputs broadcast to the fused shape.
 *
 * @example
 * ```ts
 * const outs = expandFused(node.inputs, node.params, stream); // same values as the fused node's outputs
 * ```
 */
export function expandFused(xs: readonly MxArray[], p: FusedParams, stream: Stream): MxArray[] {
  const vals: MxArray[] = [];
  const get = (a: number): MxArray => (a < 0 ? literal(p.lits[-1 - a]!, stream) : a < p.nIn ? xs[a]! : vals[a - p.nIn]!);
  for (const op of p.ops) vals.push(bindMulti(op.prim, op.args.map(get), op.params as never, stream)[0]!);
  const shape = broadcastShapes(xs.map((x) => x.shape));
  return p.outs.map((o) => {
    const v = vals[o]!;
    return shapesEqual(v.shape, shape) ? v : broadcastTo(v, shape, { stream });
  });
}

/**
 * The `key` of a `fusedReduce` node's params.
 *
 * @example
 * ```ts
 * const params = { chain, reduce, key: fusedReduceKey(chain, reduce) };
 * ```
 */
export function fusedReduceKey(chain: FusedParams, r: FusedReduceParams['reduce'], post?: FusedParams): string {
  return `${r.mode}[${r.axes.join(',')}]${r.keepdims ? 'k' : ''}|${chain.key}${post ? `|post:${post.key}` : ''}`;
}

/**
 * The `key` of a `fusedSoftmax` node's params.
 *
 * @example
 * ```ts
 * const params = { chain, softmax, key: fusedSoftmaxKey(chain, softmax) };
 * ```
 */
export function fusedSoftmaxKey(chain: FusedParams, s: FusedSoftmaxParams['softmax']): string {
  return `softmax[${s.axes.join(',')}]${s.precise ? 'p' : ''}|${chain.key}`;
}

/**
 * The `key` of a `fusedNorm` node's params.
 *
 * @example
 * ```ts
 * const params = { stat, statIns, then, thenIns, key: fusedNormKey(stat, statIns, then, thenIns) };
 * ```
 */
export function fusedNormKey(stat: FusedReduceParams, statIns: number[], then: FusedParams, thenIns: number[]): string {
  return `norm(${statIns.join(',')};${thenIns.join(',')})|${stat.key}|then:${then.key}`;
}

/**
 * The statistic of a `fusedNorm` for statistic inputs of rank `rank`: its reduced axes are the trailing ones, as
 * many as at fusion. (Under vmap the statistic's inputs may stay unbatched while the row chain's gain a leading
 * axis; the statistic, equal along that axis, is then computed on the smaller rank.)
 *
 * @example
 * ```ts
 * const stat = normStat(p, 2); // axes [1] for a one-axis statistic of rank-2 inputs
 * ```
 */
export function normStat(p: FusedNormParams, rank: number): FusedReduceParams {
  const k = p.stat.reduce.axes.length;
  const axes = Array.from({ length: k }, (_, i) => rank - k + i);
  return axes.every((a, i) => a === p.stat.reduce.axes[i]) ? p.stat : { ...p.stat, reduce: { ...p.stat.reduce, axes } };
}

/**
 * Builds what a `fusedNorm` node computes from unfused ops: the statistic, then the chain over the rows.
 *
 * @example
 * ```ts
 * const y = expandFusedNorm(node.inputs, node.params, stream); // same value as the fused node
 * ```
 */
export function expandFusedNorm(xs: readonly MxArray[], p: FusedNormParams, stream: Stream): MxArray {
  const sx = p.statIns.map((i) => xs[i]!);
  const s = expandFusedReduce(sx, normStat(p, broadcastShapes(sx.map((x) => x.shape)).length), stream);
  return expandFused(p.thenIns.map((i) => (i < 0 ? s : xs[i]!)), p.then, stream)[0]!;
}

/**
 * Builds what a `fusedSoftmax` node computes from unfused ops: its chain, then the softmax.
 *
 * @example
 * ```ts
 * const y = expandFusedSoftmax(node.inputs, node.params, stream); // same value as the fused node
 * ```
 */
export function expandFusedSoftmax(xs: readonly MxArray[], p: FusedSoftmaxParams, stream: Stream): MxArray {
  const [v] = expandFused(xs, p.chain, stream);
  return bindMulti('softmax', [v!], p.softmax, stream)[0]!;
}

/**
 * Builds what a `fusedReduce` node computes from unfused ops: its chain, then the reduction.
 *
 * @example
 * ```ts
 * const y = expandFusedReduce(node.inputs, node.params, stream); // same value as the fused node
 * ```
 */
export function expandFusedReduce(xs: readonly MxArray[], p: FusedReduceParams, stream: Stream): MxArray {
  const [v] = expandFused(xs, p.chain, stream);
  const r = bindMulti('reduce', [v!], p.reduce as PrimitiveParams['reduce'], stream)[0]!;
  return p.post ? expandFused([r], p.post, stream)[0]! : r;
}

/**
 * Moves each batch axis to the front, padding ranks so that right-aligned broadcasting lines the batch axes up:
 * how an elementwise node (fused or not) is batched.
 */
function alignBatch(xs: readonly MxArray[], axes: readonly (number | null)[], stream: Stream): MxArray[] {
  const rank = Math.max(...xs.map((x, i) => x.ndim - (axes[i] === null ? 0 : 1)));
  return xs.map((x, i) => {
    const ax = axes[i];
    if (ax === null || ax === undefined) return x;
    const y = moveaxis(x, ax, 0, { stream });
    const pad = rank - (y.ndim - 1);
    return pad === 0 ? y : reshape(y, [y.shape[0]!, ...new Array<number>(pad).fill(1), ...y.shape.slice(1)], { stream });
  });
}

definePrimitives({
  compilePlaceholder: {
    outputs: (_x, p) => single(p.shape, p.dtype),
    // placeholders are the leaves of a compile trace: transforms start from them and never differentiate them
    vjp: () => [],
    jvp: (_x, _t, [o]) => [zerosLike(o!)],
    vmap: () => { throw new Error('[compile] A compile placeholder cannot be batched; call vmap outside compile.'); },
  },
  fusedElementwise: {
    outputs: (xs, p) => {
      const shape = broadcastShapes(xs.map((x) => x.shape));
      return p.outs.map((o) => ({ shape, dtype: p.ops[o]!.dtype }));
    },
    // the chain's own rules: d fused = d (op_k ∘ ... ∘ op_1), through the unfused steps
    vjp: (primals, cts, _o, p, stream) => {
      const [, g] = vjp((...xs: MxArray[]) => expandFused(xs, p, stream), primals, cts);
      return g.map((x, i) => (isInexact(primals[i]!.dtype) ? x : null));
    },
    jvp: (primals, tangents, _o, p, stream) => {
      const ts = tangents.map((t, i) => t ?? zerosLike(primals[i]!));
      return jvp((...xs: MxArray[]) => expandFused(xs, p, stream), primals, ts)[1];
    },
    // elementwise, so batching is alignment: move each batch axis to the front (padding the rank so that it lines
    // up after right-aligned broadcasting) and run the same fused node
    vmap: (xs, axes, p, stream) => {
      const outs = bindMulti('fusedElementwise', alignBatch(xs, axes, stream), p, stream);
      return [outs, outs.map(() => 0)];
    },
  },
  fusedReduce: {
    outputs: (xs, p) => {
      const shape = broadcastShapes(xs.map((x) => x.shape));
      const d = p.chain.ops[p.chain.outs[0]!]!.dtype;
      const od = p.post ? p.post.ops[p.post.outs[0]!]!.dtype : reduceDtype(p.reduce.mode, d);
      return single(reducedShape(shape, p.reduce.axes, p.reduce.keepdims), od);
    },
    vjp: (primals, cts, _o, p, stream) => {
      const [, g] = vjp((...xs: MxArray[]) => [expandFusedReduce(xs, p, stream)], primals, cts);
      return g.map((x, i) => (isInexact(primals[i]!.dtype) ? x : null));
    },
    jvp: (primals, tangents, _o, p, stream) => {
      const ts = tangents.map((t, i) => t ?? zerosLike(primals[i]!));
      return jvp((...xs: MxArray[]) => [expandFusedReduce(xs, p, stream)], primals, ts)[1];
    },
    // the batch axis goes in front of the chain's shape, so the reduced (trailing) axes move up by one and stay
    // trailing; the batch axis of a kept-dims or full reduction is then the output's first axis
    vmap: (xs, axes, p, stream) => {
      const reduce = { ...p.reduce, axes: p.reduce.axes.map((a) => a + 1) };
      const q: FusedReduceParams = { ...p, reduce, key: fusedReduceKey(p.chain, reduce, p.post) };
      return [bindMulti('fusedReduce', alignBatch(xs, axes, stream), q, stream), [0]];
    },
  },
  fusedNorm: {
    outputs: (xs, p) => single(broadcastShapes(xs.map((x) => x.shape)), p.then.ops[p.then.outs[0]!]!.dtype),
    vjp: (primals, cts, _o, p, stream) => {
      const [, g] = vjp((...xs: MxArray[]) => [expandFusedNorm(xs, p, stream)], primals, cts);
      return g.map((x, i) => (isInexact(primals[i]!.dtype) ? x : null));
    },
    jvp: (primals, tangents, _o, p, stream) => {
      const ts = tangents.map((t, i) => t ?? zerosLike(primals[i]!));
      return jvp((...xs: MxArray[]) => [expandFusedNorm(xs, p, stream)], primals, ts)[1];
    },
    // the statistic's axes are its trailing ones at any rank (normStat), so batching is alignment alone
    vmap: (xs, axes, p, stream) => [bindMulti('fusedNorm', alignBatch(xs, axes, stream), p, stream), [0]],
  },
  fusedSoftmax: {
    outputs: (xs, p) => single(broadcastShapes(xs.map((x) => x.shape)), p.chain.ops[p.chain.outs[0]!]!.dtype),
    vjp: (primals, cts, _o, p, stream) => {
      const [, g] = vjp((...xs: MxArray[]) => [expandFusedSoftmax(xs, p, stream)], primals, cts);
      return g.map((x, i) => (isInexact(primals[i]!.dtype) ? x : null));
    },
    jvp: (primals, tangents, _o, p, stream) => {
      const ts = tangents.map((t, i) => t ?? zerosLike(primals[i]!));
      return jvp((...xs: MxArray[]) => [expandFusedSoftmax(xs, p, stream)], primals, ts)[1];
    },
    // as fusedReduce's: the softmax axes move up by one behind the batch axis in front
    vmap: (xs, axes, p, stream) => {
      const softmax = { ...p.softmax, axes: p.softmax.axes.map((a) => a + 1) };
      const q: FusedSoftmaxParams = { chain: p.chain, softmax, key: fusedSoftmaxKey(p.chain, softmax) };
      return [bindMulti('fusedSoftmax', alignBatch(xs, axes, stream), q, stream), [0]];
    },
  },
});
