/**
 * @file The GPU kernels of issue 5, gathered for the kernel table: scans (scan.ts), closeness tests and divmod
 * (misc-extra-close.ts), trace/norm/cross (misc-extra-linalg.ts), and view plus the pass-through graph primitives
 * custom/depends (misc-extra-view.ts).
 */
import type { GpuKernel } from './kernel.js';
import { scanKernels } from './scan.js';
import { closeKernels } from './misc-extra-close.js';
import { linalgExtraKernels } from './misc-extra-linalg.js';
import { viewKernels } from './misc-extra-view.js';

/** Scan and small-op GPU kernels, by primitive name. */
export const miscExtraKernels: Record<string, GpuKernel> = {
  ...scanKernels, ...closeKernels, ...linalgExtraKernels, ...viewKernels,
};
