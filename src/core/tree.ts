/**
 * @file Pytrees: nested JS arrays and plain objects whose leaves are arrays (or other values). Used by the
 * transforms for arguments and results, and by `mlx-ts/utils` for parameters.
 */
import { MxArray } from './array.js';

/** Whether a value is a plain object (a tree node), not a class instance. */
function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== 'object') return false;
  const p = Object.getPrototypeOf(x);
  return p === Object.prototype || p === null;
}

/**
 * The leaves of a tree in a stable order (arrays in index order, objects in key order), and a function that
 * rebuilds a tree of the same structure from new leaves. Only `MxArray` leaves are collected when `arraysOnly`.
 *
 * @example
 * ```ts
 * const [leaves, rebuild] = treeFlattenWith({ w: a, b: [c, 3] });
 * rebuild(leaves.map((x) => x)); // same structure
 * ```
 */
export function treeFlattenWith(tree: unknown, isLeaf: (x: unknown) => boolean = (x) => x instanceof MxArray): [unknown[], (leaves: readonly unknown[]) => unknown] {
  const leaves: unknown[] = [];
  const build = (t: unknown): ((next: () => unknown) => unknown) => {
    if (isLeaf(t)) { leaves.push(t); return (next) => next(); }
    if (Array.isArray(t)) {
      const parts = t.map(build);
      return (next) => parts.map((p) => p(next));
    }
    if (isPlainObject(t)) {
      const keys = Object.keys(t);
      const parts = keys.map((k) => build(t[k]));
      return (next) => Object.fromEntries(keys.map((k, i) => [k, parts[i]!(next)]));
    }
    return () => t;
  };
  const rebuildOne = build(tree);
  return [leaves, (newLeaves) => {
    let i = 0;
    return rebuildOne(() => newLeaves[i++]);
  }];
}

/**
 * Flattens a tree into `[path, leaf]` pairs with dotted paths (MLX's `tree_flatten`).
 *
 * @example
 * ```ts
 * treeFlatten({ layers: [{ w: a }] }); // [['layers.0.w', a]]
 * ```
 */
export function treeFlatten(tree: unknown, prefix = '', isLeaf: (x: unknown) => boolean = (x) => !Array.isArray(x) && !isPlainObject(x)): [string, unknown][] {
  const out: [string, unknown][] = [];
  const walk = (t: unknown, p: string): void => {
    if (isLeaf(t)) { out.push([p, t]); return; }
    if (Array.isArray(t)) { t.forEach((x, i) => walk(x, p ? `${p}.${i}` : String(i))); return; }
    if (isPlainObject(t)) { for (const k of Object.keys(t)) walk(t[k], p ? `${p}.${k}` : k); return; }
    out.push([p, t]);
  };
  walk(tree, prefix);
  return out;
}

/**
 * Rebuilds a tree from `[path, leaf]` pairs; integer path parts make arrays (MLX's `tree_unflatten`).
 *
 * @example
 * ```ts
 * treeUnflatten([['layers.0.w', a]]); // { layers: [{ w: a }] }
 * ```
 */
export function treeUnflatten(items: readonly (readonly [string, unknown])[]): unknown {
  if (items.length === 1 && items[0]![0] === '') return items[0]![1];
  const root: Record<string, unknown> = {};
  for (const [path, v] of items) {
    const parts = path.split('.');
    let cur: Record<string, unknown> = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const k = parts[i]!;
      cur[k] ??= {};
      cur = cur[k] as Record<string, unknown>;
    }
    cur[parts[parts.length - 1]!] = v;
  }
  const fix = (t: unknown): unknown => {
    if (!isPlainObject(t)) return t;
    const keys = Object.keys(t);
    const fixed = Object.fromEntries(keys.map((k) => [k, fix(t[k])]));
    if (keys.length && keys.every((k) => /^\d+$/.test(k))) {
      const arr: unknown[] = [];
      for (const k of keys) arr[Number(k)] = fixed[k];
      return arr;
    }
    return fixed;
  };
  return fix(root);
}

/**
 * Applies `fn` to every leaf of `tree` (and the matching leaves of `rest`), keeping the structure.
 *
 * @example
 * ```ts
 * treeMap((p, g) => p.subtract(g.multiply(0.1)), params, grads);
 * ```
 */
export function treeMap(fn: (x: any, ...rest: any[]) => unknown, tree: unknown, ...rest: unknown[]): any {
  const isLeaf = (x: unknown): boolean => !Array.isArray(x) && !isPlainObject(x);
  const [leaves, rebuild] = treeFlattenWith(tree, isLeaf);
  const others = rest.map((r) => treeFlattenWith(r, isLeaf)[0]);
  return rebuild(leaves.map((l, i) => fn(l, ...others.map((o) => o[i]))));
}
