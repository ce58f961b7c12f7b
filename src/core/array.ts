/**
 * @file `MxArray`, the lazy array, and `Node`, the graph node that produces it. An array is either materialised
 * (it holds `ArrayData`) or pending (it points at the node that will compute it). Ops build nodes with `bind`;
 * evaluation (eval.ts) runs them on their stream's backend and detaches them. Array methods (`a.sum()`,
 * `a.reshape()`, ...) are attached by the op families, see `methods.ts`.
 */
import { Dtype } from './dtype.js';
import type { Stream } from './device.js';
import { primitiveDef, type PrimitiveName, type PrimitiveParams } from './primitive.js';
import type { ArrayData } from '../backend/backend.js';
import { sizeOf } from './shape.js';
import { trackArray, trackData, untrackData } from './memory.js';

/** A pending computation: a primitive applied to input arrays on a stream, producing one or more arrays. */
export class Node {
  outputs: MxArray[] = [];
  /** @internal Set once evaluation ran the node (a flag instead of a per-node WeakSet entry: cheaper per op). */
  _ran = false;
  /** @internal The scheduler's last walk that reached this node (replaces a per-walk Set of seen nodes). */
  _mark = 0;
  constructor(
    readonly prim: PrimitiveName,
    readonly params: unknown,
    readonly inputs: MxArray[],
    readonly stream: Stream,
  ) {}
}

/**
 * A multi-dimensional array, evaluated lazily. Build one with `mx.array(...)` or any op; read it with
 * `await a.tolist()`, `await a.item()` or `await a.data()`.
 *
 * @example
 * ```ts
 * const a = mx.array([[1, 2], [3, 4]], mx.float32);
 * const b = a.sum(0);          // nothing runs yet
 * console.log(await b.tolist()); // [4, 6]
 * ```
 */
export class MxArray {
  /** Extent of each dimension. */
  readonly shape: readonly number[];
  /** Element type. */
  readonly dtype: Dtype;
  /** Number of elements. */
  readonly size: number;
  /** @internal Producer node while pending; null once materialised. */
  _node: Node | null;
  /** @internal Materialised data; null while pending or after dispose. */
  _data: ArrayData | null = null;
  /** @internal Which output of `_node` this is. */
  _index: number;
  /** @internal Length of the longest pending chain ending here (0 when materialised). */
  _depth: number;
  /** @internal Pending nodes that read this array. */
  _uses = 0;
  /** @internal Set by `dispose`: the handle may no longer be used. */
  _disposed = false;
  /** @internal Whether the finalizer safety net holds this handle's storage (see `trackData`). */
  _tracked = false;

  /** @internal Use `mx.array` or an op. */
  constructor(shape: readonly number[], dtype: Dtype, node: Node | null, index = 0, depth = 0) {
    this.shape = shape;
    this.dtype = dtype;
    this.size = sizeOf(shape);
    this._node = node;
    this._index = index;
    this._depth = depth;
    trackArray(this);
  }

  /** Number of dimensions. */
  get ndim(): number { return this.shape.length; }
  /** Bytes per element. */
  get itemsize(): number { return this.dtype.size; }
  /** Bytes of all elements. */
  get nbytes(): number { return this.size * this.dtype.size; }
  /** Whether the array has been computed (or was created from data). */
  get isEvaluated(): boolean { return this._data !== null; }
  /** Whether `dispose` was called on this handle. */
  get isDisposed(): boolean { return this._disposed; }

  /** Releases this handle's memory now; see `mx.dispose`. */
  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    if (this._uses === 0) {
      this._releaseData();
      this._abandon();
    }
  }

  /**
   * @internal A pending node none of whose outputs can be read any more no longer holds its inputs (and so on up
   * the graph: iterative, since an abandoned chain can be thousands of nodes long).
   */
  _abandon(): void {
    if (!this._node) return;
    let stack: MxArray[] | null = null;
    let a: MxArray | undefined = this;
    while (a) {
      const node = a._node;
      if (node && abandonable(node)) {
        for (const o of node.outputs) o._node = null;
        for (const x of node.inputs) {
          if (--x._uses === 0 && x._disposed) {
            x._releaseData();
            if (x._node) (stack ??= []).push(x);
          }
        }
      }
      a = stack?.pop();
    }
  }

  /** Lets `using a = mx.ones([2])` dispose at scope exit. */
  [Symbol.dispose](): void { this.dispose(); }

  /**
   * @internal `operand`: the handle is an op's own constant (a JS scalar turned into an array), read only by the
   * node about to be built; its finalizer registration may wait for the end of the synchronous stretch.
   */
  _attach(data: ArrayData, operand = false): void {
    data.storage.retain();
    this._data = data;
    if (traceDepth === 0) this._node = null;
    this._depth = 0;
    trackData(this, operand);
  }

  /** @internal */
  _releaseData(): void {
    const d = this._data;
    if (!d) return;
    this._data = null;
    if (this._tracked) untrackData(this);
    d.storage.release();
  }

  /** @internal Throws if the handle was disposed. */
  _check(op: string): void {
    if (this._disposed) throw new Error(`[${op}] Array of shape (${this.shape.join(',')}) was disposed.`);
  }

  toString(): string {
    return `array(shape=[${this.shape.join(', ')}], dtype=${this.dtype.name}${this._data ? '' : ', pending'})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string { return this.toString(); }
}

function abandonable(node: Node): boolean {
  for (const o of node.outputs) if (!o._disposed || o._uses > 0) return false;
  return true;
}

let traceDepth = 0;
/**
 * @internal While a transform traces a function, evaluation keeps each node on its outputs, so the graph can
 * still be walked (a user may `await mx.eval` inside a function being differentiated).
 */
export function withGraphKept<T>(fn: () => T): T {
  traceDepth++;
  try {
    return fn();
  } finally {
    traceDepth--;
  }
}
/** @internal */
export function graphKept(): boolean { return traceDepth > 0; }

/** Chains longer than this are materialised as they are built, so a loop without eval stays bounded. */
export let MAX_PENDING_DEPTH = 4096;
/** @internal */
export function setMaxPendingDepth(n: number): void { MAX_PENDING_DEPTH = n; }

let onDeepGraph: ((inputs: MxArray[]) => void) | null = null;
/** @internal eval.ts installs the materialiser here (avoids an import cycle). */
export function setDeepGraphHandler(fn: (inputs: MxArray[]) => void): void { onDeepGraph = fn; }

/**
 * Applies a primitive to inputs, returning its outputs (pending). The caller (an op) has validated arguments;
 * this infers output shapes and dtypes from the primitive's rule.
 */
export function bindMulti<P extends PrimitiveName>(
  prim: P, inputs: MxArray[], params: PrimitiveParams[P], stream: Stream,
): MxArray[] {
  let depth = 0;
  for (let i = 0; i < inputs.length; i++) {
    const x = inputs[i]!;
    if (x._disposed) x._check(prim);
    if (x._depth > depth) depth = x._depth;
  }
  if (depth >= MAX_PENDING_DEPTH && onDeepGraph) {
    onDeepGraph(inputs);
    depth = 0;
    for (const x of inputs) if (x._depth > depth) depth = x._depth;
  }
  const specs = primitiveDef(prim).outputs(inputs, params);
  const node = new Node(prim, params, inputs, stream);
  for (let i = 0; i < inputs.length; i++) inputs[i]!._uses++;
  // exact-length output lists (pushing onto an empty array reserves room for 16)
  if (specs.length === 1) {
    node.outputs = [new MxArray(specs[0]!.shape, specs[0]!.dtype, node, 0, depth + 1)];
  } else {
    const outs = new Array<MxArray>(specs.length);
    for (let i = 0; i < specs.length; i++) outs[i] = new MxArray(specs[i]!.shape, specs[i]!.dtype, node, i, depth + 1);
    node.outputs = outs;
  }
  return node.outputs;
}

/** `bindMulti` for primitives with one output. */
export function bind<P extends PrimitiveName>(
  prim: P, inputs: MxArray[], params: PrimitiveParams[P], stream: Stream,
): MxArray {
  return bindMulti(prim, inputs, params, stream)[0]!;
}

/** A JS value ops accept where MLX accepts an array: an array or a scalar. */
export type ArrayLike = MxArray | number | boolean | bigint;

/** Whether a value is an `MxArray`. */
export function isArray(x: unknown): x is MxArray {
  return x instanceof MxArray;
}
