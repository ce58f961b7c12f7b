/**
 * @file The ergonomic index API: `a.index(...)` reads (MLX's `a[...]`), `a.at(...).set/add/...(v)` writes (MLX's
 * `a[...] = v` and `a.at[...].add(v)`). Writes are functional: they return a new array and leave `a` unchanged.
 */
import { MxArray, bind, isArray, type ArrayLike } from '../array.js';
import * as dt from '../dtype.js';
import { toStream, type StreamOpt } from '../device.js';
import { fmtShape } from '../shape.js';
import { asArray } from '../construct.js';
import { astype } from './basic.js';
import { isOptions } from './args.js';
import { planShape, type ScatterMode } from '../primitives/indexing.js';
import { Slice, planIndex, type IndexItem } from './index-parse.js';

/** Splits a trailing `{stream}` options object off variadic index items. */
function splitOpts(items: readonly (IndexItem | StreamOpt)[]): { items: IndexItem[]; opts: StreamOpt } {
  const last = items[items.length - 1];
  if (items.length && isOptions(last) && !(last instanceof Slice)) {
    return { items: items.slice(0, -1) as IndexItem[], opts: last as StreamOpt };
  }
  return { items: items as IndexItem[], opts: {} };
}

/**
 * Reads `a[items]` with NumPy's indexing rules (MLX's `a[...]`). Items: integers (negative count from the end;
 * out of range throws), `null` (new axis), `'...'`, `mx.sl(start, stop, step)`, integer arrays or JS integer lists
 * (gather; several arrays broadcast together), and strings of the mini-language, which read as the Python
 * subscript would: `a.index('1:, ::2, None, ...')` is `a[1:, ::2, None, ...]`. A trailing `{stream}` object picks
 * the stream.
 *
 * Basic indexing (no arrays) is a strided view sharing `a`'s storage on the CPU (no copy). Index arrays are
 * gathers: out-of-range entries are undefined in MLX; here a negative entry wraps once and the result clamps into
 * the axis, so a bad index never reads outside the array. Boolean masks are rejected (MLX has no data-dependent
 * output shapes): use `mx.where`, or `a.at(mask).set(v)`.
 *
 * @example
 * ```ts
 * const a = mx.arange(24).reshape([2, 3, 4]);
 * a.index(0, mx.sl(1), -1);              // a[0, 1:, -1]   -> shape [2]
 * a.index('..., ::-2');                   // a[..., ::-2]   -> shape [2, 3, 2]
 * a.index([1, 0], mx.array([2, 2]));       // a[[1, 0], [2, 2]] -> shape [2, 4] (a gather)
 * ```
 */
export function index(a: MxArray, ...rawItems: (IndexItem | StreamOpt)[]): MxArray {
  a._check('index');
  const { items, opts } = splitOpts(rawItems);
  const stream = toStream(opts.stream, 'index');
  const { plan, arrays } = planIndex(a.shape, items, 'index');
  if (!arrays.length) return bind('indexView', [a], { starts: plan.starts, dims: plan.dims }, stream);
  return bind('gather', [a, ...arrays], plan, stream);
}

/**
 * The write side of `a.at(...)`. Every method returns a NEW array: `a` itself is unchanged (as JAX's `.at`). MLX's
 * in-place `a[idx] = v` becomes `a = a.at(idx).set(v)`. The updates `v` are cast to `a`'s dtype and broadcast to
 * the shape `a.index(idx)` would have. Except `set`, the methods accumulate over repeated indices (MLX's
 * `a.at[idx].add(v)`, NumPy's `np.add.at`); with `set`, the last of repeated indices wins (MLX leaves it
 * unspecified).
 *
 * A boolean mask of `a`'s leading dims (the only item) selects elements to update: `v` is one value, or the
 * values consumed in row-major order of the selected elements (NumPy's `a[mask] = v`).
 */
export class AtIndexer {
  /** @internal */
  constructor(private readonly a: MxArray, private readonly items: readonly IndexItem[]) {}

  /** `a[idx] = v`. @example `a = a.at(0, mx.sl(1)).set(0)` */
  set(v: ArrayLike, opts: StreamOpt = {}): MxArray { return this.#scatter('set', v, opts, 'at.set'); }
  /** `a[idx] += v`, accumulating repeats. @example `a.at(mx.array([0, 0])).add(1)` adds 2 to `a[0]` */
  add(v: ArrayLike, opts: StreamOpt = {}): MxArray { return this.#scatter('add', v, opts, 'at.add'); }
  /** `a[idx] -= v`, accumulating repeats. @example `a.at(1).subtract(2)` */
  subtract(v: ArrayLike, opts: StreamOpt = {}): MxArray { return this.#scatter('sub', v, opts, 'at.subtract'); }
  /** `a[idx] *= v`, accumulating repeats. @example `a.at('::2').multiply(10)` */
  multiply(v: ArrayLike, opts: StreamOpt = {}): MxArray { return this.#scatter('mul', v, opts, 'at.multiply'); }
  /**
   * `a[idx] *= 1 / v`, accumulating repeats: as MLX's `a.at[idx].divide(v)` (python/src/indexing.cpp), `v` is cast
   * to `a`'s dtype, its reciprocal (float) is cast back to `a`'s dtype and multiplied in. So float results can
   * differ from a true division by an ulp, and integer arrays get `x * trunc(1 / v)`: 0 unless v is ±1.
   * @example `a.at(0).divide(2)`
   */
  divide(v: ArrayLike, opts: StreamOpt = {}): MxArray { return this.#scatter('div', v, opts, 'at.divide'); }
  /** `a[idx] = maximum(a[idx], v)` over repeats (NaN propagates). @example `a.at([0, 0]).maximum(mx.array([1, 5]))` */
  maximum(v: ArrayLike, opts: StreamOpt = {}): MxArray { return this.#scatter('max', v, opts, 'at.maximum'); }
  /** `a[idx] = minimum(a[idx], v)` over repeats (NaN propagates). @example `a.at(-1).minimum(0)` */
  minimum(v: ArrayLike, opts: StreamOpt = {}): MxArray { return this.#scatter('min', v, opts, 'at.minimum'); }

  #scatter(mode: ScatterMode, v: ArrayLike, opts: StreamOpt, op: string): MxArray {
    const a = this.a;
    a._check(op);
    const stream = toStream(opts.stream, op);
    // MLX subtracts by adding the negated update, and bool arrays have no negative
    if (mode === 'sub' && a.dtype === dt.bool) throw new TypeError(`[${op}] Not supported for bool arrays (MLX adds the negated update).`);
    if ((mode === 'max' || mode === 'min') && a.dtype === dt.complex64) {
      throw new TypeError(`[${op}] complex64 arrays have no ordering for maximum/minimum.`);
    }
    const upd = castUpdate(v, a.dtype, op, stream);
    const first = this.items[0];
    if (this.items.length === 1 && isArray(first) && first.dtype === dt.bool) {
      return maskScatter(a, first, upd, mode, op, stream);
    }
    const { plan, arrays } = planIndex(a.shape, this.items, op);
    checkUpdateShape(upd.shape, planShape(plan), op);
    return bind('scatter', [a, upd, ...arrays], { ...plan, mode }, stream);
  }
}

function castUpdate(v: ArrayLike, d: dt.Dtype, op: string, stream: ReturnType<typeof toStream>): MxArray {
  if (isArray(v)) { v._check(op); return v.dtype === d ? v : astype(v, d, { stream }); }
  if (typeof v !== 'number' && typeof v !== 'boolean' && typeof v !== 'bigint') {
    throw new TypeError(`[${op}] The value must be an array or a scalar, got ${typeof v}.`);
  }
  return asArray(v, d, stream);
}

/** Updates broadcast to the indexed shape; extra leading size-1 dims are allowed (as NumPy's assignment). */
export function checkUpdateShape(u: readonly number[], target: readonly number[], op: string): void {
  let s = u;
  while (s.length > target.length && s[0] === 1) s = s.slice(1);
  const ok = s.length <= target.length && s.every((d, i) => d === 1 || d === target[target.length - s.length + i]);
  if (!ok) throw new Error(`[${op}] Cannot broadcast update of shape ${fmtShape(u)} to the indexed shape ${fmtShape(target)}.`);
}

function maskScatter(a: MxArray, mask: MxArray, upd: MxArray, mode: ScatterMode, op: string, stream: ReturnType<typeof toStream>): MxArray {
  mask._check(op);
  const k = mask.ndim;
  if (k > a.ndim || mask.shape.some((d, i) => d !== a.shape[i])) {
    throw new Error(`[${op}] Boolean mask of shape ${fmtShape(mask.shape)} does not match the leading dims of ${fmtShape(a.shape)}.`);
  }
  return bind('maskScatter', [a, mask, upd], { mode }, stream);
}

/**
 * Starts an indexed update of `a` (MLX's `a.at[...]` and `a[...] = v`); see `AtIndexer`. Takes the same items as
 * `index`.
 *
 * @example
 * ```ts
 * let a = mx.zeros([3]);
 * a = a.at(mx.array([0, 0, 2])).add(1); // [2, 0, 1]
 * a = a.at('1:').set(7);                // [2, 7, 7]
 * ```
 */
export function at(a: MxArray, ...items: IndexItem[]): AtIndexer {
  a._check('at');
  return new AtIndexer(a, items);
}

declare module '../array.js' {
  interface MxArray {
    /** `a[items]`: basic slicing as a view, integer arrays as a gather. @see index */
    index(...items: (IndexItem | StreamOpt)[]): MxArray;
    /** `a.at[items]`: functional indexed updates (`.set/.add/...` return a new array). @see at */
    at(...items: IndexItem[]): AtIndexer;
  }
}
MxArray.prototype.index = function (this: MxArray, ...items: (IndexItem | StreamOpt)[]) { return index(this, ...items); };
MxArray.prototype.at = function (this: MxArray, ...items: IndexItem[]) { return at(this, ...items); };

declare module '../array.js' {
  interface MxArray {
    /**
     * Iterates over the first axis, lazily (each item is `a.index(i)`, a view), so destructuring works as in
     * Python: `const [k1, k2] = mx.random.split(key)`.
     */
    [Symbol.iterator](): Iterator<MxArray>;
  }
}
MxArray.prototype[Symbol.iterator] = function* (this: MxArray): Generator<MxArray> {
  if (this.ndim === 0) throw new TypeError('[iter] Iteration over a 0-d array.');
  for (let i = 0; i < this.shape[0]!; i++) yield index(this, i);
};
