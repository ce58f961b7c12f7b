/**
 * @file CPU kernels of the primitives `mx.compile` builds: the placeholder (which refuses to run) and the fused
 * elementwise chain, which runs its generated row function (compiled-codegen.ts) under the shared strided loop, so
 * dense inputs take one row and broadcast or strided ones an odometer over merged dimensions; and the chain with a
 * reduction or softmax epilogue (compiled-reduce.ts).
 */
import type { CpuKernelTable } from '../kernel.js';
import type { TypedArray } from '../../backend.js';
import { placeholderEvaluated } from '../../../core/primitives/compiled.js';
import { stridedLoop } from './elementwise-loop.js';
import { fusedRow } from './compiled-codegen.js';
import { fusedNormCpu, fusedReduceCpu, fusedSoftmaxCpu } from './compiled-reduce.js';

/**
 * Kernels of `compilePlaceholder`, `fusedElementwise` and the chains with epilogues (`fusedReduce`,
 * `fusedSoftmax`, `fusedNorm`).
 *
 * @example
 * ```ts
 * const cpuKernels = { ...compiledKernels, ... };
 * ```
 */
export const compiledKernels: CpuKernelTable<'compilePlaceholder' | 'fusedElementwise' | 'fusedReduce' | 'fusedSoftmax' | 'fusedNorm'> = {
  compilePlaceholder() {
    return placeholderEvaluated();
  },
  fusedElementwise(xs, p, outs, be) {
    // every element is written, so a recycled buffer need not be cleared first
    const views = outs.map((o) => be.alloc(o.dtype, o.shape, false));
    if (outs[0]!.size === 0) return views;
    const row = fusedRow(p);
    const B: TypedArray[] = xs.map((x) => x.buf), O: TypedArray[] = views.map((v) => v.buf);
    stridedLoop(xs, outs[0]!.shape, (n, offs, steps, io) => row(B, O, n, offs, steps, io));
    return views;
  },
  fusedReduce(xs, p, [out], be) {
    return [fusedReduceCpu(xs, p, out!, be)];
  },
  fusedSoftmax(xs, p, [out], be) {
    return [fusedSoftmaxCpu(xs, p, out!, be)];
  },
  fusedNorm(xs, p, [out], be) {
    return [fusedNormCpu(xs, p, out!, be)];
  },
};
