/**
 * @file CPU kernels of the creation family (being written).
 */
import type { CpuKernelTable } from '../kernel.js';

export const creationKernels: CpuKernelTable<never> = {};
