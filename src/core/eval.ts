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

/** @internal Runs (encodes) everything under the given arrays without waiting for it. */
export function materialize(targets: readonly MxArray[]): void {
  for (const t of targets) if (t._disposed && !t._data && !t._node) t._check('eval');
  const order = schedule(targets);
  for (const n of order) runNode(n);
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
  materialize(arrays);
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
  materialize(arrays);
  return Promise.all(allBackends().map((b) => b.synchronize())).then(() => undefined);
}

/** @internal Evaluates one array and returns its data as a dense typed array in storage layout. */
export async function readArray(a: MxArray, op: string): Promise<import('../backend/backend.js').TypedArray> {
  a._check(op);
  materialize([a]);
  const d = a._data!;
  return d.storage.backend.read(d, a.dtype, a.shape);
}
