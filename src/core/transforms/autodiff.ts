/**
 * @file Reverse and forward mode: `vjp`, `jvp`, `grad`, `valueAndGrad`. Both trace the function on fresh leaves
 * and interpret the traced graph with each primitive's rule (graph.ts); nothing here knows any op.
 */
import { MxArray } from '../array.js';
import { add } from '../ops/binary.js';
import { zerosLike, onesLike } from '../ops/creation.js';
import { leafFor, trace, nodesBetween, ruleOf, revive } from './graph.js';
import { treeFlattenWith } from '../tree.js';
import { fmtShape } from '../shape.js';

type Fn = (...args: any[]) => unknown;

function asList(out: unknown, op: string): MxArray[] {
  if (out instanceof MxArray) return [out];
  if (Array.isArray(out) && out.every((o) => o instanceof MxArray)) return out as MxArray[];
  throw new TypeError(`[${op}] The function must return an array or a list of arrays.`);
}

function checkArrays(xs: unknown, what: string, op: string): MxArray[] {
  if (!Array.isArray(xs) || !xs.every((x) => x instanceof MxArray)) throw new TypeError(`[${op}] ${what} must be a list of arrays.`);
  for (const x of xs) x._check(op);
  return xs;
}

/** Cotangents of `leaves` given cotangents of `outputs`, through the traced graph. */
export function backprop(leaves: readonly MxArray[], outputs: readonly MxArray[], cotangents: readonly MxArray[], op = 'vjp'): MxArray[] {
  const { order, active } = nodesBetween(leaves, outputs);
  const ct = new Map<MxArray, MxArray>();
  const acc = (x: MxArray, c: MxArray): void => {
    const prev = ct.get(x);
    ct.set(x, prev ? add(prev, c) : c);
  };
  outputs.forEach((o, i) => { if (active.has(o)) acc(o, cotangents[i]!); });
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k]!;
    const outCts = node.outputs.map((o) => ct.get(o));
    if (outCts.every((c) => c === undefined)) continue;
    const filled = outCts.map((c, i) => c ?? zerosLike(revive(node.outputs[i]!)));
    const inCts = ruleOf(node, 'vjp', op)(node.inputs, filled, node.outputs.map(revive), node.params as never, node.stream);
    node.inputs.forEach((x, i) => {
      const c = inCts[i];
      if (c && active.has(x)) acc(x, c);
    });
  }
  return leaves.map((l) => ct.get(l) ?? zerosLike(revive(l)));
}

/**
 * Vector-Jacobian product: runs `fn(...primals)` and pulls `cotangents` (one per output) back to the primals.
 * Returns `[outputs, vjps]`.
 *
 * @example
 * ```ts
 * const [[y], [dx]] = mx.vjp((x) => mx.sin(x), [x], [mx.onesLike(x)]); // dx = cos(x)
 * ```
 */
export function vjp(fn: Fn, primals: MxArray[], cotangents: MxArray[]): [MxArray[], MxArray[]] {
  checkArrays(primals, 'primals', 'vjp');
  checkArrays(cotangents, 'cotangents', 'vjp');
  const leaves = primals.map(leafFor);
  const outs = asList(trace(() => fn(...leaves)), 'vjp');
  if (outs.length !== cotangents.length) {
    throw new Error(`[vjp] Got ${cotangents.length} cotangents for ${outs.length} outputs.`);
  }
  outs.forEach((o, i) => {
    const c = cotangents[i]!;
    if (o.shape.length !== c.shape.length || o.shape.some((d, j) => d !== c.shape[j])) {
      throw new Error(`[vjp] Cotangent ${i} has shape ${fmtShape(c.shape)} but the output has shape ${fmtShape(o.shape)}.`);
    }
  });
  return [outs, backprop(leaves, outs, cotangents)];
}

/**
 * Jacobian-vector product: pushes `tangents` (one per primal) forward through `fn`. Returns `[outputs, jvps]`.
 *
 * @example
 * ```ts
 * const [[y], [dy]] = mx.jvp((x) => mx.exp(x), [x], [mx.onesLike(x)]); // dy = exp(x)
 * ```
 */
export function jvp(fn: Fn, primals: MxArray[], tangents: MxArray[]): [MxArray[], MxArray[]] {
  checkArrays(primals, 'primals', 'jvp');
  checkArrays(tangents, 'tangents', 'jvp');
  if (primals.length !== tangents.length) throw new Error(`[jvp] Got ${tangents.length} tangents for ${primals.length} primals.`);
  primals.forEach((p, i) => {
    const t = tangents[i]!;
    if (p.shape.length !== t.shape.length || p.shape.some((d, j) => d !== t.shape[j])) {
      throw new Error(`[jvp] Tangent ${i} has shape ${fmtShape(t.shape)} but the primal has shape ${fmtShape(p.shape)}.`);
    }
  });
  const leaves = primals.map(leafFor);
  const outs = asList(trace(() => fn(...leaves)), 'jvp');
  const { order } = nodesBetween(leaves, outs);
  const tan = new Map<MxArray, MxArray>();
  leaves.forEach((l, i) => tan.set(l, tangents[i]!));
  for (const node of order) {
    const tIn = node.inputs.map((x) => tan.get(x) ?? null);
    if (tIn.every((t) => t === null)) continue;
    const tOut = ruleOf(node, 'jvp', 'jvp')(node.inputs, tIn, node.outputs.map(revive), node.params as never, node.stream);
    node.outputs.forEach((o, i) => tan.set(o, tOut[i]!));
  }
  return [outs, outs.map((o) => tan.get(o) ?? zerosLike(revive(o)))];
}

/** Options of `grad` and `valueAndGrad`. */
export interface GradOpts {
  /** Which positional arguments to differentiate (default 0). Each may be an array or a tree of arrays. */
  argnums?: number | number[];
}

/**
 * Returns a function computing `fn`'s value and its gradient with respect to the arguments in `argnums`. `fn`
 * must return a scalar array, or a list whose first item is the scalar loss (the rest is passed through as aux).
 * Arguments may be trees (nested JS arrays / plain objects) of arrays; gradients have the same structure.
 *
 * @example
 * ```ts
 * const lossAndGrad = mx.valueAndGrad((w, x) => mx.sum(mx.square(mx.matmul(x, w))));
 * const [loss, dw] = lossAndGrad(w, x);
 * ```
 */
export function valueAndGrad(fn: Fn, argnums: number | number[] | GradOpts = 0): (...args: any[]) => [any, any] {
  const nums = typeof argnums === 'object' && !Array.isArray(argnums) ? (argnums.argnums ?? 0) : argnums;
  const list = typeof nums === 'number' ? [nums] : nums;
  return (...args: any[]) => {
    for (const n of list) {
      if (!Number.isInteger(n) || n < 0 || n >= args.length) {
        throw new RangeError(`[grad] Can't compute the gradient of argument index ${n} because the function is called with only ${args.length} positional arguments.`);
      }
    }
    const flat = list.map((n) => treeFlattenWith(args[n]));
    const leavesPer = flat.map(([ls]) => (ls as MxArray[]).map(leafFor));
    const callArgs = [...args];
    list.forEach((n, i) => { callArgs[n] = flat[i]![1](leavesPer[i]!); });
    const out = trace(() => fn(...callArgs));
    const loss = out instanceof MxArray ? out : Array.isArray(out) && out[0] instanceof MxArray ? (out[0] as MxArray) : null;
    if (!loss) throw new TypeError('[grad] The function must return a scalar array or a list whose first item is one.');
    if (loss.size !== 1 || loss.ndim !== 0) {
      throw new Error(`[grad] The function must return a scalar array, got shape ${fmtShape(loss.shape)}.`);
    }
    const allLeaves = leavesPer.flat();
    const grads = backprop(allLeaves, [loss], [onesLike(loss)], 'grad');
    let k = 0;
    const trees = list.map((_, i) => flat[i]![1](leavesPer[i]!.map(() => grads[k++]!)));
    return [out, typeof nums === 'number' ? trees[0] : trees];
  };
}

/**
 * Returns a function computing the gradient of `fn` (see `valueAndGrad`).
 *
 * @example
 * ```ts
 * const dsin = mx.grad((x) => mx.sin(x));
 * await dsin(mx.array(0)).item(); // 1
 * ```
 */
export function grad(fn: Fn, argnums: number | number[] | GradOpts = 0): (...args: any[]) => any {
  const vg = valueAndGrad(fn, argnums);
  return (...args: any[]) => vg(...args)[1];
}
