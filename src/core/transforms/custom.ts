/**
 * @file `mx.customFunction` (user-defined vjp/jvp/vmap for a function) and `mx.checkpoint` (recompute a function's
 * activations in the backward pass instead of keeping them).
 */
import { MxArray, bindMulti } from '../array.js';
import { defaultStream } from '../device.js';
import { treeFlattenWith } from '../tree.js';
import type { CustomRules } from '../primitives/custom.js';
import '../primitives/custom.js';
import { vjp } from './autodiff.js';
import { stopGradient } from '../ops/unary.js';

type Fn = (...args: any[]) => unknown;

/** A function with overridable transform rules; call it like the original. */
export interface CustomFunction<F extends Fn> {
  (...args: Parameters<F>): ReturnType<F>;
  /** Sets the vjp: `(primals, cotangents, outputs) => cotangents of the primals`. Returns the function. */
  vjp(rule: NonNullable<CustomRules['vjp']>): CustomFunction<F>;
  /** Sets the jvp: `(primals, tangents) => tangents of the outputs`. */
  jvp(rule: NonNullable<CustomRules['jvp']>): CustomFunction<F>;
  /** Sets the batching rule: `(inputs, axes) => [outputs, outputAxes]`. */
  vmap(rule: NonNullable<CustomRules['vmap']>): CustomFunction<F>;
}

/**
 * Wraps `fn` so its vjp, jvp or vmap can be replaced (MLX's `mx.custom_function`). Primals are the arrays among
 * the arguments (pytrees are flattened in order); outputs are the arrays among the results.
 *
 * @example
 * ```ts
 * const f = mx.customFunction((x: mx.MxArray) => mx.exp(x));
 * f.vjp(([x], [ct], [y]) => [ct.mul(y)]);
 * mx.grad((x) => mx.sum(f(x)))(x);
 * ```
 */
export function customFunction<F extends Fn>(fn: F): CustomFunction<F> {
  const rules: CustomRules = {};
  const wrapped = ((...args: unknown[]) => {
    const [primals] = treeFlattenWith(args);
    const out = fn(...args);
    const [outs, rebuild] = treeFlattenWith(out);
    if (outs.length === 0) return out;
    const stream = (outs[0] as MxArray)._node?.stream ?? defaultStream();
    const wrappedOuts = bindMulti('custom', [...(primals as MxArray[]), ...(outs as MxArray[])],
      { nPrimals: primals.length, rules }, stream);
    return rebuild(wrappedOuts);
  }) as unknown as CustomFunction<F>;
  wrapped.vjp = (r) => { rules.vjp = r; return wrapped; };
  wrapped.jvp = (r) => { rules.jvp = r; return wrapped; };
  wrapped.vmap = (r) => { rules.vmap = r; return wrapped; };
  return wrapped;
}

/**
 * Gradient checkpointing: the backward pass re-runs `fn` on its (gradient-stopped) inputs instead of reading the
 * forward pass's intermediates, so they need not be kept (MLX's `mx.checkpoint`).
 *
 * @example
 * ```ts
 * const block = mx.checkpoint((x: mx.MxArray) => mx.tanh(mx.matmul(x, w)));
 * ```
 */
export function checkpoint<F extends (...xs: MxArray[]) => MxArray | MxArray[]>(fn: F): CustomFunction<F> {
  const f = customFunction(fn);
  f.vjp((primals, cotangents) => {
    const fresh = primals.map((p) => stopGradient(p));
    const [, grads] = vjp((...xs: MxArray[]) => fn(...xs), fresh, cotangents);
    return grads;
  });
  return f;
}
