/**
 * @file The CPU kernel table: every primitive's CPU kernel, by name. Typed as a complete mapping, so a primitive
 * without a CPU kernel fails to compile.
 */
import type { PrimitiveName } from '../../../core/primitive.js';
import type { CpuKernel } from '../kernel.js';
import { basicKernels } from './basic.js';
import { unaryKernels } from './unary.js';
import { binaryKernels } from './binary.js';
import { ternaryKernels } from './ternary.js';
import { reduceKernels } from './reduce.js';
import { cumulativeKernels } from './cumulative.js';
import { sortKernels } from './sort.js';
import { layoutKernels } from './layout.js';
import { indexingKernels } from './indexing.js';
import { matmulKernels } from './matmul.js';
import { linalgKernels } from './linalg.js';
import { fftKernels } from './fft.js';
import { creationKernels } from './creation.js';
import { randomKernels } from './random.js';
import { ioKernels } from './io.js';
import { compiledKernels } from './compiled.js';
import { convKernels } from './conv.js';
import { customKernels } from './custom.js';
import { replayCpuKernels } from './replay.js';

export const cpuKernels: { [P in PrimitiveName]: CpuKernel<P> } = {
  ...basicKernels,
  ...unaryKernels,
  ...binaryKernels,
  ...ternaryKernels,
  ...reduceKernels,
  ...cumulativeKernels,
  ...sortKernels,
  ...layoutKernels,
  ...indexingKernels,
  ...matmulKernels,
  ...linalgKernels,
  ...fftKernels,
  ...creationKernels,
  ...randomKernels,
  ...ioKernels,
  ...compiledKernels,
  ...convKernels,
  ...customKernels,
  ...replayCpuKernels,
};
