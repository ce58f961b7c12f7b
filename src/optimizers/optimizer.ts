/**
 * @file The optimizer base class (MLX's `Optimizer`), `MultiOptimizer` and `clipGradNorm`. The state is a tree of
 * arrays: `step` (uint64, incremented before each update as MLX), `learningRate` and every scheduled
 * hyper-parameter, and one entry per parameter path with that parameter's buffers (`{ m, v }` for Adam).
 * Everything is lazy: nothing is read back, so a training step never waits on the device.
 *
 * The state holds every value that changes between updates, the step count and the (scheduled) learning rate
 * included, as arrays: a step compiled with the optimizer (or its `state`) among `mx.compile`'s `inputs` and
 * `outputs` reads them as inputs at each call, so nothing that changes is baked into the trace. Hyper-parameters
 * kept as JS numbers (betas, eps, weight decay, momentum) are constants of a trace.
 */
import { MxArray } from '../core/array.js';
import * as mx from '../index.js';
import { float32, uint64 } from '../core/dtype.js';
import { isPlainObject, treeFlatten, treeUnflatten, treeMerge, treeReduce } from '../utils/index.js';
import { weightName, propertyPath } from '../nn/names.js';
import type { Module } from '../nn/module.js';

/** A schedule: the value of a hyper-parameter at an optimizer step (a uint64 scalar array). */
export type Schedule = (step: MxArray) => MxArray | number;
/** A fixed value or a schedule. */
export type Scheduled = number | MxArray | Schedule;
/** Per-parameter optimizer buffers. */
export type ParamState = Record<string, MxArray>;

function scalar(v: MxArray | number): MxArray {
  return v instanceof MxArray ? v : mx.array(v, float32);
}

/**
 * Base class: subclasses implement `initSingle` (create a parameter's buffers) and `applySingle` (the update rule).
 *
 * @example
 * ```ts
 * const opt = new optim.Adam(1e-3);
 * const [loss, grads] = lossAndGrad(x, y);
 * opt.update(model, grads);
 * await mx.eval(model.parameters(), opt.state);
 *
 * // compiled (MLX's pattern): create the buffers first so the first call traces the update alone
 * opt.init(model.trainableParameters());
 * const state = [model, opt];
 * const step = mx.compile((x, y) => { const [l, g] = lossAndGrad(x, y); opt.update(model, g); return l; }, { inputs: state, outputs: state });
 * ```
 */
export abstract class Optimizer {
  /** @internal */ _state: Record<string, any> = { step: mx.array(0, uint64) };
  /** @internal */ _schedulers: Record<string, Schedule> = {};

  /** Creates the buffers of one parameter in `state`. */
  abstract initSingle(parameter: MxArray, state: ParamState): void;
  /** Returns the updated parameter and updates its buffers in `state`. */
  abstract applySingle(gradient: MxArray, parameter: MxArray, state: ParamState): MxArray;

  /** @internal Stores a hyper-parameter that may be a schedule (MLX's `_maybe_schedule`). */
  _maybeSchedule(name: string, v: Scheduled): void {
    if (typeof v === 'function') {
      this._schedulers[name] = v;
      this._state[name] = scalar(v(this.step));
    } else {
      this._state[name] = scalar(v);
    }
  }

  /**
   * Creates the buffers of every parameter in `parameters` that has none yet (optional: `update` does it).
   *
   * @example
   * ```ts
   * opt.init(model.trainableParameters());
   * Object.keys(opt.state); // ['step', 'learningRate', 'weight', 'bias']
   * ```
   */
  init(parameters: unknown): void {
    const walk = (p: unknown, s: any): any => {
      if (p instanceof MxArray) {
        if (s && isPlainObject(s) && Object.keys(s).length) return s;
        const st: ParamState = {};
        this.initSingle(p, st);
        return st;
      }
      if (Array.isArray(p)) {
        const arr = Array.isArray(s) ? s : [];
        p.forEach((x, i) => { arr[i] = walk(x, arr[i]); });
        return arr;
      }
      if (isPlainObject(p)) {
        const obj = isPlainObject(s) ? s : {};
        for (const k of Object.keys(p)) obj[k] = walk(p[k], obj[k]);
        return obj;
      }
      return s;
    };
    walk(parameters, this._state);
  }

  /**
   * Returns the updated parameters for `gradients` (a tree, possibly a subset of `parameters`' keys).
   *
   * @example
   * ```ts
   * const newParams = opt.applyGradients(grads, model.parameters());
   * ```
   */
  applyGradients(gradients: unknown, parameters: unknown): any {
    this.init(gradients);
    const step = mx.add(this.step, mx.array(1, uint64));
    for (const [name, fn] of Object.entries(this._schedulers)) this._state[name] = scalar(fn(this.step));
    this._state.step = step;
    const walk = (g: unknown, p: any, s: any, path: string): unknown => {
      if (g instanceof MxArray) {
        if (!(p instanceof MxArray)) throw new Error(`[Optimizer] No parameter for the gradient at "${path}".`);
        return this.applySingle(g, p, s as ParamState);
      }
      if (Array.isArray(g)) return g.map((x, i) => walk(x, p?.[i], s?.[i], `${path}.${i}`));
      if (isPlainObject(g)) return Object.fromEntries(Object.keys(g).map((k) => [k, walk(g[k], p?.[k], s?.[k], path ? `${path}.${k}` : k)]));
      return g;
    };
    return walk(gradients, parameters, this._state, '');
  }

  /**
   * Applies `gradients` to the model's parameters.
   *
   * @example
   * ```ts
   * opt.update(model, grads);
   * ```
   */
  update(model: Module, gradients: unknown): void {
    model.update(this.applyGradients(gradients, model.parameters()));
  }

  /** The state tree (evaluate it with the parameters after each update). */
  get state(): Record<string, any> { return this._state; }
  set state(s: Record<string, any>) { this._state = s; }

  /** The number of updates so far (uint64 scalar). */
  get step(): MxArray { return this._state.step as MxArray; }

  /** The current learning rate (scalar array). */
  get learningRate(): MxArray { return this._state.learningRate as MxArray; }
  set learningRate(v: number | MxArray) { this._state.learningRate = scalar(v); }

  /**
   * Saves the state as safetensors with MLX's dotted snake_case names (`step`, `learning_rate`, `layers.0.weight.m`).
   *
   * @example
   * ```ts
   * await opt.saveState('optimizer.safetensors');
   * ```
   */
  async saveState(file: string): Promise<void> {
    const flat = treeFlatten(this.state, '', (x) => x instanceof MxArray) as [string, unknown][];
    const dict: Record<string, MxArray> = {};
    for (const [k, v] of flat) if (v instanceof MxArray) dict[weightName(k)] = v;
    await mx.saveSafetensors(file, dict);
  }

  /**
   * Loads a state saved by `saveState` (or by MLX with `tree_flatten(optimizer.state)`).
   *
   * @example
   * ```ts
   * await opt.loadState('optimizer.safetensors');
   * ```
   */
  async loadState(file: string): Promise<void> {
    const loaded = await mx.load(file);
    const dict = (Array.isArray(loaded) ? loaded[0] : loaded) as Record<string, MxArray>;
    this.state = treeUnflatten(Object.entries(dict).map(([k, v]) => [propertyPath(k), v] as [string, unknown]));
  }
}

/**
 * Routes parameters to several optimizers: the first whose filter `(path, gradient)` accepts a parameter gets it;
 * the last optimizer (which has no filter) takes the rest.
 *
 * @example
 * ```ts
 * const opt = new optim.MultiOptimizer([new optim.Adam(1e-3), new optim.SGD(0.1)], [(path) => path.endsWith('bias')]);
 * ```
 */
export class MultiOptimizer extends Optimizer {
  filters: ((path: string, g: MxArray) => boolean)[];
  constructor(public optimizers: Optimizer[], filters: ((path: string, g: MxArray) => boolean)[] = []) {
    super();
    if (filters.length !== optimizers.length - 1) {
      throw new Error(`[MultiOptimizer] Given ${filters.length} filters but ${optimizers.length - 1} needed.`);
    }
    this.filters = [...filters, () => true];
  }
  initSingle(): void { throw new Error('[MultiOptimizer] initSingle is delegated.'); }
  applySingle(): MxArray { throw new Error('[MultiOptimizer] applySingle is delegated.'); }
  /** @internal The parts of a tree each optimizer gets. */
  _split(tree: unknown): unknown[] {
    if (this.optimizers.length === 1) return [tree];
    const parts: [string, unknown][][] = this.optimizers.map(() => []);
    for (const [k, g] of treeFlatten(tree, '', (x) => x instanceof MxArray) as [string, MxArray][]) {
      if (!(g instanceof MxArray)) continue;
      const i = this.filters.findIndex((f) => f(k, g));
      parts[i]!.push([k, g]);
    }
    return parts.map((p) => (p.length ? treeUnflatten(p) : {}));
  }
  override init(parameters: unknown): void {
    this._split(parameters).forEach((p, i) => this.optimizers[i]!.init(p));
  }
  override applyGradients(gradients: unknown, parameters: unknown): any {
    let tree: unknown = {};
    this._split(gradients).forEach((g, i) => { tree = treeMerge(tree, this.optimizers[i]!.applyGradients(g, parameters)); });
    return tree;
  }
  override get state(): Record<string, any> { return { states: this.optimizers.map((o) => o.state) }; }
  override set state(s: Record<string, any>) {
    const states = s.states as Record<string, any>[] | undefined;
    if (!states || states.length !== this.optimizers.length) throw new Error('[MultiOptimizer] Invalid state provided.');
    this.optimizers.forEach((o, i) => { o.state = states[i]!; });
  }
  override get learningRate(): MxArray { return this.optimizers[0]!.learningRate; }
  override set learningRate(v: number | MxArray) { for (const o of this.optimizers) o.learningRate = v; }
}

/** Arrays one op may read in `sumScalars`: with its output and parameters, the 8 storage bindings of any GPU. */
const GROUP = 6;

/**
 * The sum of 0-d arrays, added in groups of `GROUP` (stack, then sum) rather than as one running sum: under
 * `mx.compile` a running sum over every parameter fuses into one elementwise node with an input per parameter, more
 * storage bindings than a GPU stage has, and that node then runs on the CPU (a readback of every input per step).
 */
function sumScalars(xs: MxArray[]): MxArray {
  if (xs.length === 0) return mx.array(0, float32);
  while (xs.length > 1) {
    const next: MxArray[] = [];
    for (let i = 0; i < xs.length; i += GROUP) {
      const part = xs.slice(i, i + GROUP);
      next.push(part.length === 1 ? part[0]! : mx.sum(mx.stack(part)));
    }
    xs = next;
  }
  return xs[0]!;
}

/**
 * Scales the gradients so their global L2 norm is at most `maxNorm`. Returns `[clipped, totalNorm]`.
 *
 * @example
 * ```ts
 * const [clipped, norm] = optim.clipGradNorm(grads, 1.0);
 * ```
 */
export function clipGradNorm(grads: unknown, maxNorm: number): [any, MxArray] {
  const sqs = treeReduce((acc: MxArray[], g: unknown) => {
    if (g instanceof MxArray) { const s = mx.sum(mx.square(g)); acc.push(s.dtype === float32 ? s : s.astype(float32)); }
    return acc;
  }, grads, [] as MxArray[]);
  const total = mx.sqrt(sumScalars(sqs));
  const factor = mx.divide(maxNorm, mx.add(total, 1e-6));
  const clip = (g: unknown): unknown => {
    if (g instanceof MxArray) return mx.where(mx.less(total, maxNorm), g, mx.multiply(g, factor).astype(g.dtype));
    if (Array.isArray(g)) return g.map(clip);
    if (isPlainObject(g)) return Object.fromEntries(Object.entries(g).map(([k, v]) => [k, clip(v)]));
    return g;
  };
  return [clip(grads), total];
}
