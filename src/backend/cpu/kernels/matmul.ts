/**
 * @file CPU kernels of the matmul family (being written).
 */
import type { CpuKernelTable } from '../kernel.js';

export const matmulKernels: CpuKernelTable<never> = {};
