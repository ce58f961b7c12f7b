/**
 * @file Every GPU kernel, by primitive name. A primitive missing here (or whose kernel declines a node) runs on
 * the CPU kernel through the scheduler; fallbacks.ts states which is which.
 */
import type { GpuKernel } from './kernel.js';
import { elementwiseKernels, withWideKernels } from './elementwise.js';
import { reduceKernels } from './reduce.js';
import { matmulKernels } from './matmul.js';
import { layoutKernels } from './layout.js';
import { indexingKernels } from './indexing.js';
import { creationKernels } from './creation.js';
import { miscKernels } from './misc.js';
import { fusedKernels } from './fused.js';
import { miscExtraKernels } from './misc-extra.js';
import { fftKernels } from './fft.js';
import { scatterNdKernels } from './indexing-scatter-nd.js';
import { sortKernels } from './sort.js';
import { convKernels } from './conv.js';
import { contractKernels } from './contract.js';
import { replayKernels } from '../replay.js';

export const gpuKernels: Record<string, GpuKernel> = {
  ...miscExtraKernels,
  ...sortKernels,
  ...elementwiseKernels, ...reduceKernels, ...matmulKernels,
  ...layoutKernels, ...indexingKernels, ...creationKernels, ...miscKernels, ...withWideKernels(miscKernels), ...fusedKernels,
  ...fftKernels, ...scatterNdKernels, ...convKernels, ...contractKernels, ...replayKernels,
};
