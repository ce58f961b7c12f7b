/**
 * @file The backend contract. A backend is a connector: it owns buffers (`Storage`), runs one graph node at a time
 * by looking its primitive up in its kernel table, and reads buffers back. Core calls backends only through this.
 */
import type { Dtype } from '../core/dtype.js';
import type { DeviceType } from '../core/device.js';
import type { Node } from '../core/array.js';

/** Any typed array a buffer can be read into. */
export type TypedArray =
  | Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array
  | Float32Array | Float64Array | BigInt64Array | BigUint64Array;

/**
 * One allocation of a backend, shared by every array view of it. `refs` counts the views that hold it; the
 * backend frees it (or returns it to its cache) when that reaches zero.
 */
export class Storage {
  refs = 0;
  constructor(
    readonly backend: Backend,
    /** Backend-specific handle: a typed array on the CPU, a GPUBuffer on WebGPU. */
    readonly handle: unknown,
    readonly nbytes: number,
  ) {}
  retain(): void { this.refs++; }
  release(): void {
    if (--this.refs === 0) this.backend.free(this);
  }
}

/**
 * An array's materialised data: a strided view into a storage. Offsets and strides are in elements of the
 * array's dtype (a complex64 element counts once).
 */
export interface ArrayData {
  storage: Storage;
  offset: number;
  strides: readonly number[];
  /** True when the view is dense, row-major and starts at `offset` (the common fast path). */
  contiguous: boolean;
}

/** Live byte counts a backend keeps for MLX's memory functions. */
export interface MemoryStats {
  active: number;
  peak: number;
  cache: number;
}

export interface Backend {
  readonly type: DeviceType;
  /** Computes every output of `node` and attaches their data. Synchronous: a GPU backend only encodes work. */
  run(node: Node): void;
  /**
   * Inputs of `node` that the scheduler must read back to the host before `run` (optional; by default every input
   * whose data belongs to another backend). Lets a GPU backend take CPU inputs directly and fall back to CPU kernels.
   */
  needsHost?(node: Node): import('../core/array.js').MxArray[];
  /**
   * The most arrays (inputs plus outputs) one generated kernel may bind, when the backend has such a limit (a GPU's
   * storage bindings per shader stage, less the parameter binding). `mx.compile` sizes its fused nodes to fit.
   */
  readonly maxKernelArrays?: number;
  /** Wraps host bytes (already in the dtype's storage layout, row-major) as data of this backend. */
  fromHost(values: TypedArray, dtype: Dtype, shape: readonly number[]): ArrayData;
  /** Reads data back as a dense row-major typed array in the dtype's storage layout. */
  read(data: ArrayData, dtype: Dtype, shape: readonly number[]): Promise<TypedArray>;
  /** Gives a storage back (called by `Storage.release`). */
  free(s: Storage): void;
  /** Waits for all submitted work. */
  synchronize(): Promise<void>;
  memory(): MemoryStats;
  resetPeak(): void;
  setMemoryLimit(bytes: number): number;
  setCacheLimit(bytes: number): number;
  clearCache(): void;
}

const backends = new Map<DeviceType, Backend>();

/** Registers the backend for a device type. */
export function registerBackend(b: Backend): void {
  backends.set(b.type, b);
}

/** The backend for a device type; throws if none is registered. */
export function backendFor(type: DeviceType): Backend {
  const b = backends.get(type);
  if (!b) throw new Error(`No ${type.toUpperCase()} backend is registered.`);
  return b;
}

/** Every registered backend. */
export function allBackends(): Backend[] {
  return [...backends.values()];
}
