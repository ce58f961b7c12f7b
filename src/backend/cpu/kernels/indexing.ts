/**
 * @file CPU kernels of the indexing family (being written).
 */
import type { CpuKernelTable } from '../kernel.js';

export const indexingKernels: CpuKernelTable<never> = {};
