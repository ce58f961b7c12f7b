/**
 * @file Elementwise fusion for `mx.compile`. Chains of elementwise nodes that produce the same shape are grouped
 * (from each chain's last node up through its producers) and replaced by one `fusedElementwise` node, which a
 * backend runs in a single pass. A group is convex: no path leaves it and comes back, so the rewritten graph has
 * no cycle. Values a group computes that are used outside it (or returned) stay outputs of the fused node.
 */
import * as dt from '../dtype.js';
import type { Dtype } from '../dtype.js';
import { shapesEqual } from '../shape.js';
import { SAME_DTYPE_UNARY, FLOAT_UNARY, BOOL_UNARY } from '../primitives/unary.js';
import { ARITH_BINARY, BOOL_BINARY } from '../primitives/binary.js';
import type { FusedOp, FusedParams } from '../primitives/compiled.js';
import { consumers, paramsKey, scalarValue, type GNode, type Graph, type Val } from './compile-graph.js';

const UNFUSABLE = new Set(['conj', 'bitwiseInvert', 'bitwiseAnd', 'bitwiseOr', 'bitwiseXor', 'leftShift', 'rightShift']);
const ELEMENTWISE = new Set<string>(
  [...SAME_DTYPE_UNARY, ...FLOAT_UNARY, ...BOOL_UNARY, ...ARITH_BINARY, ...BOOL_BINARY].filter((n) => !UNFUSABLE.has(n)),
);
/** Ops that also fuse on bool inputs (their scalar definitions treat 0/1 as truth values). */
const ON_BOOL = new Set(['logicalNot', 'logicalAnd', 'logicalOr', 'equal', 'notEqual']);
/** Integer dtypes read as plain JS numbers (casts from them fuse). */
const NUM_INTS = new Set<Dtype>([dt.int8, dt.int16, dt.int32, dt.uint8, dt.uint16, dt.uint32]);

const isF = (d: Dtype): boolean => d === dt.float32 || d === dt.float64;
const isFB = (d: Dtype): boolean => isF(d) || d === dt.bool;

/**
 * Whether the fused CPU kernel computes this node exactly as its own kernel does.
 *
 * @example
 * ```ts
 * fusable(expNodeOnFloat32); // true; an int32 multiply: false
 * ```
 */
export function fusable(n: GNode): boolean {
  // any device: the GPU has a fused kernel too, and a chain it declines (float64) falls back to the CPU one
  if (n.outs.length !== 1) return false;
  const out = n.outs[0]!.dtype;
  const d = n.ins[0]?.dtype;
  if (!d) return false;
  if (n.prim === 'astype') return (isFB(d) || NUM_INTS.has(d)) && isFB(out);
  if (n.prim === 'where') return d === dt.bool && isFB(n.ins[1]!.dtype) && n.ins[1]!.dtype === n.ins[2]!.dtype;
  if (!ELEMENTWISE.has(n.prim)) return false;
  return isF(d) || (d === dt.bool && ON_BOOL.has(n.prim));
}

/** A literal the generated code can inline: a 0-d evaluated constant of a plain-number dtype. */
function literalOf(v: Val): number | null {
  if (v.kind !== 'const' || v.shape.length !== 0 || !(isFB(v.dtype) || NUM_INTS.has(v.dtype))) return null;
  const s = scalarValue(v.array!);
  return typeof s === 'number' ? s : null;
}

/**
 * Replaces fusable chains of `g` by fused nodes. `singleOutput` (shapeless compiles) keeps intermediates that
 * escape out of groups: with other input shapes they could have a smaller shape than the group's.
 *
 * @example
 * ```ts
 * const fused = fuse(buildGraph(placeholders, outs), false);
 * ```
 */
export function fuse(g: Graph, singleOutput: boolean): Graph {
  const { uses, isOut } = consumers(g);
  const owner = new Map<GNode, Set<GNode>>();
  const reaches = (from: GNode[], group: Set<GNode>): boolean => {
    const seen = new Set<GNode>();
    const stack = [...from];
    while (stack.length) {
      const n = stack.pop()!;
      if (group.has(n)) return true;
      if (seen.has(n)) continue;
      seen.add(n);
      for (const o of n.outs) for (const c of uses.get(o) ?? []) stack.push(c);
    }
    return false;
  };
  const groups: Set<GNode>[] = [];
  for (let r = g.nodes.length - 1; r >= 0; r--) {
    const root = g.nodes[r]!;
    if (owner.has(root) || !fusable(root)) continue;
    const group = new Set([root]);
    const stack = [...root.ins];
    while (stack.length) {
      const v = stack.pop()!;
      const p = v.node;
      if (v.kind !== 'node' || !p || group.has(p) || owner.has(p) || !fusable(p)) continue;
      if (p.stream !== root.stream || !shapesEqual(v.shape, root.outs[0]!.shape)) continue;
      const outside = (uses.get(v) ?? []).filter((c) => !group.has(c));
      const escapes = outside.length > 0 || isOut.has(v);
      if (escapes && (singleOutput || reaches(outside, group))) continue;
      group.add(p);
      stack.push(...p.ins);
    }
    if (group.size < 2) continue;
    for (const n of group) owner.set(n, group);
    groups.push(group);
  }
  if (!groups.length) return g;
  for (const group of groups) build(g.nodes.filter((n) => group.has(n)), group, uses, isOut);
  // the graph is re-sorted from its outputs: values a group lets escape may be read by nodes that came between
  // its members
  return { ...g, nodes: topoSort(g.outputs) };
}

/** The fused node of one group (members in topological order). */
function build(members: GNode[], group: Set<GNode>, uses: Map<Val, GNode[]>, isOut: Set<Val>): GNode {
  const ins: Val[] = [];
  const lits: { value: number; dtype: Dtype }[] = [];
  const ref = new Map<Val, number>();
  const argOf = (v: Val): number => {
    let a = ref.get(v);
    if (a !== undefined) return a;
    const l = literalOf(v);
    if (l !== null) {
      lits.push({ value: l, dtype: v.dtype });
      a = -lits.length;
    } else {
      ins.push(v);
      a = ins.length - 1;
    }
    ref.set(v, a);
    return a;
  };
  // inputs first (their indices must precede the steps')
  for (const n of members) for (const v of n.ins) if (!(v.node && group.has(v.node))) argOf(v);
  const nIn = ins.length;
  const ops: FusedOp[] = members.map((n, k) => {
    ref.set(n.outs[0]!, nIn + k);
    return { prim: n.prim, params: n.params, args: n.ins.map(argOf), dtype: n.outs[0]!.dtype };
  });
  const escaping = members.filter((n) => isOut.has(n.outs[0]!) || (uses.get(n.outs[0]!) ?? []).some((c) => !group.has(c)));
  const outs = escaping.map((n) => members.indexOf(n));
  const inDtypes = ins.map((v) => v.dtype);
  const key = [
    nIn, inDtypes.map((d) => d.name).join(','), outs.join(','),
    lits.map((l) => `${l.dtype.name}=${paramsKey(l.value)}`).join(','),
    ops.map((o) => `${o.prim}${paramsKey(o.params)}(${o.args.join(',')}):${o.dtype.name}`).join(';'),
  ].join('|');
  const params: FusedParams = { nIn, inDtypes, ops, outs, lits, key };
  const fused: GNode = { prim: 'fusedElementwise', params, stream: members[0]!.stream, ins, outs: [] };
  fused.outs = escaping.map((n, i) => {
    const v = n.outs[0]!;
    v.node = fused;
    v.out = i;
    return v;
  });
  return fused;
}

/** Nodes reachable from `outputs`, inputs before consumers. */
function topoSort(outputs: Val[]): GNode[] {
  const order: GNode[] = [];
  const state = new Map<GNode, number>();
  const visit = (root: GNode): void => {
    const stack: [GNode, number][] = [[root, 0]];
    state.set(root, 1);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const [n, i] = top;
      if (i < n.ins.length) {
        top[1] = i + 1;
        const p = n.ins[i]!.node;
        if (n.ins[i]!.kind === 'node' && p && !state.has(p)) { state.set(p, 1); stack.push([p, 0]); }
      } else {
        stack.pop();
        order.push(n);
      }
    }
  };
  for (const v of outputs) if (v.kind === 'node' && v.node && !state.has(v.node)) visit(v.node);
  return order;
}
