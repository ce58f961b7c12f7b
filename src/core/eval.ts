/**
 * @file Evaluation: order the pending nodes under some arrays, run each on its stream's backend, detach the graph.
 * Running (encoding) is synchronous on every backend; only waiting and readback are async. That is what lets
 * op construction materialise a too-deep chain on the spot.
 */
import { MxArray, setDeepGraphHandler, graphKept, type Node } from './array.js';
import { forEachArray } from './memory.js';
import { backendFor, allBackends } from '../backend/backend.js';

/** Nodes under `targets` that still have to run, inputs before consumers. */
function schedule(targets: readonly MxArray[]): Node[] {
  const order: Node[] = [];
  const seen = new Set<Node>();
  // iterative post-order DFS: chains can be thousands long
  const stack: [Node, number][] = [];
  for (const t of targets) {
    const n0 = t._node;
    if (!n0 || t._data || seen.has(n0)) continue;
    seen.add(n0);
    stack.push([n0, 0]);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const [node, i] = top;
      if (i < node.inputs.length) {
        top[1] = i + 1;
        const inp = node.inputs[i]!;
        const child = inp._node;
        if (child && !inp._data && !seen.has(child)) {
          seen.add(child);
          stack.push([child, 0]);
        }
      } else {
        stack.pop();
        order.push(node);
      }
    }
  }
  return order;
}

function runNode(node: Node): void {
  for (const x of node.inputs) {
    if (!x._data) throw new Error(`[eval] Input of ${node.prim} has no data (was it disposed before evaluation?).`);
  }
  backendFor(node.stream.device.type).run(node);
  const keep = graphKept();
  for (const o of node.outputs) {
    if (!keep) o._node = null;
    o._depth = 0;
    if (o._disposed && o._uses === 0) o._releaseData();
  }
  for (const x of node.inputs) {
    if (--x._uses === 0 && x._disposed) x._releaseData();
  }
}

/**
 * Inputs of `node` that must be read back to the host (asynchronously) before its backend can run it: data of
 * another backend the node's backend cannot read directly (a CPU node reading GPU data, or a GPU node whose
 * primitive falls back to the CPU kernel). Empty for same-device work.
 */
function hostInputs(node: Node): MxArray[] {
  const be = backendFor(node.stream.device.type);
  if (be.needsHost) return be.needsHost(node);
  let out: MxArray[] | null = null;
  for (const x of node.inputs) if (x._data && x._data.storage.backend !== be) (out ??= []).push(x);
  return out ?? [];
}

/**
 * Runs (encodes) every node under `targets` that can run synchronously. Returns the arrays that must first come
 * to the host for the rest (nodes downstream of them stay pending).
 */
function runReady(targets: readonly MxArray[]): MxArray[] {
  for (const t of targets) if (t._disposed && !t._data && !t._node) t._check('eval');
  const order = schedule(targets);
  let blocked: Set<Node> | null = null;
  const pulls = new Set<MxArray>();
  for (const n of order) {
    if (blocked && n.inputs.some((x) => !x._data && x._node && blocked!.has(x._node))) { blocked.add(n); continue; }
    const need = hostInputs(n);
    if (need.length) {
      for (const x of need) pulls.add(x);
      (blocked ??= new Set()).add(n);
      continue;
    }
    runNode(n);
  }
  return [...pulls];
}

/** Moves an array's data to the CPU backend (it keeps its values; later GPU consumers upload it again). */
async function pullToHost(x: MxArray): Promise<void> {
  const d = x._data!;
  const host = await d.storage.backend.read(d, x.dtype, x.shape);
  if (x._data !== d) return; // disposed or moved meanwhile
  const cpuData = backendFor('cpu').fromHost(host, x.dtype, x.shape);
  x._releaseData();
  x._attach(cpuData);
}

/**
 * @internal Runs (encodes) everything under the given arrays that needs no cross-device readback, without
 * waiting. Nodes that need a GPU-to-CPU transfer stay pending (`materializeAsync` finishes them).
 */
export function materialize(targets: readonly MxArray[]): void {
  runReady(targets);
}

/** @internal Runs everything under the given arrays, awaiting GPU-to-CPU transfers between segments. */
export async function materializeAsync(targets: readonly MxArray[]): Promise<void> {
  for (;;) {
    const pulls = runReady(targets);
    if (!pulls.length) return;
    await Promise.all(pulls.map(pullToHost));
  }
}

setDeepGraphHandler((inputs) => materialize(inputs));

function collect(trees: unknown[]): MxArray[] {
  const out: MxArray[] = [];
  for (const t of trees) forEachArray(t, (a) => out.push(a));
  return out;
}

/**
 * Computes every array in the given trees and waits until their data is ready.
 *
 * @example
 * ```ts
 * await mx.eval(loss, model.parameters());
 * ```
 */
export async function evaluate(...trees: unknown[]): Promise<void> {
  const arrays = collect(trees);
  for (const a of arrays) a._check('eval');
  await materializeAsync(arrays);
  await Promise.all(allBackends().map((b) => b.synchronize()));
}

/**
 * Starts computing the given trees and returns at once; the promise settles when the work is done. Useful to
 * overlap building the next step's graph with the current step's compute.
 *
 * @example
 * ```ts
 * const done = mx.asyncEval(nextToken);
 * // ... build more graph ...
 * await done;
 * ```
 */
export function asyncEval(...trees: unknown[]): Promise<void> {
  const arrays = collect(trees);
  for (const a of arrays) a._check('asyncEval');
  // the first segment is encoded before this returns; cross-device transfers continue asynchronously
  return materializeAsync(arrays).then(() => Promise.all(allBackends().map((b) => b.synchronize()))).then(() => undefined);
}

/** @internal Evaluates one array and returns its data as a dense typed array in storage layout. */
export async function readArray(a: MxArray, op: string): Promise<import('../backend/backend.js').TypedArray> {
  a._check(op);
  await materializeAsync([a]);
  const d = a._data!;
  return d.storage.backend.read(d, a.dtype, a.shape);
}
