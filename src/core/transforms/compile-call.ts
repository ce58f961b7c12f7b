/**
 * @file A compiled call as one `planCall` node (core/primitives/replay.ts), for plans whose steps all run on the
 * GPU: the GPU backend then runs the steps itself and replays a recording of them on later calls
 * (backend/webgpu/replay.ts). `MLX_TS_GPU_REPLAY=0` keeps one node per step, for comparison.
 */
import { bindMulti, type MxArray } from '../array.js';
import type { Stream } from '../device.js';
import { planConstants, type Plan } from './compile-plan.js';
import { slotSpecs, type PlanCache, type PlanCallParams } from '../primitives/replay.js';

/** What a compiled signature needs to call its plan as one node. */
export interface PlanNode {
  params: PlanCallParams;
  cache: PlanCache;
  stream: Stream;
  /** Node output index of each output slot. */
  index: Map<number, number>;
}

function replayOff(): boolean {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.MLX_TS_GPU_REPLAY === '0';
}

/**
 * @internal The one-node form of `plan` (traced on `leaves`), or null when the plan should run step by step: a
 * step on another device, no step at all, or replay switched off.
 *
 * @example
 * ```ts
 * const node = planCallable(plan, leaves);
 * ```
 */
export function planCallable(plan: Plan, leaves: readonly MxArray[]): PlanNode | null {
  if (replayOff() || plan.steps.length === 0) return null;
  if (!plan.steps.every((s) => s.stream.device.type === 'gpu')) return null;
  const nStart = plan.nIn + plan.consts.length;
  const outSlots: number[] = [];
  const index = new Map<number, number>();
  for (const s of plan.outs) {
    if (s < nStart || index.has(s)) continue;
    index.set(s, outSlots.length);
    outSlots.push(s);
  }
  if (!outSlots.length) return null;
  const specs = slotSpecs(plan, [...leaves, ...planConstants(plan)]);
  const cache: PlanCache = { recs: new Map(), off: false };
  return { params: { plan, outSlots, specs: outSlots.map((s) => specs[s]!), cache }, cache, stream: plan.steps[0]!.stream, index };
}

/**
 * @internal Calls a plan as one node on `inputs`: the plan's outputs (inputs and constants it returns as they are).
 *
 * @example
 * ```ts
 * const outs = callPlan(node, leaves);
 * ```
 */
export function callPlan(pn: PlanNode, inputs: readonly MxArray[]): MxArray[] {
  const start = [...inputs, ...planConstants(pn.params.plan)];
  const outs = bindMulti('planCall', start, pn.params, pn.stream);
  return pn.params.plan.outs.map((s) => (s < start.length ? start[s]! : outs[pn.index.get(s)!]!));
}
