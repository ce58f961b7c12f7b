/**
 * @file CPU kernels of the layout family (being written).
 */
import type { CpuKernelTable } from '../kernel.js';

export const layoutKernels: CpuKernelTable<never> = {};
