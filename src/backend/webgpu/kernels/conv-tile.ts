/**
 * @file The register-tiled GEMM core shared by the GPU `conv` (implicit GEMM) and `contract`/`addmm` kernels. A
 * workgroup of 256 invocations computes a TM x TN output tile; each invocation owns RM x RN outputs spaced TY rows
 * and TX columns apart, so its reads of the staged tiles are broadcasts or consecutive words. A and B are staged
 * TK columns (of the reduction) at a time in workgroup memory, k-major, by code the caller supplies: only the
 * gathering differs between the kernels (a convolution window with bounds checks, or offset tables).
 */

/** Invocations per workgroup of every tiled kernel. */
export const WG = 256;

/** A tile shape: TM x TN outputs, TK reduction columns per stage, TX x TY invocations (TX * TY = WG). */
export interface Tile { TM: number; TN: number; TK: number; TX: number; TY: number }

// Ordered from the most reuse per loaded word to the least; workgroup memory stays within the 16 KiB every
// WebGPU device offers (A + B tiles + up to four i32 words of per-row data per row).
const TILES: Tile[] = [
  { TM: 64, TN: 64, TK: 16, TX: 16, TY: 16 },
  { TM: 128, TN: 32, TK: 16, TX: 8, TY: 32 },
  { TM: 32, TN: 128, TK: 16, TX: 32, TY: 8 },
  { TM: 128, TN: 16, TK: 16, TX: 8, TY: 32 },
  { TM: 16, TN: 128, TK: 16, TX: 32, TY: 8 },
  { TM: 128, TN: 8, TK: 16, TX: 8, TY: 32 },
  { TM: 8, TN: 128, TK: 16, TX: 32, TY: 8 },
  { TM: 128, TN: 4, TK: 16, TX: 4, TY: 64 },
  { TM: 4, TN: 128, TK: 16, TX: 64, TY: 4 },
  { TM: 256, TN: 1, TK: 8, TX: 1, TY: 256 },
  { TM: 1, TN: 256, TK: 8, TX: 256, TY: 1 },
];

/**
 * The tile for an M x N output: the first (most reuse) one that wastes at most a quarter of its lanes on padding,
 * else the one with the least waste. Small channel counts (depthwise convs, matrix-vector products) get narrow
 * tiles instead of idle lanes.
 */
export function pickTile(M: number, N: number): Tile {
  let best = TILES[0]!, bestWaste = Infinity;
  for (const t of TILES) {
    const fill = (M * N) / (Math.ceil(M / t.TM) * t.TM * Math.ceil(N / t.TN) * t.TN);
    if (fill >= 0.75) return t;
    const waste = 1 - fill;
    if (waste < bestWaste) { bestWaste = waste; best = t; }
  }
  return best;
}

/** Rows (or columns) a stage loop covers per pass when each invocation loads one element per pass. */
export const passRows = (t: Tile): number => WG / t.TK;

/**
 * WGSL of the workgroup arrays plus the reduction loop. Inside `main`, before this code: `tid` (i32 local index),
 * `tx`/`ty` (i32 position in the TX x TY grid); `stage` fills `As[kk * TM + m]` and `Bs[kk * TN + n]` for the
 * columns `k0 .. k0 + TK` (zero outside the operands), `kEnd` is the reduction length. Leaves `acc_i_j`.
 */
export function tileDecls(t: Tile): string {
  return `var<workgroup> As: array<f32, ${t.TK * t.TM}>;\nvar<workgroup> Bs: array<f32, ${t.TK * t.TN}>;`;
}

/** The k loop from `kBeg` to `kEnd`: stage, barrier, RM x RN outer products per column, barrier (see tileDecls). */
export function tileLoop(t: Tile, stage: string, kBeg: string, kEnd: string): string {
  const RM = t.TM / t.TY, RN = t.TN / t.TX;
  const lines: string[] = [];
  for (let i = 0; i < RM; i++) for (let j = 0; j < RN; j++) lines.push(`var acc_${i}_${j} = 0.0;`);
  const body: string[] = [];
  for (let i = 0; i < RM; i++) body.push(`let a${i} = As[kk * ${t.TM} + ty + ${i * t.TY}];`);
  for (let j = 0; j < RN; j++) body.push(`let b${j} = Bs[kk * ${t.TN} + tx + ${j * t.TX}];`);
  for (let i = 0; i < RM; i++) for (let j = 0; j < RN; j++) body.push(`acc_${i}_${j} += a${i} * b${j};`);
  lines.push(`for (var k0 = ${kBeg}; k0 < ${kEnd}; k0 += ${t.TK}) {
    ${stage}
    workgroupBarrier();
    for (var kk = 0; kk < ${t.TK}; kk++) {
      ${body.join('\n      ')}
    }
    workgroupBarrier();
  }`);
  return lines.join('\n  ');
}

/**
 * Stores every accumulator: `store(i, j)` returns the statement for accumulator `acc_i_j`, whose local row is
 * `ty + i * TY` and column `tx + j * TX`.
 */
export function tileStore(t: Tile, store: (i: number, j: number) => string): string {
  const RM = t.TM / t.TY, RN = t.TN / t.TX, out: string[] = [];
  for (let i = 0; i < RM; i++) for (let j = 0; j < RN; j++) out.push(store(i, j));
  return out.join('\n  ');
}

/**
 * A loop over the element slots one invocation stages per k-stage when columns are the fast index: slot `s`
 * covers local row `tid / TK + s * (WG / TK)` of a tile with `rows` rows, column `tid % TK`. `body(row)` is the
 * statement for one row expression.
 */
export function kFastSlots(t: Tile, rows: number, body: (row: string) => string): string {
  const step = passRows(t), out: string[] = [];
  for (let s = 0; s * step < rows; s++) {
    const row = `(tid / ${t.TK} + ${s * step})`;
    out.push(rows % step === 0 || (s + 1) * step <= rows ? `{ ${body(row)} }` : `if (${row} < ${rows}) { ${body(row)} }`);
  }
  return out.join('\n    ');
}

// split-K: enough workgroups to fill a large GPU, each reduction slice at least this many columns long
const TARGET_GROUPS = 512, MIN_SLICE = 256;

/**
 * How many slices to cut a reduction of length K into when an output of `groups` workgroups is too small to fill
 * the GPU (weight gradients: a small output, a reduction over every image position). The slice length is a
 * multiple of `tk`, and the partial sums (`slices * outSize` floats) stay under `maxFloats`.
 */
export function splitK(groups: number, K: number, tk: number, outSize: number, maxFloats: number): { slices: number; chunk: number } {
  let slices = Math.max(1, Math.min(Math.ceil(TARGET_GROUPS / Math.max(1, groups)), Math.floor(K / MIN_SLICE)));
  slices = Math.max(1, Math.min(slices, Math.floor(maxFloats / Math.max(1, outSize))));
  const chunk = Math.ceil(Math.ceil(K / slices) / tk) * tk;
  return { slices: Math.max(1, Math.ceil(K / Math.max(1, chunk))), chunk: Math.max(tk, chunk) };
}

const sources = new Map<string, string>();

/**
 * WGSL source by structural key, generated once: building a shader string of several KiB per launch showed up as
 * host time on small convolutions (the backend's pipeline cache is keyed by the source itself).
 */
export function cachedSource(key: string, make: () => string): string {
  let s = sources.get(key);
  if (s === undefined) { s = make(); sources.set(key, s); }
  return s;
}

/** Named slots of a launch's i32 parameter buffer: `at(name)` is the WGSL read, `values` fills it in order. */
export class Params {
  readonly values: number[] = [];
  readonly #index = new Map<string, number>();
  constructor(fields: readonly string[]) {
    for (const f of fields) { this.#index.set(f, this.values.length); this.values.push(0); }
  }
  set(name: string, v: number): void { this.values[this.#slot(name)] = v; }
  at(name: string): string { return `prm[${this.#slot(name)}]`; }
  #slot(name: string): number {
    const i = this.#index.get(name);
    if (i === undefined) throw new Error(`[gpu] Unknown kernel parameter ${name}.`);
    return i;
  }
}

/** The i32 bits of a float32 value (alpha/beta travel in the i32 parameter buffer). */
export function f32Bits(x: number): number {
  const b = new DataView(new ArrayBuffer(4));
  b.setFloat32(0, x, true);
  return b.getInt32(0, true);
}
