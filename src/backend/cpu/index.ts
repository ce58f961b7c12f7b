/**
 * @file The CPU backend: typed-array storage, memory accounting, and dispatch of each node to its kernel in the
 * CPU kernel table (`kernels/index.ts`). Always available; the reference semantics for every other backend.
 */
import type { Dtype } from '../../core/dtype.js';
import type { Node } from '../../core/array.js';
import { Storage, registerBackend, type ArrayData, type Backend, type MemoryStats, type TypedArray } from '../backend.js';
import { sizeOf } from '../../core/shape.js';
import { typedArrayFor, denseView, toArrayData, forEachOffset, type CpuView } from './view.js';
import { cpuKernels } from './kernels/index.js';
import type { CpuKernel } from './kernel.js';
import { residentArray, releaseResident } from './wasm/runtime.js';
import { matmulAsync } from './pool/matmul-async.js';

class CpuBackend implements Backend {
  readonly type = 'cpu' as const;
  #active = 0;
  #peak = 0;
  #limit = Infinity;

  /**
   * Allocates a dense, zero-filled view (throws a clear error past the memory limit). A kernel that writes every
   * element may pass `zero = false` to skip clearing a recycled WASM-resident buffer.
   */
  alloc(dtype: Dtype, shape: readonly number[], zero = true): CpuView {
    const n = sizeOf(shape);
    const bytes = n * dtype.size;
    this.#checkLimit(bytes);
    // large float32/float16/bfloat16 buffers live in the WASM kernels' shared memory: kernels and workers use them in place
    const buf = residentArray(dtype.name, n, zero) ?? typedArrayFor(dtype, n);
    return denseView(this.#wrap(buf, bytes), dtype, shape);
  }

  #checkLimit(bytes: number): void {
    if (this.#active + bytes > this.#limit) {
      throw new Error(
        `[alloc] Out of memory: allocating ${bytes} bytes would exceed the memory limit of ${this.#limit} bytes ` +
          `(${this.#active} in use). Dispose arrays or raise mx.setMemoryLimit.`,
      );
    }
  }

  #wrap(buf: TypedArray, bytes: number): Storage {
    this.#active += bytes;
    if (this.#active > this.#peak) this.#peak = this.#active;
    return new Storage(this, buf, bytes);
  }

  /** A view of an input array's data. */
  view(data: ArrayData, dtype: Dtype, shape: readonly number[]): CpuView {
    return {
      buf: data.storage.handle as TypedArray, storage: data.storage, dtype, shape,
      strides: data.strides, offset: data.offset, contiguous: data.contiguous,
    };
  }

  run(node: Node): void {
    const kernel = cpuKernels[node.prim] as CpuKernel<typeof node.prim>;
    const inputs = node.inputs.map((x) => this.#input(x._data!, x.dtype, x.shape, node.prim));
    const outs = kernel(inputs, node.params as never, node.outputs, this);
    for (let i = 0; i < node.outputs.length; i++) node.outputs[i]!._attach(toArrayData(outs[i]!));
  }

  /**
   * Runs `node` without holding the event loop where its kernel is big enough for the worker pool (a float32
   * matmul today): the workers compute while the returned promise is pending, then the outputs are attached.
   * Returns undefined for every other node (the scheduler calls `run`). Inputs must stay alive until it settles.
   */
  runAsync(node: Node): Promise<void> | undefined {
    if (node.prim !== 'matmul') return undefined;
    for (const x of node.inputs) if (!x._data || x._data.storage.backend !== this) return undefined;
    const [a, b] = node.inputs.map((x) => this.view(x._data!, x.dtype, x.shape));
    const out = node.outputs[0]!;
    const p = matmulAsync(this, a!, b!, out.dtype, out.shape);
    return p?.then((o) => out._attach(toArrayData(o)));
  }

  #input(d: ArrayData, dtype: Dtype, shape: readonly number[], prim: string): CpuView {
    if (d.storage.backend !== this) {
      throw new Error(`[${prim}] Input lives on the ${d.storage.backend.type.toUpperCase()} device; evaluate it there first.`);
    }
    return this.view(d, dtype, shape);
  }

  fromHost(values: TypedArray, dtype: Dtype, shape: readonly number[]): ArrayData {
    this.#checkLimit(values.byteLength);
    return toArrayData(denseView(this.#wrap(values, values.byteLength), dtype, shape));
  }

  async read(data: ArrayData, dtype: Dtype, shape: readonly number[]): Promise<TypedArray> {
    return readSync(this, data, dtype, shape);
  }

  free(s: Storage): void {
    this.#active -= s.nbytes;
    releaseResident(s.handle);
  }

  async synchronize(): Promise<void> {}
  memory(): MemoryStats { return { active: this.#active, peak: this.#peak, cache: 0 }; }
  resetPeak(): void { this.#peak = this.#active; }
  setMemoryLimit(bytes: number): number { const p = this.#limit; this.#limit = bytes; return p; }
  // typed arrays go back to the JS heap, so there is no allocator cache to bound
  setCacheLimit(_bytes: number): number { return 0; }
  clearCache(): void {}
}

/** Dense row-major copy of a view's elements in storage layout. */
export function readSync(be: CpuBackend, data: ArrayData, dtype: Dtype, shape: readonly number[]): TypedArray {
  const v = be.view(data, dtype, shape);
  const n = sizeOf(shape);
  const w = dtype.name === 'complex64' ? 2 : 1;
  if (v.contiguous) return v.buf.slice(v.offset * w, (v.offset + n) * w) as TypedArray;
  const out = typedArrayFor(dtype, n) as Float64Array;
  const src = v.buf as Float64Array;
  forEachOffset(shape, [v.strides], [v.offset], (k, o) => {
    if (w === 1) out[k] = src[o[0]!]!;
    else { out[2 * k] = src[2 * o[0]!]!; out[2 * k + 1] = src[2 * o[0]! + 1]!; }
  });
  return out;
}


/** The process-wide CPU backend. */
export const cpuBackend = new CpuBackend();
export type { CpuBackend };
registerBackend(cpuBackend);
