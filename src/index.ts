/**
 * @file The `mlx-ts` core surface (`import * as mx from 'mlx-ts'`): arrays, dtypes, devices, memory, evaluation
 * and every op family. Sub-namespaces: `mx.linalg`, `mx.fft`, `mx.random`.
 */
import './backend/cpu/index.js';

export { MxArray, isArray, type ArrayLike } from './core/array.js';
export * from './core/dtype.js';
export {
  Device, Stream, cpu, gpu, defaultDevice, setDefaultDevice, defaultStream, newStream, setDefaultStream,
  isAvailable, type StreamOrDevice, type StreamOpt, type DeviceType,
} from './core/device.js';
export {
  tidy, keep, dispose, getActiveMemory, getPeakMemory, resetPeakMemory, getCacheMemory, setMemoryLimit,
  setCacheLimit, clearCache, type Tree,
} from './core/memory.js';
export { evaluate as eval, asyncEval } from './core/eval.js';
export { array, item, tolist, data, bytes, type NestedData, type NestedList, type Scalar, type Complex } from './core/construct.js';
export * from './core/ops/basic.js';
export * from './core/ops/unary.js';
export * from './core/ops/binary.js';
export * from './core/ops/ternary.js';
export * from './core/ops/reduce.js';
export * from './core/ops/cumulative.js';
export * from './core/ops/sort.js';
export * from './core/ops/layout.js';
export * from './core/ops/indexing.js';
export * from './core/ops/matmul.js';
export * from './core/ops/creation.js';
export * from './core/ops/io.js';
export * from './core/ops/conv.js';
export * as linalg from './core/ops/linalg.js';
export * as fft from './core/ops/fft.js';
export * as random from './core/ops/random.js';
export { vjp, jvp, grad, valueAndGrad, type GradOpts } from './core/transforms/autodiff.js';
export { vmap, type AxisSpec } from './core/transforms/vmap.js';
export { treeFlatten, treeUnflatten, treeMap } from './core/tree.js';
export * from './core/transforms/compile.js';
export { customFunction, checkpoint, type CustomFunction } from './core/transforms/custom.js';
export { depends, synchronize } from './core/ops/graph.js';
export { initGpu, shutdown, deviceInfo, type GpuInitOptions, type DeviceInfo } from './backend/webgpu/index.js';
