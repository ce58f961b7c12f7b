/**
 * @file The GPU kernels of issue 5, gathered for the kernel table: scans (scan.ts) and the small ops
 * (misc-extra-*.ts).
 */
import type { GpuKernel } from './kernel.js';
import { scanKernels } from './scan.js';

/** Scan and small-op GPU kernels, by primitive name. */
export const miscExtraKernels: Record<string, GpuKernel> = { ...scanKernels };
