/**
 * @file CPU kernels of the binary family (being written).
 */
import type { CpuKernelTable } from '../kernel.js';

export const binaryKernels: CpuKernelTable<never> = {};
