/**
 * @file GPU kernels: indexing family (being written).
 */
import type { GpuKernel } from './kernel.js';

export const indexingKernels: Record<string, GpuKernel> = {};
