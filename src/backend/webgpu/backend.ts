/**
 * @file The WebGPU backend: the Backend contract, buffers from the pooled allocator (webgpu/allocator.ts), kernel
 * arguments and uploads, and the visible CPU fallback for primitives without a GPU kernel. It composes the parts
 * that make launches cheap: the parameter arena (webgpu/arena.ts), the pipeline and bind group caches
 * (webgpu/pipelines.ts), and command batching, completion tracking and readback (webgpu/batch.ts).
 *
 * `run` only encodes. Inputs that live on the CPU are uploaded with `writeBuffer` (synchronous); a node that falls
 * back to the CPU needs its GPU inputs read back first, which is asynchronous, so `needsHost` tells the scheduler
 * (core/eval.ts) to do that before calling `run`.
 */
/// <reference types="@webgpu/types" />
import type { Dtype } from '../../core/dtype.js';
import type { MxArray, Node } from '../../core/array.js';
import { rowMajorStrides, sizeOf } from '../../core/shape.js';
import { typedArrayFor } from '../../core/host.js';
import { Storage, type ArrayData, type Backend, type MemoryStats, type TypedArray } from '../backend.js';
import { cpuBackend, readSync } from '../cpu/index.js';
import { BufferPool, type PooledBuffer } from './allocator.js';
import { ARENA_BYTES, SMALL_UPLOAD, type ParamArena, type ParamRef } from './arena.js';
import { Batch } from './batch.js';
import { PipelineCache, type LaunchMemo, type Pipeline } from './pipelines.js';
import { bufferBytes } from './wgsl.js';
import type { GpuKernel } from './kernels/kernel.js';

export { MAX_BATCH } from './batch.js';
export { ParamRef } from './arena.js';
export { newLaunchMemo, sliced, type LaunchMemo } from './pipelines.js';

/** A kernel argument: a buffer plus the strided view of one array in it (offset and strides in elements). */
export interface GpuArg {
  buf: PooledBuffer;
  dtype: Dtype;
  shape: readonly number[];
  strides: readonly number[];
  offset: number;
}

/**
 * Watches what the backend does while a compiled plan runs (webgpu/replay.ts): which buffers it allocates and what
 * it launches. Anything that a replay could not repeat (an upload, a copy, a fallback) calls `fail`.
 */
export interface GpuRecorder {
  alloc(b: PooledBuffer, bytes: number): void;
  launch(code: string, buffers: readonly PooledBuffer[], groups: number): void;
  /** `to` (a new whole buffer) receives a copy of `from`, for a launch that binds `from` twice. */
  copy(from: PooledBuffer, to: PooledBuffer): void;
  fail(why: string): void;
}

/** The WebGPU backend of one device (`mx.initGpu` creates it); kernels receive it as `be`. */
export class WebGpuBackend implements Backend {
  readonly type = 'gpu' as const;
  readonly pool: BufferPool;
  /** Per-dimension workgroup count limit. */
  readonly maxGroups: number;
  readonly maxBinding: number;
  /** Pipelines and bind groups of this device. */
  readonly #pipes: PipelineCache;
  /** The batch being encoded, with completion tracking and readback. */
  readonly #batch: Batch;
  /** The batch's parameter arena (`#batch.arena`, kept here for the per-launch `params`). */
  readonly #arena: ParamArena;
  /** The source of the 4-byte read that `synchronize` uses as a fence. */
  #fenceSrc: PooledBuffer | null = null;
  #temps: PooledBuffer[] = [];
  #error: Error | null = null;
  #lost: string | null = null;
  /**
   * Driver workarounds. `noFastElementwise`: the vec4 contiguous elementwise kernel returns zeros on Chrome's
   * SwiftShader adapter (found by the browser test; the cause is not known yet), so the general kernel runs there.
   */
  readonly quirks = { noFastElementwise: false };
  /** Counts for tests and deviceInfo: dispatches, submissions, pipelines compiled, CPU fallbacks run. */
  readonly stats = { dispatches: 0, submits: 0, pipelines: 0, bindGroups: 0, fallbacks: 0, uploads: 0, readbacks: 0, replays: 0 };
  /** Set while a compiled plan is being recorded (webgpu/replay.ts). */
  recorder: GpuRecorder | null = null;

  /** Storage bindings per shader stage, less the one for launch parameters (see `Backend.maxKernelArrays`). */
  get maxKernelArrays(): number { return this.device.limits.maxStorageBuffersPerShaderStage - 1; }

  constructor(readonly device: GPUDevice, readonly kernels: Partial<Record<string, GpuKernel>>) {
    this.maxGroups = device.limits.maxComputeWorkgroupsPerDimension;
    this.maxBinding = device.limits.maxStorageBufferBindingSize;
    this.pool = new BufferPool(device, device.limits.maxBufferSize);
    // pipelines, buffers (for bind group keys) and arenas draw ids from one counter
    const ids = { next: 0 };
    this.#pipes = new PipelineCache(device, this.stats, ids);
    this.#batch = new Batch(device, this.pool, this.stats, this.maxGroups, ids);
    this.#arena = this.#batch.arena;
    this.pool.onDestroy = () => this.#pipes.groups.clear();
    device.onuncapturederror = (e: GPUUncapturedErrorEvent) => {
      this.#error ??= new Error(`[gpu] WebGPU error: ${e.error.message}`);
    };
    void device.lost.then((info) => { this.#lost = info.message || info.reason || 'unknown reason'; });
  }

  /** Throws if the device is gone or reported an error since the last check. */
  check(op = 'gpu'): void {
    if (this.#lost !== null) throw new Error(`[${op}] The GPU device was lost (${this.#lost}); call mx.initGpu() again.`);
    const e = this.#error;
    if (e) { this.#error = null; throw e; }
  }

  // ---- buffers --------------------------------------------------------------------------------------------

  /** A fresh dense output for `dtype`/`shape` (its storage holds one reference once attached). */
  output(dtype: Dtype, shape: readonly number[]): { data: ArrayData; arg: GpuArg } {
    const n = sizeOf(shape);
    const bytes = bufferBytes(dtype, n);
    const buf = this.pool.alloc(bytes);
    this.recorder?.alloc(buf, bytes);
    const storage = new Storage(this, buf, n * dtype.size);
    const strides = rowMajorStrides(shape);
    return { data: { storage, offset: 0, strides, contiguous: true }, arg: { buf, dtype, shape, strides, offset: 0 } };
  }

  /** A temporary buffer for one kernel launch; given back after the node is encoded. */
  temp(bytes: number): PooledBuffer {
    const b = this.pool.alloc(bytes);
    this.recorder?.alloc(b, bytes);
    this.#temps.push(b);
    return b;
  }

  /** A dense temporary array (e.g. a 32-bit result narrowed afterwards). */
  tempArg(dtype: Dtype, shape: readonly number[]): GpuArg {
    return { buf: this.temp(bufferBytes(dtype, sizeOf(shape))), dtype, shape, strides: rowMajorStrides(shape), offset: 0 };
  }

  /** The kernel argument of an input array; CPU-resident data is uploaded into a temporary. */
  arg(x: MxArray): GpuArg {
    const d = x._data!;
    if (d.storage.backend === this) {
      return { buf: d.storage.handle as PooledBuffer, dtype: x.dtype, shape: x.shape, strides: d.strides, offset: d.offset };
    }
    if (d.storage.backend !== cpuBackend) throw new Error(`[gpu] Cannot read data of the ${d.storage.backend.type} backend.`);
    this.recorder?.fail('host input');
    const host = readSync(cpuBackend, d, x.dtype, x.shape);
    if (host.byteLength <= SMALL_UPLOAD) {
      const align = Math.max(16, x.dtype.size);
      const { arena, offset } = this.#arena.reserve(host.byteLength, align);
      arena.host.set(new Uint8Array(host.buffer, host.byteOffset, host.byteLength), offset);
      this.stats.uploads++;
      return { buf: arena, dtype: x.dtype, shape: x.shape, strides: rowMajorStrides(x.shape), offset: offset / x.dtype.size };
    }
    const buf = this.temp(bufferBytes(x.dtype, x.size));
    this.#write(buf, host);
    return { buf, dtype: x.dtype, shape: x.shape, strides: rowMajorStrides(x.shape), offset: 0 };
  }

  #write(buf: PooledBuffer, host: TypedArray): void {
    if (host.byteLength === 0) return;
    this.#beforeHostWrite(buf);
    this.recorder?.fail('upload');
    this.stats.uploads++;
    let bytes = new Uint8Array(host.buffer, host.byteOffset, host.byteLength);
    // writeBuffer needs a multiple of 4 bytes
    if (bytes.byteLength % 4) { const p = new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4); p.set(bytes); bytes = p; }
    this.device.queue.writeBuffer(buf.buffer, buf.offset, bytes);
  }

  /**
   * A host write lands on the queue before the batch still being encoded, so a reused buffer that batch touches
   * (the pool hands freed buffers out at once) needs that batch submitted first.
   */
  #beforeHostWrite(buf: PooledBuffer): void {
    if (this.#batch.encoder && buf.lastUse >= this.#batch.id) this.#batch.flush();
  }

  /**
   * The i32 parameters (shapes, strides, offsets) of one launch, as a read-only binding. They are appended to the
   * batch's arena and bound with a dynamic offset; the arena is written once when the batch is submitted.
   */
  params(values: readonly number[]): PooledBuffer {
    const align = this.#arena.align;
    const bytes = Math.ceil(Math.max(4, values.length * 4) / align) * align;
    if (bytes > ARENA_BYTES / 4) {
      // unusually long parameter lists get their own buffer
      this.recorder?.fail('long parameters');
      const a = new Int32Array(Math.max(1, values.length));
      a.set(values);
      const b = this.temp(a.byteLength);
      this.#beforeHostWrite(b);
      this.device.queue.writeBuffer(b.buffer, b.offset, a);
      return b;
    }
    return this.#arena.params(values, bytes);
  }

  /** A copy of recorded parameter words (`words.length * 4` bytes, a multiple of the alignment) in the arena. */
  paramWords(words: Int32Array): ParamRef {
    return this.#arena.words(words);
  }

  /** The words of a parameter slice as written so far (the arena's host image keeps them until it is reused). */
  paramsOf(p: ParamRef): Int32Array {
    return new Int32Array(p.arena.host.buffer.slice(p.offset, p.offset + p.size));
  }

  // ---- encoding -------------------------------------------------------------------------------------------

  /**
   * Slab slots bind read-write, and WebGPU rejects two writable bindings of overlapping ranges, so a slot bound
   * twice in one launch (`x * x`) is copied to a fresh slot for its second binding.
   */
  #unalias(buffers: readonly PooledBuffer[]): readonly PooledBuffer[] {
    let out: PooledBuffer[] | null = null;
    for (let j = 1; j < buffers.length; j++) {
      const b = buffers[j]!;
      if (!b.slab) continue;
      for (let i = 0; i < j; i++) {
        const a = buffers[i]!;
        if (a.buffer !== b.buffer || a.offset !== b.offset) continue;
        // a standalone buffer: copyBufferToBuffer cannot copy within one buffer
        const copy = this.pool.alloc(b.size, true);
        this.recorder?.copy(b, copy);
        this.#temps.push(copy);
        this.copyBuffer(b, copy);
        (out ??= [...buffers])[j] = copy;
        break;
      }
    }
    return out ?? buffers;
  }

  /** Encodes a copy of `bytes` of allocation `from` into `to`, between launches. */
  copyBuffer(from: PooledBuffer, to: PooledBuffer, bytes = from.size): void {
    this.#batch.copy(from, to, bytes);
  }

  /**
   * Encodes one launch of a WGSL compute shader (entry point `main`) over `groups` workgroups (split over x and y
   * past the per-dimension limit). Binding i of group 0 is `buffers[i]`.
   */
  dispatch(code: string, buffers: readonly PooledBuffer[], groups: number): void {
    if (groups === 0) return;
    buffers = this.#unalias(buffers);
    this.recorder?.launch(code, buffers, groups);
    const p = this.#pipes.pipeline(code, buffers);
    this.#batch.encode(p, this.#pipes.bindGroup(p, buffers), buffers, groups);
  }

  /**
   * `dispatch` for a launch replayed from a recording (webgpu/replay.ts), whose bindings never alias. Its memo keeps
   * the pipeline and the bind group of the buffers it bound last, so a replay that binds the same buffers again
   * skips both lookups.
   */
  dispatchMemo(code: string, buffers: readonly PooledBuffer[], groups: number, m: LaunchMemo): void {
    const bg = this.#pipes.memo(code, buffers, m);
    this.#batch.encode(m.pipe as Pipeline, bg, buffers, groups);
  }

  /** Submits the encoded work; buffers it used become reusable when the GPU reports it done. */
  flush(): void {
    this.#batch.flush();
  }

  #releaseTemps(): void {
    for (const b of this.#temps) this.pool.free(b);
    this.#temps = [];
  }

  // ---- Backend contract -----------------------------------------------------------------------------------

  #kernel(node: Node): GpuKernel | null {
    const k = this.kernels[node.prim];
    if (!k) return null;
    for (const x of node.inputs) if (x.nbytes > this.maxBinding) return null;
    for (const o of node.outputs) if (o.nbytes > this.maxBinding) return null;
    return k.ok(node) ? k : null;
  }

  /**
   * Runs one node's GPU kernel now, outside the scheduler (compiled plans run their steps this way): false, with
   * nothing done, when the kernel declines it.
   */
  runStep(node: Node): boolean {
    const k = this.#kernel(node);
    if (!k) return false;
    try {
      const outs = k.run(node, this);
      for (let i = 0; i < node.outputs.length; i++) node.outputs[i]!._attach(outs[i]!);
    } finally {
      this.#releaseTemps();
    }
    return true;
  }

  /** A dense GPU copy of `x` at offset 0 (an upload for host data, a copying kernel for a strided GPU view). */
  denseCopy(x: MxArray): ArrayData {
    const d = x._data!;
    if (d.storage.backend !== this) {
      const host = readSync(cpuBackend, d, x.dtype, x.shape);
      const { data, arg } = this.output(x.dtype, x.shape);
      this.#write(arg.buf, host);
      return data;
    }
    try {
      return this.kernels['astype']!.dense!(this, this.arg(x));
    } finally {
      this.#releaseTemps();
    }
  }

  /** Inputs that must be read back to the host before `run`: the GPU inputs of a node that falls back. */
  needsHost(node: Node): MxArray[] {
    if (this.#kernel(node)) return [];
    return node.inputs.filter((x) => x._data && x._data.storage.backend !== cpuBackend);
  }

  run(node: Node): void {
    this.check(node.prim);
    const k = this.#kernel(node);
    if (!k) { this.#fallback(node); return; }
    try {
      const outs = k.run(node, this);
      for (let i = 0; i < node.outputs.length; i++) node.outputs[i]!._attach(outs[i]!);
    } finally {
      this.#releaseTemps();
    }
  }

  /** Runs the CPU kernel (inputs are on the host: the scheduler read them back) and uploads its outputs. */
  #fallback(node: Node): void {
    this.recorder?.fail('fallback');
    this.stats.fallbacks++;
    cpuBackend.run(node);
    for (const o of node.outputs) {
      const d = o._data!;
      const host = readSync(cpuBackend, d, o.dtype, o.shape);
      const up = this.fromHost(host, o.dtype, o.shape);
      o._releaseData();
      o._attach(up);
    }
  }

  fromHost(values: TypedArray, dtype: Dtype, shape: readonly number[]): ArrayData {
    this.check('array');
    // scalars (weak JS numbers above all) stay on the host: a kernel that reads one copies it into the batch's arena,
    // which is far cheaper than a buffer and a writeBuffer per constant
    if (sizeOf(shape) === 1) return cpuBackend.fromHost(values, dtype, shape);
    const n = sizeOf(shape);
    const buf = this.pool.alloc(bufferBytes(dtype, n));
    this.#write(buf, values);
    return { storage: new Storage(this, buf, n * dtype.size), offset: 0, strides: rowMajorStrides(shape), contiguous: true };
  }

  async read(data: ArrayData, dtype: Dtype, shape: readonly number[]): Promise<TypedArray> {
    this.check('read');
    const n = sizeOf(shape);
    const out = typedArrayFor(dtype, n);
    if (n === 0) return out;
    let src = data;
    let copy: ArrayData | null = null;
    if (!data.contiguous) {
      // make a dense copy on the GPU with the identity cast
      const k = this.kernels['astype']!;
      copy = k.dense!(this, { buf: data.storage.handle as PooledBuffer, dtype, shape, strides: data.strides, offset: data.offset });
      this.#releaseTemps();
      src = copy;
    }
    const start = src.offset * dtype.size, end = start + out.byteLength;
    const s4 = Math.floor(start / 4) * 4, e4 = Math.ceil(end / 4) * 4;
    const pb = src.storage.handle as PooledBuffer;
    pb.lastUse = this.#batch.id;
    const pending = this.#batch.readBytes(pb.buffer, pb.offset + s4, e4 - s4);
    if (copy) { copy.storage.retain(); copy.storage.release(); }
    this.stats.readbacks++;
    const bytes = await pending;
    new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(bytes.subarray(start - s4, end - s4));
    this.check('read');
    return out;
  }

  free(s: Storage): void {
    if (this.#lost !== null) return;
    this.pool.free(s.handle as PooledBuffer);
  }

  async synchronize(): Promise<void> {
    if (this.#lost !== null) return;
    const batch = this.#batch;
    batch.limit = 1;
    if (batch.encoder || batch.id - 1 > this.pool.completed) {
      // a fence already in flight after the last submission serves this call too: a loop of asyncEval calls
      // otherwise put one readback per call behind the same work
      if (!batch.encoder && this.#fence && this.#fence.after >= batch.id - 1) await this.#fence.done;
      else {
        // a 4-byte read is the fence: it completes after everything submitted before it
        this.#fenceSrc ??= this.pool.alloc(4);
        this.#fenceSrc.lastUse = batch.id;
        const fence = { after: batch.id, done: batch.readBytes(this.#fenceSrc.buffer, this.#fenceSrc.offset, 4).then(() => undefined) };
        this.#fence = fence;
        try { await fence.done; } finally { if (this.#fence === fence) this.#fence = null; }
      }
    }
    this.check('synchronize');
  }

  /** The fence read in flight, and the last batch it waits for. */
  #fence: { after: number; done: Promise<void> } | null = null;

  memory(): MemoryStats { return { active: this.pool.active, peak: this.pool.peak, cache: this.pool.cache }; }
  resetPeak(): void { this.pool.peak = this.pool.active; }
  setMemoryLimit(bytes: number): number { const p = this.pool.memoryLimit; this.pool.memoryLimit = bytes; return p; }
  setCacheLimit(bytes: number): number { return this.pool.setCacheLimit(bytes); }
  clearCache(): void { this.pool.clear(); }

  /** Releases every buffer and the device (mx.shutdown). */
  destroy(): void {
    try { this.flush(); } catch { /* the device may already be lost */ }
    if (this.#fenceSrc) { this.pool.free(this.#fenceSrc); this.#fenceSrc = null; }
    this.pool.destroyAll();
    this.#lost = 'the GPU was shut down with mx.shutdown()';
    this.device.destroy();
  }
}
