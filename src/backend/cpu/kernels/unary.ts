/**
 * @file CPU kernels of the unary family (being written).
 */
import type { CpuKernelTable } from '../kernel.js';

export const unaryKernels: CpuKernelTable<never> = {};
