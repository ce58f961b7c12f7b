/**
 * @file `mx.compile`: trace a function once per input signature on placeholder inputs, simplify the traced graph
 * (constant folding and CSE in compile-graph.ts, elementwise fusion in compile-fuse.ts) and cache it as a plan
 * (compile-plan.ts) that later calls replay on their own inputs without calling the function again. On the GPU a
 * call is one `planCall` node (compile-call.ts) whose launches the backend records once and then replays.
 */
import { MxArray, bindMulti, graphKept } from '../array.js';
import { defaultStream } from '../device.js';
import { treeFlattenWith } from '../tree.js';
import { forEachArray } from '../memory.js';
import { takeEvalError } from '../primitives/compiled.js';
import { trace } from './graph.js';
import { buildGraph, discardTrace } from './compile-graph.js';
import { fuse } from './compile-fuse.js';
import { toPlan, replay, registerCompiled, type Plan } from './compile-plan.js';
import { planCallable, callPlan, type PlanNode } from './compile-call.js';

type Fn = (...args: any[]) => any;

/** Options of `compile`. */
export interface CompileOpts {
  /**
   * Trace once per dtype and rank instead of per shape: later calls with other shapes reuse the trace. Ops whose
   * params hold shapes (reshape to a fixed shape, ...) then keep the traced shapes, as in MLX.
   */
  shapeless?: boolean;
  /** A tree (JS arrays, objects, class instances) of arrays the function reads besides its arguments. */
  inputs?: unknown;
  /** A tree of arrays the function writes: after each call the new values are written back into it. */
  outputs?: unknown;
}

let enabled = true;

/**
 * Makes compiled functions run their function directly (uncompiled) until `enableCompile()`.
 *
 * @example
 * ```ts
 * mx.disableCompile(); // debug a compiled training step eagerly
 * ```
 */
export function disableCompile(): void { enabled = false; }

/**
 * Turns compilation back on after `disableCompile()`.
 *
 * @example
 * ```ts
 * mx.enableCompile();
 * ```
 */
export function enableCompile(): void { enabled = true; }

function envDisabled(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.MLX_DISABLE_COMPILE !== undefined;
}

const objIds = new WeakMap<object, number>();
let nextObj = 0;

/**
 * Walks call arguments as `treeFlattenWith` does (JS arrays and plain objects are containers), collecting the
 * arrays and spelling the structure, array signatures and other leaves into a cache key.
 */
function argKey(t: unknown, leaves: MxArray[], shapeless: boolean): string {
  if (t instanceof MxArray) {
    leaves.push(t);
    return shapeless ? `${t.dtype.name}:${t.ndim}` : `${t.dtype.name}[${t.shape.join(',')}]`;
  }
  if (Array.isArray(t)) {
    let k = '(';
    for (let i = 0; i < t.length; i++) k += `${argKey(t[i], leaves, shapeless)},`;
    return `${k})`;
  }
  if (t !== null && typeof t === 'object') {
    const p = Object.getPrototypeOf(t);
    if (p === Object.prototype || p === null) {
      let k = '{';
      for (const key of Object.keys(t)) k += `${JSON.stringify(key)}:${argKey((t as Record<string, unknown>)[key], leaves, shapeless)},`;
      return `${k}}`;
    }
  }
  if (t !== null && (typeof t === 'object' || typeof t === 'function')) {
    let id = objIds.get(t);
    if (id === undefined) { id = nextObj++; objIds.set(t, id); }
    return `#${id}`;
  }
  return typeof t === 'string' ? JSON.stringify(t) : `${typeof t}:${String(t)}`;
}

/** Containers of implicit state: any object but an array handle, walked by own enumerable keys. */
function stateContainer(t: unknown): t is Record<string, unknown> {
  return t !== null && typeof t === 'object' && !(t instanceof MxArray) && !ArrayBuffer.isView(t);
}

/** The arrays of a state tree, in a stable order. */
function stateLeaves(t: unknown, out: MxArray[] = [], seen = new Set<unknown>()): MxArray[] {
  if (t instanceof MxArray) { out.push(t); return out; }
  if (!stateContainer(t) || seen.has(t)) return out;
  seen.add(t);
  if (t instanceof Map) { for (const v of t.values()) stateLeaves(v, out, seen); return out; }
  for (const k of Object.keys(t)) stateLeaves(t[k], out, seen);
  return out;
}

/** Writes `vals` over the arrays of a state tree, in `stateLeaves` order. */
function setStateLeaves(t: unknown, vals: readonly MxArray[], pos = { i: 0 }, seen = new Set<unknown>()): void {
  if (!stateContainer(t) || seen.has(t)) return;
  seen.add(t);
  if (t instanceof Map) {
    for (const [k, v] of t) {
      if (v instanceof MxArray) { if (pos.i < vals.length) t.set(k, vals[pos.i++]!); } else setStateLeaves(v, vals, pos, seen);
    }
    return;
  }
  for (const k of Object.keys(t)) {
    const v = t[k];
    if (v instanceof MxArray) { if (pos.i < vals.length) t[k] = vals[pos.i++]!; } else setStateLeaves(v, vals, pos, seen);
  }
}

interface Entry {
  plan: Plan;
  /** The plan as one `planCall` node (GPU plans outside transforms), or null. */
  node: PlanNode | null;
  nOut: number;
  rebuild: (leaves: readonly unknown[]) => unknown;
}

/**
 * Compiles `fn`: the first call with a new input signature (each array's shape and dtype, or dtype and rank when
 * `shapeless`, plus the other arguments' values) traces `fn` on placeholders, simplifies the graph and fuses
 * elementwise chains; later calls with that signature replay the cached graph. `fn` must be pure in its array
 * arguments: it may not read array values (`item`, `tolist`, `mx.eval`) of anything computed from them, and other
 * arrays it reads are captured as constants unless listed in `inputs` (state it replaces goes in `outputs`).
 * Keyless random draws read the global key, which is captured too (the same numbers every call, as in MLX) unless
 * `mx.random.state` is among `inputs` and `outputs`.
 * `MLX_DISABLE_COMPILE` in the environment makes `compile` return `fn` itself. When every step runs on the GPU, a
 * call outside transforms is one node, and from the second call of an input signature on the GPU backend replays
 * the launches it recorded (pipelines, bindings, parameter words) instead of scheduling each step;
 * `MLX_TS_GPU_REPLAY=0` (read when a signature is traced) keeps one node per step.
 *
 * @example
 * ```ts
 * const gelu = mx.compile((x) => x.multiply(0.5).multiply(mx.erf(x.divide(Math.SQRT2)).add(1)));
 * const state = [model, optimizer, mx.random.state];
 * const step = mx.compile(trainStep, { inputs: state, outputs: state });
 * ```
 */
export function compile<F extends Fn>(fn: F, opts: CompileOpts = {}): F {
  if (typeof fn !== 'function') throw new TypeError('[compile] Expected a function.');
  if (envDisabled()) return fn;
  const shapeless = !!opts.shapeless;
  const cache = new Map<string, Entry>();
  const hasIn = opts.inputs !== undefined, hasOut = opts.outputs !== undefined;

  const build = (self: unknown, args: unknown[], leaves: MxArray[], nArg: number): Entry => {
    const stream = defaultStream();
    const phs = leaves.map((x) => bindMulti('compilePlaceholder', [], { shape: [...x.shape], dtype: x.dtype }, stream)[0]!);
    const [, rebuildArgs] = treeFlattenWith(args);
    const callArgs = rebuildArgs(phs.slice(0, nArg)) as unknown[];
    if (hasIn) setStateLeaves(opts.inputs, phs.slice(nArg));
    let out: unknown;
    let stateOut: MxArray[] = [];
    takeEvalError();
    try {
      out = trace(() => fn.apply(self, callArgs));
      const err = takeEvalError();
      if (out instanceof Promise) {
        out.catch(() => undefined);
        throw err ?? new TypeError('[compile] The function returned a Promise: compiled functions must be synchronous.');
      }
      if (err) throw err;
      if (hasOut) stateOut = stateLeaves(opts.outputs);
    } finally {
      if (hasIn) setStateLeaves(opts.inputs, leaves.slice(nArg));
    }
    const [outLeaves, rebuild] = treeFlattenWith(out);
    const listed = new Set(outLeaves);
    forEachArray(out, (a) => {
      if (!listed.has(a)) throw new TypeError('[compile] The function must return arrays, or JS arrays and plain objects of them.');
    });
    const all = [...(outLeaves as MxArray[]), ...stateOut];
    let g = buildGraph(phs, all);
    g = fuse(g, shapeless);
    const plan = toPlan(g, compiled);
    discardTrace(phs, all);
    return { plan, node: shapeless ? null : planCallable(plan, leaves), nOut: outLeaves.length, rebuild };
  };

  const lookup = (self: unknown, args: unknown[]): [Entry, MxArray[]] => {
    const leaves: MxArray[] = [];
    let key = argKey(args, leaves, shapeless);
    const nArg = leaves.length;
    if (hasIn) {
      const st = stateLeaves(opts.inputs);
      for (const x of st) { key += shapeless ? `|${x.dtype.name}:${x.ndim}` : `|${x.dtype.name}[${x.shape.join(',')}]`; leaves.push(x); }
    }
    let e = cache.get(key);
    if (!e) {
      e = build(self, args, leaves, nArg);
      cache.set(key, e);
    }
    return [e, leaves];
  };

  const compiled = function (this: unknown, ...args: unknown[]): unknown {
    if (!enabled) return fn.apply(this, args);
    const [e, leaves] = lookup(this, args);
    // transforms tracing the call must see the steps themselves, so their rules apply
    const res = e.node && !e.node.cache.off && !graphKept() ? callPlan(e.node, leaves) : replay(e.plan, leaves);
    if (hasOut) setStateLeaves(opts.outputs, res.slice(e.nOut));
    return e.rebuild(res.length === e.nOut ? res : res.slice(0, e.nOut));
  };
  registerCompiled(compiled, (args) => lookup(undefined, args)[0].plan);
  return compiled as F;
}
