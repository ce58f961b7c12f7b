/**
 * @file GPU kernels: misc family (being written).
 */
import type { GpuKernel } from './kernel.js';

export const miscKernels: Record<string, GpuKernel> = {};
