/**
 * @file A compiled graph as a replayable plan: numbered value slots (inputs, captured constants, step outputs)
 * and a list of steps. Replaying binds each step's primitive to the slot values (the same `bindMulti` an op
 * ends in, without the op's argument checks), so a cached compile costs one node construction per step.
 */
import { MxArray, bindMulti } from '../array.js';
import type { Dtype } from '../dtype.js';
import type { Stream } from '../device.js';
import type { PrimitiveName } from '../primitive.js';
import type { ArrayData } from '../../backend/backend.js';
import type { GNode, Graph, Val } from './compile-graph.js';

/** One step: a primitive on slot values, writing its outputs to slots. */
export interface Step {
  prim: PrimitiveName;
  params: unknown;
  stream: Stream;
  ins: number[];
  outs: number[];
}

/** A constant the plan captured: its data (retained by the plan) and a handle, remade if it gets disposed. */
interface Capture {
  data: ArrayData;
  shape: readonly number[];
  dtype: Dtype;
  handle: MxArray | null;
}

/** A replayable compiled graph. */
export interface Plan {
  nIn: number;
  consts: Capture[];
  steps: Step[];
  outs: number[];
  nSlots: number;
  /** CSE merges made while building (for inspection). */
  merged: number;
}

const released = new FinalizationRegistry<ArrayData[]>((ds) => { for (const d of ds) d.storage.release(); });

/**
 * Numbers the values of `g` and lists its steps. `owner` is what keeps the plan alive (its captures die with it).
 *
 * @example
 * ```ts
 * const plan = toPlan(fuse(buildGraph(phs, outs), false), compiledFn);
 * ```
 */
export function toPlan(g: Graph, owner: object): Plan {
  const slot = new Map<Val, number>();
  g.inputs.forEach((v, i) => slot.set(v, i));
  const nIn = g.inputs.length;
  const consts: Capture[] = [];
  let next = nIn;
  const slotOf = (v: Val): number => {
    let s = slot.get(v);
    if (s !== undefined) return s;
    if (v.kind !== 'const') throw new Error('[compile] Internal error: a value is used before it is computed.');
    const a = v.array!;
    a._check('compile');
    consts.push({ data: a._data!, shape: a.shape, dtype: a.dtype, handle: null });
    s = next++;
    slot.set(v, s);
    return s;
  };
  // constants get the slots right after the inputs
  const constVals = new Set<Val>();
  for (const n of g.nodes) for (const v of n.ins) if (v.kind === 'const') constVals.add(v);
  for (const v of g.outputs) if (v.kind === 'const') constVals.add(v);
  for (const v of constVals) slotOf(v);
  const steps = g.nodes.map((n: GNode) => {
    const ins = n.ins.map(slotOf);
    const outs = n.outs.map((v) => { const s = next++; slot.set(v, s); return s; });
    return { prim: n.prim, params: n.params, stream: n.stream, ins, outs };
  });
  const outs = g.outputs.map(slotOf);
  const datas = consts.map((c) => c.data);
  for (const d of datas) d.storage.retain();
  if (datas.length) released.register(owner, datas);
  return { nIn, consts, steps, outs, nSlots: next, merged: g.merged };
}

function constant(c: Capture): MxArray {
  let h = c.handle;
  if (!h || h._disposed || !h._data) {
    h = new MxArray(c.shape, c.dtype, null);
    h._attach(c.data);
    c.handle = h;
  }
  return h;
}

/**
 * Runs a plan on new inputs (same count, dtypes and, unless shapeless, shapes as the trace): its output arrays.
 *
 * @example
 * ```ts
 * const [y] = replay(plan, [x]); // pending, like any op's result
 * ```
 */
export function replay(plan: Plan, inputs: readonly MxArray[]): MxArray[] {
  const start = new Array<MxArray>(plan.nIn + plan.consts.length);
  for (let i = 0; i < plan.nIn; i++) start[i] = inputs[i]!;
  const cs = plan.consts;
  for (let i = 0; i < cs.length; i++) start[plan.nIn + i] = constant(cs[i]!);
  return replaySlots(plan, start, plan.outs);
}

/**
 * @internal The constants of a plan as arrays (remade where a handle was disposed), in slot order after the inputs.
 *
 * @example
 * ```ts
 * const vals = [...inputs, ...planConstants(plan)];
 * ```
 */
export function planConstants(plan: Plan): MxArray[] {
  return plan.consts.map(constant);
}

/**
 * @internal Binds a plan's steps on `start` (the inputs, then the constants) and returns the values of `slots`.
 *
 * @example
 * ```ts
 * const outs = replaySlots(plan, [...inputs, ...planConstants(plan)], plan.outs);
 * ```
 */
export function replaySlots(plan: Plan, start: readonly MxArray[], slots: readonly number[]): MxArray[] {
  const vals = new Array<MxArray>(plan.nSlots);
  for (let i = 0; i < start.length; i++) vals[i] = start[i]!;
  const steps = plan.steps;
  for (let k = 0; k < steps.length; k++) {
    const s = steps[k]!;
    const ins = new Array<MxArray>(s.ins.length);
    for (let j = 0; j < ins.length; j++) ins[j] = vals[s.ins[j]!]!;
    const r = bindMulti(s.prim, ins, s.params as never, s.stream);
    for (let j = 0; j < s.outs.length; j++) vals[s.outs[j]!] = r[j]!;
  }
  const out = new Array<MxArray>(slots.length);
  for (let i = 0; i < out.length; i++) out[i] = vals[slots[i]!]!;
  return out;
}

/** What a plan does, for tests and debugging: the primitive of each step and the number of constants. */
export interface PlanSummary {
  steps: string[];
  constants: number;
  inputs: number;
  /** Traced nodes that CSE merged into others. */
  merged: number;
  /** For each fused step (elementwise chain, or chain with a reduction/softmax/norm epilogue), the primitives of its chains. */
  fused: string[][];
  /** For each fused step (same order as `fused`), how many array inputs and outputs it binds. */
  fusedIo: { ins: number; outs: number }[];
}

/**
 * @internal The summary of a plan.
 *
 * @example
 * ```ts
 * summarize(plan).steps; // ['fusedElementwise']
 * ```
 */
export function summarize(plan: Plan): PlanSummary {
  return {
    steps: plan.steps.map((s) => s.prim),
    constants: plan.consts.length,
    inputs: plan.nIn,
    merged: plan.merged,
    fused: plan.steps.flatMap((s) => {
      const chain = fusedChains(s);
      return chain ? [chain.flatMap((c) => c.ops.map((o) => o.prim))] : [];
    }),
    fusedIo: plan.steps.filter((s) => fusedChains(s)).map((s) => ({ ins: s.ins.length, outs: s.outs.length })),
  };
}

type OpList = { ops: { prim: string }[] };

/** The elementwise chains a fused step runs (its epilogue excluded), or null for another step. */
function fusedChains(s: Step): OpList[] | null {
  const p = s.params as { chain?: OpList; post?: OpList; stat?: { chain: OpList; post?: OpList }; then?: OpList };
  switch (s.prim) {
    case 'fusedElementwise': return [s.params as OpList];
    case 'fusedReduce': return [p.chain!, ...(p.post ? [p.post] : [])];
    case 'fusedSoftmax': return [p.chain!];
    case 'fusedNorm': return [p.stat!.chain, ...(p.stat!.post ? [p.stat!.post] : []), p.then!];
    default: return null;
  }
}

const compiledFns = new WeakMap<object, (args: unknown[]) => Plan>();

/**
 * @internal Lets `compiledPlan` find the plan of a compiled function for some arguments.
 *
 * @example
 * ```ts
 * registerCompiled(compiled, (args) => lookup(args).plan);
 * ```
 */
export function registerCompiled(fn: object, planFor: (args: unknown[]) => Plan): void {
  compiledFns.set(fn, planFor);
}

/**
 * @internal What a compiled function's plan for these arguments does (tracing it if needed): its steps, fused
 * chains, captured constants and CSE merges. Not part of the public surface; tests import it from here.
 *
 * @example
 * ```ts
 * compiledPlan(mx.compile(f), x).steps; // ['fusedElementwise', 'matmul', ...]
 * ```
 */
export function compiledPlan(compiled: object, ...args: unknown[]): PlanSummary {
  const get = compiledFns.get(compiled);
  if (!get) throw new TypeError('[compiledPlan] Not a compiled function.');
  return summarize(get(args));
}
