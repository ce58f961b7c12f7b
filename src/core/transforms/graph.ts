/**
 * @file The part every transform shares: trace a function on fresh leaf arrays, then list the graph nodes that
 * lie between those leaves and the function's outputs, in topological order. vjp walks that list backwards, jvp
 * and vmap forwards, applying each primitive's rule from its definition.
 */
import { MxArray, Node, withGraphKept, graphKept } from '../array.js';
import '../primitives/depends.js';
import { postOrder } from '../graph-walk.js';
import { primitiveDef, type PrimitiveDef, type PrimitiveName } from '../primitive.js';
import { astype } from '../ops/basic.js';

/**
 * A fresh array standing for `x` inside a trace: it shares `x`'s data when `x` is evaluated, so graph walks can
 * tell "this input" from other uses of the same array. Inside an enclosing trace (grad of grad) the leaf is an
 * identity node on `x` instead, so the outer transform still sees the inner one's results depend on `x`.
 */
export function leafFor(x: MxArray): MxArray {
  if (x._data && !graphKept()) {
    const a = new MxArray(x.shape, x.dtype, null);
    a._attach(x._data);
    return a;
  }
  return astype(x, x.dtype);
}

/**
 * A usable handle for a graph array whose own handle was disposed (composite ops dispose their intermediates once
 * the result is built): shares its data when evaluated, else aliases it through a `depends` node, so a rule can
 * pass it to ops without recomputing it.
 */
export function revive(x: MxArray): MxArray {
  if (!x._disposed) return x;
  if (x._data) {
    const a = new MxArray(x.shape, x.dtype, null);
    a._attach(x._data);
    return a;
  }
  if (!x._node) x._check('transform');
  const node = new Node('depends', { n: 1 }, [x], x._node!.stream);
  x._uses++;
  const a = new MxArray(x.shape, x.dtype, node, 0, x._depth + 1);
  node.outputs.push(a);
  return a;
}

/** Runs `fn` with the graph kept on evaluated arrays. */
export function trace<T>(fn: () => T): T {
  return withGraphKept(fn);
}

/**
 * Nodes on some path from `leaves` to `outputs`, inputs before consumers, and the set of arrays that depend on a
 * leaf (the leaves included).
 */
export function nodesBetween(leaves: readonly MxArray[], outputs: readonly MxArray[]): { order: Node[]; active: Set<MxArray> } {
  const active = new Set<MxArray>(leaves);
  const order: Node[] = [];
  postOrder(outputs, (x) => active.has(x), (node) => {
    if (node.inputs.some((x) => active.has(x))) {
      order.push(node);
      for (const o of node.outputs) active.add(o);
    }
  });
  return { order, active };
}

/** The rule table entry of a node's primitive, checking that it has the rule a transform needs. */
export function ruleOf<K extends 'vjp' | 'jvp' | 'vmap'>(node: Node, kind: K, transform: string): NonNullable<PrimitiveDef[K]> {
  const def = primitiveDef(node.prim as PrimitiveName) as PrimitiveDef;
  const rule = def[kind] as ((...args: unknown[]) => unknown) | undefined;
  if (!rule) throw new Error(`[${transform}] Primitive "${node.prim}" has no ${kind} rule.`);
  // rules receive live handles even where a composite op disposed an intermediate of the traced graph
  return ((first: MxArray[], ...rest: unknown[]) => rule.call(def, first.map(revive), ...rest)) as NonNullable<PrimitiveDef[K]>;
}
