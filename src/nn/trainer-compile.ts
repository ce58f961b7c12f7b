/**
 * @file One training step as a function of the batch (loss, gradients, optional clip, optimizer update), eager or
 * compiled the way MLX users compile theirs: `mx.compile(step, { inputs: state, outputs: state })` with the model
 * and the optimizer as the state, so the parameters and every optimizer array (step count, learning rate, moments)
 * are inputs of the traced graph and written back after each call, never constants baked into it.
 */
import * as mx from '../index.js';
import type { MxArray } from '../core/array.js';
import { valueAndGrad, type Module } from './module.js';
import { clipGradNorm, type Optimizer } from '../optimizers/optimizer.js';
import { Dropout, Dropout2d, Dropout3d } from './layers/dropout.js';

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
 * compiled with `[model, optimizer]` as its implicit inputs and outputs (the arrays reachable from them are read as
 * inputs and written back: parameters, module buffers, the optimizer's step, learning rate and moments). A model
 * with an active dropout layer is refused under `compile` (its random mask would be traced once, as a constant).
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
  for (const [name, m] of model.namedModules()) {
    if ((m instanceof Dropout || m instanceof Dropout2d || m instanceof Dropout3d) && m.p > 0) {
      // mx.random's global key is host state: a trace captures the key it drew as a constant, so every compiled
      // step would zero the same elements (silently wrong training, not an error, hence this check)
      throw new Error(`[trainStep] Cannot compile a step through dropout (${name || 'the model'}: p = ${m.p}): the random mask would be `
        + 'the same at every step. Train uncompiled, or with p = 0.');
    }
  }
  const list = cache.get(lossFn) ?? [];
  const hit = list.find((c) => c.model === model && c.optimizer === optimizer && c.clip === clip);
  optimizer.init(model.trainableParameters());
  if (hit) return hit.step;
  const state = [model, optimizer];
  const step = mx.compile(eagerStep(model, lossFn, optimizer, clip), { inputs: state, outputs: state });
  list.push({ model, optimizer, clip, step });
  cache.set(lossFn, list);
  return step;
}
