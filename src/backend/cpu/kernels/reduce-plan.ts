/**
 * @file Lane plans: how reduction, scan and sort kernels walk a strided view. The dims are split into outer (kept)
 * dims and lane dims; adjacent dims that are contiguous in every operand are merged, so a dense array reduced over
 * its trailing axes (or all of them) becomes one flat run per lane whatever its rank. A lane is then visited as
 * `rows` (offsets of the lane's leading dims) times an innermost run of `n` elements `step` apart, in row-major
 * order of the lane axes.
 */
import { sizeOf } from '../../../core/shape.js';
import { toFloat64, isBig, writer, type CpuView } from '../view.js';
import { rowMajorStrides } from '../../../core/shape.js';
import type { TypedArray } from '../../backend.js';

/** A walk over the lanes of one shape, shared by several operands (input and, for same-shape outputs, output). */
export interface LanePlan {
  /** Number of lanes. */
  lanes: number;
  /** Elements per lane. */
  laneSize: number;
  /** Per operand: the base offset of each lane (view offset included). */
  outer: Float64Array[];
  /** Per operand: offsets of the lane's rows relative to the base. */
  rows: Int32Array[];
  /** Length of the innermost run. */
  n: number;
  /** Per operand: stride of the innermost run. */
  step: number[];
}

interface Dim { size: number; strides: number[] }

function merge(shape: readonly number[], dims: readonly number[], strides: readonly (readonly number[])[]): Dim[] {
  const out: Dim[] = [];
  for (const d of dims) {
    const size = shape[d]!;
    if (size === 1) continue;
    const st = strides.map((s) => s[d]!);
    const prev = out[out.length - 1];
    if (prev && size !== 0 && prev.size !== 0 && st.every((s, q) => prev.strides[q] === s * size)) {
      prev.size *= size;
      prev.strides = st;
    } else out.push({ size, strides: st });
  }
  return out;
}

/** Offsets of every index of `dims` (row-major), per operand, starting from `base`. */
function walk(dims: readonly Dim[], base: readonly number[], m: number, Arr: Float64ArrayConstructor | Int32ArrayConstructor): (Float64Array | Int32Array)[] {
  const n = sizeOf(dims.map((d) => d.size));
  const out = Array.from({ length: m }, () => new Arr(n));
  if (n === 0) return out;
  const nd = dims.length, idx = new Int32Array(nd), cur = [...base];
  for (let k = 0; k < n; k++) {
    for (let q = 0; q < m; q++) out[q]![k] = cur[q]!;
    for (let d = nd - 1; d >= 0; d--) {
      const dim = dims[d]!;
      if (++idx[d]! < dim.size) { for (let q = 0; q < m; q++) cur[q] = cur[q]! + dim.strides[q]!; break; }
      idx[d] = 0;
      for (let q = 0; q < m; q++) cur[q] = cur[q]! - dim.strides[q]! * (dim.size - 1);
    }
  }
  return out;
}

/**
 * Plans the walk of `shape` with `laneAxes` (sorted) as lanes, for operands with the given strides and offsets.
 *
 * @example
 * ```ts
 * const p = lanePlan([2, 3], [1], [x.strides], [x.offset]); // two lanes of three
 * ```
 */
export function lanePlan(
  shape: readonly number[], laneAxes: readonly number[], strides: readonly (readonly number[])[], offsets: readonly number[],
): LanePlan {
  const m = strides.length;
  const keep: number[] = [];
  for (let i = 0; i < shape.length; i++) if (!laneAxes.includes(i)) keep.push(i);
  const outerDims = merge(shape, keep, strides);
  const laneDims = merge(shape, laneAxes, strides);
  const laneSize = sizeOf(laneAxes.map((a) => shape[a]!));
  const inner = laneDims.pop() ?? { size: 1, strides: new Array<number>(m).fill(0) };
  const outer = walk(outerDims, offsets, m, Float64Array) as Float64Array[];
  const rows = laneSize === 0
    ? Array.from({ length: m }, () => new Int32Array(0))
    : walk(laneDims, new Array<number>(m).fill(0), m, Int32Array) as Int32Array[];
  return { lanes: outer[0]!.length, laneSize, outer, rows, n: laneSize === 0 ? 0 : inner.size, step: inner.strides };
}

/** A readable source of numbers: the view's own buffer when its elements are plain JS numbers, else a float64 copy. */
export interface NumSource { buf: TypedArray; strides: readonly number[]; offset: number }

/** Whether a dtype's storage holds its values directly as JS numbers. */
export function isPlain(v: CpuView): boolean {
  const n = v.dtype.name;
  return n !== 'float16' && n !== 'bfloat16' && n !== 'complex64' && !isBig(v.dtype);
}

/** The view's values as numbers (half floats decoded, 64-bit ints rounded to doubles). */
export function numSource(v: CpuView): NumSource {
  if (isPlain(v)) return v;
  return { buf: toFloat64(v), strides: rowMajorStrides(v.shape), offset: 0 };
}

/** Copies lane `l` of operand `q` into `dst` (length laneSize) in lane order. */
export function gatherLane(buf: TypedArray, p: LanePlan, l: number, q: number, dst: { [i: number]: number | bigint }): void {
  const base = p.outer[q]![l]!, rows = p.rows[q]!, n = p.n, st = p.step[q]!;
  const src = buf as unknown as { [i: number]: number | bigint };
  let k = 0;
  for (let r = 0; r < rows.length; r++) {
    let i = base + rows[r]!;
    for (let j = 0; j < n; j++, i += st) dst[k++] = src[i]!;
  }
}

/** Writes `src` (length laneSize, lane order) into lane `l` of operand `q`. */
export function scatterLane(buf: TypedArray, p: LanePlan, l: number, q: number, src: { readonly [i: number]: number | bigint }): void {
  const base = p.outer[q]![l]!, rows = p.rows[q]!, n = p.n, st = p.step[q]!;
  const dst = buf as unknown as { [i: number]: number | bigint };
  let k = 0;
  for (let r = 0; r < rows.length; r++) {
    let i = base + rows[r]!;
    for (let j = 0; j < n; j++, i += st) dst[i] = src[k++]!;
  }
}

/**
 * Writes numbers (lane order) into lane `l` of operand `q`, a view of `o`'s buffer. Typed-array stores round and
 * wrap as C casts for every dtype but the half floats, which go through `tmp` (a scratch of o's storage type).
 */
export function storeLane(o: CpuView, p: LanePlan, l: number, q: number, vals: Float64Array, tmp: TypedArray): void {
  if (o.dtype.name !== 'float16' && o.dtype.name !== 'bfloat16') { scatterLane(o.buf, p, l, q, vals); return; }
  const w = writer(o.dtype);
  for (let k = 0; k < vals.length; k++) w(tmp, k, vals[k]!);
  scatterLane(o.buf, p, l, q, tmp as unknown as Float64Array);
}
