/**
 * @file The parameter arena of the WebGPU backend: launch parameters (shapes, strides, offsets) and small host
 * uploads of one batch are appended to a host image and written with a single `writeBuffer` when the batch is
 * submitted. Launches bind their slice of the arena with a dynamic offset, so every launch of a pipeline can share
 * one cached bind group. Retired arenas are reused once the batch that read them has completed.
 */
/// <reference types="@webgpu/types" />
import type { BufferPool, PooledBuffer } from './allocator.js';
import type { Batch } from './batch.js';

const COPY_DST = 0x08, STORAGE = 0x80;

/** Bytes of one parameter arena: launch parameters and small uploads of a batch, written with one writeBuffer. */
export const ARENA_BYTES = 64 * 1024;
/** CPU-resident inputs up to this size travel in the arena instead of their own buffer and writeBuffer. */
export const SMALL_UPLOAD = 1024;

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
export interface Arena extends PooledBuffer {
  host: Uint8Array;
  used: number;
  id: number;
}

/**
 * A counter shared by the backend's helpers: pipelines, buffers (for bind group keys) and arenas draw their ids
 * from it.
 */
export interface IdSource {
  next: number;
}

/**
 * The arenas of one backend: the one the batch being encoded writes into, and retired ones waiting for their batch
 * to complete. Owned by the batch (webgpu/batch.ts), which retires the current arena when it submits.
 */
export class ParamArena {
  /** The arena the batch being encoded writes into. */
  current: Arena | null = null;
  /** Retired arenas waiting for their batch to complete. */
  retired: Arena[] = [];
  /** Alignment of launch parameter slices (their dynamic offsets): the device's minStorageBufferOffsetAlignment. */
  readonly align: number;

  constructor(
    private readonly device: GPUDevice,
    private readonly pool: BufferPool,
    private readonly batch: Batch,
    private readonly ids: IdSource,
  ) {
    this.align = device.limits.minStorageBufferOffsetAlignment ?? 256;
  }

  /** `bytes` of the current arena at an offset aligned to `align`; a full arena submits the batch first. */
  reserve(bytes: number, align: number): { arena: Arena; offset: number } {
    let a = this.current;
    let off = a ? Math.ceil(a.used / align) * align : 0;
    if (!a || off + bytes > ARENA_BYTES) {
      if (this.batch.encoder) this.batch.flush();
      else this.retire();
      a = this.current = this.fresh();
      off = 0;
    }
    a.used = off + bytes;
    return { arena: a, offset: off };
  }

  /** Writes the current arena (parameters and small uploads, one write ordered before the next submit) and retires it. */
  retire(): void {
    const a = this.current;
    if (!a) return;
    this.current = null;
    if (a.used > 0) this.device.queue.writeBuffer(a.buffer, 0, a.host, 0, Math.ceil(a.used / 4) * 4);
    a.lastUse = Math.max(a.lastUse, this.batch.id);
    this.retired.push(a);
  }

  /** A retired arena whose batch has completed, or a new one. */
  private fresh(): Arena {
    const i = this.retired.findIndex((x) => x.lastUse <= this.pool.completed);
    if (i >= 0) { const a = this.retired.splice(i, 1)[0]!; a.used = 0; return a; }
    const buffer = this.device.createBuffer({ size: ARENA_BYTES, usage: STORAGE | COPY_DST });
    return { buffer, offset: 0, size: ARENA_BYTES, lastUse: -1, host: new Uint8Array(ARENA_BYTES), used: 0, id: this.ids.next++ };
  }

  /** The i32 parameters (shapes, strides, offsets) of one launch in `bytes` (a multiple of `align`) of the arena. */
  params(values: readonly number[], bytes: number): ParamRef {
    const { arena, offset } = this.reserve(bytes, this.align);
    const view = new Int32Array(arena.host.buffer, offset, values.length);
    for (let i = 0; i < values.length; i++) view[i] = values[i]!;
    return new ParamRef(arena, offset, bytes);
  }

  /** A copy of recorded parameter words (`words.length * 4` bytes, a multiple of `align`) in the arena. */
  words(words: Int32Array): ParamRef {
    const { arena, offset } = this.reserve(words.byteLength, this.align);
    new Int32Array(arena.host.buffer, offset, words.length).set(words);
    return new ParamRef(arena, offset, words.byteLength);
  }
}
