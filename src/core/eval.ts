/**
 * @file Evaluation: order the pending nodes under some arrays, run each on its stream's backend, detach the graph.
 * Running (encoding) is synchronous on every backend; only waiting and readback are async. That is what lets
 * op construction materialise a too-deep chain on the spot. On the async path (`materializeAsync`) a backend may
 * also run a heavy node asynchronously (`runAsync`: the CPU's pooled kernels), and the scheduler yields to the
 * event loop between nodes once a stretch of work took long, so an evaluation never blocks the loop for long.
 */
import { MxArray, setDeepGraphHandler, graphKept, type Node } from './array.js';
import { forEachArray } from './memory.js';
import { backendFor, allBackends, type Backend } from '../backend/backend.js';

let walkMark = 0;

/**
 * Nodes under `targets` that still have to run, inputs before consumers. The post-order walk of graph-walk.ts,
 * specialised for the scheduler (it runs once per evaluation over chains of thousands of nodes): nodes are marked
 * with the walk's number instead of entering a Set, and the stack is two flat arrays instead of a pair per node.
 * Nothing in the walk can start another walk, so one counter is enough.
 */
function schedule(targets: readonly MxArray[]): Node[] {
  const order: Node[] = [];
  const mark = ++walkMark;
  const nodes: Node[] = [];
  const next: number[] = [];
  for (let t = 0; t < targets.length; t++) {
    const r = targets[t]!;
    const n0 = r._node;
    if (!n0 || r._data !== null || n0._mark === mark) continue;
    n0._mark = mark;
    nodes[0] = n0; next[0] = 0;
    let top = 0;
    while (top >= 0) {
      const node = nodes[top]!;
      const ins = node.inputs;
      let i = next[top]!;
      // descend into the first unvisited pending input, else emit the node
      for (; i < ins.length; i++) {
        const inp = ins[i]!;
        const child = inp._node;
        if (child && inp._data === null && child._mark !== mark) {
          child._mark = mark;
          break;
        }
      }
      if (i < ins.length) {
        next[top] = i + 1;
        top++;
        nodes[top] = ins[i]!._node!; next[top] = 0;
      } else {
        order.push(node);
        top--;
      }
    }
  }
  return order;
}

function checkInputs(node: Node): void {
  const ins = node.inputs;
  for (let i = 0; i < ins.length; i++) {
    if (!ins[i]!._data) throw new Error(`[eval] Input of ${node.prim} has no data (was it disposed before evaluation?).`);
  }
}

function runNode(node: Node, be: Backend): void {
  checkInputs(node);
  be.run(node);
  finishNode(node);
}

/** Detaches a node that has run: its outputs keep their data, its inputs lose one use. */
function finishNode(node: Node): void {
  node._ran = true;
  const keep = graphKept();
  const outs = node.outputs;
  for (let i = 0; i < outs.length; i++) {
    const o = outs[i]!;
    if (!keep) o._node = null;
    o._depth = 0;
    if (o._disposed && o._uses === 0) o._releaseData();
  }
  const ins = node.inputs;
  for (let i = 0; i < ins.length; i++) {
    const x = ins[i]!;
    if (--x._uses === 0 && x._disposed) x._releaseData();
  }
}

/**
 * Inputs of `node` that must be read back to the host (asynchronously) before its backend can run it: data of
 * another backend the node's backend cannot read directly (a CPU node reading GPU data, or a GPU node whose
 * primitive falls back to the CPU kernel). Empty for same-device work.
 */
function hostInputs(node: Node, be: Backend): MxArray[] | null {
  if (be.needsHost) { const need = be.needsHost(node); return need.length ? need : null; }
  let out: MxArray[] | null = null;
  const ins = node.inputs;
  for (let i = 0; i < ins.length; i++) {
    const x = ins[i]!;
    if (x._data && x._data.storage.backend !== be) (out ??= []).push(x);
  }
  return out;
}

/** Whether an input of `n` is still pending behind a blocked node. */
function behindBlocked(n: Node, blocked: Set<Node>): boolean {
  for (const x of n.inputs) if (!x._data && x._node && blocked.has(x._node)) return true;
  return false;
}

/**
 * Runs (encodes) every node under `targets` that can run synchronously. Returns the arrays that must first come
 * to the host for the rest (nodes downstream of them stay pending).
 */
function runReady(targets: readonly MxArray[]): MxArray[] {
  for (const t of targets) if (t._disposed && !t._data && !t._node) t._check('eval');
  const order = schedule(targets);
  let blocked: Set<Node> | null = null;
  let pulls: Set<MxArray> | null = null;
  for (let k = 0; k < order.length; k++) {
    const n = order[k]!;
    if (blocked && behindBlocked(n, blocked)) { blocked.add(n); continue; }
    // running asynchronously for another evaluation: it and its consumers stay pending here
    if (inFlight.size && inFlight.has(n)) { (blocked ??= new Set()).add(n); continue; }
    const be = backendFor(n.stream.device.type);
    const need = hostInputs(n, be);
    if (need) {
      pulls ??= new Set();
      for (const x of need) pulls.add(x);
      (blocked ??= new Set()).add(n);
      continue;
    }
    runNode(n, be);
  }
  return pulls ? [...pulls] : [];
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

/**
 * A backend that can run some nodes without holding this thread: `runAsync` returns undefined for a node it
 * leaves to `run`, else a promise that settles once the outputs are attached. (Optional; only the async path
 * calls it.)
 */
type AsyncBackend = Backend & { runAsync?(node: Node): Promise<void> | undefined };

/** Nodes a backend is running asynchronously, and the promise that settles when they are finished. */
const inFlight = new Map<Node, Promise<void>>();
// a stretch of synchronous work longer than this ends with a turn of the event loop
const YIELD_MS = 10;
let lastYield = 0;

const perf = globalThis.performance;
const now: () => number = perf ? () => perf.now() : Date.now;

/** One turn of the event loop (timers and I/O run), not just the microtask queue. */
function yieldToLoop(): Promise<void> {
  const si = (globalThis as { setImmediate?: (f: () => void) => unknown }).setImmediate;
  return new Promise((r) => { if (si) si(r); else setTimeout(r, 0); });
}

/**
 * Runs `node` with its backend's `runAsync` when it offers one (the workers compute, this thread awaits), else
 * returns null. Outputs are pinned by one use meanwhile, so disposing them cannot abandon the node and free its
 * inputs under the running kernel; nobody else runs the node (`inFlight`).
 */
function runNodeAsync(node: Node, backend: Backend): Promise<void> | null {
  const be = backend as AsyncBackend;
  if (!be.runAsync) return null;
  checkInputs(node);
  const p = be.runAsync(node);
  if (!p) return null;
  for (const o of node.outputs) o._uses++;
  const done = p.finally(() => {
    inFlight.delete(node);
    for (const o of node.outputs) o._uses--;
  }).then(() => finishNode(node));
  inFlight.set(node, done);
  return done;
}

/** The async twin of `runReady`: heavy nodes run asynchronously, and long stretches end with a yield. */
async function runReadyAsync(targets: readonly MxArray[]): Promise<MxArray[]> {
  for (const t of targets) if (t._disposed && !t._data && !t._node) t._check('eval');
  const order = schedule(targets);
  let blocked: Set<Node> | null = null;
  let pulls: Set<MxArray> | null = null;
  if (now() - lastYield > YIELD_MS) lastYield = now();
  for (let k = 0; k < order.length; k++) {
    const n = order[k]!;
    // after an await another evaluation may have run this node already (`_ran` is set by finishNode), or every
    // output may have been disposed meanwhile (`_abandon` detached them): nothing needs it any more
    if (n._ran || n.outputs[0]!._node !== n) continue;
    if (inFlight.size) {
      const other = inFlight.get(n);
      if (other) { await other; continue; }
    }
    if (blocked && behindBlocked(n, blocked)) { blocked.add(n); continue; }
    const be = backendFor(n.stream.device.type);
    const need = hostInputs(n, be);
    if (need) {
      pulls ??= new Set();
      for (const x of need) pulls.add(x);
      (blocked ??= new Set()).add(n);
      continue;
    }
    const p = runNodeAsync(n, be);
    if (p) { await p; lastYield = now(); continue; }
    runNode(n, be);
    if (now() - lastYield > YIELD_MS) { await yieldToLoop(); lastYield = now(); }
  }
  return pulls ? [...pulls] : [];
}

/**
 * @internal Runs everything under the given arrays, awaiting GPU-to-CPU transfers between segments. With
 * `dropDisposed` (asyncEval), a target disposed while the work is under way is dropped instead of being an error.
 */
export async function materializeAsync(targets: readonly MxArray[], dropDisposed = false): Promise<void> {
  for (;;) {
    if (dropDisposed) targets = targets.filter((t) => !(t._disposed && !t._data && !t._node));
    const pulls = await runReadyAsync(targets);
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
  return materializeAsync(arrays, true).then(() => Promise.all(allBackends().map((b) => b.synchronize()))).then(() => undefined);
}

/** @internal Evaluates one array and returns its data as a dense typed array in storage layout. */
export async function readArray(a: MxArray, op: string): Promise<import('../backend/backend.js').TypedArray> {
  a._check(op);
  await materializeAsync([a]);
  const d = a._data!;
  return d.storage.backend.read(d, a.dtype, a.shape);
}
