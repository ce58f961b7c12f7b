/**
 * @file Elementwise fusion for `mx.compile`. Chains of elementwise nodes that produce the same shape are grouped
 * (from each chain's last node up through its producers) and replaced by one `fusedElementwise` node, which a
 * backend runs in a single pass. A group is convex: no path leaves it and comes back, so the rewritten graph has
 * no cycle. Values a group computes that are used outside it (or returned) stay outputs of the fused node.
 * A group whose only result feeds only a sum/prod/max/min/mean over trailing axes takes that reduction as an
 * epilogue: one `fusedReduce` node that folds the chain's values without storing them (a single elementwise op
 * qualifies too, as in sum(x * y), except on the CPU); likewise a softmax over trailing axes becomes one `fusedSoftmax` node.
 * A chain that only transforms the reduced values (rsqrt(mean + eps)) joins the reduction as its post chain, and,
 * off the CPU, the chain that applies a kept-dims statistic back to the rows (RMSNorm's x * r * w; LayerNorm's,
 * whose centred values also feed the variance, are recomputed) joins it too: one `fusedNorm` node.
 */
import * as dt from '../dtype.js';
import type { Dtype } from '../dtype.js';
import { shapesEqual } from '../shape.js';
import { SAME_DTYPE_UNARY, FLOAT_UNARY, BOOL_UNARY } from '../primitives/unary.js';
import { ARITH_BINARY, BOOL_BINARY } from '../primitives/binary.js';
import {
  fusedNormKey, fusedReduceKey, fusedSoftmaxKey, type EpilogueMode, type FusedNormParams, type FusedOp, type FusedParams,
  type FusedReduceParams, type FusedSoftmaxParams,
} from '../primitives/compiled.js';
import type { PrimitiveParams } from '../primitive.js';
import { consumers, paramsKey, scalarValue, type GNode, type Graph, type Val } from './compile-graph.js';
import type { Stream } from '../device.js';
import { allBackends } from '../../backend/backend.js';

const UNFUSABLE = new Set(['conj', 'bitwiseInvert', 'bitwiseAnd', 'bitwiseOr', 'bitwiseXor', 'leftShift', 'rightShift']);
const ELEMENTWISE = new Set<string>(
  [...SAME_DTYPE_UNARY, ...FLOAT_UNARY, ...BOOL_UNARY, ...ARITH_BINARY, ...BOOL_BINARY].filter((n) => !UNFUSABLE.has(n)),
);
/** Ops that also fuse on bool inputs (their scalar definitions treat 0/1 as truth values). */
const ON_BOOL = new Set(['logicalNot', 'logicalAnd', 'logicalOr', 'equal', 'notEqual']);
/** Integer dtypes read as plain JS numbers (casts from them fuse). */
const NUM_INTS = new Set<Dtype>([dt.int8, dt.int16, dt.int32, dt.uint8, dt.uint16, dt.uint32]);

const isF = (d: Dtype): boolean => d === dt.float32 || d === dt.float64;
const EPILOGUE = new Set<string>(['sum', 'prod', 'max', 'min', 'mean']);
/**
 * At most this many array inputs plus outputs for a fused chain on a stream of a backend that limits kernel
 * bindings (`Backend.maxKernelArrays`; 7 if that backend is not running yet: with the parameter binding, the 8
 * storage bindings every WebGPU device offers), so the GPU never declines a fused node (and runs it on the CPU)
 * for bindings. A chain that would need more is cut into several nodes. The CPU has no such limit.
 */
function maxBindings(stream: Stream): number {
  if (stream.device.type === 'cpu') return Infinity;
  const be = allBackends().find((b) => b.type === stream.device.type);
  return be?.maxKernelArrays ?? 7;
}

/** Array inputs (literals are inlined) plus outputs (values used outside it or returned) of `group` with `p` added. */
function bindings(group: Set<GNode>, p: GNode, uses: Map<Val, GNode[]>, isOut: Set<Val>): number {
  const members = new Set(group).add(p);
  const ins = new Set<Val>();
  let outs = 0;
  for (const n of members) {
    for (const v of n.ins) if (!(v.node && members.has(v.node)) && literalOf(v) === null) ins.add(v);
    const o = n.outs[0]!;
    if (isOut.has(o) || (uses.get(o) ?? []).some((c) => !members.has(c))) outs++;
  }
  return ins.size + outs;
}

/**
 * @internal Switches of the fusion pass, for tests and benchmarks that compare against the plain chains (a
 * compiled function keeps the plans it traced before a change).
 *
 * @example
 * ```ts
 * fuseOptions.epilogues = false; // reductions stay separate nodes
 * ```
 */
export const fuseOptions = { epilogues: true };
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
  const reductions = new Map<Set<GNode>, GNode>();
  // groups whose intermediates also feed this group: only a fusedNorm (which recomputes them) may fuse them
  const needsThen = new Map<Set<GNode>, Set<GNode>>();
  for (let r = g.nodes.length - 1; r >= 0; r--) {
    const root = g.nodes[r]!;
    if (owner.has(root) || !fusable(root)) continue;
    const group = new Set([root]);
    const cap = maxBindings(root.stream);
    const stack = [...root.ins];
    while (stack.length) {
      const v = stack.pop()!;
      const p = v.node;
      if (v.kind !== 'node' || !p || group.has(p) || owner.has(p) || !fusable(p)) continue;
      if (p.stream !== root.stream || !shapesEqual(v.shape, root.outs[0]!.shape)) continue;
      const outside = (uses.get(v) ?? []).filter((c) => !group.has(c));
      const escapes = outside.length > 0 || isOut.has(v);
      if (escapes && (singleOutput || reaches(outside, group))) continue;
      if (bindings(group, p, uses, isOut) > cap) continue;
      group.add(p);
      stack.push(...p.ins);
    }
    const epi = epilogueOf(root, group, owner, uses, isOut);
    let red = epi && epi.red;
    // a lone op with a reduction fuses only off the CPU: there its own WASM kernel beats the generated JS row
    if (group.size < 2 && root.stream.device.type === 'cpu') red = null;
    if (group.size < 2 && !red) continue;
    for (const n of group) owner.set(n, group);
    groups.push(group);
    if (red) reductions.set(group, red);
    if (red && epi!.needs) needsThen.set(group, epi!.needs);
  }
  if (!groups.length) return g;
  // a chain that only transforms a fused reduction's result (rsqrt(mean + eps)) joins it as a post chain
  const posts = new Map<Set<GNode>, Set<GNode>>();
  for (const [group, red] of reductions) {
    const post = red.prim === 'reduce' ? postOf(red, owner, reductions, uses, isOut) : null;
    if (post) posts.set(group, post);
  }
  const absorbed = new Set(posts.values());
  const sorted = (group: Set<GNode>): GNode[] => g.nodes.filter((n) => group.has(n));
  // a row chain that reads a kept-dims statistic (RMSNorm's x * r * w) joins it in one fusedNorm node
  const thens = new Map<Set<GNode>, Set<GNode>>();
  for (const [group, red] of reductions) {
    if (red.prim !== 'reduce' || !(red.params as PrimitiveParams['reduce']).keepdims) continue;
    const post = posts.get(group);
    const sv = post ? sorted(post).pop()!.outs[0]! : red.outs[0]!;
    const root = sorted(group).pop()!;
    const then = thenOf(sv, root.outs[0]!.shape, owner, (t) => reductions.has(t) || absorbed.has(t), uses, isOut);
    const needs = needsThen.get(group);
    if (then && (!needs || needs === then)) { thens.set(group, then); absorbed.add(then); }
  }
  // an epilogue whose chain's intermediates escape needs its row chain, or it does not fuse
  for (const group of needsThen.keys()) {
    if (thens.has(group)) continue;
    reductions.delete(group);
    const post = posts.get(group);
    if (post) { posts.delete(group); absorbed.delete(post); }
  }
  for (const group of groups) {
    if (absorbed.has(group)) continue;
    const members = sorted(group);
    const red = reductions.get(group), post = posts.get(group), then = thens.get(group), needs = needsThen.has(group);
    // a row chain reading the chain's intermediates recomputes them: it runs over both groups' members
    const thenMembers = then && (needs ? g.nodes.filter((n) => group.has(n) || then.has(n)) : sorted(then));
    if (red && withEpilogue(members, group, red, post && sorted(post), thenMembers)) continue;
    if (red && then && !needs && withEpilogue(members, group, red, post && sorted(post))) {
      if (then.size >= 2) build(sorted(then), then, uses, isOut);
      continue;
    }
    if (members.length >= 2) build(members, group, uses, isOut);
    // the reduction stays a node, so its post chain and row chain are ordinary groups again
    if (post && post.size >= 2) build(sorted(post), post, uses, isOut);
    if (then && then.size >= 2) build(sorted(then), then, uses, isOut);
  }
  // the graph is re-sorted from its outputs: values a group lets escape may be read by nodes that came between
  // its members
  return { ...g, nodes: topoSort(g.outputs) };
}

/**
 * The reduction a group can take as its epilogue: the group's root is used only by a float sum/prod/max/min/mean
 * or softmax over trailing axes on the same stream, and its other values only inside it or, for a reduction,
 * by one later group (`needs`, which must then become its row chain). Null otherwise.
 */
function epilogueOf(root: GNode, group: Set<GNode>, owner: Map<GNode, Set<GNode>>, uses: Map<Val, GNode[]>,
  isOut: Set<Val>): { red: GNode; needs: Set<GNode> | null } | null {
  if (!fuseOptions.epilogues) return null;
  const v = root.outs[0]!;
  const us = uses.get(v) ?? [];
  if (isOut.has(v) || us.length !== 1) return null;
  const red = us[0]!;
  if (red.stream !== root.stream || !isF(v.dtype)) return null;
  const nd = v.shape.length;
  const trailing = (axes: readonly number[]): boolean => axes.length > 0 && axes.every((a, i) => a === nd - axes.length + i);
  if (red.prim === 'reduce') {
    const p = red.params as PrimitiveParams['reduce'];
    if (!EPILOGUE.has(p.mode) || !trailing(p.axes)) return null;
  } else if (red.prim !== 'softmax' || !trailing((red.params as PrimitiveParams['softmax']).axes)) {
    return null;
  }
  // intermediates may escape only into one later group (LayerNorm's x - mean): see needsThen in fuse
  let needs: Set<GNode> | null = null;
  for (const n of group) {
    if (n === root) continue;
    const o = n.outs[0]!;
    if (isOut.has(o)) return null;
    for (const c of uses.get(o) ?? []) {
      if (group.has(c)) continue;
      const cg = owner.get(c);
      if (!cg || (needs && needs !== cg) || red.prim !== 'reduce') return null;
      needs = cg;
    }
  }
  return { red, needs };
}

/**
 * The group that only transforms the result of the reduction `red` (its one non-literal input, on the same
 * stream, computing one value of the same dtype), or null. It may be a lone op that formed no group.
 */
function postOf(red: GNode, owner: Map<GNode, Set<GNode>>, reductions: Map<Set<GNode>, GNode>, uses: Map<Val, GNode[]>,
  isOut: Set<Val>): Set<GNode> | null {
  const rv = red.outs[0]!;
  const cs = uses.get(rv) ?? [];
  if (isOut.has(rv) || !cs.length) return null;
  const c0 = cs[0]!;
  const post = owner.get(c0) ?? (fusable(c0) ? new Set([c0]) : null);
  if (!post || reductions.has(post) || !cs.every((c) => post.has(c))) return null;
  let escaping = 0, last: GNode | null = null;
  for (const n of post) {
    if (n.stream !== red.stream) return null;
    for (const v of n.ins) if (!(v.node && post.has(v.node)) && v !== rv && literalOf(v) === null) return null;
    const o = n.outs[0]!;
    if (isOut.has(o) || (uses.get(o) ?? []).some((c) => !post.has(c))) { escaping++; last = n; }
  }
  return escaping === 1 && last!.outs[0]!.dtype === rv.dtype && last!.outs[0]!.shape.length === rv.shape.length ? post : null;
}

/**
 * Replaces a group and its epilogue `red` (and the reduction's post chain, members in order) by one `fusedReduce`
 * or `fusedSoftmax` node, or, with a row chain `then` reading the reduction's (post) value, by one `fusedNorm`
 * node; false (nothing changed) past the input cap.
 */
function withEpilogue(members: GNode[], group: Set<GNode>, red: GNode, post?: GNode[], then?: GNode[]): boolean {
  const { params: chain, ins } = chainOf(members, group, [members.length - 1]);
  // the inputs and the one output must fit the kernel bindings of the stream's backend (see maxBindings)
  const maxInputs = maxBindings(red.stream) - 1;
  if (ins.length > maxInputs) return false;
  let node: GNode;
  const out = post ? post[post.length - 1]!.outs[0]! : red.outs[0]!;
  if (red.prim === 'softmax') {
    const sp = red.params as PrimitiveParams['softmax'];
    const softmax = { axes: sp.axes, precise: sp.precise };
    const params: FusedSoftmaxParams = { chain, softmax, key: fusedSoftmaxKey(chain, softmax) };
    node = { prim: 'fusedSoftmax', params, stream: red.stream, ins, outs: [out] };
  } else {
    const rp = red.params as PrimitiveParams['reduce'];
    const reduce = { mode: rp.mode as EpilogueMode, axes: rp.axes, keepdims: rp.keepdims, ddof: rp.ddof };
    const params: FusedReduceParams = { chain, reduce, key: '' };
    if (post) params.post = chainOf(post, new Set(post), [post.length - 1]).params;
    params.key = fusedReduceKey(chain, reduce, params.post);
    node = { prim: 'fusedReduce', params, stream: red.stream, ins, outs: [out] };
    if (then) {
      // the row chain reads the statistic (out, now internal) and arrays that join the node's inputs
      const t = chainOf(then, new Set(then), [then.length - 1]);
      const all = [...ins];
      const thenIns = t.ins.map((v) => {
        if (v === out) return -1;
        const i = all.indexOf(v);
        return i >= 0 ? i : all.push(v) - 1;
      });
      if (all.length > maxInputs) return false;
      const statIns = ins.map((_, i) => i);
      const np: FusedNormParams = { stat: params, statIns, then: t.params, thenIns, key: fusedNormKey(params, statIns, t.params, thenIns) };
      const y = then[then.length - 1]!.outs[0]!;
      const norm: GNode = { prim: 'fusedNorm', params: np, stream: red.stream, ins: all, outs: [y] };
      y.node = norm;
      y.out = 0;
      return true;
    }
  }
  out.node = node;
  out.out = 0;
  return true;
}

/**
 * The group that applies the statistic `sv` (a reduction with kept dims, or its post chain) back to the rows
 * of shape `shape`, as RMSNorm's x * r * w: `sv` is used only there, and the group computes one value of that
 * shape, float, off the CPU (where the row chain would run the same generated row as unfused). Or null.
 */
function thenOf(sv: Val, shape: readonly number[], owner: Map<GNode, Set<GNode>>, taken: (g: Set<GNode>) => boolean,
  uses: Map<Val, GNode[]>, isOut: Set<Val>): Set<GNode> | null {
  const cs = uses.get(sv) ?? [];
  if (isOut.has(sv) || !cs.length || cs[0]!.stream.device.type === 'cpu') return null;
  const c0 = cs[0]!;
  const then = owner.get(c0) ?? (fusable(c0) ? new Set([c0]) : null);
  if (!then || taken(then) || !cs.every((c) => then.has(c))) return null;
  let escaping: GNode | null = null;
  for (const n of then) {
    if (n.stream !== c0.stream) return null;
    const o = n.outs[0]!;
    if (isOut.has(o) || (uses.get(o) ?? []).some((c) => !then.has(c))) {
      if (escaping) return null;
      escaping = n;
    }
  }
  const y = escaping?.outs[0];
  return y && isF(y.dtype) && shapesEqual(y.shape, shape) ? then : null;
}

/** The fused node of one group (members in topological order). */
function build(members: GNode[], group: Set<GNode>, uses: Map<Val, GNode[]>, isOut: Set<Val>): GNode {
  const escaping = members.filter((n) => isOut.has(n.outs[0]!) || (uses.get(n.outs[0]!) ?? []).some((c) => !group.has(c)));
  const { params, ins } = chainOf(members, group, escaping.map((n) => members.indexOf(n)));
  const fused: GNode = { prim: 'fusedElementwise', params, stream: members[0]!.stream, ins, outs: [] };
  fused.outs = escaping.map((n, i) => {
    const v = n.outs[0]!;
    v.node = fused;
    v.out = i;
    return v;
  });
  return fused;
}

/** The chain of a group (members in topological order) whose steps `outs` are its outputs, and its inputs. */
function chainOf(members: GNode[], group: Set<GNode>, outs: number[]): { params: FusedParams; ins: Val[] } {
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
  const inDtypes = ins.map((v) => v.dtype);
  const key = [
    nIn, inDtypes.map((d) => d.name).join(','), outs.join(','),
    lits.map((l) => `${l.dtype.name}=${paramsKey(l.value)}`).join(','),
    ops.map((o) => `${o.prim}${paramsKey(o.params)}(${o.args.join(',')}):${o.dtype.name}`).join(';'),
  ].join('|');
  return { params: { nIn, inDtypes, ops, outs, lits, key }, ins };
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
