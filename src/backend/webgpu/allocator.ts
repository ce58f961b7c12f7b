/**
 * @file The GPU buffer allocator: storage buffers in size classes and a cache of free buffers per class. A freed
 * buffer is reused at once, as PyTorch's caching allocator reuses memory on one stream: launches run in queue
 * order and Dawn puts a barrier between a launch that reads a buffer and a later one that writes it, so new work
 * in a reused buffer cannot overtake the old. The one exception, a host write (`queue.writeBuffer`) into a buffer
 * the still-unsubmitted batch uses, is handled by the backend, which submits that batch first. A buffer (or slab) is
 * destroyed only once every submission that used it has completed.
 *
 * Accounting follows MLX: `active` = bytes of buffers held by arrays (and kernels' temporaries while encoding),
 * `cache` = bytes of free buffers kept for reuse (some may still be read by submitted GPU work), `peak` = the
 * highest `active`. `active` counts whole size classes, as the GPU really holds them.
 */
/// <reference types="@webgpu/types" />

const STORAGE = 0x80, COPY_SRC = 0x04, COPY_DST = 0x08;
const DEFER_REUSE = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.['MLX_TS_GPU_REUSE'] === '0';

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
  /** Byte offset of this allocation in `buffer` (non-zero for slab slots and parameter slices). */
  readonly offset: number;
  size: number;
  /** Id of the last submission (batch) that reads or writes it. */
  lastUse: number;
  /** The slab this slot was carved from (small allocations only). */
  slab?: Slab;
}

/**
 * A large buffer carved into equal slots of one size class. Small arrays live in slots, so kernels that touch only
 * small arrays bind the same few GPU buffers again and again (at dynamic offsets) and their bind groups can be reused.
 */
export interface Slab {
  buffer: GPUBuffer;
  /** Slots handed out and not yet back in the free list. */
  live: number;
  carved: number;
  readonly slots: number;
  readonly stride: number;
  /** The last submission that used any of its slots (as of their last free). */
  lastUse: number;
}

/** Allocations up to this size class are slab slots (activations of small models, decode steps). */
export const SLAB_MAX = 1024 * 1024;
/**
 * Bytes of the n-th slab (n = 0, 1, ...) of a class of `size`-byte slots: at least 2 MiB; 8 slots for the first
 * slab of a class and 64 (at most 64 MiB) for every further one. Launches bind slabs at dynamic offsets, so their
 * bind groups depend on which slabs they bind: a class whose arrays live in few slabs (the weights, moments and
 * activations of a training step) keeps those bind groups cached, while a class used a little wastes at most its
 * first small slab. On an H100 a compiled training step of examples/charlm.ts created bind groups for 49% of its
 * launches with 8 slots per slab, 35% with slabs doubling from 8 to 64, and 12% with 64.
 */
const slabBytes = (size: number, n: number): number => Math.max(2 * 1024 * 1024, (n === 0 ? 8 : 64) * size);

export class BufferPool {
  active = 0;
  peak = 0;
  cache = 0;
  memoryLimit = Infinity;
  cacheLimit = Infinity;
  /** Free buffers ready for reuse, per class size (most recently freed last). */
  #free = new Map<number, PooledBuffer[]>();
  /** Highest submission id known to be complete. */
  completed = -1;
  /** Called after buffers are destroyed (the backend drops cached bind groups that may name them). */
  onDestroy: (() => void) | null = null;

  constructor(private readonly device: GPUDevice, private readonly maxBufferSize: number) {}

  /** A buffer of at least `bytes` (`whole`: never a slab slot); throws a clear out-of-memory error past the memory limit or the device's size. */
  alloc(bytes: number, whole = false): PooledBuffer {
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
    let pb: PooledBuffer | undefined;
    if (whole) {
      const i = list ? list.findIndex((b) => !b.slab) : -1;
      if (i >= 0) pb = list!.splice(i, 1)[0];
    } else pb = list?.pop();
    if (pb) this.cache -= size;
    else if (size <= SLAB_MAX && this.slabs && !whole) pb = this.#carve(size);
    else pb = { buffer: this.device.createBuffer({ size, usage: STORAGE | COPY_SRC | COPY_DST }), offset: 0, size, lastUse: -1 };
    if (pb.slab) pb.slab.live++;
    this.active += size;
    if (this.active > this.peak) this.peak = this.active;
    return pb;
  }

  /** Whether small allocations are slab slots (the backend turns this off where dynamic offsets are too few). */
  slabs = true;
  /** The slab being carved, per class size. */
  #carving = new Map<number, Slab>();
  /** Slabs made so far per class size (each new one is larger, see `slabBytes`). */
  #slabsMade = new Map<number, number>();
  #slabList: Slab[] = [];

  /** A new slot of class `size`: from the class's current slab, or a new slab. */
  #carve(size: number): PooledBuffer {
    let sl = this.#carving.get(size);
    if (!sl || sl.carved === sl.slots) {
      const stride = Math.max(size, 256);
      const made = this.#slabsMade.get(size) ?? 0;
      this.#slabsMade.set(size, made + 1);
      const slots = Math.max(1, Math.floor(slabBytes(stride, made) / stride));
      sl = { buffer: this.device.createBuffer({ size: slots * stride, usage: STORAGE | COPY_SRC | COPY_DST }), live: 0, carved: 0, slots, stride, lastUse: -1 };
      this.#carving.set(size, sl);
      this.#slabList.push(sl);
    }
    const offset = sl.carved++ * sl.stride;
    return { buffer: sl.buffer, offset, size, lastUse: -1, slab: sl };
  }

  /**
   * Freed buffers held back until their last submission completes: only with `MLX_TS_GPU_REUSE=0`, the old rule,
   * kept to measure what immediate reuse changes.
   */
  #waiting: PooledBuffer[] = [];

  /** Gives a buffer back for reuse by later work (see the file comment for why that needs no wait). */
  free(pb: PooledBuffer): void {
    this.active -= pb.size;
    this.cache += pb.size;
    if (DEFER_REUSE && pb.lastUse > this.completed) { this.#waiting.push(pb); return; }
    this.#release(pb);
  }

  #release(pb: PooledBuffer): void {
    if (pb.slab) {
      pb.slab.live--;
      if (pb.lastUse > pb.slab.lastUse) pb.slab.lastUse = pb.lastUse;
    }
    let list = this.#free.get(pb.size);
    if (!list) this.#free.set(pb.size, (list = []));
    list.push(pb);
    this.#trim(this.cacheLimit);
  }

  /** Called when submission `id` (and so every earlier one) has completed: cached buffers it used may be destroyed. */
  completedUpTo(id: number): void {
    if (id <= this.completed) return;
    this.completed = id;
    if (this.#waiting.length) {
      const ready = this.#waiting.filter((pb) => pb.lastUse <= id);
      this.#waiting = this.#waiting.filter((pb) => pb.lastUse > id);
      for (const pb of ready) this.#release(pb);
    }
    this.#trim(this.cacheLimit);
  }

  /**
   * Destroys cached (ready) buffers until the cache is at most `limit` bytes; largest classes go first. Slots are
   * released a whole slab at a time, once none of its slots is live.
   */
  #trim(limit: number): void {
    if (this.cache <= limit) return;
    let destroyed = 0;
    const sizes = [...this.#free.keys()].sort((a, b) => b - a);
    for (const s of sizes) {
      const list = this.#free.get(s)!;
      for (let i = list.length - 1; i >= 0 && this.cache > limit; i--) {
        // a buffer the GPU may still use is kept until its submission completes
        if (list[i]!.slab || list[i]!.lastUse > this.completed) continue;
        list.splice(i, 1)[0]!.buffer.destroy();
        this.cache -= s;
        destroyed++;
      }
    }
    if (this.cache > limit) destroyed += this.#dropIdleSlabs();
    // cached bind groups naming a destroyed buffer must go; with nothing destroyed they all stay valid (a cache
    // limit the in-flight buffers keep exceeded had cleared them on every free)
    if (destroyed) this.onDestroy?.();
  }

  /** Destroys slabs none of whose slots is in use, with their cached slots; how many it destroyed. */
  #dropIdleSlabs(): number {
    const idle = new Set(this.#slabList.filter((sl) => sl.live === 0 && sl.lastUse <= this.completed));
    if (!idle.size) return 0;
    for (const [size, list] of this.#free) {
      const keep = list.filter((pb) => !pb.slab || !idle.has(pb.slab));
      this.cache -= (list.length - keep.length) * size;
      this.#free.set(size, keep);
    }
    for (const sl of idle) {
      sl.buffer.destroy();
    }
    for (const [k, sl] of this.#carving) if (idle.has(sl)) this.#carving.delete(k);
    this.#slabList = this.#slabList.filter((sl) => !idle.has(sl));
    return idle.size;
  }

  setCacheLimit(bytes: number): number {
    const prev = this.cacheLimit;
    this.cacheLimit = bytes;
    this.#trim(bytes);
    return prev;
  }

  /** Destroys every cached buffer whose GPU work has completed (the others stay cached until a later trim). */
  clear(): void { this.#trim(0); }

  /** Destroys everything (device shutdown). */
  destroyAll(): void {
    for (const list of this.#free.values()) for (const pb of list) if (!pb.slab) pb.buffer.destroy();
    for (const pb of this.#waiting) if (!pb.slab) pb.buffer.destroy();
    this.#waiting = [];
    for (const sl of this.#slabList) sl.buffer.destroy();
    this.#slabList = [];
    this.#carving.clear();
    this.#slabsMade.clear();
    this.#free.clear();
    this.cache = 0;
    this.onDestroy?.();
  }
}
