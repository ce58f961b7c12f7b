/**
 * @file The graph `mx.compile` works on. A traced function's nodes between its placeholder inputs and its outputs
 * become `GNode`s over `Val`s (an input, a captured constant, or a node output), simplified on the way in:
 * constants (subgraphs that depend on no input) are evaluated once and captured, common subexpressions (same
 * primitive, equal params, same inputs) are merged, and casts to the same dtype are dropped. compile-fuse.ts rewrites the result; compile-plan.ts turns it
 * into a replayable plan.
 */
import type { MxArray } from '../array.js';
import type { Dtype } from '../dtype.js';
import type { Stream } from '../device.js';
import type { PrimitiveName } from '../primitive.js';
import type { TypedArray } from '../../backend/backend.js';
import { materialize } from '../eval.js';
import { nodesBetween } from './graph.js';

/** A value of the compiled graph. */
export interface Val {
  kind: 'in' | 'const' | 'node';
  /** Input position (kind 'in'). */
  index: number;
  /** The captured array (kind 'const'). */
  array: MxArray | null;
  /** Producer and output position (kind 'node'); fusion re-points escaping values at the fused node. */
  node: GNode | null;
  out: number;
  shape: readonly number[];
  dtype: Dtype;
  /** Unique id, for CSE keys. */
  id: number;
}

/** A node of the compiled graph. */
export interface GNode {
  prim: PrimitiveName;
  params: unknown;
  stream: Stream;
  ins: Val[];
  outs: Val[];
}

/** The simplified graph: nodes in topological order, the output values, and counts for inspection. */
export interface Graph {
  inputs: Val[];
  nodes: GNode[];
  outputs: Val[];
  /** How many traced nodes CSE merged away. */
  merged: number;
}

/**
 * Disposes a trace's arrays (consumers first), so the never-run traced nodes stop holding their inputs: a
 * captured array keeps only the plan's own reference.
 *
 * @example
 * ```ts
 * discardTrace(placeholders, tracedOutputs); // after toPlan
 * ```
 */
export function discardTrace(leaves: readonly MxArray[], outputs: readonly MxArray[]): void {
  const { order } = nodesBetween(leaves, outputs);
  for (let k = order.length - 1; k >= 0; k--) for (const o of order[k]!.outputs) o.dispose();
  for (const x of leaves) x.dispose();
}

let nextId = 0;
function mkVal(kind: Val['kind'], x: { shape: readonly number[]; dtype: Dtype }): Val {
  return { kind, index: -1, array: null, node: null, out: 0, shape: x.shape, dtype: x.dtype, id: nextId++ };
}

const objIds = new WeakMap<object, number>();
let nextObj = 0;
function objId(o: object): number {
  let id = objIds.get(o);
  if (id === undefined) { id = nextObj++; objIds.set(o, id); }
  return id;
}

/**
 * Canonical text of a params value: equal text means deep-equal params. Plain data is spelled out; dtypes by
 * name; anything else (functions, class instances, arrays) by identity.
 *
 * @example
 * ```ts
 * paramsKey({ axes: [0, 1], keepdims: true }) === paramsKey({ keepdims: true, axes: [0, 1] }); // true
 * ```
 */
export function paramsKey(v: unknown): string {
  switch (typeof v) {
    case 'number': return Object.is(v, -0) ? '-0' : String(v);
    case 'string': return JSON.stringify(v);
    case 'boolean': return v ? 'T' : 'F';
    case 'bigint': return `${v}n`;
    case 'undefined': return 'U';
    case 'function': return `#${objId(v)}`;
    default: break;
  }
  if (v === null) return 'N';
  if (Array.isArray(v)) return `[${v.map(paramsKey).join(',')}]`;
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) {
    const o = v as Record<string, unknown>;
    if (typeof o.key === 'string' && 'ops' in o) return `F${o.key}`; // fused params carry their own key
    return `{${Object.keys(o).sort().map((k) => `${k}:${paramsKey(o[k])}`).join(',')}}`;
  }
  const d = v as { name?: unknown; kind?: unknown; index?: unknown };
  if (typeof d.name === 'string' && typeof d.kind === 'string' && typeof d.index === 'number') return `d:${d.name}`;
  return `#${objId(v as object)}`;
}

/**
 * The value of an evaluated one-element CPU constant (for merging equal scalars and inlining), or null.
 *
 * @example
 * ```ts
 * scalarValue(mx.array(2.5)); // 2.5
 * ```
 */
export function scalarValue(a: MxArray): number | bigint | null {
  const d = a._data;
  if (!d || a.size !== 1 || a.dtype.name === 'complex64' || d.storage.backend.type !== 'cpu') return null;
  return (d.storage.handle as TypedArray)[d.offset] as number | bigint;
}

/**
 * Builds the simplified graph of a trace: `leaves` are the placeholders, `outputs` the traced results.
 * Constants are evaluated here (MLX would fold them the same way: they cannot change between calls).
 *
 * @example
 * ```ts
 * const g = buildGraph(placeholders, [out]); // g.nodes: the traced nodes that depend on an input, CSE'd
 * ```
 */
export function buildGraph(leaves: readonly MxArray[], outputs: readonly MxArray[]): Graph {
  const { order } = nodesBetween(leaves, outputs);
  const vals = new Map<MxArray, Val>();
  const inputs = leaves.map((x, i) => {
    const v = mkVal('in', x);
    v.index = i;
    vals.set(x, v);
    return v;
  });
  const consts = new Map<string, Val>();
  const pending: MxArray[] = [];
  const constOf = (x: MxArray): Val => {
    let v = vals.get(x);
    if (v) return v;
    // equal scalars are one constant (each JS number in an op becomes its own 0-d array)
    const s = scalarValue(x);
    const sk = s === null ? '' : `${x.dtype.name}[${x.shape.join(',')}]=${paramsKey(s)}`;
    if (sk) {
      v = consts.get(sk);
      if (v) { vals.set(x, v); return v; }
    }
    if (!x._data) pending.push(x);
    v = mkVal('const', x);
    if (sk) consts.set(sk, v);
    v.array = x;
    vals.set(x, v);
    return v;
  };
  const cse = new Map<string, GNode>();
  const nodes: GNode[] = [];
  let merged = 0;
  for (const node of order) {
    const ins = node.inputs.map((x) => vals.get(x) ?? constOf(x));
    // a cast to the same dtype is a copy: grad transforms traced inside compile mark their leaves with one (one per
    // parameter in a training step), which would otherwise run as a kernel of its own wherever no chain absorbs it
    if (node.prim === 'astype' && ins[0]!.dtype === node.outputs[0]!.dtype) {
      vals.set(node.outputs[0]!, ins[0]!);
      continue;
    }
    const key = `${node.prim}|${objId(node.stream)}|${paramsKey(node.params)}|${ins.map((v) => v.id).join(',')}`;
    const same = cse.get(key);
    if (same) {
      node.outputs.forEach((o, i) => vals.set(o, same.outs[i]!));
      merged++;
      continue;
    }
    const g: GNode = { prim: node.prim, params: node.params, stream: node.stream, ins, outs: [] };
    g.outs = node.outputs.map((o, i) => {
      const v = mkVal('node', o);
      v.node = g;
      v.out = i;
      vals.set(o, v);
      return v;
    });
    cse.set(key, g);
    nodes.push(g);
  }
  const outs = outputs.map((o) => vals.get(o) ?? constOf(o));
  if (pending.length) materialize(pending);
  return { inputs, nodes, outputs: outs, merged };
}

/**
 * Consumers of each node value, and which values are graph outputs.
 *
 * @example
 * ```ts
 * const { uses, isOut } = consumers(g);
 * ```
 */
export function consumers(g: Graph): { uses: Map<Val, GNode[]>; isOut: Set<Val> } {
  const uses = new Map<Val, GNode[]>();
  for (const n of g.nodes) {
    for (const v of n.ins) {
      let l = uses.get(v);
      if (!l) uses.set(v, (l = []));
      if (!l.includes(n)) l.push(n);
    }
  }
  return { uses, isOut: new Set(g.outputs) };
}
