/**
 * @file Command batching of the WebGPU backend: many launches per compute pass, submitted at a sync point, when
 * `MAX_BATCH` launches are encoded, or early once a batch binds enough bytes; completion tracking (which batch the
 * GPU has finished, so the pool may reuse its buffers); and readback through reused staging buffers, whose maps are
 * also how completion is learned.
 */
/// <reference types="@webgpu/types" />
import type { BufferPool, PooledBuffer } from './allocator.js';
import { ParamArena, type IdSource } from './arena.js';
import { sliced, type Pipeline } from './pipelines.js';
import { grid } from './wgsl.js';

const MAP_READ = 0x01, COPY_DST = 0x08, MAP_MODE_READ = 0x01;

/**
 * Dispatches encoded before a batch is submitted without waiting for a sync point (the run-ahead bound; override
 * with MLX_TS_GPU_BATCH, as the GPU benchmark does to measure the best depth).
 */
export const MAX_BATCH = Number((globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.MLX_TS_GPU_BATCH) || 256;

/** A batch this light (bytes its launches bind) is not worth an early submit (see `limit`; MLX_TS_GPU_EARLY_BYTES overrides). */
const EARLY_SUBMIT_BYTES = Number((globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.['MLX_TS_GPU_EARLY_BYTES'] ?? 16 * 2 ** 20);

/**
 * The batch being encoded and the bookkeeping of submitted ones. The backend owns one and reads its fields
 * directly (they are internal to webgpu/, not part of the backend's surface).
 */
export class Batch {
  /** The arena of launch parameters and small uploads this batch writes into (retired at each submit). */
  readonly arena: ParamArena;
  /**
   * Bind groups of unfinished batches, kept alive until the GPU is done with them (for the reason shader modules
   * stay referenced in webgpu/pipelines.ts: Dawn's Node binding crashes if they are collected while in use).
   */
  inFlight: unknown[] = [];
  encoder: GPUCommandEncoder | null = null;
  pass: GPUComputePassEncoder | null = null;
  count = 0;
  /** Bytes the open batch's launches bind (a rough measure of the GPU time it holds). */
  bytes = 0;
  /**
   * Launches after which the open batch is submitted early, provided they bind at least EARLY_SUBMIT_BYTES: 1 after
   * a sync point, doubling with each submit (MAX_BATCH launches always submit). So the GPU starts at once on heavy
   * work (the first matmul of a decode step) while the host encodes the rest, and chains of tiny launches, which
   * the GPU would finish before the next submit anyway, pay one submit (about 120 µs of host time through Dawn on an
   * H100) per MAX_BATCH launches instead of one per doubling.
   */
  limit = 1;
  /** Id of the batch being encoded (submitted batches have smaller ids). */
  id = 0;
  /** The pipeline bound in the current pass. */
  bound: GPUComputePipeline | null = null;
  /** Objects of submitted batches, dropped once the batch is known complete. */
  held: [number, unknown[]][] = [];
  /**
   * Mappable staging buffers by size, reused and never destroyed while the device lives: with Dawn's Node binding,
   * destroying buffers or waiting on onSubmittedWorkDone while other work is pending crashed lavapipe runs, so
   * completion is learned from staging maps instead (the queue runs in order, so a mapped read proves every
   * earlier submission done).
   */
  readonly staging = new Map<number, GPUBuffer[]>();

  constructor(
    private readonly device: GPUDevice,
    private readonly pool: BufferPool,
    private readonly stats: { dispatches: number; submits: number },
    private readonly maxGroups: number,
    ids: IdSource,
  ) {
    this.arena = new ParamArena(device, pool, this, ids);
  }

  /** The open compute pass (opening the encoder and the pass if needed). */
  computePass(): GPUComputePassEncoder {
    if (!this.encoder) this.encoder = this.device.createCommandEncoder();
    if (!this.pass) { this.pass = this.encoder.beginComputePass(); this.bound = null; }
    return this.pass;
  }

  /** Encodes a copy of `bytes` of allocation `from` into `to`, between launches. */
  copy(from: PooledBuffer, to: PooledBuffer, bytes: number): void {
    this.pass?.end();
    this.pass = null;
    if (!this.encoder) this.encoder = this.device.createCommandEncoder();
    from.lastUse = to.lastUse = this.id;
    this.encoder.copyBufferToBuffer(from.buffer, from.offset, to.buffer, to.offset, bytes);
  }

  /** Sets the pipeline (unless bound already) and bind group and records the launch. */
  encode(p: Pipeline, bg: GPUBindGroup, buffers: readonly PooledBuffer[], groups: number): void {
    for (const b of buffers) { b.lastUse = this.id; this.bytes += b.size; }
    this.inFlight.push(bg);
    const pass = this.computePass();
    // consecutive launches of one kernel (a chain of adds) keep the pipeline bound
    if (this.bound !== p.pipe) { pass.setPipeline(p.pipe); this.bound = p.pipe; }
    if (p.dynamic) {
      // whole buffers bind at offset 0 (their binding covers the buffer)
      const dyn = buffers.map((b) => (sliced(b) ? b.offset : 0));
      pass.setBindGroup(0, bg, dyn);
    } else pass.setBindGroup(0, bg);
    const [x, y] = grid(groups, this.maxGroups);
    pass.dispatchWorkgroups(x, y);
    this.stats.dispatches++;
    if (++this.count >= MAX_BATCH || (this.count >= this.limit && this.bytes >= EARLY_SUBMIT_BYTES)) this.flush();
  }

  /** Submits the encoded work; buffers it used become reusable when the GPU reports it done. */
  flush(): void {
    if (!this.encoder) return;
    this.arena.retire();
    this.pass?.end();
    this.pass = null;
    const cb = this.encoder.finish();
    this.device.queue.submit([cb]);
    this.inFlight.push(this.encoder, cb);
    this.encoder = null;
    this.count = 0;
    this.bytes = 0;
    this.limit = Math.min(MAX_BATCH, this.limit * 2);
    this.stats.submits++;
    this.id++;
    this.held.push([this.id - 1, this.inFlight]);
    this.inFlight = [];
  }

  private completed(id: number): void {
    this.pool.completedUpTo(id);
    this.held = this.held.filter(([b]) => b > id);
  }

  private stagingBuffer(size: number): GPUBuffer {
    return this.staging.get(size)?.pop() ?? this.device.createBuffer({ size, usage: MAP_READ | COPY_DST });
  }

  /**
   * Copies `bytes` bytes at `offset` of `src` into a staging buffer, submits, and resolves with a copy of them once
   * the GPU is done (and with it every earlier submission).
   */
  async readBytes(src: GPUBuffer, offset: number, bytes: number): Promise<Uint8Array> {
    const staging = this.stagingBuffer(bytes);
    this.computePass();
    this.pass!.end();
    this.pass = null;
    this.encoder!.copyBufferToBuffer(src, offset, staging, 0, bytes);
    const id = this.id;
    this.flush();
    await staging.mapAsync(MAP_MODE_READ);
    const out = new Uint8Array(staging.getMappedRange().slice(0));
    staging.unmap();
    let list = this.staging.get(bytes);
    if (!list) this.staging.set(bytes, (list = []));
    list.push(staging);
    this.completed(id);
    return out;
  }
}
