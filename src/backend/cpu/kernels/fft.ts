/**
 * @file CPU kernels of the fft family (being written).
 */
import type { CpuKernelTable } from '../kernel.js';

export const fftKernels: CpuKernelTable<never> = {};
