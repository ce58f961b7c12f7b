/**
 * @file CPU kernels of the random family (being written).
 */
import type { CpuKernelTable } from '../kernel.js';

export const randomKernels: CpuKernelTable<never> = {};
