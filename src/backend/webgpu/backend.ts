/**
 * @file The WebGPU backend: buffers from the pooled allocator, command batching (many dispatches per compute pass,
 * submitted at a sync point or every `MAX_BATCH` dispatches), a pipeline cache keyed by WGSL source, readback
 * through a staging buffer, and the visible CPU fallback for primitives without a GPU kernel.
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
import { bufferBytes, grid } from './wgsl.js';
import type { GpuKernel } from './kernels/kernel.js';

const MAP_READ = 0x01, COPY_DST = 0x08, MAP_MODE_READ = 0x01;

/**
 * Dispatches encoded before a batch is submitted without waiting for a sync point (the run-ahead bound; override
 * with MLX_TS_GPU_BATCH, as the GPU benchmark does to measure the best depth).
 */
export const MAX_BATCH = Number((globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.MLX_TS_GPU_BATCH) || 256;

/** A batch this light (bytes its launches bind) is not worth an early submit (see `#limit`; MLX_TS_GPU_EARLY_BYTES overrides). */
const EARLY_SUBMIT_BYTES = Number((globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.['MLX_TS_GPU_EARLY_BYTES'] ?? 16 * 2 ** 20);

/** Bytes of one parameter arena: launch parameters and small uploads of a batch, written with one writeBuffer. */
const ARENA_BYTES = 64 * 1024;
/** CPU-resident inputs up to this size travel in the arena instead of their own buffer and writeBuffer. */
const SMALL_UPLOAD = 1024;

/**
 * A launch's i32 parameters inside the current arena. Dispatch binds it with a dynamic offset, so every launch of a
 * pipeline can share one cached bind group instead of creating one per launch.
 */
export class ParamRef implements PooledBuffer {
  constructor(readonly arena: Arena, readonly offset: number, readonly size: number) {}
  get buffer(): GPUBuffer { return this.arena.buffer; }
  get lastUse(): number { return this.arena.lastUse; }
  set lastUse(v: number) { this.arena.lastUse = v; }
}

/** A parameter arena: a storage buffer, its host image, and how much of it the current batch has used. */
interface Arena extends PooledBuffer {
  host: Uint8Array;
  used: number;
  id: number;
}

/** A kernel argument: a buffer plus the strided view of one array in it (offset and strides in elements). */
export interface GpuArg {
  buf: PooledBuffer;
  dtype: Dtype;
  shape: readonly number[];
  strides: readonly number[];
  offset: number;
}

/** Whether a binding is part of a larger buffer (a slab slot or a parameter slice) rather than the whole buffer. */
const sliced = (b: PooledBuffer): boolean => b.slab !== undefined || b instanceof ParamRef;

/** A compiled pipeline, its bind group layout and an id for the bind group cache. */
interface Pipeline {
  module: GPUShaderModule;
  pipe: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  pl: GPUPipelineLayout | 'auto';
  id: number;
  /** Every binding takes a dynamic offset. */
  dynamic: boolean;
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

/** A replayed launch's memo for `dispatchMemo` (start with `newLaunchMemo()`). */
export interface LaunchMemo {
  /** The backend whose pipeline and bind group these are (a new device after `initGpu` starts afresh). */
  owner: unknown;
  key: number;
  pipe: unknown;
  bg: unknown;
  bufs: GPUBuffer[];
  sizes: number[];
  offsets: number[];
}

/** An empty memo. */
export const newLaunchMemo = (): LaunchMemo => ({ owner: null, key: -1, pipe: null, bg: null, bufs: [], sizes: [], offsets: [] });

export class WebGpuBackend implements Backend {
  readonly type = 'gpu' as const;
  readonly pool: BufferPool;
  /** Per-dimension workgroup count limit. */
  readonly maxGroups: number;
  readonly maxBinding: number;
  // the shader module stays referenced with its pipeline: Dawn's Node binding crashes if a module is collected
  // while its pipeline lives
  #pipelines = new Map<string, Map<number, Pipeline>>();
  /** Bind groups of unfinished batches, kept alive until the GPU is done with them (same reason). */
  #inFlight: unknown[] = [];
  #encoder: GPUCommandEncoder | null = null;
  #pass: GPUComputePassEncoder | null = null;
  #count = 0;
  /** Bytes the open batch's launches bind (a rough measure of the GPU time it holds). */
  #bytes = 0;
  /**
   * Launches after which the open batch is submitted early, provided they bind at least EARLY_SUBMIT_BYTES: 1 after
   * a sync point, doubling with each submit (MAX_BATCH launches always submit). So the GPU starts at once on heavy
   * work (the first matmul of a decode step) while the host encodes the rest, and chains of tiny launches, which
   * the GPU would finish before the next submit anyway, pay one submit (about 120 µs of host time through Dawn on an
   * H100) per MAX_BATCH launches instead of one per doubling.
   */
  #limit = 1;
  /** Id of the batch being encoded (submitted batches have smaller ids). */
  #batch = 0;
  /**
   * Mappable staging buffers by size, reused and never destroyed while the device lives: with Dawn's Node binding,
   * destroying buffers or waiting on onSubmittedWorkDone while other work is pending crashed lavapipe runs, so
   * completion is learned from staging maps instead (the queue runs in order, so a mapped read proves every
   * earlier submission done).
   */
  #staging = new Map<number, GPUBuffer[]>();
  #fenceSrc: PooledBuffer | null = null;
  #temps: PooledBuffer[] = [];
  /** The arena the batch being encoded writes into, and retired arenas waiting for their batch to complete. */
  #arena: Arena | null = null;
  #arenas: Arena[] = [];
  readonly #align: number;
  readonly #maxDyn: number;
  /** Bind groups by pipeline and buffers: steady-state loops reuse them (pooled buffers recur). */
  #groups = new Map<string, GPUBindGroup>();
  #bufIds = new WeakMap<GPUBuffer, number>();
  #nextId = 0;
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

  constructor(readonly device: GPUDevice, readonly kernels: Partial<Record<string, GpuKernel>>) {
    this.maxGroups = device.limits.maxComputeWorkgroupsPerDimension;
    this.maxBinding = device.limits.maxStorageBufferBindingSize;
    this.pool = new BufferPool(device, device.limits.maxBufferSize);
    this.pool.onDestroy = () => this.#groups.clear();
    this.#align = device.limits.minStorageBufferOffsetAlignment ?? 256;
    this.#maxDyn = Number(globalThis.process?.env?.MLX_TS_GPU_MAXDYN) || (device.limits.maxDynamicStorageBuffersPerPipelineLayout ?? 4);
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
      const { arena, offset } = this.#reserve(host.byteLength, align);
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
    if (this.#encoder && buf.lastUse >= this.#batch) this.flush();
  }

  /**
   * The i32 parameters (shapes, strides, offsets) of one launch, as a read-only binding. They are appended to the
   * batch's arena and bound with a dynamic offset; the arena is written once when the batch is submitted.
   */
  params(values: readonly number[]): PooledBuffer {
    const bytes = Math.ceil(Math.max(4, values.length * 4) / this.#align) * this.#align;
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
    const { arena, offset } = this.#reserve(bytes, this.#align);
    const view = new Int32Array(arena.host.buffer, offset, values.length);
    for (let i = 0; i < values.length; i++) view[i] = values[i]!;
    return new ParamRef(arena, offset, bytes);
  }

  /** A copy of recorded parameter words (`words.length * 4` bytes, a multiple of the alignment) in the arena. */
  paramWords(words: Int32Array): ParamRef {
    const { arena, offset } = this.#reserve(words.byteLength, this.#align);
    new Int32Array(arena.host.buffer, offset, words.length).set(words);
    return new ParamRef(arena, offset, words.byteLength);
  }

  /** The words of a parameter slice as written so far (the arena's host image keeps them until it is reused). */
  paramsOf(p: ParamRef): Int32Array {
    return new Int32Array(p.arena.host.buffer.slice(p.offset, p.offset + p.size));
  }

  /** `bytes` of the current arena at an offset aligned to `align`; a full arena submits the batch first. */
  #reserve(bytes: number, align: number): { arena: Arena; offset: number } {
    let a = this.#arena;
    let off = a ? Math.ceil(a.used / align) * align : 0;
    if (!a || off + bytes > ARENA_BYTES) {
      if (this.#encoder) this.flush();
      else this.#retireArena();
      a = this.#arena = this.#freshArena();
      off = 0;
    }
    a.used = off + bytes;
    return { arena: a, offset: off };
  }

  /** Writes the current arena (parameters and small uploads, one write ordered before the next submit) and retires it. */
  #retireArena(): void {
    const a = this.#arena;
    if (!a) return;
    this.#arena = null;
    if (a.used > 0) this.device.queue.writeBuffer(a.buffer, 0, a.host, 0, Math.ceil(a.used / 4) * 4);
    a.lastUse = Math.max(a.lastUse, this.#batch);
    this.#arenas.push(a);
  }

  /** A retired arena whose batch has completed, or a new one. */
  #freshArena(): Arena {
    const i = this.#arenas.findIndex((x) => x.lastUse <= this.pool.completed);
    if (i >= 0) { const a = this.#arenas.splice(i, 1)[0]!; a.used = 0; return a; }
    const buffer = this.device.createBuffer({ size: ARENA_BYTES, usage: 0x80 | COPY_DST });
    return { buffer, offset: 0, size: ARENA_BYTES, lastUse: -1, host: new Uint8Array(ARENA_BYTES), used: 0, id: this.#nextId++ };
  }

  // ---- encoding -------------------------------------------------------------------------------------------

  /**
   * The pipeline of `code` for these bindings. Launches that bind parameter slices or slab slots use an explicit
   * layout in which every binding takes a dynamic offset, so one bind group serves every launch that binds the same
   * buffers. Slab slots are declared read-write (in the layout and, rewritten, in the WGSL) because two slots of one
   * slab may be an input and the output of the same launch, and WebGPU forbids a buffer being read-only and writable
   * storage in one dispatch; the access modes of whole buffers stay as written.
   */
  #pipeline(code: string, buffers: readonly PooledBuffer[]): Pipeline {
    let mask = 0, slots = 0;
    for (let i = 0; i < buffers.length; i++) {
      const b = buffers[i]!;
      if (b instanceof ParamRef) mask |= 1 << i;
      else if (b.slab) { mask |= 1 << i; slots |= 1 << i; }
    }
    // every binding needs a dynamic offset; past the device's limit, slices are bound at fixed offsets instead
    const dynamic = mask !== 0 && buffers.length <= this.#maxDyn;
    let byMode = this.#pipelines.get(code);
    if (!byMode) this.#pipelines.set(code, (byMode = new Map()));
    const mode = mask ? (slots + 1) * 2 + (dynamic ? 1 : 0) : 0;
    let p = byMode.get(mode);
    if (!p) {
      let src = code;
      for (let i = 0; i < buffers.length; i++) {
        if (slots >> i & 1) src = src.replace(new RegExp(`(@binding\\(${i}\\)\\s*var\\s*<\\s*storage)\\s*(?:,\\s*read\\s*)?>`), '$1, read_write>');
      }
      const module = this.device.createShaderModule({ code: src });
      let layout: GPUPipelineLayout | 'auto' = 'auto';
      let bgl: GPUBindGroupLayout | null = null;
      if (mask) {
        const rw = new Set<number>();
        for (const m of src.matchAll(/@binding\((\d+)\)\s*var\s*<\s*storage\s*,\s*read_write\s*>/g)) rw.add(Number(m[1]));
        bgl = this.device.createBindGroupLayout({
          entries: buffers.map((_, i) => ({
            binding: i, visibility: 4 /* COMPUTE */,
            buffer: { type: rw.has(i) ? 'storage' as const : 'read-only-storage' as const, hasDynamicOffset: dynamic },
          })),
        });
        layout = this.device.createPipelineLayout({ bindGroupLayouts: [bgl] });
      }
      const pipe = this.device.createComputePipeline({ layout, compute: { module, entryPoint: 'main' } });
      p = { module, pipe, layout: bgl ?? pipe.getBindGroupLayout(0), pl: layout, id: this.#nextId++, dynamic };
      byMode.set(mode, p);
      this.stats.pipelines++;
    }
    return p;
  }

  #bufId(b: GPUBuffer): number {
    let id = this.#bufIds.get(b);
    if (id === undefined) this.#bufIds.set(b, (id = this.#nextId++));
    return id;
  }

  /** The bind group of `buffers` for pipeline `p`, from the cache when the same buffers were bound before. */
  #bindGroup(p: Pipeline, buffers: readonly PooledBuffer[]): GPUBindGroup {
    let key = String(p.id);
    // a slot or slice binds its size at offset 0 plus a dynamic offset, or (no dynamic offsets) at its own offset
    for (const b of buffers) {
      key += `,${this.#bufId(b.buffer)}`;
      if (sliced(b)) key += p.dynamic ? `:${b.size}` : `:${b.size}@${b.offset}`;
    }
    let bg = this.#groups.get(key);
    if (!bg) {
      bg = this.device.createBindGroup({
        layout: p.layout,
        entries: buffers.map((b, i) => ({
          binding: i,
          resource: sliced(b) ? { buffer: b.buffer, offset: p.dynamic ? 0 : b.offset, size: b.size } : { buffer: b.buffer },
        })),
      });
      if (this.#groups.size >= 4096) this.#groups.clear();
      this.#groups.set(key, bg);
      this.stats.bindGroups++;
    }
    return bg;
  }

  #computePass(): GPUComputePassEncoder {
    if (!this.#encoder) this.#encoder = this.device.createCommandEncoder();
    if (!this.#pass) { this.#pass = this.#encoder.beginComputePass(); this.#bound = null; }
    return this.#pass;
  }

  /** The pipeline bound in the current pass. */
  #bound: GPUComputePipeline | null = null;

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
    this.#pass?.end();
    this.#pass = null;
    if (!this.#encoder) this.#encoder = this.device.createCommandEncoder();
    from.lastUse = to.lastUse = this.#batch;
    this.#encoder.copyBufferToBuffer(from.buffer, from.offset, to.buffer, to.offset, bytes);
  }

  /**
   * Encodes one launch of a WGSL compute shader (entry point `main`) over `groups` workgroups (split over x and y
   * past the per-dimension limit). Binding i of group 0 is `buffers[i]`.
   */
  dispatch(code: string, buffers: readonly PooledBuffer[], groups: number): void {
    if (groups === 0) return;
    buffers = this.#unalias(buffers);
    this.recorder?.launch(code, buffers, groups);
    const p = this.#pipeline(code, buffers);
    this.#encode(p, this.#bindGroup(p, buffers), buffers, groups);
  }

  /**
   * `dispatch` for a launch replayed from a recording (webgpu/replay.ts), whose bindings never alias. Its memo keeps
   * the pipeline and the bind group of the buffers it bound last, so a replay that binds the same buffers again
   * skips both lookups.
   */
  dispatchMemo(code: string, buffers: readonly PooledBuffer[], groups: number, m: LaunchMemo): void {
    let key = 0;
    for (let i = 0; i < buffers.length; i++) {
      const b = buffers[i]!;
      if (b instanceof ParamRef) key |= 1 << i;
      else if (b.slab) key |= 0x101 << i;
    }
    if (m.owner !== this) { m.owner = this; m.pipe = null; }
    let p = m.pipe as Pipeline | null;
    if (!p || m.key !== key) { p = this.#pipeline(code, buffers); m.pipe = p; m.key = key; m.bg = null; }
    let bg = m.bg as GPUBindGroup | null;
    if (bg) {
      for (let i = 0; i < buffers.length; i++) {
        const b = buffers[i]!;
        if (m.bufs[i] !== b.buffer || m.sizes[i] !== b.size || (!p.dynamic && m.offsets[i] !== b.offset)) { bg = null; break; }
      }
    }
    if (!bg) {
      bg = this.#bindGroup(p, buffers);
      m.bg = bg;
      m.bufs = buffers.map((b) => b.buffer);
      m.sizes = buffers.map((b) => b.size);
      m.offsets = buffers.map((b) => b.offset);
    }
    this.#encode(p, bg, buffers, groups);
  }

  /** Sets the pipeline (unless bound already) and bind group and records the launch. */
  #encode(p: Pipeline, bg: GPUBindGroup, buffers: readonly PooledBuffer[], groups: number): void {
    for (const b of buffers) { b.lastUse = this.#batch; this.#bytes += b.size; }
    this.#inFlight.push(bg);
    const pass = this.#computePass();
    // consecutive launches of one kernel (a chain of adds) keep the pipeline bound
    if (this.#bound !== p.pipe) { pass.setPipeline(p.pipe); this.#bound = p.pipe; }
    if (p.dynamic) {
      // whole buffers bind at offset 0 (their binding covers the buffer)
      const dyn = buffers.map((b) => (sliced(b) ? b.offset : 0));
      pass.setBindGroup(0, bg, dyn);
    } else pass.setBindGroup(0, bg);
    const [x, y] = grid(groups, this.maxGroups);
    pass.dispatchWorkgroups(x, y);
    this.stats.dispatches++;
    if (++this.#count >= MAX_BATCH || (this.#count >= this.#limit && this.#bytes >= EARLY_SUBMIT_BYTES)) this.flush();
  }

  /** Submits the encoded work; buffers it used become reusable when the GPU reports it done. */
  flush(): void {
    if (!this.#encoder) return;
    this.#retireArena();
    this.#pass?.end();
    this.#pass = null;
    const cb = this.#encoder.finish();
    this.device.queue.submit([cb]);
    this.#inFlight.push(this.#encoder, cb);
    this.#encoder = null;
    this.#count = 0;
    this.#bytes = 0;
    this.#limit = Math.min(MAX_BATCH, this.#limit * 2);
    this.stats.submits++;
    this.#batch++;
    this.#held.push([this.#batch - 1, this.#inFlight]);
    this.#inFlight = [];
  }

  /** Objects of submitted batches, dropped once the batch is known complete. */
  #held: [number, unknown[]][] = [];

  #completed(id: number): void {
    this.pool.completedUpTo(id);
    this.#held = this.#held.filter(([b]) => b > id);
  }

  #stagingBuffer(size: number): GPUBuffer {
    return this.#staging.get(size)?.pop() ?? this.device.createBuffer({ size, usage: MAP_READ | COPY_DST });
  }

  /**
   * Copies `bytes` bytes at `offset` of `src` into a staging buffer, submits, and resolves with a copy of them once
   * the GPU is done (and with it every earlier submission).
   */
  async #readBytes(src: GPUBuffer, offset: number, bytes: number): Promise<Uint8Array> {
    const staging = this.#stagingBuffer(bytes);
    this.#computePass();
    this.#pass!.end();
    this.#pass = null;
    this.#encoder!.copyBufferToBuffer(src, offset, staging, 0, bytes);
    const id = this.#batch;
    this.flush();
    await staging.mapAsync(MAP_MODE_READ);
    const out = new Uint8Array(staging.getMappedRange().slice(0));
    staging.unmap();
    let list = this.#staging.get(bytes);
    if (!list) this.#staging.set(bytes, (list = []));
    list.push(staging);
    this.#completed(id);
    return out;
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

  /** Inputs that must be read back to the host before `run`: the GPU inputs of a node that falls back. */
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
    pb.lastUse = this.#batch;
    const pending = this.#readBytes(pb.buffer, pb.offset + s4, e4 - s4);
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
    this.#limit = 1;
    if (this.#encoder || this.#batch - 1 > this.pool.completed) {
      // a 4-byte read is the fence: it completes after everything submitted before it
      this.#fenceSrc ??= this.pool.alloc(4);
      this.#fenceSrc.lastUse = this.#batch;
      await this.#readBytes(this.#fenceSrc.buffer, this.#fenceSrc.offset, 4);
    }
    this.check('synchronize');
  }

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
