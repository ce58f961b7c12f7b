/**
 * @file `Module`, the base of every layer. Parameters are ordinary properties holding arrays; child modules are
 * properties holding modules; both may also sit inside JS arrays and plain objects. They are found by walking the
 * object's own enumerable properties, skipping names that start with `_` (private state such as caches).
 *
 * Calling convention: JS classes cannot be made callable, so a module is run with `model.forward(x)` (MLX's
 * `model(x)`); subclasses implement `forward`.
 */
import { MxArray } from '../core/array.js';
import { valueAndGrad as mxValueAndGrad } from '../core/transforms/autodiff.js';
import { isFloating, type Dtype } from '../core/dtype.js';
import { astype } from '../core/ops/basic.js';
import { load, saveSafetensors, savez } from '../core/ops/io.js';
import { treeFlatten, treeUnflatten, isPlainObject } from '../utils/index.js';
import { weightName } from './names.js';
import { fmtShape } from '../core/shape.js';

/** A parameter tree: arrays in nested JS arrays and plain objects. */
export type ParamTree = { [k: string]: any };

/** Whether a property value contains an array or a module somewhere (so it belongs in the trees). */
function holdsState(v: unknown): boolean {
  if (v instanceof MxArray || v instanceof Module) return true;
  if (Array.isArray(v)) return v.some(holdsState);
  if (isPlainObject(v)) return Object.values(v).some(holdsState);
  return false;
}

function holdsModule(v: unknown): boolean {
  if (v instanceof Module) return true;
  if (Array.isArray(v)) return v.some(holdsModule);
  if (isPlainObject(v)) return Object.values(v).some(holdsModule);
  return false;
}

/**
 * Base class of layers and models.
 *
 * @example
 * ```ts
 * class MLP extends nn.Module {
 *   layers = [new nn.Linear(2, 16), new nn.Linear(16, 1)];
 *   forward(x: mx.MxArray) { return this.layers[1]!.forward(nn.relu(this.layers[0]!.forward(x))); }
 * }
 * const model = new MLP();
 * model.parameters(); // { layers: [{ weight, bias }, { weight, bias }] }
 * ```
 */
export abstract class Module {
  /** @internal Training mode flag (see `train`/`eval`). */
  _training = true;
  /** @internal Names of own properties excluded from `trainableParameters`. */
  _noGrad = new Set<string>();

  /** Runs the module. */
  abstract forward(...args: any[]): any;

  /** Whether the module is in training mode (dropout active, batch statistics used). */
  get training(): boolean { return this._training; }

  /** @internal Own public property names that hold arrays or modules. */
  _stateKeys(): string[] {
    return Object.keys(this).filter((k) => !k.startsWith('_') && holdsState((this as any)[k]));
  }

  /** @internal Dotted paths (relative to this module, not entering child modules) of its own arrays. */
  _localParamKeys(): string[] {
    const out: string[] = [];
    const walk = (v: unknown, p: string): void => {
      if (v instanceof MxArray) out.push(p);
      else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${p}.${i}`));
      else if (isPlainObject(v)) for (const [k, x] of Object.entries(v)) walk(x, `${p}.${k}`);
    };
    for (const k of this._stateKeys()) walk((this as any)[k], k);
    return out;
  }

  /** @internal Whether the local array at `path` is frozen (frozen itself or inside a frozen container). */
  _isFrozen(path: string): boolean {
    if (this._noGrad.size === 0) return false;
    if (this._noGrad.has(path)) return true;
    for (let i = path.indexOf('.'); i >= 0; i = path.indexOf('.', i + 1)) if (this._noGrad.has(path.slice(0, i))) return true;
    return false;
  }

  /** @internal */
  _params(trainable: boolean): ParamTree {
    const unwrap = (v: unknown, p: string): unknown => {
      if (v instanceof MxArray) return trainable && this._isFrozen(p) ? undefined : v;
      if (v instanceof Module) return v._params(trainable);
      if (Array.isArray(v)) return v.map((x, i) => (holdsState(x) ? unwrap(x, `${p}.${i}`) ?? {} : {}));
      if (isPlainObject(v)) {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) {
          if (!holdsState(x)) continue;
          const u = unwrap(x, `${p}.${k}`);
          if (u !== undefined) out[k] = u;
        }
        return out;
      }
      return {};
    };
    const out: ParamTree = {};
    for (const k of this._stateKeys()) {
      const u = unwrap((this as any)[k], k);
      if (u !== undefined) out[k] = u;
    }
    return out;
  }

  /**
   * Every parameter (arrays, frozen or not) as a tree keyed by property names.
   *
   * @example
   * ```ts
   * new nn.Linear(2, 3).parameters(); // { weight: [3, 2] array, bias: [3] array }
   * ```
   */
  parameters(): ParamTree { return this._params(false); }

  /**
   * The parameters that are not frozen: what `nn.valueAndGrad` differentiates and optimizers update.
   *
   * @example
   * ```ts
   * bn.trainableParameters(); // { weight, bias } (running statistics are frozen)
   * ```
   */
  trainableParameters(): ParamTree { return this._params(true); }

  /**
   * The direct child modules as a tree (modules inside arrays and plain objects keep their places).
   *
   * @example
   * ```ts
   * new nn.Sequential(new nn.Linear(2, 2), new nn.ReLU()).children(); // { layers: [Linear, ReLU] }
   * ```
   */
  children(): Record<string, any> {
    const pick = (v: unknown): unknown => {
      if (v instanceof Module) return v;
      if (Array.isArray(v)) return v.map((x) => (holdsModule(x) ? pick(x) : {}));
      if (isPlainObject(v)) {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) if (holdsModule(x)) out[k] = pick(x);
        return out;
      }
      return {};
    };
    const out: Record<string, any> = {};
    for (const k of this._stateKeys()) if (holdsModule((this as any)[k])) out[k] = pick((this as any)[k]);
    return out;
  }

  /**
   * Every module in the tree with its dotted path ('' for this one), parents before children.
   *
   * @example
   * ```ts
   * model.namedModules().map(([path]) => path); // ['', 'layers.0', 'layers.1']
   * ```
   */
  namedModules(): [string, Module][] {
    const out: [string, Module][] = [];
    const visit = (m: Module, path: string): void => {
      out.push([path, m]);
      const mods = treeFlatten(m.children(), '', (x) => x instanceof Module) as [string, unknown][];
      for (const [p, c] of mods) if (c instanceof Module) visit(c, path ? `${path}.${p}` : p);
    };
    visit(this, '');
    return out;
  }

  /** Every module in the tree, this one first. */
  modules(): Module[] { return this.namedModules().map(([, m]) => m); }

  /**
   * The modules that have no child modules, as a tree like `children()`.
   *
   * @example
   * ```ts
   * model.leafModules(); // { layers: [Linear, ReLU, Linear] }
   * ```
   */
  leafModules(): Record<string, any> {
    const pairs = this.namedModules().filter(([p, m]) => p !== '' && Object.keys(m.children()).length === 0);
    return treeUnflatten(pairs) ?? {};
  }

  /**
   * Replaces parameters with the arrays of `params` (a tree shaped like `parameters()`, possibly partial).
   * With `strict` (default) a key that names no parameter or module throws.
   *
   * @example
   * ```ts
   * model.update({ layers: [{ weight: w0 }] });
   * ```
   */
  update(params: ParamTree, strict = true): this {
    const merge = (cur: unknown, nv: unknown, path: string, set: (x: unknown) => void): void => {
      if (cur instanceof MxArray) {
        if (!(nv instanceof MxArray)) throw new TypeError(`[update] Expected an array for "${path}".`);
        set(nv);
      } else if (cur instanceof Module) {
        if (!isPlainObject(nv)) throw new TypeError(`[update] Expected a tree for module "${path}".`);
        cur.update(nv, strict);
      } else if (Array.isArray(cur)) {
        if (!Array.isArray(nv)) throw new TypeError(`[update] Expected a list for "${path}".`);
        nv.forEach((x, i) => {
          if (x === undefined || x === null || (isPlainObject(x) && Object.keys(x).length === 0)) return;
          if (i >= cur.length) { if (strict) throw new Error(`[update] "${path}" has no item ${i}.`); return; }
          merge(cur[i], x, `${path}.${i}`, (y) => { cur[i] = y; });
        });
      } else if (isPlainObject(cur)) {
        if (!isPlainObject(nv)) throw new TypeError(`[update] Expected a tree for "${path}".`);
        for (const [k, x] of Object.entries(nv)) {
          if (x === undefined) continue;
          if (!(k in cur)) { if (strict) throw new Error(`[update] "${path}" has no entry "${k}".`); continue; }
          merge(cur[k], x, `${path}.${k}`, (y) => { cur[k] = y; });
        }
      } else if (strict && !(isPlainObject(nv) && Object.keys(nv).length === 0)) {
        throw new Error(`[update] "${path}" is not a parameter.`);
      }
    };
    for (const [k, v] of Object.entries(params)) {
      if (k.startsWith('_') || !(k in this)) {
        if (strict) throw new Error(`[update] Module ${this.constructor.name} has no parameter "${k}".`);
        continue;
      }
      merge((this as any)[k], v, k, (y) => { (this as any)[k] = y; });
    }
    return this;
  }

  /**
   * Maps every parameter (or those passing `filter(module, localPath, value)`) through `fn` and stores the results.
   *
   * @example
   * ```ts
   * model.apply((w) => w.astype(mx.float16));
   * ```
   */
  apply(fn: (p: MxArray) => MxArray, filter?: (module: Module, key: string, value: unknown) => boolean): this {
    for (const m of this.modules()) {
      const mapTree = (v: unknown, p: string): unknown => {
        if (v instanceof MxArray) return filter && !filter(m, p, v) ? v : fn(v);
        if (Array.isArray(v)) { v.forEach((x, i) => { v[i] = mapTree(x, `${p}.${i}`); }); return v; }
        if (isPlainObject(v)) { for (const [k, x] of Object.entries(v)) v[k] = mapTree(x, `${p}.${k}`); return v; }
        return v;
      };
      for (const k of m._stateKeys()) (m as any)[k] = mapTree((m as any)[k], k);
    }
    return this;
  }

  /**
   * Calls `fn(path, module)` on every module, this one first (path '').
   *
   * @example
   * ```ts
   * model.applyToModules((path, m) => { if (m instanceof nn.Dropout) m.eval(); });
   * ```
   */
  applyToModules(fn: (path: string, module: Module) => void): this {
    for (const [p, m] of this.namedModules()) fn(p, m);
    return this;
  }

  /** @internal */
  _setFrozen(frozen: boolean, opts: FreezeOpts): this {
    const { recurse = true, keys, strict = false } = opts;
    const list = typeof keys === 'string' ? [keys] : keys;
    const targets = recurse ? this.modules() : [this];
    for (const m of targets) {
      const local = m._localParamKeys();
      if (list && strict) {
        for (const k of list) if (!local.some((p) => p === k || p.startsWith(`${k}.`))) throw new Error(`[freeze] Module ${m.constructor.name} has no parameter "${k}".`);
      }
      const hit = (p: string): boolean => !list || list.some((k) => p === k || p.startsWith(`${k}.`));
      for (const p of local) {
        if (!hit(p)) continue;
        if (frozen) m._noGrad.add(p); else m._noGrad.delete(p);
      }
      // unfreezing a container key also clears the key itself
      if (!frozen && list) for (const k of list) m._noGrad.delete(k);
      if (!frozen && !list) m._noGrad.clear();
    }
    return this;
  }

  /**
   * Excludes parameters from `trainableParameters()`: all of them, or those named in `keys`, in this module and
   * (with `recurse`, default) every module below.
   *
   * @example
   * ```ts
   * model.freeze();                        // nothing is trained
   * model.unfreeze({ keys: ['bias'] });    // only biases are trained
   * ```
   */
  freeze(opts: FreezeOpts = {}): this { return this._setFrozen(true, opts); }

  /** Undoes `freeze` (same options). */
  unfreeze(opts: FreezeOpts = {}): this { return this._setFrozen(false, opts); }

  /**
   * Sets training mode on this module and every module below (`false` is `eval()`).
   *
   * @example
   * ```ts
   * model.train(); model.eval();
   * ```
   */
  train(mode = true): this {
    for (const m of this.modules()) m._training = mode;
    return this;
  }

  /** Evaluation mode: dropout off, running statistics used. */
  eval(): this { return this.train(false); }

  /**
   * Casts floating parameters to `dtype` (or those passing `predicate(dtype)`).
   *
   * @example
   * ```ts
   * model.setDtype(mx.float16);
   * ```
   */
  setDtype(dtype: Dtype, predicate: (d: Dtype) => boolean = isFloating): this {
    return this.apply((p) => (predicate(p.dtype) ? astype(p, dtype) : p));
  }

  /**
   * Loads weights saved by MLX or `saveWeights` (safetensors or npz file, or `[name, array]` pairs) whose names
   * are MLX's dotted snake_case paths. With `strict` (default) missing, extra or misshaped weights throw.
   *
   * @example
   * ```ts
   * await model.loadWeights('model.safetensors');
   * ```
   */
  async loadWeights(fileOrWeights: string | Uint8Array | readonly (readonly [string, MxArray])[], strict = true): Promise<this> {
    let pairs: [string, MxArray][];
    if (typeof fileOrWeights === 'string' || fileOrWeights instanceof Uint8Array) {
      const loaded = await load(fileOrWeights as string);
      if (loaded instanceof MxArray) throw new Error('[loadWeights] The file holds a single array, not named weights.');
      const dict = Array.isArray(loaded) ? loaded[0] : loaded;
      pairs = Object.entries(dict as Record<string, MxArray>);
    } else {
      pairs = fileOrWeights.map(([k, v]) => [k, v]);
    }
    const own = treeFlatten(this.parameters(), '', (x) => x instanceof MxArray) as [string, MxArray][];
    const byName = new Map<string, [string, MxArray]>();
    for (const [p, a] of own) { byName.set(weightName(p), [p, a]); byName.set(p, [p, a]); }
    const picked: [string, MxArray][] = [];
    const seen = new Set<string>();
    const extra: string[] = [];
    for (const [name, w] of pairs) {
      const hit = byName.get(name);
      if (!hit) { extra.push(name); continue; }
      const [p, cur] = hit;
      if (strict && (cur.ndim !== w.ndim || cur.shape.some((d, i) => d !== w.shape[i]))) {
        throw new Error(`[loadWeights] Expected shape ${fmtShape(cur.shape)} for "${name}" but got ${fmtShape(w.shape)}.`);
      }
      picked.push([p, w]);
      seen.add(p);
    }
    if (strict) {
      if (extra.length) throw new Error(`[loadWeights] Received parameters not in the model: ${extra.join(', ')}.`);
      const missing = own.filter(([p]) => !seen.has(p)).map(([p]) => weightName(p));
      if (missing.length) throw new Error(`[loadWeights] Missing parameters: ${missing.join(', ')}.`);
    }
    if (picked.length) this.update(treeUnflatten(picked), false);
    return this;
  }

  /**
   * Saves every parameter under MLX's dotted snake_case names, as `.safetensors` or `.npz` by the extension.
   *
   * @example
   * ```ts
   * await model.saveWeights('model.safetensors');
   * ```
   */
  async saveWeights(file: string): Promise<void> {
    const dict = this.namedWeights();
    if (file.endsWith('.safetensors')) await saveSafetensors(file, dict);
    else if (file.endsWith('.npz')) await savez(file, dict as never);
    else throw new Error(`[saveWeights] Unsupported file extension for "${file}" (use .safetensors or .npz).`);
  }

  /**
   * Every parameter keyed by its checkpoint name (dotted snake_case, as MLX saves them).
   *
   * @example
   * ```ts
   * Object.keys(mha.namedWeights()); // ['query_proj.weight', ...]
   * ```
   */
  namedWeights(): Record<string, MxArray> {
    const own = treeFlatten(this.parameters(), '', (x) => x instanceof MxArray) as [string, MxArray][];
    return Object.fromEntries(own.map(([p, a]) => [weightName(p), a]));
  }

  toString(): string {
    const kids = this.namedModules().filter(([p]) => p && !p.includes('.'));
    return kids.length ? `${this.constructor.name}(${kids.map(([p, m]) => `${p}: ${m.constructor.name}`).join(', ')})` : `${this.constructor.name}()`;
  }
}

/** Options of `freeze`/`unfreeze`. */
export interface FreezeOpts {
  /** Also act on every module below (default true). */
  recurse?: boolean;
  /** Only these local parameter names (default: all). */
  keys?: string | string[];
  /** Throw when a key is not a parameter of a module (default false). */
  strict?: boolean;
}

/**
 * Wraps `fn` to return its value and the gradient with respect to `model.trainableParameters()` (MLX's
 * `nn.value_and_grad`). `fn` reads the model's parameters through the model; pass whatever it needs as arguments.
 *
 * @example
 * ```ts
 * const lossAndGrad = nn.valueAndGrad(model, (x, y) => nn.losses.mseLoss(model.forward(x), y));
 * const [loss, grads] = lossAndGrad(x, y);
 * optimizer.update(model, grads);
 * ```
 */
export function valueAndGrad<A extends unknown[]>(model: Module, fn: (...args: A) => unknown): (...args: A) => [any, ParamTree] {
  const inner = (params: ParamTree, ...args: A): unknown => {
    model.update(params);
    return fn(...args);
  };
  const vg = mxValueAndGrad(inner);
  return (...args: A) => {
    const orig = model.trainableParameters();
    try {
      return vg(orig, ...args) as [any, ParamTree];
    } finally {
      model.update(orig);
    }
  };
}
