/**
 * @file Compiled-graph kernels (being written).
 */
import type { CpuKernelTable } from '../kernel.js';

export const compiledKernels: CpuKernelTable<never> = {};
