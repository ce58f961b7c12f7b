/**
 * @file `planCall`: a whole compiled call as one node. `mx.compile` builds it (outside transforms, for plans whose
 * steps all run on the GPU) so that the GPU backend can run the steps itself and, from the second call of an
 * input signature on, replay what it recorded (webgpu/replay.ts) instead of scheduling and encoding each step.
 * Its rules expand the plan into its steps, so transforms see the same graph as the per-step path.
 */
import { MxArray, Node } from '../array.js';
import { definePrimitives, primitiveDef, type OutSpec } from '../primitive.js';
import { isInexact } from '../dtype.js';
import type { ArrayData } from '../../backend/backend.js';
import { replaySlots, type Plan } from '../transforms/compile-plan.js';
import { vjp, jvp } from '../transforms/autodiff.js';
import { vmap } from '../transforms/vmap.js';
import { zerosLike } from '../ops/creation.js';

/**
 * What a backend keeps for one plan: recordings by input signature (opaque to core) and `off`, set when the plan
 * cannot be recorded or a step declined the GPU (the compiled function then goes back to one node per step).
 */
export interface PlanCache {
  recs: Map<string, unknown>;
  off: boolean;
  /** Backend data kept with the plan (the GPU's dense copies of strided or host-resident constants). */
  held?: unknown;
}

/** Params of `planCall`: the plan, which step slots the node outputs, their shapes and dtypes, and the cache. */
export interface PlanCallParams {
  plan: Plan;
  /** Slots (step outputs, each once) that are the node's outputs. */
  outSlots: number[];
  specs: OutSpec[];
  cache: PlanCache;
}

declare module '../primitive.js' {
  interface PrimitiveParams {
    /** A compiled plan run as one node on its inputs followed by its captured constants. */
    planCall: PlanCallParams;
  }
}

/**
 * @internal Shapes and dtypes of every slot of a plan, from its steps' output rules (for the node's output specs).
 *
 * @example
 * ```ts
 * const specs = slotSpecs(plan, [...inputs, ...constants]);
 * ```
 */
export function slotSpecs(plan: Plan, start: readonly MxArray[]): OutSpec[] {
  const specs = new Array<OutSpec>(plan.nSlots);
  const vals = new Array<MxArray>(plan.nSlots);
  start.forEach((x, i) => { vals[i] = x; specs[i] = { shape: [...x.shape], dtype: x.dtype }; });
  for (const s of plan.steps) {
    const outs = primitiveDef(s.prim).outputs(s.ins.map((i) => vals[i]!), s.params as never);
    outs.forEach((o, j) => {
      specs[s.outs[j]!] = o;
      vals[s.outs[j]!] = new MxArray(o.shape, o.dtype, null);
    });
  }
  return specs;
}

/**
 * @internal Runs a plan's steps as detached nodes on `start` (materialised inputs then constants), each through
 * `run` (a backend running one node now; false when it cannot). Returns the output arrays and every array it made,
 * or null (after releasing what it made) when a step could not run.
 *
 * @example
 * ```ts
 * const r = runSteps(params, inputs, (n) => be.runStep(n));
 * ```
 */
export function runSteps(p: PlanCallParams, start: readonly MxArray[], run: (n: Node) => boolean): { outs: MxArray[]; made: MxArray[] } | null {
  const plan = p.plan;
  const vals = new Array<MxArray>(plan.nSlots);
  for (let i = 0; i < start.length; i++) vals[i] = start[i]!;
  const made: MxArray[] = [];
  for (const s of plan.steps) {
    const ins = s.ins.map((i) => vals[i]!);
    const specs = primitiveDef(s.prim).outputs(ins, s.params as never);
    const n = new Node(s.prim, s.params, ins, s.stream);
    specs.forEach((o, j) => {
      const a = new MxArray(o.shape, o.dtype, n, j);
      n.outputs.push(a);
      made.push(a);
      vals[s.outs[j]!] = a;
    });
    let ok = false;
    try {
      ok = run(n);
    } finally {
      if (!ok) for (const a of made) a._releaseData();
    }
    if (!ok) return null;
  }
  return { outs: p.outSlots.map((s) => vals[s]!), made };
}

/**
 * @internal Runs `release` (which drops the references of temporary handles) while keeping the storages of `outs`
 * alive for the outer node, which attaches them right after its kernel returns.
 *
 * @example
 * ```ts
 * handOver(datas, () => { for (const a of made) a._releaseData(); });
 * ```
 */
export function handOver(outs: readonly ArrayData[], release: () => void): void {
  for (const d of outs) d.storage.retain();
  release();
  // the attach that follows takes these references back; a plain decrement, since the storage must not be freed
  for (const d of outs) d.storage.refs--;
}

/** The node's function of its inputs through the per-step graph (for the transform rules). */
function expand(p: PlanCallParams, xs: readonly MxArray[]): MxArray[] {
  return replaySlots(p.plan, xs, p.outSlots);
}

definePrimitives({
  planCall: {
    outputs: (_xs, p) => p.specs,
    // the steps' own rules; the captured constants (after the inputs) get no cotangent
    vjp: (primals, cts, _o, p) => {
      const nIn = p.plan.nIn, consts = primals.slice(nIn);
      const [, g] = vjp((...xs: MxArray[]) => expand(p, [...xs, ...consts]), primals.slice(0, nIn), cts);
      return primals.map((x, i) => (i < nIn && isInexact(x.dtype) ? g[i]! : null));
    },
    jvp: (primals, tangents, _o, p) => {
      const ts = tangents.map((t, i) => t ?? zerosLike(primals[i]!));
      return jvp((...xs: MxArray[]) => expand(p, xs), primals, ts)[1];
    },
    vmap: (xs, axes, p) => {
      const outs = vmap((...ys: MxArray[]) => expand(p, ys), axes.map((a) => a ?? null), 0)(...xs) as MxArray[];
      return [outs, outs.map(() => 0)];
    },
  },
});
