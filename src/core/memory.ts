/**
 * @file The ownership model, in one place.
 *
 * - Every array handle owns one reference to its data's storage. `dispose(a)` (or `using`, or the end of a
 *   `tidy` scope) drops it; the storage is freed when no handle or view holds it.
 * - A handle that a pending node still reads keeps its data until that node has run, so disposing an
 *   intermediate of an unevaluated result is always safe.
 * - `tidy(fn)` disposes every array created inside `fn` except those it returns (anywhere in the returned tree)
 *   and those passed to `keep`. It works for async functions too; scopes nest.
 * - A FinalizationRegistry frees the data of handles that became unreachable without a dispose: a safety net,
 *   not the plan (GC timing is unknown, and a GPU buffer is invisible to the JS heap).
 */
import type { MxArray } from './array.js';
import type { Storage } from '../backend/backend.js';
import { allBackends } from '../backend/backend.js';

type Scope = { arrays: MxArray[]; kept: Set<MxArray> };
const scopes: Scope[] = [];

const finalizer = new FinalizationRegistry<Storage>((s) => s.release());

/** @internal Called for every new array: records it in the innermost tidy scope. */
export function trackArray(a: MxArray): void {
  const s = scopes[scopes.length - 1];
  if (s) s.arrays.push(a);
}

/**
 * Handles that got data while already disposed, not yet registered with the finalizer. Such a handle is an
 * intermediate that pending nodes still read (a `tidy` disposed it before evaluation); it usually releases its
 * data a few nodes later in the same synchronous pass of the scheduler, so registering and unregistering it would
 * be two wasted finalizer operations per op. A microtask registers those still holding data once the current
 * synchronous stretch ends. The list holds them strongly, so none can be collected unregistered, and that keeps
 * nothing alive longer than before: the pending nodes that read them hold them anyway. The same goes for an op's
 * internal scalar operands. (Other handles register at once: deferring them would keep unreachable ones past the
 * next young-generation GC.)
 */
let deferred: MxArray[] = [];
// a bound on the list, for very long synchronous stretches
const MAX_DEFERRED = 1 << 14;

function flushDeferred(): void {
  const list = deferred;
  deferred = [];
  for (const a of list) {
    const d = a._data;
    if (d && !a._tracked) { a._tracked = true; finalizer.register(a, d.storage, a); }
  }
}

/**
 * @internal The array now holds a reference to its data's storage; free it if the handle is collected undisposed.
 * `operand`: an op's internal scalar operand, about to be read by the node the op builds; inside `tidy` it is
 * disposed and released by the scheduler, so its registration is deferred like a disposed intermediate's.
 */
export function trackData(a: MxArray, operand = false): void {
  if (operand || (a._disposed && a._uses > 0)) {
    if (deferred.length === 0) queueMicrotask(flushDeferred);
    else if (deferred.length >= MAX_DEFERRED) flushDeferred();
    deferred.push(a);
    return;
  }
  a._tracked = true;
  finalizer.register(a, a._data!.storage, a);
}

/** @internal The handle released its reference itself. */
export function untrackData(a: MxArray): void {
  a._tracked = false;
  finalizer.unregister(a);
}

/** A nested structure of arrays: arrays, JS arrays and plain objects of them (MLX's pytree). */
export type Tree = MxArray | readonly Tree[] | { readonly [k: string]: Tree } | number | boolean | string | null | undefined;

/** Calls `fn` on every array in a tree (arrays, JS arrays, plain objects, Maps and Sets are walked). */
export function forEachArray(tree: unknown, fn: (a: MxArray) => void, seen = new Set<unknown>()): void {
  if (tree === null || typeof tree !== 'object' || seen.has(tree)) return;
  seen.add(tree);
  if (isMx(tree)) { fn(tree); return; }
  if (Array.isArray(tree)) { for (const x of tree) forEachArray(x, fn, seen); return; }
  if (tree instanceof Map) { for (const x of tree.values()) forEachArray(x, fn, seen); return; }
  if (tree instanceof Set) { for (const x of tree) forEachArray(x, fn, seen); return; }
  if (ArrayBuffer.isView(tree)) return;
  for (const k of Object.keys(tree)) forEachArray((tree as Record<string, unknown>)[k], fn, seen);
}

// Structural check avoids importing the class here (array.ts imports this file).
function isMx(x: object): x is MxArray {
  return '_uses' in x && '_disposed' in x && 'dtype' in x;
}

/**
 * Disposes every array in a tree now (modules and optimizer states are trees too).
 *
 * @example
 * ```ts
 * const { loss, grads } = step();
 * mx.dispose(grads);
 * ```
 */
export function dispose(tree: unknown): void {
  forEachArray(tree, (a) => a.dispose());
}

/**
 * Marks arrays created inside a `tidy` scope as surviving it.
 *
 * @example
 * ```ts
 * mx.tidy(() => { state = mx.keep(state.add(1)); });
 * ```
 */
export function keep<T>(tree: T): T {
  const s = scopes[scopes.length - 1];
  if (s) forEachArray(tree, (a) => s.kept.add(a));
  return tree;
}

/**
 * Runs `fn` and disposes every array it created except those it returns or `keep`s. `fn` may be async: the
 * scope then closes when its promise settles (do not interleave two async scopes on one event-loop turn).
 *
 * @example
 * ```ts
 * const y = mx.tidy(() => x.mul(2).add(1)); // the intermediate x*2 is disposed
 * const v = await mx.tidy(async () => (await y.sum().item()));
 * ```
 */
export function tidy<T>(fn: () => T): T {
  const scope: Scope = { arrays: [], kept: new Set() };
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    closeScope(scope, undefined);
    throw e;
  }
  if (result instanceof Promise) {
    // Arrays made after the first await are still recorded: the scope stays on the stack until settled.
    return result.then(
      (v) => { closeScope(scope, v); return v; },
      (e) => { closeScope(scope, undefined); throw e; },
    ) as T;
  }
  closeScope(scope, result);
  return result;
}

function closeScope(scope: Scope, result: unknown): void {
  const i = scopes.lastIndexOf(scope);
  if (i >= 0) scopes.splice(i, 1);
  const survivors = new Set<MxArray>(scope.kept);
  forEachArray(result, (a) => survivors.add(a));
  const parent = scopes[scopes.length - 1];
  for (const a of scope.arrays) {
    if (survivors.has(a)) { if (parent) parent.arrays.push(a); }
    else a.dispose();
  }
}

function sum(f: (b: ReturnType<typeof allBackends>[number]) => number): number {
  let n = 0;
  for (const b of allBackends()) n += f(b);
  return n;
}

/** Bytes held by live arrays, over all devices. */
export function getActiveMemory(): number { return sum((b) => b.memory().active); }
/** Highest `getActiveMemory()` since start or the last `resetPeakMemory()`. */
export function getPeakMemory(): number { return sum((b) => b.memory().peak); }
/** Resets the peak to the current active bytes. */
export function resetPeakMemory(): void { for (const b of allBackends()) b.resetPeak(); }
/** Bytes held in allocator caches for reuse. */
export function getCacheMemory(): number { return sum((b) => b.memory().cache); }
/**
 * Sets the most bytes the allocators may hold for live arrays; allocating past it throws a clear error.
 * Returns the previous limit.
 */
export function setMemoryLimit(bytes: number): number {
  let prev = 0;
  for (const b of allBackends()) prev = Math.max(prev, b.setMemoryLimit(bytes));
  return prev;
}
/** Sets the most bytes the allocator caches may keep. Returns the previous limit. */
export function setCacheLimit(bytes: number): number {
  let prev = 0;
  for (const b of allBackends()) prev = Math.max(prev, b.setCacheLimit(bytes));
  return prev;
}
/** Empties the allocator caches. */
export function clearCache(): void { for (const b of allBackends()) b.clearCache(); }
