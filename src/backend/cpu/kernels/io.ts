/**
 * @file CPU kernels of the io family (being written).
 */
import type { CpuKernelTable } from '../kernel.js';

export const ioKernels: CpuKernelTable<never> = {};
