/**
 * @file The GPU buffer allocator: storage buffers in size classes, a cache of free buffers per class, and the
 * rule that a freed buffer is reused only after every submission that used it has completed on the GPU.
 *
 * Accounting follows MLX: `active` = bytes of buffers held by arrays (and kernels' temporaries while encoding),
 * `cache` = bytes of free buffers kept for reuse (including those still waiting for their GPU work), `peak` = the
 * highest `active`. `active` counts whole size classes, as the GPU really holds them.
 */
/// <reference types="@webgpu/types" />

const STORAGE = 0x80, COPY_SRC = 0x04, COPY_DST = 0x08;

/** Rounds a request up to its size class: powers of two up to 4 KiB, then 8 steps per power of two. */
export function sizeClass(bytes: number): number {
  const b = Math.max(16, Math.ceil(bytes / 4) * 4);
  if (b <= 4096) return 2 ** Math.ceil(Math.log2(b));
  const p = 2 ** Math.floor(Math.log2(b - 1));
  const step = p / 8;
  return Math.ceil(b / step) * step;
}

/** A pooled buffer: the GPU buffer, its class size, and the last submission that used it. */
export interface PooledBuffer {
  buffer: GPUBuffer;
  size: number;
  /** Id of the last submission (batch) that reads or writes it. */
  lastUse: number;
}

export class BufferPool {
  active = 0;
  peak = 0;
  cache = 0;
  memoryLimit = Infinity;
  cacheLimit = Infinity;
  /** Free buffers ready for reuse, per class size (most recently freed last). */
  #free = new Map<number, PooledBuffer[]>();
  /** Freed buffers whose last submission has not completed yet. */
  #waiting: PooledBuffer[] = [];
  /** Highest submission id known to be complete. */
  completed = -1;
  /** Called after buffers are destroyed (the backend drops cached bind groups that may name them). */
  onDestroy: (() => void) | null = null;

  constructor(private readonly device: GPUDevice, private readonly maxBufferSize: number) {}

  /** A buffer of at least `bytes`; throws a clear out-of-memory error past the memory limit or the device's size. */
  alloc(bytes: number): PooledBuffer {
    const size = sizeClass(bytes);
    if (size > this.maxBufferSize) {
      throw new Error(`[gpu.alloc] Out of memory: ${bytes} bytes exceed the device's largest buffer (${this.maxBufferSize} bytes).`);
    }
    if (this.active + size > this.memoryLimit) {
      throw new Error(
        `[gpu.alloc] Out of memory: allocating ${size} bytes would exceed the memory limit of ${this.memoryLimit} bytes ` +
          `(${this.active} in use). Dispose arrays or raise mx.setMemoryLimit.`,
      );
    }
    const list = this.#free.get(size);
    let pb = list?.pop();
    if (pb) this.cache -= size;
    else pb = { buffer: this.device.createBuffer({ size, usage: STORAGE | COPY_SRC | COPY_DST }), size, lastUse: -1 };
    this.active += size;
    if (this.active > this.peak) this.peak = this.active;
    return pb;
  }

  /** Gives a buffer back: to the cache at once if its GPU work is done, else once that submission completes. */
  free(pb: PooledBuffer): void {
    this.active -= pb.size;
    this.cache += pb.size;
    if (pb.lastUse > this.completed) this.#waiting.push(pb);
    else this.#toFree(pb);
  }

  /** Called when submission `id` (and so every earlier one) has completed. */
  completedUpTo(id: number): void {
    if (id <= this.completed) return;
    this.completed = id;
    const still: PooledBuffer[] = [];
    for (const pb of this.#waiting) {
      if (pb.lastUse > id) still.push(pb);
      else this.#toFree(pb);
    }
    this.#waiting = still;
    this.#trim(this.cacheLimit);
  }

  #toFree(pb: PooledBuffer): undefined {
    let list = this.#free.get(pb.size);
    if (!list) this.#free.set(pb.size, (list = []));
    list.push(pb);
    this.#trim(this.cacheLimit);
    return undefined;
  }

  /** Destroys cached (ready) buffers until the cache is at most `limit` bytes; largest classes go first. */
  #trim(limit: number): void {
    if (this.cache <= limit) return;
    const sizes = [...this.#free.keys()].sort((a, b) => b - a);
    for (const s of sizes) {
      const list = this.#free.get(s)!;
      while (list.length && this.cache > limit) {
        list.pop()!.buffer.destroy();
        this.cache -= s;
      }
    }
    this.onDestroy?.();
  }

  setCacheLimit(bytes: number): number {
    const prev = this.cacheLimit;
    this.cacheLimit = bytes;
    this.#trim(bytes);
    return prev;
  }

  /** Destroys every ready cached buffer (those still in flight are destroyed when their work completes). */
  clear(): void { this.#trim(0); }

  /** Destroys everything (device shutdown). */
  destroyAll(): void {
    for (const list of this.#free.values()) for (const pb of list) pb.buffer.destroy();
    for (const pb of this.#waiting) pb.buffer.destroy();
    this.#free.clear();
    this.#waiting = [];
    this.cache = 0;
    this.onDestroy?.();
  }
}
