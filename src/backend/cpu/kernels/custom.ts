/**
 * @file CPU kernels of the graph-structure primitives (`custom`, `depends`): their outputs are views of inputs.
 */
import type { CpuKernelTable } from '../kernel.js';

export const customKernels: CpuKernelTable<'custom' | 'depends'> = {
  custom: (inputs, p) => inputs.slice(p.nPrimals),
  depends: (inputs, p) => inputs.slice(0, p.n),
};
