/**
 * @file CPU kernels of the reduce family (being written).
 */
import type { CpuKernelTable } from '../kernel.js';

export const reduceKernels: CpuKernelTable<never> = {};
