/**
 * @file One training step as a function of the batch (loss, gradients, optional clip, optimizer update), eager or
 * compiled the way MLX users compile theirs: `mx.compile(step, { inputs: state, outputs: state })` with the model,
 * the optimizer and `mx.random.state` as the state, so the parameters, every optimizer array (step count, learning
 * rate, moments) and the global random key are inputs of the traced graph and written back after each call, never
 * constants baked into it.
 */
import * as mx from '../index.js';
import type { MxArray } from '../core/array.js';
import { valueAndGrad, type Module } from './module.js';
import { clipGradNorm, type Optimizer } from '../optimizers/optimizer.js';

/** Options of `trainStep`. */
export interface TrainStepOpts {
  /** Clip the global gradient norm to this value before the update. */
  clipGradNorm?: number;
  /** Compile the step (see `TrainLoopOpts.compile`). Default false. */
  compile?: boolean;
}

type Step = (...batch: MxArray[]) => MxArray;

interface Cached { model: Module; optimizer: Optimizer; clip: number | undefined; step: Step }
// one compiled step per loss function (a compiled function keeps its traces), so a second trainLoop over the same
// model, loss and optimizer (a warm-up run, then the measured one) does not trace again
const cache = new WeakMap<object, Cached[]>();

function eagerStep(model: Module, lossFn: Step, optimizer: Optimizer, clip: number | undefined): Step {
  const lossAndGrad = valueAndGrad(model, lossFn);
  return (...batch) => {
    let [loss, grads] = lossAndGrad(...batch);
    if (clip !== undefined) [grads] = clipGradNorm(grads, clip);
    optimizer.update(model, grads);
    return loss as MxArray;
  };
}

/**
 * Returns `step(...batch)`: runs `lossFn(...batch)`, takes the gradients w.r.t. the model's trainable parameters,
 * clips them if asked and applies `optimizer.update`; returns the (lazy) loss. With `compile`, the optimizer's
 * buffers are created first (`optimizer.init`) so the first call traces the update alone, and the function is
 * compiled with `[model, optimizer, mx.random.state]` as its implicit inputs and outputs (the arrays reachable from
 * them are read as inputs and written back: parameters, module buffers, the optimizer's step, learning rate and
 * moments, the global random key), so dropout and other keyless draws in `lossFn` give fresh numbers at every
 * compiled step: the numbers the eager step draws from the same seed.
 *
 * @example
 * ```ts
 * const step = nn.trainStep(model, (x, y) => nn.losses.mseLoss(model.forward(x), y), new optim.AdamW(1e-3), { compile: true });
 * for (const [x, y] of batches) await mx.eval(step(x, y), model.parameters(), optimizer.state);
 * ```
 */
export function trainStep(model: Module, lossFn: Step, optimizer: Optimizer, opts: TrainStepOpts = {}): Step {
  const clip = opts.clipGradNorm;
  if (!opts.compile) return eagerStep(model, lossFn, optimizer, clip);
  const list = cache.get(lossFn) ?? [];
  const hit = list.find((c) => c.model === model && c.optimizer === optimizer && c.clip === clip);
  optimizer.init(model.trainableParameters());
  if (hit) return hit.step;
  // mx.random's global key is state too: a dropout mask (or any keyless draw) is then fresh at every step and the
  // same as the eager step's from the same seed, instead of a constant captured by the trace
  const state = [model, optimizer, mx.random.state];
  const step = mx.compile(eagerStep(model, lossFn, optimizer, clip), { inputs: state, outputs: state });
  list.push({ model, optimizer, clip, step });
  cache.set(lossFn, list);
  return step;
}
