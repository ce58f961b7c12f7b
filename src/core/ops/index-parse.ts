/**
 * @file The index language of `a.index(...)` and `a.at(...)`: slice objects (`mx.sl`), the string mini-language
 * (`'1:, ::2, None, ...'`), and the planner that turns index items into an `IndexPlan` (NumPy's rules).
 */
import { MxArray, isArray } from '../array.js';
import * as dt from '../dtype.js';
import { broadcastShapes, fmtShape } from '../shape.js';
import { array } from '../construct.js';
import type { IndexPlan, ViewDim } from '../primitives/indexing.js';

/**
 * A slice `start:stop:step` (Python's `slice`). Omitted bounds default as in NumPy (by the sign of the step).
 *
 * @example
 * ```ts
 * a.index(new mx.Slice(1, null, 2)); // a[1::2]
 * ```
 */
export class Slice {
  constructor(
    readonly start: number | null = null,
    readonly stop: number | null = null,
    readonly step: number | null = null,
  ) {}
  toString(): string {
    const f = (x: number | null): string => (x === null ? '' : String(x));
    return `${f(this.start)}:${f(this.stop)}${this.step === null ? '' : `:${this.step}`}`;
  }
}

/**
 * Makes a slice: `mx.sl(start, stop, step)` is Python's `start:stop:step`; pass `null` (or nothing) to omit a bound.
 * Note the order: one argument is the *start* (`mx.sl(2)` is `2:`), unlike Python's `slice(2)`.
 *
 * @example
 * ```ts
 * a.index(mx.sl(1), mx.sl(null, null, -1)); // a[1:, ::-1]
 * ```
 */
export function sl(start?: number | null, stop?: number | null, step?: number | null): Slice {
  return new Slice(start ?? null, stop ?? null, step ?? null);
}

/**
 * One item of an index: an integer, `null` (new axis), `'...'` (ellipsis), a `Slice`, an integer array (gather,
 * NumPy advanced indexing), a JS list of integers (same as an int32 array), or a string in the mini-language
 * (comma-separated `1`, `-1`, `1:`, `::2`, `None`, `...`), which may stand for several items.
 */
export type IndexItem = number | null | Slice | MxArray | string | readonly number[];

const INT_RE = /^[+-]?\d+$/;

function parseInt_(tok: string, src: string, op: string): number {
  if (!INT_RE.test(tok)) throw new SyntaxError(`[${op}] Cannot parse "${tok}" in index "${src}".`);
  return Number(tok);
}

/** Parses the string mini-language into items. */
export function parseIndexString(src: string, op = 'index'): IndexItem[] {
  const out: IndexItem[] = [];
  for (const raw of src.split(',')) {
    const tok = raw.trim();
    if (tok === '...' || tok === 'Ellipsis') out.push('...');
    else if (tok === 'None' || tok === 'newaxis' || tok === 'null') out.push(null);
    else if (tok.includes(':')) {
      const parts = tok.split(':').map((s) => s.trim());
      if (parts.length > 3) throw new SyntaxError(`[${op}] Cannot parse slice "${tok}" in index "${src}".`);
      const [a, b, c] = parts.map((s) => (s === '' ? null : parseInt_(s, src, op)));
      out.push(new Slice(a ?? null, b ?? null, c ?? null));
    } else if (tok === '') {
      if (src.trim() === '') continue;
      throw new SyntaxError(`[${op}] Empty index item in "${src}".`);
    } else out.push(parseInt_(tok, src, op));
  }
  return out;
}

/** Start, step and extent of a slice over an axis of size `n` (NumPy's clamping of out-of-range bounds). */
export function sliceBounds(s: Slice, n: number, op: string): { start: number; step: number; size: number } {
  for (const v of [s.start, s.stop, s.step]) {
    if (v !== null && !Number.isInteger(v)) throw new TypeError(`[${op}] Slice bounds must be integers, got ${s}.`);
  }
  const step = s.step ?? 1;
  if (step === 0) throw new RangeError(`[${op}] Slice step cannot be zero.`);
  let start: number, stop: number, size: number;
  if (step > 0) {
    start = s.start === null ? 0 : s.start < 0 ? Math.max(0, s.start + n) : Math.min(s.start, n);
    stop = s.stop === null ? n : s.stop < 0 ? Math.max(0, s.stop + n) : Math.min(s.stop, n);
    size = stop > start ? Math.ceil((stop - start) / step) : 0;
  } else {
    start = s.start === null ? n - 1 : s.start < 0 ? Math.max(-1, s.start + n) : Math.min(s.start, n - 1);
    stop = s.stop === null ? -1 : s.stop < 0 ? Math.max(-1, s.stop + n) : Math.min(s.stop, n - 1);
    size = start > stop ? Math.ceil((start - stop) / -step) : 0;
  }
  return { start: size === 0 ? 0 : start, step, size };
}

/** An index item after parsing: strings expanded, JS lists turned into arrays. */
type Item = number | null | '...' | Slice | MxArray;

function normalizeItems(items: readonly IndexItem[], op: string): Item[] {
  const out: Item[] = [];
  for (const it of items) {
    if (typeof it === 'string') {
      if (it === '...') out.push('...');
      else out.push(...(parseIndexString(it, op) as Item[]));
    } else if (Array.isArray(it)) {
      if (!it.every((v) => typeof v === 'number' && Number.isInteger(v))) {
        throw new TypeError(`[${op}] A JS list index must hold integers; use an MxArray for anything else.`);
      }
      out.push(array(it as number[], dt.int32));
    } else if (it === null || typeof it === 'number' || it instanceof Slice || isArray(it)) out.push(it as Item);
    else if (it === undefined) throw new TypeError(`[${op}] An index item is undefined (use null for a new axis).`);
    else throw new TypeError(`[${op}] Unsupported index item ${String(it)} (${typeof it}).`);
  }
  return out;
}

/** A planned index: the static plan plus the index arrays it gathers with (in `advDims` order). */
export interface PlannedIndex {
  plan: IndexPlan;
  arrays: MxArray[];
}

/**
 * Plans `a[items]` for an array of `shape` (NumPy rules: ellipsis expansion, clamped slices, eagerly checked
 * integers; index arrays broadcast together, and their dims go where the first advanced index was when all
 * advanced indices are adjacent, else first). Integers count as advanced indices when arrays are present.
 */
export function planIndex(shape: readonly number[], rawItems: readonly IndexItem[], op: string): PlannedIndex {
  const items = normalizeItems(rawItems, op);
  const ndim = shape.length;
  let consumed = 0, ellipses = 0;
  for (const it of items) {
    if (it === '...') ellipses++;
    else if (it !== null) consumed++;
  }
  if (ellipses > 1) throw new SyntaxError(`[${op}] An index can only have a single ellipsis ("...").`);
  if (consumed > ndim) {
    throw new RangeError(`[${op}] Too many indices for array of shape ${fmtShape(shape)}: ${consumed} given, ${ndim} dimensions.`);
  }
  const full = new Slice();
  // pos: each expanded item's place in the written index; an ellipsis separates advanced indices even when it
  // stands for no dims (NumPy)
  const expanded: Item[] = [], pos: number[] = [];
  items.forEach((it, q) => {
    if (it !== '...') { expanded.push(it); pos.push(q); return; }
    for (let i = 0; i < ndim - consumed; i++) { expanded.push(full); pos.push(q); }
  });
  if (!ellipses) for (let i = 0; i < ndim - consumed; i++) { expanded.push(full); pos.push(items.length); }

  const hasArray = expanded.some((it) => isArray(it));
  const starts = new Array<number>(ndim).fill(0);
  const dims: ViewDim[] = [];
  const advDims: number[] = [], arrays: MxArray[] = [], advPos: number[] = [];
  let insertAt = -1, axis = 0;
  for (let p = 0; p < expanded.length; p++) {
    const it = expanded[p]!;
    if (it === null) { dims.push({ axis: -1, step: 1, size: 1 }); continue; }
    const n = shape[axis]!;
    if (typeof it === 'number') {
      if (!Number.isInteger(it)) throw new TypeError(`[${op}] Indices must be integers, got ${it}.`);
      if (it < -n || it >= n) {
        throw new RangeError(`[${op}] Index ${it} is out of bounds for axis ${axis} with size ${n} (shape ${fmtShape(shape)}).`);
      }
      starts[axis] = it < 0 ? it + n : it;
      if (hasArray) { advPos.push(pos[p]!); if (insertAt < 0) insertAt = dims.length; }
    } else if (it instanceof Slice) {
      const b = sliceBounds(it, n, op);
      starts[axis] = b.start;
      dims.push({ axis, step: b.step, size: b.size });
    } else if (it !== '...') {
      checkIndexArray(it, op);
      if (insertAt < 0) insertAt = dims.length;
      advPos.push(pos[p]!);
      advDims.push(dims.length);
      arrays.push(it);
      dims.push({ axis, step: 1, size: n });
    }
    axis++;
  }
  const adjacent = advPos.every((q, i) => i === 0 || q === advPos[i - 1]! + 1);
  const idxShape = arrays.length ? broadcastShapes(arrays.map((x) => x.shape), op) : [];
  return { plan: { starts, dims, advDims, idxShape, insertAt: !arrays.length ? 0 : adjacent ? insertAt : 0 }, arrays };
}

/** Index arrays must be integer typed (MLX has no boolean-mask gather: output shapes never depend on data). */
export function checkIndexArray(x: MxArray, op: string): void {
  x._check(op);
  if (x.dtype === dt.bool) {
    throw new TypeError(
      `[${op}] Boolean mask indexing is not supported for reads (MLX output shapes never depend on data); ` +
        'use mx.where(mask, a, other), or a.at(mask).set(v) to assign.',
    );
  }
  if (!dt.isInteger(x.dtype)) throw new TypeError(`[${op}] Index arrays must have an integer dtype, got ${x.dtype.name}.`);
}
