/**
 * @file CPU kernels of the sort family (being written).
 */
import type { CpuKernelTable } from '../kernel.js';

export const sortKernels: CpuKernelTable<never> = {};
