/**
 * @file Pure shape helpers: sizes, row-major strides, broadcasting and axis normalisation. No arrays here.
 */

/** An array shape: a list of non-negative integer extents. */
export type Shape = readonly number[];

/** Number of elements of a shape (1 for a 0-d shape). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}

/** Row-major (C order) strides in elements. */
export function rowMajorStrides(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function fmtShape(s: Shape): string {
  return `(${s.join(',')}${s.length === 1 ? ',' : ''})`;
}

/**
 * The broadcast of several shapes (NumPy rules); throws naming the op and the shapes when they do not broadcast.
 *
 * @example
 * ```ts
 * broadcastShapes([[2, 1], [3]]); // [2, 3]
 * ```
 */
export function broadcastShapes(shapes: readonly Shape[], op = 'broadcast_shapes'): number[] {
  let nd = 0;
  for (const s of shapes) if (s.length > nd) nd = s.length;
  const out = new Array<number>(nd).fill(1);
  for (const s of shapes) {
    const off = nd - s.length;
    for (let i = 0; i < s.length; i++) {
      const d = s[i]!, o = out[off + i]!;
      if (d === o || d === 1) continue;
      if (o === 1) out[off + i] = d;
      else throw new Error(`[${op}] Shapes ${shapes.map(fmtShape).join(' and ')} cannot be broadcast.`);
    }
  }
  return out;
}

/** Normalises a possibly negative axis against `ndim`; throws naming the op when out of range. */
export function normAxis(axis: number, ndim: number, op: string): number {
  if (!Number.isInteger(axis)) throw new TypeError(`[${op}] Axis must be an integer, got ${axis}.`);
  const a = axis < 0 ? axis + ndim : axis;
  if (a < 0 || a >= ndim) {
    throw new RangeError(`[${op}] Axis ${axis} is out of bounds for array with ${ndim} dimensions.`);
  }
  return a;
}

/**
 * Normalises an axis argument (one axis, a list, or all when undefined/null) to sorted unique axes.
 * Throws on repeated axes.
 */
export function normAxes(axis: number | readonly number[] | null | undefined, ndim: number, op: string): number[] {
  if (axis === undefined || axis === null) {
    const all = new Array<number>(ndim);
    for (let i = 0; i < ndim; i++) all[i] = i;
    return all;
  }
  // one axis (the usual case) needs no sorting or duplicate check
  if (typeof axis === 'number') return [normAxis(axis, ndim, op)];
  const sorted = axis.map((a) => normAxis(a, ndim, op)).sort((x, y) => x - y);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1]) throw new Error(`[${op}] Received duplicate axis ${sorted[i]}.`);
  }
  return sorted;
}

/** Checks that a user-supplied shape is a list of non-negative integers. */
export function checkShape(shape: unknown, op: string): number[] {
  const list = typeof shape === 'number' ? [shape] : shape;
  if (!Array.isArray(list)) throw new TypeError(`[${op}] Shape must be a list of integers, got ${String(shape)}.`);
  for (const d of list) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new RangeError(`[${op}] Shape must contain non-negative integers, got [${list.join(', ')}].`);
    }
  }
  return list as number[];
}
