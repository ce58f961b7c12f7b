/**
 * @file GPU kernels: layout family (being written).
 */
import type { GpuKernel } from './kernel.js';

export const layoutKernels: Record<string, GpuKernel> = {};
