/**
 * @file Indexing primitives: strided views (basic slicing), gathers and scatters (advanced indexing, `take`,
 * `takeAlongAxis`, `putAlongAxis`, `.at[...]`), and dynamic slices whose start is an array.
 *
 * The static index plan (`IndexPlan`) is shared by reads and writes: `starts` fixes a start per input axis (ints and
 * slice starts), `dims` lists the dims of the strided view (axis -1 is a new axis), and an advanced index adds the
 * broadcast shape of its index arrays at `insertAt`, replacing the view dims in `advDims`.
 */
import { definePrimitives, single } from '../primitive.js';
import { indexingReadRules as R } from '../transforms/rules-indexing.js';
import { indexingWriteRules as W } from '../transforms/rules-indexing-scatter.js';

/** One dim of a strided view: which input axis it walks (-1 for a new axis), with which step and extent. */
export interface ViewDim {
  axis: number;
  step: number;
  size: number;
}

/** A basic (strided) index: a start per input axis plus the dims of the view. */
export interface BasicPlan {
  starts: readonly number[];
  dims: readonly ViewDim[];
}

/** A full index: the basic part plus where the index arrays (inputs after the data) go. */
export interface IndexPlan extends BasicPlan {
  /** For each index array, the view dim it indexes (that dim spans its whole axis with step 1). */
  advDims: readonly number[];
  /** Broadcast shape of the index arrays. */
  idxShape: readonly number[];
  /** Position of the index dims in the output (NumPy: where the first advanced index was, or 0 if they are apart). */
  insertAt: number;
}

/** How a scatter combines an update with the element already there. */
export type ScatterMode = 'set' | 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min';

declare module '../primitive.js' {
  interface PrimitiveParams {
    /** A strided view of the input (no copy on the CPU). */
    indexView: BasicPlan;
    /** NumPy advanced indexing: inputs `[a, ...indexArrays]`. Indices wrap once when negative, then clamp. */
    gather: IndexPlan;
    /** `a.flat[idx]`: inputs `[a, idx]`, output of the index's shape. */
    gatherFlat: Record<string, never>;
    /** `takeAlongAxis`: inputs `[a, idx]`; `shape` is the broadcast output shape. */
    gatherAxis: { axis: number; shape: readonly number[] };
    /** Copy of `a` with `updates` combined at an index plan: inputs `[a, updates, ...indexArrays]`. */
    scatter: IndexPlan & { mode: ScatterMode };
    /** Copy of `a` with `a.flat[idx] (mode)= values`: inputs `[a, idx, values]`. */
    scatterFlat: { mode: ScatterMode };
    /** `putAlongAxis`: inputs `[a, idx, values]`; `shape` is the broadcast shape of the index. */
    scatterAxis: { axis: number; shape: readonly number[]; mode: ScatterMode };
    /** Copy of `a` with values combined where a boolean mask (over leading dims) is true: `[a, mask, values]`. */
    maskScatter: { mode: ScatterMode };
    /** Dynamic slice: inputs `[a, start]`; start gives one index per entry of `axes`. */
    dynamicSlice: { axes: readonly number[]; sizes: readonly number[] };
    /** Dynamic slice update: inputs `[a, update, start]`. */
    dynamicSliceUpdate: { axes: readonly number[] };
  }
}

/** Output shape of a gather (or the update shape of a scatter) under a plan. */
export function planShape(p: IndexPlan): number[] {
  const out: number[] = [];
  const adv = new Set(p.advDims);
  for (let i = 0; i < p.dims.length; i++) {
    if (i === p.insertAt && p.advDims.length) out.push(...p.idxShape);
    if (!adv.has(i)) out.push(p.dims[i]!.size);
  }
  if (p.advDims.length && p.insertAt >= p.dims.length) out.push(...p.idxShape);
  return out;
}

definePrimitives({
  indexView: { outputs: ([x], p) => single(p.dims.map((d) => d.size), x!.dtype), ...R.indexView },
  gather: { outputs: ([x], p) => single(planShape(p), x!.dtype), ...R.gather },
  gatherFlat: { outputs: ([x, i]) => single(i!.shape, x!.dtype), ...R.gatherFlat },
  gatherAxis: { outputs: ([x], p) => single(p.shape, x!.dtype), ...R.gatherAxis },
  scatter: { outputs: ([x]) => single(x!.shape, x!.dtype), ...W.scatter },
  scatterFlat: { outputs: ([x]) => single(x!.shape, x!.dtype), ...W.scatterFlat },
  scatterAxis: { outputs: ([x]) => single(x!.shape, x!.dtype), ...W.scatterAxis },
  maskScatter: { outputs: ([x]) => single(x!.shape, x!.dtype), ...W.maskScatter },
  dynamicSlice: { outputs: ([x], p) => single(p.sizes, x!.dtype), ...R.dynamicSlice },
  dynamicSliceUpdate: { outputs: ([x]) => single(x!.shape, x!.dtype), ...W.dynamicSliceUpdate },
});
