/**
 * @file GPU kernels: creation family (being written).
 */
import type { GpuKernel } from './kernel.js';

export const creationKernels: Record<string, GpuKernel> = {};
