/**
 * @file Pipelines and bind groups of the WebGPU backend: a pipeline cache keyed by WGSL source and binding mode, and
 * a bind group cache keyed by pipeline and buffers, so steady-state loops (whose pooled buffers recur) create
 * neither. Creating a bind group costs far more host time than a launch (docs/GPU.md, dispatch economy).
 */
/// <reference types="@webgpu/types" />
import type { PooledBuffer } from './allocator.js';
import { ParamRef, type IdSource } from './arena.js';

/** Whether a binding is part of a larger buffer (a slab slot or a parameter slice) rather than the whole buffer. */
export const sliced = (b: PooledBuffer): boolean => b.slab !== undefined || b instanceof ParamRef;

/** A compiled pipeline, its bind group layout and an id for the bind group cache. */
export interface Pipeline {
  module: GPUShaderModule;
  pipe: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  pl: GPUPipelineLayout | 'auto';
  id: number;
  /** Every binding takes a dynamic offset. */
  dynamic: boolean;
}

/** A replayed launch's memo for `dispatchMemo` (start with `newLaunchMemo()`). */
export interface LaunchMemo {
  /** The pipeline cache whose pipeline and bind group these are (a new device after `initGpu` starts afresh). */
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

/** The pipelines and bind groups of one device. */
export class PipelineCache {
  // the shader module stays referenced with its pipeline: Dawn's Node binding crashes if a module is collected
  // while its pipeline lives
  private readonly pipelines = new Map<string, Map<number, Pipeline>>();
  /** Bind groups by pipeline and buffers: steady-state loops reuse them (pooled buffers recur). */
  readonly groups = new Map<string, GPUBindGroup>();
  private readonly bufIds = new WeakMap<GPUBuffer, number>();
  private readonly maxDyn: number;

  constructor(
    private readonly device: GPUDevice,
    private readonly stats: { pipelines: number; bindGroups: number },
    private readonly ids: IdSource,
  ) {
    this.maxDyn = Number(globalThis.process?.env?.MLX_TS_GPU_MAXDYN) || (device.limits.maxDynamicStorageBuffersPerPipelineLayout ?? 4);
  }

  /**
   * The pipeline of `code` for these bindings. Launches that bind parameter slices or slab slots use an explicit
   * layout in which every binding takes a dynamic offset, so one bind group serves every launch that binds the same
   * buffers. Slab slots are declared read-write (in the layout and, rewritten, in the WGSL) because two slots of one
   * slab may be an input and the output of the same launch, and WebGPU forbids a buffer being read-only and writable
   * storage in one dispatch; the access modes of whole buffers stay as written.
   */
  pipeline(code: string, buffers: readonly PooledBuffer[]): Pipeline {
    let mask = 0, slots = 0;
    for (let i = 0; i < buffers.length; i++) {
      const b = buffers[i]!;
      if (b instanceof ParamRef) mask |= 1 << i;
      else if (b.slab) { mask |= 1 << i; slots |= 1 << i; }
    }
    // every binding needs a dynamic offset; past the device's limit, slices are bound at fixed offsets instead
    const dynamic = mask !== 0 && buffers.length <= this.maxDyn;
    let byMode = this.pipelines.get(code);
    if (!byMode) this.pipelines.set(code, (byMode = new Map()));
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
      p = { module, pipe, layout: bgl ?? pipe.getBindGroupLayout(0), pl: layout, id: this.ids.next++, dynamic };
      byMode.set(mode, p);
      this.stats.pipelines++;
    }
    return p;
  }

  private bufId(b: GPUBuffer): number {
    let id = this.bufIds.get(b);
    if (id === undefined) this.bufIds.set(b, (id = this.ids.next++));
    return id;
  }

  /** The bind group of `buffers` for pipeline `p`, from the cache when the same buffers were bound before. */
  bindGroup(p: Pipeline, buffers: readonly PooledBuffer[]): GPUBindGroup {
    let key = String(p.id);
    // a slot or slice binds its size at offset 0 plus a dynamic offset, or (no dynamic offsets) at its own offset
    for (const b of buffers) {
      key += `,${this.bufId(b.buffer)}`;
      if (sliced(b)) key += p.dynamic ? `:${b.size}` : `:${b.size}@${b.offset}`;
    }
    let bg = this.groups.get(key);
    if (!bg) {
      bg = this.device.createBindGroup({
        layout: p.layout,
        entries: buffers.map((b, i) => ({
          binding: i,
          resource: sliced(b) ? { buffer: b.buffer, offset: p.dynamic ? 0 : b.offset, size: b.size } : { buffer: b.buffer },
        })),
      });
      if (this.groups.size >= 4096) this.groups.clear();
      this.groups.set(key, bg);
      this.stats.bindGroups++;
    }
    return bg;
  }

  /**
   * The bind group of a launch replayed from a recording (webgpu/replay.ts), whose bindings never alias; its
   * pipeline is left in `m.pipe`. The memo keeps the pipeline and the bind group of the buffers it bound last, so a
   * replay that binds the same buffers again skips both lookups.
   */
  memo(code: string, buffers: readonly PooledBuffer[], m: LaunchMemo): GPUBindGroup {
    let key = 0;
    for (let i = 0; i < buffers.length; i++) {
      const b = buffers[i]!;
      if (b instanceof ParamRef) key |= 1 << i;
      else if (b.slab) key |= 0x101 << i;
    }
    if (m.owner !== this) { m.owner = this; m.pipe = null; }
    let p = m.pipe as Pipeline | null;
    if (!p || m.key !== key) { p = this.pipeline(code, buffers); m.pipe = p; m.key = key; m.bg = null; }
    let bg = m.bg as GPUBindGroup | null;
    if (bg) {
      for (let i = 0; i < buffers.length; i++) {
        const b = buffers[i]!;
        if (m.bufs[i] !== b.buffer || m.sizes[i] !== b.size || (!p.dynamic && m.offsets[i] !== b.offset)) { bg = null; break; }
      }
    }
    if (!bg) {
      bg = this.bindGroup(p, buffers);
      m.bg = bg;
      m.bufs = buffers.map((b) => b.buffer);
      m.sizes = buffers.map((b) => b.size);
      m.offsets = buffers.map((b) => b.offset);
    }
    return bg;
  }
}
