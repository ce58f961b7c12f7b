/**
 * @file Launch parameters of the fast reduction, softmax/logsumexp and contiguous elementwise kernels. They are
 * plain numbers so that bench/gpu-reduce-sweep.ts can try candidates and the best ones can be pinned per adapter
 * (the lead merges this table into the shared tuning module). Every value must be a power of two where noted:
 * the generated shaders fold by halving.
 */

/** Launch parameters of the fast kernels. */
export interface ReduceTuning {
  /** Elementwise: workgroup size (power of two). */
  ewWg: number;
  /** Elementwise: vec4 per invocation and block. */
  ewVec: number;
  /** Elementwise: at most this many workgroups, each striding over blocks (0: one workgroup per block). */
  ewGroups: number;
  /** Reductions: workgroup size (power of two, <= 1024). */
  redWg: number;
  /** Reductions: vec4 loads issued per loop iteration (more loads in flight). */
  redVec: number;
  /** Reductions: elements each invocation should own at least before a row gets more invocations. */
  redPerThread: number;
  /** Split a reduction into chunks until about this many workgroups run (then a second small pass folds them). */
  targetGroups: number;
  /** Column reductions: output columns per workgroup (power of two); the rest of the workgroup splits rows. */
  colX: number;
  /** Softmax, one-read path: smallest workgroup (power of two; short rows share one). */
  smWg: number;
  /** Softmax, one-read path: vec4 each invocation keeps in registers. */
  smKeep: number;
  /** Softmax, one-read path: largest workgroup it may use (power of two). */
  smMaxWg: number;
  /** Softmax: rows longer than this many elements take the online path (two reads) instead. */
  smKeepMaxLen: number;
  /** Softmax, online path: workgroup size (power of two). */
  smOnlineWg: number;
  /** logsumexp: workgroup size (power of two). */
  lseWg: number;
  /** Use subgroup operations when the device has the `subgroups` feature. */
  subgroups: boolean;
  /** Use the fast paths at all (false: the generic kernels only, the sweep's baseline). */
  fastPaths: boolean;
}

/**
 * Defaults from bench/gpu-reduce-sweep.ts on an NVIDIA H200 under Dawn/Vulkan (2026-11-26), GB/s of the fast kernel
 * vs PyTorch 2.11 in the same run: x * s 256 MiB 3767-3844 vs 4147; sum 256 MiB 3484 vs 3861; sum of
 * [65536, 1024] over the last axis 3844 vs 3905; softmax [16384, 4096] 3460 vs 2554; logsumexp [16384, 4096] 3423 vs
 * 561; softmax [4096, 32000] 2752 (online path: it reads twice, so 4.1 TB/s moved); logsumexp [4096, 32000] 3839.
 */
const DEFAULTS: ReduceTuning = {
  ewWg: 1024, ewVec: 2, ewGroups: 0,
  redWg: 256, redVec: 4, redPerThread: 16, targetGroups: 1024, colX: 32,
  smWg: 64, smKeep: 8, smMaxWg: 1024, smKeepMaxLen: 16384, smOnlineWg: 1024, lseWg: 64,
  subgroups: true, fastPaths: true,
};

let current: ReduceTuning = { ...DEFAULTS };

/** The parameters in use. */
export function reduceTuning(): Readonly<ReduceTuning> {
  return current;
}

/**
 * Overrides some parameters; returns the previous set so a caller (the sweep, a test) can restore it.
 *
 * @example
 * ```ts
 * const prev = setReduceTuning({ subgroups: false });
 * try { ... } finally { setReduceTuning(prev); }
 * ```
 */
export function setReduceTuning(p: Partial<ReduceTuning>): ReduceTuning {
  const prev = current;
  current = { ...current, ...p };
  return prev;
}

/** Restores the built-in defaults. */
export function resetReduceTuning(): void {
  current = { ...DEFAULTS };
}

/** Smallest power of two >= n (n >= 1). */
export function pow2ceil(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, n)));
}
