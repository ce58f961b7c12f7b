/**
 * @file The WebAssembly side of the CPU backend: one shared `WebAssembly.Memory` (so worker threads see the same
 * bytes), the kernel instance on this thread, and a first-fit allocator over that memory. Bytes 0..64 KiB hold the
 * worker pool's control block; allocations start above it. Disabled (every caller falls back to its TypeScript
 * kernel) where WebAssembly SIMD is missing, or when `MLX_CPU_WASM=0` is set. Without SharedArrayBuffer (a page
 * that is not cross-origin isolated), or with `MLX_CPU_WASM_SHARED=0`, a second build of the same kernels runs on
 * a plain memory, on this thread only: no worker pool and no resident arrays (growing a plain memory detaches its
 * buffer, which would break every view into it), so operands are copied in and results copied out.
 */
import { kernelsWasm, kernelsWasmSingle } from './kernels-wasm.js';

/** Byte size of the control block at address 0 (see pool/pool.ts). */
export const CONTROL_BYTES = 65536;
const PAGE = 65536;
const ALIGN = 64;
// 4 GiB of address space is reserved, not committed; pages are added as allocations need them
const MAX_PAGES = 65536;

// the lib settings have no WebAssembly types (no DOM lib); the few members used here
/** A shared `WebAssembly.Memory`. */
export interface WasmMemory { readonly buffer: SharedArrayBuffer; grow(pages: number): number }
/** A compiled `WebAssembly.Module` (cloneable to workers). */
export type WasmModule = object;
interface WasmApi {
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (m: WasmModule, imports: object) => { exports: object };
}
/** The global `WebAssembly` object, if any. */
export const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** A kernel export: chunk index first, then addresses and sizes (all plain numbers). */
export type WasmFn = (...args: number[]) => void;

/** The loaded kernels with their memory. */
export interface WasmRuntime {
  readonly memory: WasmMemory;
  /** Whether the memory is shared (worker pool and resident arrays allowed); false for the one-thread build. */
  readonly shared: boolean;
  readonly module: WasmModule;
  readonly fns: Record<string, WasmFn>;
  /** A float32 view of the whole memory (refreshed after growth). */
  f32(): Float32Array;
  /** Reserves `bytes` (64-byte aligned, zero-filled if asked); returns the byte address, growing the memory. */
  alloc(bytes: number, zero?: boolean): number;
  free(ptr: number): void;
  /** Bytes currently handed out. */
  liveBytes(): number;
  /** Whether a typed array lives in this memory (then its byteOffset is its address). */
  owns(a: ArrayBufferView): boolean;
}

function decode(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function envFlag(name: string): string | undefined {
  const p = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return p?.env?.[name];
}

class Runtime implements WasmRuntime {
  readonly fns: Record<string, WasmFn>;
  #f32: Float32Array;
  #top: number;
  // bytes at and above this address were never handed out, so they are still zero
  #clean: number;
  // free blocks sorted by address, as [start, size] pairs; sizes of live blocks by address
  #freeList: number[][] = [];
  #live = new Map<number, number>();
  #buffers = new WeakSet<ArrayBufferLike>();
  #liveBytes = 0;

  constructor(readonly memory: WasmMemory, readonly module: WasmModule, readonly shared: boolean) {
    const inst = new wasmApi!.Instance(module, { env: { memory, abort: () => { throw new Error('wasm abort'); } } });
    this.fns = inst.exports as unknown as Record<string, WasmFn>;
    // constants the kernels load from memory (see kernels.as): written once, shared by every thread
    this.fns.init_consts!();
    this.#f32 = new Float32Array(memory.buffer);
    this.#buffers.add(memory.buffer);
    this.#top = CONTROL_BYTES;
    this.#clean = CONTROL_BYTES;
  }

  f32(): Float32Array {
    if (this.#f32.byteLength !== this.memory.buffer.byteLength) {
      const buf = this.memory.buffer;
      this.#buffers.add(buf);
      this.#f32 = new Float32Array(buf);
    }
    return this.#f32;
  }

  liveBytes(): number {
    return this.#liveBytes;
  }

  owns(a: ArrayBufferView): boolean {
    return this.#buffers.has(a.buffer);
  }

  alloc(bytes: number, zero = false): number {
    const ptr = this.#take(Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN));
    const end = ptr + bytes;
    if (zero && ptr < this.#clean) new Uint8Array(this.memory.buffer, ptr, Math.min(end, this.#clean) - ptr).fill(0);
    if (end > this.#clean) this.#clean = end;
    return ptr;
  }

  #take(size: number): number {
    const fl = this.#freeList;
    for (let i = 0; i < fl.length; i++) {
      const blk = fl[i]!;
      if (blk[1]! >= size) {
        const ptr = blk[0]!;
        if (blk[1] === size) fl.splice(i, 1);
        else { blk[0] = ptr + size; blk[1] = blk[1]! - size; }
        this.#live.set(ptr, size);
        this.#liveBytes += size;
        return ptr;
      }
    }
    const ptr = this.#top, end = ptr + size;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      if (have / PAGE + pages > MAX_PAGES) throw new RangeError(`wasm memory exhausted (${end} bytes)`);
      this.memory.grow(pages);
      this.f32();
    }
    this.#top = end;
    this.#live.set(ptr, size);
    this.#liveBytes += size;
    return ptr;
  }

  free(ptr: number): void {
    const size = this.#live.get(ptr);
    if (size === undefined) return;
    this.#live.delete(ptr);
    this.#liveBytes -= size;
    const fl = this.#freeList;
    let lo = 0, hi = fl.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (fl[mid]![0]! < ptr) lo = mid + 1; else hi = mid; }
    fl.splice(lo, 0, [ptr, size]);
    // coalesce with the next, then the previous neighbour; a block touching the top gives its bytes back to it
    if (lo + 1 < fl.length && ptr + size === fl[lo + 1]![0]) { fl[lo]![1]! += fl[lo + 1]![1]!; fl.splice(lo + 1, 1); }
    if (lo > 0 && fl[lo - 1]![0]! + fl[lo - 1]![1]! === ptr) { fl[lo - 1]![1]! += fl[lo]![1]!; fl.splice(lo, 1); lo--; }
    const last = fl[fl.length - 1];
    if (last && last[0]! + last[1]! === this.#top) { this.#top = last[0]!; fl.pop(); }
  }
}

let runtime: Runtime | null | undefined;

/** The process-wide runtime, created on first use (shared memory where available); null without WebAssembly SIMD. */
export function wasmRuntime(): WasmRuntime | null {
  if (runtime !== undefined) return runtime;
  runtime = null;
  if (envFlag('MLX_CPU_WASM') === '0' || !wasmApi) return null;
  const shared = typeof SharedArrayBuffer !== 'undefined' && envFlag('MLX_CPU_WASM_SHARED') !== '0';
  try {
    const memory = new wasmApi!.Memory({ initial: CONTROL_BYTES / PAGE + 16, maximum: MAX_PAGES, shared });
    const module = new wasmApi!.Module(decode(shared ? kernelsWasm : kernelsWasmSingle));
    runtime = new Runtime(memory, module, shared);
  } catch {
    runtime = null;
  }
  return runtime;
}

/** Allocations at least this large live in the WebAssembly memory, where the kernels read them in place. */
export const RESIDENT_MIN_BYTES = 1 << 16;

/**
 * Past this many live bytes, new buffers go to the JS heap instead. The garbage collector cannot see how full the
 * WebAssembly memory is, so arrays that were never disposed would otherwise pile up there until the 4 GiB address
 * space runs out; JS-heap buffers create GC pressure, which runs the finalizers that free the resident ones.
 * `MLX_CPU_WASM_RESIDENT_MB` overrides it.
 */
export const RESIDENT_CAP_BYTES = (Number(envFlag('MLX_CPU_WASM_RESIDENT_MB')) || 1024) * 2 ** 20;

/**
 * A float32 (or, for float16/bfloat16, Uint16) array of `n` elements inside the kernels' memory, zero-filled
 * unless `zero` is false; null when small, of another dtype, without a runtime, or when the 4 GiB address space
 * is full. The CPU backend's allocator for large floating buffers.
 * @example const buf = residentArray('float32', 1 << 20) ?? new Float32Array(1 << 20);
 */
export function residentArray(dtype: string, n: number, zero = true): Float32Array | Uint16Array | null {
  const size = dtype === 'float32' ? 4 : dtype === 'float16' || dtype === 'bfloat16' ? 2 : 0;
  if (size === 0 || n * size < RESIDENT_MIN_BYTES) return null;
  const rt = wasmRuntime();
  if (!rt || !rt.shared || rt.liveBytes() + n * size > RESIDENT_CAP_BYTES) return null;
  try {
    const ptr = rt.alloc(n * size, zero);
    return size === 4 ? new Float32Array(rt.memory.buffer, ptr, n) : new Uint16Array(rt.memory.buffer, ptr, n);
  } catch {
    return null;
  }
}

/** `residentArray` for float32. */
export function residentFloat32(n: number, zero = true): Float32Array | null {
  return residentArray('float32', n, zero) as Float32Array | null;
}

/** Gives back a buffer from `residentFloat32` (anything else is ignored). */
export function releaseResident(buf: unknown): void {
  if (runtime && ArrayBuffer.isView(buf) && runtime.owns(buf)) runtime.free(buf.byteOffset);
}
