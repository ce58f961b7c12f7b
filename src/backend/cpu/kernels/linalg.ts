/**
 * @file CPU kernels of the linalg family (being written).
 */
import type { CpuKernelTable } from '../kernel.js';

export const linalgKernels: CpuKernelTable<never> = {};
