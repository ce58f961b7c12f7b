/**
 * @file CPU kernel of `planCall` (a compiled call as one node): its steps, each through its CPU kernel. It runs
 * when the GPU declines a compiled call (a step's GPU kernel refused its node), after the scheduler has brought
 * the inputs to the host.
 */
import type { CpuKernelTable } from '../kernel.js';
import { runSteps, handOver } from '../../../core/primitives/replay.js';

/**
 * The kernel of `planCall`.
 *
 * @example
 * ```ts
 * const cpuKernels = { ...replayCpuKernels, ... };
 * ```
 */
export const replayCpuKernels: CpuKernelTable<'planCall'> = {
  planCall(_xs, p, outs, be) {
    const node = outs[0]!._node!;
    const r = runSteps(p, node.inputs, (n) => { be.run(n); return true; })!;
    const datas = r.outs.map((a) => a._data!);
    const views = r.outs.map((a) => be.view(a._data!, a.dtype, a.shape));
    handOver(datas, () => { for (const a of r.made) a._releaseData(); });
    return views;
  },
};
