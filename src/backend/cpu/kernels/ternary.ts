/**
 * @file CPU kernels of the ternary family (being written).
 */
import type { CpuKernelTable } from '../kernel.js';

export const ternaryKernels: CpuKernelTable<never> = {};
