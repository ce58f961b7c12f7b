/**
 * @file Matmul kernel parameters per adapter. A table keyed by the adapter's identity (vendor, architecture, device
 * string) holds what the sweep (bench/gpu-matmul-sweep.ts) found fastest there; unknown adapters get conservative
 * defaults that fit every WebGPU device's minimum limits. `setGpuTuning` and the `MLX_TS_GPU_TUNING` environment
 * variable (JSON of the same partial shape) override the result, for experiments and for the sweep itself.
 */

/** Register-blocked tiled matmul: a workgroup computes BM x BN outputs, each thread TM x TN of them. */
export interface TiledParams {
  bm: number;
  bn: number;
  bk: number;
  tm: number;
  tn: number;
  /** Load an operand four elements at a time where it is contiguous and aligned along the loaded dimension. */
  vec4: boolean;
  /** Tile rows walked together (L2 reuse across concurrent workgroups); 1 walks the tiles row by row. */
  group?: number;
  /** Load the next K tile into registers while the current one is multiplied (default true). */
  prefetch?: boolean;
}

/** Matrix-vector kernels (one operand has few rows or columns). */
export interface MatvecParams {
  /** Use them when min(M, N) is at most this (0 disables). */
  maxRows: number;
  /** Threads per workgroup. */
  wg: number;
  /** Outputs per workgroup when the matrix is contiguous along K (one team of threads per output). */
  rowsPerWg: number;
  /** Reduce with subgroupAdd when the device has `subgroups` (otherwise through workgroup memory). */
  subgroups: boolean;
  /** Matrix contiguous along the output dimension: K is cut into this many slices per workgroup... */
  kSlices: number;
  /** ...and into chunks of this many K per workgroup (0: one chunk, no partial sums). */
  kChunk: number;
}

/** Split-K: small outputs with a long reduction are cut along K into partial products summed afterwards. */
export interface SplitKParams {
  /** Only when batch * M * N is at most this... */
  maxOutputs: number;
  /** ...and K at least this. */
  minK: number;
  /** Aim for about this many workgroups in total. */
  targetGroups: number;
  /** Never give a split fewer than this many K. */
  minChunk: number;
}

/** Everything the matmul kernel selection reads. */
export interface GpuTuning {
  /** Tiles for large problems. */
  tiled: TiledParams;
  /** Tiles used when `tiled` would launch fewer than `smallBelowGroups` workgroups. */
  tiledSmall: TiledParams;
  smallBelowGroups: number;
  matvec: MatvecParams;
  splitK: SplitKParams;
  /**
   * Use the subgroup-matrix (tensor core) kernel for non-matvec shapes when the device was created with it
   * (`initGpu({ subgroupMatrix: true })`, which is the opt-in) and a configuration fits the dtypes.
   */
  subgroupMatrix: boolean;
  /** Pin one kernel (tests, sweep); 'auto' selects by shape. A forced kernel that cannot run falls back to auto. */
  force: 'auto' | 'plain' | 'tiled' | 'splitk' | 'matvec' | 'sgmatrix';
}

/** A partial override: any field, nested objects partially. */
export type GpuTuningOverride = {
  [K in keyof GpuTuning]?: GpuTuning[K] extends object ? Partial<GpuTuning[K]> : GpuTuning[K];
};

/** Identity of the adapter the device came from. */
export interface AdapterIdentity {
  vendor?: string;
  architecture?: string;
  device?: string;
}

/**
 * Defaults for unknown adapters: 256 invocations and 8 KiB of workgroup memory per tiled workgroup, inside the
 * WebGPU minimums (256 invocations, 16 KiB).
 */
export const DEFAULT_TUNING: GpuTuning = {
  tiled: { bm: 64, bn: 64, bk: 16, tm: 4, tn: 4, vec4: true },
  tiledSmall: { bm: 32, bn: 32, bk: 16, tm: 4, tn: 4, vec4: true },
  smallBelowGroups: 64,
  matvec: { maxRows: 4, wg: 256, rowsPerWg: 8, subgroups: true, kSlices: 8, kChunk: 512 },
  splitK: { maxOutputs: 128 * 128, minK: 1024, targetGroups: 256, minChunk: 256 },
  subgroupMatrix: true,
  force: 'auto',
};

/** NVIDIA Hopper parameters from bench/gpu-matmul-sweep.js on an H200 (2026-11-26). */
const HOPPER: GpuTuningOverride = {
  tiled: { bm: 256, bn: 128, bk: 16, tm: 8, tn: 8, vec4: true, group: 8 },
  tiledSmall: { bm: 64, bn: 64, bk: 16, tm: 4, tn: 4, vec4: true, group: 8 },
  smallBelowGroups: 33,
  matvec: { wg: 256, rowsPerWg: 8, subgroups: true, kSlices: 8, kChunk: 512 },
  splitK: { targetGroups: 1056, minChunk: 1024, maxOutputs: 65536 },
};

/** Per-adapter entries: the first whose `match` fits the adapter's identity overrides the defaults. */
export const TUNING_TABLE: { match: AdapterIdentity; tuning: GpuTuningOverride; note: string }[] = [
  {
    match: { vendor: 'nvidia', device: 'h200' },
    note: 'bench/gpu-matmul-sweep.js on an H200 (Dawn/Vulkan, 2026-11-26): 4096^3 f32 40.8 TFLOP/s with 256x128x16 tiles, 8x8 per thread',
    tuning: HOPPER,
  },
  {
    match: { vendor: 'nvidia', device: 'h100' },
    note: 'the H200 sweep\'s parameters (same Hopper SMs; the H100 has less memory bandwidth); not yet swept on an H100',
    tuning: HOPPER,
  },
];

let adapter: AdapterIdentity = {};
let override: GpuTuningOverride = {};
let cached: GpuTuning | null = null;

function merge(base: GpuTuning, o: GpuTuningOverride): GpuTuning {
  const out = { ...base } as Record<string, unknown>;
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    const b = (base as unknown as Record<string, unknown>)[k];
    out[k] = typeof v === 'object' && v !== null && typeof b === 'object' ? { ...(b as object), ...v } : v;
  }
  return out as unknown as GpuTuning;
}

const fits = (m: AdapterIdentity, a: AdapterIdentity): boolean =>
  (['vendor', 'architecture', 'device'] as const).every((k) => !m[k] || (a[k] ?? '').toLowerCase().includes(m[k]!.toLowerCase()));

function fromEnv(): GpuTuningOverride {
  const s = typeof process !== 'undefined' ? process.env?.['MLX_TS_GPU_TUNING'] : undefined;
  if (!s) return {};
  try {
    return JSON.parse(s) as GpuTuningOverride;
  } catch (e) {
    throw new Error(`[gpu] MLX_TS_GPU_TUNING is not valid JSON: ${(e as Error).message}`);
  }
}

/** @internal Called by initGpu with the adapter's identity. */
export function setTuningAdapter(id: AdapterIdentity): void {
  adapter = { ...id };
  cached = null;
}

/**
 * The parameters in force: defaults, then the table entry for the adapter, then `MLX_TS_GPU_TUNING`, then
 * `setGpuTuning`.
 */
export function gpuTuning(): GpuTuning {
  if (cached) return cached;
  let t = DEFAULT_TUNING;
  const row = TUNING_TABLE.find((r) => fits(r.match, adapter));
  if (row) t = merge(t, row.tuning);
  t = merge(merge(t, fromEnv()), override);
  cached = t;
  return t;
}

/**
 * Overrides matmul parameters for this process (merged over earlier overrides; `null` clears them). Returns the
 * previous override so it can be restored.
 *
 * @example
 * ```ts
 * const prev = setGpuTuning({ tiled: { bm: 128, bn: 128, tm: 8, tn: 8 } });
 * // ... time something ...
 * setGpuTuning(null); setGpuTuning(prev);
 * ```
 */
export function setGpuTuning(o: GpuTuningOverride | null): GpuTuningOverride {
  const prev = override;
  override = o === null ? {} : merge(override as GpuTuning, o) as GpuTuningOverride;
  cached = null;
  return prev;
}
