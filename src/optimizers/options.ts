/**
 * @file The options-object form of the optimizer constructors (the project's argument convention: MLX's keyword
 * parameters may be given positionally or in a trailing object): `new AdamW(1e-3, { weightDecay: 0.1 })` and
 * `new AdamW({ learningRate: 1e-3, weightDecay: 0.1 })` construct the same optimizer as `new AdamW(1e-3, [0.9,
 * 0.999], 1e-8, 0.1)`.
 */
import { optArgs } from '../core/ops/args.js';
import type { Scheduled } from './optimizer.js';

type Ctor = abstract new (...args: any[]) => object;

/** A constructor that also takes its optional parameters (and the learning rate) in an options object. */
export type WithOptions<C extends Ctor, K extends string> = C & {
  new (opts: { learningRate: Scheduled } & { [k in K]?: unknown }): InstanceType<C>;
  new (learningRate: Scheduled, opts: { [k in K]?: unknown }): InstanceType<C>;
};

/**
 * Wraps an optimizer class so its constructor accepts the options form. `names` are its parameters in order, the
 * learning rate first; missing ones keep their defaults.
 *
 * @example
 * ```ts
 * export const SGD = withOptions(SGDBase, ['learningRate', 'momentum', 'weightDecay', 'dampening', 'nesterov']);
 * ```
 */
export function withOptions<C extends Ctor, K extends string>(cls: C, names: readonly ['learningRate', ...K[]]): WithOptions<C, K> {
  const Base = cls as unknown as new (...args: unknown[]) => object;
  const wrapped = class extends Base {
    constructor(...args: unknown[]) {
      const o = optArgs<Record<string, unknown>>(names as readonly string[], args, cls.name) as Record<string, unknown>;
      for (const k of Object.keys(o)) {
        if (k !== 'stream' && !names.includes(k as never)) throw new TypeError(`[${cls.name}] Unknown option "${k}".`);
      }
      if (o.learningRate === undefined) throw new TypeError(`[${cls.name}] A learning rate is required.`);
      super(...names.map((n) => o[n]));
    }
  };
  Object.defineProperty(wrapped, 'name', { value: cls.name });
  return wrapped as unknown as WithOptions<C, K>;
}
