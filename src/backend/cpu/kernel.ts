/**
 * @file The CPU kernel signature. A kernel gets views of its inputs and returns one view per output: either fresh
 * (`be.alloc`) or a view sharing an input's storage (reshape, transpose, broadcast, slice need no copy).
 */
import type { MxArray } from '../../core/array.js';
import type { PrimitiveName, PrimitiveParams } from '../../core/primitive.js';
import type { CpuView } from './view.js';
import type { CpuBackend } from './index.js';

export type CpuKernel<P extends PrimitiveName> = (
  inputs: CpuView[], params: PrimitiveParams[P], outputs: readonly MxArray[], be: CpuBackend,
) => CpuView[];

/** A family's CPU kernels, keyed by primitive name. */
export type CpuKernelTable<K extends PrimitiveName> = { [N in K]: CpuKernel<N> };
