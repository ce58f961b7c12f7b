/**
 * @file The GPU kernel contract. `ok` says whether the kernel handles a node (dtypes, params); when it does not,
 * the node runs on the CPU kernel instead (the scheduler reads its inputs back first). `run` encodes the work and
 * returns one data record per output.
 */
import type { Node } from '../../../core/array.js';
import type { ArrayData } from '../../backend.js';
import type { GpuArg, WebGpuBackend } from '../backend.js';

export interface GpuKernel {
  ok(node: Node): boolean;
  run(node: Node, be: WebGpuBackend): ArrayData[];
  /** Only on `astype`: a dense copy of a strided view in the same dtype (used by readback). */
  dense?(be: WebGpuBackend, x: GpuArg): ArrayData;
}
