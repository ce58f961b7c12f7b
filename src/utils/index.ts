/**
 * @file `mlx-ts/utils`: pytree helpers (MLX's `mlx.utils`). A tree is nested JS arrays and plain objects; anything
 * else is a leaf. Dotted paths (`layers.0.weight`) are the names weights are saved under.
 */
import { treeFlatten, treeUnflatten as coreUnflatten, treeMap } from '../core/tree.js';

export { treeFlatten, treeMap };

/** Whether a value is a plain object (a tree node), not a class instance. */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== 'object') return false;
  const p = Object.getPrototypeOf(x);
  return p === Object.prototype || p === null;
}

const defaultLeaf = (x: unknown): boolean => !Array.isArray(x) && !isPlainObject(x);

/**
 * Rebuilds a tree from `[path, leaf]` pairs or from a `{path: leaf}` record; integer path parts make arrays.
 *
 * @example
 * ```ts
 * treeUnflatten({ 'layers.0.w': a }); // { layers: [{ w: a }] }
 * ```
 */
export function treeUnflatten(items: readonly (readonly [string, unknown])[] | Record<string, unknown>): any {
  return coreUnflatten(Array.isArray(items) ? items : Object.entries(items));
}

/**
 * Applies `fn(path, leaf, ...matchingLeaves)` to every leaf, keeping the structure (MLX's `tree_map_with_path`).
 *
 * @example
 * ```ts
 * treeMapWithPath((path, w) => path.endsWith('bias') ? w : w.mul(2), params);
 * ```
 */
export function treeMapWithPath(
  fn: (path: string, x: any, ...rest: any[]) => unknown, tree: unknown, rest: unknown[] = [],
  opts: { isLeaf?: (x: unknown) => boolean; prefix?: string } = {},
): any {
  const isLeaf = opts.isLeaf ?? defaultLeaf;
  const walk = (t: unknown, others: unknown[], p: string): unknown => {
    if (isLeaf(t)) return fn(p, t, ...others);
    const join = (k: string | number): string => (p ? `${p}.${k}` : String(k));
    if (Array.isArray(t)) return t.map((x, i) => walk(x, others.map((o) => (o as unknown[])[i]), join(i)));
    if (isPlainObject(t)) {
      return Object.fromEntries(Object.keys(t).map((k) => [k, walk(t[k], others.map((o) => (o as Record<string, unknown>)[k]), join(k))]));
    }
    return fn(p, t, ...others);
  };
  return walk(tree, rest, opts.prefix ?? '');
}

/**
 * Folds every leaf into an accumulator, in flatten order (MLX's `tree_reduce`).
 *
 * @example
 * ```ts
 * const n = treeReduce((acc, w) => acc + w.size, params, 0); // number of parameters
 * ```
 */
export function treeReduce<A>(fn: (acc: A, leaf: any) => A, tree: unknown, initializer: A, isLeaf: (x: unknown) => boolean = defaultLeaf): A {
  let acc = initializer;
  const walk = (t: unknown): void => {
    if (isLeaf(t)) { acc = fn(acc, t); return; }
    if (Array.isArray(t)) { for (const x of t) walk(x); return; }
    if (isPlainObject(t)) { for (const k of Object.keys(t)) walk(t[k]); return; }
    acc = fn(acc, t);
  };
  walk(tree);
  return acc;
}

/**
 * Merges two trees with disjoint leaves (MLX's `tree_merge`): where one side is empty the other is taken.
 *
 * @example
 * ```ts
 * treeMerge({ a: x }, { b: y }); // { a: x, b: y }
 * ```
 */
export function treeMerge(a: unknown, b: unknown): any {
  const empty = (t: unknown): boolean => t === undefined || t === null
    || (Array.isArray(t) && t.length === 0) || (isPlainObject(t) && Object.keys(t).length === 0);
  if (empty(a)) return b;
  if (empty(b)) return a;
  if (Array.isArray(a) && Array.isArray(b)) {
    return Array.from({ length: Math.max(a.length, b.length) }, (_, i) => treeMerge(a[i], b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const out: Record<string, unknown> = { ...a };
    for (const k of Object.keys(b)) out[k] = k in out ? treeMerge(out[k], b[k]) : b[k];
    return out;
  }
  throw new Error('[treeMerge] Both trees have a leaf at the same place.');
}
