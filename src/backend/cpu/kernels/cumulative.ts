/**
 * @file CPU kernels of the cumulative family (being written).
 */
import type { CpuKernelTable } from '../kernel.js';

export const cumulativeKernels: CpuKernelTable<never> = {};
